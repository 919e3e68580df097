use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone's iOS is older than the latest release for its model.
    ///
    /// ## Why the backup fails
    /// Old iOS releases carry backup bugs fixed later, and a computer that is newer may not support them well.
    ///
    /// ## Evidence used
    /// ProductType and ProductVersion against the model table.
    pub static RULE = {
        id: "device.ios-outdated",
        title: "The iPhone runs an older iOS than it can get",
        layer: Layer::Device,
        severity: Severity::Info,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 5; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
