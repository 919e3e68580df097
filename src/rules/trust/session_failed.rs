use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone accepted the pair record but the TLS session that follows failed: the record is damaged or belongs to another computer.
    ///
    /// ## Why the backup fails
    /// Every service, backup included, runs inside that session.
    ///
    /// ## Evidence used
    /// StartSession accepted, then the TLS handshake failed.
    pub static RULE = {
        id: "trust.session-failed",
        title: "The secure session with the iPhone failed",
        layer: Layer::Trust,
        severity: Severity::Blocker,
        hides: &[],
        steps: &[],
        since: "0.1.0",
        check,
    }
}

// Evidence for this rule arrives with issue 5; until then it cannot fire.
fn check(_: &Snapshot, _: &mut Findings) {}
