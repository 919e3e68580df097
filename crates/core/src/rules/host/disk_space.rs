use super::backup_need::{next_backup, Estimate, FIRST_BACKUP_LOW, HEADROOM};
use super::usable_space::UsableSpace;
use crate::rules::prelude::*;

/// Below this a first backup of most phones will not fit (nothing known).
const LOW_FREE: u64 = 10_000_000_000;

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
    /// gets leaves out APFS purgeable space unless the backup program counts
    /// it, so it can be smaller than what Finder shows.
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// Free and total bytes of the volume holding the backup folder (after
    /// resolving links); the size of the phone's last finished backup and of
    /// its Manifest.db (matched by UDID; with no phone connected, the most
    /// recent backup); the phone's used data capacity when lockdownd gave
    /// it (`com.apple.disk_usage`). When the phone's backup log was read
    /// (`watch`, or an `idevicesyslog` capture given to `diagnose --from`),
    /// the agent's own "Need extra space on host: N. Requesting host to
    /// purge now" (with the free space the computer had reported and the
    /// upload size, when it logged them) or a failure with MBErrorDomain 105:
    /// that is the phone's decision, not an estimate, and replaces the
    /// estimates below (public capture:
    /// <https://github.com/libimobiledevice/libimobiledevice/issues/1384>).
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
    /// On a Mac the check reads two figures: statvfs's free space, and the
    /// volume's "available capacity for important usage", which also counts
    /// the APFS purgeable space macOS frees on demand (local Time Machine
    /// snapshots, caches; Finder shows this one:
    /// <https://developer.apple.com/documentation/foundation/urlresourcekey/checking_volume_storage_capacity>).
    /// The evidence states both where they differ. The judgement uses the
    /// larger one, since that is what a Finder backup can use: when the
    /// phone is told too little it asks the computer to free the difference
    /// (`DLMessagePurgeDiskSpace`), and Apple's software has macOS purge
    /// (<https://github.com/doronz88/pymobiledevice3/pull/1884>);
    /// pymobiledevice3 reports the larger figure itself
    /// (<https://github.com/doronz88/pymobiledevice3/pull/1770>). When the
    /// backup fits only with the purgeable space, that is a warning of its
    /// own: idevicebackup2 reports statvfs's figure and answers the purge
    /// request with "Operation not supported", so its backup stops with
    /// error 105 (<https://github.com/doronz88/pymobiledevice3/issues/1769>
    /// is the same for pymobiledevice3 before that fix).
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
        id: RuleId::HostDiskSpace,
        title: "Not enough free space for a backup",
        variants: &[MAY_NOT_FIT, ONLY_AFTER_PURGE],
        layer: Layer::Host,
        severity: Severity::Blocker,
        steps: &[
            Fix::any("Free space on that volume, or delete old backups you no longer need."),
            texts::HOST_SPACE_MAC,
            texts::HOST_SPACE_WINDOWS,
            texts::HOST_SPACE_LINUX,
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

const MAY_NOT_FIT: Title = Title {
    when: "the free space lies between the lower and the upper estimate of what the next backup needs, or nothing says what it needs",
    text: "The next backup may not fit in the free space",
};

const ONLY_AFTER_PURGE: Title = Title {
    when: "the next backup fits only counting the APFS purgeable space macOS frees on demand (Finder's free figure), not in what statvfs calls free",
    text: "The next backup fits only once macOS frees purgeable space",
};

/// When the backup fits only with purgeable space freed: the programs that
/// can use it, and how to make the space plainly free.
const ONLY_AFTER_PURGE_STEPS: &[Fix] = &[
    Fix::new(Platforms::MACOS, "Back up with Finder, which has macOS free purgeable space when the phone asks (pymobiledevice3 releases after July 2026 count it too); idevicebackup2 does not, and stops with error 105."),
    Fix::new(Platforms::MACOS, "Or make the space plainly free: delete files or old backups and empty the Trash; local Time Machine snapshots are part of the purgeable space (`tmutil listlocalsnapshots /` lists them)."),
];

fn check(s: &Snapshot, out: &mut Findings) {
    // A tool's own report of the cause, when a capture was given.
    let reported = out.reported_for(RULE.id);
    let any_reported = !reported.is_empty();
    for r in reported {
        out.push(r.finding(&RULE));
    }
    // The phone's own word beats every estimate.
    if phone_said_so(s, out) || any_reported {
        return;
    }
    let Some(host) = s.host() else {
        return;
    };
    let Some(vol) = &host.backup_dir.volume else {
        return;
    };
    let space = UsableSpace::new(vol.free_bytes, vol.important_free_bytes);
    // Judged with what a Finder backup can use (see the rule's docs).
    let free = space.at_most();
    let name = vol.name.as_deref().unwrap_or(&vol.mount_point);
    let mut seen = format!(
        "{name} (mounted at {}) has {} free of {}",
        vol.mount_point,
        fmt::bytes(space.free_now),
        fmt::bytes(vol.total_bytes)
    );
    if space.purgeable > 0 {
        seen.push_str(&format!(
            "; {} counting the {} of purgeable space macOS frees when asked (the figure Finder shows; statvfs, and so idevicebackup2, gives only the first)",
            fmt::bytes(free),
            fmt::bytes(space.purgeable)
        ));
    }
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
            let e = next_backup(s, &udid)?;
            Some((udid, e))
        })
        .collect();
    if !estimates.is_empty() {
        for (udid, e) in estimates {
            if free >= e.high {
                if space.fits_only_after_purge(e.high) {
                    out.push(
                        f.clone()
                            .device(udid)
                            .title(&ONLY_AFTER_PURGE)
                            .steps(ONLY_AFTER_PURGE_STEPS)
                            .at_most(Severity::Warning)
                            .confidence(Confidence::Possible)
                            .evidence(format!(
                                "the next backup needs between {} and {}: {}",
                                fmt::bytes(e.low),
                                fmt::bytes(e.high),
                                e.basis
                            ))
                            .evidence("it fits in the free space only with the purgeable space freed: a Finder backup has macOS free it, an idevicebackup2 backup cannot"),
                    );
                }
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
    } else if space.fits_only_after_purge(LOW_FREE) {
        out.push(
            f.title(&ONLY_AFTER_PURGE)
                .steps(ONLY_AFTER_PURGE_STEPS)
                .confidence(Confidence::Possible)
                .evidence("a first backup of a phone usually needs more than 10 GB: that much is free only with the purgeable space freed, which a Finder backup has macOS do and an idevicebackup2 backup cannot"),
        );
    }
}

/// The MBErrorDomain code of "Insufficient free disk space on drive to back up".
pub const INSUFFICIENT_SPACE: i64 = 105;

/// Findings from the phones' backup logs: the agent said "Need extra space
/// on host: N" (its own figure), or failed with MBErrorDomain 105. True when
/// one was made.
fn phone_said_so(s: &Snapshot, out: &mut Findings) -> bool {
    let mut any = false;
    for d in &s.probes.devices {
        let Some(log) = d.backup_log() else {
            continue;
        };
        let need = log
            .find(|e| matches!(e, BackupEvent::NeedsHostSpace { .. }))
            .last();
        let failed = log
            .find(|e| {
                matches!(e, BackupEvent::Failed { code: Some(c), .. } if *c == INSUFFICIENT_SPACE)
            })
            .last();
        if need.is_none() && failed.is_none() {
            continue;
        }
        let mut f = Finding::new(&RULE).device(&d.udid);
        if let Some(e) = need {
            if let BackupEvent::NeedsHostSpace {
                extra_bytes,
                host_free_bytes,
                upload_bytes,
            } = &e.event
            {
                let time = e.time.as_deref().unwrap_or("time unknown");
                let at = match e.place() {
                    Some(place) => format!("{place}: {time}"),
                    None => time.to_string(),
                };
                f = f.evidence(format!(
                    "{}, {at}: the phone's backup agent needs {} ({extra_bytes} bytes) more free space on this computer than it was told is free, and asked the computer to purge (\"Need extra space on host: {extra_bytes}\")",
                    log.origin(),
                    fmt::bytes(*extra_bytes)
                ));
                match (host_free_bytes, upload_bytes) {
                    (Some(free), Some(up)) => {
                        f = f.evidence(format!(
                            "the computer told the phone {} was free; the phone will upload {} and wants 128 MiB beyond that",
                            fmt::bytes(*free),
                            fmt::bytes(*up)
                        ))
                    }
                    (Some(free), None) => {
                        f = f.evidence(format!(
                            "the computer told the phone {} was free",
                            fmt::bytes(*free)
                        ))
                    }
                    (None, Some(up)) => {
                        f = f.evidence(format!("the phone will upload {}", fmt::bytes(*up)))
                    }
                    (None, None) => {}
                }
            }
        }
        if let Some(e) = failed {
            f = f.evidence(format!("{}: {}", log.origin(), e.evidence()));
        }
        if let Some(vol) = s.host().and_then(|h| h.backup_dir.volume.as_ref()) {
            f = f.evidence(format!(
                "{} (mounted at {}) has {} free now",
                vol.name.as_deref().unwrap_or(&vol.mount_point),
                vol.mount_point,
                fmt::bytes(vol.free_bytes)
            ));
        }
        out.push(f);
        any = true;
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::rules::testing_backups::*;

    const GB: u64 = 1_000_000_000;

    #[test]
    fn the_phones_own_figure_is_a_certain_blocker() {
        let s = world()
            .phone()
            .phone_log(
                "Nov 30 05:33:32 BackupAgent2[4308] <Notice>: uploadSize:16795365018(16795365018), uploadFileCount:28691
                 Nov 30 05:33:32 BackupAgent2[4308] <Notice>: Free disk space on drive: 4664553472 (4.66 GB)
                 Nov 30 05:33:32 BackupAgent2[4308] <Notice>: Need extra space on host: 12265029274. Requesting host to purge now",
            )
            .build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.confidence, f.title.as_str()),
            (Severity::Blocker, Confidence::Certain, RULE.title)
        );
        assert!(f.says("12.3 GB (12265029274 bytes)"), "{:?}", f.evidence);
        assert!(f.says("4.7 GB was free"), "{:?}", f.evidence);
        assert!(f.says("200 GB free now"), "{:?}", f.evidence);
        // A backup that runs normally says nothing.
        let s = world()
            .phone()
            .phone_log(
                "Jan 21 02:17:35 unknown BackupAgent2[142] <Warning>: INFO: Uploaded 61 files of 5.0 MB in 0.872 s at 5.72 MB/s
                 Jan 21 02:17:37 unknown BackupAgent2[142] <Warning>: WARNING: Finished backup in 2.873 s",
            )
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn nothing_fits_below_the_phones_headroom() {
        let s = world().free_space(100_000_000, 250 * GB).build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.confidence, f.title.as_str()),
            (Severity::Blocker, Confidence::Certain, RULE.title)
        );
        assert!(f.says("100 MB free of 250 GB"), "{:?}", f.evidence);
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
            f.says("the next backup needs between 214 MB and 3.1 GB"),
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
        assert!(f.says("below even the lower estimate"));
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
        assert!(f.says("between 1.1 GB and 50.1 GB"), "{:?}", f.evidence);
    }

    #[test]
    fn a_torn_last_backup_gives_no_incremental_estimate() {
        let s = world()
            .backup(|b| b.status.snapshot_state = Some("uploading".into()))
            .free_space(4 * GB, 250 * GB)
            .build();
        assert_eq!(only(&s, &RULE).confidence, Confidence::Possible);
    }

    fn purgeable(s: World, statvfs: u64, important: u64) -> World {
        s.os(OsFamily::Macos, "14.6.1")
            .free_space(statvfs, 494 * GB)
            .backup_dir(|d| {
                if let Some(v) = d.volume.as_mut() {
                    v.important_free_bytes = Some(important);
                }
            })
    }

    #[test]
    fn both_figures_are_stated_and_the_larger_judges() {
        // pymobiledevice3 #1769: ~32 GB free by statvfs, ~90 GB purgeable.
        // A 30 GB last backup needs up to 3.1 GB: fits in either figure.
        let s = purgeable(world().phones(&[UDID_A]).backup(|_| {}), 32 * GB, 122 * GB).build();
        assert!(fired(&s, &RULE).is_empty());
        // 600 MB free, 40 GB counting purgeable space: not a blocker, but it
        // fits only once macOS purges.
        let s = purgeable(
            world().phones(&[UDID_A]).backup(|_| {}),
            600_000_000,
            40 * GB,
        )
        .build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.title.as_str()),
            (Severity::Warning, ONLY_AFTER_PURGE.text)
        );
        assert!(
            f.says("600 MB free of 494 GB; 40.0 GB counting the 39.4 GB of purgeable space"),
            "{:?}",
            f.evidence
        );
        assert!(
            f.remediation[0].starts_with("Back up with Finder"),
            "{:?}",
            f.remediation
        );
    }

    #[test]
    fn with_nothing_known_purgeable_space_is_named() {
        let s = purgeable(world(), 4 * GB, 60 * GB).build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.title.as_str()),
            (Severity::Warning, ONLY_AFTER_PURGE.text)
        );
        assert!(fired(&purgeable(world(), 12 * GB, 60 * GB).build(), &RULE).is_empty());
    }

    #[test]
    fn purgeable_space_cannot_make_room_that_is_not_there() {
        let s = purgeable(
            world()
                .phones(&[UDID_A])
                .backup(|b| b.manifest_db.file.bytes = Some(1_500_000_000)),
            200_000_000,
            900_000_000,
        )
        .build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.title.as_str()),
            (Severity::Blocker, RULE.title)
        );
        assert!(f.says("counting the 700 MB of purgeable space"));
    }

    #[test]
    fn silent_with_room() {
        assert!(fired(&world().free_space(80 * GB, 250 * GB).build(), &RULE).is_empty());
    }
}
