use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// Status.plist of the last backup says its snapshot did not reach the finished state.
    ///
    /// ## Why the backup fails
    /// A torn backup cannot be restored and the next backup may have to start over.
    ///
    /// ## Evidence used
    /// Status.plist SnapshotState and BackupState.
    pub static RULE = {
        id: "backup.unfinished",
        title: "The last backup of this iPhone did not finish",
        layer: Layer::Backup,
        severity: Severity::Warning,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 7; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
