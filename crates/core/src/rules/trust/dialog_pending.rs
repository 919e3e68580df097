use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone is showing "Trust This Computer?" and nobody has answered
    /// it: lockdownd answers `PairingDialogResponsePending` (error 19 in
    /// older libimobiledevice messages).
    ///
    /// ## Why the backup fails
    /// Until Trust is tapped there is no pairing, so no session and no
    /// backup service; tools wait or fail with "Please accept the trust
    /// dialog on the screen of device".
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// lockdownd's `PairingDialogResponsePending`, to `StartSession` or to
    /// the `Pair` sent under `--request-trust`.
    pub static RULE = {
        id: RuleId::TrustDialogPending,
        title: "The iPhone shows the Trust prompt and nobody answered it",
        layer: Layer::Trust,
        severity: Severity::Blocker,
        hides: hides::AWAITING_TRUST,
        steps: &[
            texts::TAP_TRUST,
            Fix::any("If no prompt is visible, unplug the iPhone and plug it back in while it is unlocked."),
            Fix::new(Platforms::LINUX, "Then run idevicepair validate (or this check again) to confirm the pairing."),
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
    for (d, l) in s.answered_phones() {
        let mut f = Finding::new(&RULE).device(&d.udid);
        if l.session.refusal() == Some(LockdownError::PairingDialogResponsePending) {
            f = f.evidence("the iPhone is showing \"Trust This Computer?\" and waits for an answer (lockdownd answered StartSession with PairingDialogResponsePending)");
        } else if matches!(l.pair_request, Some(PairRequestObs::DialogPending)) {
            f = f.evidence(
                "Pair (sent because of --request-trust) was still PairingDialogResponsePending at the deadline",
            );
        } else {
            continue;
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_pending_session_or_pair() {
        let s = world()
            .phone()
            .refused("PairingDialogResponsePending")
            .build();
        assert!(only(&s, &RULE).says("StartSession"));
        let s = world()
            .phone()
            .no_record()
            .lockdown(|l| l.pair_request = Some(PairRequestObs::DialogPending))
            .build();
        assert!(only(&s, &RULE).says("--request-trust"));
    }

    #[test]
    fn silent_when_trusted_or_denied() {
        assert!(fired(&world().phone().build(), &RULE).is_empty());
        assert!(fired(&world().phone().refused("UserDeniedPairing").build(), &RULE).is_empty());
    }
}
