//! A backup's metadata as people paste it (Status.plist as XML, base64 or
//! JSON, a folder listing, MBStatus), then the backup rules: no panic.
#![no_main]

use iphone_backup_check::import::{Capture, IMPORTERS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let capture = Capture::new("fuzz.txt", data);
    for importer in IMPORTERS.iter().filter(|i| i.name == "backup-metadata") {
        if let Some(snapshot) = (importer.import)(&capture) {
            let _ = iphone_backup_check::rules::diagnose(&snapshot, None);
        }
    }
});
