use crate::knowledge::{self, Code};
use crate::rules::prelude::*;

/// Codes whose own rule reports them with more evidence: 105 (the
/// computer's free space, `host.disk-space`) and 208 (the passcode,
/// `device.passcode-prompt`).
const REPORTED_ELSEWHERE: &[i64] = &[105, 208];

declare_rule! {
    /// ## What it means
    /// The phone's backup agent said the backup failed, with an
    /// `MBErrorDomain` code when it gave one, or the agent itself crashed.
    ///
    /// ## Why the backup fails
    /// The backup agent on the phone (BackupAgent2) runs the backup; the
    /// program on the computer only receives files. When the agent gives up
    /// it says why in its log, with the same MBErrorDomain code the program
    /// shows later as "ErrorCode N" (if it shows anything): the code names
    /// the cause, and `explain <code>` says more. A crash of the agent looks
    /// like "the iPhone disconnected" to the program
    /// (<https://imazing.com/blog/ios-10-3-3-device-disconnected-error-during-backup-fix>).
    ///
    /// ## Evidence used
    /// The phone's backup log (`watch`, or an `idevicesyslog` capture given
    /// to `diagnose --from`): the failure line with its code, looked up in
    /// what `explain` knows; a crash line ("Terminating app due to uncaught
    /// exception", or ReportCrash writing a report for BackupAgent2). Codes
    /// 105 and 208 are reported by `host.disk-space` and
    /// `device.passcode-prompt`, which have the evidence that goes with them.
    ///
    /// ## Known limitations
    /// The description is the agent's own words with paths and addresses
    /// masked; codes nobody has documented publicly are shown without a
    /// meaning. A crash followed by a successful retry is reported as a
    /// note only.
    pub static RULE = {
        id: RuleId::BackupAgentFailed,
        title: "The iPhone's backup agent reported that the backup failed",
        variants: &[KNOWN, CRASHED, FINISHED_LATER],
        layer: Layer::Backup,
        severity: Severity::Blocker,
        steps: &[
            Fix::any("Run `iphone-backup-check explain <code>` with the code shown, and follow its steps."),
            Fix::any("Restart the iPhone, then start the backup again with the phone unlocked and connected by cable."),
        ],
        since: "0.1.0",
        check,
    }
}

/// After a crash there is no code to explain.
const CRASH_STEPS: &[Fix] = &[
    Fix::any("Restart the iPhone and update iOS (Settings > General > Software Update), then start the backup again."),
    Fix::any("If it crashes at the same point every time, a file on the phone trips the backup agent: note what the program showed last and look for it in the phone's log (`iphone-backup-check watch -v`)."),
];

const KNOWN: Title = Title {
    when: "the failure's MBErrorDomain code is one `explain` knows",
    text: "The iPhone's backup agent failed: {title}",
};

const CRASHED: Title = Title {
    when: "the backup agent crashed and no later line shows the backup finishing",
    text: "The iPhone's backup agent crashed during the backup",
};

const FINISHED_LATER: Title = Title {
    when: "the backup agent crashed or failed, but a later backup in the same log finished",
    text: "The iPhone's backup agent failed once, then a backup finished",
};

fn check(s: &Snapshot, out: &mut Findings) {
    for d in &s.probes.devices {
        let Some(log) = d.backup_log() else {
            continue;
        };
        let bad = log.events.iter().rposition(|e| {
            matches!(e.event, BackupEvent::Crashed)
                || matches!(&e.event, BackupEvent::Failed { code, .. }
                    if !code.is_some_and(|c| REPORTED_ELSEWHERE.contains(&c)))
        });
        let Some(i) = bad else {
            continue;
        };
        let Some(e) = log.events.get(i) else {
            continue;
        };
        let finished_after = log.events[i + 1..]
            .iter()
            .any(|e| matches!(e.event, BackupEvent::Finished { .. }));
        let mut f = Finding::new(&RULE).device(&d.udid).evidence(format!(
            "{}: {}",
            log.origin(),
            e.evidence()
        ));
        match &e.event {
            BackupEvent::Failed { code: Some(c), .. } => {
                let entry = knowledge::all()
                    .iter()
                    .find(|en| en.codes.contains(&Code::mb(*c)));
                match entry {
                    Some(en) => {
                        f = f
                            .titled(KNOWN.fill(&[("title", en.title)]))
                            .evidence(format!("MBErrorDomain {c}: {}", en.meaning))
                            .steps(en.fixes);
                    }
                    None => {
                        f = f.evidence(format!(
                            "MBErrorDomain {c} is not one this tool has a public description of"
                        ))
                    }
                }
            }
            BackupEvent::Crashed => f = f.title(&CRASHED).steps(CRASH_STEPS),
            _ => {}
        }
        if finished_after {
            f = f
                .title(&FINISHED_LATER)
                .at_most(Severity::Info)
                .evidence("a later backup in the same log finished");
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn a_known_code_is_explained_with_its_fixes() {
        let s = world()
            .phone()
            .phone_log("Nov 30 05:40:19 BackupAgent2[1] <Error>: Backup failed: Multiple errors uploading files (MBErrorDomain/104)")
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Blocker);
        assert!(f.title.contains("MBErrorDomain 104"), "{}", f.title);
        assert!(f.says("MBErrorDomain 104: "), "{:?}", f.evidence);
        assert!(!f.remediation.is_empty());
        // 105 and 208 belong to their own rules.
        let s = world()
            .phone()
            .phone_log("Nov 30 05:40:19 BackupAgent2[1] <Error>: Device locked (MBErrorDomain/208)")
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn a_crash_then_a_finished_retry_is_a_note() {
        let s = world()
            .phone()
            .phone_log("Jan 21 02:17:29 unknown BackupAgent2[119] <Error>: *** Terminating app due to uncaught exception 'NSInvalidArgumentException'
                        Jan 21 02:17:34 unknown BackupAgent2[142] <Warning>: WARNING: Starting backup
                        Jan 21 02:17:37 unknown BackupAgent2[142] <Warning>: WARNING: Finished backup in 2.873 s")
            .build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.title.as_str()),
            (Severity::Info, FINISHED_LATER.text)
        );
        let s = world()
            .phone()
            .phone_log("Jan 21 02:17:29 unknown BackupAgent2[119] <Error>: *** Terminating app due to uncaught exception 'X'")
            .build();
        assert_eq!(only(&s, &RULE).title, CRASHED.text);
    }
}
