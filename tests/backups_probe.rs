//! The previous-backups probe on the fixture backup folders: it records what
//! the fixture snapshots say, the diagnosis ranks the expected rule first,
//! nothing secret is read, nothing in the folder changes, and no input makes
//! it panic.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use iphone_backup_check::probe::backups::mbfile::{
    mbfile_size, parsed_mbfile_size, quick_mbfile_size,
};

// The one generator of backup files, shared with `cargo xtask`.
#[allow(dead_code)]
#[path = "../xtask/src/synth.rs"]
mod synth;
use iphone_backup_check::probe::backups::{probe, BackupsProbeOptions};
use iphone_backup_check::rules::{evaluate, rank, Layer, RuleId, Severity};
use iphone_backup_check::snapshot::*;
use synth::{file_id, write_manifest_db, Row};

#[path = "support/fs_tree.rs"]
mod fs_tree;
use fs_tree::copy_tree;

/// Each fixture case and the rule its diagnosis ranks first among the
/// backup and disk rules, with its severity.
const CASES: &[(&str, Option<(RuleId, Severity)>)] = &[
    ("finished", None),
    ("torn", Some((RuleId::BackupUnfinished, Severity::Warning))),
    (
        "empty-manifest-plist",
        Some((RuleId::BackupCorrupt, Severity::Blocker)),
    ),
    (
        "zero-byte-manifest-db",
        Some((RuleId::BackupCorrupt, Severity::Blocker)),
    ),
    ("encrypted", Some((RuleId::BackupEncrypted, Severity::Info))),
    (
        "being-written",
        Some((RuleId::BackupUnfinished, Severity::Warning)),
    ),
    (
        "two-phones",
        Some((RuleId::BackupUnfinished, Severity::Warning)),
    ),
    (
        "deep-missing-files",
        Some((RuleId::BackupCorrupt, Severity::Warning)),
    ),
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(case: &str) -> Snapshot {
    let path = repo().join(format!("fixtures/backups-{case}.json"));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fixture's backup folder, copied into a fresh temporary folder.
fn copied(case: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(case);
    copy_tree(&repo().join("fixtures/backup-folders").join(case), &dir);
    (tmp, dir)
}

fn normalised(obs: Outcome<BackupsObs>, dir: &str) -> Outcome<BackupsObs> {
    match obs {
        Outcome::Ok { mut value, .. } => {
            value.dir = dir.into();
            Outcome::Ok {
                duration_ms: 0,
                value,
            }
        }
        other => panic!("probe did not observe: {other:?}"),
    }
}

fn opts(deep: bool) -> BackupsProbeOptions {
    BackupsProbeOptions {
        deep,
        ..Default::default()
    }
}

#[test]
fn probe_records_what_each_fixture_says() {
    for (case, _) in CASES {
        let want = fixture(case);
        let (_tmp, dir) = copied(case);
        let got = normalised(
            probe(&dir, &opts(want.options.deep)),
            &format!("fixtures/backup-folders/{case}"),
        );
        assert_eq!(
            got, want.probes.backups,
            "{case}: the probe disagrees with fixtures/backups-{case}.json"
        );
    }
}

#[test]
fn each_fixture_ranks_the_expected_backup_rule_first() {
    for (case, expected) in CASES {
        let snap = fixture(case);
        let (kept, _) = rank(evaluate(&snap));
        let ours: Vec<_> = kept
            .iter()
            .filter(|f| f.layer == Layer::Backup || f.id == RuleId::HostDiskSpace)
            .collect();
        match expected {
            None => assert!(ours.is_empty(), "{case}: {ours:#?}"),
            Some((id, severity)) => {
                let first = ours
                    .first()
                    .unwrap_or_else(|| panic!("{case}: nothing fired"));
                assert_eq!(
                    (first.id, first.severity),
                    (*id, *severity),
                    "{case}: {ours:#?}"
                );
                let phone = snap.mux_devices()[0].udid.as_str();
                assert_eq!(first.device.as_deref(), Some(phone), "{case}");
            }
        }
    }
}

#[test]
fn two_phones_judges_only_the_connected_one() {
    let snap = fixture("two-phones");
    let findings = evaluate(&snap);
    let unfinished: Vec<_> = findings
        .iter()
        .filter(|f| f.id == RuleId::BackupUnfinished)
        .collect();
    assert_eq!(unfinished.len(), 1);
    assert_eq!(
        unfinished[0].device.as_deref(),
        Some("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678")
    );
    assert!(unfinished[0].says("SnapshotState = uploading, BackupState = empty"));
}

#[test]
fn nothing_secret_is_read() {
    for deep in [false, true] {
        let (_tmp, dir) = copied("encrypted");
        let json = serde_json::to_string(&probe(&dir, &opts(deep))).unwrap();
        for secret in [
            "SECRET",
            "356938035643809",
            "89014103211118510720",
            "555",
            "ManifestKey",
            "BackupKeyBag",
            "5B2C0E3A",
        ] {
            assert!(!json.contains(secret), "{secret} leaked: {json}");
        }
        // What is kept carries the redaction names.
        assert!(json.contains("\"device_name\":\"Sam's iPhone\""), "{json}");
        assert!(
            json.contains("\"serial_number\":\"F2LXK0AAHG7F\""),
            "{json}"
        );
    }
}

#[test]
fn an_encrypted_manifest_db_is_only_looked_at() {
    let (_tmp, dir) = copied("encrypted");
    let obs = probe(&dir, &opts(true));
    let b = &obs.value().expect("observed").backups[0];
    // What every real encrypted backup holds: no SQLite database.
    let db_path = dir.join(&b.folder).join("Manifest.db");
    let head = fs::read(&db_path).unwrap();
    assert!(!head.starts_with(b"SQLite format 3\0"));
    assert_eq!(head.len() % 16, 0, "AES-CBC output is whole blocks");
    assert!(b.manifest_db.encrypted, "{:?}", b.manifest_db);
    assert_eq!(b.manifest_db.file.state, FileState::Present);
    assert_eq!(b.manifest_db.quick_check, None);
    assert_eq!(
        (b.manifest.has_manifest_key, b.manifest.has_key_bag),
        (Some(true), Some(true))
    );
    assert!(b
        .deep
        .as_ref()
        .and_then(|d| d.error.as_deref())
        .is_some_and(|e| e.contains("encrypted")));
    // The diagnosis: a note, never "damaged".
    let snap = fixture("encrypted");
    let findings = evaluate(&snap);
    assert!(
        findings.iter().all(|f| f.id != RuleId::BackupCorrupt),
        "{findings:#?}"
    );
    let enc = findings
        .iter()
        .find(|f| f.id == RuleId::BackupEncrypted)
        .expect("backup.encrypted");
    assert!(enc.says("Manifest.db (45.1 kB) is encrypted as well"));
}

#[test]
fn a_backup_being_written_is_reported_as_running_not_damaged() {
    let snap = fixture("being-written");
    let b = &snap.backups().unwrap().backups[0];
    assert_eq!(b.manifest_db.file.state, FileState::Unparseable);
    assert!(b
        .manifest_db
        .file
        .error
        .as_deref()
        .is_some_and(|e| e.contains("malformed")));
    let (kept, _) = rank(evaluate(&snap));
    assert!(
        kept.iter().all(|f| f.id != RuleId::BackupCorrupt),
        "{kept:#?}"
    );
    let running = kept
        .iter()
        .find(|f| f.id == RuleId::HostBackupInProgress)
        .expect("host.backup-in-progress");
    assert!(
        running.says("reads as damaged while a backup may be writing it"),
        "{:?}",
        running.evidence
    );
    assert_eq!(kept[0].id, RuleId::HostBackupInProgress, "{kept:#?}");
}

#[test]
fn files_changing_during_the_check_are_noticed() {
    // A writer keeps appending to Status.plist while the probe runs; the
    // probe must see the change (it takes a few milliseconds at least, the
    // writer changes the file every few microseconds). Retried, because
    // the writer thread may not get a core during one short probe.
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let (_tmp, dir) = copied("finished");
    let status = dir.join("00008110-001A2B3C4D5E6F70").join("Status.plist");
    let mut seen = false;
    for _ in 0..20 {
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let stop = Arc::clone(&stop);
            let status = status.clone();
            std::thread::spawn(move || {
                let mut f = fs::OpenOptions::new().append(true).open(status).unwrap();
                while !stop.load(Ordering::Relaxed) {
                    f.write_all(b" ").unwrap();
                    std::thread::yield_now();
                }
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(2));
        let obs = probe(&dir, &opts(true));
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();
        if obs.value().unwrap().backups[0].changed_during_check {
            seen = true;
            break;
        }
    }
    assert!(seen, "a backup written during the check was not noticed");
    // Left alone, the same folder is steady.
    let obs = probe(&dir, &opts(true));
    assert!(!obs.value().unwrap().backups[0].changed_during_check);
}

#[test]
fn redaction_masks_what_the_probe_kept() {
    let snap = fixture("finished");
    let red = redact::redact(&snap, None);
    let json = serde_json::to_string(&red).unwrap();
    for id in ["00008110-001A2B3C4D5E6F70", "F2LXK0AAHG7F", "Sam's iPhone"] {
        assert!(!json.contains(id), "{id} survived redaction");
    }
}

type Tree = BTreeMap<PathBuf, (bool, u64, Option<SystemTime>, u32)>;

/// Every path under `dir` with kind, size, mtime and permissions.
fn tree(dir: &Path) -> Tree {
    let mut out = Tree::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let meta = fs::symlink_metadata(entry.path()).unwrap();
            #[cfg(unix)]
            let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions());
            #[cfg(not(unix))]
            let mode = u32::from(meta.permissions().readonly());
            out.insert(
                entry.path().strip_prefix(dir).unwrap().to_path_buf(),
                (meta.is_dir(), meta.len(), meta.modified().ok(), mode),
            );
            if meta.is_dir() {
                stack.push(entry.path());
            }
        }
    }
    out
}

#[test]
fn folders_are_byte_for_byte_unchanged_after_probing() {
    for (case, _) in CASES {
        for deep in [false, true] {
            let (_tmp, dir) = copied(case);
            let before = tree(&dir);
            let bytes_before: Vec<Vec<u8>> = before
                .iter()
                .filter(|(_, v)| !v.0)
                .map(|(p, _)| fs::read(dir.join(p)).unwrap())
                .collect();
            assert!(probe(&dir, &opts(deep)).is_ok());
            let after = tree(&dir);
            assert_eq!(before, after, "{case} (deep: {deep}) changed");
            let bytes_after: Vec<Vec<u8>> = after
                .iter()
                .filter(|(_, v)| !v.0)
                .map(|(p, _)| fs::read(dir.join(p)).unwrap())
                .collect();
            assert!(
                bytes_before == bytes_after,
                "{case} (deep: {deep}): contents changed"
            );
            for p in after.keys() {
                let name = p.to_string_lossy();
                assert!(
                    !name.ends_with("-journal")
                        && !name.ends_with("-wal")
                        && !name.ends_with("-shm"),
                    "{case}: SQLite left {name}"
                );
            }
        }
    }
}

#[test]
fn a_wal_mode_database_is_read_without_creating_files() {
    let tmp = tempfile::tempdir().unwrap();
    let b = tmp.path().join("00008110-001A2B3C4D5E6F70");
    fs::create_dir_all(&b).unwrap();
    let db = b.join("Manifest.db");
    write_manifest_db(
        &db,
        (0..5).map(|i| Row {
            file_id: file_id(i),
            domain: "HomeDomain".into(),
            relative_path: format!("f{i}"),
            flags: 1,
            size: 0,
        }),
    )
    .unwrap();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))
            .unwrap();
    }
    let before = tree(tmp.path());
    let obs = probe(tmp.path(), &opts(true));
    assert_eq!(
        before,
        tree(tmp.path()),
        "probing a WAL-mode database changed the folder"
    );
    let b = &obs.value().unwrap().backups[0];
    assert_eq!(b.manifest_db.file.state, FileState::Present, "{b:#?}");
    assert_eq!(b.manifest_db.file_count, Some(5));
}

#[test]
fn odd_characters_in_the_path_reach_sqlite_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("Backup ?#% é");
    copy_tree(&repo().join("fixtures/backup-folders/finished"), &dir);
    let obs = probe(&dir, &opts(true));
    let b = &obs.value().unwrap().backups[0];
    assert_eq!(
        b.manifest_db.file.state,
        FileState::Present,
        "{:?}",
        b.manifest_db
    );
    assert_eq!(b.manifest_db.file_count, Some(14));
    assert_eq!(
        b.deep.as_ref().map(|d| (d.checked, d.problems())),
        Some((14, 0))
    );
}

#[test]
fn a_database_without_the_files_table_is_not_a_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let b = tmp.path().join("00008110-001A2B3C4D5E6F70");
    fs::create_dir_all(&b).unwrap();
    {
        let conn = rusqlite::Connection::open(b.join("Manifest.db")).unwrap();
        conn.execute_batch("CREATE TABLE Other (x);").unwrap();
    }
    let obs = probe(tmp.path(), &opts(false));
    let db = &obs.value().unwrap().backups[0].manifest_db;
    assert_eq!(db.file.state, FileState::Unparseable, "{db:?}");
    assert!(
        db.file
            .error
            .as_deref()
            .unwrap_or("")
            .contains("no such table: Files"),
        "{db:?}"
    );
}

#[test]
fn probe_failures_are_outcomes() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = probe(&tmp.path().join("nope"), &opts(true));
    assert!(missing.failed_with(FailureKind::NotFound), "{missing:?}");
    let file = tmp.path().join("a-file");
    fs::write(&file, b"x").unwrap();
    let not_dir = probe(&file, &opts(true));
    assert!(not_dir.failed_with(FailureKind::NotFound), "{not_dir:?}");
    assert!(not_dir.failure().unwrap().message.contains("not a folder"));
    // A backup folder with only a stray file: no backups, nothing wrong.
    let empty = probe(tmp.path(), &opts(true));
    assert_eq!(empty.value().unwrap().backups.len(), 0);
}

#[test]
fn garbage_everywhere_is_reported_not_panicked() {
    let tmp = tempfile::tempdir().unwrap();
    let b = tmp.path().join("garbage");
    fs::create_dir_all(b.join("ab")).unwrap();
    fs::write(
        b.join("Info.plist"),
        b"<?xml version=\"1.0\"?><plist><dict><key>",
    )
    .unwrap();
    let mut bogus = b"bplist00".to_vec();
    bogus.extend([0xff; 40]);
    fs::write(b.join("Status.plist"), bogus).unwrap();
    fs::create_dir(b.join("Manifest.plist")).unwrap();
    fs::write(b.join("Manifest.db"), vec![0x42; 8192]).unwrap();
    fs::write(b.join("ab").join("not-an-id"), b"x").unwrap();
    #[cfg(unix)]
    {
        // A symlink loop and a link out of the folder: neither is followed.
        std::os::unix::fs::symlink(&b, b.join("ab").join("loop")).unwrap();
        std::os::unix::fs::symlink("/", b.join("root")).unwrap();
        // A name that is not UTF-8.
        use std::os::unix::ffi::OsStrExt;
        let odd = std::ffi::OsStr::from_bytes(b"\xff\xfe-backup");
        fs::create_dir(tmp.path().join(odd)).unwrap();
    }
    let obs = probe(tmp.path(), &opts(true));
    let backups = &obs.value().expect("observed").backups;
    let g = backups
        .iter()
        .find(|x| x.folder == "garbage")
        .expect("listed");
    assert_eq!(g.info.file.state, FileState::Unparseable);
    assert!(g.info.file.error.is_some());
    assert_eq!(g.status.file.state, FileState::Unparseable);
    assert_eq!(g.manifest.file.state, FileState::NotAFile);
    assert_eq!(
        g.manifest_db.file.state,
        FileState::Unparseable,
        "{:?}",
        g.manifest_db
    );
    assert!(
        g.manifest_db
            .file
            .error
            .as_deref()
            .unwrap_or("")
            .contains("not a database"),
        "{:?}",
        g.manifest_db
    );
    assert!(g.deep.as_ref().is_some_and(|d| d.error.is_some()));
    assert_eq!(g.files_on_disk, Some(4), "links are not followed: {g:#?}");
    #[cfg(unix)]
    assert!(
        backups.iter().any(|x| x.folder.ends_with("-backup")),
        "non-UTF-8 name listed"
    );
}

#[test]
fn a_passed_deadline_cuts_the_probe_short() {
    let (_tmp, dir) = copied("two-phones");
    let o = BackupsProbeOptions {
        deep: true,
        progress: false,
        deadline: Some(Instant::now()),
    };
    let obs = probe(&dir, &o);
    let v = obs.value().expect("observed");
    assert!(v.cut_short);
    assert!(v.backups.len() < 2);
}

#[test]
fn a_torn_snapshot_folder_is_noticed() {
    let (_tmp, dir) = copied("finished");
    let b = dir.join("00008110-001A2B3C4D5E6F70");
    fs::create_dir_all(b.join("Snapshot").join("ab")).unwrap();
    fs::write(b.join("Snapshot").join("ab").join("x"), b"partial").unwrap();
    let obs = probe(&dir, &opts(false));
    let got = &obs.value().unwrap().backups[0];
    assert!(got.snapshot_dir);
    assert_eq!(got.files_on_disk, Some(19));
}

// MBFile `Size` lookups (the `--deep` fast path) against the generator.

#[test]
fn quick_lookup_agrees_with_the_parser_and_never_panics() {
    for (size, path) in [
        (0u64, ""),
        (1, "a"),
        (255, "x"),
        (70_000, "Media/DCIM/100APPLE/IMG_0001.HEIC"),
        (u64::from(u32::MAX) + 5, "big"),
    ] {
        let blob = synth::mbfile_blob(size, path);
        assert_eq!(quick_mbfile_size(&blob), Some(size), "{size}");
        assert_eq!(parsed_mbfile_size(&blob), Some(size), "{size}");
    }
    // Every truncation and many single-byte corruptions: no panic, and
    // whenever both answer they agree.
    let blob = synth::mbfile_blob(4242, "Library/Preferences/x.plist");
    for cut in 0..blob.len() {
        let _ = mbfile_size(&blob[..cut]);
    }
    for i in 0..blob.len() {
        for v in [0u8, 0x0f, 0x7f, 0xff] {
            let mut b = blob.clone();
            b[i] = v;
            if let (Some(q), Some(p)) = (quick_mbfile_size(&b), parsed_mbfile_size(&b)) {
                assert_eq!(q, p, "byte {i} = {v}");
            }
        }
    }
}

#[test]
fn absurd_collection_lengths_are_refused() {
    let blob = synth::mbfile_blob(7, "p");
    // Turn every dictionary and array marker into "length follows" with
    // an 8-byte length of u64::MAX, wherever such a marker byte occurs.
    for i in 0..blob.len().saturating_sub(10) {
        if matches!(blob[i] >> 4, 0xa | 0xd) {
            let mut b = blob[..i + 1].to_vec();
            b[i] |= 0x0f;
            b.push(0x13);
            b.extend([0xff; 8]);
            b.extend(&blob[i + 1..]);
            let _ = quick_mbfile_size(&b);
            let _ = mbfile_size(&b);
        }
    }
    // A length in the header of the top dictionary that overflows.
    let mut b = blob.clone();
    let len = b.len();
    b[len - 16..len - 8].copy_from_slice(&[0xff; 8]);
    assert_eq!(quick_mbfile_size(&b), None);
}

#[test]
fn mbfile_size_reads_the_root_object() {
    let blob = synth::mbfile_blob(12345, "Library/x");
    assert_eq!(mbfile_size(&blob), Some(12345));
    assert_eq!(mbfile_size(b"bplist00junk"), None);
}
