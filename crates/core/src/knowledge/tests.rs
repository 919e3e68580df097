//! Tests of the explain database and its lookup.

use std::collections::HashSet;

use crate::rules::RuleId;

use super::entry::{Code, Domain, Platforms};
use super::{all, by_key, lookup, normalize, Reason, SEED_CAUSES};

/// The registered rule ids: an entry's causes must name a real rule.
fn rule_ids() -> Vec<&'static str> {
    crate::rules::RULES.iter().map(|r| r.id.as_str()).collect()
}

/// (query, expected best entry). Each row names where the text comes from.
const TABLE: &[(&str, &str)] = &[
    // Brief / issue 8 forms of MobileDevice 0xE8000084 (kAMDDeviceDisconnectedError,
    // qt-creator iosdevicemanager.cpp table).
    ("0xE8000084", "amd-device-disconnected"),
    ("0xe8000084", "amd-device-disconnected"),
    ("E8000084", "amd-device-disconnected"),
    ("3892314244", "amd-device-disconnected"),
    ("-402653052", "amd-device-disconnected"),
    // Xcode's "Unable to install" for the free-profile limit: ionic-team/native-run#210
    // shows "Code: -402620383" with MobileDeviceErrorCode = (0xE8008021).
    ("-402620383", "amd-free-profile-app-limit"),
    ("MobileDeviceErrorCode = \"(0xE8008021)\"", "amd-free-profile-app-limit"),
    // iTunes on Windows after a pairing tool: osy/Jitterbug#103 ("error 0xE800000A").
    ("iTunes keep throwing error 0xE800000A", "amd-permission"),
    // kAMDMissingValueError, qt-creator table.
    ("iTunes could not connect to this iPhone. An unknown error occurred (0xE8000015).", "amd-missing-value"),
    // fixpedia.ru/en/errors/ios/0xe8000013
    ("Could not connect to this iPhone. An unknown error occurred (0xe8000013).", "amd-invalid-response"),
    // kAMDMuxConnectError, qt-creator table.
    ("0xE8000065", "amd-mux-connect"),
    // iTunes sync error 54 / -54 (gist 3d6be4dca7c85d404a1a0d192f09e1f3).
    ("error 54", "itunes-error-54"),
    ("Error -54", "itunes-error-54"),
    ("The iPhone could not be synced. An unknown error occurred (-54).", "itunes-error-54"),
    // Restore cable errors (ipswdownloads.com/?p=4685, fixstorydtla.com).
    ("The iPhone could not be restored. An unknown error occurred (4013).", "restore-usb-errors"),
    ("4014", "restore-usb-errors"),
    ("iTunes error 9", "restore-usb-errors"),
    // MBErrorDomain 208: libimobiledevice#1380 (iOS 16.1 passcode prompt).
    ("MBErrorDomain 208", "mb-208-device-locked"),
    ("MBErrorDomain error 208", "mb-208-device-locked"),
    ("(ErrorCode 208)", "mb-208-device-locked"),
    ("ErrorDescription: Device locked (MBErrorDomain/208)", "mb-208-device-locked"),
    // fixtures/realdata/idevicebackup2_err105_insufficient_host_space.txt
    ("ErrorCode 105: Insufficient free disk space on drive to back up (MBErrorDomain/105)", "mb-105-insufficient-space"),
    ("ErrorCode 105", "mb-105-insufficient-space"),
    // fixtures/realdata/pmd3_backup_keyerror_DLMessagePurgeDiskSpace_iPhoneX_iOS14.6.txt
    ("KeyError: 'DLMessagePurgeDiskSpace'", "mb-105-insufficient-space"),
    // doronz88/pymobiledevice3#820
    ("{'ErrorCode': 104, 'ErrorDescription': 'Multiple errors uploading files (MBErrorDomain/104)'}", "mb-104-upload-errors"),
    // fixtures/realdata/idevicebackup2_err103_multistatus_status_plist_win7.txt
    ("Backup Failed (Error Code 103).", "mb-103-reading-status"),
    // fixtures/realdata/pmd3_backup_err205_null_properties.txt
    ("ErrorCode 205: Error reading backup properties (MBErrorDomain/205). Underlying error: Cannot parse a NULL or zero-length data", "mb-205-download-errors"),
    // fixtures/realdata/pmd3_change_password_err207_iOS17.0.1.txt
    ("ErrorCode 207", "mb-207-invalid-password"),
    // fixtures/realdata/idevicebackup2_err1_keychain_locked_iOS6.1.2.txt
    ("ErrorCode 1: Error copying keychain data (MBErrorDomain/1)", "mb-1-keychain"),
    // fixtures/realdata/idevicebackup2_err3_snapshot_exists_then_receive_err4_iOS15.2.txt
    ("ErrorCode 3: Failed to create snapshot: File exists (17) at path \"/private/var\" (MBErrorDomain/3)", "mb-3-snapshot-exists"),
    ("ERROR: Could not receive from mobilebackup2 (-4)", "mb2-receive-failed"),
    // libimobiledevice#187
    ("ErrorCode 212: Unable to backup until Setup is finished (MBErrorDomain/212)", "mb-212-setup-not-finished"),
    // libimobiledevice#787
    ("ErrorCode 102", "mb-102-restore-directory"),
    // 2bf/remove-mdm#3
    ("Find My iPhone must be disabled before restoring (MBErrorDomain/211)", "mb-211-find-my-restore"),
    // fixtures/realdata/idevicebackup2_version_exchange_err1_iPhone8_iOS14.txt
    ("Could not perform backup protocol version exchange, error code -1", "mb2-version-exchange-failed"),
    // fixtures/realdata/idevicebackup2_version_exchange_err6_iPhone5s_iOS8.1.2.txt
    ("the error is:Could not perform backup protocol version exchange, error code -6", "mb2-bad-version"),
    // fixtures/realdata/lockdownd_err19_pairing_pending_debian.txt
    ("ERROR: Could not connect to lockdownd: Pairing dialog response pending (-19)", "lockdown-pairing-pending"),
    // fixtures/realdata/lockdownd_err19_old_numeric_iOS8.4.1.txt
    ("ERROR: Could not connect to lockdownd, error code -19", "lockdown-pairing-pending"),
    // fixtures/realdata/iwdp_lockdownd_err21_iOS10.3.3.txt
    ("Could not connect to lockdownd, error code -21. Exiting.", "lockdown-invalid-host-id"),
    // airsquared/blobsaver#270
    ("lockdownd error:code=-21", "lockdown-invalid-host-id"),
    // libimobiledevice#895 (-17 is LOCKDOWN_E_PASSWORD_PROTECTED)
    ("Could not connect to lockdownd, Error Code -17", "lockdown-password-protected"),
    ("LOCKDOWN_E_PASSWORD_PROTECTED", "lockdown-password-protected"),
    // libimobiledevice#167 (1.1.7: -16 is invalid host id)
    ("ERROR: Could not connect to lockdownd, error code -16", "lockdown-invalid-host-id"),
    // fixtures/realdata/lockdownd_mux_error_8_iOS17RC.txt
    ("ERROR: Could not connect to lockdownd: Mux error (-8)", "lockdown-mux-error"),
    ("mux error 8", "lockdown-mux-error"),
    // fixtures/realdata/usbmuxd_not_paired_iOS10.1.1_12ab.txt
    ("Device 1234 is not paired with this host.", "lockdown-not-paired"),
    // idevicepair.c
    ("ERROR: Device x said that the user denied the trust dialog.", "lockdown-user-denied"),
    // fixtures/realdata/strace_usbmuxd_socket_missing.txt
    ("ERROR: Unable to retrieve device list!", "usbmuxd-not-running"),
    // fixtures/realdata/usbmux_connect_refused_windows_27015.txt
    ("usbmux connect: dial tcp 127.0.0.1:27015: connectex: No connection could be made because the target machine actively refused it.", "usbmuxd-windows-refused"),
    // fixtures/realdata/dfu_iPhone5s_lsusb_ideviceinfo_no_device_irecovery.txt
    ("No device found, is it plugged in?", "no-device-found"),
    // Messages from Finder / iTunes (simx.me; hometechguides seed; openradar 33469333).
    ("The iPhone could not be backed up because an error occurred.", "itunes-backup-error-occurred"),
    ("iTunes could not back up the iPhone \u{201C}Anna\u{2019}s iPhone\u{201D} because not enough free space is available on this computer.", "itunes-not-enough-space"),
    ("not enough free space", "itunes-not-enough-space"),
    ("iTunes could not back up the iPhone because the iPhone disconnected.", "itunes-iphone-disconnected"),
    ("iTunes could not back up the iPhone because the backup was corrupt or not compatible with the iPhone.", "itunes-backup-corrupt"),
    ("the backup session was cancelled", "itunes-session-failed"),
    ("The iPhone could not be backed up because the session failed to start", "itunes-session-failed"),
    ("The iPhone could not be synced because the connection to the iPhone was reset.", "itunes-connection-reset"),
    ("Finder could not back up the iPhone because the iPhone is locked.", "itunes-iphone-locked"),
    ("A passcode must be entered on the iPhone", "itunes-iphone-locked"),
    ("*** Waiting for passcode to be entered on the device ***", "itunes-iphone-locked"),
    // Seed articles (SEED_CAUSES).
    ("don\u{2019}t use a usb hub", "usb-hub"),
    ("Trust This Computer", "trust-this-computer"),
    ("Settings > General > Reset > Reset Location & Privacy", "reset-location-privacy"),
    ("turn off iCloud Backup", "icloud-backup-conflict"),
    ("iCloud storage full", "icloud-storage-full"),
    ("screen time restrictions", "screen-time-restrictions"),
    ("should I use iMazing or Dr.Fone", "third-party-tools"),
    ("stuck on backing up iphone", "backup-stuck"),
    // idevicerestore#69, OWASP/mastg#1256
    ("irecv_open_with_ecid: can't connect to device: LIBUSB_ERROR_ACCESS", "linux-usb-access-denied"),
    ("ls: MobileSync: Operation not permitted", "macos-full-disk-access"),
    // pymobiledevice3 exception names (pymobiledevice3/exceptions.py).
    ("pymobiledevice3.exceptions.PasswordRequiredError", "lockdown-password-protected"),
    ("pymobiledevice3.exceptions.PairingDialogResponsePendingError", "lockdown-pairing-pending"),
    ("raise InvalidHostIDError()", "lockdown-invalid-host-id"),
    // cormiertyshawn895/Retroactive#55
    ("cannot be used because it requires iTunes 12.10.5 or later", "amd-device-too-new"),
    // Entry key and rule id.
    ("mb-208-device-locked", "mb-208-device-locked"),
    // --- issue 17: codes and messages of anchors.md section 5 explain lacked ---
    // MobileDevice codes (ios-deploy errors.h), in their three spellings.
    ("0xE800001E", "amd-session-inactive"),
    ("-402653154", "amd-session-inactive"),
    ("ERROR: Could not connect to lockdownd: Session inactive (-23)", "amd-session-inactive"),
    ("0xE8000063", "amd-mux-create-listener"),
    ("AMDeviceNotificationSubscribe returned: 3892314211", "amd-mux-create-listener"),
    ("0xE800007F", "amd-no-wifi-sync"),
    ("Device doesn't support wireless sync.", "amd-no-wifi-sync"),
    ("0xE8000081", "lockdown-escrow-locked"),
    ("-402653055", "lockdown-escrow-locked"),
    ("0xE80000EE", "amd-passcode-required"),
    ("A passcode is required to be set on the device.", "amd-passcode-required"),
    // EscrowLocked: lockdown.h (-35) and the text libimobiledevice prints for it.
    ("EscrowLocked", "lockdown-escrow-locked"),
    ("ERROR: Could not connect to lockdownd: Escrow lockded (-35)", "lockdown-escrow-locked"),
    ("Device is not available until first unlock after boot.", "lockdown-escrow-locked"),
    // anchors.md 4.3 #21; diagnose's title for the same state.
    ("Device rebooted and not unlocked", "lockdown-escrow-locked"),
    ("The iPhone has not been unlocked since it restarted", "lockdown-escrow-locked"),
    // MBErrorDomain 4 (libimobiledevice#52, #608) and 11 (#1582).
    ("MBErrorDomain 4", "mb-4-file-missing"),
    ("ErrorCode 4: No such file or directory at path \"x/Status.plist\" (MBErrorDomain/4)", "mb-4-file-missing"),
    ("ErrorCode 205: Error reading backup database (MBErrorDomain/205). Underlying error: No such file or directory at path \"x/Manifest.mbdb\" (MBErrorDomain/4).", "mb-4-file-missing"),
    ("MBErrorDomain 11", "mb-205-download-errors"),
    // The 205 sub-texts: #608, Netimobiledevice#68, #1010.
    ("Error reading backup database", "mb-205-download-errors"),
    ("Manifest references files not in backup (MBErrorDomain/205)", "mb-205-download-errors"),
    ("Manifest references files not in backup", "mb-205-download-errors"),
    ("Digest didn't match for some files (MBErrorDomain/205)", "mb-205-download-errors"),
    ("Digest didn\u{2019}t match for some files", "mb-205-download-errors"),
    // DeviceLink statuses (idevicebackup2.c errno_to_device_error, -13 Multi status).
    ("DeviceLink status code -6", "devicelink-path-error"),
    ("DLMessageStatusResponse -7", "devicelink-path-error"),
    ("DeviceLink status -8", "devicelink-path-error"),
    ("DeviceLink status -9", "devicelink-path-error"),
    ("DeviceLink status -10", "devicelink-path-error"),
    ("DeviceLink status code -11", "devicelink-io-error"),
    ("DLFileErrorCode -15", "devicelink-no-space"),
    ("DLMessageStatusResponse, status -13, Multi status", "devicelink-multi-status"),
    ("DeviceLink status -1", "devicelink-multi-status"),
    // mobilebackup2_error_t (mobilebackup2.h) as idevicebackup2 prints them.
    ("mobilebackup2 error -2", "mb2-plist-error"),
    ("Could not perform backup protocol version exchange, error code -2", "mb2-plist-error"),
    ("ERROR: Could not receive from mobilebackup2 (-3)", "mb2-mux-error"),
    ("ERROR: Could not receive from mobilebackup2 (-5)", "mb2-receive-timeout"),
    ("Could not perform backup protocol version exchange, error code -7", "mb2-reply-not-ok"),
    ("Could not perform backup protocol version exchange, error code -8", "mb2-bad-version"),
    ("ERROR: Could not receive from mobilebackup2 (-256)", "mb2-unknown-error"),
    // idevicebackup2 lines (idevicebackup2.c; libimobiledevice#659 for the old wording).
    ("Device is not ready yet, retrying...", "mb2-receive-timeout"),
    ("Device is not ready yet. Going to try again in 2 seconds...", "mb2-receive-timeout"),
    ("ERROR: timeout while locking for sync", "idevicebackup2-sync-lock-timeout"),
    // pymobiledevice3's services/mobilebackup2.py, _backup_lock.
    ("PyMobileDevice3Exception: Failed to lock itunes sync file", "idevicebackup2-sync-lock-timeout"),
    // pymobiledevice3 messages (docs/guides/troubleshooting.md).
    ("Device is not connected", "no-device-found"),
    ("Failed to connect to usbmuxd socket", "usbmuxd-not-running"),
    ("Device not found: 00008030-001D35093EF2402E", "no-device-found"),
    ("Waiting for user dialog approval", "lockdown-pairing-pending"),
    ("Device is not paired", "lockdown-not-paired"),
    ("User refused to trust this computer", "lockdown-user-denied"),
    // usbmuxd#142 (journal), libimobiledevice#375 (client side).
    ("usbmuxd[50440]: [23:25:31.467][1] ERROR: client_write: sending to fd 13 failed: Broken pipe", "usbmuxd-broken-pipe"),
    ("usbmuxd_send: Error -1 when sending: Broken pipe", "usbmuxd-broken-pipe"),
];

#[test]
fn table_has_enough_rows_and_each_names_an_existing_entry() {
    assert!(TABLE.len() >= 45, "{} rows", TABLE.len());
    for (_, key) in TABLE {
        assert!(by_key(key).is_some(), "no entry {key}");
    }
}

#[test]
fn table_queries_find_the_expected_entry_first() {
    let mut failures = Vec::new();
    for (query, key) in TABLE {
        let found = lookup(query);
        match found.best() {
            Some(m) if m.entry.key == *key => {}
            other => failures.push(format!(
                "{query:?}: expected {key}, got {:?} ({:?})",
                other.map(|m| m.entry.key),
                found.keys()
            )),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_three_spellings_of_one_code_are_one_code() {
    // 0xE8000084 = 3892314244 unsigned = -402653052 signed.
    assert_eq!(0xE800_0084u32 as i32, -402_653_052);
    assert_eq!(0xE800_0084u32 as i64, 3_892_314_244);
    let forms = [
        "-402653052",
        "0xE8000084",
        "3892314244",
        "e8000084",
        "(0XE8000084)",
    ];
    let codes: Vec<Vec<Code>> = forms
        .iter()
        .map(|q| {
            lookup(q)
                .matches
                .iter()
                .flat_map(|m| m.reasons.iter())
                .filter_map(|r| match r {
                    Reason::Code { code, .. } => Some(*code),
                    _ => None,
                })
                .collect()
        })
        .collect();
    for (form, c) in forms.iter().zip(&codes) {
        assert_eq!(c, &vec![Code::amd(0xE800_0084)], "{form}");
    }
    // Neighbouring numbers are different codes.
    // (0xE8000085 and 0xE8000083 - 0x100 are not in the database.)
    assert!(lookup("3892314245").is_empty());
    assert!(lookup("-402653309").is_empty());
}

#[test]
fn the_same_small_number_is_reported_per_domain() {
    // -21: INVALID_HOST_ID since libimobiledevice 1.2, USER_DENIED_PAIRING in 1.1.x.
    let found = lookup("-21");
    let domains: HashSet<(Domain, &str)> = found
        .matches
        .iter()
        .flat_map(|m| {
            m.reasons.iter().filter_map(move |r| match r {
                Reason::Code { domain, .. } => Some((*domain, m.entry.key)),
                _ => None,
            })
        })
        .collect();
    assert!(
        domains.contains(&(Domain::Lockdown, "lockdown-invalid-host-id")),
        "{domains:?}"
    );
    assert!(
        domains.contains(&(Domain::LockdownLegacy, "lockdown-user-denied")),
        "{domains:?}"
    );
    // -4: mobilebackup2's SSL error; lockdownd's -4 (pairing failed) has no entry.
    assert_eq!(lookup("-4").keys(), vec!["mb2-receive-failed"]);
    // 105 is an MBErrorDomain code; with a lockdownd hint it is not.
    assert!(lookup("lockdownd error 105").is_empty());
    // A hint selects the domain: -1 is mobilebackup2 only after "version exchange".
    assert_eq!(
        lookup("version exchange, error code -1").keys(),
        vec!["mb2-version-exchange-failed"]
    );
}

#[test]
fn devicelink_codes_need_a_devicelink_word() {
    // -6 alone is mobilebackup2's bad version, never a DeviceLink status.
    let keys = lookup("-6").keys();
    assert!(keys.contains(&"mb2-bad-version"), "{keys:?}");
    assert!(!keys.contains(&"devicelink-path-error"), "{keys:?}");
    // With the word, only the DeviceLink meaning is left.
    assert_eq!(
        lookup("DeviceLink status -6").keys(),
        vec!["devicelink-path-error"]
    );
    // "Multi status" in an MBErrorDomain 103 line does not turn 103 into a status.
    assert_eq!(
        lookup("ErrorCode 103: Error reading status (MBErrorDomain/103). Underlying error: Multi status at path \"x/Status.plist\" (MBErrorDomain/1).")
            .best()
            .map(|m| m.entry.key),
        Some("mb-103-reading-status")
    );
}

#[test]
fn unknown_input_returns_nothing() {
    for q in [
        "",
        "   ",
        "hello world",
        "xyzzy 12345",
        "0xDEADBEEF",
        "error 123456",
        "ErrorCode 999",
        "iOS 16.1 on iPhone 15",
        "🙂🙂🙂",
        "ñandú",
    ] {
        let found = lookup(q);
        assert!(found.is_empty(), "{q:?} -> {:?}", found.keys());
    }
}

#[test]
fn hostile_input_does_not_panic() {
    // How long these take is measured by scripts/bench.sh, not here.
    let digits = "9".repeat(10_000);
    let long = "could not be backed up because an error occurred ".repeat(5_000);
    let emoji = "💥".repeat(50_000);
    let mixed = format!("(0xE8000084) error {digits} 0x{digits} -{digits}");
    for q in [
        &digits,
        &long,
        &emoji,
        &mixed,
        &"(".repeat(20_000),
        &"-".repeat(20_000),
        &"0x".repeat(9_000),
    ] {
        let _ = lookup(q);
    }
    assert!(lookup(&digits).is_empty());
    assert_eq!(
        lookup(&mixed).best().map(|m| m.entry.key),
        Some("amd-device-disconnected")
    );
    assert_eq!(
        lookup(&long).best().map(|m| m.entry.key),
        Some("itunes-backup-error-occurred")
    );
}

#[test]
fn there_are_at_least_45_entries_with_unique_keys() {
    assert!(all().len() >= 45, "{} entries", all().len());
    let mut keys = HashSet::new();
    for e in all() {
        assert!(keys.insert(e.key), "duplicate key {}", e.key);
        assert!(
            !e.key.is_empty()
                && e.key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}",
            e.key
        );
    }
}

#[test]
fn every_entry_has_a_source_a_fix_a_meaning_and_a_way_to_find_it() {
    for e in all() {
        assert!(!e.sources.is_empty(), "{} has no source", e.key);
        assert!(!e.fixes.is_empty(), "{} has no fix", e.key);
        assert!(
            !e.meaning.trim().is_empty() && !e.title.trim().is_empty(),
            "{}",
            e.key
        );
        assert!(
            !e.codes.is_empty() || !e.phrases.is_empty(),
            "{} cannot be looked up",
            e.key
        );
        for f in e.fixes {
            assert!(
                !f.platforms.is_empty() && !f.text.trim().is_empty(),
                "{}",
                e.key
            );
        }
    }
}

#[test]
fn sources_are_public_urls() {
    for e in all() {
        for s in e.sources {
            let rest = s
                .strip_prefix("https://")
                .or_else(|| s.strip_prefix("http://"));
            let host = rest.and_then(|r| r.split('/').next()).unwrap_or("");
            assert!(
                host.contains('.') && !host.starts_with("localhost") && !host.starts_with("127."),
                "{}: {s} is not a public http(s) URL",
                e.key
            );
            assert!(!s.chars().any(char::is_whitespace), "{}: {s}", e.key);
        }
    }
}

/// Paths only this project's authors have: text users read never points at them.
const PRIVATE_PATHS: &[&str] = &["shared/realdata", "realdata/", "shared/research"];

#[test]
fn nothing_users_read_cites_a_private_path() {
    use crate::report::{catalogue, explain};
    fn page(rule: Option<&'static crate::rules::Rule>, query: &str) -> String {
        let mut out = Vec::new();
        explain::text(rule, &lookup(query), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }
    let mut pages: Vec<(String, String)> = Vec::new();
    // `explain <key>` for every entry (text and JSON), `explain <id>` for every rule.
    for e in all() {
        pages.push((format!("explain {}", e.key), page(None, e.key)));
        pages.push((
            format!("{} (JSON)", e.key),
            serde_json::to_string(e).unwrap(),
        ));
    }
    for r in crate::rules::RULES {
        pages.push((format!("explain {}", r.id), page(Some(r), r.id.as_str())));
    }
    pages.push(("docs/rules.md".into(), catalogue::markdown()));
    assert_eq!(pages.len(), 2 * all().len() + crate::rules::RULES.len() + 1);
    for (name, text) in &pages {
        assert!(!text.trim().is_empty(), "{name} is empty");
        for p in PRIVATE_PATHS {
            assert!(!text.contains(p), "{name} cites {p}");
        }
    }
}

#[test]
fn causes_use_only_registered_rule_ids() {
    for e in all() {
        for c in e.causes.rules() {
            assert!(
                rule_ids().contains(&c.as_str()),
                "{}: unknown rule id {c}",
                e.key
            );
        }
    }
}

#[test]
fn every_stable_rule_id_is_covered_by_some_entry_or_is_listed_as_uncovered() {
    // usb.unavailable is a property of the machine the tool runs on: nobody pastes it.
    // reported.error is what diagnose shows for a message no entry gives a cause.
    const NOT_FROM_MESSAGES: &[RuleId] = &[RuleId::UsbUnavailable, RuleId::ReportedError];
    for id in RuleId::ALL {
        let covered = all().iter().any(|e| e.causes.rules().contains(id));
        assert_eq!(covered, !NOT_FROM_MESSAGES.contains(id), "{id}");
    }
}

#[test]
fn phrases_are_lower_case_and_match_their_own_entry() {
    for e in all() {
        for p in e.phrases {
            assert_eq!(*p, p.to_lowercase(), "{}: {p}", e.key);
            assert!(!normalize(p).is_empty(), "{}: {p}", e.key);
            assert!(
                lookup(p).keys().contains(&e.key),
                "{}: phrase {p:?} does not find it",
                e.key
            );
        }
    }
}

#[test]
fn codes_find_their_own_entry_in_their_own_domain() {
    for e in all() {
        for c in e.codes {
            let q = match c.domain {
                Domain::MobileDevice => format!("0x{:08X}", c.value as u32),
                Domain::MbError => format!("MBErrorDomain/{}", c.value),
                Domain::Lockdown | Domain::LockdownLegacy => {
                    format!("lockdownd error code {}", c.value)
                }
                Domain::MobileBackup2 => format!("mobilebackup2 error code {}", c.value),
                Domain::DeviceLink => format!("DeviceLink status {}", c.value),
                Domain::Itunes => format!("iTunes error {}", c.value),
            };
            let found = lookup(&q);
            let hit = found.matches.iter().any(|m| {
                m.entry.key == e.key
                    && m.reasons
                        .iter()
                        .any(|r| matches!(r, Reason::Code { domain, .. } if *domain == c.domain))
            });
            assert!(hit, "{}: {q} -> {:?}", e.key, found.keys());
        }
    }
}

#[test]
fn seed_causes_map_to_existing_ids_or_keys() {
    assert!(SEED_CAUSES.len() >= 20);
    let mut seeds = HashSet::new();
    for (cause, seed, targets) in SEED_CAUSES {
        seeds.insert(*seed);
        assert!(!targets.is_empty(), "{cause}");
        for t in *targets {
            assert!(
                rule_ids().contains(t) || by_key(t).is_some(),
                "{cause}: {t} is neither a rule id nor an entry"
            );
        }
        // Every seed cause reaches at least one explain entry (a page of fixes).
        assert!(
            targets.iter().any(|t| by_key(t).is_some()
                || all()
                    .iter()
                    .any(|e| e.causes.rules().iter().any(|c| c.as_str() == *t))),
            "{cause}"
        );
    }
    assert_eq!(seeds.len(), 2, "both seed articles are covered");
}

#[test]
fn the_seed_topics_the_brief_lists_each_have_an_entry() {
    // cable, port, hub, restart, updates, Trust, Reset Location & Privacy, iCloud
    // Backup off, iCloud 5 GB, computer storage, Wi-Fi, Screen Time, Apple Account,
    // third-party tools, security software.
    let queries = [
        ("usb cable", "cable-or-port"),
        ("lint in the port", "port-debris"),
        ("usb hub", "usb-hub"),
        ("restart both", "restart-both"),
        ("outdated software", "software-outdated"),
        ("trust prompt", "trust-this-computer"),
        ("reset location and privacy", "reset-location-privacy"),
        ("disable icloud backup", "icloud-backup-conflict"),
        ("5 GB", "icloud-storage-full"),
        ("computer storage", "itunes-not-enough-space"),
        ("Wi-Fi", "wifi-unstable"),
        ("content & privacy restrictions", "screen-time-restrictions"),
        ("sign out and sign back in", "apple-account-sign-in"),
        ("AnyTrans", "third-party-tools"),
        ("antivirus", "security-software"),
    ];
    for (q, key) in queries {
        assert!(
            lookup(q).keys().contains(&key),
            "{q} -> {:?}",
            lookup(q).keys()
        );
    }
}

#[test]
fn fixes_name_exact_ios_menu_paths_old_and_new() {
    let reset = by_key("reset-location-privacy").unwrap();
    let text: Vec<&str> = reset.fixes.iter().map(|f| f.text).collect();
    assert!(text
        .iter()
        .any(|t| t.contains(
            "Settings > General > Transfer or Reset iPhone > Reset > Reset Location & Privacy"
        ) && t.contains("Settings > General > Reset > Reset Location & Privacy")));
    // Fixes for each host platform exist somewhere, and phone fixes apply everywhere.
    for p in [
        Platforms::MACOS,
        Platforms::WINDOWS,
        Platforms::LINUX,
        Platforms::PHONE,
    ] {
        assert!(
            all()
                .iter()
                .flat_map(|e| e.fixes)
                .any(|f| f.platforms.contains(p)),
            "{p:?}"
        );
    }
    let locked = by_key("lockdown-password-protected").unwrap();
    assert!(locked
        .fixes_for(Platforms::LINUX)
        .all(|f| f.platforms.intersects(Platforms::LINUX | Platforms::PHONE)));
}

#[test]
fn platforms_set_operations() {
    let mw = Platforms::MACOS | Platforms::WINDOWS;
    assert!(
        mw.contains(Platforms::MACOS)
            && mw.contains(Platforms::WINDOWS)
            && !mw.contains(Platforms::LINUX)
    );
    assert!(Platforms::HOSTS.contains(mw) && !Platforms::HOSTS.contains(Platforms::PHONE));
    assert_eq!(
        Platforms::ALL.names(),
        vec!["macos", "windows", "linux", "iphone"]
    );
    assert!(
        Platforms::default().is_empty() && !Platforms::default().contains(Platforms::default())
    );
}

#[test]
fn lookup_serializes_to_json_with_domain_labels() {
    let v = serde_json::to_value(lookup("-21")).unwrap();
    let s = v.to_string();
    assert!(
        s.contains("\"domain\":\"lockdownd\"") && s.contains("\"domain\":\"lockdownd-1.1\""),
        "{s}"
    );
    let v = serde_json::to_value(lookup("0xE8000084")).unwrap();
    assert_eq!(
        v["matches"][0]["reasons"][0]["code"]["display"],
        "0xE8000084 (-402653052)"
    );
    assert_eq!(
        v["matches"][0]["entry"]["fixes"][0]["platforms"][0],
        "macos"
    );
}

#[test]
fn rule_ids_find_the_entries_that_list_them() {
    let found = lookup("trust.reset-on-device");
    assert!(found.keys().contains(&"lockdown-invalid-host-id"));
    assert!(found
        .matches
        .iter()
        .all(|m| m.reasons.iter().any(|r| matches!(r, Reason::Cause { .. }))));
}

#[test]
fn each_seed_cause_as_worded_finds_an_entry_it_maps_to() {
    let mut failures = Vec::new();
    for (cause, _, targets) in SEED_CAUSES {
        let keys = lookup(cause).keys();
        let hit = keys.iter().any(|k| {
            targets.contains(k)
                || by_key(k).is_some_and(|e| {
                    e.causes
                        .rules()
                        .iter()
                        .any(|c| targets.contains(&c.as_str()))
                })
        });
        if !hit {
            failures.push(format!("{cause:?} -> {keys:?}, wanted one of {targets:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn no_code_belongs_to_two_entries() {
    let mut seen = std::collections::HashMap::new();
    for e in all() {
        for c in e.codes {
            if let Some(other) = seen.insert((c.domain, c.value), e.key) {
                panic!(
                    "{} {} is in both {other} and {}",
                    c.domain.name(),
                    c.display(),
                    e.key
                );
            }
        }
    }
}

#[test]
fn lookup_ignores_case_quotes_and_spacing() {
    let a = lookup("The backup was corrupt or not compatible").keys();
    let b = lookup("  THE BACKUP WAS CORRUPT OR NOT COMPATIBLE!!  ").keys();
    let c = lookup("\u{201C}the backup was corrupt\u{2014}or not compatible\u{201D}").keys();
    assert_eq!(a.first(), Some(&"itunes-backup-corrupt"));
    assert_eq!(a, b);
    assert_eq!(a.first(), c.first());
    assert_eq!(
        lookup("DON\u{2019}T TRUST").best().map(|m| m.entry.key),
        Some("lockdown-user-denied")
    );
}
