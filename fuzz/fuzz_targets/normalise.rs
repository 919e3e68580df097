//! The normaliser every paste goes through: on arbitrary bytes it never
//! panics, keeps one line per line break (so quoted line numbers stay
//! true), leaves no control code in the text, and a message is always a
//! tail of its line.
#![no_main]

use iphone_backup_check::import::normalise::{clean, message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = clean(data);
    assert!(!text
        .chars()
        .any(|c| (c < ' ' && c != '\n' && c != '\t') || c == '\u{1b}' || c == '\u{7f}'));
    for line in text.split('\n') {
        let p = message(line);
        assert!(p.len <= line.len() && line.is_char_boundary(p.len));
        if let Some(start) = p.log_start {
            assert!(start <= p.len);
        }
    }
});
