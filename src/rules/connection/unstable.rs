use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone vanished from usbmuxd or came back with a new DeviceID while the check ran.
    ///
    /// ## Why the backup fails
    /// A connection that drops cuts a running backup off.
    ///
    /// ## Evidence used
    /// usbmuxd device list and Listen events during the probe.
    pub static RULE = {
        id: "connection.unstable",
        title: "The iPhone dropped off the connection during the check",
        layer: Layer::Connection,
        severity: Severity::Warning,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 9; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
