//! HTML's own syntax escaped in outside text (device names, quoted log
//! lines, paths, messages other tools printed), so a phone named
//! `<script>` prints as those characters. Control characters are made inert
//! first, by the one function that does it everywhere ([`inert`]).

use crate::inert::inert;

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

/// Text of this tool's own that marks commands and paths with backticks
/// and may carry outside text: the backtick spans become `<code>`, the rest
/// is escaped as [`html`].
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
    fn html_markup_prints_as_text() {
        assert_eq!(
            html("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn control_characters_are_shown_as_crate_inert_shows_them() {
        assert_eq!(html("a\u{0}b"), "a\\u0000b");
        assert_eq!(html("a\u{1b}]0;x\u{7}"), "a\\u001b]0;x\\u0007");
        assert_eq!(html("line\nnext"), "line\\nnext");
    }

    #[test]
    fn backtick_spans_become_code() {
        assert_eq!(html_text("run `a<b` now"), "run <code>a&lt;b</code> now");
    }
}
