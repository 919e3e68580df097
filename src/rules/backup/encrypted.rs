use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// Backups are encrypted with a password set on the phone.
    ///
    /// ## Why the backup fails
    /// The password will be asked; without it backups cannot be restored, and changing it needs the old one.
    ///
    /// ## Evidence used
    /// Manifest.plist IsEncrypted and com.apple.mobile.backup WillEncrypt.
    pub static RULE = {
        id: "backup.encrypted",
        title: "Backups of this iPhone are encrypted",
        layer: Layer::Backup,
        severity: Severity::Info,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 7; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
