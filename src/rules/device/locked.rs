use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// lockdownd reports PasswordProtected: the phone is locked right now (this does not mean it merely has a passcode).
    ///
    /// ## Why the backup fails
    /// A locked phone refuses to start a session or a backup.
    ///
    /// ## Evidence used
    /// The PasswordProtected value or refusal.
    pub static RULE = {
        id: "device.locked",
        title: "The iPhone is locked",
        layer: Layer::Device,
        severity: Severity::Blocker,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 5; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
