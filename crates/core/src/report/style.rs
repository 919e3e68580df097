//! Colour and glyphs. Meaning never depends on colour: every severity has its
//! own glyph and word, and colour only repeats them.

use anstyle::{AnsiColor, Style};

use crate::rules::Severity;

pub const BOLD: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();
pub const RED: Style = Style::new()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)))
    .bold();
pub const YELLOW: Style = Style::new()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)))
    .bold();
pub const BLUE: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Blue)));
pub const GREEN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));

pub fn glyph(s: Severity) -> &'static str {
    match s {
        Severity::Blocker => "✗",
        Severity::Warning => "!",
        Severity::Info => "i",
    }
}

pub fn word(s: Severity) -> &'static str {
    match s {
        Severity::Blocker => "BLOCKER",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
    }
}

pub fn color(s: Severity) -> Style {
    match s {
        Severity::Blocker => RED,
        Severity::Warning => YELLOW,
        Severity::Info => BLUE,
    }
}

/// `text` wrapped in `style`'s escape codes; the stream strips them when
/// colour is off.
pub fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// `text` with the escape codes [`paint`] adds removed: what a reader sees,
/// for tests that measure lines.
#[cfg(test)]
pub fn unpainted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters, ended by a letter.
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
