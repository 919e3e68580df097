use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// Since iOS 16.1 (and 15.7.1) the phone asks for its passcode at the start of every computer backup.
    ///
    /// ## Why the backup fails
    /// If nobody types it, the backup fails after about three minutes with MBErrorDomain error 208 (Device locked).
    ///
    /// ## Evidence used
    /// ProductVersion of the phone.
    pub static RULE = {
        id: "device.passcode-prompt",
        title: "The passcode must be typed on the iPhone when the backup starts",
        layer: Layer::Device,
        severity: Severity::Info,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 5; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
