use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The backup folder lives where files do not stay put: inside a folder
    /// a cloud service syncs (iCloud Drive, OneDrive, Dropbox, Google Drive,
    /// Synology Drive), on a network share, or on a FAT-formatted disk.
    ///
    /// ## Why the backup fails
    /// A sync client uploads, locks and evicts files while the backup writes
    /// thousands of them, and may leave only placeholders behind ("Files
    /// On-Demand", "Optimise Mac Storage"), so a later incremental backup or
    /// restore finds files missing; a network share can drop off mid-backup;
    /// FAT32 cannot hold a file larger than 4 GB, and Manifest.db and some
    /// app files grow past that.
    ///
    /// ## Evidence used
    /// The backup folder's path (the sync services' folder names) and the
    /// file system of the volume it is on. The same checks as Phosphor's
    /// readiness list
    /// (<https://github.com/momenbasel/Phosphor/blob/385954ba3ccc93bd6e47c890198fa03ab4fce071/Sources/Phosphor/Services/ReadinessService.swift>,
    /// <https://github.com/momenbasel/Phosphor/issues/52>).
    pub static RULE = {
        id: RuleId::HostBackupDirVolatile,
        title: "The backup folder is on storage that may not keep a backup whole",
        layer: Layer::Host,
        severity: Severity::Warning,
        steps: &[
            Fix::any("Keep the backups in a plain folder on the computer's own disk, outside any folder a cloud service syncs; copy a finished backup elsewhere afterwards if you want it in the cloud."),
            Fix::new(Platforms::MACOS, "Finder always backs up to ~/Library/Application Support/MobileSync/Backup: if that folder was moved into iCloud Drive or another synced folder with a link, move it back."),
            Fix::new(Platforms::WINDOWS, "If the MobileSync\\Backup folder was moved into OneDrive or another synced folder with a junction, move it back to a local drive, or exclude it from syncing."),
            Fix::new(Platforms::LINUX, "Give idevicebackup2 a folder on a local disk formatted ext4, Btrfs or XFS, not a network share or a FAT stick."),
        ],
        since: "0.1.0",
        check,
    }
}

/// Path parts of folders that a sync client owns.
const SYNCED: &[(&str, &str)] = &[
    ("/library/mobile documents/", "iCloud Drive"),
    (
        "/library/cloudstorage/",
        "a cloud storage provider (~/Library/CloudStorage)",
    ),
    ("icloud drive", "iCloud Drive"),
    ("onedrive", "OneDrive"),
    ("dropbox", "Dropbox"),
    ("google drive", "Google Drive"),
    ("googledrive", "Google Drive"),
    ("synologydrive", "Synology Drive"),
];

/// File systems reached over the network.
const NETWORK: &[&str] = &[
    "cifs",
    "smbfs",
    "smb3",
    "nfs",
    "nfs4",
    "afpfs",
    "webdav",
    "fuse.sshfs",
    "9p",
];
/// FAT: no file over 4 GB.
const FAT: &[&str] = &["vfat", "msdos", "fat", "fat32"];

fn check(s: &Snapshot, out: &mut Findings) {
    let Some(dir) = s.host().map(|h| &h.backup_dir) else {
        return;
    };
    let mut f = Finding::new(&RULE);
    let mut seen = false;
    if let Some(path) = dir.path.as_deref() {
        let lower = path.replace('\\', "/").to_ascii_lowercase();
        if let Some((_, service)) = SYNCED.iter().find(|(part, _)| lower.contains(part)) {
            seen = true;
            f = f.evidence(format!(
                "the backup folder {path} is inside a folder {service} syncs"
            ));
        }
    }
    let fs = dir
        .volume
        .as_ref()
        .and_then(|v| v.file_system.as_deref())
        .map(str::to_ascii_lowercase);
    if let Some(fs) = fs.as_deref() {
        if NETWORK.contains(&fs) {
            seen = true;
            f = f.evidence(format!("the backup folder is on a network file system ({fs}), which can drop off mid-backup"));
        } else if FAT.contains(&fs) {
            seen = true;
            f = f.evidence(format!(
                "the backup folder is on a FAT volume ({fs}): no file may be larger than 4 GB"
            ));
        }
    }
    if seen {
        out.push(f.confidence(Confidence::Likely));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    fn at(path: &str, fs: &str) -> Snapshot {
        let (path, fs) = (path.to_string(), fs.to_string());
        world()
            .backup_dir(move |d| {
                d.path = Some(path);
                if let Some(v) = d.volume.as_mut() {
                    v.file_system = Some(fs);
                }
            })
            .build()
    }

    #[test]
    fn a_synced_folder_a_share_or_fat_is_a_warning() {
        let f = only(
            &at(
                "/Users/ann/Library/Mobile Documents/com~apple~CloudDocs/Backup",
                "apfs",
            ),
            &RULE,
        );
        assert!(f.says("iCloud Drive"));
        assert_eq!(f.severity, Severity::Warning);
        let f = only(
            &at(r"C:\Users\ann\OneDrive\Apple\MobileSync\Backup", "NTFS"),
            &RULE,
        );
        assert!(f.says("OneDrive"));
        assert!(only(&at("/mnt/nas/backups", "cifs"), &RULE).says("network"));
        assert!(only(&at("/media/stick", "vfat"), &RULE).says("4 GB"));
    }

    #[test]
    fn a_local_folder_on_a_local_disk_is_fine() {
        assert!(fired(&at("/home/ann/ios-backups", "ext4"), &RULE).is_empty());
        assert!(fired(
            &at(
                "/Users/ann/Library/Application Support/MobileSync/Backup",
                "apfs"
            ),
            &RULE
        )
        .is_empty());
    }
}
