use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// Info.plist, Manifest.plist, Manifest.db or Status.plist is missing, empty or cannot be parsed.
    ///
    /// ## Why the backup fails
    /// Finder and iTunes refuse to continue a corrupt backup ("the backup was corrupt or not compatible").
    ///
    /// ## Evidence used
    /// The backup folder's metadata files.
    pub static RULE = {
        id: "backup.corrupt",
        title: "The last backup's metadata is missing or unreadable",
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
