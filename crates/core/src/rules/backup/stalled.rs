use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// A backup was running and the phone's backup agent stopped making
    /// progress: no scanning, preflight, upload or move line for two
    /// minutes or more while the backup had not finished or failed.
    ///
    /// ## Why the backup fails
    /// BackupAgent2 logs every few seconds while it scans and uploads. When
    /// it goes quiet the backup is waiting for something: the computer (a
    /// tool that stopped answering, as in "idevicebackup2 stuck at sending
    /// UDID", <https://github.com/libimobiledevice/libimobiledevice/issues/881>),
    /// the passcode on the phone, free space, or a connection that is gone.
    /// The program at the computer usually shows a percentage that no longer
    /// moves; the phone's log says what it did last.
    ///
    /// ## Evidence used
    /// The phone's backup log (`watch` follows it live through
    /// `com.apple.syslog_relay`; `diagnose --from` reads an `idevicesyslog`
    /// capture): how long nothing moved and the last thing the agent did
    /// before. Live, the time is counted on this computer since the last
    /// progress line arrived; in a capture, between the phone's own
    /// timestamps.
    ///
    /// ## Known limitations
    /// A capture that ends while the agent is quiet shows no gap: the stall
    /// is seen only when a later line arrives, or live. Some phases (moving
    /// a very large Manifest.db) may legitimately log nothing for minutes.
    pub static RULE = {
        id: RuleId::BackupStalled,
        title: "The running backup stopped making progress",
        layer: Layer::Backup,
        severity: Severity::Warning,
        steps: &[
            Fix::any("Look at the iPhone: if it asks for its passcode, type it; keep it unlocked and connected by cable until the backup finishes."),
            Fix::any("If the program on the computer stopped answering, cancel the backup there and start it again."),
            texts::ONE_TOOL,
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    for d in &s.probes.devices {
        let Some(log) = d.backup_log() else {
            continue;
        };
        let Some(stall) = &log.stall else {
            continue;
        };
        let mut f = Finding::new(&RULE).device(&d.udid).evidence(format!(
            "{}: no progress for {} while the backup had not ended{}",
            log.origin(),
            fmt::secs(stall.seconds.saturating_mul(1000)),
            if stall.ongoing { " (still quiet)" } else { "" }
        ));
        f = f.evidence(match &stall.since {
            Some(t) => format!("the last thing it did, at {t}: {}", stall.last),
            None => format!("the last thing it did: {}", stall.last),
        });
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn a_stall_says_what_it_did_last() {
        let mut s = world().phone().build();
        s.probes.devices[0].backup_log = Some(Outcome::Ok {
            duration_ms: 1,
            value: BackupLogObs {
                stall: Some(Stall {
                    seconds: 600,
                    last: "scanning the phone's files".into(),
                    since: Some("Dec  3 22:34:14".into()),
                    ongoing: true,
                }),
                ..Default::default()
            },
        });
        let f = only(&s, &RULE);
        assert!(f.says("600 s"), "{:?}", f.evidence);
        assert!(f.says("Dec  3 22:34:14: scanning"), "{:?}", f.evidence);
        // A log that runs normally: nothing.
        let s = world()
            .phone()
            .phone_log(
                "Nov 30 05:00:00 BackupAgent2[1] <Notice>: Starting backup
                        Nov 30 05:00:01 BackupAgent2[1] <Notice>: Finished backup in 1.0 s",
            )
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }
}
