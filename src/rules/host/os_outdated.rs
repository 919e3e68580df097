use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The computer's operating system (or its device-support software) is
    /// older than the oldest one that can back up a phone on this iOS.
    ///
    /// ## Why the backup fails
    /// Finder, iTunes and Apple Devices learn each new iOS through updates;
    /// an old system may not see the phone, or fails with "the software
    /// required to communicate with iPhone is not installed".
    ///
    /// ## Evidence used
    /// The host OS version and the phone's ProductVersion, against a table
    /// of minimum host versions per iOS major.
    pub static RULE = {
        id: "host.os-outdated",
        title: "This computer's OS is too old for the iPhone's iOS",
        layer: Layer::Host,
        severity: Severity::Blocker,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Wired to the host-requirements table when it lands (this issue).
fn check(_: &Snapshot, _: &mut Findings) {}
