use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// usbmuxd lists the phone, but its lockdown service (port 62078) does
    /// not accept a connection or does not answer: the phone is still
    /// booting, is busy restoring or updating, has just dropped into
    /// recovery, or its lockdownd is stuck.
    ///
    /// ## Why the backup fails
    /// Every backup tool starts by talking to lockdownd; without it nothing
    /// else can happen.
    ///
    /// ## Evidence used
    /// usbmuxd's answer to `Connect` on port 62078 (Result 3: refused), or
    /// no lockdownd answer before the deadline, or an answer that is not
    /// the lockdown protocol, or a conversation that stopped getting answers
    /// half-way (a phone answering so slowly that nothing finishes in time).
    /// From another tool's output: lockdownd's "Mux error (-8)"
    /// (`ideviceinfo`, `idevicepair`: "Could not connect to lockdownd: Mux
    /// error (-8)"), the phone listed and its lockdown connection broken,
    /// <https://github.com/libimobiledevice/libimobiledevice/issues/1491>.
    pub static RULE = {
        id: RuleId::DeviceLockdownUnreachable,
        title: "The iPhone is connected but does not answer (its lockdown service)",
        variants: &[NOT_NORMAL_MODE, TOO_SLOW],
        layer: Layer::Device,
        severity: Severity::Blocker,
        hides: &[RuleId::BackupServiceRefused],
        steps: &[
            Fix::any("Wait until the iPhone has finished starting up and shows its Lock Screen, then unlock it and run the check again."),
            Fix::new(Platforms::MACOS, "If the screen shows a cable and a computer, the phone is in recovery mode: select it in Finder and choose Update (keeps the data) before backing up."),
            Fix::new(Platforms::WINDOWS, "If the screen shows a cable and a computer, the phone is in recovery mode: select it in the Apple Devices app (or iTunes) and choose Update (keeps the data) before backing up."),
            Fix::new(Platforms::LINUX, "If the screen shows a cable and a computer, the phone is in recovery mode: `idevicerestore --latest` without `--erase` updates it and keeps the data; then back up."),
            texts::RESTART_PHONE,
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

/// Something other than lockdownd answers on its port: `QueryType` names
/// it (`com.apple.mobile.restored` in restore mode).
const NOT_NORMAL_MODE: Title = Title {
    when: "QueryType names another service than com.apple.mobile.lockdown",
    text: "The iPhone is not in normal mode ({mode})",
};

/// It answered, then the check ran out of time: slow, not unreachable.
const TOO_SLOW: Title = Title {
    when: "lockdownd answered, then stopped answering before the deadline",
    text: "The iPhone answered too slowly for the check to finish",
};

fn check(s: &Snapshot, out: &mut Findings) {
    // Another tool's "Mux error (-8)" and the like: usbmuxd listed the
    // phone, and the connection to its lockdown service broke.
    out.push_reported(&RULE);
    for (d, l) in s.answered_phones() {
        let Some(mode) = l.query_type.as_deref() else {
            continue;
        };
        if mode.is_empty() || mode == LOCKDOWN_NORMAL_MODE {
            continue;
        }
        out.push(
            Finding::new(&RULE)
                .device(&d.udid)
                .titled(NOT_NORMAL_MODE.fill(&[("mode", mode)]))
                .evidence(format!(
                    "QueryType answered {mode:?}, not {LOCKDOWN_NORMAL_MODE:?}: the phone is not running iOS normally, so nothing else was asked"
                )),
        );
    }
    for d in &s.probes.devices {
        // lockdownd refused or never answered, or stopped answering mid-way.
        let stalled = d
            .lockdown()
            .and_then(|l| l.aborted.as_ref())
            .filter(|f| f.kind == FailureKind::TimedOut);
        let Some(f) = d.lockdown.failure().or(stalled) else {
            continue;
        };
        // A phone that is gone is connection.unstable's.
        if matches!(f.kind, FailureKind::NotFound | FailureKind::Closed) {
            continue;
        }
        let mut finding = Finding::new(&RULE).device(&d.udid).evidence(format!(
            "lockdownd ({}): {}",
            f.kind.as_str(),
            f.message
        ));
        let answered = d.lockdown().map_or(0, |l| l.reply_ms.len());
        if stalled.is_some() && answered > 0 {
            // It works, slowly: a warning, never a blocker.
            out.push(
                finding
                    .title(&TOO_SLOW)
                    .steps(texts::SLOW_ANSWER_STEPS)
                    .evidence(format!("it had answered {answered} requests before that"))
                    .at_most(Severity::Warning)
                    .confidence(Confidence::Possible),
            );
            continue;
        }
        if f.kind != FailureKind::Refused {
            finding = finding.confidence(Confidence::Likely);
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn a_phone_that_answers_as_another_service_is_named_by_its_mode() {
        let s = world()
            .phone()
            .lockdown(|l| l.query_type = Some("com.apple.mobile.restored".into()))
            .build();
        let f = only(&s, &RULE);
        assert_eq!(
            f.title,
            "The iPhone is not in normal mode (com.apple.mobile.restored)"
        );
        assert!(fired(&world().phone().build(), &RULE).is_empty());
    }

    #[test]
    fn a_phone_that_answered_then_ran_out_of_time_is_slow_not_unreachable() {
        let s = world()
            .phone()
            .lockdown(|l| {
                l.reply_ms = vec![1500, 1500];
                l.aborted = Some(Failure::new(FailureKind::TimedOut, "no answer to GetValue"));
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.title, TOO_SLOW.text);
        assert_eq!(f.severity, Severity::Warning);
    }

    #[test]
    fn fires_when_lockdownd_refuses_or_hangs() {
        let s = world()
            .phone()
            .device(|d| d.lockdown = failed(FailureKind::Refused))
            .build();
        assert_eq!(only(&s, &RULE).confidence, Confidence::Certain);
        let s = world()
            .phone()
            .device(|d| d.lockdown = failed(FailureKind::TimedOut))
            .build();
        assert_eq!(only(&s, &RULE).confidence, Confidence::Likely);
    }

    #[test]
    fn fires_when_answers_stop_mid_way() {
        let s = world()
            .phone()
            .lockdown(|l| {
                l.aborted = Some(Failure::new(
                    FailureKind::TimedOut,
                    "no answer to GetValue before the deadline",
                ))
            })
            .build();
        assert!(only(&s, &RULE).says("GetValue"));
    }

    #[test]
    fn silent_when_it_answers_or_the_phone_left() {
        assert!(fired(&world().phone().build(), &RULE).is_empty());
        let s = world()
            .phone()
            .device(|d| d.lockdown = failed(FailureKind::NotFound))
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }
}
