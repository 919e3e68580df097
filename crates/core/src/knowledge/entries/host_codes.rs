//! The host-side codes of idevicebackup2 and libimobiledevice's mobilebackup2.

// The sources cited by more than one domain, declared in `mod.rs`.
#[allow(unused_imports)]
use super::*;
use crate::knowledge::entry::{Causes, Code, Entry};
use crate::remedy::texts;
use crate::rules::RuleId;

pub(super) static ENTRIES: &[Entry] = &[
    Entry {
        key: "mb2-version-exchange-failed",
        title: "\"Could not perform backup protocol version exchange, error code -1\"",
        codes: &[Code::mb2(-1)],
        phrases: &["could not perform backup protocol version exchange", "protocol version exchange"],
        meaning: "idevicebackup2 started the backup service but the first exchange failed. In the reports the phone was not paired, was waiting for its passcode (iOS 16.1+), or the libimobiledevice build was too old for the phone's iOS.",
        causes: Causes::Ranked(&[RuleId::TrustNotPaired, RuleId::DevicePasscodePrompt, RuleId::HostOsOutdated]),
        fixes: &[texts::LINUX_REPAIR, texts::PASSCODE_AT_START, texts::UPDATE_LINUX],
        sources: &[
            "https://github.com/libimobiledevice/libimobiledevice/issues/1111",
            "https://github.com/libimobiledevice/libimobiledevice/issues/461",
            "https://github.com/libimobiledevice/libimobiledevice/issues/1379",
            MOBILEBACKUP2_H,
        ],
    },
    Entry {
        key: "mb2-bad-version",
        title: "Backup protocol version exchange, error code -6 (bad version) / -8 (no common version)",
        codes: &[Code::mb2(-6), Code::mb2(-8)],
        phrases: &["device_link_service_version_exchange received vmajor", "no common version"],
        meaning: "The phone and this idevicebackup2 share no backup protocol version. -6: the phone's DeviceLink version is newer than the tool knows. -8: the phone answered the tool's list of versions with \"none of these\". Either way the libimobiledevice build is older than the phone's iOS.",
        causes: Causes::Ranked(&[RuleId::HostOsOutdated]),
        fixes: &[texts::UPDATE_LINUX],
        sources: &[
            "https://github.com/libimobiledevice/libimobiledevice/issues/248",
            "https://github.com/libimobiledevice/libimobiledevice/issues/238",
            "https://github.com/libimobiledevice/libimobiledevice/issues/500",
            MOBILEBACKUP2_H,
            MOBILEBACKUP2_C,
        ],
    },
    Entry {
        key: "mb2-receive-failed",
        title: "\"Could not receive from mobilebackup2 (-4)\" / Backup Aborted",
        codes: &[Code::mb2(-4)],
        phrases: &["could not receive from mobilebackup2", "backup aborted", "mb2_receive_filename", "connectionterminatederror"],
        meaning: "The encrypted channel to the phone's backup service broke mid-transfer (mobilebackup2 SSL error): the link dropped, the phone locked or rebooted, or it stopped answering.",
        causes: Causes::Generic(&[RuleId::ConnectionUnstable, RuleId::DeviceLocked, RuleId::UsbSlowLink, RuleId::BackupVeryLarge]),
        fixes: &[texts::UNLOCK, texts::CABLE, texts::PORT_DIRECT, texts::RESTART_PHONE],
        sources: &[
            "https://github.com/libimobiledevice/libimobiledevice/issues/1257",
            "https://github.com/libimobiledevice/libimobiledevice/issues/1707",
            MOBILEBACKUP2_H,
            PMD3_EXCEPTIONS,
        ],
    },
    Entry {
        key: "mb2-plist-error",
        title: "mobilebackup2 error -2 (plist error): an answer from the backup service was unreadable",
        codes: &[Code::mb2(-2)],
        phrases: &[],
        meaning: "An answer from the phone's backup service could not be read as a DeviceLink message, or lacked what it must carry (a message name, an error code, a protocol version). A tool older than the phone's iOS, or a message cut off by a failing link, gives it.",
        causes: Causes::Ranked(&[RuleId::HostOsOutdated, RuleId::ConnectionUnstable]),
        fixes: &[texts::UPDATE_LINUX, texts::CABLE, texts::PORT_DIRECT, texts::RESTART_PHONE],
        sources: &[MOBILEBACKUP2_H, MOBILEBACKUP2_C],
    },
    Entry {
        key: "mb2-mux-error",
        title: "\"Could not receive from mobilebackup2 (-3)\" (mux error)",
        codes: &[Code::mb2(-3)],
        phrases: &[],
        meaning: "Sending to or receiving from the phone through usbmuxd failed: the USB link or usbmuxd dropped the connection. In a public report it happened while a large Manifest.db was being sent.",
        causes: Causes::Ranked(&[RuleId::ConnectionUnstable, RuleId::UsbSlowLink, RuleId::UsbmuxdUnresponsive]),
        fixes: &[texts::CABLE, texts::PORT_DIRECT, texts::LINUX_USBMUXD, texts::RESTART_PHONE],
        sources: &[MOBILEBACKUP2_H, "https://github.com/libimobiledevice/libimobiledevice/issues/853"],
    },
    Entry {
        key: "mb2-receive-timeout",
        title: "\"Device is not ready yet\" (mobilebackup2 -5, receive timeout)",
        codes: &[Code::mb2(-5)],
        phrases: &["device is not ready yet", "receive timeout"],
        meaning: "idevicebackup2 waited 30 seconds for the phone's next message and nothing came, so it prints \"Device is not ready yet\" and waits again. A phone still preparing a large backup, a phone waiting for its passcode (iOS 16.1 and later) and a phone that has gone (unplugged, link dropped) all look like this; when it repeats for minutes the phone is not coming back.",
        causes: Causes::Ranked(&[RuleId::ConnectionSlowReplies, RuleId::DevicePasscodePrompt, RuleId::ConnectionUnstable]),
        fixes: &[texts::PASSCODE_AT_START, texts::UNLOCK, texts::CABLE, texts::PORT_DIRECT],
        sources: &[
            IDEVICEBACKUP2_RECV,
            MOBILEBACKUP2_H,
            "https://github.com/libimobiledevice/libimobiledevice/issues/659",
            "https://github.com/libimobiledevice/libimobiledevice/issues/1413",
        ],
    },
    Entry {
        key: "mb2-reply-not-ok",
        title: "Backup protocol version exchange, error code -7 (reply not OK)",
        codes: &[Code::mb2(-7)],
        phrases: &[],
        meaning: "The phone's backup service answered the tool's opening message with an error code (other than \"no common version\") or with a different message than expected: it refused to talk backup with this computer.",
        causes: Causes::Ranked(&[RuleId::BackupServiceRefused, RuleId::TrustSessionFailed, RuleId::HostOsOutdated]),
        fixes: &[texts::UNLOCK, texts::LINUX_REPAIR, texts::UPDATE_LINUX, texts::RESTART_PHONE],
        sources: &[MOBILEBACKUP2_H, MOBILEBACKUP2_C],
    },
    Entry {
        key: "mb2-unknown-error",
        title: "mobilebackup2 error -256 (unknown error)",
        codes: &[Code::mb2(-256)],
        phrases: &[],
        meaning: "idevicebackup2 got a failure it has no name for. In the public report it ended `idevicebackup2 info` right after a successful backup: `info` and `list` depend on phone-side code that stopped working with iOS 10, so it says nothing about the backup. During a backup, the lines before it say more.",
        causes: Causes::Ranked(&[RuleId::BackupServiceRefused, RuleId::ConnectionUnstable]),
        fixes: &[texts::DIAGNOSE, texts::UPDATE_LINUX, texts::RESTART_PHONE],
        sources: &[MOBILEBACKUP2_H, MOBILEBACKUP2_C, ISSUE_LIST_INFO_1224, "https://github.com/libimobiledevice/libimobiledevice/issues/1684"],
    },
    Entry {
        key: "idevicebackup2-sync-lock-timeout",
        title: "\"ERROR: timeout while locking for sync\"",
        codes: &[],
        phrases: &["timeout while locking for sync", "could not lock file", "failed to lock itunes sync file"],
        meaning: "Before a backup or restore idevicebackup2 (and pymobiledevice3, which says \"Failed to lock itunes sync file\") takes the phone's sync lock, the one Finder, iTunes and other backup tools take too. Another program held it for the whole wait: a backup or sync already running, or an earlier run that has not exited. diagnose looks for that program without taking the lock: its process on this computer, a backup folder being written, or the phone's backup service answering ServiceLimit.",
        causes: Causes::Ranked(&[RuleId::HostBackupInProgress, RuleId::BackupServiceRefused]),
        fixes: &[texts::ONE_TOOL, texts::RESTART_PHONE],
        sources: &[
            "https://github.com/libimobiledevice/libimobiledevice/blob/fa0f79190142bc309307967c058f89c1b36eb6b8/tools/idevicebackup2.c#L2163-L2190",
            "https://github.com/libimobiledevice/libimobiledevice/issues/1648",
            "https://github.com/doronz88/pymobiledevice3/blob/62e2957a05442cd23abab6d6ea0e711b0cacd88d/pymobiledevice3/services/mobilebackup2.py#L660-L685",
        ],
    },
];
