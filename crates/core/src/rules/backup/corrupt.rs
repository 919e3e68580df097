use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The last backup of this iPhone is damaged: one of its metadata files
    /// (Info.plist, Status.plist, Manifest.plist, Manifest.db) is missing,
    /// empty or cannot be parsed, Manifest.db is not an SQLite database or
    /// fails SQLite's quick check, or (with `--deep`) files that Manifest.db
    /// lists are missing or have another size than recorded.
    ///
    /// ## Why the backup fails
    /// The next backup starts from the last one: Finder and iTunes read its
    /// metadata first and stop with "the backup was corrupt or not
    /// compatible" (idevicebackup2: "Could not read Status.plist" or an
    /// error 103/104) when they cannot. Missing files also mean the backup
    /// cannot be restored completely.
    ///
    /// ## Evidence used
    /// Each metadata file's state (present, missing, empty, not parseable,
    /// with the parser's message), `PRAGMA quick_check` on Manifest.db
    /// opened read-only, and with `--deep` the count of listed files that are
    /// missing or of the wrong size. The backup judged is the latest of each
    /// connected phone, or the most recent one when no phone is connected.
    ///
    /// ## Known limitations
    /// A backup still in progress (see `backup.unfinished`) has no
    /// Manifest.plist or Manifest.db yet, so their absence is not counted
    /// there. Backups of iOS 9 and earlier use Manifest.mbdb instead of
    /// Manifest.db. The deep check does not read file contents, so a file
    /// damaged without changing size is not seen; encrypted files may be up
    /// to 16 bytes longer than recorded (padding) and still count as right.
    pub static RULE = {
        id: "backup.corrupt",
        title: "The last backup of this iPhone is damaged",
        layer: Layer::Backup,
        severity: Severity::Blocker,
        steps: &[
            Fix::any("Do not delete the damaged backup while it may hold the only copy of something you need: move it aside as below, back up again, and delete it only once a new backup has finished."),
            texts::MOVE_BACKUP_MAC,
            texts::MOVE_BACKUP_WINDOWS,
            texts::MOVE_BACKUP_LINUX,
            Fix::any("If the backup folder is on an external or network drive, check that drive for errors (Disk Utility First Aid, chkdsk, fsck) and do not unplug it during a backup."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    for (b, udid) in s.judged_backups() {
        let in_progress = b.snapshot_dir
            || (b.status.file.is_present()
                && b.status
                    .snapshot_state
                    .as_deref()
                    .is_some_and(|st| st != "finished"));
        let pre_ios10 = b
            .manifest
            .product_version
            .as_deref()
            .or(b.info.product_version.as_deref())
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse::<u32>().ok())
            .is_some_and(|major| major < 10);
        let mut problems: Vec<String> = Vec::new();
        let mut only_unreadable = true;
        let mut note = |name: &str, file: &MetaFile, optional: bool, problems: &mut Vec<String>| {
            let bad = match file.state {
                FileState::Present => false,
                FileState::Missing => !optional,
                _ => true,
            };
            if !bad {
                return;
            }
            only_unreadable &= file.state == FileState::Unreadable;
            let mut line = format!("{name} is {}", file.state.as_str());
            if let Some(e) = &file.error {
                line.push_str(&format!(": {e}"));
            }
            problems.push(line);
        };
        note("Info.plist", &b.info.file, false, &mut problems);
        note("Status.plist", &b.status.file, false, &mut problems);
        note(
            "Manifest.plist",
            &b.manifest.file,
            in_progress,
            &mut problems,
        );
        note(
            "Manifest.db",
            &b.manifest_db.file,
            in_progress || pre_ios10,
            &mut problems,
        );
        if b.manifest_db.check_failed() {
            only_unreadable = false;
            let lines = b.manifest_db.quick_check.as_deref().unwrap_or_default();
            problems.push(format!(
                "Manifest.db fails SQLite's quick check: {}",
                lines.join("; ")
            ));
        }
        let metadata_broken = !problems.is_empty();
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
            problems.push(line);
            for ex in deep.examples.iter().take(3) {
                let domain = ex.domain.as_deref().unwrap_or("unknown domain");
                problems.push(match (ex.expected_bytes, ex.actual_bytes) {
                    (_, None) => format!("missing: {} ({domain})", ex.file_id),
                    (Some(e), Some(a)) => {
                        format!("{} ({domain}): {e} bytes recorded, {a} on disk", ex.file_id)
                    }
                    (None, Some(a)) => format!("{} ({domain}): {a} bytes on disk", ex.file_id),
                });
            }
        }
        if problems.is_empty() {
            continue;
        }
        let mut f = Finding::new(&RULE).device(udid).evidence(format!(
            "backup of {} in folder {}",
            b.label(),
            b.folder
        ));
        for p in problems {
            f = f.evidence(p);
        }
        f = if !metadata_broken {
            // Files missing: the next backup can replace them; a restore cannot.
            f.at_most(Severity::Warning)
        } else if only_unreadable {
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
        assert_eq!(f.evidence[1], "Manifest.plist is empty");
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
        assert!(only(&s, &RULE).evidence[1].contains("not parseable: file is not a database"));
        let s = world()
            .backup(|b| {
                b.manifest_db.quick_check = Some(vec![
                    "Tree 2 page 7: btreeInitPage() returns error code 11".into(),
                ])
            })
            .build();
        assert!(only(&s, &RULE).evidence[1].contains("quick check: Tree 2"));
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
            f.evidence[1].starts_with("of 1000 files listed in Manifest.db, 2 are missing"),
            "{:?}",
            f.evidence
        );
        assert!(f.evidence[2].contains("CameraRollDomain"));
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
    fn healthy_backup_and_no_probe_are_silent() {
        assert!(fired(&world().phones(&[UDID_A]).backup(|_| {}).build(), &RULE).is_empty());
        assert!(fired(&world().build(), &RULE).is_empty());
    }
}
