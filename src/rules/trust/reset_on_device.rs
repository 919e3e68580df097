use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// This computer holds a pair record for the phone, but the phone has forgotten it (InvalidHostID): trust settings reset, erase or restore.
    ///
    /// ## Why the backup fails
    /// Finder, iTunes, Apple Devices and idevicebackup2 need a trusted session before the backup service can start.
    ///
    /// ## Evidence used
    /// The lockdown session refusal InvalidHostID with a pair record present.
    pub static RULE = {
        id: "trust.reset-on-device",
        title: "The iPhone no longer trusts this computer",
        layer: Layer::Trust,
        severity: Severity::Blocker,
        hides: &["backup-service.refused", "device.locked"],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 5; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
