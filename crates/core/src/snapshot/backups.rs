//! What the backup-folder probe saw: every previous backup in it.
//!
//! Only the fields listed here are ever read out of a backup. Info.plist also
//! holds the IMEI, ICCID, phone number and iTunes settings, and
//! Manifest.plist holds the backup's key bag and manifest key: none of those
//! are kept. Identifying fields use the shared redaction names (`udid`,
//! `serial_number`, `device_name`) so `--redact` masks them.

use serde::{Deserialize, Serialize};

use std::collections::HashMap;

use super::udid::{same_udid, udid_key};
use super::Quote;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupsObs {
    /// The folder examined (the backup folder, not one backup).
    #[serde(default)]
    pub dir: String,
    /// One entry per subfolder, sorted by folder name.
    pub backups: Vec<BackupObs>,
    /// `--deep` was asked for: every file Manifest.db lists was looked for.
    #[serde(default)]
    pub deep: bool,
    /// The deadline came before every backup was read (or deep-checked):
    /// what is here is true, but something may be missing.
    #[serde(default)]
    pub cut_short: bool,
    /// Subfolders of the backup folder that were not read: the deadline came
    /// first, or there were more than the check reads at most (a real
    /// folder holds a few dozen backups; a folder of thousands is not one a
    /// person keeps, and reading it all would outlast any deadline). Zero
    /// when every subfolder was read.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub not_read: u64,
    /// The most subfolders this check reads, when the folder held more
    /// (then `not_read` counts the rest); None when it was not reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One previous backup: a subfolder of the backup folder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupObs {
    /// The backup's folder name, normally the phone's UDID.
    pub folder: String,
    /// The phone this backup belongs to: Info.plist `Unique Identifier`
    /// (else `Target Identifier`), else the folder name when it has the
    /// shape of a UDID.
    #[serde(default)]
    pub udid: Option<String>,
    /// The folder is a symbolic link (or junction) to another place.
    #[serde(default)]
    pub is_link: bool,
    #[serde(default)]
    pub info: InfoPlistObs,
    #[serde(default)]
    pub status: StatusPlistObs,
    #[serde(default)]
    pub manifest: ManifestPlistObs,
    #[serde(default)]
    pub manifest_db: ManifestDbObs,
    /// Sum of the sizes of the files in the folder (apparent size, links not
    /// followed).
    pub size_bytes: Option<u64>,
    /// Number of files in the folder.
    #[serde(default)]
    pub files_on_disk: Option<u64>,
    /// The size walk stopped early (deadline, depth limit or unreadable
    /// subfolders): `size_bytes` is then a lower bound.
    #[serde(default)]
    pub size_incomplete: bool,
    /// A `Snapshot/` folder is there: the phone was still sending a backup
    /// when it stopped (a finished backup moves it into place).
    #[serde(default)]
    pub snapshot_dir: bool,
    /// The `--deep` check of every file Manifest.db lists; None without `--deep`.
    #[serde(default)]
    pub deep: Option<DeepCheckObs>,
    /// Manifest.db, Manifest.plist, Status.plist or Info.plist changed (size
    /// or modification time) between the start and the end of this check:
    /// something was writing the backup while it was read.
    #[serde(default)]
    pub changed_during_check: bool,
}

/// What became of reading one metadata file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileState {
    /// There, read and parsed.
    Present,
    /// Not there at all.
    #[default]
    Missing,
    /// There with zero bytes.
    Empty,
    /// There but not a plist (or not an SQLite database): see `error`.
    Unparseable,
    /// There but could not be read (permissions, I/O error): see `error`.
    Unreadable,
    /// Something else under that name (a folder, a device file).
    NotAFile,
    /// Not looked at: the evidence (an imported Status.plist, a listing)
    /// did not cover this file, so nothing is known of it.
    NotSeen,
}

impl FileState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Present => "present",
            Self::Missing => "missing",
            Self::Empty => "empty",
            Self::Unparseable => "not parseable",
            Self::Unreadable => "unreadable",
            Self::NotAFile => "not a file",
            Self::NotSeen => "not in the evidence",
        }
    }
}

/// One metadata file of a backup.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaFile {
    pub state: FileState,
    /// Its size when it is there.
    #[serde(default)]
    pub bytes: Option<u64>,
    /// Why it could not be read or parsed, verbatim from the parser or OS.
    #[serde(default)]
    pub error: Option<String>,
}

impl MetaFile {
    pub fn is_present(&self) -> bool {
        self.state == FileState::Present
    }
}

/// Info.plist: who the backup is of and when it was made. Only these fields
/// are kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InfoPlistObs {
    pub file: MetaFile,
    #[serde(default)]
    pub device_name: Option<String>,
    #[serde(default)]
    pub product_type: Option<String>,
    #[serde(default)]
    pub product_version: Option<String>,
    /// `Unique Identifier`, else `Target Identifier`.
    #[serde(default)]
    pub udid: Option<String>,
    #[serde(default)]
    pub serial_number: Option<String>,
    /// `Last Backup Date`, RFC 3339 UTC.
    #[serde(default)]
    pub last_backup_date: Option<String>,
}

/// Status.plist: whether the last backup run finished.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatusPlistObs {
    pub file: MetaFile,
    /// `SnapshotState`: `finished` after a complete backup; `uploading`,
    /// `moving`, `removing` ... when it stopped part-way.
    #[serde(default)]
    pub snapshot_state: Option<String>,
    /// `BackupState`: `new` or `empty`.
    #[serde(default)]
    pub backup_state: Option<String>,
    #[serde(default)]
    pub is_full_backup: Option<bool>,
    /// `Date`, RFC 3339 UTC.
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub uuid: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    /// Imported only: the line of the capture its state was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Quote>,
}

/// Manifest.plist: encryption and the phone's software at backup time. The
/// key bag and manifest key it holds are never read into the snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ManifestPlistObs {
    pub file: MetaFile,
    #[serde(default)]
    pub is_encrypted: Option<bool>,
    #[serde(default)]
    pub version: Option<String>,
    /// `Date`, RFC 3339 UTC.
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub was_passcode_set: Option<bool>,
    /// `Lockdown` → `ProductVersion`.
    #[serde(default)]
    pub product_version: Option<String>,
    /// `Lockdown` → `ProductType`.
    #[serde(default)]
    pub product_type: Option<String>,
    /// `Lockdown` → `BuildVersion`.
    #[serde(default)]
    pub build_version: Option<String>,
    /// A `ManifestKey` entry is there: an encrypted backup of iOS 10.2 or
    /// later keeps the (wrapped) key of its encrypted Manifest.db in it.
    /// Only its presence is read; None when Manifest.plist was not parsed.
    #[serde(default)]
    pub has_manifest_key: Option<bool>,
    /// A `BackupKeyBag` entry is there. Only its presence is read.
    #[serde(default)]
    pub has_key_bag: Option<bool>,
}

/// Manifest.db, opened read-only and immutable (no journal, no lock file);
/// of an encrypted backup only looked at (see `encrypted`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestDbObs {
    /// `Unparseable` when SQLite says it is not a database.
    pub file: MetaFile,
    /// Manifest.plist says the backup is encrypted. Since iOS 10.2
    /// Manifest.db is then itself encrypted (AES-CBC, with the key that
    /// `ManifestKey` wraps), so SQLite cannot read it: it was not opened,
    /// only its presence and size were checked, and `quick_check` and the
    /// counts stay empty.
    #[serde(default)]
    pub encrypted: bool,
    /// `PRAGMA quick_check`: `ok`, or the problems it listed (at most 10).
    #[serde(default)]
    pub quick_check: Option<Vec<String>>,
    /// Rows of `Files` with flags = 1 (regular files).
    #[serde(default)]
    pub file_count: Option<u64>,
    /// Every row of `Files` (files, folders and links).
    #[serde(default)]
    pub record_count: Option<u64>,
    /// A `Manifest.db-wal` file with content is beside it (changes not yet
    /// written into the database; this check does not read them).
    #[serde(default)]
    pub wal_present: bool,
}

impl ManifestDbObs {
    /// `quick_check` answered anything but `ok`.
    pub fn check_failed(&self) -> bool {
        self.quick_check
            .as_ref()
            .is_some_and(|lines| lines.len() != 1 || lines[0] != "ok")
    }
}

/// `--deep`: each file Manifest.db lists, looked for on disk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeepCheckObs {
    /// Files (flags = 1) checked.
    pub checked: u64,
    /// Listed but not on disk.
    pub missing: u64,
    /// On disk with another size than recorded.
    pub wrong_size: u64,
    /// Rows whose `file` record could not be decoded or had no size.
    #[serde(default)]
    pub undecodable: u64,
    /// The first few problems, for evidence.
    #[serde(default)]
    pub examples: Vec<DeepProblem>,
    /// False when the deadline stopped the check before the last row.
    pub complete: bool,
    /// Why the check could not run at all (no usable Manifest.db).
    #[serde(default)]
    pub error: Option<String>,
}

impl DeepCheckObs {
    pub fn problems(&self) -> u64 {
        self.missing + self.wrong_size
    }
}

/// One file the deep check found wrong. Only the hashed file id and its
/// domain are kept, not the phone's path (it can name people or places).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeepProblem {
    pub file_id: String,
    #[serde(default)]
    pub domain: Option<String>,
    pub expected_bytes: Option<u64>,
    /// None when the file is missing.
    pub actual_bytes: Option<u64>,
}

impl BackupObs {
    /// The best date for "when was this backup made": Status.plist `Date`,
    /// else Info.plist `Last Backup Date`, else Manifest.plist `Date`.
    /// RFC 3339 strings in UTC compare correctly as text.
    pub fn date(&self) -> Option<&str> {
        self.status
            .date
            .as_deref()
            .or(self.info.last_backup_date.as_deref())
            .or(self.manifest.date.as_deref())
    }

    /// Whether this backup is of the phone with `udid` (case-insensitive;
    /// the folder name counts too).
    pub fn is_of(&self, udid: &str) -> bool {
        self.udid.as_deref().is_some_and(|u| same_udid(u, udid)) || same_udid(&self.folder, udid)
    }

    /// How people recognise it: "Alice's iPhone (iPhone13,2, iOS 17.5)".
    pub fn label(&self) -> String {
        let name = self.info.device_name.as_deref().unwrap_or(&self.folder);
        let kind = self
            .info
            .product_type
            .as_deref()
            .or(self.manifest.product_type.as_deref());
        let ios = self
            .info
            .product_version
            .as_deref()
            .or(self.manifest.product_version.as_deref());
        match (kind, ios) {
            (Some(k), Some(v)) => format!("{name} ({k}, iOS {v})"),
            (Some(k), None) => format!("{name} ({k})"),
            (None, Some(v)) => format!("{name} (iOS {v})"),
            (None, None) => name.to_string(),
        }
    }
}

impl BackupsObs {
    /// The backups a diagnosis should judge: those of the phones connected
    /// now (by UDID), or, with no phone connected, the most recent backup.
    /// Each comes with the UDID findings should name.
    pub fn relevant<'a>(&'a self, connected: &[&str]) -> Vec<&'a BackupObs> {
        if !connected.is_empty() {
            // The most recent backup of each connected phone, found through
            // an index: thousands of phones times thousands of backups must
            // not be compared pair by pair (issue 30).
            let index = self.by_phone();
            let mut out: Vec<&BackupObs> = Vec::new();
            for udid in connected {
                let Some(found) = index.get(&udid_key(udid)) else {
                    continue;
                };
                if let Some(b) = latest(found.iter().map(|&i| &self.backups[i])) {
                    out.push(b);
                }
            }
            return out;
        }
        // No phone: the latest backup of each phone, newest phone first, but
        // only the newest when dates say which it is. Backups without dates
        // are all kept, since nothing says which is the last.
        let mut by_phone: Vec<&BackupObs> = Vec::new();
        let mut slot_of: HashMap<String, usize> = HashMap::new();
        for b in &self.backups {
            let key = b.udid.as_deref().unwrap_or(&b.folder);
            let slot = (!key.is_empty())
                .then(|| slot_of.get(&udid_key(key)).copied())
                .flatten();
            match slot {
                Some(i) => {
                    if b.date() > by_phone[i].date() {
                        by_phone[i] = b;
                    }
                }
                None => {
                    if !key.is_empty() {
                        slot_of.insert(udid_key(key), by_phone.len());
                    }
                    by_phone.push(b);
                }
            }
        }
        if by_phone.len() <= 1 {
            return by_phone;
        }
        let newest = by_phone.iter().filter_map(|b| b.date()).max();
        match newest {
            Some(n) => by_phone
                .into_iter()
                .filter(|b| b.date().is_none_or(|d| d == n))
                .collect(),
            None => by_phone,
        }
    }

    /// The backups of each phone by comparable UDID ([`udid_key`]): a
    /// backup is filed under its UDID and under its folder name, as
    /// [`BackupObs::is_of`] matches either; indices in folder order.
    fn by_phone(&self) -> HashMap<String, Vec<usize>> {
        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, b) in self.backups.iter().enumerate() {
            for name in [b.udid.as_deref(), Some(b.folder.as_str())]
                .into_iter()
                .flatten()
                .filter(|n| !n.is_empty())
            {
                let list = index.entry(udid_key(name)).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        index
    }
}

impl super::Snapshot {
    /// The backup-folder observation, when the probe ran.
    pub fn backups(&self) -> Option<&BackupsObs> {
        self.probes.backups.value()
    }

    /// The phones a diagnosis is about: `--udid` when given, else every
    /// phone usbmuxd lists.
    pub fn phones(&self) -> Vec<&str> {
        match self.options.udid.as_deref() {
            Some(u) => vec![u],
            None => self.mux_devices().iter().map(|d| d.udid.as_str()).collect(),
        }
    }

    /// The backups rules judge (see [`BackupsObs::relevant`]), each with
    /// the UDID its findings name.
    pub fn judged_backups(&self) -> Vec<(&BackupObs, String)> {
        let Some(obs) = self.backups() else {
            return Vec::new();
        };
        let phones = self.phones();
        // usbmuxd's spelling of each phone, by comparable UDID (the first
        // listed wins, as a search in list order would find it).
        let mut listed: HashMap<String, &str> = HashMap::new();
        for d in self.mux_devices().iter().filter(|d| !d.udid.is_empty()) {
            listed.entry(udid_key(&d.udid)).or_insert(&d.udid);
        }
        obs.relevant(&phones)
            .into_iter()
            .map(|b| {
                // usbmuxd's spelling, as the other layers' findings use it;
                // else the backup's own.
                let udid = [b.udid.as_deref(), Some(b.folder.as_str())]
                    .into_iter()
                    .flatten()
                    .filter(|n| !n.is_empty())
                    .find_map(|n| listed.get(&udid_key(n)))
                    .map(|u| (*u).to_string())
                    .or_else(|| b.udid.clone())
                    .unwrap_or_else(|| b.folder.clone());
                (b, udid)
            })
            .collect()
    }
}

fn latest<'a>(it: impl Iterator<Item = &'a BackupObs>) -> Option<&'a BackupObs> {
    let mut best: Option<&BackupObs> = None;
    for b in it {
        if best.is_none_or(|x| b.date() > x.date()) {
            best = Some(b);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backup(folder: &str, udid: &str, date: Option<&str>) -> BackupObs {
        BackupObs {
            folder: folder.into(),
            udid: Some(udid.into()),
            status: StatusPlistObs {
                date: date.map(Into::into),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn relevant_picks_the_connected_phones_latest_backup() {
        let obs = BackupsObs {
            backups: vec![
                backup("a", "AAAA", Some("2024-01-01T00:00:00Z")),
                backup("a-2023", "AAAA", Some("2023-01-01T00:00:00Z")),
                backup("b", "BBBB", Some("2025-01-01T00:00:00Z")),
            ],
            ..Default::default()
        };
        let r = obs.relevant(&["aaaa"]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].folder, "a");
        assert!(obs.relevant(&["CCCC"]).is_empty());
    }

    #[test]
    fn relevant_without_phone_is_the_newest() {
        let obs = BackupsObs {
            backups: vec![
                backup("a", "AAAA", Some("2024-01-01T00:00:00Z")),
                backup("b", "BBBB", Some("2025-01-01T00:00:00Z")),
                backup("c", "CCCC", None),
            ],
            ..Default::default()
        };
        let folders: Vec<&str> = obs
            .relevant(&[])
            .iter()
            .map(|b| b.folder.as_str())
            .collect();
        assert_eq!(folders, ["b", "c"]);
    }

    #[test]
    fn quick_check_ok_is_not_a_failure() {
        let mut db = ManifestDbObs {
            quick_check: Some(vec!["ok".into()]),
            ..Default::default()
        };
        assert!(!db.check_failed());
        db.quick_check = Some(vec!["*** in database main ***".into()]);
        assert!(db.check_failed());
    }
}
