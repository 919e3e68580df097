//! What the error-reading importers share: a snapshot that holds only what
//! a capture showed (every probe `Skipped`), and the list of errors one tool
//! printed, with repeats folded and a cap on how many are kept.

use super::{Capture, Line};
use crate::snapshot::{Quote, ReportedError};

/// Where an importer looks for the name of the tool that printed a capture.
pub const TOOL_NAME_WINDOW: usize = 1 << 20;
/// Where a whole document (plist, JSON) must begin to be recognised.
pub const DOCUMENT_WINDOW: usize = 64 * 1024;
/// At most this many lines of a capture are read by an error importer.
pub const MAX_LINES: usize = 50_000;
/// At most this many distinct errors are kept per capture and tool.
const MAX_ERRORS: usize = 16;
/// Messages are cut here: no phrase the knowledge matches is longer.
const MAX_MESSAGE_CHARS: usize = 600;

/// The errors one tool printed in one capture.
pub struct Errors<'c> {
    capture: &'c Capture,
    pub tool: String,
    pub list: Vec<ReportedError>,
}

impl<'c> Errors<'c> {
    pub fn new(capture: &'c Capture, tool: impl Into<String>) -> Self {
        Self {
            capture,
            tool: tool.into(),
            list: Vec::new(),
        }
    }

    /// A line of the capture as evidence, for facts besides errors.
    pub fn quote(&self, line: Line<'_>) -> Quote {
        self.capture.quote(line)
    }

    /// Records an error; a message already recorded is not repeated.
    pub fn push(&mut self, line: Line<'_>, domain: Option<&str>, code: Option<i64>, message: &str) {
        let message: String = message.trim().chars().take(MAX_MESSAGE_CHARS).collect();
        let seen = self
            .list
            .iter()
            .any(|e| e.message == message && e.code == code && e.overcome.is_none());
        if seen || self.list.len() >= MAX_ERRORS || message.is_empty() {
            return;
        }
        self.list.push(ReportedError {
            tool: self.tool.clone(),
            domain: domain.map(String::from),
            code,
            message,
            udid: udid_in(line.text),
            quote: self.capture.quote(line),
            overcome: None,
        });
    }

    /// No more errors are kept: an importer may stop looking.
    pub fn is_full(&self) -> bool {
        self.list.len() >= MAX_ERRORS
    }

    /// Whether this message is already recorded (cut as `push` cuts it).
    pub fn has_message(&self, message: &str) -> bool {
        let message: String = message.trim().chars().take(MAX_MESSAGE_CHARS).collect();
        self.list.iter().any(|e| e.message == message)
    }

    /// Whether an error with this code in this domain is already recorded.
    pub fn has_code(&self, domain: &str, code: i64) -> bool {
        self.list
            .iter()
            .any(|e| e.code == Some(code) && e.domain.as_deref() == Some(domain))
    }

    /// The tool said it succeeded: what it reported before is history (a
    /// retry that worked, a backup that went on past a file error).
    pub fn succeeded(&mut self, line: Line<'_>) {
        let quote = self.capture.quote(line);
        for e in self.list.iter_mut() {
            e.overcome.get_or_insert_with(|| quote.clone());
        }
    }
}

/// The first UDID in `text`: 40 hex digits, or the newer 8-dash-16 form,
/// standing as a word of its own.
pub fn udid_in(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .map(|w| w.trim_matches('-'))
        .find(|w| {
            let hex = |s: &str| s.chars().all(|c| c.is_ascii_hexdigit());
            match w.split_once('-') {
                None => w.len() == 40 && hex(w),
                Some((a, b)) => a.len() == 8 && b.len() == 16 && hex(a) && hex(b),
            }
        })
        .map(String::from)
}

/// The line without a leading list marker or quote sign a paste may add
/// (`- `, `> `, `$ `), trimmed.
pub fn plain(text: &str) -> &str {
    let t = text.trim();
    for p in ["- ", "> ", "* "] {
        if let Some(rest) = t.strip_prefix(p) {
            return rest.trim_start();
        }
    }
    t
}

/// The signed decimal number at the start of `s` (after spaces and an
/// opening parenthesis), when there is one that fits.
pub fn leading_number(s: &str) -> Option<i64> {
    let s = s.trim_start_matches([' ', '(', ':', '=']);
    let end = s
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
        .map_or(s.len(), |(i, _)| i);
    let digits = s.get(..end)?;
    if digits.len() > 12 {
        return None;
    }
    digits.parse().ok()
}

/// The number after the first occurrence of `marker` in `text`.
pub fn number_after(text: &str, marker: &str) -> Option<i64> {
    let at = text.find(marker)?;
    leading_number(text.get(at + marker.len()..)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_where_they_are_and_never_overflow() {
        assert_eq!(number_after("error code -1", "error code "), Some(-1));
        assert_eq!(
            number_after("mobilebackup2 (-4)", "mobilebackup2 "),
            Some(-4)
        );
        assert_eq!(number_after("ErrorCode 105: x", "ErrorCode "), Some(105));
        assert_eq!(
            number_after("ErrorCode 99999999999999999999", "ErrorCode "),
            None
        );
        assert_eq!(number_after("ErrorCode -", "ErrorCode "), None);
        assert_eq!(number_after("nothing", "ErrorCode "), None);
        assert_eq!(plain("- ERROR: x"), "ERROR: x");
        let old = "f6fdb4ba8b7ada76336c5cbf680a357c147cb36a";
        assert_eq!(
            udid_in(&format!("device {old}, then")).as_deref(),
            Some(old)
        );
        assert_eq!(
            udid_in("00008101-000A12345678901E.").as_deref(),
            Some("00008101-000A12345678901E")
        );
        assert_eq!(udid_in("error code -21"), None);
    }

    #[test]
    fn repeats_fold_and_a_success_overcomes_what_came_before() {
        let c = Capture::new("t", b"a\nb\nc\n");
        let lines: Vec<Line> = c.lines().collect();
        let mut e = Errors::new(&c, "tool");
        e.push(lines[0], None, None, "boom");
        e.push(lines[1], None, None, "boom");
        assert_eq!(e.list.len(), 1);
        e.succeeded(lines[1]);
        e.push(lines[2], None, None, "bang");
        assert_eq!(e.list[0].overcome.as_ref().map(|q| q.line), Some(2));
        assert!(e.list[1].overcome.is_none());
    }
}
