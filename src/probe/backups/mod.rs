//! The previous-backups probe: reads every backup in the backup folder,
//! never writing there.
//!
//! For each subfolder it reads Info.plist, Status.plist and Manifest.plist
//! (only the fields the snapshot lists: never the IMEI, phone number, and of
//! the key bag and manifest key only whether they are there), opens
//! Manifest.db read-only and immutable for a quick_check and a file count
//! (unless Manifest.plist says the backup is encrypted: its Manifest.db is
//! then encrypted too and only its presence and size are checked), adds up
//! the size on disk, notes a torn `Snapshot/` folder and whether the
//! metadata files changed while it read them (a backup being written). With
//! `deep` it also checks that every file Manifest.db lists is on disk with
//! its recorded size.
//!
//! Blocking; it stops by itself at `deadline` and says so (`cut_short`).

mod db;
pub mod mbfile;
mod meta;
mod walk;

use std::fs;
use std::io;
use std::path::Path;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::snapshot::{
    BackupObs, BackupsObs, DeepCheckObs, DeepProblem, Failure, FailureKind, FileState, MetaFile,
    Outcome,
};
use db::{Listed, UNKNOWN_SIZE};

pub use db::sqlite_uri;

/// How the probe runs.
#[derive(Debug, Clone, Default)]
pub struct BackupsProbeOptions {
    /// Check every file Manifest.db lists (`--deep`).
    pub deep: bool,
    /// Show a progress bar on stderr during the deep check (the caller
    /// passes: stderr is a terminal and not `--json`).
    pub progress: bool,
    /// Stop here and report what was seen, with `cut_short` set.
    pub deadline: Option<Instant>,
}

/// Marks an example whose fileID is still only its key.
const KEY_MARK: &str = "key:";

/// At most this many deep-check problems are kept as examples.
const MAX_EXAMPLES: usize = 10;

/// At most this many backups are read (the first in name order): a real
/// backup folder holds a few dozen; past this the report says how many
/// subfolders were not read (issue 30: a folder of 100,000 subfolders).
pub const MAX_BACKUPS: usize = 1000;
/// At most this many subfolder names are listed before they are sorted;
/// the rest are only counted.
const MAX_LISTED: usize = 20_000;

/// Reads every backup under `dir`.
pub fn probe(dir: &Path, opts: &BackupsProbeOptions) -> Outcome<BackupsObs> {
    let start = Instant::now();
    let elapsed = || u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    let failed = |kind: FailureKind, message: String| Outcome::Failed {
        duration_ms: elapsed(),
        failure: Failure::new(kind, message),
    };
    let shown = dir.display();
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return failed(
                FailureKind::NotFound,
                format!("{shown} is a file, not a folder"),
            )
        }
        Err(e) => return failed(io_kind(&e), format!("{shown}: {e}")),
    }
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return failed(io_kind(&e), format!("{shown}: {e}")),
    };
    let past = || opts.deadline.is_some_and(|d| Instant::now() >= d);
    let mut obs = BackupsObs {
        dir: dir.display().to_string(),
        deep: opts.deep,
        ..Default::default()
    };
    // Names only (the paths are joined when read), at most MAX_LISTED of
    // them, and the deadline looked at as the listing goes: a folder of a
    // hundred thousand subfolders is listed in bounded memory and time.
    let mut folders: Vec<(String, bool)> = Vec::new();
    let mut unlisted = 0u64;
    for (n, entry) in entries.flatten().enumerate() {
        if n % 256 == 255 && past() {
            obs.cut_short = true;
            break;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let is_link = if kind.is_dir() {
            false
        } else if kind.is_symlink() && fs::metadata(entry.path()).is_ok_and(|m| m.is_dir()) {
            true
        } else {
            continue;
        };
        if folders.len() < MAX_LISTED {
            folders.push((name, is_link));
        } else {
            unlisted += 1;
        }
    }
    folders.sort();
    // The first MAX_BACKUPS in name order are read; the rest are counted.
    if folders.len() > MAX_BACKUPS || unlisted > 0 {
        obs.limit = Some(MAX_BACKUPS as u64);
    }
    let over = folders.len().saturating_sub(MAX_BACKUPS) as u64 + unlisted;
    folders.truncate(MAX_BACKUPS);
    obs.backups = Vec::with_capacity(folders.len());
    let total = folders.len();
    for (name, is_link) in folders {
        if past() {
            obs.cut_short = true;
            break;
        }
        let path = dir.join(&name);
        let (backup, cut) = probe_one(&path, name, is_link, opts);
        obs.backups.push(backup);
        obs.cut_short |= cut;
    }
    obs.not_read = (total - obs.backups.len()) as u64 + over;
    Outcome::Ok {
        duration_ms: elapsed(),
        value: obs,
    }
}

fn io_kind(e: &io::Error) -> FailureKind {
    if crate::probe::transport::deadline::is_descriptor_limit(e) {
        return FailureKind::DescriptorLimit;
    }
    match e.kind() {
        io::ErrorKind::NotFound => FailureKind::NotFound,
        io::ErrorKind::PermissionDenied => FailureKind::AccessDenied,
        _ => FailureKind::Io,
    }
}

/// A metadata file's state without reading it (for Manifest.db).
pub(crate) fn read_file_state(path: &Path) -> MetaFile {
    match fs::metadata(path) {
        Ok(m) if !m.is_file() => MetaFile {
            state: FileState::NotAFile,
            ..Default::default()
        },
        Ok(m) if m.len() == 0 => MetaFile {
            state: FileState::Empty,
            bytes: Some(0),
            error: None,
        },
        Ok(m) => match fs::File::open(path) {
            Ok(_) => MetaFile {
                state: FileState::Present,
                bytes: Some(m.len()),
                error: None,
            },
            Err(e) => MetaFile {
                state: FileState::Unreadable,
                bytes: Some(m.len()),
                error: Some(e.to_string()),
            },
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => MetaFile::default(),
        Err(e) => MetaFile {
            state: FileState::Unreadable,
            bytes: None,
            error: Some(e.to_string()),
        },
    }
}

/// A UDID at the start of a folder name: 40 hex digits (up to iPhone X) or
/// 8 + 16 hex digits with a dash (iPhone XS and later). Archived copies are
/// named `<UDID>-<date>-<time>`.
pub fn udid_in_folder_name(name: &str) -> Option<&str> {
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    let ends_ok = |n: usize| name.len() == n || name.as_bytes().get(n) == Some(&b'-');
    if name.len() >= 40 && name.is_char_boundary(40) && hex(&name[..40]) && ends_ok(40) {
        return Some(&name[..40]);
    }
    if name.len() >= 25
        && name.is_char_boundary(25)
        && hex(&name[..8])
        && name.as_bytes()[8] == b'-'
        && hex(&name[9..25])
        && ends_ok(25)
    {
        return Some(&name[..25]);
    }
    None
}

fn probe_one(
    path: &Path,
    folder: String,
    is_link: bool,
    opts: &BackupsProbeOptions,
) -> (BackupObs, bool) {
    let deadline = opts.deadline;
    let mut b = BackupObs {
        is_link,
        info: meta::info(&path.join("Info.plist")),
        status: meta::status(&path.join("Status.plist")),
        manifest: meta::manifest(&path.join("Manifest.plist")),
        snapshot_dir: fs::symlink_metadata(path.join("Snapshot")).is_ok_and(|m| m.is_dir()),
        ..Default::default()
    };
    // The folder's spelling wins when it names the same phone: Info.plist
    // often has it in upper case, and redaction masks by exact text.
    let from_folder = udid_in_folder_name(&folder).map(str::to_string);
    b.udid = match (&b.info.udid, from_folder) {
        (Some(info), Some(f)) if info.eq_ignore_ascii_case(&f) => Some(f),
        (Some(info), _) => Some(info.clone()),
        (None, f) => f,
    };
    b.folder = folder;
    let db_path = path.join("Manifest.db");
    let encrypted = b.manifest.is_encrypted == Some(true);
    let before = fingerprint(path);
    let mut cut = false;
    let walked = std::thread::scope(|scope| {
        let root = path.to_path_buf();
        let walker = scope.spawn(move || walk::walk(root, opts.deep, deadline));
        // The deep scan reads Manifest.db on its own connection while the
        // quick check reads it on this one. An encrypted Manifest.db is not
        // opened at all.
        let scanner = (opts.deep && !encrypted).then(|| {
            let db_path = db_path.clone();
            scope.spawn(move || {
                let mut expected = Vec::new();
                let mut deep = DeepCheckObs::default();
                let conn = if read_file_state(&db_path).is_present() {
                    match deep_scan(path, &db_path, opts, encrypted, &mut expected, &mut deep) {
                        Ok(c) => Some(c),
                        Err(e) => {
                            deep.error = Some(e);
                            None
                        }
                    }
                } else {
                    None
                };
                (expected, deep, conn)
            })
        });
        let (db_obs, db_cut) = if encrypted {
            (db::presence(&db_path), false)
        } else {
            db::check(&db_path, deadline)
        };
        cut |= db_cut;
        b.manifest_db = db_obs;
        let (expected, mut deep, conn) = match scanner.map(|h| h.join()) {
            Some(Ok(done)) => done,
            Some(Err(_)) => (
                Vec::new(),
                DeepCheckObs {
                    error: Some("the deep check stopped unexpectedly".into()),
                    ..Default::default()
                },
                None,
            ),
            None => (Vec::new(), DeepCheckObs::default(), None),
        };
        if !b.manifest_db.file.is_present() {
            deep.error = Some(format!(
                "Manifest.db is {}",
                b.manifest_db.file.state.as_str()
            ));
        } else if encrypted {
            deep.error = Some(ENCRYPTED_LIST.into());
        }
        let mut walked = walker.join().unwrap_or_else(|_| walk::Walked {
            incomplete: true,
            ..Default::default()
        });
        if opts.deep {
            if walked.cut_by_deadline {
                // Half a listing would make present files look missing.
                deep.complete = false;
            } else if deep.error.is_none() {
                merge(
                    expected,
                    std::mem::take(&mut walked.listed),
                    encrypted,
                    &mut deep,
                );
                if let Some(conn) = &conn {
                    for ex in &mut deep.examples {
                        if let Some(key) = ex
                            .file_id
                            .strip_prefix(KEY_MARK)
                            .and_then(|k| u64::from_str_radix(k, 16).ok())
                        {
                            let (id, domain) = db::describe(conn, key);
                            ex.file_id = id;
                            ex.domain = domain;
                        }
                    }
                }
            }
            cut |= !deep.complete && deep.error.is_none();
            b.deep = Some(deep);
        }
        walked
    });
    b.size_bytes = Some(walked.bytes);
    b.files_on_disk = Some(walked.files);
    b.size_incomplete = walked.incomplete;
    b.changed_during_check = fingerprint(path) != before;
    cut |= walked.cut_by_deadline;
    (b, cut)
}

/// Why `--deep` cannot compare the files of an encrypted backup.
const ENCRYPTED_LIST: &str = "Manifest.db is encrypted: the list of files it holds cannot be read without the backup password, so the files were not compared";

/// The files a backup run rewrites, as (size, modification time): a
/// difference between the start and the end of the check means something
/// was writing the backup meanwhile (SQLite's immutable mode ignores the
/// writer's locks, so what was read may be half written).
type Fingerprint = Vec<Option<(u64, Option<std::time::SystemTime>)>>;

fn fingerprint(dir: &Path) -> Fingerprint {
    [
        "Manifest.db",
        "Manifest.db-wal",
        "Manifest.plist",
        "Status.plist",
        "Info.plist",
    ]
    .iter()
    .map(|name| {
        fs::symlink_metadata(dir.join(name))
            .ok()
            .map(|m| (m.len(), m.modified().ok()))
    })
    .collect()
}

/// Streams Manifest.db's file list into `expected`; files whose fileID is not
/// hex are checked by path at once.
fn deep_scan(
    root: &Path,
    db_path: &Path,
    opts: &BackupsProbeOptions,
    encrypted: bool,
    expected: &mut Vec<Listed>,
    deep: &mut DeepCheckObs,
) -> Result<rusqlite::Connection, String> {
    let conn = db::open(db_path, opts.deadline).map_err(|e| e.to_string())?;
    // Rows in all (files, folders, links): what the progress bar counts.
    let total = conn
        .query_row("SELECT count(*) FROM Files", [], |r| r.get::<_, i64>(0))
        .ok()
        .and_then(|n| u64::try_from(n).ok());
    expected.reserve(
        usize::try_from(total.unwrap_or(0))
            .unwrap_or(0)
            .min(50_000_000),
    );
    let bar = if opts.progress {
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("checking backup files {bar:30} {pos}/{len} ({eta})")
        {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut odd_checked = 0u64;
    let mut odd_problems: Vec<DeepProblem> = Vec::new();
    let (mut odd_missing, mut odd_wrong) = (0u64, 0u64);
    let mut odd = |id: &str, size: u64| {
        odd_checked += 1;
        let prefix: String = id.chars().take(2).collect();
        let actual = fs::symlink_metadata(root.join(prefix).join(id))
            .ok()
            .map(|m| m.len());
        let bad = match actual {
            None => {
                odd_missing += 1;
                true
            }
            Some(a) if size != UNKNOWN_SIZE && !size_matches(size, a, encrypted) => {
                odd_wrong += 1;
                true
            }
            _ => false,
        };
        if bad && odd_problems.len() < MAX_EXAMPLES {
            odd_problems.push(DeepProblem {
                file_id: id.to_string(),
                domain: None,
                expected_bytes: (size != UNKNOWN_SIZE).then_some(size),
                actual_bytes: actual,
            });
        }
    };
    let deadline = opts.deadline;
    let mut tick = |n: u64| {
        bar.set_position(n);
        deadline.is_none_or(|d| Instant::now() < d)
    };
    let complete =
        db::list_files(&conn, expected, &mut odd, &mut tick).map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    deep.complete = complete;
    deep.checked += odd_checked;
    deep.missing += odd_missing;
    deep.wrong_size += odd_wrong;
    deep.examples = odd_problems;
    Ok(conn)
}

/// Files of encrypted backups are stored padded to the next 16 bytes.
fn size_matches(recorded: u64, actual: u64, encrypted: bool) -> bool {
    if encrypted {
        actual >= recorded && actual <= recorded.saturating_add(16)
    } else {
        actual == recorded
    }
}

/// Compares what Manifest.db lists with what the walk found.
fn merge(
    mut expected: Vec<Listed>,
    mut actual: Vec<Listed>,
    encrypted: bool,
    deep: &mut DeepCheckObs,
) {
    expected.sort_unstable();
    actual.sort_unstable();
    let mut j = 0;
    for e in &expected {
        deep.checked += 1;
        while j < actual.len() && actual[j].key < e.key {
            j += 1;
        }
        let found = actual.get(j).filter(|a| a.key == e.key).map(|a| a.size);
        let problem = match found {
            // Empty files are not always stored; do not call them missing.
            None if e.size == 0 => false,
            None => {
                deep.missing += 1;
                true
            }
            Some(_) if e.size == UNKNOWN_SIZE => {
                deep.undecodable += 1;
                false
            }
            Some(a) if !size_matches(e.size, a, encrypted) => {
                deep.wrong_size += 1;
                true
            }
            Some(_) => false,
        };
        if problem && deep.examples.len() < MAX_EXAMPLES {
            deep.examples.push(DeepProblem {
                // Resolved to the full fileID from Manifest.db afterwards.
                file_id: format!("{KEY_MARK}{:016x}", e.key),
                domain: None,
                expected_bytes: Some(e.size),
                actual_bytes: found,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udid_shapes_in_folder_names() {
        let old = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(udid_in_folder_name(old), Some(old));
        assert_eq!(
            udid_in_folder_name(&format!("{old}-20240101-120000")),
            Some(old)
        );
        assert_eq!(
            udid_in_folder_name("00008101-000A1B2C3D4E5F60"),
            Some("00008101-000A1B2C3D4E5F60")
        );
        assert_eq!(udid_in_folder_name("not-a-udid"), None);
        assert_eq!(udid_in_folder_name("00008101-000A1B2C3D4E5F6Z"), None);
        assert_eq!(
            udid_in_folder_name("ééééééééééééééééééééééééééééééééééééééééé"),
            None
        );
    }

    #[test]
    fn encrypted_sizes_allow_padding() {
        assert!(size_matches(100, 100, false));
        assert!(!size_matches(100, 112, false));
        assert!(size_matches(100, 112, true));
        assert!(!size_matches(100, 200, true));
    }

    #[test]
    fn merge_counts_missing_and_wrong_sizes() {
        let l = |b: u64, size| Listed { key: b, size };
        let mut deep = DeepCheckObs::default();
        merge(
            vec![l(1, 10), l(2, 20), l(3, 30), l(4, UNKNOWN_SIZE), l(5, 0)],
            vec![l(1, 10), l(3, 31), l(4, 7)],
            false,
            &mut deep,
        );
        assert_eq!(
            (
                deep.checked,
                deep.missing,
                deep.wrong_size,
                deep.undecodable
            ),
            (5, 1, 1, 1)
        );
        assert_eq!(deep.examples.len(), 2);
        assert_eq!(deep.examples[0].file_id, "key:0000000000000002");
    }
}
