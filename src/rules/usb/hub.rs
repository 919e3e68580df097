use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone's port chain has more than one entry: at least one hub sits between the computer and the phone.
    ///
    /// ## Why the backup fails
    /// Hubs, keyboard ports and monitor ports share bandwidth and power; a backup that moves gigabytes drops out or stalls.
    ///
    /// ## Evidence used
    /// The USB probe's port chain for the phone.
    pub static RULE = {
        id: "usb.hub",
        title: "The iPhone is connected through a USB hub",
        layer: Layer::Usb,
        severity: Severity::Warning,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 6; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
