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
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// The lockdown session state `tls-failed` (with the handshake error),
    /// the `InvalidPairRecord` refusal, or a record without a usable HostID
    /// (no session attempted); fields the record lacks.
    ///
    /// ## Known limitations
    /// This tool speaks TLS through the idevice crate, which authenticates
    /// with the record's host certificate and needs every field its parser
    /// lists (`WiFiMACAddress` and `RootPrivateKey` among them);
    /// libimobiledevice (idevicebackup2) presents the root certificate, and
    /// Finder and iTunes use Apple's own code. So a record that fails here
    /// may still work for them: the advice never deletes it without saying
    /// so. A phone with iOS 9 or older wants TLS 1.0, which this tool cannot
    /// speak (rustls supports TLS 1.2 and 1.3); that is said instead. A
    /// phone that closes the connection at the handshake has dropped this
    /// computer's trust: `trust.reset-on-device` reports it.
    pub static RULE = {
        id: RuleId::TrustSessionFailed,
        title: "The secure session with the iPhone failed",
        variants: &[OLD_TLS, UNUSABLE_HERE],
        layer: Layer::Trust,
        severity: Severity::Blocker,
        hides: hides::NEEDS_TRUST,
        steps: &[
            texts::TRUST_MAC,
            texts::TRUST_WINDOWS,
            texts::TRUST_LINUX,
            texts::RESET_LOCATION_PRIVACY,
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

/// iOS 9 and older negotiate TLS 1.0 only.
const OLD_TLS: Title = Title {
    when: "the phone runs iOS 9 or older, whose lockdownd speaks TLS 1.0",
    text: "This check cannot speak the old TLS this iPhone's iOS needs",
};
const OLD_TLS_STEPS: &[Fix] = &[
    Fix::new(Platforms::MACOS, "Back it up with Finder (iTunes on macOS 10.14 and earlier), which still speaks TLS 1.0: nothing is wrong with the pairing."),
    Fix::new(Platforms::WINDOWS, "Back it up with iTunes or the Apple Devices app, which still speak TLS 1.0: nothing is wrong with the pairing."),
    Fix::new(Platforms::LINUX, "Back it up with idevicebackup2, which still speaks TLS 1.0: nothing is wrong with the pairing."),
    texts::UPDATE_IOS,
];
/// idevice cannot load the record; other tools may.
const UNUSABLE_HERE: Title = Title {
    when: "the pair record lacks fields or keys this tool's TLS code needs",
    text: "This check cannot use this computer's pair record",
};
const UNUSABLE_HERE_STEPS: &[Fix] = &[
    Fix::new(Platforms::MACOS, "Try the backup in Finder first: it reads pair records with other code and may accept this one."),
    Fix::new(Platforms::WINDOWS, "Try the backup in the Apple Devices app or iTunes first: they read pair records with other code and may accept this one."),
    Fix::new(Platforms::LINUX, "Try idevicebackup2 first: it reads pair records with other code and may accept this one."),
    Fix::any("Only if they fail too, move the record aside (do not delete it) and trust the computer again, as the next step says."),
    texts::TRUST_MAC,
    texts::TRUST_WINDOWS,
    texts::TRUST_LINUX,
];

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
    for (d, l) in s.answered_phones() {
        let mut f = Finding::new(&RULE).device(&d.udid);
        let ios_major = d.ios_version().and_then(crate::version::major);
        match &l.session {
            // The phone hung up on this computer's certificate: it no longer
            // trusts it (trust.reset-on-device).
            SessionObs::TlsFailed {
                kind: TlsFailure::Closed,
                ..
            } => continue,
            SessionObs::TlsFailed { message, .. } if ios_major.is_some_and(|m| m < 10) => {
                out.push(
                    f.title(&OLD_TLS)
                        .steps(OLD_TLS_STEPS)
                        .at_most(Severity::Warning)
                        .evidence(format!(
                            "the iPhone runs iOS {}, whose lockdownd negotiates TLS 1.0; this tool speaks TLS 1.2 and later",
                            d.ios_version().unwrap_or("?")
                        ))
                        .evidence(format!("the handshake failed: {message}")),
                );
                continue;
            }
            SessionObs::TlsFailed { message, kind } => {
                f = f.evidence(format!(
                    "StartSession was accepted, then the TLS handshake failed: {message}"
                ));
                if *kind == TlsFailure::Crashed {
                    f = f.steps(UNUSABLE_HERE_STEPS);
                }
            }
            SessionObs::NotAttempted
                if d.pairing.value().is_some_and(|p| {
                    p.record == PairRecordState::Present
                        && p.host_id.is_some()
                        && p.usable_here == Some(false)
                }) =>
            {
                let lacks = d
                    .pairing
                    .value()
                    .map(|p| p.missing_fields.clone())
                    .unwrap_or_default();
                let why = if lacks.is_empty() {
                    "its keys or certificates are not in a form this tool can load".to_string()
                } else {
                    format!("it lacks {}", lacks.join(", "))
                };
                out.push(
                    f.title(&UNUSABLE_HERE)
                        .steps(UNUSABLE_HERE_STEPS)
                        .at_most(Severity::Warning)
                        .confidence(Confidence::Likely)
                        .evidence(format!(
                            "this computer's pair record cannot be used by this tool: {why}, so no session was started"
                        )),
                );
                continue;
            }
            SessionObs::Refused {
                reason: LockdownError::InvalidPairRecord,
                raw,
            } => {
                f = f.evidence(format!("the iPhone rejected this computer's pairing record (lockdownd answered StartSession with {raw})"));
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
        if let Some(st) = super::set_record_aside_step(
            s.os_family(),
            &d.udid,
            "Only if Finder, iTunes or idevicebackup2 fail with this record too",
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

    #[test]
    fn fires_on_tls_failure_and_invalid_record() {
        let s = world()
            .phone()
            .lockdown(|l| {
                l.session = SessionObs::TlsFailed {
                    message: "TLS handshake failed: received fatal alert".into(),
                    kind: TlsFailure::Alert,
                }
            })
            .build();
        let f = only(&s, &RULE);
        assert!(f.says("fatal alert"));
        let last = f.remediation.last().unwrap();
        assert!(last.contains(crate::rules::testing_device::UDID));
        assert!(last.starts_with("Only if Finder, iTunes or idevicebackup2 fail"));
        assert!(!f.remediation[0].contains(".plist"), "{:?}", f.remediation);
        let s = world().phone().refused("InvalidPairRecord").build();
        assert_eq!(fired(&s, &RULE).len(), 1);
    }

    fn tls_failed(kind: TlsFailure) -> World {
        world().phone().lockdown(move |l| {
            l.session = SessionObs::TlsFailed {
                message: "TLS handshake failed".into(),
                kind,
            }
        })
    }

    #[test]
    fn an_old_ios_is_told_it_needs_tls_1_0_and_a_closed_handshake_is_not_this_rule() {
        let s = tls_failed(TlsFailure::Alert)
            .lockdown(|l| l.product_version = Some("9.3.5".into()))
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.title, OLD_TLS.text);
        assert_eq!(f.severity, Severity::Warning);
        assert!(!f.remediation.iter().any(|r| r.contains("rm ")));
        assert!(fired(&tls_failed(TlsFailure::Closed).build(), &RULE).is_empty());
    }

    #[test]
    fn a_record_this_tool_cannot_load_is_not_called_damaged() {
        let s = world()
            .phone()
            .device(|d| {
                if let Some(p) = d.pairing.value_mut() {
                    p.usable_here = Some(false);
                    p.missing_fields = vec!["WiFiMACAddress".into()];
                }
            })
            .lockdown(|l| l.session = SessionObs::NotAttempted)
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.title, UNUSABLE_HERE.text);
        assert!(f.says("WiFiMACAddress"));
        // On Linux (the test world's OS) the other tool to try is
        // idevicebackup2; Finder and iTunes are not offered there.
        assert!(
            f.remediation[0].contains("idevicebackup2"),
            "{:?}",
            f.remediation
        );
        assert!(
            !f.remediation
                .iter()
                .any(|r| r.contains("Finder") || r.contains("iTunes")),
            "{:?}",
            f.remediation
        );
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
        assert!(f.says("no usable HostID"), "{:?}", f.evidence);
        assert!(f.says("RootCertificate"));
        // no record at all is trust.not-paired's case, not this one
        assert!(fired(&world().phone().no_record().build(), &RULE).is_empty());
    }

    #[test]
    fn silent_when_trusted_or_reset() {
        assert!(fired(&world().phone().build(), &RULE).is_empty());
        assert!(fired(&world().phone().refused("InvalidHostID").build(), &RULE).is_empty());
    }
}
