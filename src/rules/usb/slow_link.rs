use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone negotiated a speed below 480 Mbit/s: a damaged or charge-oriented cable, a worn port, or a slow hub.
    ///
    /// ## Why the backup fails
    /// A backup of many gigabytes over a slow link takes hours and is more likely to be cut off.
    ///
    /// ## Evidence used
    /// The negotiated speed from the USB probe, or usbmuxd's ConnectionSpeed.
    pub static RULE = {
        id: "usb.slow-link",
        title: "The USB link runs below high speed",
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
