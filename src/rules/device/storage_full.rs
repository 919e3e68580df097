use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone's data partition has little free space.
    ///
    /// ## Why the backup fails
    /// A backup needs room on the phone for its snapshot; a full phone fails or stalls.
    ///
    /// ## Evidence used
    /// com.apple.disk_usage TotalDataAvailable and TotalDataCapacity.
    pub static RULE = {
        id: "device.storage-full",
        title: "The iPhone is almost out of storage",
        layer: Layer::Device,
        severity: Severity::Warning,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 5; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
