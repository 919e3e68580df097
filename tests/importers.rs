//! `diagnose --from` on real captures (fixtures/realdata/, each with its
//! public source in the README there): the first finding each gives, and
//! that a healthy phone's capture blocks nothing.

use assert_cmd::Command;
use serde_json::Value;

/// (file, first finding, exit status, why); an empty first finding: none at
/// all (a healthy capture).
const CAPTURES: &[(&str, &str, i32, &str)] = &[
    (
        "ideviceinfo_iPhone12-x_iOS13.1_unactivated_partial.txt",
        "device.setup-incomplete",
        2,
        "ActivationState: Unactivated",
    ),
    (
        "ideviceinfo_iPhone9-1_iOS13.3.1.txt",
        "device.ios-outdated",
        0,
        "a healthy iPhone 7 on iOS 13.3.1: an update exists, nothing blocks",
    ),
    (
        "device_syslog_BackupAgent2_need_extra_space_on_host_iOS16.txt",
        "host.disk-space",
        2,
        "BackupAgent2: Need extra space on host: 12265029274",
    ),
    (
        "device_syslog_BackupAgent2_iPad2-1_iOS5.0.1_uploading_then_finished.txt",
        "backup.agent-failed",
        0,
        "BackupAgent2 crashed, then the retried backup finished: a note",
    ),
    (
        "device_syslog_BackupAgent2_scanning_stuck_at_sending_udid.txt",
        "",
        0,
        "domain scanning lines, all in one second: nothing wrong in the capture itself",
    ),
    (
        "idevicebackup1_plist_assert_iPhone3GS_2010.txt",
        "reported.error",
        2,
        "the old `idevicebackup` aborts on a libplist assertion: a crash of the tool no explain entry knows",
    ),
    (
        "idevicebackup1_refused_iPhone_2010.txt",
        "backup-service.refused",
        2,
        "\"device refused to start the backup process\"",
    ),
    (
        "idevicebackup1_refused_iPod2-1_iOS4.0.txt",
        "backup-service.refused",
        2,
        "the same refusal (the poster cut the last word)",
    ),
    (
        "idevicebackup2_debug_encrypted_start_iOS10.3.2.txt",
        "backup.encrypted",
        0,
        "the start of an encrypted incremental backup: nothing failed; the note says a password is set",
    ),
    (
        "idevicebackup2_err103_multistatus_status_plist_win7.txt",
        "backup.corrupt",
        2,
        "ErrorCode 103: the phone could not read the previous backup's Status.plist from the computer (Multi status)",
    ),
    (
        "idevicebackup2_err105_insufficient_host_space.txt",
        "host.disk-space",
        2,
        "ErrorCode 105 \"on drive to back up\": the computer's disk",
    ),
    (
        "idevicebackup2_err1_keychain_locked_iOS6.1.2.txt",
        "device.locked",
        2,
        "ErrorCode 1 (keychain) once the phone locked mid-backup",
    ),
    (
        "idevicebackup2_err3_snapshot_exists_then_receive_err4_iOS15.2.txt",
        "reported.error",
        2,
        "the last run ends with \"Could not receive from mobilebackup2 (-4)\", a broken channel with several causes; the snapshot left by the interrupted first run follows as `backup.unfinished`",
    ),
    (
        "idevicebackup2_failed_to_generate_info_plist_iPhone5S_iOS12.txt",
        "reported.error",
        2,
        "\"Failed to generate Info.plist - aborting\": no explain entry knows it",
    ),
    (
        "idevicebackup2_full_flag_incremental_2025.txt",
        "backup.encrypted",
        0,
        "a healthy start (`--full` asked, the phone chose incremental): no blocker, only the encryption note",
    ),
    (
        "idevicebackup2_info_err103_locked_iPhone6_iOS8.0.2.txt",
        "device.locked",
        2,
        "ErrorCode 103 with an I/O error on the phone's side while its screen was locked (\"device locked?\" in its log)",
    ),
    (
        "idevicebackup2_info_restore_unback_old_mbdb_iOS5.txt",
        "reported.error",
        2,
        "the restore was refused (\"Backup directory ... is invalid. No Info.plist found\"), a message no entry knows; the missing Status.plist and Manifest.plist follow as `backup.unfinished`",
    ),
    (
        "idevicebackup2_restore_err105_device_space_ipadmini.txt",
        "device.storage-full",
        2,
        "ErrorCode 105 \"on device to restore\": the iPad's own storage",
    ),
    (
        "idevicebackup2_restore_err205_multiple_errors.txt",
        "backup.corrupt",
        2,
        "restoring: \"Multiple errors downloading files\", files of the backup missing or damaged",
    ),
    (
        "idevicebackup2_version_exchange_err1_after_validate_macos.txt",
        "reported.error",
        2,
        "pairing validated and the backup service started, so trust is ruled out; -1 after that (a passcode prompt or a libimobiledevice too old) has no single cause",
    ),
    (
        "idevicebackup2_version_exchange_err1_iPhone8_iOS14.txt",
        "reported.error",
        2,
        "-1 after the service started (trust ruled out); the cause in the report, idevicebackup2 1.3.0 too old for iOS 14, is one of the entry's causes the capture cannot prove",
    ),
    (
        "idevicebackup2_version_exchange_err1_plus_ideviceinfo_simple_iPhone11-2_iOS14.7.1.txt",
        "reported.error",
        2,
        "the same -1 after the service started; `ideviceinfo -s` adds an iPhone XS on iOS 14.7.1 (an update exists: a warning after it)",
    ),
    (
        "idevicebackup2_version_exchange_err6_iPhone5s_iOS8.1.2.txt",
        "host.os-outdated",
        2,
        "-6: no common protocol version, the tool is older than the phone's iOS",
    ),
    (
        "idevicebackup2_version_exchange_plist_DLMessageVersionExchange_iOS16.txt",
        "",
        0,
        "the phone's first backup-protocol message (DeviceLink 400.0): no error",
    ),
    (
        "idevicepair_trust_dialog_then_success_iOS10.2.txt",
        "reported.error",
        0,
        "\"Please accept the trust dialog\", then \"SUCCESS: Paired\": the error is history, a note",
    ),
    (
        "idevicepair_unpair_err2_iOS7.txt",
        "reported.error",
        0,
        "an unhandled -2 and the trust-dialog error, then \"SUCCESS: Paired\": notes (the pairing lost later is not in the capture)",
    ),
    (
        "lockdownd_err19_old_numeric_iOS8.4.1.txt",
        "trust.dialog-pending",
        2,
        "-19 without a name: only the current numbering has it, PairingDialogResponsePending",
    ),
    (
        "lockdownd_err19_pairing_pending_debian.txt",
        "trust.dialog-pending",
        2,
        "\"Pairing dialog response pending (-19)\"",
    ),
    (
        "lockdownd_mux_error_8_iOS17RC.txt",
        "device.lockdown-unreachable",
        2,
        "\"Mux error (-8)\": usbmuxd listed the phone and its lockdown service did not answer (here the phone was not ready for 30-60 s after plugging in); the link and usbmuxd are named as the other causes",
    ),
    (
        "iwdp_lockdownd_err21_iOS10.3.3.txt",
        "trust.reset-on-device",
        2,
        "-21 without the version that printed it: read as InvalidHostID (libimobiledevice 1.2 and later), possible, and the finding says it is ambiguous (UserDeniedPairing in 1.1.x)",
    ),
    (
        "ifuse_dismiss_trust_dialog_iOS7.1.2.txt",
        "trust.dialog-pending",
        2,
        "\"Please dismiss the trust dialog on your device\"",
    ),
    (
        "pmd3_backup2_info_iPhone10-3_iOS16.7.2_partial.txt",
        "",
        0,
        "MBStatus snapshotState=finished, unencrypted: a healthy backup",
    ),
    (
        "pmd3_backup_err205_null_properties.txt",
        "backup.corrupt",
        2,
        "ErrorCode 205 \"Cannot parse a NULL or zero-length data\": an empty Manifest.plist the phone will not back up over",
    ),
    (
        "pmd3_backup_keyerror_DLMessagePurgeDiskSpace_iPhoneX_iOS14.6.txt",
        "host.disk-space",
        2,
        "the phone asked the computer to free disk space (DLMessagePurgeDiskSpace)",
    ),
    (
        "pmd3_change_password_err207_iOS17.0.1.txt",
        "backup.password-rejected",
        2,
        "\"Invalid password (MBErrorDomain/207)\": the phone rejected the backup password given to change it",
    ),
    (
        "tidevice_muxerror_no_usbmuxd_ubuntu.txt",
        "usbmuxd.not-running",
        2,
        "Ubuntu without usbmuxd: \"socket unix:... unable to connect\" (the traceback is cut, its last raise is read)",
    ),
    (
        "strace_usbmuxd_socket_missing.txt",
        "usbmuxd.not-running",
        2,
        "the socket is missing: \"Unable to retrieve device list!\"",
    ),
    (
        "usbmux_connect_refused_windows_27015.txt",
        "usbmuxd.not-running",
        2,
        "Windows without iTunes: 127.0.0.1:27015 refused (Apple Mobile Device Service)",
    ),
    (
        "usbmuxd_get_device_list_error_opening_socket_idevicerestore.txt",
        "usbmuxd.not-running",
        2,
        "\"usbmuxd_get_device_list: error opening socket!\" over and over",
    ),
    (
        "Status_plist_finished_DERIVED_from_torn_2026.bplist.b64.txt",
        "",
        0,
        "SnapshotState finished (derived by its publisher from the torn file, not a device capture): nothing wrong",
    ),
    (
        "Status_plist_finished_DERIVED_from_torn_2026.json",
        "",
        0,
        "the same, decoded to JSON",
    ),
    (
        "Status_plist_finished_DERIVED_from_torn_2026.xml.txt",
        "",
        0,
        "the same, as XML",
    ),
    (
        "Status_plist_torn_uploading_empty_real_2026.bplist.b64.txt",
        "backup.unfinished",
        1,
        "SnapshotState uploading: a backup interrupted mid-upload",
    ),
    (
        "Status_plist_torn_uploading_empty_real_2026.json",
        "backup.unfinished",
        1,
        "the same, decoded to JSON",
    ),
    (
        "Status_plist_torn_uploading_empty_real_2026.xml.txt",
        "backup.unfinished",
        1,
        "the same, as XML",
    ),
    (
        "backup_metadata_measured_keys_sizes_iPad_iPhone_2026.json",
        "",
        0,
        "sizes and keys measured on working backups: every metadata file present",
    ),
    (
        "manifest_db_schema_iOS14.2_bigsur.txt",
        "",
        0,
        "a finished Finder backup: all four metadata files listed, Manifest.db readable",
    ),
    (
        "ideviceinfo_xml_partial_iOS8.1.1_armv7s_12B411.txt",
        "",
        0,
        "lockdown values of a trusted session (an excerpt): nothing wrong in them",
    ),
    (
        "lockdown_nsdict_iPhone10-4_iOS15.6.1_partial.txt",
        "device.ios-outdated",
        0,
        "an unlocked iPhone 8 on iOS 15.6.1: an update exists, nothing blocks",
    ),
    (
        "lsusb_ipad_variants_12ab_129f_12a2.txt",
        "",
        0,
        "three iPads (129f, 12ab, 12a2) in normal mode; the flapping charge icon is only in a collector's note, not in tool output, so nothing blocks",
    ),
    (
        "lsusb_recovery_mode_ipwndfu.txt",
        "usb.recovery-mode",
        2,
        "05ac:1281 is recovery mode",
    ),
    (
        "lsusb_v_grep_recovery_mode_iPadAir2.txt",
        "usb.recovery-mode",
        2,
        "`lsusb -v | grep` shows idProduct 0x1281: recovery mode",
    ),
    (
        "lsusb_v_iPhone4_1297_iOS4.2.1_no_device_found_partial.txt",
        "usbmuxd.device-not-listed",
        2,
        "lsusb shows the iPhone 4 in normal mode while ideviceinfo finds no device",
    ),
    (
        "lsusb_v_iPhone_12a8_bcd10.05_partial.txt",
        "",
        0,
        "a phone in normal mode in `lsusb -v`; nothing wrong shown",
    ),
    (
        "dfu_iPhone13_lsusb_irecovery_wsl.txt",
        "usb.dfu-mode",
        2,
        "05ac:1227 is DFU mode (A15, iBoot-6338.0.0.200.19)",
    ),
    (
        "dfu_iPhone5s_lsusb_ideviceinfo_no_device_irecovery.txt",
        "usb.dfu-mode",
        2,
        "05ac:1227 is DFU mode; ideviceinfo then finds no device, as in DFU",
    ),
    (
        "macos_lsusb_iPhone_12a8_dcsd.txt",
        "",
        0,
        "the macOS lsusb clone lists the iPhone in normal mode; a libusb test program not listing it on macOS is not a backup problem",
    ),
    (
        "ioreg_iPhone_AppleUSBDevice_12a8_partial.txt",
        "",
        0,
        "an iPhone at high speed (Device Speed 2) on port 4 of bus 0x14, no hub",
    ),
    (
        "dmesg_iPhoneSE_12a8_no_device_found.txt",
        "usbmuxd.device-not-listed",
        2,
        "the kernel enumerates the iPhone SE at high speed but idevicepair finds no device",
    ),
    (
        "dmesg_usbmuxd_iPhone_8120_iOS17RC_usb3_stuck_partial.txt",
        "usbmuxd.device-not-listed",
        2,
        "the kernel enumerates the phone at high speed; usbmuxd, started before it, never takes it",
    ),
    (
        "kernel_syslog_iPhone12_00008101_ipheth_partial.txt",
        "",
        0,
        "an iPhone 12 enumerating at high speed and ipheth binding its tethering interface; no drop in the capture",
    ),
    (
        "usbmuxd_journal_iPhone7_removed_immediately_partial.txt",
        "connection.unstable",
        2,
        "usbmuxd removes the phone 86 ms after connecting to it, and it does not come back",
    ),
    (
        "usbmuxd_lockdown_err3_iPhone6plus_iOS9.txt",
        "usbmuxd.device-not-listed",
        2,
        "usbmuxd 1.1.1 cannot read lockdownd's answer (lockdown error -3, a broken libplist); idevicepair finds no device",
    ),
    (
        "usbmuxd_lockdown_err8_iPhone6plus_iOS12.4.txt",
        "usbmuxd.device-not-listed",
        2,
        "usbmuxd's preflight fails with lockdown error -8, so it never lists the phone it found on USB",
    ),
    (
        "usbmuxd_newer_modeswitch_12ab_ipad_8027_partial.txt",
        "",
        0,
        "a newer usbmuxd switching the iPad's configuration and starting preflight; the capture ends before any error",
    ),
    (
        "usbmuxd_not_paired_iOS10.1.1_12ab.txt",
        "trust.not-paired",
        2,
        "usbmuxd's preflight says the iPad is not paired with this host",
    ),
    (
        "usbmuxd_openwrt_v111_start_partial.txt",
        "",
        0,
        "usbmuxd 1.1.1 starts and takes the phone at 480 Mbit/s; preflight starts",
    ),
    (
        "usbmuxd_openwrt_waiting_for_trust_then_rx_aborted_partial.txt",
        "trust.dialog-pending",
        2,
        "usbmuxd waits for the user to trust the computer; the phone re-enumerates seconds later",
    ),
    (
        "usbmuxd_v108_iPhone4_iOS7_rx_aborted_partial.txt",
        "connection.unstable",
        2,
        "the iPhone 4 on a full-speed link (wMaxPacketSize 64) drops off (RX aborted, removed); the capture ends before usbmuxd takes it again",
    ),
    (
        "usbmuxd_v108_ipad_iOS7.0.4_rx_aborted_after_trust_partial.txt",
        "connection.unstable",
        1,
        "the iPad drops off (RX aborted, removed) 8 s after connecting, then is found again",
    ),
    (
        "usbmuxd_v109_fedora20_iPhone3GS_iOS5.1.1_partial.txt",
        "",
        0,
        "the iPhone 3GS works; it is removed 48 s later (unplugged) and usbmuxd exits as it does with no phone",
    ),
    (
        "usbmuxd_v110_lockdown_err8_segfault.txt",
        "usbmuxd.not-running",
        2,
        "usbmuxd 1.1.0 crashes (Segmentation fault) after a failed preflight: no daemon is left",
    ),
    (
        "usbmuxd_v111_debug_12ab_partial.txt",
        "",
        0,
        "a verbose usbmuxd 1.1.1 start taking an iPad at 480 Mbit/s; nothing fails in the capture",
    ),
    (
        "usbmuxd_v111_first_start_12a8_partial.txt",
        "",
        0,
        "usbmuxd's first start with desktop clients, the phone found and configured; nothing fails in the capture",
    ),
    (
        "usbmuxd_v111_preflight_error_12a8.txt",
        "usbmuxd.device-not-listed",
        2,
        "preflight ends with an error (level 1) 10 s after it starts, so usbmuxd does not list the phone",
    ),
    (
        "usbmuxd_v112_iPhone4S_iOS6.1.3_no_productname_partial.txt",
        "",
        0,
        "usbmuxd 1.1.2 connects the iPhone 4S; the ProductName error of the report's title is past the end of the capture",
    ),
    (
        "device_syslog_BackupAgent2_host_free_space_purge_request.txt",
        "host.disk-space",
        2,
        "BackupAgent2: \"Need extra space on host\" after \"Free disk space on drive: 4664553472\"",
    ),
    (
        "idevicebackup2_err205_empty_manifest_plist_iPhoneSE2022_iOS15.6.1.txt",
        "backup.corrupt",
        2,
        "ErrorCode 205 \"Cannot parse a NULL or zero-length data\" after sending a 0-byte Manifest.plist: the earlier backup is damaged",
    ),
    (
        "idevicebackup2_hang_low_host_space.txt",
        "host.disk-space",
        2,
        "the reporter: it hangs after \"Full backup mode.\" because the host partition is too small",
    ),
    (
        "idevicebackup2_info_err207_encrypted_iOS11.txt",
        "backup.password-rejected",
        2,
        "ErrorCode 207 \"Invalid password ... MKBKeyBagUnlock error\": the backup password was rejected",
    ),
    (
        "idevicebackup2_version_exchange_err1_iOS16.1.1.txt",
        "device.passcode-prompt",
        2,
        "the maintainer: since iOS 16.1 the backup waits for the passcode on the phone; -1 at the version exchange is that wait",
    ),
    (
        "ideviceinfo_VisionPro_RealityDevice14-1_visionOS26.2_12b1_author_redacted.txt",
        "usbmuxd.device-not-listed",
        2,
        "stock usbmuxd does not know product id 0x12b1: lsusb lists the Vision Pro, ideviceinfo says \"No device found\"",
    ),
    (
        "ideviceinfo_excerpt_iPad15-7_iPadOS26.6.txt",
        "",
        0,
        "seven lockdown keys of a healthy iPad on iPadOS 26.6",
    ),
    (
        "ideviceinfo_iPhone7-1_iOS12.4.8.txt",
        "device.ios-outdated",
        0,
        "a healthy, paired iPhone 6 Plus on iOS 12.4.8; iOS 12.5.7 is its last release (a note)",
    ),
    (
        "ideviceinfo_simple_diagnostics_mode_iPhone9-2_iOS13.5.1.txt",
        "device.ios-outdated",
        0,
        "ideviceinfo -s of an iPhone 7 Plus on iOS 13.5.1 without a pairing: nothing blocks in what it shows; an update exists",
    ),
    (
        "imazing_unfinished_backup_iPhone13-1_iOS18.5_status_info.json",
        "backup.unfinished",
        2,
        "Status.plist: SnapshotState uploading, BackupState empty",
    ),
    (
        "lockdownd_err19_pairing_pending_rpi.txt",
        "trust.dialog-pending",
        2,
        "\"Pairing dialog response pending (-19)\"",
    ),
    (
        "lockdownd_err21_old_numeric_rpi.txt",
        "trust.reset-on-device",
        2,
        "\"error code -21\": InvalidHostID in libimobiledevice 1.2 and later (UserDeniedPairing in 1.1.x, as the maintainer says; the capture does not name the version)",
    ),
    (
        "lsusb_v_iPhone_12a8_bcd12.05_partial.txt",
        "",
        0,
        "lsusb -v of an iPhone at high speed: nothing wrong",
    ),
    (
        "lsusb_v_recovery_mode_1281_CPID8132_partial.txt",
        "usb.recovery-mode",
        2,
        "05ac:1281 with CPID/ECID in iSerial: recovery mode",
    ),
    (
        "macos_kernel_iphone_flapping_hackintosh_partial.txt",
        "connection.unstable",
        2,
        "enumerated, then terminated by \"connect change interrupt\" within 0.4 s, again and again",
    ),
    (
        "pmd3_ConnectionFailedToUsbmuxdError_windows.txt",
        "usbmuxd.not-running",
        2,
        "ConnectionRefusedError [WinError 10061] then ConnectionFailedToUsbmuxdError: Apple Mobile Device Service is not running",
    ),
    (
        "pmd3_lockdown_info_iPhone17-4_iOS26.3_author_redacted.txt",
        "",
        0,
        "pymobiledevice3 lockdown info of a healthy iPhone 16 Plus on iOS 26.3",
    ),
    (
        "system_profiler_dfu_mode_iPhone6_CPID7000.txt",
        "usb.dfu-mode",
        2,
        "\"Apple Mobile Device (DFU Mode)\" 0x1227",
    ),
    (
        "system_profiler_iPhone_10Gbps_behind_builtin_usb3_hub_T8132.txt",
        "",
        0,
        "an iPhone at 10 Gb/s behind the Mac's built-in hub: nothing wrong",
    ),
    (
        "usbmuxd_crash_many_devices_on_hub_iOS8.4.txt",
        "usbmuxd.not-running",
        2,
        "usbmuxd segfaults and aborts (free(): invalid pointer) with more than ten phones attached: no daemon is left",
    ),
    (
        "usbmuxd_lockdown_err8_newstyle_udid.txt",
        "device.lockdown-unreachable",
        2,
        "preflight: \"Could not connect to lockdownd ... lockdown error -8\" (Mux error), then usbmuxd crashes",
    ),
    (
        "usbmuxd_no_hostid_in_pair_record_rpi.txt",
        "trust.session-failed",
        2,
        "\"couldn't get HostID from pairing record\": the pair record is unusable",
    ),
    (
        "usbmuxd_resume_from_suspend_removed_device.txt",
        "connection.unstable",
        2,
        "RX aborted three times and the phone removed when the computer resumed",
    ),
    (
        "usbmuxd_stored_pair_record_invalid_iPhone4.txt",
        "trust.not-paired",
        2,
        "\"The stored pair record for device <UDID> is invalid. Removing.\": the computer's record is gone",
    ),
    (
        "usbmuxd_v111_no_device_found_129a_partial.txt",
        "",
        0,
        "usbmuxd 1.1.1 finds the iPad at 480 Mbit/s and connects it; the \"No device found\" of the report's title is past the end of the capture",
    ),
    (
        "windows_usbtreeview_iPhone_config4_descriptor_partial.txt",
        "",
        0,
        "configuration 4 with the usbmux interface (FF/FE/02): nothing wrong",
    ),
];

/// Captures whose expected answer the tool does not give yet, with why. The
/// test fails when one starts passing, so this list stays true.
const PENDING: &[(&str, &str)] = &[
    (
        "usbmuxd_openwrt_waiting_for_trust_then_rx_aborted_partial.txt",
        "trust.dialog-pending is found (from the reported trust wait) but ranks second: the drop 4.4 s into the wait is read as a link drop (connection.unstable), where the description reads it as the re-enumeration after the trust answer",
    ),
    (
        "usbmuxd_v108_ipad_iOS7.0.4_rx_aborted_after_trust_partial.txt",
        "the line where usbmuxd finds it again is cut inside the product id (`05ac:12a`), so it is not read and the phone counts as gone (blocker, not warning)",
    ),
    (
        "idevicebackup2_hang_low_host_space.txt",
        "the capture shows only the hang after \"Full backup mode.\"; the free-space figure is in the phone's log (the purge-request capture), not in this text",
    ),
    (
        "idevicebackup2_version_exchange_err1_iOS16.1.1.txt",
        "the capture holds only the two idevicebackup2 lines; the iOS version (16.1.1) that makes -1 the passcode wait is in the issue's title, not in the text, so the tool cannot yet tell it from the other causes of -1 and ends as reported.error",
    ),
    (
        "ideviceinfo_VisionPro_RealityDevice14-1_visionOS26.2_12b1_author_redacted.txt",
        "the ideviceinfo dump that follows the fix (the ActivationState of a visionOS device) is read as an unactivated phone and ranks first",
    ),
    (
        "ideviceinfo_excerpt_iPad15-7_iPadOS26.6.txt",
        "the author's \"<-\" annotations after each value: no line is read as ideviceinfo output (exit 3)",
    ),
    (
        "imazing_unfinished_backup_iPhone13-1_iOS18.5_status_info.json",
        "iMazing's metadata as JSON rows (converted from its CSV) is not read (exit 3)",
    ),
    (
        "lsusb_v_iPhone_12a8_bcd12.05_partial.txt",
        "this cut of lsusb -v (no Bus/Device line before the descriptor) is not read (exit 3)",
    ),
    (
        "pmd3_lockdown_info_iPhone17-4_iOS26.3_author_redacted.txt",
        "the author masked values with *, so the JSON does not parse and no key is read (exit 3)",
    ),
    (
        "system_profiler_dfu_mode_iPhone6_CPID7000.txt",
        "this System Information excerpt (no USB tree around it) is not read (exit 3)",
    ),
    (
        "system_profiler_iPhone_10Gbps_behind_builtin_usb3_hub_T8132.txt",
        "this system_profiler SPUSBDataType layout (USB 3.1 Bus, USB3 Gen2 Hub) is not read (exit 3)",
    ),
    (
        "usbmuxd_resume_from_suspend_removed_device.txt",
        "the journal lines carry no clock (usbmuxd[1234]: [4] ...): the removal is read, but not judged a drop",
    ),
    (
        "windows_usbtreeview_iPhone_config4_descriptor_partial.txt",
        "USB Device Tree Viewer dumps are not read yet (exit 3)",
    ),
];

fn diagnose(args: &[&str], stdin: Option<Vec<u8>>) -> (Value, i32) {
    let mut cmd = Command::cargo_bin("iphone-backup-check").unwrap();
    cmd.args(["diagnose", "--json", "--color", "never"])
        .args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (json, out.status.code().unwrap_or(-1))
}

#[test]
fn each_real_capture_gives_its_expected_first_finding() {
    let readme = std::fs::read_to_string("fixtures/realdata/README.md").unwrap();
    let mut wrong = Vec::new();
    let mut pending = 0;
    for (file, first, status, why) in CAPTURES {
        let before = wrong.len();
        if !readme.contains(file) {
            wrong.push(format!("fixtures/realdata/README.md does not list {file}"));
        }
        let path = format!("fixtures/realdata/{file}");
        let (json, code) = diagnose(&["--from", &path], None);
        let got = json["findings"][0]["id"].as_str().unwrap_or("");
        if got != *first {
            wrong.push(format!(
                "{file}: first finding {got:?}, expected {first:?} ({why})"
            ));
        }
        // The finding quotes the line it read: `file:line: text`.
        let quoted = json["findings"][0]["evidence"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|e| {
                e.match_indices(&format!("{file}:")).any(|(i, m)| {
                    e[i + m.len()..]
                        .split_once(':')
                        .is_some_and(|(n, _)| n.parse::<u64>().is_ok())
                })
            });
        if !first.is_empty() && !quoted {
            wrong.push(format!(
                "{file}: {got} quotes no line: {}",
                json["findings"][0]["evidence"]
            ));
        }
        if code != *status {
            wrong.push(format!("{file}: exit {code}, expected {status}"));
        }
        if json["snapshot"]["provenance"]["kind"] != "imported" {
            wrong.push(format!("{file}: provenance is not `imported`"));
        }
        if PENDING.iter().any(|(f, _)| f == file) {
            // Known not to pass yet (see PENDING): it must still fail.
            if wrong.len() == before {
                wrong.push(format!("{file} passes now: take it out of PENDING"));
            } else {
                wrong.truncate(before);
                pending += 1;
            }
        }
    }
    assert!(PENDING
        .iter()
        .all(|(f, _)| CAPTURES.iter().any(|c| c.0 == *f)));
    println!(
        "{} of {} captures as expected ({pending} pending)",
        CAPTURES.len() - pending - wrong.len().min(CAPTURES.len()),
        CAPTURES.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_paste_on_standard_input_is_read_and_unknown_text_exits_3() {
    let capture = std::fs::read(format!("fixtures/realdata/{}", CAPTURES[0].0)).unwrap();
    let (json, code) = diagnose(&["--from", "-"], Some(capture));
    assert_eq!(json["findings"][0]["id"], CAPTURES[0].1);
    assert_eq!(code, 2);

    let out = Command::cargo_bin("iphone-backup-check")
        .unwrap()
        .args(["diagnose", "--from", "-"])
        .write_stdin("just some words\nnothing a tool printed\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ideviceinfo"),
        "the error says what is read: {err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one clear line: {err}");
}

#[test]
fn record_from_a_paste_writes_a_redacted_imported_snapshot_that_replays() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("shared.json");
    let capture = format!("fixtures/realdata/{}", CAPTURES[0].0);
    let status = Command::cargo_bin("iphone-backup-check")
        .unwrap()
        .args(["record", "--from", &capture, "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0), "{status:?}");
    let text = std::fs::read_to_string(&out).unwrap();
    let snapshot: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(snapshot["provenance"]["kind"], "imported");
    assert_eq!(snapshot["provenance"]["redacted"], true);
    let (json, _) = diagnose(&["--from", out.to_str().unwrap()], None);
    assert_eq!(
        json["findings"][0]["id"], CAPTURES[0].1,
        "the snapshot replays"
    );
}

#[test]
fn several_files_are_judged_as_one() {
    let a = format!("fixtures/realdata/{}", CAPTURES[0].0);
    let b = format!("fixtures/realdata/{}", CAPTURES[1].0);
    let (json, _) = diagnose(&["--from", &a, "--from", &b], None);
    let source = json["snapshot"]["provenance"]["source"]
        .as_str()
        .unwrap_or("");
    assert!(
        source.contains(CAPTURES[0].0) && source.contains(CAPTURES[1].0),
        "both files named: {source}"
    );
    // One unknown file among them is refused as a whole, naming it.
    let out = Command::cargo_bin("iphone-backup-check")
        .unwrap()
        .args(["diagnose", "--from", &a, "--from", "Cargo.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Cargo.toml"));
}

#[test]
fn a_tool_error_and_a_backup_folder_read_together_give_both_causes() {
    let (json, code) = diagnose(
        &[
            "--from",
            "fixtures/realdata/idevicebackup2_err105_insufficient_host_space.txt",
            "--from",
            "fixtures/realdata/Status_plist_torn_uploading_empty_real_2026.xml.txt",
        ],
        None,
    );
    let ids: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert_eq!(ids.first(), Some(&"host.disk-space"), "{ids:?}");
    assert!(ids.contains(&"backup.unfinished"), "{ids:?}");
    assert_eq!(code, 2);
    let evidence = json["findings"][0]["evidence"][0].as_str().unwrap();
    assert!(
        evidence.starts_with("idevicebackup2_err105_insufficient_host_space.txt:10: ErrorCode 105"),
        "the quote cites file and line: {evidence}"
    );
}

#[test]
fn a_usbmuxd_log_and_an_ideviceinfo_dump_make_one_phone() {
    let (json, _) = diagnose(
        &[
            "--from",
            "fixtures/realdata/usbmuxd_openwrt_v111_start_partial.txt",
            "--from",
            "fixtures/realdata/ideviceinfo_iPhone12-x_iOS13.1_unactivated_partial.txt",
        ],
        None,
    );
    let devices = json["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1, "{json}");
    assert_eq!(
        devices[0]["udid"],
        "78bd29e6f395d2fc6489d2b68c36a45cfd7e8928"
    );
    let phones = json["snapshot"]["probes"]["devices"].as_array().unwrap();
    assert_eq!(phones.len(), 1, "{phones:?}");
    assert_eq!(json["findings"][0]["id"], "device.setup-incomplete");
    assert_eq!(
        json["findings"][0]["device"],
        "78bd29e6f395d2fc6489d2b68c36a45cfd7e8928"
    );
}
