use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone accepted this computer's HostID (`StartSession` answered
    /// with `EnableSessionSSL`), but the TLS handshake that follows failed,
    /// or the phone called the record invalid (`InvalidPairRecord`). The
    /// record's certificates or keys are damaged, or they come from another
    /// computer (a record copied between machines, a half-written file).
    ///
    /// ## Why the backup fails
    /// Every later request, including starting the backup service, needs
    /// that secure session.
    ///
    /// ## Evidence used
    /// The lockdown session state `tls-failed` (with the handshake error),
    /// the `InvalidPairRecord` refusal, or a record without a usable HostID
    /// (no session attempted); fields the record lacks.
    pub static RULE = {
        id: "trust.session-failed",
        title: "The secure session with the iPhone failed",
        layer: Layer::Trust,
        severity: Severity::Blocker,
        hides: hides::NEEDS_TRUST,
        steps: &[
            texts::TRUST_MAC,
            texts::TRUST_WINDOWS,
            texts::TRUST_LINUX,
            texts::RESET_LOCATION_PRIVACY,
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    for (d, l) in s.answered_phones() {
        let mut f = Finding::new(&RULE).device(&d.udid);
        match &l.session {
            SessionObs::TlsFailed { message } => {
                f = f.evidence(format!(
                    "StartSession was accepted, then the TLS handshake failed: {message}"
                ));
            }
            SessionObs::Refused {
                reason: LockdownError::InvalidPairRecord,
                raw,
            } => {
                f = f.evidence(format!("lockdownd answered StartSession with {raw}"));
            }
            // A record is there but has no HostID: no session can even be
            // asked for (a truncated or hand-edited file).
            SessionObs::NotAttempted
                if d.pairing.value().is_some_and(|p| {
                    p.record == PairRecordState::Present && p.host_id.is_none()
                }) =>
            {
                f = f.evidence(
                    "this computer's pair record has no usable HostID, so no session could be started",
                );
            }
            _ => continue,
        }
        if let Some(p) = d.pairing.value().filter(|p| !p.missing_fields.is_empty()) {
            f = f.evidence(format!(
                "the pair record lacks {}",
                p.missing_fields.join(", ")
            ));
        }
        if let Some(st) = super::remove_record_step(s.os_family(), &d.udid) {
            f = f.step(st.replace("stale", "damaged"));
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_tls_failure_and_invalid_record() {
        let s = world()
            .phone()
            .lockdown(|l| {
                l.session = SessionObs::TlsFailed {
                    message: "TLS handshake failed: received fatal alert".into(),
                }
            })
            .build();
        let f = only(&s, &RULE);
        assert!(f.evidence[0].contains("fatal alert"));
        assert!(f.remediation[0].contains(crate::rules::testing_device::UDID));
        let s = world().phone().refused("InvalidPairRecord").build();
        assert_eq!(fired(&s, &RULE).len(), 1);
    }

    #[test]
    fn fires_on_a_record_without_host_id() {
        let s = world()
            .phone()
            .device(|d| {
                if let Some(p) = d.pairing.value_mut() {
                    p.host_id = None;
                    p.missing_fields = vec!["RootCertificate".into()];
                }
            })
            .lockdown(|l| l.session = SessionObs::NotAttempted)
            .build();
        let f = only(&s, &RULE);
        assert!(
            f.evidence[0].contains("no usable HostID"),
            "{:?}",
            f.evidence
        );
        assert!(f.evidence[1].contains("RootCertificate"));
        // no record at all is trust.not-paired's case, not this one
        assert!(fired(&world().phone().no_record().build(), &RULE).is_empty());
    }

    #[test]
    fn silent_when_trusted_or_reset() {
        assert!(fired(&world().phone().build(), &RULE).is_empty());
        assert!(fired(&world().phone().refused("InvalidHostID").build(), &RULE).is_empty());
    }
}
