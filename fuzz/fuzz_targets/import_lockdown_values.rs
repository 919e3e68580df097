//! Lockdown values as `ideviceinfo -x` XML (whole or an excerpt),
//! pymobiledevice3 JSON or an NSDictionary, then the rules: no panic.
#![no_main]

#[path = "../common/import_family.rs"]
mod import_family;

use libfuzzer_sys::fuzz_target;

const FAMILY: &[&str] = &["lockdown-values"];

fuzz_target!(|data: &[u8]| import_family::run(data, FAMILY));
