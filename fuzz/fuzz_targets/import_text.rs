//! Text pasted into `diagnose --from`: every importer, then the rules, on
//! arbitrary bytes; nothing may panic.
#![no_main]

use iphone_backup_check::import::{import, Capture};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(snapshot) = import(&Capture::new("fuzz.txt", data)) {
        let _ = iphone_backup_check::rules::diagnose(&snapshot, None);
    }
});
