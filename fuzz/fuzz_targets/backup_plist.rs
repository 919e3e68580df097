//! Plist files as found in a backup folder (Info.plist, Status.plist,
//! Manifest.plist), XML or binary, through the product's bounded reader.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = iphone_backup_check::probe::plist_limits::parse_plist(data);
});
