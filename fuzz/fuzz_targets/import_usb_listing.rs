//! USB listings (`lsusb`, `lsusb -v`, `system_profiler SPUSBDataType`, `ioreg`) given to `diagnose --from`: the
//! importers of that family alone, then the rules, on arbitrary bytes, whole
//! or as a kept beginning and end of a huge file; nothing may panic.
#![no_main]

use iphone_backup_check::import::{Capture, IMPORTERS};
use libfuzzer_sys::fuzz_target;

const FAMILY: &[&str] = &["lsusb", "system-profiler", "ioreg"];

fuzz_target!(|data: &[u8]| {
    let capture = match data.split_first() {
        Some((&cut, rest)) if cut & 1 == 1 => {
            let at = usize::from(cut).min(rest.len());
            let (head, tail) = rest.split_at(at);
            Capture::from_parts("fuzz.log", head, u64::from(cut), tail)
        }
        _ => Capture::new("fuzz.log", data),
    };
    for importer in IMPORTERS.iter().filter(|i| FAMILY.contains(&i.name)) {
        if let Some(snapshot) = (importer.import)(&capture) {
            let _ = iphone_backup_check::rules::diagnose(&snapshot, None);
        }
    }
});
