//! `explain TOPIC`: the knowledge-base lookup and the whole command, text and
//! JSON, on any string.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let topic = String::from_utf8_lossy(data);
    let _ = iphone_backup_check::knowledge::lookup(&topic);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let _ = iphone_backup_check::commands::explain::run(&topic, false, &mut out, &mut err);
    let _ = iphone_backup_check::commands::explain::run(&topic, true, &mut out, &mut err);
});
