use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone is on the bus with the DFU product id (0x1227) or the WTF id (0x1222).
    ///
    /// ## Why the backup fails
    /// In DFU mode the phone runs no iOS at all: it can only be restored.
    ///
    /// ## Evidence used
    /// The product id of the Apple device on the bus.
    pub static RULE = {
        id: "usb.dfu-mode",
        title: "The iPhone is in DFU mode",
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
