use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The last backup of this iPhone stopped part-way: its Status.plist
    /// says the snapshot never reached the `finished` state (for example
    /// `uploading`), or a `Snapshot/` folder the phone was still filling was
    /// left behind in the backup folder.
    ///
    /// ## Why the backup fails
    /// A backup is first written into a snapshot and only becomes the
    /// backup when the phone marks it finished. A torn one was cut off by a
    /// disconnect, a locked phone (iOS 16.1 and later ask for the passcode
    /// and give up after a few minutes), a full disk, sleep, or the cable.
    /// It cannot be restored, and the next backup may have to start over
    /// and send everything again; if the same cause is still there it stops
    /// at the same point.
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// Status.plist `SnapshotState`, `BackupState`, `IsFullBackup` and
    /// `Date`; whether a `Snapshot/` folder exists in the backup. The backup
    /// judged is the latest of each connected phone (matched by UDID), or
    /// the most recent one when no phone is connected.
    ///
    /// While a run is unfinished its Manifest.plist and Manifest.db are not
    /// complete yet: their state (missing, empty, not a readable database)
    /// is listed here as part of that run, not as damage (`backup.corrupt`).
    /// When a backup program is running, the run may simply still be going:
    /// the finding says so.
    ///
    /// ## Known limitations
    /// Finder and iTunes clean up a torn backup when the next one starts;
    /// this check only says what the folder holds now. Status.plist still
    /// says `uploading` after a backup was cut off, so on its own it cannot
    /// tell a stopped run from one still going; files that change while the
    /// check reads them can, and then `host.backup-in-progress` reports the
    /// backup instead.
    pub static RULE = {
        id: RuleId::BackupUnfinished,
        title: "The last backup of this iPhone did not finish",
        layer: Layer::Backup,
        severity: Severity::Warning,
        steps: &[
            Fix::any("Keep the iPhone unlocked, connected by cable and awake while the backup runs; on iOS 16.1 and later type the passcode on the phone when the backup starts."),
            Fix::any("Start the backup again and let it finish; check that the computer will not sleep meanwhile."),
            Fix::new(Platforms::MACOS, "If it stops again at the same point, delete the unfinished backup (Finder: select the iPhone > Manage Backups) and start a new one."),
            Fix::new(Platforms::WINDOWS, "If it stops again at the same point, delete the unfinished backup (iTunes: Edit > Preferences > Devices; Apple Devices: Manage Backups) and start a new one."),
            Fix::new(Platforms::LINUX, "If it stops again at the same point, move the backup's folder aside and run a full backup: idevicebackup2 backup --full DIR"),
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
    for (b, udid) in s.judged_backups() {
        let state = b.status.snapshot_state.as_deref();
        let torn_state = b.status.file.is_present() && state.is_some_and(|st| st != "finished");
        if !torn_state && !b.snapshot_dir {
            continue;
        }
        // Being written right now: host.backup-in-progress reports it.
        if b.changed_during_check {
            continue;
        }
        let label = b.label();
        let mut f = Finding::new(&RULE)
            .device(udid)
            .evidence(if label == b.folder {
                format!("backup in folder {}", b.folder)
            } else {
                format!("backup of {label} in folder {}", b.folder)
            });
        if torn_state {
            let mut line = format!("Status.plist: SnapshotState = {}", state.unwrap_or("?"));
            if let Some(bs) = &b.status.backup_state {
                line.push_str(&format!(", BackupState = {bs}"));
            }
            if let Some(full) = b.status.is_full_backup {
                line.push_str(if full {
                    ", full backup"
                } else {
                    ", incremental backup"
                });
            }
            if let Some(d) = &b.status.date {
                line.push_str(&format!(", started {d}"));
            }
            f = f.evidence(line).quoting(b.status.quote.as_ref());
        }
        if b.snapshot_dir {
            f = f.evidence(
                "a Snapshot folder the phone was still writing into is left in the backup",
            );
        }
        for line in super::corrupt::in_flight(b) {
            f = f.evidence(line);
        }
        if let Some(host) = s.host() {
            for t in &host.running_tools {
                f = f.evidence(format!(
                    "{} is running: if it is backing up this iPhone now, this backup is still in progress, not stopped; check again when it has finished",
                    t.tool
                ));
            }
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::rules::testing_backups::*;

    #[test]
    fn uploading_state_fires_for_the_connected_phone() {
        let s = world()
            .phones(&[UDID_A])
            .backup(|b| {
                b.status.snapshot_state = Some("uploading".into());
                b.status.backup_state = Some("empty".into());
                b.status.is_full_backup = Some(true);
                b.manifest_db.file = MetaFile::default();
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.device.as_deref(), Some(UDID_A));
        assert_eq!(f.severity, Severity::Warning);
        assert!(
            f.says("SnapshotState = uploading, BackupState = empty, full backup"),
            "{:?}",
            f.evidence
        );
        assert!(f.states("Manifest.db is missing"));
        assert!(!f.remediation.is_empty());
    }

    #[test]
    fn a_half_written_manifest_db_is_evidence_of_the_run() {
        let s = world()
            .backup(|b| {
                b.status.snapshot_state = Some("uploading".into());
                b.manifest_db.file.state = FileState::Unparseable;
                b.manifest_db.file.error = Some("database disk image is malformed".into());
                b.manifest_db.quick_check = None;
            })
            .running(&[("AppleMobileBackup", "Finder's backup agent", 812)])
            .build();
        let f = only(&s, &RULE);
        assert!(f.states("Manifest.db is not parseable: database disk image is malformed"));
        assert!(
            f.says("Finder's backup agent is running: if it is backing up"),
            "{:?}",
            f.evidence
        );
    }

    #[test]
    fn a_backup_changing_under_the_check_is_left_to_host_backup_in_progress() {
        let s = world()
            .backup(|b| {
                b.status.snapshot_state = Some("uploading".into());
                b.changed_during_check = true;
            })
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn a_left_snapshot_folder_fires_even_when_finished() {
        let s = world().backup(|b| b.snapshot_dir = true).build();
        assert!(only(&s, &RULE).says("Snapshot folder"));
    }

    #[test]
    fn finished_backup_is_silent() {
        assert!(fired(&world().phones(&[UDID_A]).backup(|_| {}).build(), &RULE).is_empty());
    }

    #[test]
    fn another_phones_torn_backup_is_not_judged_when_a_phone_is_connected() {
        let s = world()
            .phones(&[UDID_B])
            .backup(|b| b.status.snapshot_state = Some("uploading".into()))
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn without_phone_only_the_newest_backup_is_judged() {
        let mut old = finished_backup(UDID_B, "2024-01-01T00:00:00Z");
        old.status.snapshot_state = Some("uploading".into());
        let new = finished_backup(UDID_A, "2026-01-01T00:00:00Z");
        assert!(fired(&world().backups(vec![old.clone(), new]).build(), &RULE).is_empty());
        let f = only(&world().backups(vec![old]).build(), &RULE);
        assert_eq!(f.device.as_deref(), Some(UDID_B));
    }

    #[test]
    fn udid_option_picks_the_phone_even_when_usbmuxd_lists_none() {
        let mut torn = finished_backup(UDID_B, "2024-01-01T00:00:00Z");
        torn.status.snapshot_state = Some("uploading".into());
        let newer = finished_backup(UDID_A, "2026-01-01T00:00:00Z");
        let mut s = world().backups(vec![torn, newer]).build();
        s.options.udid = Some(UDID_B.to_uppercase());
        let f = only(&s, &RULE);
        assert_eq!(f.device.as_deref(), Some(UDID_B));
    }

    #[test]
    fn unreadable_status_is_left_to_backup_corrupt() {
        let s = world()
            .backup(|b| {
                b.status.file.state = FileState::Unparseable;
                b.status.snapshot_state = None;
            })
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }
}
