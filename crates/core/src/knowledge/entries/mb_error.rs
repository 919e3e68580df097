//! MBErrorDomain: the phone's backup agent (idevicebackup2's "ErrorCode N").

// The sources cited by more than one domain, declared in `mod.rs`.
#[allow(unused_imports)]
use super::*;
use crate::knowledge::entry::{Causes, Code, Entry};
use crate::remedy::texts;
use crate::rules::RuleId;

pub(super) static ENTRIES: &[Entry] = &[
    Entry {
        key: "mb-208-device-locked",
        title: "MBErrorDomain 208: Device locked",
        codes: &[Code::mb(208)],
        phrases: &["device locked (mberrordomain/208)", "device locked", "error setting protection class", "device locked?"],
        meaning: "The backup agent could not read protected files because the phone is locked. On iOS 16.1 and later it is also what a backup ends with when nobody types the passcode the phone asks for at the start (after about three minutes).",
        causes: Causes::Worded {
            // A backup that ended with "Device locked" had a locked phone;
            // the passcode prompt of iOS 16.1 is one way to get there,
            // shown beside it as advice.
            words: &[
                ("", RuleId::DeviceLocked),
            ],
            ranked: &[RuleId::DevicePasscodePrompt, RuleId::DeviceLocked],
        },
        fixes: &[texts::PASSCODE_AT_START, texts::UNLOCK],
        sources: &[
            ISSUE_PASSCODE_161,
            "https://github.com/libimobiledevice/libimobiledevice/issues/125",
        ],
    },
    Entry {
        key: "mb-105-insufficient-space",
        title: "MBErrorDomain 105: Insufficient free disk space",
        codes: &[Code::mb(105)],
        phrases: &[
            "insufficient free disk space on drive to back up",
            "insufficient free disk space on device to restore",
            "insufficient free disk space",
            "dlmessagepurgediskspace",
        ],
        meaning: "Backing up: the computer reported too little free space for the backup (the phone decides, from the free space the computer reports) and could not free more when the phone asked (DLMessagePurgeDiskSpace: on a Mac, Finder's backup has macOS free purgeable space; idevicebackup2 answers that it cannot). Restoring: the phone itself lacks room for the backup's contents.",
        causes: Causes::Worded {
            // Backing up it is the computer's disk, restoring the phone's.
            words: &[
                ("to restore", RuleId::DeviceStorageFull),
                ("on drive", RuleId::HostDiskSpace),
                ("purgediskspace", RuleId::HostDiskSpace),
                ("to back up", RuleId::HostDiskSpace),
            ],
            ranked: &[RuleId::HostDiskSpace, RuleId::DeviceStorageFull],
        },
        fixes: &[texts::HOST_SPACE_MAC, texts::HOST_SPACE_WINDOWS, texts::HOST_SPACE_LINUX, texts::PHONE_SPACE],
        sources: &[
            "https://github.com/libimobiledevice/libimobiledevice/issues/1384",
            "https://github.com/libimobiledevice/libimobiledevice/issues/460",
            "https://github.com/doronz88/pymobiledevice3/issues/252",
            "https://github.com/doronz88/pymobiledevice3/pull/1884",
        ],
    },
    Entry {
        key: "mb-104-upload-errors",
        title: "MBErrorDomain 104: Multiple errors uploading files",
        codes: &[Code::mb(104)],
        phrases: &["multiple errors uploading files"],
        meaning: "The phone failed to send several files to the computer. Reports tie it to the phone locking mid-backup, unreadable files on the phone (I/O errors), and a busy media database.",
        causes: Causes::Ranked(&[RuleId::DeviceLocked, RuleId::DeviceStorageFull, RuleId::ConnectionUnstable]),
        fixes: &[texts::UNLOCK, texts::RESTART_PHONE, texts::PHONE_SPACE, texts::UPDATE_IOS],
        sources: &[
            "https://github.com/doronz88/pymobiledevice3/issues/820",
            "https://github.com/libimobiledevice/libimobiledevice/issues/1361",
            "https://github.com/jkcoxson/idevice/issues/108",
        ],
    },
    Entry {
        key: "mb-103-reading-status",
        title: "MBErrorDomain 103: Error reading status / backup properties",
        codes: &[Code::mb(103)],
        phrases: &["error reading status", "error reading backup properties", "multi status at path"],
        meaning: "The phone could not read the metadata (Status.plist, Manifest.plist) of the previous backup from the computer, or could not read its own files because it is locked.",
        causes: Causes::Worded {
            // The phone could not read its own files: locked
            // (https://github.com/libimobiledevice/libimobiledevice/issues/125).
            words: &[
                ("input output error", RuleId::DeviceLocked),
            ],
            ranked: &[RuleId::BackupCorrupt, RuleId::HostBackupDirUnusable, RuleId::DeviceLocked],
        },
        fixes: &[texts::MOVE_BACKUP_MAC, texts::MOVE_BACKUP_WINDOWS, texts::MOVE_BACKUP_LINUX, texts::UNLOCK],
        sources: &[
            "https://github.com/libimobiledevice/libimobiledevice/issues/153",
            "https://github.com/libimobiledevice/libimobiledevice/issues/125",
        ],
    },
    Entry {
        key: "mb-205-download-errors",
        title: "MBErrorDomain 205: the phone could not use the backup on the computer",
        codes: &[Code::mb(205), Code::mb(11)],
        phrases: &[
            "multiple errors downloading files",
            "cannot parse a null or zero-length data",
            "error deserializing properties",
            "error reading backup database",
            "manifest references files not in backup",
            "digest didn't match for some files",
            "digest didn't match",
        ],
        meaning: "The phone read the earlier backup from the computer and could not use it; the text after the code says which part. \"Error reading backup properties\" with \"Cannot parse a NULL or zero-length data\" (MBErrorDomain 11): Manifest.plist is empty or cut off, left by a backup that never finished. \"Error reading backup database\": Manifest.db could not be read; with `idevicebackup2 list` on iOS 10 and later it is expected (the phone looks for the old Manifest.mbdb) and says nothing about the backup. \"Manifest references files not in backup\": files the manifest lists are missing from the folder, at the end of a backup. \"Multiple errors downloading files\" and \"Digest didn't match for some files\" (restoring): files in the backup are missing, damaged or were changed after the backup was made, or the phone had no room for them.",
        causes: Causes::Worded {
            // Restoring: files of the backup missing or changed; "zero
            // length data" is the empty Manifest.plist a backup that never
            // finished leaves, which the phone will not back up over.
            words: &[
                ("downloading files", RuleId::BackupCorrupt),
                ("digest didnt match", RuleId::BackupCorrupt),
                ("manifest references files not in backup", RuleId::BackupCorrupt),
                ("zero length data", RuleId::BackupCorrupt),
            ],
            ranked: &[RuleId::BackupUnfinished, RuleId::BackupCorrupt, RuleId::DeviceStorageFull],
        },
        fixes: &[texts::MOVE_BACKUP_MAC, texts::MOVE_BACKUP_WINDOWS, texts::MOVE_BACKUP_LINUX, texts::PHONE_SPACE],
        sources: &[
            "https://github.com/redromnon/iBackep/issues/8",
            "https://github.com/libimobiledevice/libimobiledevice/issues/801",
            "https://github.com/libimobiledevice/libimobiledevice/issues/1582",
            "https://github.com/libimobiledevice/libimobiledevice/issues/608",
            ISSUE_LIST_INFO_1224,
            "https://github.com/artehe/Netimobiledevice/issues/68",
            "https://github.com/libimobiledevice/libimobiledevice/issues/1010",
        ],
    },
    Entry {
        key: "mb-207-invalid-password",
        title: "MBErrorDomain 207: Invalid password",
        codes: &[Code::mb(207)],
        phrases: &["invalid password (mberrordomain/207)", "invalid password"],
        meaning: "Backups of this phone are encrypted and the password given was wrong.",
        causes: Causes::Ranked(&[RuleId::BackupPasswordRejected]),
        fixes: &[texts::BACKUP_PASSWORD, texts::FORGOT_BACKUP_PASSWORD],
        sources: &["https://github.com/doronz88/pymobiledevice3/issues/721"],
    },
    Entry {
        key: "mb-1-keychain",
        title: "MBErrorDomain 1: Error copying keychain data",
        codes: &[Code::mb(1)],
        phrases: &["error copying keychain data"],
        meaning: "The phone could not copy its keychain into the backup; in the reports the phone had locked during the backup.",
        causes: Causes::Ranked(&[RuleId::DeviceLocked]),
        fixes: &[texts::UNLOCK, texts::RESTART_PHONE],
        sources: &[
            "https://github.com/libimobiledevice/libimobiledevice/issues/12",
            "http://simx.me/technonova/tips/fixing_a_error_copying_keychain_data_pr.html",
        ],
    },
    Entry {
        key: "mb-3-snapshot-exists",
        title: "MBErrorDomain 3: Failed to create snapshot: File exists",
        codes: &[Code::mb(3)],
        phrases: &["failed to create snapshot", "file exists (17) at path"],
        meaning: "A snapshot from an interrupted backup is still on the phone, so a new one cannot be made. Restarting the phone clears it.",
        causes: Causes::Ranked(&[RuleId::BackupUnfinished, RuleId::HostBackupInProgress]),
        fixes: &[texts::RESTART_PHONE, texts::ONE_TOOL],
        sources: &[
            "https://github.com/libimobiledevice/libimobiledevice/issues/1257",
        ],
    },
    Entry {
        key: "mb-4-file-missing",
        title: "MBErrorDomain 4: No such file or directory (a file of the backup is missing)",
        codes: &[Code::mb(4)],
        phrases: &["no such file or directory at path", "manifest.mbdb"],
        meaning: "The phone asked the computer for a file of the earlier backup and it was not there. After `idevicebackup2 info`, `list` or `unback` on iOS 10 and later this is expected: those commands look for files of the old backup format (Manifest.mbdb, sometimes Status.plist) that current backups do not have, so it says nothing about the backup. During a backup or restore it means the backup folder is incomplete.",
        causes: Causes::Ranked(&[RuleId::BackupUnfinished, RuleId::BackupCorrupt]),
        fixes: &[texts::MOVE_BACKUP_MAC, texts::MOVE_BACKUP_WINDOWS, texts::MOVE_BACKUP_LINUX, texts::DIAGNOSE],
        sources: &[
            "https://github.com/libimobiledevice/libimobiledevice/issues/52",
            "https://github.com/libimobiledevice/libimobiledevice/issues/608",
            ISSUE_LIST_INFO_1224,
            "https://github.com/libimobiledevice/libimobiledevice/issues/422",
        ],
    },
    Entry {
        key: "mb-100-io-error",
        title: "MBErrorDomain 100: I/O error on the phone",
        codes: &[Code::mb(100)],
        phrases: &["error writing keychain backup", "input/output error (5)"],
        meaning: "The phone hit a read or write error on its own storage while preparing the backup (a file it could not read, a full disk, or a locked keychain).",
        causes: Causes::Ranked(&[RuleId::DeviceStorageFull, RuleId::DeviceLocked, RuleId::BackupEncrypted]),
        fixes: &[texts::PHONE_SPACE, texts::UNLOCK, texts::RESTART_PHONE, texts::BACKUP_PASSWORD],
        sources: &["https://github.com/libimobiledevice/libimobiledevice/issues/1222", "https://github.com/libimobiledevice/libimobiledevice/issues/1361"],
    },
    Entry {
        key: "mb-212-setup-not-finished",
        title: "MBErrorDomain 212: Unable to backup until Setup is finished",
        codes: &[Code::mb(212)],
        phrases: &["unable to backup until setup is finished"],
        meaning: "The phone is still in (or stuck on) the setup assistant and will not back up until it reaches the Home Screen.",
        causes: Causes::Ranked(&[RuleId::DeviceSetupIncomplete]),
        fixes: &[texts::FINISH_SETUP],
        sources: &["https://github.com/libimobiledevice/libimobiledevice/issues/187"],
    },
    Entry {
        key: "mb-102-restore-directory",
        title: "MBErrorDomain 102: restore directory could not be created or moved",
        codes: &[Code::mb(102)],
        phrases: &["failed to move the incomplete restore directory", "mkdir error"],
        meaning: "A restore could not put files in place on the phone: an earlier restore left its folder behind (the phone was not rebooted), or a path in the backup could not be created.",
        causes: Causes::Ranked(&[RuleId::BackupCorrupt]),
        fixes: &[texts::REBOOT_AFTER_RESTORE, texts::RESTART_PHONE],
        sources: &["https://github.com/libimobiledevice/libimobiledevice/issues/787", "https://discussions.apple.com/thread/4447937"],
    },
];
