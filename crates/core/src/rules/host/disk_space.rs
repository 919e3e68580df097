use crate::rules::prelude::*;

/// The headroom the phone asks for on top of what it will send: BackupAgent2
/// goes ahead only when the free space the computer reports exceeds its
/// upload size plus 128 MiB (pymobiledevice3 PR #1886). Below it nothing fits.
const HEADROOM: u64 = 128 * 1024 * 1024;
/// The lower estimate of a first backup: a phone in use holds more than this
/// of its own data (messages, settings, app data, photos not kept in iCloud).
const FIRST_BACKUP_LOW: u64 = 1_000_000_000;
/// Below this a first backup of most phones will not fit (nothing known).
const LOW_FREE: u64 = 10_000_000_000;
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

declare_rule! {
    /// ## What it means
    /// The volume that holds the backup folder has less free space than the
    /// next backup needs (a blocker), or less than it may need (a warning:
    /// "may not fit", with the range).
    ///
    /// ## Why the backup fails
    /// The phone, not the computer, decides: before and during a backup it
    /// asks the computer how much space is free and stops when its upload
    /// plus 128 MiB will not fit ("not enough free space is available on
    /// this computer", idevicebackup2 error 105). On macOS the figure it
    /// gets leaves out APFS purgeable space, so it can be smaller than what
    /// Finder shows.
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// Free and total bytes of the volume holding the backup folder (after
    /// resolving links); the size of the phone's last finished backup and of
    /// its Manifest.db (matched by UDID; with no phone connected, the most
    /// recent backup); the phone's used data capacity when lockdownd gave
    /// it (`com.apple.disk_usage`).
    ///
    /// The need is a range, because nothing outside the phone knows it
    /// exactly:
    ///
    /// - The phone goes ahead only when the free space it is told exceeds
    ///   the size of what it will upload plus 128 MiB (BackupAgent2's
    ///   `_prepareFreeSpace`, quoted in
    ///   <https://github.com/doronz88/pymobiledevice3/pull/1886>). Less
    ///   than 128 MiB free stops every backup.
    /// - A first backup sends at most about what the phone uses, and
    ///   usually much less: "Backups don't include apps or media that you
    ///   would normally sync using the Finder … or stored in iCloud or
    ///   iCloud Drive"
    ///   (<https://support.apple.com/en-ge/guide/apple-configurator-mac/aside/cad67d80cfc6/2.17/mac/14.0>),
    ///   so the phone's used space (apps, iCloud Photos, caches included)
    ///   is the upper estimate. The lower one is 1 GB (or the phone's usage,
    ///   when smaller): a phone in use holds more of its own data than that.
    /// - An incremental backup sends what changed: about a tenth of the last
    ///   backup plus what the phone gained since is the upper estimate. Its
    ///   floor is the last backup's Manifest.db: the phone fetches the old
    ///   one to compare (<https://github.com/doronz88/pymobiledevice3/pull/1858>)
    ///   and sends a complete new one, which is written into a `Snapshot`
    ///   folder beside the old backup and moved into place at the end
    ///   (<https://github.com/libimobiledevice/libimobiledevice/issues/1135>).
    ///
    /// Free space below the lower estimate is a blocker; between the two a
    /// warning that it may not fit, with the range.
    ///
    /// ## Known limitations
    /// Without a previous backup or the phone's usage the size of the next
    /// backup is unknown; the check then uses fixed thresholds (128 MiB
    /// blocker; 1 GB and 10 GB warnings) and says so. The share an
    /// incremental backup resends is a rule of thumb: a phone that took many
    /// new photos since sends more, and a phone that decides on a full backup
    /// instead sends about as much as its last complete one. The phone's own
    /// figure can even exceed its capacity (iOS 26.6:
    /// <https://github.com/doronz88/pymobiledevice3/issues/1879>; BackupAgent2
    /// asking for 11 TB: <https://github.com/libimobiledevice/libimobiledevice/issues/1555>);
    /// only a log of the backup itself shows it.
    pub static RULE = {
        id: "host.disk-space",
        title: "Not enough free space for a backup",
        variants: &[MAY_NOT_FIT],
        layer: Layer::Host,
        severity: Severity::Blocker,
        steps: &[
            Fix::any("Free space on that volume, or delete old backups you no longer need."),
            texts::HOST_SPACE_MAC,
            texts::HOST_SPACE_WINDOWS,
            texts::HOST_SPACE_LINUX,
        ],
        since: "0.1.0",
        check,
    }
}

const MAY_NOT_FIT: Title = Title {
    when: "the free space lies between the lower and the upper estimate of what the next backup needs, or nothing says what it needs",
    text: "The next backup may not fit in the free space",
};

fn check(s: &Snapshot, out: &mut Findings) {
    for r in out.reported_for(RULE.id) {
        out.push(r.finding(&RULE));
    }
    let Some(host) = s.host() else {
        return;
    };
    let Some(vol) = &host.backup_dir.volume else {
        return;
    };
    let free = vol.free_bytes;
    let name = vol.name.as_deref().unwrap_or(&vol.mount_point);
    let seen = format!(
        "{name} (mounted at {}) has {} free of {}",
        vol.mount_point,
        fmt::bytes(free),
        fmt::bytes(vol.total_bytes)
    );
    let f = Finding::new(&RULE).evidence(seen);
    if free < HEADROOM {
        out.push(f.evidence(
            "the phone starts a backup only with more than 128 MiB free beyond what it sends",
        ));
        return;
    }
    // The phones to estimate for: those connected, else the phone of the
    // most recent backup.
    let mut phones: Vec<String> = s.phones().iter().map(|p| p.to_string()).collect();
    if phones.is_empty() {
        phones = s
            .judged_backups()
            .into_iter()
            .map(|(_, udid)| udid)
            .collect();
    }
    let estimates: Vec<(String, Estimate)> = phones
        .into_iter()
        .filter_map(|udid| {
            let e = estimate_need(last_finished(s, &udid), phone_used_bytes(s, &udid))?;
            Some((udid, e))
        })
        .collect();
    if !estimates.is_empty() {
        for (udid, e) in estimates {
            if free >= e.high {
                continue;
            }
            let range = format!(
                "the next backup needs between {} and {}: {}",
                fmt::bytes(e.low),
                fmt::bytes(e.high),
                e.basis
            );
            let f = f.clone().device(udid).evidence(range);
            out.push(if free < e.low {
                f.confidence(Confidence::Likely)
                    .evidence("the free space is below even the lower estimate")
            } else {
                f.title(&MAY_NOT_FIT)
                    .at_most(Severity::Warning)
                    .confidence(Confidence::Possible)
                    .evidence("the free space lies between the two: it may not fit")
            });
        }
        return;
    }
    // Nothing known about the next backup: fixed thresholds.
    let f = f.title(&MAY_NOT_FIT).at_most(Severity::Warning);
    if free < FIRST_BACKUP_LOW {
        out.push(f.confidence(Confidence::Likely).evidence(
            "only a small incremental backup fits in less than 1 GB; a first backup of a phone in use needs more",
        ));
    } else if free < LOW_FREE {
        out.push(
            f.confidence(Confidence::Possible)
                .evidence("a first backup of a phone usually needs more than 10 GB"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::rules::testing_backups::*;

    const GB: u64 = 1_000_000_000;

    #[test]
    fn nothing_fits_below_the_phones_headroom() {
        let s = world().free_space(100_000_000, 250 * GB).build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.confidence, f.title.as_str()),
            (Severity::Blocker, Confidence::Certain, RULE.title)
        );
        assert!(
            f.evidence[0].contains("100 MB free of 250 GB"),
            "{:?}",
            f.evidence
        );
    }

    #[test]
    fn with_nothing_known_low_space_may_not_fit() {
        let s = world().free_space(500_000_000, 250 * GB).build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.confidence, f.title.as_str()),
            (Severity::Warning, Confidence::Likely, MAY_NOT_FIT.text)
        );
        let s = world().free_space(4 * GB, 250 * GB).build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.confidence),
            (Severity::Warning, Confidence::Possible)
        );
    }

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

    #[test]
    fn between_the_estimates_is_may_not_fit_with_the_range() {
        // 30 GB last backup with an 80 MB Manifest.db: needs 0.2 to 3.1 GB.
        let s = world()
            .phones(&[UDID_A])
            .backup(|_| {})
            .free_space(2_500_000_000, 250 * GB)
            .build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.confidence, f.title.as_str()),
            (Severity::Warning, Confidence::Possible, MAY_NOT_FIT.text)
        );
        assert_eq!(f.device.as_deref(), Some(UDID_A));
        assert!(
            f.evidence[1].starts_with("the next backup needs between 214 MB and 3.1 GB"),
            "{:?}",
            f.evidence
        );
        // Enough for the upper estimate: silent.
        let s = world()
            .phones(&[UDID_A])
            .backup(|_| {})
            .free_space(5 * GB, 250 * GB)
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn below_the_lower_estimate_is_a_blocker() {
        // A 1.5 GB Manifest.db (a phone with 1.3 million files) needs 1.6 GB
        // for the new one alone.
        let s = world()
            .phones(&[UDID_A])
            .backup(|b| b.manifest_db.file.bytes = Some(1_500_000_000))
            .free_space(1_200_000_000, 250 * GB)
            .build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.confidence, f.title.as_str()),
            (Severity::Blocker, Confidence::Likely, RULE.title)
        );
        assert!(f.evidence[2].contains("below even the lower estimate"));
    }

    #[test]
    fn a_first_backup_over_estimated_by_the_phones_usage_only_warns() {
        // The phone uses 50 GB; 20 GB free is within the range, not certain
        // to fail (apps and iCloud Photos are not in the backup).
        let s = world()
            .phone()
            .lockdown(|l| {
                l.disk_usage = Some(DiskUsage {
                    total_data_capacity: Some(64 * GB),
                    total_data_available: Some(14 * GB),
                    ..Default::default()
                })
            })
            .free_space(20 * GB, 250 * GB)
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Warning, "{:?}", f.evidence);
        assert!(
            f.evidence[1].contains("between 1.1 GB and 50.1 GB"),
            "{:?}",
            f.evidence
        );
    }

    #[test]
    fn a_torn_last_backup_gives_no_incremental_estimate() {
        let s = world()
            .backup(|b| b.status.snapshot_state = Some("uploading".into()))
            .free_space(4 * GB, 250 * GB)
            .build();
        assert_eq!(only(&s, &RULE).confidence, Confidence::Possible);
    }

    #[test]
    fn silent_with_room() {
        assert!(fired(&world().free_space(80 * GB, 250 * GB).build(), &RULE).is_empty());
    }
}
