//! The stream a report reaches a person through: it lets the report's own
//! colour codes pass and shows every other control character inert, whoever
//! wrote it. The CLI wraps stdout and stderr in it before any command runs,
//! so no renderer can hand a terminal a command.

use std::io::{self, Write};

use super::{is_control, push_char};

/// The SGR parameters a report's colours use (see `report::style`):
/// reset, bold, dim, italic, underline, their resets, and the foreground
/// colours red to cyan. Nothing that hides text (conceal, reverse, black or
/// white on a background, blink) and no other ESC sequence passes.
const ALLOWED_SGR: &[&[u8]] = &[
    b"0", b"1", b"2", b"3", b"4", b"22", b"23", b"24", b"31", b"32", b"33", b"34", b"35", b"36",
    b"39",
];

/// Longest SGR sequence that may pass (`ESC [ 1;31;4 m` and the like).
const MAX_SGR: usize = 16;

/// Wraps a writer: bytes that are not a control character go through as they
/// are (invalid UTF-8 included); an allowed colour code goes through; every
/// other control character is written the way [`super::inert`] shows it
/// (`\u001b`, `\u0007`, `\u009b`, `\u202e`, ...). Line feeds and tabs are
/// the report's own layout and pass. Inside a JSON string those escapes are
/// JSON's own, so `--json` output keeps its meaning.
///
/// A sequence cut between two writes is held until the next write or
/// [`flush`](Write::flush) (at most a few bytes).
pub struct InertWriter<W: Write> {
    inner: W,
    held: Vec<u8>,
}

impl<W: Write> InertWriter<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            held: Vec::new(),
        }
    }

    /// Writes what can be decided; keeps an unfinished tail unless `end`.
    fn drain(&mut self, end: bool) -> io::Result<()> {
        let (out, used) = neutralise(&self.held, end);
        self.held.drain(..used);
        self.inner.write_all(&out)
    }
}

impl<W: Write> Write for InertWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.held.extend_from_slice(buf);
        self.drain(false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.drain(true)?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for InertWriter<W> {
    fn drop(&mut self) {
        if !self.held.is_empty() {
            let _ = self.flush();
        }
    }
}

/// The inert form of `bytes`, and how many of them it covers (all, when
/// `end`; else up to an unfinished ESC sequence or UTF-8 character).
fn neutralise(bytes: &[u8], end: bool) -> (Vec<u8>, usize) {
    let mut out = Vec::with_capacity(bytes.len() + 8);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == 0x1b {
            match allowed_sgr(&bytes[i..]) {
                Sgr::Allowed(n) => {
                    out.extend_from_slice(&bytes[i..i + n]);
                    i += n;
                    continue;
                }
                Sgr::Unfinished if !end => break,
                _ => {}
            }
        }
        if b < 0x80 {
            if b == b'\n' || b == b'\t' || !is_control(b as char) {
                out.push(b);
            } else {
                escape(&mut out, b as char);
            }
            i += 1;
            continue;
        }
        let len = match b {
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => 1,
        };
        if i + len > bytes.len() && !end {
            // Only a well-formed prefix is worth waiting for.
            if bytes[i + 1..].iter().all(|c| (0x80..0xc0).contains(c)) {
                break;
            }
        }
        match bytes
            .get(i..i + len)
            .and_then(|s| std::str::from_utf8(s).ok())
            .and_then(|s| s.chars().next())
        {
            Some(c) if is_control(c) => {
                escape(&mut out, c);
                i += len;
            }
            Some(_) => {
                out.extend_from_slice(&bytes[i..i + len]);
                i += len;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    (out, i)
}

fn escape(out: &mut Vec<u8>, c: char) {
    let mut s = String::new();
    push_char(&mut s, c);
    out.extend_from_slice(s.as_bytes());
}

enum Sgr {
    /// An allowed colour code of this many bytes.
    Allowed(usize),
    /// Could still become one: wait for more bytes.
    Unfinished,
    No,
}

/// Whether `bytes` (starting at ESC) opens a colour code the report may use.
fn allowed_sgr(bytes: &[u8]) -> Sgr {
    for n in 1..bytes.len().min(MAX_SGR) {
        let b = bytes[n];
        match (n, b) {
            (1, b'[') => {}
            (1, _) => return Sgr::No,
            (_, b'0'..=b'9' | b';') => {}
            (_, b'm') => {
                let params = &bytes[2..n];
                let ok = params
                    .split(|c| *c == b';')
                    .all(|p| ALLOWED_SGR.contains(&p));
                return if ok { Sgr::Allowed(n + 1) } else { Sgr::No };
            }
            _ => return Sgr::No,
        }
    }
    if bytes.len() < MAX_SGR {
        Sgr::Unfinished
    } else {
        Sgr::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(chunks: &[&[u8]]) -> String {
        let mut buf = Vec::new();
        {
            let mut w = InertWriter::new(&mut buf);
            for c in chunks {
                w.write_all(c).unwrap();
            }
            w.flush().unwrap();
        }
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn report_colours_pass() {
        let painted = format!(
            "{}{}{:#} and {}ok{:#}\n",
            crate::report::style::RED,
            "✗ BLOCKER",
            crate::report::style::RED,
            crate::report::style::DIM,
            crate::report::style::DIM
        );
        assert_eq!(through(&[painted.as_bytes()]), painted);
    }

    #[test]
    fn title_clear_screen_and_hiding_are_shown_not_run() {
        let hostile =
            "name: \u{1b}]0;PWNED\u{7}\u{1b}[2J\u{1b}[8mhidden\u{1b}[30;40m\u{1b}[H\u{8}\r\n";
        let got = through(&[hostile.as_bytes()]);
        assert!(!got.contains('\u{1b}'), "{got:?}");
        assert!(!got.contains('\u{7}') && !got.contains('\r') && !got.contains('\u{8}'));
        assert_eq!(
            got,
            "name: \\u001b]0;PWNED\\u0007\\u001b[2J\\u001b[8mhidden\\u001b[30;40m\\u001b[H\\u0008\\r\n"
        );
    }

    #[test]
    fn c1_and_bidi_become_json_escapes() {
        let json = "{\"name\":\"a\u{9b}2J\u{202e}b\"}\n";
        let got = through(&[json.as_bytes()]);
        assert_eq!(got, "{\"name\":\"a\\u009b2J\\u202eb\"}\n");
        let back: serde_json::Value = serde_json::from_str(&got).unwrap();
        assert_eq!(back["name"], "a\u{9b}2J\u{202e}b");
    }

    #[test]
    fn sequences_cut_between_writes_are_judged_whole() {
        let red = crate::report::style::RED.to_string();
        let (a, b) = red.as_bytes().split_at(3);
        assert_eq!(through(&[a, b, b"x"]), format!("{red}x"));
        // An OSC cut after its ESC, a bidi override cut mid-character.
        assert_eq!(through(&[b"\x1b", b"]0;t\x07"]), "\\u001b]0;t\\u0007");
        let rlo = "\u{202e}".as_bytes();
        assert_eq!(through(&[&rlo[..1], &rlo[1..], b"z"]), "\\u202ez");
        // A lone ESC at the very end is still shown.
        assert_eq!(through(&[b"end\x1b"]), "end\\u001b");
    }

    #[test]
    fn text_and_invalid_utf8_pass_untouched() {
        let mut buf = Vec::new();
        {
            let mut w = InertWriter::new(&mut buf);
            w.write_all("Anna’s iPhone ✓ 日本\n".as_bytes()).unwrap();
            w.write_all(b"\xff\xfe ok\n").unwrap();
            w.flush().unwrap();
        }
        assert_eq!(
            buf,
            ["Anna’s iPhone ✓ 日本\n".as_bytes(), b"\xff\xfe ok\n"].concat()
        );
    }

    #[test]
    fn no_byte_string_leaves_a_control() {
        // Every byte pair and a sample of triples, written in two pieces:
        // nothing a terminal acts on comes out but an allowed colour code.
        let mut bytes = Vec::new();
        for a in 0u8..=255 {
            for b in [0x1b, b'[', b']', 0x9b, 0x80, 0xc2, 0xe2, a] {
                bytes.extend_from_slice(&[a, b, 0x1b, a]);
            }
        }
        let mut buf = Vec::new();
        {
            let mut w = InertWriter::new(&mut buf);
            for chunk in bytes.chunks(7) {
                w.write_all(chunk).unwrap();
            }
            w.flush().unwrap();
        }
        for (i, b) in buf.iter().enumerate() {
            if *b == 0x1b {
                assert!(
                    matches!(allowed_sgr(&buf[i..]), Sgr::Allowed(_)),
                    "raw ESC at {i}"
                );
            } else if *b < 0x80 {
                assert!(
                    *b == b'\n' || *b == b'\t' || !is_control(*b as char),
                    "{b:#x} at {i}"
                );
            }
        }
        let text = String::from_utf8_lossy(&buf);
        assert!(!text.chars().any(|c| c >= '\u{80}' && is_control(c)));
    }
}
