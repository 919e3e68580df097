//! Apple MobileDevice codes (0xE800xxxx) of iTunes, Finder and Apple Devices.

// The sources cited by more than one domain, declared in `mod.rs`.
#[allow(unused_imports)]
use super::*;
use crate::knowledge::entry::{Causes, Code, Entry};
use crate::remedy::texts;
use crate::rules::RuleId;

pub(super) static ENTRIES: &[Entry] = &[
    Entry {
        key: "amd-device-disconnected",
        title: "0xE8000084 (kAMDDeviceDisconnectedError)",
        codes: &[Code::amd(0xE800_0084)],
        phrases: &["kamddevicedisconnectederror", "this device is no longer connected"],
        meaning: "Apple's device library lost the phone while talking to it: the USB link dropped or the phone re-enumerated (after a Trust tap, a lock, or a bad cable).",
        causes: Causes::Ranked(&[RuleId::ConnectionUnstable, RuleId::UsbSlowLink, RuleId::UsbHub]),
        fixes: &[texts::CABLE, texts::PORT_DIRECT, texts::UNLOCK, texts::RESTART_PHONE, texts::WINDOWS_AMDS],
        sources: &[AMD_TABLE],
    },
    Entry {
        key: "amd-permission",
        title: "0xE800000A (kAMDPermissionError)",
        codes: &[Code::amd(0xE800_000A)],
        phrases: &["kamdpermissionerror"],
        meaning: "Apple's device library was refused access to a file it needs, most often the folder of pair records (Lockdown) after another tool changed it, sometimes the backup folder.",
        causes: Causes::Ranked(&[RuleId::TrustSessionFailed, RuleId::HostBackupDirUnusable, RuleId::UsbmuxdAccessDenied]),
        fixes: &[texts::WIN_LOCKDOWN_PERMS, texts::WIN_PAIR_RECORD, texts::MAC_PAIR_RECORD, texts::WINDOWS_AMDS, texts::TAP_TRUST],
        sources: &[AMD_TABLE, "https://github.com/osy/Jitterbug/issues/103"],
    },
    Entry {
        key: "amd-missing-value",
        title: "0xE8000015 (kAMDMissingValueError)",
        codes: &[Code::amd(0xE800_0015)],
        phrases: &["kamdmissingvalueerror", "the value is missing"],
        meaning: "The computer asked the phone for a value during the connection handshake and got nothing back. Seen with phones that are locked, not trusted yet, or not fully set up; the connection never gets as far as a backup.",
        causes: Causes::Ranked(&[RuleId::DeviceLocked, RuleId::TrustNotPaired, RuleId::HostOsOutdated]),
        fixes: &[texts::UNLOCK, texts::TAP_TRUST, texts::FINISH_SETUP, texts::UPDATE_MAC, texts::UPDATE_WINDOWS, texts::WINDOWS_AMDS],
        sources: &[AMD_TABLE],
    },
    Entry {
        key: "amd-invalid-response",
        title: "0xE8000013 (kAMDInvalidResponseError)",
        codes: &[Code::amd(0xE800_0013)],
        phrases: &["kamdinvalidresponseerror"],
        meaning: "The phone answered the computer's handshake with something the computer did not expect. Usually trust was never confirmed on the phone, or the link is unreliable.",
        causes: Causes::Ranked(&[RuleId::TrustNotPaired, RuleId::TrustDialogPending, RuleId::ConnectionUnstable]),
        fixes: &[texts::TAP_TRUST, texts::CABLE, texts::PORT_DIRECT, texts::RESTART_PHONE, texts::RESTART_COMPUTER],
        sources: &[AMD_TABLE, "https://fixpedia.ru/en/errors/ios/0xe8000013"],
    },
    Entry {
        key: "amd-mux-connect",
        title: "0xE8000065 (kAMDMuxConnectError)",
        codes: &[Code::amd(0xE800_0065)],
        phrases: &["kamdmuxconnecterror"],
        meaning: "The computer's USB multiplexer (usbmuxd / Apple Mobile Device Service) could not open a connection to a service on the phone.",
        causes: Causes::Generic(&[RuleId::DeviceLockdownUnreachable, RuleId::UsbmuxdUnresponsive, RuleId::ConnectionUnstable, RuleId::UsbHub]),
        fixes: &[texts::WINDOWS_AMDS, texts::LINUX_USBMUXD, texts::MAC_USBMUXD, texts::PORT_DIRECT, texts::CABLE],
        sources: &[AMD_TABLE],
    },
    Entry {
        key: "amd-device-too-new",
        title: "0xE800006A (kAMDDeviceTooNewError) / \"requires a newer version\"",
        codes: &[Code::amd(0xE800_006A), Code::amd(0xE800_007E)],
        phrases: &[
            "kamddevicetoonewerror",
            "requires a newer version of itunes",
            "requires a newer version",
            "cannot be used because it requires itunes",
            "kamddeviceosversiontoolow",
        ],
        meaning: "The phone's iOS is newer than the computer's device support understands (or, for 0xE800007E, older than it accepts). Update the side that lags.",
        causes: Causes::Ranked(&[RuleId::HostOsOutdated, RuleId::DeviceIosOutdated]),
        fixes: &[texts::UPDATE_MAC, texts::UPDATE_WINDOWS, texts::UPDATE_LINUX, texts::UPDATE_IOS],
        sources: &[AMD_TABLE, "https://github.com/cormiertyshawn895/Retroactive/issues/55", SEED_NOT_WORKING],
    },
    Entry {
        key: "amd-session-inactive",
        title: "0xE800001E (kAMDSessionInactiveError) / Session inactive (lockdownd -23)",
        codes: &[Code::amd(0xE800_001E), Code::lockdown(-23)],
        phrases: &["kamdsessioninactiveerror", "session inactive", "sessioninactive", "the session is inactive"],
        meaning: "The computer asked lockdownd for something that needs the encrypted session opened after pairing, and no session was running. Either the tool never started one (a \"simple\" connection such as `ideviceinfo -s`), or starting it failed because the phone does not accept this computer's pair record.",
        causes: Causes::Ranked(&[RuleId::TrustSessionFailed, RuleId::TrustNotPaired]),
        fixes: &[texts::TAP_TRUST, texts::LINUX_REPAIR, texts::MAC_PAIR_RECORD, texts::WIN_PAIR_RECORD, texts::DIAGNOSE],
        sources: &[IOS_DEPLOY_ERRORS, LOCKDOWN_H, LOCKDOWN_C],
    },
    Entry {
        key: "amd-mux-create-listener",
        title: "0xE8000063 (kAMDMuxCreateListenerError): could not listen for USB devices",
        codes: &[Code::amd(0xE800_0063)],
        phrases: &["kamdmuxcreatelistenererror", "could not listen for usb devices", "amdevicenotificationsubscribe returned"],
        meaning: "Apple's device library could not subscribe to the list of connected phones, so no phone is seen at all. The service behind it (usbmuxd on a Mac, Apple Mobile Device Service on Windows) is stopped or stuck; one report on a Mac found usbmuxd out of file handles.",
        causes: Causes::Ranked(&[RuleId::UsbmuxdUnresponsive, RuleId::UsbmuxdNotRunning]),
        fixes: &[texts::MAC_USBMUXD, texts::WINDOWS_AMDS, texts::LINUX_USBMUXD, texts::RESTART_COMPUTER],
        sources: &[
            IOS_DEPLOY_ERRORS,
            "https://github.com/juucustodio/xamarin-docs.pt-br/blob/33eb4a1243be0a1e478f137b7a6eaf3335fe911c/docs/ios/troubleshooting/questions/exception-amddevicenotificationsubscribe.md",
        ],
    },
    Entry {
        key: "amd-no-wifi-sync",
        title: "0xE800007F (kAMDNoWifiSyncSupportError): no wireless sync",
        codes: &[Code::amd(0xE800_007F)],
        phrases: &["kamdnowifisyncsupporterror", "doesn't support wireless sync", "does not support wireless sync"],
        meaning: "The computer tried to reach the phone over Wi-Fi and the phone does not offer wireless sync to it. A computer backup over the USB cable does not need it.",
        causes: Causes::Ranked(&[RuleId::UsbmuxdWifiOnly]),
        fixes: &[texts::PORT_DIRECT, texts::CABLE, texts::WIFI],
        sources: &[IOS_DEPLOY_ERRORS],
    },
    Entry {
        key: "amd-passcode-required",
        title: "0xE80000EE (kAMDPasswordRequiredError): a passcode must be set",
        codes: &[Code::amd(0xE800_00EE)],
        phrases: &["kamdpasswordrequirederror", "a passcode is required to be set on the device"],
        meaning: "Not a locked phone: the phone has no passcode at all, and the operation the computer asked for is allowed only on a phone that has one. No check of this tool looks for it.",
        causes: Causes::Ranked(&[]),
        fixes: &[
            crate::remedy::Fix::new(
                crate::remedy::Platforms::PHONE,
                "Set a passcode: Settings > Face ID & Passcode (Touch ID & Passcode on phones with a Home button) > Turn Passcode On, then try again.",
            ),
            texts::DIAGNOSE,
        ],
        sources: &[IOS_DEPLOY_ERRORS],
    },
    Entry {
        key: "amd-free-profile-app-limit",
        title: "-402620383 / 0xE8008021 (free developer profile app limit)",
        codes: &[Code::amd(0xE800_8021)],
        phrases: &[
            "maximum number of apps for free development profiles",
            "maximum number of installed apps using a free developer profile",
        ],
        meaning: "Not a backup error. Xcode or a sideloading tool tried to install a fourth app signed with a free Apple developer account; iOS allows three at a time.",
        causes: Causes::Ranked(&[]),
        fixes: &[
            crate::remedy::Fix::new(
                crate::remedy::Platforms::PHONE,
                "Delete one of the apps signed with the free developer account (expired ones count too), then install again.",
            ),
            texts::DIAGNOSE,
        ],
        sources: &["https://github.com/ionic-team/native-run/issues/210", "https://github.com/Matchstic/ReProvision/issues/133"],
    },
];
