//! The `explain` database. Every entry is written in this tool's own words and
//! cites public sources only: http(s) URLs a reader can open (for a capture of
//! a real phone, the issue or page it was published in).

use std::sync::OnceLock;

use super::entry::Entry;

// --- sources used more than once ------------------------------------------

const APPLE_TRUST: &str = "https://support.apple.com/en-us/HT202778";
const SEED_STUCK: &str = "https://imba.missouri.edu/stuck-on-backing-up-iphone-3108674981.html";
const SEED_NOT_WORKING: &str = "https://hometechguides.com/iphone-backup-not-working";
const LOCKDOWN_H: &str = "https://github.com/libimobiledevice/libimobiledevice/blob/fa0f79190142bc309307967c058f89c1b36eb6b8/include/libimobiledevice/lockdown.h";
const LOCKDOWN_H_117: &str =
    "https://github.com/libimobiledevice/libimobiledevice/blob/1.1.7/include/libimobiledevice/lockdown.h";
const LOCKDOWN_C: &str = "https://github.com/libimobiledevice/libimobiledevice/blob/fa0f79190142bc309307967c058f89c1b36eb6b8/src/lockdown.c";
const IDEVICEPAIR_C: &str = "https://github.com/libimobiledevice/libimobiledevice/blob/fa0f79190142bc309307967c058f89c1b36eb6b8/tools/idevicepair.c";
const IDEVICEBACKUP2_C: &str = "https://github.com/libimobiledevice/libimobiledevice/blob/fa0f79190142bc309307967c058f89c1b36eb6b8/tools/idevicebackup2.c";
const MOBILEBACKUP2_H: &str = "https://github.com/libimobiledevice/libimobiledevice/blob/fa0f79190142bc309307967c058f89c1b36eb6b8/include/libimobiledevice/mobilebackup2.h";
const AMD_TABLE: &str = "https://github.com/qt-creator/qt-creator/blob/86882018dd39205ba281d9edcd54008e0b9d4156/src/tools/iostool/iosdevicemanager.cpp";
const PMD3_EXCEPTIONS: &str = "https://github.com/doronz88/pymobiledevice3/blob/051ed4f47c2e24967483ec06f104fbc64952c780/pymobiledevice3/exceptions.py";
const ISSUE_PASSCODE_161: &str = "https://github.com/libimobiledevice/libimobiledevice/issues/1380";
const IOS_DEPLOY_ERRORS: &str = "https://github.com/ios-control/ios-deploy/blob/83f7d9ef97d03af42777965e80079f05332cc580/src/ios-deploy/errors.h";
const MOBILEBACKUP2_C: &str = "https://github.com/libimobiledevice/libimobiledevice/blob/fa0f79190142bc309307967c058f89c1b36eb6b8/src/mobilebackup2.c";
const IDEVICEBACKUP2_ERRNO: &str = "https://github.com/libimobiledevice/libimobiledevice/blob/fa0f79190142bc309307967c058f89c1b36eb6b8/tools/idevicebackup2.c#L949-L967";
const IDEVICEBACKUP2_RECV: &str = "https://github.com/libimobiledevice/libimobiledevice/blob/fa0f79190142bc309307967c058f89c1b36eb6b8/tools/idevicebackup2.c#L2507-L2514";
const PMD3_TROUBLESHOOTING: &str = "https://github.com/doronz88/pymobiledevice3/blob/62e2957a05442cd23abab6d6ea0e711b0cacd88d/docs/guides/troubleshooting.md";
const ISSUE_LIST_INFO_1224: &str =
    "https://github.com/libimobiledevice/libimobiledevice/issues/1224";

mod device_link;
mod finder_alerts;
mod host_codes;
mod lockdown;
mod mb_error;
mod mobiledevice;
mod seed_causes;
mod usbmuxd;

/// Every entry, in a stable order: the domains in the order below, each
/// file's entries in its own order.
pub fn all() -> &'static [Entry] {
    static ALL: OnceLock<Vec<Entry>> = OnceLock::new();
    ALL.get_or_init(|| {
        [
            finder_alerts::ENTRIES,
            mobiledevice::ENTRIES,
            lockdown::ENTRIES,
            usbmuxd::ENTRIES,
            mb_error::ENTRIES,
            host_codes::ENTRIES,
            device_link::ENTRIES,
            seed_causes::ENTRIES,
        ]
        .concat()
    })
}
