use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// A management profile (MDM), supervision or Screen Time restriction on
    /// the phone forbids pairing with computers or starting the backup
    /// service: lockdownd refuses with `MCProtected`, `MCChallengeRequired`
    /// or `ServiceProhibited`. (`PairingProhibitedOverThisConnection` is not
    /// a policy: it means pairing needs a USB cable, see `trust.not-paired`.)
    ///
    /// ## Why the backup fails
    /// The phone enforces the policy itself; no setting on the computer can
    /// override it.
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// The refusals of `StartSession`, `Pair` or `StartService`; a
    /// supervised phone (`com.apple.mobile.chaperone` DeviceIsChaperoned)
    /// is noted without a refusal.
    ///
    /// ## Known limitations
    /// Restrictions that only apply during the backup itself are not seen
    /// by a check that never starts one.
    pub static RULE = {
        id: "device.restricted",
        title: "A profile or restriction forbids pairing or backup",
        variants: &[SUPERVISED_ONLY],
        layer: Layer::Device,
        severity: Severity::Blocker,
        hides: &["backup-service.refused", "trust.not-paired"],
        steps: &[
            Fix::any("On the iPhone open Settings > General > VPN & Device Management to see which profile manages it; a work or school phone needs its administrator's permission."),
            Fix::any("Check Settings > Screen Time > Content & Privacy Restrictions: allow changes to the passcode and to Accounts, and turn restrictions off while backing up if you own the phone."),
            Fix::any("A supervised phone may only pair with its organisation's computers: ask the administrator, or back it up to iCloud if allowed."),
        ],
        since: "0.1.0",
        check,
    }
}

const SUPERVISED_ONLY: Title = Title {
    when: "the phone is supervised but refused nothing",
    text: "The iPhone is supervised: its organisation may restrict backups",
};

fn check(s: &Snapshot, out: &mut Findings) {
    for r in out.reported_for(RULE.id) {
        out.push(r.finding(&RULE));
    }
    for (d, l) in s.answered_phones() {
        let mut refusals: Vec<String> = l
            .management
            .as_ref()
            .map(|m| m.refusals.clone())
            .unwrap_or_default();
        if let Some(PairRequestObs::Refused { reason, raw }) = &l.pair_request {
            if reason.is_management() {
                refusals.push(format!("{raw} (to Pair)"));
            }
        }
        if let Some(r) = d.backup_service.value().and_then(|b| b.refused.as_ref()) {
            if r.reason.is_management() && !refusals.contains(&r.raw) {
                refusals.push(r.raw.clone());
            }
        }
        let supervised = l.management.as_ref().and_then(|m| m.supervised) == Some(true);
        if refusals.is_empty() && !supervised {
            continue;
        }
        let mut f = Finding::new(&RULE).device(&d.udid);
        for r in &refusals {
            f = f.evidence(format!("lockdownd refused with {r}"));
        }
        if supervised {
            f = f.evidence("the phone is supervised (DeviceIsChaperoned: true)");
        }
        if refusals.is_empty() {
            f = f
                .title(&SUPERVISED_ONLY)
                .confidence(Confidence::Possible)
                .at_most(Severity::Info)
                .basis(Basis::Advice);
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn management_refusal_blocks() {
        let s = world()
            .phone()
            .refused("MCProtected")
            .lockdown(|l| {
                l.management = Some(Management {
                    supervised: None,
                    refusals: vec!["MCProtected".into()],
                })
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Blocker);
        assert_eq!(f.evidence, ["lockdownd refused with MCProtected"]);
    }

    #[test]
    fn supervision_alone_is_a_note() {
        let s = world()
            .phone()
            .lockdown(|l| {
                l.management = Some(Management {
                    supervised: Some(true),
                    refusals: vec![],
                })
            })
            .build();
        assert_eq!(only(&s, &RULE).severity, Severity::Info);
    }

    #[test]
    fn silent_on_an_unmanaged_phone() {
        assert!(fired(&world().phone().build(), &RULE).is_empty());
    }
}
