//! Evidence people already have, turned into the same Snapshot the probes
//! fill, so the rules never know where it came from. Each importer is a
//! small pure parser that recognises its source by content and reads a
//! [`Capture`]; every importer that recognises a file contributes, and the
//! files given to `--from` are merged into one snapshot ([`merge()`]).
//!
//! An importer reads what is there and invents nothing: a capture cut off
//! mid-line or with values masked by its author is read as far as it goes.
//! What it quotes as evidence carries the file and line
//! ([`Capture::quote`]).

mod backup_metadata;
mod capture;
mod finder_dialogs;
mod idevicebackup2;
mod ideviceinfo;
mod imported;
mod ioreg;
mod kernel_log;
mod lockdown_errors;
mod lockdown_values;
mod log_line;
mod lsusb;
mod merge;
pub mod normalise;
mod phone_log;
mod python_tracebacks;
mod system_profiler;
mod tool_errors;
mod usb_ids;
mod usbmux_clients;
mod usbmuxd_log;

pub use capture::{Capture, Line, Stop, MAX_LINE_BYTES};
pub use merge::merge;

use crate::snapshot::Snapshot;

/// The UDID of a phone a capture describes without naming it (masked by its
/// author, or never printed).
pub const UNNAMED_PHONE: &str = "the phone in the capture";

/// One kind of evidence `--from` reads.
pub struct Importer {
    /// Short name, for provenance and tests.
    pub name: &'static str,
    /// What it reads, as the exit-3 message lists it.
    pub reads: &'static str,
    /// The snapshot parts it recognised in the capture, or `None`.
    pub import: fn(&Capture) -> Option<Snapshot>,
}

/// Every importer, in the order their parts are merged.
pub const IMPORTERS: &[Importer] = &[
    Importer {
        name: "ideviceinfo",
        reads: "`ideviceinfo` output",
        import: ideviceinfo::import,
    },
    Importer {
        name: "phone-log",
        reads: "an `idevicesyslog` capture of the backup agent",
        import: phone_log::import,
    },
    Importer {
        name: "lockdown-values",
        reads: "`ideviceinfo -x` XML, `pymobiledevice3 lockdown info` JSON, lockdown values as an NSDictionary",
        import: lockdown_values::import,
    },
    Importer {
        name: "idevicebackup2",
        reads: "`idevicebackup2` output",
        import: idevicebackup2::import,
    },
    Importer {
        name: "lockdown-errors",
        reads: "`idevicepair`/`ideviceinfo`/`ifuse` errors",
        import: lockdown_errors::import,
    },
    Importer {
        name: "python-tracebacks",
        reads: "pymobiledevice3 and tidevice errors",
        import: python_tracebacks::import,
    },
    Importer {
        name: "usbmux-clients",
        reads: "usbmuxd connection errors of its clients",
        import: usbmux_clients::import,
    },
    Importer {
        name: "backup-metadata",
        reads: "a backup's Status.plist, Info.plist, Manifest.plist, folder listing or MBStatus",
        import: backup_metadata::import,
    },
    Importer {
        name: "finder-dialogs",
        reads: "Finder / iTunes alerts",
        import: finder_dialogs::import,
    },
    Importer {
        name: "lsusb",
        reads: "`lsusb` (also `-v`)",
        import: lsusb::import,
    },
    Importer {
        name: "system-profiler",
        reads: "`system_profiler SPUSBDataType`",
        import: system_profiler::import,
    },
    Importer {
        name: "ioreg",
        reads: "`ioreg` USB entries",
        import: ioreg::import,
    },
    Importer {
        name: "kernel-log",
        reads: "`dmesg` / `journalctl -k`",
        import: kernel_log::import,
    },
    Importer {
        name: "usbmuxd-log",
        reads: "a usbmuxd log",
        import: usbmuxd_log::import,
    },
];

/// What `--from` reads, for the error a person sees when nothing in a file
/// is recognised.
pub fn readable() -> String {
    let mut what = vec!["a snapshot written by `iphone-backup-check record`"];
    what.extend(IMPORTERS.iter().map(|i| i.reads));
    what.join(", ")
}

/// What every importer that recognises `capture` read in it, merged; `None`
/// when none does.
pub fn import(capture: &Capture) -> Option<Snapshot> {
    merge(
        IMPORTERS
            .iter()
            .filter_map(|i| (i.import)(capture))
            .collect(),
    )
}
