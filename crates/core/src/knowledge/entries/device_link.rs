//! DeviceLink status codes the computer sends the phone (idevicebackup2).

// The sources cited by more than one domain, declared in `mod.rs`.
#[allow(unused_imports)]
use super::*;
use crate::knowledge::entry::{Causes, Code, Entry};
use crate::remedy::texts;
use crate::rules::RuleId;

pub(super) static ENTRIES: &[Entry] = &[
    Entry {
        key: "devicelink-path-error",
        title: "DeviceLink status -6 to -10: a file or folder of the backup is missing or the wrong kind",
        codes: &[Code::dl(-6), Code::dl(-7), Code::dl(-8), Code::dl(-9), Code::dl(-10)],
        phrases: &[],
        meaning: "The computer told the phone that a file operation in the backup folder failed: -6 not found, -7 already exists, -8 a path part is not a folder, -9 is a folder where a file was expected, -10 too many symbolic links. A missing file is routine early in a backup; if the backup then fails (MBErrorDomain 205 or 103), the folder is damaged or incomplete, or a link in it points somewhere wrong.",
        causes: Causes::Ranked(&[RuleId::BackupCorrupt, RuleId::BackupUnfinished, RuleId::HostBackupDirUnusable]),
        fixes: &[texts::MOVE_BACKUP_MAC, texts::MOVE_BACKUP_WINDOWS, texts::MOVE_BACKUP_LINUX],
        sources: &[IDEVICEBACKUP2_ERRNO, MOBILEBACKUP2_H],
    },
    Entry {
        key: "devicelink-io-error",
        title: "DeviceLink status -11: input/output error on the computer's disk",
        codes: &[Code::dl(-11)],
        phrases: &[],
        meaning: "The computer could not read or write a backup file because its disk reported an I/O error: a failing disk, an external or network drive that dropped away, or a file system that needs repair.",
        causes: Causes::Ranked(&[RuleId::HostBackupDirUnusable]),
        fixes: &[
            crate::remedy::Fix::new(
                crate::remedy::Platforms::HOSTS,
                "Check the disk that holds the backup folder: reconnect an external or network drive, run the disk check (Disk Utility > First Aid on a Mac, `chkdsk` on Windows, `fsck` on Linux), or back up to another disk.",
            ),
            texts::MOVE_BACKUP_MAC,
            texts::MOVE_BACKUP_WINDOWS,
            texts::MOVE_BACKUP_LINUX,
        ],
        sources: &[IDEVICEBACKUP2_ERRNO],
    },
    Entry {
        key: "devicelink-no-space",
        title: "DeviceLink status -15: no space left on the computer's disk",
        codes: &[Code::dl(-15)],
        phrases: &[],
        meaning: "The computer ran out of disk space while writing the backup and told the phone so; the backup then stops.",
        causes: Causes::Ranked(&[RuleId::HostDiskSpace]),
        fixes: &[texts::HOST_SPACE_MAC, texts::HOST_SPACE_WINDOWS, texts::HOST_SPACE_LINUX],
        sources: &[IDEVICEBACKUP2_ERRNO],
    },
    Entry {
        key: "devicelink-multi-status",
        title: "DeviceLink status -13 \"Multi status\" / -1 (several or other file errors)",
        codes: &[Code::dl(-13), Code::dl(-1)],
        phrases: &[],
        meaning: "-13: several files failed at once; the answer lists a code per file (the other DeviceLink codes say what each means). -1: a file error with no code of its own. When the phone cannot get Status.plist this way it stops with MBErrorDomain 103 (\"Multi status at path\").",
        causes: Causes::Ranked(&[RuleId::BackupCorrupt, RuleId::HostBackupDirUnusable]),
        fixes: &[texts::MOVE_BACKUP_MAC, texts::MOVE_BACKUP_WINDOWS, texts::MOVE_BACKUP_LINUX, texts::DIAGNOSE],
        sources: &[
            IDEVICEBACKUP2_ERRNO,
            "https://github.com/libimobiledevice/libimobiledevice/issues/1412",
            "https://github.com/libimobiledevice/libimobiledevice/issues/153",
        ],
    },
    Entry {
        key: "backup-service-refused",
        title: "\"Could not start service com.apple.mobilebackup2\"",
        codes: &[],
        phrases: &[
            "could not start service com.apple.mobilebackup2",
            "device refused to start the backup process",
            "could not start backup process",
        ],
        meaning: "The phone would not start its backup service for this computer: the session was not trusted, a profile forbids backups, or the phone is in a state that cannot back up.",
        causes: Causes::Ranked(&[RuleId::BackupServiceRefused, RuleId::DeviceRestricted, RuleId::TrustSessionFailed]),
        fixes: &[texts::UNLOCK, texts::LINUX_REPAIR, texts::SCREEN_TIME, texts::UPDATE_LINUX],
        sources: &["https://github.com/libimobiledevice/libimobiledevice/issues/1546", IDEVICEBACKUP2_C],
    },
];
