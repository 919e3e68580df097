use crate::rules::prelude::*;

/// Below this nothing fits: even an incremental backup needs room for its
/// manifest and the phone asks for about 128 MiB of headroom on top.
const CRITICAL_FREE: u64 = 1_000_000_000;
/// Below this a first backup of most phones will not fit.
const LOW_FREE: u64 = 10_000_000_000;
/// The headroom the phone asks for on top of what it will send.
const HEADROOM: u64 = 128 * 1024 * 1024;
/// The share of the last backup an incremental backup typically resends
/// (changed app data, new messages and photos).
const INCREMENTAL_SHARE: u64 = 10;

/// How much the next backup of one phone may need, and from what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    pub bytes: u64,
    /// Says how it was worked out, for evidence.
    pub basis: String,
}

/// Estimates the space the next backup needs.
///
/// `last_finished` is the size on disk of the phone's last finished backup
/// (None for a first backup, or when the last one did not finish);
/// `used` is the phone's used data capacity when lockdownd gave it. A
/// first backup needs about what the phone uses; an incremental one sends
/// what changed (about a tenth of the last backup) plus what the phone
/// gained since. Returns None when neither is known.
pub fn estimate_need(last_finished: Option<u64>, used: Option<u64>) -> Option<Estimate> {
    match (last_finished, used) {
        (Some(last), used) => {
            let churn = last / INCREMENTAL_SHARE;
            let growth = used.map_or(0, |u| u.saturating_sub(last));
            let mut basis = format!(
                "an incremental backup: about a tenth of the last backup ({})",
                fmt::bytes(last)
            );
            if growth > 0 {
                basis.push_str(&format!(
                    " plus the {} the phone holds beyond it",
                    fmt::bytes(growth)
                ));
            }
            Some(Estimate {
                bytes: churn.saturating_add(growth).saturating_add(HEADROOM),
                basis,
            })
        }
        (None, Some(used)) => Some(Estimate {
            bytes: used.saturating_add(HEADROOM),
            basis: format!(
                "a first (full) backup: about the {} of data on the phone",
                fmt::bytes(used)
            ),
        }),
        (None, None) => None,
    }
}

/// The phone's used data capacity, when the device probe read
/// `com.apple.disk_usage` (total minus available data capacity).
fn phone_used_bytes(s: &Snapshot, udid: &str) -> Option<u64> {
    s.phone_data_used(udid)
}

/// The last finished backup of `udid` in the backup folder: its size.
fn last_finished_size(s: &Snapshot, udid: &str) -> Option<u64> {
    let obs = s.backups()?;
    let b = obs.relevant(&[udid]).into_iter().next()?;
    let finished = b.status.snapshot_state.as_deref() == Some("finished") && !b.snapshot_dir;
    if finished {
        b.size_bytes
    } else {
        None
    }
}

declare_rule! {
    /// ## What it means
    /// The volume that holds the backup folder has less free space than the
    /// next backup is likely to need.
    ///
    /// ## Why the backup fails
    /// The phone, not the computer, decides: before and during a backup it
    /// asks the computer how much space is free and stops when the upload
    /// plus about 128 MiB will not fit ("not enough free space is available
    /// on this computer", idevicebackup2 error 105). On macOS the figure it
    /// gets leaves out APFS purgeable space, so it can be smaller than what
    /// Finder shows.
    ///
    /// ## Evidence used
    /// Free and total bytes of the volume holding the backup folder (after
    /// resolving links); the size of the phone's last finished backup
    /// (matched by UDID; with no phone connected, the most recent backup);
    /// the phone's used data capacity when lockdownd gave it. A first backup
    /// needs about what the phone uses plus 128 MiB; an incremental one
    /// about a tenth of the last backup plus what the phone gained since.
    ///
    /// ## Known limitations
    /// Without a previous backup or the phone's usage the size of the next
    /// backup is unknown; the check then uses fixed thresholds (1 GB
    /// blocker, 10 GB warning) and says so. The share an incremental backup
    /// resends is a rule of thumb: a phone that took many new photos since
    /// sends more.
    pub static RULE = {
        id: "host.disk-space",
        title: "Not enough free space for a backup",
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

fn check(s: &Snapshot, out: &mut Findings) {
    let Some(host) = s.host() else {
        return;
    };
    let Some(vol) = &host.backup_dir.volume else {
        return;
    };
    let name = vol.name.as_deref().unwrap_or(&vol.mount_point);
    let seen = format!(
        "{name} (mounted at {}) has {} free of {}",
        vol.mount_point,
        fmt::bytes(vol.free_bytes),
        fmt::bytes(vol.total_bytes)
    );
    let f = Finding::new(&RULE).evidence(seen);
    if vol.free_bytes < CRITICAL_FREE {
        out.push(f.evidence("even an incremental backup needs more than 1 GB free"));
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
            let e = estimate_need(last_finished_size(s, &udid), phone_used_bytes(s, &udid))?;
            Some((udid, e))
        })
        .collect();
    if !estimates.is_empty() {
        for (udid, e) in estimates {
            if vol.free_bytes < e.bytes {
                out.push(
                    f.clone()
                        .device(udid)
                        .confidence(Confidence::Likely)
                        .evidence(format!(
                            "the next backup needs about {}: {}",
                            fmt::bytes(e.bytes),
                            e.basis
                        )),
                );
            }
        }
        return;
    }
    // Nothing known about the next backup: fixed thresholds.
    if vol.free_bytes < LOW_FREE {
        out.push(
            f.at_most(Severity::Warning)
                .confidence(Confidence::Possible)
                .evidence("a first backup of a phone usually needs more than 10 GB"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn blocker_below_one_gigabyte() {
        let s = world().free_space(500_000_000, 250_000_000_000).build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Blocker);
        assert!(
            f.evidence[0].contains("500 MB free of 250 GB"),
            "{:?}",
            f.evidence
        );
    }

    #[test]
    fn possible_warning_below_ten_gigabytes() {
        let s = world().free_space(4_000_000_000, 250_000_000_000).build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.confidence),
            (Severity::Warning, Confidence::Possible)
        );
    }

    use crate::rules::testing_backups::*;

    #[test]
    fn estimate_first_and_incremental() {
        assert_eq!(estimate_need(None, None), None);
        let first = estimate_need(None, Some(50_000_000_000)).expect("known");
        assert_eq!(first.bytes, 50_000_000_000 + HEADROOM);
        assert!(first.basis.contains("first"));
        let inc = estimate_need(Some(40_000_000_000), None).expect("known");
        assert_eq!(inc.bytes, 4_000_000_000 + HEADROOM);
        let grown = estimate_need(Some(40_000_000_000), Some(45_000_000_000)).expect("known");
        assert_eq!(grown.bytes, 4_000_000_000 + 5_000_000_000 + HEADROOM);
        assert!(
            grown.basis.contains("5.0 GB the phone holds beyond it"),
            "{}",
            grown.basis
        );
    }

    #[test]
    fn last_backup_size_decides_for_the_connected_phone() {
        // 30 GB last backup: an incremental one needs about 3.1 GB.
        let s = world()
            .phones(&[UDID_A])
            .backup(|_| {})
            .free_space(2_500_000_000, 250_000_000_000)
            .build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.confidence),
            (Severity::Blocker, Confidence::Likely)
        );
        assert_eq!(f.device.as_deref(), Some(UDID_A));
        assert!(f.evidence[1].contains("about 3.1 GB"), "{:?}", f.evidence);
        // 5 GB free: below the fixed 10 GB warning but enough for this phone.
        let s = world()
            .phones(&[UDID_A])
            .backup(|_| {})
            .free_space(5_000_000_000, 250_000_000_000)
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn a_torn_last_backup_gives_no_estimate() {
        let s = world()
            .backup(|b| b.status.snapshot_state = Some("uploading".into()))
            .free_space(4_000_000_000, 250_000_000_000)
            .build();
        assert_eq!(only(&s, &RULE).confidence, Confidence::Possible);
    }

    #[test]
    fn silent_with_room() {
        assert!(fired(
            &world().free_space(80_000_000_000, 250_000_000_000).build(),
            &RULE
        )
        .is_empty());
    }
}
