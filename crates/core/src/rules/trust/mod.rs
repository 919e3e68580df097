//! Rules about pairing: whether the phone trusts this computer.

pub mod denied;
pub mod dialog_pending;
pub mod not_paired;
pub mod reset_on_device;
pub mod session_failed;

use crate::snapshot::OsFamily;

/// The step that sets this phone's pair record aside on the host OS: the
/// last resort after the safer trust steps (`Finding::last_resort_step`).
/// It renames rather than deletes, uses `idevicepair` where it exists, and
/// says what the file holds and how to undo it. `lead` says when to take it.
pub(crate) fn set_record_aside_step(os: OsFamily, udid: &str, lead: &str) -> Option<String> {
    const WHAT_IT_HOLDS: &str = "The record holds only this computer's pairing keys for the phone, no data and no backup; trusting again makes a new one, and renaming the .old file back undoes this step.";
    let how = match os {
        OsFamily::Linux => format!(
            "set this computer's record for it aside with `idevicepair -u {udid} unpair`, or if that fails, `sudo mv /var/lib/lockdown/{udid}.plist /var/lib/lockdown/{udid}.plist.old`; then reconnect the unlocked iPhone and tap Trust."
        ),
        OsFamily::Macos => format!(
            "set this Mac's record for it aside: `sudo mv /var/db/lockdown/{udid}.plist /var/db/lockdown/{udid}.plist.old`, then reconnect the unlocked iPhone and tap Trust."
        ),
        OsFamily::Windows => format!(
            "close iTunes and Apple Devices, rename %ProgramData%\\Apple\\Lockdown\\{udid}.plist to {udid}.plist.old, then reconnect the unlocked iPhone and tap Trust."
        ),
        OsFamily::Other => return None,
    };
    Some(format!("{lead}: {how} {WHAT_IT_HOLDS}"))
}
