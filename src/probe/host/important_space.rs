//! macOS: the free space Finder shows, which counts the APFS purgeable
//! space macOS frees on demand, as the "available capacity for important
//! usage" of the volume (`NSURLVolumeAvailableCapacityForImportantUsageKey`,
//! <https://developer.apple.com/documentation/foundation/urlresourcekey/checking_volume_storage_capacity>).
//! statvfs leaves that space out
//! (<https://github.com/doronz88/pymobiledevice3/issues/1769>), and
//! `diskutil info -plist` has no key for it (its `APFSContainerFree` leaves
//! purgeable space out too), so the figure comes from Foundation itself,
//! through `osascript`'s JavaScript bridge: a read of one resource value,
//! nothing written. Judging which figure matters is the core's job.

use std::time::Duration;

/// The system's own script runner; always present on macOS.
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
const OSASCRIPT: &str = "/usr/bin/osascript";

/// Prints the capacity for important usage of the volume holding the path
/// given as the script's argument, in bytes, or nothing when Foundation
/// cannot say. The path is an argument, never part of the script text.
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
const SCRIPT: &str = "function run(argv) { ObjC.import('Foundation'); \
     var v = Ref(); \
     var ok = $.NSURL.fileURLWithPath(argv[0]).getResourceValueForKeyError(v, 'NSURLVolumeAvailableCapacityForImportantUsageKey', null); \
     return ok ? String(ObjC.unwrap(v[0])) : ''; }";

/// osascript starts in well under a second; a Mac that needs longer is not
/// kept waiting on it.
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
const DEADLINE: Duration = Duration::from_secs(3);

/// The figure for the volume mounted at `mount_point` (the mount point, not
/// the backup folder: it needs no Full Disk Access). None when it cannot be
/// read; the statvfs figure then stands alone.
#[cfg(target_os = "macos")]
pub fn read(mount_point: &std::path::Path) -> Option<u64> {
    let path = mount_point.to_str()?;
    let args = ["-l", "JavaScript", "-e", SCRIPT, path];
    match super::bounded_command::run(OSASCRIPT, &args, DEADLINE) {
        Ok(out) => parse(&out),
        Err(e) => {
            tracing::debug!(error = %e, "available capacity for important usage unknown");
            None
        }
    }
}

/// The number the script printed: decimal digits only (anything else, such
/// as an empty answer or an error text, is no figure).
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
pub fn parse(out: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(out).ok()?.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_printed_number_only() {
        assert_eq!(parse(b"122386513920\n"), Some(122_386_513_920));
        assert_eq!(parse(b"\n"), None);
        assert_eq!(parse(b"1.2e+21\n"), None);
        assert_eq!(parse(b"-5\n"), None);
        assert_eq!(parse(b"execution error: Error: ReferenceError"), None);
        assert_eq!(parse(b"99999999999999999999999"), None, "overflow");
    }

    #[test]
    fn the_path_is_never_part_of_the_script() {
        assert!(SCRIPT.contains("argv[0]"));
        assert!(!SCRIPT.contains('"'), "one quoting style, no interpolation");
    }
}
