use std::cmp::Ordering;

use crate::rules::prelude::*;
use crate::version::compare_versions;

declare_rule! {
    /// ## What it means
    /// Since iOS 16.1 (and iOS 15.7.1 on the 15 line) the phone asks for its
    /// passcode on its own screen at the start of every backup to a
    /// computer.
    ///
    /// ## Why the backup fails
    /// If nobody types the passcode, the backup waits and then fails after
    /// about three minutes with MBErrorDomain error 208 ("Device locked"),
    /// which looks like a hang or a random failure to the person at the
    /// computer.
    ///
    /// ## Evidence used
    /// ProductVersion from lockdownd: 16.1 or later, or 15.7.1 up to (not
    /// including) 16.0.
    pub static RULE = {
        id: "device.passcode-prompt",
        title: "The passcode must be typed on the iPhone when the backup starts",
        layer: Layer::Device,
        severity: Severity::Info,
        steps: &[
            texts::PASSCODE_AT_START,
            Fix::any("For unattended backups (scripts, idevicebackup2), watch the phone during the first minutes: no passcode means error 208 after about three minutes."),
        ],
        since: "0.1.0",
        check,
    }
}

/// Whether this iOS asks for the passcode when a computer backup starts.
pub fn asks_passcode(version: &str) -> bool {
    let at_least = |v| compare_versions(version, v) != Ordering::Less;
    at_least("16.1") || (at_least("15.7.1") && compare_versions(version, "16") == Ordering::Less)
}

fn check(s: &Snapshot, out: &mut Findings) {
    for d in &s.probes.devices {
        let Some(v) = d.ios_version() else { continue };
        if !asks_passcode(v) {
            continue;
        }
        out.push(Finding::new(&RULE).device(&d.udid).evidence(format!(
            "iOS {v} asks for the passcode at the start of each backup"
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn version_boundaries() {
        for v in ["16.1", "16.7.2", "17.0", "26.6", "15.7.1", "15.8.8"] {
            assert!(asks_passcode(v), "{v}");
        }
        for v in ["16.0", "16.0.3", "15.7", "15.6.1", "13.3.1", ""] {
            assert!(!asks_passcode(v), "{v}");
        }
    }

    #[test]
    fn fires_for_the_healthy_phone_silent_for_old_ios() {
        let f = only(&world().phone().build(), &RULE);
        assert_eq!(f.severity, Severity::Info);
        assert!(f.evidence[0].contains("16.7.2"));
        let s = world()
            .phone()
            .lockdown(|l| l.product_version = Some("13.3.1".into()))
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }
}
