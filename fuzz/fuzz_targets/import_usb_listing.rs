//! USB listings (`lsusb`, `lsusb -v`, `system_profiler SPUSBDataType`, `ioreg`) given to `diagnose --from`: the
//! importers of that family alone, then the rules, on arbitrary bytes, whole
//! or as a kept beginning and end of a huge file; nothing may panic.
#![no_main]

#[path = "../common/import_family.rs"]
mod import_family;

use libfuzzer_sys::fuzz_target;

const FAMILY: &[&str] = &["lsusb", "system-profiler", "ioreg"];

fuzz_target!(|data: &[u8]| import_family::run(data, FAMILY));
