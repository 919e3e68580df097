//! The names people know a phone and a backup program by: "Alice's iPhone
//! (iPhone 14 Pro, iOS 18.1)" rather than a UDID and `iPhone15,2`, and
//! Finder, iTunes or the Apple Devices app rather than "the host".

use crate::knowledge::models;
use crate::snapshot::{udid_key, AppleProduct, OsFamily, Snapshot};

/// The phone's model as Apple sells it ("iPhone 14 Pro"), else its
/// product type as the phone gave it.
pub fn model(product_type: &str) -> String {
    models::model(product_type)
        .map(|m| m.name.to_string())
        .unwrap_or_else(|| product_type.to_string())
}

/// "Alice's iPhone (iPhone 14 Pro, iOS 18.1)": the phone's own name (from
/// lockdownd, else its last backup), its model and iOS; the UDID when
/// nothing names it.
pub fn phone(s: &Snapshot, udid: &str) -> String {
    let lockdown = s.device(udid).and_then(|d| d.lockdown());
    let backup = s
        .backups()
        .and_then(|b| b.backups.iter().find(|b| b.is_of(udid)));
    let name = lockdown
        .and_then(|l| l.device_name.as_deref())
        .or_else(|| backup.and_then(|b| b.info.device_name.as_deref()));
    let kind = lockdown
        .and_then(|l| l.product_type.as_deref())
        .or_else(|| backup.and_then(|b| b.info.product_type.as_deref()))
        .map(model);
    let ios = lockdown
        .and_then(|l| l.product_version.as_deref())
        .or_else(|| backup.and_then(|b| b.info.product_version.as_deref()));
    let details: Vec<String> = kind
        .into_iter()
        .chain(ios.map(|v| format!("iOS {v}")))
        .collect();
    let name = name.unwrap_or(udid);
    if details.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({})", details.join(", "))
    }
}

/// The phones a report is about: those usbmuxd listed (or the one asked
/// for), else those the per-phone probes looked at, once each.
pub fn phones(s: &Snapshot) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // Seen by their comparable form, so thousands of phones are not each
    // compared with every other (issue 30).
    let mut seen = std::collections::HashSet::new();
    let listed = s
        .phones()
        .into_iter()
        .map(str::to_string)
        .chain(s.probes.devices.iter().map(|d| d.udid.clone()));
    for u in listed {
        // An empty UDID is the same as no other (`snapshot::same_udid`).
        if u.is_empty() || seen.insert(udid_key(&u)) {
            out.push(u);
        }
    }
    out
}

/// What backs the phone up on this computer: Finder on a Mac, iTunes or
/// the Apple Devices app on Windows (the one installed, when known),
/// idevicebackup2 on Linux.
pub fn backup_program(s: &Snapshot) -> &'static str {
    match s.os_family() {
        OsFamily::Macos => "Finder",
        OsFamily::Windows => {
            let installed = |p: AppleProduct| {
                s.windows()
                    .is_some_and(|w| w.apple_software.iter().any(|a| a.product == p))
            };
            match (
                installed(AppleProduct::AppleDevices),
                installed(AppleProduct::Itunes),
            ) {
                (true, false) => "the Apple Devices app",
                (false, true) => "iTunes",
                _ => "iTunes or the Apple Devices app",
            }
        }
        OsFamily::Linux => "idevicebackup2",
        OsFamily::Other => "Finder, iTunes or the Apple Devices app",
    }
}

/// What relays between the phone and the backup program: usbmuxd, or
/// Apple Mobile Device Service on Windows.
pub fn mux_daemon(s: &Snapshot) -> &'static str {
    match s.os_family() {
        OsFamily::Windows => "Apple Mobile Device Service",
        _ => "usbmuxd",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_model_reads_as_apple_sells_it_and_an_unknown_one_as_given() {
        assert_eq!(model("iPhone15,2"), "iPhone 14 Pro");
        assert_eq!(model("iPhone99,9"), "iPhone99,9");
    }

    #[test]
    fn a_phone_nothing_names_is_its_udid() {
        let s = Snapshot::new(Default::default());
        assert_eq!(phone(&s, "00008030-X"), "00008030-X");
        assert_eq!(
            backup_program(&s),
            "Finder, iTunes or the Apple Devices app"
        );
    }
}
