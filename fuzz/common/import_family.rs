//! What every per-family import target does, in one place: arbitrary bytes
//! as a `--from` file (whole, or, when the first byte is odd, as a kept
//! beginning and end with lines skipped between), through the importers of
//! one family alone, then every rule on what they read. Nothing may panic.

use iphone_backup_check::import::{Capture, IMPORTERS};

pub fn run(data: &[u8], family: &[&str]) {
    let capture = match data.split_first() {
        Some((&cut, rest)) if cut & 1 == 1 => {
            let at = usize::from(cut).min(rest.len());
            let (head, tail) = rest.split_at(at);
            Capture::from_parts("fuzz.log", head, u64::from(cut), tail)
        }
        _ => Capture::new("fuzz.log", data),
    };
    for importer in IMPORTERS.iter().filter(|i| family.contains(&i.name)) {
        if let Some(snapshot) = (importer.import)(&capture) {
            let _ = iphone_backup_check::rules::diagnose(&snapshot, None);
        }
    }
}
