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
    /// is noted without a refusal. In a trusted session the check also reads
    /// domain `com.apple.mobile.restriction` (a `GetValue`, read-only), where
    /// lockdownd states restrictions for the computer: `ProhibitAppInstall`
    /// and `ProhibitAppRemove`, as the reverse-engineered MobileDevice
    /// headers name them
    /// (<https://github.com/samdmarshall/SDMMobileDevice/blob/master/Framework/MobileDevice/Services/Lockdown/SDMMD_Keys.h>).
    /// They are on when Screen Time's Content & Privacy Restrictions
    /// (<https://support.apple.com/en-us/108806>) or a profile
    /// (`allowAppInstallation`, `allowAppRemoval`:
    /// <https://developer.apple.com/documentation/devicemanagement/restrictions>)
    /// forbid installing or deleting apps. They are evidence that
    /// restrictions are on, not a refusal: such a phone alone gets a note,
    /// and with a refusal they say where to look. A phone that refuses the
    /// domain is recorded as such and judged on the rest.
    ///
    /// ## Known limitations
    /// Restrictions that only apply during the backup itself are not seen
    /// by a check that never starts one. The domain's keys come from
    /// reverse-engineered headers, not from Apple or a published capture of
    /// a real phone's answer: which other restrictions (if any) a phone
    /// states there is unverified, so any other yes/no key it sends is shown
    /// by its name without a meaning. Whether a supervised phone's
    /// `allowHostPairing` (pairing only with its supervising computer) or
    /// `allowCloudBackup` shows there is not known; host pairing being
    /// forbidden is seen only through the refusals above.
    pub static RULE = {
        id: RuleId::DeviceRestricted,
        title: "A profile or restriction forbids pairing or backup",
        variants: &[SUPERVISED_ONLY, RESTRICTIONS_ONLY],
        layer: Layer::Device,
        severity: Severity::Blocker,
        hides: &[RuleId::BackupServiceRefused, RuleId::TrustNotPaired],
        steps: &[
            Fix::any("On the iPhone open Settings > General > VPN & Device Management to see which profile manages it; a work or school phone needs its administrator's permission."),
            Fix::any("Check Settings > Screen Time > Content & Privacy Restrictions: allow changes to the passcode and to Accounts, and turn restrictions off while backing up if you own the phone."),
            Fix::any("A supervised phone may only pair with its organisation's computers: ask the administrator, or back it up to iCloud if allowed."),
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

const SUPERVISED_ONLY: Title = Title {
    when: "the phone is supervised but refused nothing",
    text: "The iPhone is supervised: its organisation may restrict backups",
};

const RESTRICTIONS_ONLY: Title = Title {
    when: "the phone states restrictions (com.apple.mobile.restriction) but refused nothing and is not supervised",
    text: "Restrictions are on for this iPhone; none blocked this check",
};

/// What each known key of `com.apple.mobile.restriction` means, for people.
fn meaning(key: &str) -> &'static str {
    match key {
        "ProhibitAppInstall" => "installing apps is not allowed",
        "ProhibitAppRemove" => "deleting apps is not allowed",
        _ => "a restriction this check knows no meaning for",
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
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
        let restricted: Vec<String> = l
            .management
            .as_ref()
            .and_then(|m| m.restrictions.as_ref())
            .map(Restrictions::on)
            .unwrap_or_default();
        if refusals.is_empty() && !supervised && restricted.is_empty() {
            continue;
        }
        let mut f = Finding::new(&RULE).device(&d.udid);
        for r in &refusals {
            f = f.evidence(format!("lockdownd refused with {r}"));
        }
        if supervised {
            f = f.evidence("the phone is supervised (DeviceIsChaperoned: true)");
        }
        for key in &restricted {
            f = f.evidence(format!(
                "com.apple.mobile.restriction says {key}: true ({})",
                meaning(key)
            ));
        }
        if !restricted.is_empty() {
            f = f.evidence(
                "Screen Time's Content & Privacy Restrictions or a management profile set these",
            );
        }
        if refusals.is_empty() {
            // A note explains no refusal, so it hides none (a refused
            // backup service then has another cause, reported on its own).
            f.hides = &[];
            if !supervised {
                f = f.title(&RESTRICTIONS_ONLY).evidence(
                    "these restrictions do not stop a backup by themselves; others set in the same place can stop pairing or the backup",
                );
            } else {
                f = f.title(&SUPERVISED_ONLY);
            }
            f = f
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
                    ..Default::default()
                })
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Blocker);
        assert_eq!(f.evidence_lines(), ["lockdownd refused with MCProtected"]);
    }

    #[test]
    fn supervision_alone_is_a_note() {
        let s = world()
            .phone()
            .lockdown(|l| {
                l.management = Some(Management {
                    supervised: Some(true),
                    refusals: vec![],
                    ..Default::default()
                })
            })
            .build();
        assert_eq!(only(&s, &RULE).severity, Severity::Info);
    }

    fn restrictions(install: bool, remove: bool) -> Option<Restrictions> {
        Some(Restrictions {
            prohibit_app_install: Some(install),
            prohibit_app_remove: Some(remove),
            ..Default::default()
        })
    }

    #[test]
    fn stated_restrictions_alone_are_a_note() {
        let s = world()
            .phone()
            .lockdown(|l| {
                l.management = Some(Management {
                    restrictions: restrictions(true, false),
                    ..Default::default()
                })
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.title.as_str()),
            (Severity::Info, RESTRICTIONS_ONLY.text)
        );
        assert!(
            f.says("ProhibitAppInstall: true (installing apps is not allowed)"),
            "{:?}",
            f.evidence
        );
        assert!(f.hides.is_empty(), "a note hides no other cause");
    }

    #[test]
    fn stated_restrictions_back_a_refusal() {
        let s = world()
            .phone()
            .refused("MCProtected")
            .lockdown(|l| {
                l.management = Some(Management {
                    refusals: vec!["MCProtected".into()],
                    restrictions: restrictions(true, true),
                    ..Default::default()
                })
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.title.as_str()),
            (Severity::Blocker, RULE.title)
        );
        assert_eq!(f.evidence_lines().len(), 4, "{:?}", f.evidence);
        assert_eq!(f.hides, RULE.hides);
    }

    #[test]
    fn restrictions_all_off_say_nothing() {
        let s = world()
            .phone()
            .lockdown(|l| {
                l.management = Some(Management {
                    supervised: Some(false),
                    restrictions: restrictions(false, false),
                    ..Default::default()
                })
            })
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn silent_on_an_unmanaged_phone() {
        assert!(fired(&world().phone().build(), &RULE).is_empty());
    }
}
