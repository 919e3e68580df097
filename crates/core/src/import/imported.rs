//! The snapshot every importer starts from: nothing was probed, so every
//! layer says it is not in the imported evidence until the importer fills
//! the parts its file shows. One place, so an imported snapshot reads the
//! same whichever tool's output it came from.

use super::UNNAMED_PHONE;
use crate::snapshot::{DeviceObs, Outcome, Provenance, ProvenanceKind, Snapshot};

/// Why a layer has no observation in an imported snapshot.
pub const NOT_IMPORTED: &str = "not in the imported evidence";

/// An imported snapshot of `what` (`"lsusb output"`) read from `file`.
pub fn imported(what: &str, file: &str, notes: Option<String>) -> Snapshot {
    let mut s = Snapshot::new(Provenance {
        kind: ProvenanceKind::Imported,
        source: Some(format!("{what}: {file}")),
        notes,
        redacted: false,
    });
    s.probes.usb = Outcome::skipped(NOT_IMPORTED);
    s.probes.usbmuxd = Outcome::skipped(NOT_IMPORTED);
    s.probes.host = Outcome::skipped(NOT_IMPORTED);
    s.probes.backups = Outcome::skipped(NOT_IMPORTED);
    s.probes.mux_events = Outcome::skipped(NOT_IMPORTED);
    s
}

/// A phone the capture describes, every per-phone layer not seen yet; named
/// [`UNNAMED_PHONE`] until the importer (or a merge) knows its UDID.
pub fn phone() -> DeviceObs {
    DeviceObs {
        udid: UNNAMED_PHONE.into(),
        pairing: Outcome::skipped(NOT_IMPORTED),
        lockdown: Outcome::skipped(NOT_IMPORTED),
        backup_service: Outcome::skipped(NOT_IMPORTED),
        presence: Outcome::skipped(NOT_IMPORTED),
        ..Default::default()
    }
}
