use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// StartService com.apple.mobilebackup2 or its version handshake was refused.
    ///
    /// ## Why the backup fails
    /// Without the backup service no computer backup can run.
    ///
    /// ## Evidence used
    /// The backup service probe's outcome and the phone's reason.
    pub static RULE = {
        id: "backup-service.refused",
        title: "The iPhone refused to start its backup service",
        layer: Layer::BackupService,
        severity: Severity::Blocker,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 5; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
