use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// com.apple.mobile.backup RequiresEncryption is set by a management profile.
    ///
    /// ## Why the backup fails
    /// The backup will be encrypted whatever the computer asks; a password must be set and kept.
    ///
    /// ## Evidence used
    /// com.apple.mobile.backup RequiresEncryption.
    pub static RULE = {
        id: "backup.encryption-required",
        title: "A management profile forces encrypted backups",
        layer: Layer::Backup,
        severity: Severity::Info,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 5; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
