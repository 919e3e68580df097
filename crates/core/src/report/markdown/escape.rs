//! Markdown's own syntax escaped in outside text (device names, quoted log
//! lines, paths, messages other tools printed), so a phone named
//! `**@everyone**` prints as those characters. Control characters are made
//! inert first, by the one function that does it everywhere ([`inert`]).

use crate::inert::inert;

/// Outside text for a line of Markdown (a paragraph, a list item or a table
/// cell): every character CommonMark or GitHub give a meaning to inside a
/// line is backslash-escaped, so it renders as itself, and so is a leading
/// one that would start a list, a heading or a quote. `@`, `#` and `$` are
/// escaped too: on GitHub they would mention a person, link an issue or
/// start a formula. Characters that mean something only after an escaped
/// one (`(` after `]`, `!` before `[`) are left as they are.
pub fn markdown(s: &str) -> String {
    let s = inert(s);
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for (i, c) in s.chars().enumerate() {
        let special = matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '@' | '&' | '$'
        );
        let leading = i == 0 && matches!(c, '-' | '+' | '=');
        if special || leading {
            out.push('\\');
        }
        out.push(c);
    }
    // "1. x" or "1) x" at the start would begin a numbered list.
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && (out[digits..].starts_with('.') || out[digits..].starts_with(')')) {
        out.insert(digits, '\\');
    }
    out
}

/// Text of this tool's own that marks commands and paths with backticks
/// (`` `tmutil listlocalsnapshots /` ``) and may carry outside text: the
/// backtick spans become Markdown code spans, the rest is escaped as
/// [`markdown`]. Unbalanced backticks are escaped like any other text.
pub fn markdown_text(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len() % 2 == 0 {
        return markdown(s);
    }
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 && !part.is_empty() {
            // Nothing is interpreted in a code span, and it holds no backtick.
            out.push_str(&format!("`{}`", inert(part)));
        } else {
            out.push_str(&markdown(part));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_markup_prints_as_text() {
        assert_eq!(
            markdown("**@everyone** | #12"),
            "\\*\\*\\@everyone\\*\\* \\| \\#12"
        );
        assert_eq!(markdown("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(markdown("[a](javascript:x)"), "\\[a\\](javascript:x)");
        assert_eq!(markdown("a - b: 3.1 GB"), "a - b: 3.1 GB");
        assert_eq!(markdown("- item"), "\\- item");
        assert_eq!(markdown("12. not a list"), "12\\. not a list");
    }

    #[test]
    fn control_characters_are_shown_as_crate_inert_shows_them() {
        // The escape's backslash is Markdown's to escape in turn.
        assert_eq!(markdown("a\u{1b}[31mb"), "a\\\\u001b\\[31mb");
        assert_eq!(markdown("user\u{202e}gpj"), "user\\\\u202egpj");
        assert_eq!(markdown_text("`a\u{7}b`"), "`a\\u0007b`");
    }

    #[test]
    fn backtick_spans_become_code_and_the_rest_is_escaped() {
        assert_eq!(
            markdown_text("run `tmutil list /` on *this* Mac"),
            "run `tmutil list /` on \\*this\\* Mac"
        );
        assert_eq!(markdown_text("odd ` tick"), "odd \\` tick");
    }
}
