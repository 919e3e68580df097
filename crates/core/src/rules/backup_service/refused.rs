use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone trusts this computer, but its backup service
    /// (`com.apple.mobilebackup2`) would not start, or refused the protocol
    /// handshake (`Hello` answered with a non-zero ErrorCode), or the
    /// handshake broke off.
    ///
    /// ## Why the backup fails
    /// Every computer backup goes through this service; Finder and iTunes
    /// report it as "the iPhone could not be backed up because an error
    /// occurred" and idevicebackup2 as "Could not perform backup protocol
    /// version exchange, error code -1" (or 1, 6).
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// lockdownd's answer to `StartService com.apple.mobilebackup2`, and the
    /// DeviceLink version exchange and `Hello` on the service port (the
    /// check never sends anything after `Hello`). Each refusal names its own
    /// cause: `ServiceLimit` means another program already holds the
    /// service (lockdownd allows a service only so many connections;
    /// libimobiledevice maps it to `LOCKDOWN_E_SERVICE_LIMIT`);
    /// `InvalidService` that the phone offers no backup service at all (not
    /// set up or activated, or a build without it); `PasswordProtected` and
    /// `EscrowLocked` are the lock, reported by `device.locked`. A service
    /// that did not answer before the deadline is reported as slow, never as
    /// a refusal.
    pub static RULE = {
        id: RuleId::BackupServiceRefused,
        title: "The iPhone refused to start its backup service",
        variants: &[IN_USE, NO_SERVICE, NO_ANSWER],
        layer: Layer::BackupService,
        severity: Severity::Blocker,
        steps: &[
            Fix::any("Restart the iPhone (a stuck BackupAgent is the usual cause), unlock it, and try again."),
            texts::UPDATE_MAC,
            texts::UPDATE_WINDOWS,
            texts::UPDATE_LINUX,
            Fix::any("If a backup was interrupted before, let the phone finish or cancel it: unplug, restart the phone, and start a new backup."),
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

const IN_USE: Title = Title {
    when: "lockdownd answers ServiceLimit",
    text: "Another program is using the iPhone's backup service",
};
const NO_SERVICE: Title = Title {
    when: "lockdownd answers InvalidService",
    text: "The iPhone offers no backup service",
};
const NO_ANSWER: Title = Title {
    when: "the service did not answer before the deadline",
    text: "The iPhone's backup service did not answer in time",
};

/// Another backup or sync is holding the service: restarting the phone would
/// break that backup, so it is not the advice.
const IN_USE_STEPS: &[Fix] = &[
    texts::ONE_TOOL,
    Fix::new(Platforms::MACOS, "If a backup is running in Finder, let it finish (or cancel it there), then run this check again."),
    Fix::new(Platforms::WINDOWS, "If a backup is running in the Apple Devices app or iTunes, let it finish (or cancel it there), then run this check again."),
    Fix::new(Platforms::LINUX, "If idevicebackup2 or another tool is backing up this iPhone, let it finish (or stop it), then run this check again."),
];
const NO_SERVICE_STEPS: &[Fix] = &[texts::FINISH_SETUP, texts::UPDATE_IOS];

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
    for d in &s.probes.devices {
        let f = Finding::new(&RULE).device(&d.udid);
        let f = match &d.backup_service {
            Outcome::Ok { value, .. } => {
                if let Some(r) = &value.refused {
                    if r.reason.is_lock() {
                        // device.locked reports it, with the unlock advice.
                        continue;
                    }
                    let f = f.evidence(format!(
                        "lockdownd answered StartService com.apple.mobilebackup2 with {}",
                        r.raw
                    ));
                    match r.reason {
                        LockdownError::ServiceLimit => f.title(&IN_USE).steps(IN_USE_STEPS),
                        LockdownError::InvalidService => {
                            f.title(&NO_SERVICE).steps(NO_SERVICE_STEPS)
                        }
                        _ => f,
                    }
                } else if let Some(e) = &value.hello_error {
                    f.evidence(format!(
                        "the backup service answered Hello with ErrorCode {}{}",
                        e.code,
                        e.description
                            .as_deref()
                            .map(|d| format!(" ({d})"))
                            .unwrap_or_default()
                    ))
                } else {
                    continue;
                }
            }
            Outcome::Failed { failure, .. } if failure.kind == FailureKind::TimedOut => f
                .title(&NO_ANSWER)
                .steps(texts::SLOW_ANSWER_STEPS)
                .evidence(format!("no answer in time: {}", failure.message))
                .at_most(Severity::Warning)
                .confidence(Confidence::Possible),
            Outcome::Failed { failure, .. } => f
                .evidence(format!(
                    "the backup service handshake failed ({}): {}",
                    failure.kind.as_str(),
                    failure.message
                ))
                .confidence(Confidence::Likely),
            Outcome::Skipped { .. } => continue,
        };
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_refusal_hello_error_or_broken_handshake() {
        let s = world()
            .phone()
            .device(|d| {
                d.backup_service = Outcome::Ok {
                    duration_ms: 1,
                    value: BackupServiceObs {
                        hello_error: Some(HelloError {
                            code: 1,
                            description: Some("Protocol version negotiation refused".into()),
                        }),
                        ..Default::default()
                    },
                }
            })
            .build();
        assert!(only(&s, &RULE).says("ErrorCode 1 (Protocol"));
        let s = world()
            .phone()
            .device(|d| {
                d.backup_service = Outcome::Ok {
                    duration_ms: 1,
                    value: BackupServiceObs {
                        refused: Some(ServiceRefusal {
                            reason: LockdownError::InvalidService,
                            raw: "InvalidService".into(),
                        }),
                        ..Default::default()
                    },
                }
            })
            .build();
        assert!(only(&s, &RULE).says("InvalidService"));
        let s = world()
            .phone()
            .device(|d| d.backup_service = failed(FailureKind::Closed))
            .build();
        assert_eq!(only(&s, &RULE).confidence, Confidence::Likely);
    }

    fn refused_with(raw: &str) -> Snapshot {
        world().phone().service_refused(raw).build()
    }

    #[test]
    fn each_refusal_names_its_cause_and_restarting_the_phone_only_where_it_helps() {
        let busy = only(&refused_with("ServiceLimit"), &RULE);
        assert_eq!(busy.title, IN_USE.text);
        assert!(
            !busy
                .remediation
                .iter()
                .any(|r| r.contains("Restart the iPhone")),
            "{:?}",
            busy.remediation
        );
        let none = only(&refused_with("InvalidService"), &RULE);
        assert_eq!(none.title, NO_SERVICE.text);
        assert!(fired(&refused_with("PasswordProtected"), &RULE).is_empty());
        assert!(fired(&refused_with("EscrowLocked"), &RULE).is_empty());
        let other = only(&refused_with("SomethingNew"), &RULE);
        assert_eq!(other.title, RULE.title);
        assert!(other.remediation[0].contains("Restart the iPhone"));
    }

    #[test]
    fn a_service_that_did_not_answer_in_time_is_slow_not_refused() {
        let s = world()
            .phone()
            .device(|d| d.backup_service = failed(FailureKind::TimedOut))
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.title, NO_ANSWER.text);
        assert_eq!(f.severity, Severity::Warning);
        assert!(!f.title.contains("refused"));
    }

    #[test]
    fn silent_when_the_handshake_works_or_was_not_tried() {
        assert!(fired(&world().phone().build(), &RULE).is_empty());
        assert!(fired(&world().phone().no_record().build(), &RULE).is_empty());
    }
}
