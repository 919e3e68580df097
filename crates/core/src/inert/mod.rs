//! Text from outside (a phone, a daemon, a backup folder, a paste) is data,
//! never terminal commands. A device name, a UDID, an iOS version, a path, a
//! quoted log line or an error message may carry control characters (ESC
//! sequences that set the title or clear the screen, BEL, backspace, CR,
//! bidirectional overrides); what a person reads shows them as visible
//! escapes instead.
//!
//! Two layers, one mapping ([`inert`]):
//! - [`Outside`] wraps a piece of outside text where a renderer prints it, so
//!   the report's layout holds (a newline in a quoted message stays on its line);
//! - [`InertWriter`] is the stream every report reaches stdout and stderr
//!   through (the CLI wraps them before any command runs), so a renderer that
//!   forgets [`Outside`] still cannot hand a terminal a command: only the
//!   report's own colour codes pass it.
//!
//! `--json` needs neither: JSON escapes C0 controls itself, and the writer
//! turns the rest (C1, bidi) into the `\uXXXX` escapes JSON reads back as the
//! same text.

mod writer;

use std::borrow::Cow;
use std::fmt;

pub use writer::InertWriter;

/// Whether a terminal (or a bidi-aware viewer) would act on `c` rather than
/// show it: C0 controls, DEL, C1 controls (U+0080–U+009F), the bidirectional
/// marks, embeddings, overrides and isolates, and the line and paragraph
/// separators.
pub fn is_control(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// `text` with every control character (see [`is_control`]) replaced by a
/// visible escape: `\n`, `\r`, `\t`, else `\uXXXX` (the form JSON and most
/// languages read). Text without any comes back borrowed.
pub fn inert(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        push_char(&mut out, c);
    }
    Cow::Owned(out)
}

/// One character as [`inert`] shows it.
pub(crate) fn push_char(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_control(c) => {
            use std::fmt::Write as _;
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => out.push(c),
    }
}

/// Text that came from outside, shown inert: `format!("{}", Outside(name))`.
/// Width and alignment (`{:<9}`) apply to the escaped text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outside<'a>(pub &'a str);

impl fmt::Display for Outside<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&inert(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_untouched() {
        for s in [
            "Anna’s iPhone",
            "00008030-001A2D3C0E41802E",
            "18.1",
            "C:\\Users\\a b",
            "",
        ] {
            assert!(matches!(inert(s), Cow::Borrowed(t) if t == s));
        }
    }

    #[test]
    fn title_and_clear_screen_become_visible() {
        let hostile = "Phone\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{1b}[31mred";
        let shown = inert(hostile);
        assert_eq!(shown, "Phone\\u001b]0;PWNED\\u0007\\u001b[2J\\u001b[31mred");
        assert!(!shown.chars().any(is_control));
    }

    #[test]
    fn every_family_of_control_is_escaped() {
        // C0, DEL, C1 (8-bit CSI and OSC), backspace, CR, bidi override and
        // isolate, the line separator.
        let cases = [
            ("a\u{8}b", "a\\u0008b"),
            ("a\rb", "a\\rb"),
            ("a\nb", "a\\nb"),
            ("a\tb", "a\\tb"),
            ("a\u{7f}b", "a\\u007fb"),
            ("a\u{9b}2Jb", "a\\u009b2Jb"),
            ("a\u{9d}0;x\u{9c}", "a\\u009d0;x\\u009c"),
            ("user\u{202e}gpj.exe", "user\\u202egpj.exe"),
            ("a\u{2067}b\u{2069}", "a\\u2067b\\u2069"),
            ("a\u{2028}b", "a\\u2028b"),
            ("a\u{61c}b\u{200f}", "a\\u061cb\\u200f"),
        ];
        for (raw, want) in cases {
            assert_eq!(inert(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn outside_pads_the_escaped_text() {
        assert_eq!(format!("[{:<6}]", Outside("a\u{7}")), "[a\\u0007]");
        assert_eq!(format!("[{:<4}]", Outside("ab")), "[ab  ]");
    }

    #[test]
    fn no_control_survives_any_char() {
        // Every scalar value in the ranges that matter, one by one.
        for c in (0u32..0x3000).filter_map(char::from_u32) {
            let s = format!("x{c}y");
            let shown = inert(&s);
            assert!(!shown.chars().any(is_control), "{c:?} survived");
        }
    }
}
