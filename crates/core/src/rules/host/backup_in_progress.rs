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
    /// The phone runs one backup at a time. A second tool asking for a backup
    /// is refused or waits; two tools in the same folder can also leave a
    /// backup half written. A backup read while it is written can look
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
    /// The host probe's list of running processes, matched by name; whether
    /// Manifest.db, Manifest.plist, Status.plist or Info.plist of a backup
    /// changed in size or modification time between the start and the end
    /// of the check; what reads as damaged in a backup meanwhile.
    ///
    /// ## Known limitations
    /// A tool sitting idle in the background counts too; the check cannot
    /// tell whether it is busy right now. A backup written so slowly that
    /// nothing changes during the check is only seen through its program.
    pub static RULE = {
        id: "host.backup-in-progress",
        title: "Another backup or sync program is running",
        variants: &[BEING_WRITTEN],
        layer: Layer::Host,
        severity: Severity::Warning,
        steps: &[
            Fix::any("Let a running backup or update finish, or cancel it in the program that started it."),
            texts::ONE_TOOL,
            Fix::new(Platforms::MACOS, "MobileDeviceUpdater means macOS is installing support for a newer iPhone: let it finish, then back up."),
        ],
        since: "0.1.0",
        check,
    }
}

const BEING_WRITTEN: Title = Title {
    when: "no backup program is listed, but a backup changed while the check read it",
    text: "A backup is being written to the backup folder right now",
};

fn check(s: &Snapshot, out: &mut Findings) {
    for r in out.reported_for(RULE.id) {
        out.push(r.finding(&RULE));
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
        f = f.evidence(format!(
            "{} is running (process {}, pid {})",
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
    fn lists_each_running_tool() {
        let s = world()
            .running(&[
                ("AppleMobileBackup", "Finder's backup agent", 812),
                ("iMazing", "iMazing", 90),
            ])
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.evidence.len(), 2);
        assert!(f.evidence[0].contains("Finder's backup agent"));
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
        assert!(f.evidence[0].contains("changed while this check read it"));
        assert!(
            f.evidence[1].contains("reads as damaged while a backup may be writing it (Manifest.db is not parseable: database disk image is malformed)"),
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
        assert!(
            f.evidence[1].contains("fails SQLite's quick check"),
            "{:?}",
            f.evidence
        );
    }

    #[test]
    fn silent_when_none_running() {
        assert!(fired(&world().build(), &RULE).is_empty());
    }
}
