//! Text from outside (device names, quoted log lines, paths, messages other
//! tools printed) made inert before a shared report shows it: control and
//! direction-changing characters become visible escapes, and what HTML or
//! Markdown would read as markup is escaped, so a phone named
//! `<script>` or `**@everyone**` prints as those characters.

/// One line with every control character (C0, DEL, C1) and every Unicode
/// direction override or isolate shown as a visible `\u{..}` escape; a tab
/// becomes a space. A newline is a control character here too: each piece
/// of outside text stays on the line the report puts it on.
pub fn inert(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push(' '),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// The characters that reorder text around them (Trojan Source, CVE-2021-42574).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Outside text for HTML element content and double- or single-quoted
/// attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in inert(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

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

/// The same for HTML: backtick spans become `<code>`.
pub fn html_text(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len() % 2 == 0 {
        return html(s);
    }
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 && !part.is_empty() {
            out.push_str(&format!("<code>{}</code>", html(part)));
        } else {
            out.push_str(&html(part));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_direction_characters_become_visible() {
        assert_eq!(inert("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(inert("line\nnext\r"), "line\\u{a}next\\u{d}");
        assert_eq!(inert("abc\u{202e}def"), "abc\\u{202e}def");
        assert_eq!(inert("tab\there"), "tab here");
        assert_eq!(inert("Alice’s iPhone"), "Alice’s iPhone");
    }

    #[test]
    fn html_markup_prints_as_text() {
        assert_eq!(
            html("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(html("a\u{0}b"), "a\\u{0}b");
    }

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
    fn backtick_spans_become_code_and_the_rest_is_escaped() {
        assert_eq!(
            markdown_text("run `tmutil list /` on *this* Mac"),
            "run `tmutil list /` on \\*this\\* Mac"
        );
        assert_eq!(markdown_text("odd ` tick"), "odd \\` tick");
        assert_eq!(html_text("run `a<b` now"), "run <code>a&lt;b</code> now");
    }
}
