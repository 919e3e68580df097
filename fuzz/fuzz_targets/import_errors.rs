//! The importers that read other tools' errors (idevicebackup2, lockdownd
//! clients, Python tracebacks, usbmuxd clients, Finder / iTunes alerts), one
//! at a time, then the rules on what each read: arbitrary bytes, no panic.
#![no_main]

#[path = "../common/import_family.rs"]
mod import_family;

use libfuzzer_sys::fuzz_target;

const FAMILY: &[&str] = &[
    "idevicebackup2",
    "lockdown-errors",
    "python-tracebacks",
    "usbmux-clients",
    "finder-dialogs",
];

fuzz_target!(|data: &[u8]| import_family::run(data, FAMILY));
