//! A file given to `--from`, as the importers see it: numbered lines, each
//! cut to a length worth reading, from a text that may be binary, invalid
//! UTF-8, or so large that only its beginning and end were kept. Every line
//! is normalised once here ([`super::normalise`]): importers read the
//! message, quotes show the line as the tool printed it.

use super::normalise::{self, Prefix};
use crate::snapshot::Quote;

/// Longer lines are cut here: no line an importer reads is longer, and a
/// 100 MB line costs no more than this to look at.
pub const MAX_LINE_BYTES: usize = 8 * 1024;
/// A quoted line is cut here for the report.
const MAX_QUOTE_CHARS: usize = 240;

/// What was read of one file.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The file's name as the user gave it.
    pub name: String,
    parts: Vec<Part>,
    /// Lines left out between the kept beginning and end of a huge file.
    pub skipped_lines: u64,
}

/// A run of consecutive lines, with the number of its first line.
#[derive(Debug, Clone)]
struct Part {
    first_line: u64,
    /// The clean text ([`normalise::clean`]).
    text: String,
    /// Per line, where its message starts ([`normalise::message`]).
    prefixes: Vec<Prefix>,
    /// The messages of every line, when some line had a prefix: what a
    /// reader of a whole document (XML, JSON) reads.
    messages: Option<String>,
}

impl Part {
    fn new(first_line: u64, bytes: &[u8]) -> Self {
        let text = normalise::clean(bytes);
        let prefixes: Vec<Prefix> = lines_of(&text)
            .map(|l| normalise::message(cut(l, MAX_LINE_BYTES)))
            .collect();
        let messages = prefixes.iter().any(|p| p.len > 0).then(|| {
            let mut m = String::with_capacity(text.len());
            for (l, p) in lines_of(&text).zip(&prefixes) {
                m.push_str(l.get(p.len..).unwrap_or(""));
                m.push('\n');
            }
            m
        });
        Self {
            first_line,
            text,
            prefixes,
            messages,
        }
    }
}

fn lines_of(text: &str) -> impl Iterator<Item = &str> {
    text.strip_suffix('\n').unwrap_or(text).split('\n')
}

/// One line of a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1-based, as an editor shows it.
    pub number: u64,
    /// The message: without its line ending, quote markers, log prefixes
    /// and prompts, cut to `MAX_LINE_BYTES`.
    pub text: &'a str,
    /// The line as the tool printed it (log prefixes kept), for quotes.
    pub printed: &'a str,
    /// The time of day a log prefix gave it, in ms since midnight.
    pub clock_ms: Option<u64>,
    /// It is a command typed after a shell prompt.
    pub prompt: bool,
    /// The line from its syslog-style stamp on (time, host, process), for
    /// readers that need the process; the message when there is none.
    pub log_line: &'a str,
}

impl Capture {
    /// A capture read whole.
    pub fn new(name: impl Into<String>, bytes: &[u8]) -> Self {
        Self::from_parts(name, bytes, 0, &[])
    }

    /// A capture of which only `head` and `tail` were kept; `skipped_lines`
    /// whole lines lie between them (`head` ends with a line break when a
    /// tail follows). Bytes that are not UTF-8 become U+FFFD.
    pub fn from_parts(
        name: impl Into<String>,
        head: &[u8],
        skipped_lines: u64,
        tail: &[u8],
    ) -> Self {
        let head = Part::new(1, head);
        let head_lines = head.text.matches('\n').count() as u64;
        let mut parts = vec![head];
        if !tail.is_empty() {
            parts.push(Part::new(head_lines + skipped_lines + 1, tail));
        }
        Self {
            name: name.into(),
            parts,
            skipped_lines,
        }
    }

    /// Every kept line, numbered as in the file.
    pub fn lines(&self) -> impl Iterator<Item = Line<'_>> + '_ {
        self.parts.iter().flat_map(|p| {
            lines_of(&p.text)
                .zip(&p.prefixes)
                .enumerate()
                .map(move |(i, (l, prefix))| {
                    let printed = cut(l, MAX_LINE_BYTES);
                    Line {
                        number: p.first_line + i as u64,
                        text: printed.get(prefix.len..).unwrap_or(""),
                        printed,
                        clock_ms: prefix.clock_ms,
                        prompt: prefix.prompt,
                        log_line: printed
                            .get(prefix.log_start.unwrap_or(prefix.len)..)
                            .unwrap_or(""),
                    }
                })
        })
    }

    /// The kept text of the beginning of the file, for importers that read a
    /// whole document (XML, JSON) rather than lines.
    pub fn head(&self) -> &str {
        self.parts
            .first()
            .map(|p| p.messages.as_deref().unwrap_or(&p.text))
            .unwrap_or("")
    }

    /// The first `max` bytes of [`Capture::head`] (cut on a character
    /// boundary): where an importer looks to recognise a document before
    /// reading it whole, so text it does not read costs it little.
    pub fn opening(&self, max: usize) -> &str {
        cut(self.head(), max)
    }

    /// The line as evidence: this file, this line number, the text cut short.
    pub fn quote(&self, line: Line<'_>) -> Quote {
        let text = line.printed.trim();
        let mut shown: String = text.chars().take(MAX_QUOTE_CHARS).collect();
        if shown.len() < text.len() {
            shown.push('…');
        }
        Quote {
            file: self.name.clone(),
            line: line.number,
            text: shown,
        }
    }
}

/// `s` cut to at most `max` bytes, on a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_across_a_gap_and_cut() {
        let c = Capture::from_parts("big.log", b"one\r\ntwo\n", 10, b"twelve\nthirteen");
        let lines: Vec<(u64, &str)> = c.lines().map(|l| (l.number, l.text)).collect();
        assert_eq!(
            lines,
            [(1, "one"), (2, "two"), (13, "twelve"), (14, "thirteen")]
        );
        let long = "é".repeat(MAX_LINE_BYTES);
        let c = Capture::new("x", long.as_bytes());
        let first = c.lines().next().unwrap();
        assert!(first.text.len() <= MAX_LINE_BYTES && !first.text.is_empty());
        assert!(c.quote(first).text.ends_with('…'));
    }

    #[test]
    fn binary_and_nul_bytes_read_as_text() {
        let c = Capture::new("bin", b"a\0b\n\xff\xfec\n");
        let lines: Vec<&str> = c.lines().map(|l| l.text).collect();
        assert_eq!(lines, ["a b", "\u{fffd}\u{fffd}c"]);
        assert_eq!(
            c.quote(c.lines().nth(1).unwrap()).cite(),
            "bin:2: \u{fffd}\u{fffd}c"
        );
    }
}
