//! `explain TOPIC`: the knowledge-base lookup and the whole command, text and
//! JSON, on any string.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let topic = String::from_utf8_lossy(data);
    let _ = iphone_backup_check::knowledge::lookup(&topic);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    use iphone_backup_check::commands::explain::{run, Format};
    for format in [
        Format::Terminal { width: 80 },
        Format::Json,
        Format::Markdown,
    ] {
        let _ = run(&topic, format, &mut out, &mut err);
    }
});
