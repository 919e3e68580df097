use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone is on the bus with a recovery-mode product id (0x1280 to 0x1283).
    ///
    /// ## Why the backup fails
    /// In recovery mode there is no usbmuxd interface and no lockdownd: the phone can be restored or updated, not backed up.
    ///
    /// ## Evidence used
    /// The product id of the Apple device on the bus.
    pub static RULE = {
        id: "usb.recovery-mode",
        title: "The iPhone is in recovery mode",
        layer: Layer::Usb,
        severity: Severity::Blocker,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 6; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
