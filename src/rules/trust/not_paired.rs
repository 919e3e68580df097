use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// Neither usbmuxd nor the host lockdown folder has a pair record for the phone.
    ///
    /// ## Why the backup fails
    /// Without a pair record no trusted session can start, and the backup service needs one.
    ///
    /// ## Evidence used
    /// The pairing probe's record state.
    pub static RULE = {
        id: "trust.not-paired",
        title: "This computer has no pairing record for the iPhone",
        layer: Layer::Trust,
        severity: Severity::Blocker,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 5; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
