use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone backs up to iCloud as well.
    ///
    /// ## Why the backup fails
    /// An iCloud backup running at the same time competes with the computer backup, and the free iCloud tier is 5 GB.
    ///
    /// ## Evidence used
    /// com.apple.mobile.backup CloudBackupEnabled.
    pub static RULE = {
        id: "icloud.backup-enabled",
        title: "iCloud Backup is on",
        layer: Layer::Icloud,
        severity: Severity::Info,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 5; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
