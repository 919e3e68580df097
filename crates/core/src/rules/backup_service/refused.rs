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
    /// lockdownd's answer to `StartService com.apple.mobilebackup2`, and the
    /// DeviceLink version exchange and `Hello` on the service port (the
    /// check never sends anything after `Hello`).
    pub static RULE = {
        id: "backup-service.refused",
        title: "The iPhone refused to start its backup service",
        layer: Layer::BackupService,
        severity: Severity::Blocker,
        steps: &[
            Fix::any("Restart the iPhone (a stuck BackupAgent is the usual cause), unlock it, and try again."),
            Fix::any("Update the backup software: Finder comes with macOS updates, iTunes and Apple Devices update from the Microsoft Store or Apple; on Linux install the latest libimobiledevice."),
            Fix::any("If a backup was interrupted before, let the phone finish or cancel it: unplug, restart the phone, and start a new backup."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    for d in &s.probes.devices {
        let f = Finding::new(&RULE).device(&d.udid);
        let f = match &d.backup_service {
            Outcome::Ok { value, .. } => {
                if let Some(r) = &value.refused {
                    f.evidence(format!(
                        "lockdownd answered StartService com.apple.mobilebackup2 with {}",
                        r.raw
                    ))
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
        assert!(only(&s, &RULE).evidence[0].contains("ErrorCode 1 (Protocol"));
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
        assert!(only(&s, &RULE).evidence[0].contains("InvalidService"));
        let s = world()
            .phone()
            .device(|d| d.backup_service = failed(FailureKind::Closed))
            .build();
        assert_eq!(only(&s, &RULE).confidence, Confidence::Likely);
    }

    #[test]
    fn silent_when_the_handshake_works_or_was_not_tried() {
        assert!(fired(&world().phone().build(), &RULE).is_empty());
        assert!(fired(&world().phone().no_record().build(), &RULE).is_empty());
    }
}
