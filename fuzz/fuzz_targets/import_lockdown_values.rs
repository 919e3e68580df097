//! Lockdown values as `ideviceinfo -x` XML (whole or an excerpt),
//! pymobiledevice3 JSON or an NSDictionary, then the rules: no panic.
#![no_main]

use iphone_backup_check::import::{Capture, IMPORTERS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let capture = Capture::new("fuzz.txt", data);
    for importer in IMPORTERS.iter().filter(|i| i.name == "lockdown-values") {
        if let Some(snapshot) = (importer.import)(&capture) {
            let _ = iphone_backup_check::rules::diagnose(&snapshot, None);
        }
    }
});
