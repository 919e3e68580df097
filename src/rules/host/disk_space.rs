use crate::rules::prelude::*;

/// Below this nothing fits: even an incremental backup needs room for its
/// manifest and the phone asks for about 128 MiB of headroom on top.
const CRITICAL_FREE: u64 = 1_000_000_000;
/// Below this a first backup of most phones will not fit.
const LOW_FREE: u64 = 10_000_000_000;

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
    /// resolving links).
    ///
    /// ## Known limitations
    /// Without a connected phone or a previous backup the size of the next
    /// backup is unknown; the check then uses fixed thresholds (1 GB
    /// blocker, 10 GB warning) and says so.
    pub static RULE = {
        id: "host.disk-space",
        title: "Not enough free space for a backup",
        layer: Layer::Host,
        severity: Severity::Blocker,
        hides: &[],
        steps: &[
            step("Free space on that volume, or delete old backups you no longer need."),
            step_on(Platforms::MACOS, "Finder: select the iPhone > Manage Backups lists old backups to delete. Emptying the Trash and removing purgeable files helps too, since the phone does not count purgeable space."),
            step_on(Platforms::WINDOWS, "Delete old backups in iTunes (Edit > Preferences > Devices) or Apple Devices (Manage Backups), or move the backup folder to a larger drive with a junction: mklink /J \"%APPDATA%\\Apple Computer\\MobileSync\\Backup\" \"E:\\iPhoneBackup\"."),
            step_on(Platforms::LINUX, "Point idevicebackup2 at a folder on a larger disk: idevicebackup2 backup /path/on/larger/disk"),
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
    } else if vol.free_bytes < LOW_FREE {
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

    #[test]
    fn silent_with_room() {
        assert!(fired(
            &world().free_space(80_000_000_000, 250_000_000_000).build(),
            &RULE
        )
        .is_empty());
    }
}
