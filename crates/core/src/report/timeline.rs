//! The phone's backups in the backup folder, in time order, each finished,
//! unfinished or damaged as the backup rules see it: the time line of the
//! HTML report.

use super::Report;
use crate::dates::unix_seconds;
use crate::rules::backup::corrupt::{damage, unfinished};
use crate::snapshot::{BackupObs, FileState};

/// What became of one backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupKind {
    Finished,
    /// Its last run stopped part-way (`backup.unfinished`).
    Unfinished,
    /// Its metadata is missing or unreadable (`backup.corrupt`).
    Damaged,
    /// The evidence does not say (an imported listing without Status.plist).
    Unknown,
}

impl BackupKind {
    pub fn word(self) -> &'static str {
        match self {
            Self::Finished => "finished",
            Self::Unfinished => "unfinished",
            Self::Damaged => "damaged",
            Self::Unknown => "state not known",
        }
    }
}

/// One backup on the time line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupMark {
    /// RFC 3339, as the backup's plists give it.
    pub date: Option<String>,
    /// Seconds since 1970, when the date parses.
    pub at: Option<i64>,
    pub kind: BackupKind,
    pub size: Option<u64>,
    /// "Alice's iPhone (iPhone13,2, iOS 17.5)".
    pub label: String,
    pub folder: String,
}

/// The backups of `udid` (every backup when None), oldest first; those
/// without a date last.
pub fn backups(report: &Report, udid: Option<&str>) -> Vec<BackupMark> {
    let Some(obs) = report.snapshot.backups() else {
        return Vec::new();
    };
    let mut out: Vec<BackupMark> = obs
        .backups
        .iter()
        .filter(|b| udid.is_none_or(|u| b.is_of(u)))
        .map(|b| BackupMark {
            date: b.date().map(str::to_string),
            at: b.date().and_then(unix_seconds),
            kind: kind(b),
            size: b.size_bytes,
            label: b.label(),
            folder: b.folder.clone(),
        })
        .collect();
    out.sort_by_key(|m| (m.at.is_none(), m.at));
    out
}

fn kind(b: &BackupObs) -> BackupKind {
    if unfinished(b) {
        BackupKind::Unfinished
    } else if damage(b).metadata {
        BackupKind::Damaged
    } else if b.status.snapshot_state.as_deref() == Some("finished") {
        BackupKind::Finished
    } else if b.status.file.state == FileState::NotSeen || b.status.snapshot_state.is_none() {
        BackupKind::Unknown
    } else {
        BackupKind::Finished
    }
}
