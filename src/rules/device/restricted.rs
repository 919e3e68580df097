use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// Supervision, a configuration profile or Screen Time restrictions forbid pairing with computers or backups.
    ///
    /// ## Why the backup fails
    /// The phone refuses to pair or to start its backup service.
    ///
    /// ## Evidence used
    /// Lockdown refusals and management values.
    pub static RULE = {
        id: "device.restricted",
        title: "A profile or restriction forbids pairing or backup",
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
