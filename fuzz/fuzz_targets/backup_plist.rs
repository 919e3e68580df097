//! Plist files as found in a backup folder (Info.plist, Status.plist,
//! Manifest.plist; MBFile blobs of Manifest.db), XML or binary: the
//! previous-backups scanner that reads them, and the bounded reader the
//! other probes use.
#![no_main]

use iphone_backup_check::plist_bounded::{parse_plist, scan, scan_binary, Seg};
use iphone_backup_check::probe::backups::mbfile::mbfile_size;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Keep the top levels, as the metadata readers do for their keys.
    let want = |p: &[Seg]| p.len() <= 3;
    let _ = scan(data, &want);
    let _ = scan_binary(data, &want);
    let _ = parse_plist(data);
    let _ = mbfile_size(data);
});
