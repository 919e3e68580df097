use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// Somebody tapped "Don't Trust" on the phone: lockdownd answers
    /// `UserDeniedPairing`. The phone remembers the choice for this
    /// computer until it is unplugged and plugged in again, or until its
    /// trust settings are reset.
    ///
    /// ## Why the backup fails
    /// A phone that does not trust the computer gives it no session, so no
    /// backup service.
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// lockdownd's `UserDeniedPairing`, to `StartSession` or to the `Pair`
    /// sent under `--request-trust`.
    pub static RULE = {
        id: RuleId::TrustDenied,
        title: "Don't Trust was chosen on the iPhone",
        layer: Layer::Trust,
        severity: Severity::Blocker,
        hides: hides::AWAITING_TRUST,
        steps: &[
            Fix::any("Unplug the iPhone, unlock it and plug it back in: the Trust prompt comes back. Tap Trust and enter the passcode."),
            texts::RESET_LOCATION_PRIVACY,
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
    for (d, l) in s.answered_phones() {
        let evidence = if l.session.refusal() == Some(LockdownError::UserDeniedPairing) {
            "the iPhone answered that Don't Trust was tapped (lockdownd answered StartSession with UserDeniedPairing)"
        } else if matches!(l.pair_request, Some(PairRequestObs::Denied)) {
            "Don't Trust was tapped when this check asked (--request-trust; Pair was answered with UserDeniedPairing)"
        } else {
            continue;
        };
        out.push(Finding::new(&RULE).device(&d.udid).evidence(evidence));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_denial() {
        let s = world().phone().refused("UserDeniedPairing").build();
        let f = only(&s, &RULE);
        assert!(f
            .remediation
            .iter()
            .any(|r| r.contains("Reset Location & Privacy")));
        let s = world()
            .phone()
            .no_record()
            .lockdown(|l| l.pair_request = Some(PairRequestObs::Denied))
            .build();
        assert_eq!(fired(&s, &RULE).len(), 1);
    }

    #[test]
    fn silent_otherwise() {
        assert!(fired(&world().phone().build(), &RULE).is_empty());
        assert!(fired(&world().phone().refused("InvalidHostID").build(), &RULE).is_empty());
    }
}
