use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// An Apple device in normal mode is on the bus but usbmuxd's device list does not have it.
    ///
    /// ## Why the backup fails
    /// Backup tools only see what usbmuxd lists.
    ///
    /// ## Evidence used
    /// The USB probe's Apple devices against usbmuxd's ListDevices reply.
    pub static RULE = {
        id: "usbmuxd.device-not-listed",
        title: "USB sees the iPhone but usbmuxd does not",
        layer: Layer::Usbmuxd,
        severity: Severity::Blocker,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 6; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
