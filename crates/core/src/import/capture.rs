//! A file given to `--from`, as the importers see it: numbered lines, each
//! cut to a length worth reading, from a text that may be binary, invalid
//! UTF-8, or so large that only its beginning and end were kept. The text
//! is normalised once here ([`super::normalise`]): importers read the
//! message, quotes show the line as the tool printed it. What is kept is the
//! text and a byte or so per line where a prefix was found, never a record
//! per line, and a [`Stop`] set from
//! outside ends the reading at the deadline.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use super::normalise;
use crate::snapshot::Quote;

/// Longer lines are cut here: no line an importer reads is longer, and a
/// 100 MB line costs no more than this to look at.
pub const MAX_LINE_BYTES: usize = 8 * 1024;
/// A quoted line is cut here for the report.
const MAX_QUOTE_CHARS: usize = 240;
/// Lines between two looks at the [`Stop`] while a part is read.
const STOP_EVERY: usize = 1024;

/// Set by whoever holds the deadline (the I/O side, which has the clock):
/// reading a capture then ends at the next line, and the importers see
/// only the lines before it. The core never looks at a clock itself.
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// Ends every reading of the captures holding this `Stop`.
    pub fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`Stop::set`] was called.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What was read of one file.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The file's name as the user gave it.
    pub name: String,
    parts: Vec<Part>,
    /// Lines left out between the kept beginning and end of a huge file.
    pub skipped_lines: u64,
    stop: Stop,
}

/// A run of consecutive lines, with the number of its first line. Nothing
/// is kept per line: a paste of ten million one-letter lines costs its
/// text, not ten million records.
#[derive(Debug, Clone)]
struct Part {
    first_line: u64,
    /// The clean text ([`normalise::clean`]).
    text: String,
    /// Per line, the length of what stands before its message and where its
    /// syslog-style stamp starts, plus one (0: none) ([`normalise::message`]),
    /// as LEB128 numbers (a byte each for most); empty when no line has
    /// anything before its message.
    prefixes: Vec<u8>,
    /// The messages of every line, for readers of a whole document (XML,
    /// JSON): made the first time one asks, when some line had a prefix.
    document: OnceLock<String>,
}

impl Part {
    /// `text` is [`normalise::clean`]'s.
    fn new(first_line: u64, mut text: String, stop: &Stop) -> Self {
        let mut prefixes = Vec::new();
        let mut line_start: usize = 0;
        let mut stopped_at = None;
        for (i, l) in lines_of(&text).enumerate() {
            if i % STOP_EVERY == 0 && i > 0 && stop.is_set() {
                stopped_at = Some(line_start.saturating_sub(1));
                break;
            }
            line_start += l.len() + 1;
            let prefix = normalise::message(cut(l, MAX_LINE_BYTES));
            if prefix.len > 0 && prefixes.is_empty() {
                // The lines before this one had nothing before their message.
                prefixes.resize(2 * i, 0);
            }
            if prefix.len > 0 || !prefixes.is_empty() {
                push_number(&mut prefixes, prefix.len);
                push_number(&mut prefixes, prefix.log_start.map_or(0, |s| s + 1));
            }
        }
        // The lines read before the stop, as many as there are numbers.
        if let Some(end) = stopped_at {
            text.truncate(end);
        }
        Self {
            first_line,
            text,
            prefixes,
            document: OnceLock::new(),
        }
    }

    /// Each line as printed, with the length of what stands before its
    /// message and where its syslog-style stamp starts.
    fn lines(&self) -> impl Iterator<Item = (&str, usize, Option<usize>)> {
        let mut numbers = self.prefixes.as_slice();
        lines_of(&self.text).map(move |l| {
            let len = take_number(&mut numbers);
            let log_start = take_number(&mut numbers).checked_sub(1);
            (l, len, log_start)
        })
    }

    /// The messages of every line, one per line.
    fn document(&self) -> &str {
        if self.prefixes.is_empty() {
            return &self.text;
        }
        self.document
            .get_or_init(|| messages(self.lines(), usize::MAX))
    }
}

/// The messages of `lines`, each ending in a line break, until `max` bytes.
fn messages<'a>(
    lines: impl Iterator<Item = (&'a str, usize, Option<usize>)>,
    max: usize,
) -> String {
    let mut m = String::new();
    for (l, prefix, _) in lines {
        if m.len() >= max {
            break;
        }
        m.push_str(l.get(prefix..).unwrap_or(""));
        m.push('\n');
    }
    m
}

/// Appends `n` as LEB128: seven bits a byte, the high bit set on all but
/// the last.
fn push_number(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The next LEB128 number of `from` (0 when it is empty), taken off it.
fn take_number(from: &mut &[u8]) -> usize {
    let mut n = 0;
    let mut shift = 0;
    while let Some((&b, rest)) = from.split_first() {
        *from = rest;
        n |= usize::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 || shift > 28 {
            break;
        }
    }
    n
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
    /// The line from its syslog-style stamp on (time, host, process), for
    /// readers that need the process; the message when there is none.
    pub log_line: &'a str,
}

impl<'a> Line<'a> {
    /// The time of day a log prefix gave the line, in ms since midnight.
    pub fn clock_ms(&self) -> Option<u64> {
        normalise::message(self.printed).clock_ms
    }

    /// The line is a command typed after a shell prompt.
    pub fn prompt(&self) -> bool {
        normalise::message(self.printed).prompt
    }
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
        Self::from_parts_until(
            name,
            head.to_vec(),
            skipped_lines,
            tail.to_vec(),
            Stop::default(),
        )
    }

    /// [`Capture::from_parts`], taking the bytes (let go as soon as they are
    /// read), and read only until `stop` is set: then it holds the lines
    /// read so far, and its [`Capture::lines`] end there too.
    pub fn from_parts_until(
        name: impl Into<String>,
        head: Vec<u8>,
        skipped_lines: u64,
        tail: Vec<u8>,
        stop: Stop,
    ) -> Self {
        // Each part's bytes are let go once they are clean text: at most one
        // part's bytes and the text are held at a time.
        let until = || stop.is_set();
        let head_text = normalise::clean_until(&head, &until);
        drop(head);
        let tail_text =
            (!tail.is_empty() && !stop.is_set()).then(|| normalise::clean_until(&tail, &until));
        drop(tail);
        let head = Part::new(1, head_text, &stop);
        let head_lines = count_newlines(head.text.as_bytes()) as u64;
        let mut parts = vec![head];
        if let Some(text) = tail_text.filter(|_| !stop.is_set()) {
            parts.push(Part::new(head_lines + skipped_lines + 1, text, &stop));
        }
        Self {
            name: name.into(),
            parts,
            skipped_lines,
            stop,
        }
    }

    /// Every kept line, numbered as in the file (until the [`Stop`] is set).
    pub fn lines(&self) -> impl Iterator<Item = Line<'_>> + '_ {
        let stop = &self.stop;
        self.parts
            .iter()
            .flat_map(|p| {
                p.lines()
                    .enumerate()
                    .map(move |(i, (l, prefix, log_start))| {
                        let printed = cut(l, MAX_LINE_BYTES);
                        Line {
                            number: p.first_line + i as u64,
                            text: printed.get(prefix..).unwrap_or(""),
                            printed,
                            log_line: printed.get(log_start.unwrap_or(prefix)..).unwrap_or(""),
                        }
                    })
            })
            .take_while(move |_| !stop.is_set())
    }

    /// The kept text of the beginning of the file, for importers that read a
    /// whole document (XML, JSON) rather than lines.
    pub fn head(&self) -> &str {
        self.parts.first().map_or("", Part::document)
    }

    /// The first `max` bytes of [`Capture::head`] (cut on a character
    /// boundary): where an importer looks to recognise a document before
    /// reading it whole, so text it does not read costs it little.
    pub fn opening(&self, max: usize) -> Cow<'_, str> {
        match self.parts.first() {
            None => Cow::Borrowed(""),
            Some(p) if p.prefixes.is_empty() || p.document.get().is_some() => {
                Cow::Borrowed(cut(p.document(), max))
            }
            // Only the opening's messages, not the whole document's.
            Some(p) => Cow::Owned(cut(&messages(p.lines(), max), max).to_string()),
        }
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

fn count_newlines(b: &[u8]) -> usize {
    b.iter().filter(|c| **c == b'\n').count()
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

/// Text a capture's author put in place of a value (`xxx`, `***`,
/// `[redacted]`, `<your udid>`, `...`, `---`): never read as the value. One
/// test for every importer, so a masked serial and a masked lockdown value
/// are told apart the same way.
pub fn masked(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    l.contains("xxx")
        || l.contains("***")
        || l.contains("redacted")
        || l.contains('<')
        || l == "..."
        || l == "---"
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
    fn prefix_lengths_round_trip_and_messages_follow_them() {
        let mut numbers = Vec::new();
        for n in [0, 1, 127, 128, 300, MAX_LINE_BYTES] {
            push_number(&mut numbers, n);
        }
        let mut from = numbers.as_slice();
        let back: Vec<usize> = (0..7).map(|_| take_number(&mut from)).collect();
        assert_eq!(back, [0, 1, 127, 128, 300, MAX_LINE_BYTES, 0]);
        let c = Capture::new(
            "j",
            b"plain\nDec  5 14:38:24 host usbmuxd[3292]: [3] Removed device 1\n",
        );
        let lines: Vec<(&str, Option<u64>)> = c.lines().map(|l| (l.text, l.clock_ms())).collect();
        assert_eq!(
            lines,
            [("plain", None), ("[3] Removed device 1", Some(52_704_000))]
        );
        assert_eq!(c.opening(8), "plain\n[3");
        assert_eq!(c.head(), "plain\n[3] Removed device 1\n");
    }

    #[test]
    fn a_stop_set_before_reading_reads_nothing_past_it() {
        let stop = Stop::default();
        stop.set();
        let text = "line\n".repeat(10 * STOP_EVERY);
        let c = Capture::from_parts_until("s", text.into_bytes(), 0, Vec::new(), stop);
        assert_eq!(c.lines().count(), 0);
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
