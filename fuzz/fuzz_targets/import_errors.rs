//! The importers that read other tools' errors (idevicebackup2, lockdownd
//! clients, Python tracebacks, usbmuxd clients, Finder / iTunes alerts), one
//! at a time, then the rules on what each read: arbitrary bytes, no panic.
#![no_main]

use iphone_backup_check::import::{Capture, IMPORTERS};
use libfuzzer_sys::fuzz_target;

const FAMILY: &[&str] = &[
    "idevicebackup2",
    "lockdown-errors",
    "python-tracebacks",
    "usbmux-clients",
    "finder-dialogs",
];

fuzz_target!(|data: &[u8]| {
    let (head, tail) = data.split_at(data.len() / 2);
    let captures = [
        Capture::new("fuzz.txt", data),
        Capture::from_parts("fuzz.txt", head, 7, tail),
    ];
    for importer in IMPORTERS.iter().filter(|i| FAMILY.contains(&i.name)) {
        for capture in &captures {
            if let Some(snapshot) = (importer.import)(capture) {
                let _ = iphone_backup_check::rules::diagnose(&snapshot, None);
            }
        }
    }
});
