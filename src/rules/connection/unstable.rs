use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone dropped off while it was being checked: usbmuxd no longer
    /// listed it afterwards, listed it again under a new DeviceID (it
    /// disconnected and reconnected), or the connection to it closed in the
    /// middle of a conversation.
    ///
    /// ## Why the backup fails
    /// A backup is one long conversation; a link that drops for a moment
    /// ends it, which shows up as a backup that stops at a random
    /// percentage or "the iPhone disconnected".
    ///
    /// ## Evidence used
    /// usbmuxd's device list before and after the per-phone probes; the
    /// lockdownd connection closing mid-message, or usbmuxd's `Connect`
    /// answering that the device is gone.
    ///
    /// ## Known limitations
    /// A check lasts a second or two; a link that drops every few minutes
    /// is only caught by `watch`.
    pub static RULE = {
        id: "connection.unstable",
        title: "The iPhone dropped off the connection during the check",
        layer: Layer::Connection,
        severity: Severity::Blocker,
        hides: &[
            "backup-service.refused",
            "device.locked",
            "trust.session-failed",
        ],
        steps: &[
            step("Use another cable, ideally Apple's, plugged straight into the computer (no hub, no front-panel port)."),
            step("Try another USB port; on a laptop, plug the charger in so the port gets full power."),
            step("Turn off Personal Hotspot on the iPhone while backing up: it re-enumerates the USB link."),
            step_on(Platforms::LINUX, "Watch the link with journalctl -f -u usbmuxd (or sudo dmesg -w) while the phone is plugged in: repeated connect/disconnect lines confirm it."),
        ],
        since: "0.1.0",
        check,
    }
}

/// One sign of an unstable link, and whether it alone proves the drop.
struct Signal {
    line: String,
    direct: bool,
    gone: bool,
}

/// Each source of evidence is one function; `watch`'s Listen window (issue
/// 9) adds its plug/unplug events as another.
const SOURCES: &[fn(&DeviceObs) -> Vec<Signal>] = &[presence, broken_conversations];

fn check(s: &Snapshot, out: &mut Findings) {
    for d in &s.probes.devices {
        let signals: Vec<Signal> = SOURCES.iter().flat_map(|src| src(d)).collect();
        if signals.is_empty() {
            continue;
        }
        let mut f = Finding::new(&RULE).device(&d.udid);
        if !signals.iter().any(|s| s.direct) {
            f = f.confidence(Confidence::Likely);
        }
        if !signals.iter().any(|s| s.gone) {
            f = f.at_most(Severity::Warning);
        }
        for s in signals {
            f = f.evidence(s.line);
        }
        out.push(f);
    }
}

fn presence(d: &DeviceObs) -> Vec<Signal> {
    let Some(p) = d.presence.value() else {
        return vec![];
    };
    if !p.still_listed {
        return vec![Signal {
            line: "usbmuxd no longer lists the phone after the check".into(),
            direct: true,
            gone: true,
        }];
    }
    match (d.device_id, p.device_id_after) {
        (Some(before), Some(after)) if before != after => vec![Signal {
            line: format!(
                "usbmuxd lists it again under DeviceID {after} (it was {before}): it disconnected and reconnected"
            ),
            direct: true,
            gone: false,
        }],
        _ => vec![],
    }
}

fn broken_conversations(d: &DeviceObs) -> Vec<Signal> {
    let mut out = Vec::new();
    let dropped = |f: &Failure| matches!(f.kind, FailureKind::Closed | FailureKind::NotFound);
    let aborted = d.lockdown().and_then(|l| l.aborted.as_ref());
    if let Some(f) = aborted.or(d.lockdown.failure()).filter(|f| dropped(f)) {
        out.push(Signal {
            line: format!("lockdownd: {}", f.message),
            direct: f.kind == FailureKind::NotFound,
            gone: f.kind == FailureKind::NotFound,
        });
    }
    // A backup service that closes on us with the phone still listed is the
    // service's own trouble (backup-service.refused), not the link's.
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn vanished_phone_blocks() {
        let s = world()
            .phone()
            .device(|d| {
                d.presence = Outcome::Ok {
                    duration_ms: 1,
                    value: PresenceObs {
                        still_listed: false,
                        device_id_after: None,
                    },
                };
                if let Some(l) = d.lockdown.value_mut() {
                    l.session = SessionObs::NotAttempted;
                    l.aborted = Some(Failure::new(FailureKind::Closed, "the phone closed the connection after 0 of 4 bytes of the answer to StartSession"));
                }
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Blocker);
        assert_eq!(f.confidence, Confidence::Certain);
        assert_eq!(f.evidence.len(), 2);
        assert!(f.evidence[1].contains("StartSession"));
    }

    #[test]
    fn new_device_id_warns() {
        let s = world()
            .phone()
            .device(|d| {
                d.presence = Outcome::Ok {
                    duration_ms: 1,
                    value: PresenceObs {
                        still_listed: true,
                        device_id_after: Some(9),
                    },
                }
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.evidence[0].contains("DeviceID 9 (it was 3)"));
    }

    #[test]
    fn silent_when_steady_or_for_other_failures() {
        assert!(fired(&world().phone().build(), &RULE).is_empty());
        let s = world()
            .phone()
            .device(|d| d.backup_service = failed(FailureKind::Closed))
            .build();
        assert!(fired(&s, &RULE).is_empty(), "the service's trouble");
        let s = world()
            .phone()
            .device(|d| d.lockdown = failed(FailureKind::Refused))
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }
}
