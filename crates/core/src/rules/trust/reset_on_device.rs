use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// This computer holds a pair record for the phone, but the phone has
    /// forgotten it: `StartSession` is answered with `InvalidHostID`. The
    /// phone's trust settings were reset (Reset Location & Privacy), or it
    /// was erased or restored, or it was paired again with another record.
    ///
    /// ## Why the backup fails
    /// Finder, iTunes, Apple Devices and idevicebackup2 need a trusted
    /// session before the backup service can start; with a stale record
    /// they fail before asking anything, often without showing the Trust
    /// prompt again.
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// The `StartSession` refusal `InvalidHostID`, with the pair record's
    /// HostID that the phone no longer knows; or a `StartSession` accepted
    /// and then the connection closed at the TLS handshake, which usbmuxd's
    /// own preflight treats the same way ("The stored pair record ... is
    /// invalid. Removing.", usbmuxd `src/preflight.c`).
    pub static RULE = {
        id: RuleId::TrustResetOnDevice,
        title: "The iPhone no longer trusts this computer",
        layer: Layer::Trust,
        severity: Severity::Blocker,
        hides: hides::NEEDS_TRUST,
        steps: &[
            texts::TAP_TRUST,
            texts::TRUST_MAC,
            texts::TRUST_WINDOWS,
            texts::TRUST_LINUX,
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
        match &l.session {
            SessionObs::Refused {
                reason: LockdownError::InvalidHostID,
                ..
            } => {
                f = f.evidence(
                    "the iPhone does not recognise this computer any more (lockdownd answered StartSession with InvalidHostID)",
                )
            }
            SessionObs::TlsFailed {
                kind: TlsFailure::Closed,
                message,
            } => {
                f = f.confidence(Confidence::Likely).evidence(format!(
                    "StartSession was accepted, then the phone closed the connection at the TLS handshake ({message}): it no longer accepts this computer's certificate"
                ))
            }
            _ => continue,
        }
        if let Some(host_id) = d.pairing.value().and_then(|p| p.host_id.as_deref()) {
            f = f.evidence(format!(
                "this computer's record has HostID {host_id}, which the phone does not know"
            ));
        }
        if let Some(st) = super::set_record_aside_step(
            s.os_family(),
            &d.udid,
            "Only if the iPhone still does not ask to trust this computer",
        ) {
            f = f.last_resort_step(st);
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::rules::testing_device::UDID;

    #[test]
    fn fires_on_invalid_host_id_with_the_udid_in_the_command() {
        let s = world().phone().refused("InvalidHostID").build();
        let f = only(&s, &RULE);
        assert!(f.says("2087B64F"));
        // The safe steps first; setting the record aside last, saying what
        // it holds, with idevicepair before the file itself.
        assert!(
            f.remediation[0].contains("tap Trust"),
            "{:?}",
            f.remediation
        );
        let last = f.remediation.last().unwrap();
        assert!(
            last.contains(&format!("/var/lib/lockdown/{UDID}.plist")),
            "{:?}",
            f.remediation
        );
        assert!(
            last.find("idevicepair").unwrap() < last.find("sudo mv").unwrap(),
            "{last}"
        );
        assert!(last.contains("no data and no backup") && last.contains("undoes"));
        assert!(
            !f.remediation.iter().any(|r| r.contains("rm ")),
            "{:?}",
            f.remediation
        );
    }

    #[test]
    fn a_handshake_the_phone_hangs_up_on_is_a_reset_trust() {
        let s = world()
            .phone()
            .lockdown(|l| {
                l.session = SessionObs::TlsFailed {
                    message: "TLS handshake failed: unexpected end of file".into(),
                    kind: TlsFailure::Closed,
                }
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.confidence, Confidence::Likely);
        assert!(f.says("closed the connection"), "{:?}", f.evidence);
    }

    #[test]
    fn silent_when_trusted_or_another_refusal() {
        assert!(fired(&world().phone().build(), &RULE).is_empty());
        assert!(fired(&world().phone().refused("PasswordProtected").build(), &RULE).is_empty());
    }
}
