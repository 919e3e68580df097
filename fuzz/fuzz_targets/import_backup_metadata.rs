//! A backup's metadata as people paste it (Status.plist as XML, base64 or
//! JSON, a folder listing, MBStatus), then the backup rules: no panic.
#![no_main]

#[path = "../common/import_family.rs"]
mod import_family;

use libfuzzer_sys::fuzz_target;

const FAMILY: &[&str] = &["backup-metadata"];

fuzz_target!(|data: &[u8]| import_family::run(data, FAMILY));
