//! How much space the next backup of a phone needs, as a range: the
//! estimate `host.disk-space` judges the free space against and the shared
//! reports draw beside it. It decides nothing about the computer; the rule
//! does (`disk_space.rs`, whose documentation cites where each figure comes
//! from).

use crate::format as fmt;
use crate::snapshot::Snapshot;

/// The headroom the phone asks for on top of what it will send: BackupAgent2
/// goes ahead only when the free space the computer reports exceeds its
/// upload size plus 128 MiB (pymobiledevice3 PR #1886). Below it nothing fits.
pub const HEADROOM: u64 = 128 * 1024 * 1024;
/// The lower estimate of a first backup: a phone in use holds more than this
/// of its own data (messages, settings, app data, photos not kept in iCloud).
pub const FIRST_BACKUP_LOW: u64 = 1_000_000_000;
/// The share of the last backup an incremental backup typically resends
/// (changed app data, new messages and photos).
const INCREMENTAL_SHARE: u64 = 10;

/// What the phone's last finished backup in the folder tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastBackup {
    /// Its size on disk.
    pub size: u64,
    /// The size of its Manifest.db, when it has one.
    pub manifest_db: Option<u64>,
}

/// How much the next backup of one phone may need, and from what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    /// With less free space than this it will not fit.
    pub low: u64,
    /// It may need up to about this.
    pub high: u64,
    /// Says how the two were worked out, for evidence.
    pub basis: String,
}

/// Estimates the space the next backup needs, as a range.
///
/// A first backup (no finished backup of the phone here) needs at most
/// about what the phone uses (`used`), and usually less: apps and what is
/// kept in iCloud (iCloud Photos, iCloud Drive) are not in a computer
/// backup. An incremental one sends what changed (about a tenth of the last
/// backup, plus what the phone gained since), and never less than a new
/// Manifest.db as large as the last one. Both add the phone's 128 MiB.
/// Returns None when neither the last backup nor the phone's usage is known.
pub fn estimate_need(last: Option<LastBackup>, used: Option<u64>) -> Option<Estimate> {
    match (last, used) {
        (Some(last), used) => {
            let growth = used.map_or(0, |u| u.saturating_sub(last.size));
            let changes = (last.size / INCREMENTAL_SHARE).saturating_add(growth);
            let floor = last.manifest_db.unwrap_or(0);
            let mut basis = format!(
                "an incremental backup: about a tenth of the last backup ({})",
                fmt::bytes(last.size)
            );
            if growth > 0 {
                basis.push_str(&format!(
                    " plus the {} the phone holds beyond it",
                    fmt::bytes(growth)
                ));
            }
            if floor > 0 {
                basis.push_str(&format!(
                    ", and at least a new Manifest.db as large as the last one ({})",
                    fmt::bytes(floor)
                ));
            }
            basis.push_str(", plus the 128 MiB the phone keeps free");
            let low = floor.saturating_add(HEADROOM);
            Some(Estimate {
                low,
                high: changes.saturating_add(HEADROOM).max(low),
                basis,
            })
        }
        (None, Some(used)) => {
            let low = used.min(FIRST_BACKUP_LOW).saturating_add(HEADROOM);
            Some(Estimate {
                low,
                high: used.saturating_add(HEADROOM).max(low),
                basis: format!(
                    "a first (full) backup: at most about the {} of data on the phone, usually less (apps and what is kept in iCloud, such as iCloud Photos, are not in a computer backup), plus the 128 MiB the phone keeps free",
                    fmt::bytes(used)
                ),
            })
        }
        (None, None) => None,
    }
}

/// The estimate of the next backup of `udid` (from its last finished
/// backup here and its used space), as `host.disk-space` judges it; the
/// shared reports draw it beside the free space.
pub fn next_backup(s: &Snapshot, udid: &str) -> Option<Estimate> {
    estimate_need(last_finished(s, udid), phone_used_bytes(s, udid))
}

/// The phone's used data capacity, when the device probe read
/// `com.apple.disk_usage` (total minus available data capacity).
fn phone_used_bytes(s: &Snapshot, udid: &str) -> Option<u64> {
    s.phone_data_used(udid)
}

/// The last finished backup of `udid` in the backup folder.
fn last_finished(s: &Snapshot, udid: &str) -> Option<LastBackup> {
    let obs = s.backups()?;
    let b = obs.relevant(&[udid]).into_iter().next()?;
    let finished = b.status.snapshot_state.as_deref() == Some("finished") && !b.snapshot_dir;
    if !finished {
        return None;
    }
    Some(LastBackup {
        size: b.size_bytes?,
        manifest_db: b
            .manifest_db
            .file
            .is_present()
            .then_some(b.manifest_db.file.bytes)
            .flatten(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GB: u64 = 1_000_000_000;

    #[test]
    fn estimates_are_ranges() {
        assert_eq!(estimate_need(None, None), None);
        // First backup: the phone's usage is the upper estimate only.
        let first = estimate_need(None, Some(50 * GB)).expect("known");
        assert_eq!((first.low, first.high), (GB + HEADROOM, 50 * GB + HEADROOM));
        assert!(first.basis.contains("iCloud Photos"), "{}", first.basis);
        // A nearly empty phone: both ends are its usage.
        let tiny = estimate_need(None, Some(300_000_000)).expect("known");
        assert_eq!(
            (tiny.low, tiny.high),
            (300_000_000 + HEADROOM, 300_000_000 + HEADROOM)
        );
        // Incremental: the last Manifest.db is the floor.
        let last = LastBackup {
            size: 40 * GB,
            manifest_db: Some(80_000_000),
        };
        let inc = estimate_need(Some(last), None).expect("known");
        assert_eq!(
            (inc.low, inc.high),
            (80_000_000 + HEADROOM, 4 * GB + HEADROOM)
        );
        let grown = estimate_need(Some(last), Some(45 * GB)).expect("known");
        assert_eq!(grown.high, 4 * GB + 5 * GB + HEADROOM);
        assert!(
            grown.basis.contains("5.0 GB the phone holds beyond it"),
            "{}",
            grown.basis
        );
        // The low end never passes the high one.
        let odd = estimate_need(
            Some(LastBackup {
                size: 10_000_000,
                manifest_db: Some(9_000_000),
            }),
            None,
        )
        .expect("known");
        assert!(odd.low <= odd.high);
    }
}
