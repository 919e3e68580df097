use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// lockdownd answered UserDeniedPairing.
    ///
    /// ## Why the backup fails
    /// The phone refuses this computer until the choice is reset.
    ///
    /// ## Evidence used
    /// The lockdown session or pairing refusal.
    pub static RULE = {
        id: "trust.denied",
        title: "Don't Trust was chosen on the iPhone",
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
