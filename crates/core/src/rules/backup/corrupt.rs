use std::cmp::Ordering;

use crate::rules::prelude::*;
use crate::version::compare_versions;

declare_rule! {
    /// ## What it means
    /// The last backup of this iPhone is damaged: one of its metadata files
    /// (Info.plist, Status.plist, Manifest.plist, Manifest.db) is missing,
    /// empty or cannot be parsed, Manifest.db is not an SQLite database or
    /// fails SQLite's quick check, an encrypted backup lacks the keys it
    /// needs or its encrypted Manifest.db is cut short, or (with `--deep`)
    /// files that Manifest.db lists are missing or have another size than
    /// recorded.
    ///
    /// ## Why the backup fails
    /// The next backup starts from the last one: Finder and iTunes read its
    /// metadata first and stop with "the backup was corrupt or not
    /// compatible" (idevicebackup2: "Could not read Status.plist" or an
    /// error 103/104) when they cannot. Missing files also mean the backup
    /// cannot be restored completely.
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// Each metadata file's state (present, missing, empty, not parseable,
    /// with the parser's message), `PRAGMA quick_check` on Manifest.db
    /// opened read-only, and with `--deep` the count of listed files that are
    /// missing or of the wrong size. The backup judged is the latest of each
    /// connected phone, or the most recent one when no phone is connected.
    ///
    /// An encrypted backup (Manifest.plist `IsEncrypted`) is judged without
    /// reading it: since iOS 10.2 its Manifest.db is itself encrypted
    /// (AES-CBC over the whole file, with the key `ManifestKey` wraps; see
    /// how pymobiledevice3 and iOSbackup open it:
    /// <https://github.com/doronz88/pymobiledevice3/blob/master/pymobiledevice3/services/mobilebackup2.py>,
    /// <https://github.com/avibrazil/iOSbackup/blob/master/iOSbackup/__init__.py>),
    /// so SQLite calls any real one "not a database" (MVT takes exactly that
    /// as the sign of an encrypted backup:
    /// <https://github.com/mvt-project/mvt/blob/main/src/mvt/ios/decrypt.py>).
    /// What counts there: Manifest.db missing or empty, a size that is not
    /// a whole number of 16-byte AES blocks (it was cut short), and
    /// Manifest.plist without the `ManifestKey` (iOS 10.2 and later) or
    /// `BackupKeyBag` an encrypted backup needs. Only the presence of those
    /// two keys is read, never their value.
    ///
    /// ## Known limitations
    /// A backup still in progress (see `backup.unfinished`) has no complete
    /// Manifest.plist or Manifest.db yet, so their state is reported there,
    /// not here. A backup that is being written while the check reads it
    /// (its files changed meanwhile, or a backup program is running) is not
    /// judged at all: SQLite reads the database without the writer's locks
    /// (`immutable`, <https://www.sqlite.org/uri.html#uriimmutable>), so a
    /// file half written looks damaged;
    /// `host.backup-in-progress` says what was seen. A backup program left
    /// idle in the background therefore keeps this check quiet until it is
    /// quit. Backups of iOS 9 and earlier use Manifest.mbdb instead of
    /// Manifest.db. The deep check does not read file contents, so a file
    /// damaged without changing size is not seen; encrypted files may be up
    /// to 16 bytes longer than recorded (padding) and still count as right,
    /// and the files of an encrypted backup cannot be compared with its
    /// (encrypted) list at all.
    pub static RULE = {
        id: RuleId::BackupCorrupt,
        title: "The last backup of this iPhone is damaged",
        layer: Layer::Backup,
        severity: Severity::Blocker,
        steps: &[
            Fix::any("Do not delete the damaged backup while it may hold the only copy of something you need: move it aside as below, back up again, and delete it only once a new backup has finished."),
            texts::MOVE_BACKUP_MAC,
            texts::MOVE_BACKUP_WINDOWS,
            texts::MOVE_BACKUP_LINUX,
            Fix::new(Platforms::MACOS, "If the backup folder is on an external or network drive, check that drive for errors (Disk Utility > First Aid) and do not unplug it during a backup."),
            Fix::new(Platforms::WINDOWS, "If the backup folder is on an external or network drive, check that drive for errors (chkdsk, or the drive's Properties > Tools > Check) and do not unplug it during a backup."),
            Fix::new(Platforms::LINUX, "If the backup folder is on an external or network drive, check that drive for errors (unmounted: sudo fsck) and do not unplug it during a backup."),
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

/// A backup run may be writing this backup right now: its files changed
/// while the check read them, or a backup program is running.
pub(crate) fn maybe_being_written(s: &Snapshot, b: &BackupObs) -> bool {
    b.changed_during_check || s.host().is_some_and(|h| !h.running_tools.is_empty())
}

/// Status.plist says the last run has not finished, or a `Snapshot/` folder
/// the phone was filling is left.
pub(crate) fn unfinished(b: &BackupObs) -> bool {
    b.snapshot_dir
        || (b.status.file.is_present()
            && b.status
                .snapshot_state
                .as_deref()
                .is_some_and(|st| st != "finished"))
}

/// The iOS the backup was made of, from Manifest.plist or Info.plist.
fn ios_of(b: &BackupObs) -> Option<&str> {
    b.manifest
        .product_version
        .as_deref()
        .or(b.info.product_version.as_deref())
}

/// One metadata file's state as an evidence line, when it is a problem.
fn file_line(name: &str, file: &MetaFile, missing_ok: bool) -> Option<String> {
    let bad = match file.state {
        FileState::Present | FileState::NotSeen => false,
        FileState::Missing => !missing_ok,
        _ => true,
    };
    if !bad {
        return None;
    }
    let mut line = format!("{name} is {}", file.state.as_str());
    if let Some(e) = &file.error {
        line.push_str(&format!(": {e}"));
    }
    Some(line)
}

fn quick_check_line(db: &ManifestDbObs) -> Option<String> {
    db.check_failed().then(|| {
        let lines = db.quick_check.as_deref().unwrap_or_default();
        format!(
            "Manifest.db fails SQLite's quick check: {}",
            lines.join("; ")
        )
    })
}

/// Manifest.plist and Manifest.db of a backup whose last run did not finish
/// (or is still running): what they hold is not complete yet, so their
/// state is evidence of that run, not damage. For `backup.unfinished`.
pub(crate) fn in_flight(b: &BackupObs) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    out.extend(file_line("Manifest.plist", &b.manifest.file, false));
    out.extend(file_line("Manifest.db", &b.manifest_db.file, false));
    out.extend(quick_check_line(&b.manifest_db));
    out
}

/// What is wrong with one backup.
pub(crate) struct Damage {
    /// Evidence lines, one per problem.
    pub lines: Vec<String>,
    /// A metadata file is broken (not only files the deep check missed).
    pub metadata: bool,
    /// Every broken metadata file only could not be read (permissions).
    pub only_unreadable: bool,
}

/// The problems of a backup's files, as `backup.corrupt` reports them (and
/// `host.backup-in-progress` when a backup may be writing them).
pub(crate) fn damage(b: &BackupObs) -> Damage {
    let in_progress = unfinished(b);
    let ios = ios_of(b);
    let pre_ios10 = ios
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok())
        .is_some_and(|major| major < 10);
    let mut lines: Vec<String> = Vec::new();
    let mut only_unreadable = true;
    let mut files: Vec<(&MetaFile, Option<String>)> = vec![
        (&b.info.file, file_line("Info.plist", &b.info.file, false)),
        (
            &b.status.file,
            file_line("Status.plist", &b.status.file, false),
        ),
    ];
    // An unfinished run's Manifest files are left to backup.unfinished.
    if !in_progress {
        files.push((
            &b.manifest.file,
            file_line("Manifest.plist", &b.manifest.file, false),
        ));
        let mut db = file_line("Manifest.db", &b.manifest_db.file, pre_ios10);
        if let Some(line) = db.as_mut() {
            if b.manifest.is_encrypted.is_none()
                && b.manifest_db.file.state == FileState::Unparseable
                && line.contains("not a database")
            {
                line.push_str(" (an encrypted backup's Manifest.db reads like this, and Manifest.plist, which says whether it is one, could not be read)");
            }
        }
        files.push((&b.manifest_db.file, db));
    }
    for (file, line) in files {
        if let Some(line) = line {
            only_unreadable &= file.state == FileState::Unreadable;
            lines.push(line);
        }
    }
    if !in_progress {
        if let Some(line) = quick_check_line(&b.manifest_db) {
            only_unreadable = false;
            lines.push(line);
        }
        if b.manifest.is_encrypted == Some(true) {
            for line in encryption_problems(b, ios) {
                only_unreadable = false;
                lines.push(line);
            }
        }
    }
    let metadata = !lines.is_empty();
    if let Some(deep) = b.deep.as_ref().filter(|d| d.problems() > 0) {
        let mut line = format!(
            "of {} files listed in Manifest.db, {} missing and {} with another size than recorded",
            deep.checked,
            fmt::plural(deep.missing as usize, "is", "are"),
            deep.wrong_size
        );
        if !deep.complete {
            line.push_str(" (the check stopped early; there may be more)");
        }
        lines.push(line);
        for ex in deep.examples.iter().take(3) {
            let domain = ex.domain.as_deref().unwrap_or("unknown domain");
            lines.push(match (ex.expected_bytes, ex.actual_bytes) {
                (_, None) => format!("missing: {} ({domain})", ex.file_id),
                (Some(e), Some(a)) => {
                    format!("{} ({domain}): {e} bytes recorded, {a} on disk", ex.file_id)
                }
                (None, Some(a)) => format!("{} ({domain}): {a} bytes on disk", ex.file_id),
            });
        }
    }
    Damage {
        lines,
        metadata,
        only_unreadable,
    }
}

/// What an encrypted backup lacks, judged from sizes and key presence only.
fn encryption_problems(b: &BackupObs, ios: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    let db = &b.manifest_db;
    if db.encrypted && db.file.is_present() {
        if let Some(n) = db.file.bytes.filter(|n| n % 16 != 0) {
            out.push(format!(
                "Manifest.db is {n} bytes, not a whole number of 16-byte AES blocks as an encrypted Manifest.db always is: it was cut short"
            ));
        }
    }
    let since_10_2 = ios.is_some_and(|v| compare_versions(v, "10.2") != Ordering::Less);
    if since_10_2 && b.manifest.has_manifest_key == Some(false) {
        out.push("Manifest.plist says IsEncrypted but holds no ManifestKey, which encrypted backups of iOS 10.2 and later carry: their Manifest.db cannot be opened, even with the password".into());
    }
    if b.manifest.has_key_bag == Some(false) {
        out.push("Manifest.plist says IsEncrypted but holds no BackupKeyBag: the keys of the backup's files are not there".into());
    }
    out
}

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
    for (b, udid) in s.judged_backups() {
        // host.backup-in-progress says what reads as damaged meanwhile.
        if maybe_being_written(s, b) {
            continue;
        }
        let d = damage(b);
        if d.lines.is_empty() {
            continue;
        }
        let mut f = Finding::new(&RULE).device(udid).evidence(format!(
            "backup of {} in folder {}",
            b.label(),
            b.folder
        ));
        for p in d.lines {
            f = f.evidence(p);
        }
        f = if !d.metadata {
            // Files missing: the next backup can replace them; a restore cannot.
            f.at_most(Severity::Warning)
        } else if d.only_unreadable {
            f.at_most(Severity::Warning).confidence(Confidence::Possible).step(
                "Some files could not be read by this check (permissions): run it as the user that makes the backups.",
            )
        } else {
            f.confidence(Confidence::Likely)
        };
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::rules::testing_backups::*;

    #[test]
    fn empty_manifest_plist_is_a_likely_blocker() {
        let s = world()
            .phones(&[UDID_A])
            .backup(|b| {
                b.manifest = ManifestPlistObs {
                    file: MetaFile {
                        state: FileState::Empty,
                        bytes: Some(0),
                        error: None,
                    },
                    ..Default::default()
                };
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.confidence),
            (Severity::Blocker, Confidence::Likely)
        );
        assert_eq!(f.device.as_deref(), Some(UDID_A));
        assert!(f.states("Manifest.plist is empty"), "{:?}", f.evidence);
    }

    #[test]
    fn not_a_database_and_failed_quick_check_fire() {
        let s = world()
            .backup(|b| {
                b.manifest_db.file.state = FileState::Unparseable;
                b.manifest_db.file.error = Some("file is not a database".into());
                b.manifest_db.quick_check = None;
            })
            .build();
        assert!(only(&s, &RULE).says("not parseable: file is not a database"));
        let s = world()
            .backup(|b| {
                b.manifest_db.quick_check = Some(vec![
                    "Tree 2 page 7: btreeInitPage() returns error code 11".into(),
                ])
            })
            .build();
        assert!(only(&s, &RULE).says("quick check: Tree 2"));
    }

    #[test]
    fn deep_problems_are_a_warning_with_examples() {
        let s = world()
            .backup(|b| {
                b.deep = Some(DeepCheckObs {
                    checked: 1000,
                    missing: 2,
                    wrong_size: 1,
                    examples: vec![DeepProblem {
                        file_id: "ab".repeat(20),
                        domain: Some("CameraRollDomain".into()),
                        expected_bytes: Some(100),
                        actual_bytes: None,
                    }],
                    complete: true,
                    ..Default::default()
                })
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Warning);
        assert!(
            f.says("of 1000 files listed in Manifest.db, 2 are missing"),
            "{:?}",
            f.evidence
        );
        assert!(f.says("CameraRollDomain"));
    }

    #[test]
    fn torn_backup_without_manifest_is_left_to_backup_unfinished() {
        let s = world()
            .backup(|b| {
                b.status.snapshot_state = Some("uploading".into());
                b.manifest.file = MetaFile::default();
                b.manifest_db.file = MetaFile::default();
                b.manifest_db.quick_check = None;
            })
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn old_ios_backups_need_no_manifest_db() {
        let s = world()
            .backup(|b| {
                b.manifest.product_version = Some("9.3.5".into());
                b.manifest_db.file = MetaFile::default();
                b.manifest_db.quick_check = None;
            })
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn an_encrypted_manifest_db_is_not_damage() {
        // What the probe records for every real encrypted backup: Manifest.db
        // there, not opened, no quick check.
        let s = world()
            .phones(&[UDID_A])
            .backups(vec![encrypted_backup(UDID_A, "2026-08-27T01:52:12Z")])
            .build();
        assert!(fired(&s, &RULE).is_empty(), "{:?}", fired(&s, &RULE));
    }

    #[test]
    fn an_encrypted_backup_still_needs_its_manifest_db_and_keys() {
        let mut empty = encrypted_backup(UDID_A, "2026-08-27T01:52:12Z");
        empty.manifest_db.file = MetaFile {
            state: FileState::Empty,
            bytes: Some(0),
            error: None,
        };
        let f = only(&world().backups(vec![empty]).build(), &RULE);
        assert_eq!(f.severity, Severity::Blocker);
        assert!(f.states("Manifest.db is empty"), "{:?}", f.evidence);

        let mut cut = encrypted_backup(UDID_A, "2026-08-27T01:52:12Z");
        cut.manifest_db.file.bytes = Some(45_057);
        let f = only(&world().backups(vec![cut]).build(), &RULE);
        assert!(
            f.says("45057 bytes, not a whole number of 16-byte AES blocks"),
            "{:?}",
            f.evidence
        );

        let mut keyless = encrypted_backup(UDID_A, "2026-08-27T01:52:12Z");
        keyless.manifest.has_manifest_key = Some(false);
        keyless.manifest.has_key_bag = Some(false);
        let f = only(&world().backups(vec![keyless.clone()]).build(), &RULE);
        assert!(f.says("no ManifestKey"), "{:?}", f.evidence);
        assert!(f.says("no BackupKeyBag"), "{:?}", f.evidence);
        // Before iOS 10.2 Manifest.db was not encrypted and had no key.
        keyless.manifest.has_key_bag = Some(true);
        keyless.manifest.product_version = Some("10.1.1".into());
        keyless.info.product_version = Some("10.1.1".into());
        assert!(fired(&world().backups(vec![keyless]).build(), &RULE).is_empty());
    }

    #[test]
    fn not_a_database_without_a_readable_manifest_plist_says_it_may_be_encrypted() {
        let s = world()
            .backup(|b| {
                b.manifest.file.state = FileState::Unparseable;
                b.manifest.is_encrypted = None;
                b.manifest_db.file.state = FileState::Unparseable;
                b.manifest_db.file.error = Some("file is not a database".into());
                b.manifest_db.quick_check = None;
            })
            .build();
        let f = only(&s, &RULE);
        assert!(
            f.says("an encrypted backup's Manifest.db reads like this"),
            "{:?}",
            f.evidence
        );
    }

    #[test]
    fn a_backup_being_written_is_not_judged() {
        let malformed = |b: &mut BackupObs| {
            b.manifest_db.file.state = FileState::Unparseable;
            b.manifest_db.file.error = Some("database disk image is malformed".into());
            b.manifest_db.quick_check = None;
        };
        // Its files changed while the check read them.
        let s = world()
            .backup(|b| {
                malformed(b);
                b.changed_during_check = true;
            })
            .build();
        assert!(fired(&s, &RULE).is_empty());
        // A backup program is running.
        let s = world()
            .backup(malformed)
            .running(&[("AppleMobileBackup", "Finder's backup agent", 812)])
            .build();
        assert!(fired(&s, &RULE).is_empty());
        // Neither: the same file is damage.
        let s = world().backup(malformed).build();
        assert_eq!(only(&s, &RULE).severity, Severity::Blocker);
    }

    #[test]
    fn an_unfinished_runs_manifest_files_are_left_to_backup_unfinished() {
        let s = world()
            .backup(|b| {
                b.status.snapshot_state = Some("uploading".into());
                b.manifest_db.file.state = FileState::Unparseable;
                b.manifest_db.file.error = Some("database disk image is malformed".into());
                b.manifest_db.quick_check = None;
            })
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn healthy_backup_and_no_probe_are_silent() {
        assert!(fired(&world().phones(&[UDID_A]).backup(|_| {}).build(), &RULE).is_empty());
        assert!(fired(&world().build(), &RULE).is_empty());
    }
}
