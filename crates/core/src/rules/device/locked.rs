use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone is locked right now. lockdownd's `PasswordProtected: true`
    /// means exactly that (not that a passcode is set), and a phone that
    /// refuses with `PasswordProtected` or `EscrowLocked` wants to be
    /// unlocked before it talks (`EscrowLocked`: not unlocked since it
    /// restarted).
    ///
    /// ## Why the backup fails
    /// A locked phone cannot show the Trust prompt, and its protected data
    /// cannot be read; a backup started while it is locked stops with
    /// "the iPhone is locked" (MBErrorDomain 208, "Device locked").
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// The `PasswordProtected` or `EscrowLocked` refusal of `StartSession`,
    /// of `Pair`, or of `StartService com.apple.mobilebackup2` (sent, as
    /// idevicebackup2 and pymobiledevice3 send it, with the pair record's
    /// escrow bag, which lets a phone unlocked once since it started back
    /// up while locked): then the lock really stops the phone.
    ///
    /// A phone that is locked while its trusted session works
    /// (`PasswordProtected: true` read in the session) is not reported
    /// here: nothing is refused, and the backup only needs the phone
    /// unlocked when it starts, which is what `device.passcode-prompt`
    /// reminds of. That finding carries the lock as its evidence.
    pub static RULE = {
        id: RuleId::DeviceLocked,
        title: "The iPhone is locked",
        variants: &[NOT_UNLOCKED_SINCE_RESTART],
        layer: Layer::Device,
        severity: Severity::Blocker,
        steps: &[
            texts::UNLOCK,
            texts::UNLOCK_AFTER_RESTART,
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

const NOT_UNLOCKED_SINCE_RESTART: Title = Title {
    when: "the phone's keys are still locked after a restart (EscrowLocked)",
    text: "The iPhone has not been unlocked since it restarted",
};

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
    for (d, l) in s.answered_phones() {
        let f = Finding::new(&RULE).device(&d.udid);
        let service_refusal = d
            .backup_service
            .value()
            .and_then(|b| b.refused.as_ref())
            .filter(|r| r.reason.is_lock());
        let f = match (&l.session, &l.pair_request, service_refusal) {
            (SessionObs::Refused { reason: LockdownError::PasswordProtected, raw }, _, _) => {
                f.evidence(format!("the iPhone is locked and would not start a session until it is unlocked (lockdownd answered StartSession with {raw})"))
            }
            (SessionObs::Refused { reason: LockdownError::EscrowLocked, raw }, _, _) => f
                .evidence(format!("the iPhone has not been unlocked since it restarted, so it would not start a session (lockdownd answered StartSession with {raw})"))
                .title(&NOT_UNLOCKED_SINCE_RESTART),
            (_, Some(PairRequestObs::PasswordProtected), _) => f.evidence(
                "Pair (sent because of --request-trust) was answered with PasswordProtected: the Trust prompt needs an unlocked phone",
            ),
            (SessionObs::Trusted, _, Some(r)) => {
                let bag = match l.escrow_bag_sent {
                    Some(true) => " although the pair record's escrow bag was sent",
                    Some(false) => " (the pair record has no escrow bag, so the phone must be unlocked)",
                    None => "",
                };
                let f = f.evidence(format!(
                    "lockdownd answered StartService com.apple.mobilebackup2 with {}{bag}",
                    r.raw
                ));
                if r.reason == LockdownError::EscrowLocked {
                    f.title(&NOT_UNLOCKED_SINCE_RESTART)
                } else {
                    f
                }
            }
            // Locked in a working session: device.passcode-prompt says so.
            _ => continue,
        };
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    fn service_refused(raw: &str, bag: Option<bool>) -> Snapshot {
        world()
            .phone()
            .lockdown(|l| l.escrow_bag_sent = bag)
            .service_refused(raw)
            .build()
    }

    #[test]
    fn a_backup_service_refused_for_the_lock_is_a_blocker_that_says_unlock() {
        let f = only(&service_refused("PasswordProtected", Some(false)), &RULE);
        assert_eq!(f.severity, Severity::Blocker);
        assert!(f.says("has no escrow bag"), "{:?}", f.evidence);
        assert!(f.remediation[0].contains("Unlock"), "{:?}", f.remediation);
        let f = only(&service_refused("EscrowLocked", Some(true)), &RULE);
        assert_eq!(f.title, NOT_UNLOCKED_SINCE_RESTART.text);
        assert!(fired(&service_refused("ServiceLimit", Some(true)), &RULE).is_empty());
    }

    #[test]
    fn locked_in_a_working_session_is_left_to_the_passcode_reminder() {
        let s = world()
            .phone()
            .lockdown(|l| l.password_protected = Some(true))
            .build();
        assert!(fired(&s, &RULE).is_empty());
        let reminder = only(&s, &crate::rules::device::passcode_prompt::RULE);
        assert!(reminder.says("locked right now"));
    }

    #[test]
    fn refusals_block() {
        let f = only(&world().phone().refused("PasswordProtected").build(), &RULE);
        assert_eq!(f.severity, Severity::Blocker);
        let f = only(&world().phone().refused("EscrowLocked").build(), &RULE);
        assert!(f.title.contains("restarted"));
        let s = world()
            .phone()
            .no_record()
            .lockdown(|l| l.pair_request = Some(PairRequestObs::PasswordProtected))
            .build();
        assert_eq!(only(&s, &RULE).severity, Severity::Blocker);
    }

    #[test]
    fn silent_when_unlocked() {
        assert!(fired(&world().phone().build(), &RULE).is_empty());
        // PasswordProtected outside a session is not evidence.
        let s = world()
            .phone()
            .no_record()
            .lockdown(|l| l.password_protected = Some(true))
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }
}
