use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The battery is low and the phone is not charging from this port.
    ///
    /// ## Why the backup fails
    /// A phone that powers down or enters low-power mode mid-backup drops the backup.
    ///
    /// ## Evidence used
    /// com.apple.mobile.battery charge, charging and external power.
    pub static RULE = {
        id: "device.battery-low",
        title: "The iPhone's battery is low and not charging",
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
