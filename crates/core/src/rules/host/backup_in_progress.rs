use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// A backup is running on this computer: a program that backs up or
    /// syncs iPhones was running when the check ran (Finder's backup agent,
    /// iTunes, the Apple Devices app, idevicebackup2, iMazing and the
    /// like), or a backup in the backup folder changed while the check read
    /// it.
    ///
    /// ## Why the backup fails
    /// The phone runs one backup at a time. Before a backup or restore each
    /// tool takes the phone's sync lock (an exclusive lock on
    /// `/com.apple.itunes.lock_sync` over AFC,
    /// <https://github.com/libimobiledevice/libimobiledevice/blob/fa0f79190142bc309307967c058f89c1b36eb6b8/tools/idevicebackup2.c#L2163-L2190>);
    /// a second tool waits for it and gives up ("ERROR: timeout while
    /// locking for sync" in idevicebackup2, "Failed to lock itunes sync file"
    /// in pymobiledevice3), or is refused the backup service. Two tools in
    /// the same folder can also leave a backup half written. A backup read while it is written can look
    /// damaged: this check opens Manifest.db read-only in SQLite's
    /// `immutable` mode, which takes no locks and so sees half-written pages
    /// ("setting the immutable property on a database file that does in
    /// fact change can result in incorrect query results and/or
    /// SQLITE_CORRUPT errors", <https://www.sqlite.org/uri.html#uriimmutable>),
    /// reported as "database disk image is malformed". That is the running
    /// backup, not damage, and the finding lists it here instead of
    /// `backup.corrupt`.
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// The host probe's list of running processes, matched by name, or for
    /// pymobiledevice3 (which runs in Python) by its command line, which
    /// also says whether it is backing up (`backup2 backup`/`restore`; the
    /// command line is matched, never kept); whether
    /// Manifest.db, Manifest.plist, Status.plist or Info.plist of a backup
    /// changed in size or modification time between the start and the end
    /// of the check; what reads as damaged in a backup meanwhile. The
    /// phone's backup log (`watch`, or an `idevicesyslog` capture): a line
    /// saying its sync lock (`com.apple.itunes.lock_sync`) is held by
    /// another client, matched by its words (no public capture shows the
    /// exact line).
    ///
    /// This check never takes the sync lock itself (that would be a write
    /// the phone sees, and would disturb the backup holding it); a phone
    /// whose backup service answers `ServiceLimit` is reported by
    /// `backup-service.refused` as the service being in use.
    ///
    /// ## Known limitations
    /// A tool sitting idle in the background counts too; the check cannot
    /// tell whether it is busy right now. A backup written so slowly that
    /// nothing changes during the check is only seen through its program.
    /// A lock held by another computer (a Wi-Fi sync) shows no program
    /// here.
    pub static RULE = {
        id: RuleId::HostBackupInProgress,
        title: "Another backup or sync program is running",
        variants: &[BEING_WRITTEN, SYNC_LOCK],
        layer: Layer::Host,
        severity: Severity::Warning,
        steps: &[
            Fix::any("Let a running backup or update finish, or cancel it in the program that started it."),
            texts::ONE_TOOL,
            Fix::new(Platforms::MACOS, "MobileDeviceUpdater means macOS is installing support for a newer iPhone: let it finish, then back up."),
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

const BEING_WRITTEN: Title = Title {
    when: "no backup program is listed, but a backup changed while the check read it",
    text: "A backup is being written to the backup folder right now",
};

/// The phones whose backup log says another client holds their sync lock.
const SYNC_LOCK: Title = Title {
    when: "the phone's backup log says another client holds its sync lock",
    text: "Another computer or program is syncing or backing up this iPhone",
};

fn sync_locks(s: &Snapshot) -> Vec<(&str, &BackupLogObs, &BackupLogEvent)> {
    s.probes
        .devices
        .iter()
        .filter_map(|d| {
            let log = d.backup_log()?;
            let e = log.find(|e| *e == BackupEvent::SyncLockHeld).last()?;
            Some((d.udid.as_str(), log, e))
        })
        .collect()
}

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
    let locks = sync_locks(s);
    for (udid, log, e) in &locks {
        out.push(
            Finding::new(&RULE)
                .title(&SYNC_LOCK)
                .device(*udid)
                .evidence(format!("{}: {}", log.origin(), e.evidence()))
                .evidence("the phone lets one computer or program back up or sync at a time"),
        );
    }
    let Some(host) = s.host() else {
        return;
    };
    let changing: Vec<&BackupObs> = s
        .backups()
        .map(|o| {
            o.backups
                .iter()
                .filter(|b| b.changed_during_check)
                .collect()
        })
        .unwrap_or_default();
    if host.running_tools.is_empty() && changing.is_empty() {
        return;
    }
    let mut f = Finding::new(&RULE);
    for t in &host.running_tools {
        let now = if t.backing_up {
            ", backing up or restoring now (which takes the phone's sync lock)"
        } else {
            ""
        };
        f = f.evidence(format!(
            "{} is running (process {}, pid {}){now}",
            t.tool, t.process, t.pid
        ));
    }
    for b in &changing {
        f = f.evidence(format!(
            "the backup of {} in folder {} changed while this check read it: a backup is being written there now",
            b.label(),
            b.folder
        ));
    }
    if host.running_tools.is_empty() {
        f = f.title(&BEING_WRITTEN);
    }
    for (b, _) in s.judged_backups() {
        use crate::rules::backup::corrupt;
        let mut problems = corrupt::damage(b).lines;
        if corrupt::unfinished(b) {
            problems.extend(corrupt::in_flight(b));
        }
        if problems.is_empty() {
            continue;
        }
        f = f.evidence(format!(
            "the backup of {} reads as damaged while a backup may be writing it ({}): a file read while it is written looks like this, so it is not counted as damage; check again when the backup has finished",
            b.label(),
            problems.join("; ")
        ));
    }
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn the_phone_says_its_sync_lock_is_held() {
        let s = world()
            .phone()
            .phone_log("Apr  1 09:25:45 lockdownd[21] <Error>: com.apple.itunes.lock_sync is held by another client")
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.title, SYNC_LOCK.text);
        assert!(f.device.is_some());
    }

    #[test]
    fn lists_each_running_tool() {
        let s = world()
            .running(&[
                ("AppleMobileBackup", "Finder's backup agent", 812),
                ("iMazing", "iMazing", 90),
            ])
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.evidence_lines().len(), 2);
        assert!(f.says("Finder's backup agent"));
    }

    #[test]
    fn a_tool_backing_up_is_said_to_hold_the_lock() {
        let s = world()
            .running(&[("python3", "pymobiledevice3", 4242)])
            .host(|h| h.running_tools[0].backing_up = true)
            .build();
        let f = only(&s, &RULE);
        assert_eq!(
            f.evidence_lines(),
            ["pymobiledevice3 is running (process python3, pid 4242), backing up or restoring now (which takes the phone's sync lock)"]
        );
    }

    use crate::rules::testing_backups::*;

    #[test]
    fn a_backup_changing_under_the_check_is_a_backup_running() {
        let s = world()
            .phones(&[UDID_A])
            .backup(|b| {
                b.changed_during_check = true;
                b.manifest_db.file.state = FileState::Unparseable;
                b.manifest_db.file.error = Some("database disk image is malformed".into());
                b.manifest_db.quick_check = None;
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.title, BEING_WRITTEN.text);
        assert!(f.says("changed while this check read it"));
        assert!(
            f.says("reads as damaged while a backup may be writing it (Manifest.db is not parseable: database disk image is malformed)"),
            "{:?}",
            f.evidence
        );
    }

    #[test]
    fn a_running_tool_names_what_reads_as_damaged() {
        let s = world()
            .phones(&[UDID_A])
            .backup(|b| {
                b.manifest_db.quick_check = Some(vec!["Tree 2 page 7: never used".into()]);
            })
            .running(&[("AppleMobileBackup", "Finder's backup agent", 812)])
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.title, RULE.title);
        assert!(f.says("fails SQLite's quick check"), "{:?}", f.evidence);
    }

    #[test]
    fn silent_when_none_running() {
        assert!(fired(&world().build(), &RULE).is_empty());
    }
}
