use std::cmp::Ordering;

use crate::rules::prelude::*;
use crate::version::compare_versions;

declare_rule! {
    /// ## What it means
    /// Since iOS 16.1 (and iOS 15.7.1 on the 15 line) the phone asks for its
    /// passcode on its own screen at the start of every backup to a
    /// computer.
    ///
    /// ## Why the backup fails
    /// If nobody types the passcode, the backup waits and then fails after
    /// about three minutes with MBErrorDomain error 208 ("Device locked"),
    /// which looks like a hang or a random failure to the person at the
    /// computer.
    ///
    /// ## Evidence used
    /// ProductVersion from lockdownd: 16.1 or later, or 15.7.1 up to (not
    /// including) 16.0. `PasswordProtected: true` read in a trusted session:
    /// the phone is locked right now. A locked phone whose session works is
    /// not a fault of its own (`device.locked` reports the lock only when it
    /// makes the phone refuse); it is this reminder, with the lock as its
    /// evidence, and then it ranks before the general notes
    /// (`docs/ranking.md`). The phone's backup log (`watch`, or an
    /// `idevicesyslog` capture): the agent waiting for the passcode with
    /// nothing after it, or the backup failing with MBErrorDomain 208
    /// ("Device locked"); then it is what happens now, not a reminder.
    ///
    /// ## Known limitations
    /// No public capture shows the exact log line of the passcode prompt;
    /// it is recognised by its words ("passcode" with "wait", "prompt",
    /// "enter", "presented" or "required", or pymobiledevice3's
    /// `com.apple.LocalAuthentication.ui.presented`).
    pub static RULE = {
        id: RuleId::DevicePasscodePrompt,
        title: "The passcode must be typed on the iPhone when the backup starts",
        variants: &[LOCKED_NOW, WAITING, FAILED_208],
        layer: Layer::Device,
        severity: Severity::Info,
        basis: Basis::Advice,
        steps: &[
            texts::PASSCODE_AT_START,
            Fix::any("For unattended backups (scripts, idevicebackup2), watch the phone during the first minutes: no passcode means error 208 after about three minutes."),
        ],
        since: "0.1.0",
        check,
    }
}

const LOCKED_NOW: Title = Title {
    when: "the phone is locked right now while its session works",
    text: "The iPhone is locked: unlock it with the passcode when the backup starts",
};

const WAITING: Title = Title {
    when: "the phone's backup log shows the backup waiting for the passcode",
    text: "The backup is waiting for the passcode to be typed on the iPhone",
};

const FAILED_208: Title = Title {
    when: "the phone's backup log shows the backup failing with MBErrorDomain 208 (Device locked)",
    text: "The backup stopped because the passcode was not typed on the iPhone",
};

/// MBErrorDomain "Device locked".
const DEVICE_LOCKED: i64 = 208;

/// What the phone's log says about the passcode: still waiting, or failed for it.
fn from_log(d: &DeviceObs) -> (Option<&BackupLogEvent>, Option<&BackupLogEvent>) {
    let Some(log) = d.backup_log() else {
        return (None, None);
    };
    let last_wait = log
        .events
        .iter()
        .rposition(|e| e.event == BackupEvent::PasscodeWaiting);
    let moved_on = log.events.iter().rposition(|e| {
        e.event.is_progress()
            && !matches!(
                e.event,
                BackupEvent::Started { .. } | BackupEvent::Kind { .. }
            )
    });
    let waiting = match (last_wait, moved_on) {
        (Some(w), Some(m)) if m > w => None,
        (Some(w), _) => log.events.get(w),
        _ => None,
    };
    let failed = log
        .find(|e| matches!(e, BackupEvent::Failed { code: Some(c), .. } if *c == DEVICE_LOCKED))
        .last();
    (waiting, failed)
}

/// Whether this iOS asks for the passcode when a computer backup starts.
pub fn asks_passcode(version: &str) -> bool {
    let at_least = |v| compare_versions(version, v) != Ordering::Less;
    at_least("16.1") || (at_least("15.7.1") && compare_versions(version, "16") == Ordering::Less)
}

fn check(s: &Snapshot, out: &mut Findings) {
    for d in &s.probes.devices {
        let asks = d.ios_version().filter(|v| asks_passcode(v));
        let locked_now =
            d.trusted() && d.lockdown().and_then(|l| l.password_protected) == Some(true);
        let (waiting, failed) = from_log(d);
        if asks.is_none() && !locked_now && waiting.is_none() && failed.is_none() {
            continue;
        }
        let mut f = Finding::new(&RULE).device(&d.udid);
        if let Some(e) = failed {
            f = f
                .title(&FAILED_208)
                .basis(Basis::Evidence)
                .evidence(e.evidence())
                .step(texts::UNLOCK.text);
        } else if let Some(e) = waiting {
            f = f
                .title(&WAITING)
                .basis(Basis::Evidence)
                .evidence(e.evidence())
                .evidence("without the passcode the phone ends the backup after about three minutes with MBErrorDomain 208")
                .step(texts::UNLOCK.text);
        }
        if waiting.is_some() || failed.is_some() {
            if let Some(v) = asks {
                f = f.evidence(format!(
                    "iOS {v} asks for the passcode at the start of each backup"
                ));
            }
            out.push(f);
            continue;
        }
        if locked_now {
            f = f
                .title(&LOCKED_NOW)
                .basis(Basis::Evidence)
                .evidence("PasswordProtected: true: the phone is locked right now; its session works, so only the backup itself waits for the unlock")
                .quoting(d.lockdown().and_then(|l| l.quote("PasswordProtected")))
                .step(texts::UNLOCK.text);
        }
        if let Some(v) = asks {
            f = f
                .evidence(format!(
                    "iOS {v} asks for the passcode at the start of each backup"
                ))
                .quoting(d.lockdown().and_then(|l| l.quote("ProductVersion")));
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn version_boundaries() {
        for v in ["16.1", "16.7.2", "17.0", "26.6", "15.7.1", "15.8.8"] {
            assert!(asks_passcode(v), "{v}");
        }
        for v in ["16.0", "16.0.3", "15.7", "15.6.1", "13.3.1", ""] {
            assert!(!asks_passcode(v), "{v}");
        }
    }

    #[test]
    fn a_locked_phone_is_this_reminder_with_the_lock_as_evidence() {
        let s = world()
            .phone()
            .lockdown(|l| l.password_protected = Some(true))
            .build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.basis, f.title.as_str()),
            (Severity::Info, Basis::Evidence, LOCKED_NOW.text)
        );
        assert!(f.says("locked right now"));
        assert!(f.says("16.7.2"));
        assert!(f.remediation[0].starts_with("Unlock the iPhone"));
        // On an iOS that does not ask for the passcode, the lock alone.
        let s = world()
            .phone()
            .lockdown(|l| {
                l.password_protected = Some(true);
                l.product_version = Some("13.3.1".into());
            })
            .build();
        assert_eq!(only(&s, &RULE).evidence_lines().len(), 1);
        // Locked outside a session says nothing.
        let s = world()
            .phone()
            .no_record()
            .lockdown(|l| {
                l.password_protected = Some(true);
                l.product_version = Some("13.3.1".into());
            })
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn the_log_shows_it_waiting_or_failing() {
        let s = world()
            .phone()
            .phone_log("Apr  1 09:25:45 BackupAgent2[7783] <Notice>: Starting backup
                        Apr  1 09:25:46 BackupAgent2[7783] <Notice>: Waiting for the user to enter the passcode")
            .build();
        let f = only(&s, &RULE);
        assert_eq!((f.title.as_str(), f.basis), (WAITING.text, Basis::Evidence));
        assert!(f.says("waits for its passcode"), "{:?}", f.evidence);
        // Typed: the backup moved on, the usual reminder only.
        let s = world()
            .phone()
            .phone_log("Apr  1 09:25:46 BackupAgent2[7783] <Notice>: Waiting for the user to enter the passcode
                        Apr  1 09:25:50 BackupAgent2[7783] <Notice>: Scanned in 3.0 s")
            .build();
        assert_eq!(only(&s, &RULE).title, RULE.title);
        let s = world()
            .phone()
            .phone_log("Apr  1 09:28:46 BackupAgent2[7783] <Error>: Backup failed: Device locked (MBErrorDomain/208)")
            .build();
        assert_eq!(only(&s, &RULE).title, FAILED_208.text);
    }

    #[test]
    fn fires_for_the_healthy_phone_silent_for_old_ios() {
        let f = only(&world().phone().build(), &RULE);
        assert_eq!((f.severity, f.basis), (Severity::Info, Basis::Advice));
        assert!(f.says("16.7.2"));
        let s = world()
            .phone()
            .lockdown(|l| l.product_version = Some("13.3.1".into()))
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }
}
