//! Rules about pairing: whether the phone trusts this computer.

pub mod denied;
pub mod dialog_pending;
pub mod not_paired;
pub mod reset_on_device;
pub mod session_failed;

use crate::snapshot::OsFamily;

/// The command that removes this phone's stale record on the host OS, for a
/// step specific to the finding (the rule's own steps stay generic).
pub(crate) fn remove_record_step(os: OsFamily, udid: &str) -> Option<String> {
    match os {
        OsFamily::Linux => Some(format!(
            "Remove the stale record: sudo rm /var/lib/lockdown/{udid}.plist"
        )),
        OsFamily::Macos => Some(format!(
            "Remove the stale record: sudo rm /var/db/lockdown/{udid}.plist"
        )),
        OsFamily::Windows => Some(format!(
            "Close iTunes and Apple Devices, then delete %ProgramData%\\Apple\\Lockdown\\{udid}.plist"
        )),
        OsFamily::Other => None,
    }
}
