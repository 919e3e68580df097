use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// usbmuxd lists the phone as a Network device and not over USB.
    ///
    /// ## Why the backup fails
    /// Wi-Fi backups are slow and are dropped when the phone or computer sleeps or changes network.
    ///
    /// ## Evidence used
    /// ConnectionType of each usbmuxd device entry.
    pub static RULE = {
        id: "usbmuxd.wifi-only",
        title: "The iPhone is reachable over Wi-Fi only",
        layer: Layer::Usbmuxd,
        severity: Severity::Warning,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 5; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
