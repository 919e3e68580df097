use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// libusb sees an Apple device but may not open it: on Linux the udev rules that give access to it are missing or this user is not allowed.
    ///
    /// ## Why the backup fails
    /// usbmuxd needs to open the device to talk to it; when it cannot, the phone never appears to backup tools.
    ///
    /// ## Evidence used
    /// The USB probe's per-device access result.
    pub static RULE = {
        id: "usb.access-denied",
        title: "An Apple device is on the bus but cannot be opened",
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
