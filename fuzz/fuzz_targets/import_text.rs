//! Text pasted into `diagnose --from`: every importer, then the rules, on
//! arbitrary bytes; nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(snapshot) = iphone_backup_check::import::import(&text, "fuzz.txt") {
        let _ = iphone_backup_check::rules::diagnose(&snapshot, None);
    }
});
