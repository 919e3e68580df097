use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// lockdownd answered PairingDialogResponsePending: the Trust This Computer alert is on the phone's screen.
    ///
    /// ## Why the backup fails
    /// Until Trust is tapped and the passcode entered, the computer cannot start a session.
    ///
    /// ## Evidence used
    /// The lockdown session refusal.
    pub static RULE = {
        id: "trust.dialog-pending",
        title: "The iPhone shows the Trust prompt and nobody answered it",
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
