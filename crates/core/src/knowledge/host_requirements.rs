//! The oldest computer OS that can back up a phone on a given iOS major, for
//! `host.os-outdated`. Reference data with its sources.
//!
//! # Sources
//!
//! * **Host requirements** (table 2): Apple's iPhone tech-specs text
//!   "Syncing with iTunes on a Mac or PC requires" / "Syncing to a Mac or PC
//!   requires". Apple's own pages were not reachable from here; the text was
//!   read as verbatim quotes in public data files (store listings): for
//!   iPhone X (Apple page <https://support.apple.com/kb/SP770>), iPhone 14
//!   Pro Max and iPhone 16. Background: <https://en.wikipedia.org/wiki/ITunes>
//!   (Finder replaced iTunes for device management from macOS Catalina
//!   10.15; the current iTunes for Windows needs Windows 10 or 11; Apple
//!   Devices is the Windows successor) and the TechSpot report copied at
//!   <https://thedailypost.org/?p=113180> (Apple Devices available to
//!   Windows 10 and 11 users; iTunes stays for PCs that cannot run it).
//!
//! # What could not be verified
//!
//! * The oldest macOS / Windows for iOS 26 and iOS 27: no spec text found.
//!   `host_requirement(26)` and `(27)` fall back to the iOS 18 row, which
//!   is a floor (a host older than it is certainly too old), not a promise
//!   that a host at that level works.

/// The oldest computer OS that can back up a phone running `ios_major`.
///
/// A floor: a host below it is too old for that iOS; a host at or above it
/// may still need its device support updated (Apple ships that through
/// Software Update on macOS and with iTunes / Apple Devices on Windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostRequirement {
    pub ios_major: u32,
    /// macOS product version (`10.13`, `14.6`), Finder or iTunes.
    pub macos_min: Option<&'static str>,
    /// Windows marketing version (`7`, `10`, `11`), not the NT version.
    pub windows_min: Option<&'static str>,
    pub note: &'static str,
    pub source: &'static str,
}

/// Sorted by `ios_major`, one row per major that has a sourced requirement.
pub static HOST_REQUIREMENTS: &[HostRequirement] = &[
    // source: iPhone X tech specs (shipped with iOS 11)
    HostRequirement {
        ios_major: 11,
        macos_min: Some("10.10.5"),
        windows_min: Some("7"),
        note: "iTunes 12.7 or later on OS X 10.10.5 or later, or on Windows 7 or later",
        source: "Apple iPhone X tech specs, https://support.apple.com/kb/SP770: \
                 'Syncing with iTunes on a Mac or PC requires: Mac: OS X 10.10.5 or later; \
                 PC: Windows 7 or later; iTunes 12.7 or later' (read as a verbatim quote \
                 in public listing data)",
    },
    // source: iPhone 14 Pro Max tech specs (shipped with iOS 16)
    HostRequirement {
        ios_major: 16,
        macos_min: Some("10.11.6"),
        windows_min: Some("7"),
        note: "Finder on macOS 10.15 or later; iTunes 12.8 or later on OS X 10.11.6 through \
               macOS 10.14.6; iTunes 12.10.10 or later on Windows 7 or later",
        source: "Apple iPhone 14 Pro Max tech specs, 'Syncing to a Mac or PC requires: macOS \
                 Catalina 10.15 or later using the Finder, macOS El Capitan 10.11.6 through \
                 macOS Mojave 10.14.6 using iTunes 12.8 or later, Windows 7 or later using \
                 iTunes 12.10.10 or later' (read as a verbatim quote in public listing data)",
    },
    // source: iPhone 16 tech specs (shipped with iOS 18)
    HostRequirement {
        ios_major: 18,
        macos_min: Some("10.13"),
        windows_min: Some("10"),
        note: "Finder on macOS 10.15 or later; iTunes 12.9 or later on macOS 10.13 through \
               10.14.6; iTunes 12.12.10 or later (or Apple Devices) on Windows 10 or later. \
               Also the floor for iOS 26 and 27, for which no requirement was found",
        source: "Apple iPhone 16 tech specs, 'Syncing to a Mac or PC requires: macOS Catalina \
                 10.15 or later using the Finder, macOS High Sierra 10.13 to macOS Mojave \
                 10.14.6 using iTunes 12.9 or later, Windows 10 or later using iTunes 12.12.10 \
                 or later' (read as a verbatim quote in public listing data); \
                 https://en.wikipedia.org/wiki/ITunes (current iTunes for Windows: Windows 10 \
                 and 11)",
    },
];

/// The requirement row for `ios_major`, or for the nearest lower major that
/// has one. `None` below the oldest row.
pub fn host_requirement(ios_major: u32) -> Option<&'static HostRequirement> {
    HOST_REQUIREMENTS
        .iter()
        .filter(|r| r.ios_major <= ios_major)
        .max_by_key(|r| r.ios_major)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::compare_versions;
    use std::cmp::Ordering;

    #[test]
    fn every_host_row_has_a_source_and_sane_values() {
        assert!(!HOST_REQUIREMENTS.is_empty());
        for r in HOST_REQUIREMENTS {
            assert!(!r.source.trim().is_empty(), "iOS {}", r.ios_major);
            assert!(!r.note.trim().is_empty(), "iOS {}", r.ios_major);
            assert!(
                r.macos_min.is_some() || r.windows_min.is_some(),
                "iOS {}",
                r.ios_major
            );
        }
    }

    #[test]
    fn host_rows_are_sorted_unique_and_never_relax() {
        for w in HOST_REQUIREMENTS.windows(2) {
            assert!(w[0].ios_major < w[1].ios_major);
            if let (Some(a), Some(b)) = (w[0].macos_min, w[1].macos_min) {
                assert_ne!(
                    compare_versions(b, a),
                    Ordering::Less,
                    "macOS floor went down"
                );
            }
            if let (Some(a), Some(b)) = (w[0].windows_min, w[1].windows_min) {
                assert_ne!(
                    compare_versions(b, a),
                    Ordering::Less,
                    "Windows floor went down"
                );
            }
        }
    }

    #[test]
    fn host_requirement_exact_and_nearest_lower() {
        assert_eq!(host_requirement(18).unwrap().ios_major, 18);
        assert_eq!(host_requirement(16).unwrap().ios_major, 16);
        assert_eq!(host_requirement(17).unwrap().ios_major, 16);
        assert_eq!(host_requirement(26).unwrap().ios_major, 18);
        assert_eq!(host_requirement(27).unwrap().ios_major, 18);
        assert_eq!(host_requirement(u32::MAX).unwrap().ios_major, 18);
        assert_eq!(host_requirement(12).unwrap().ios_major, 11);
        assert!(host_requirement(10).is_none());
        assert!(host_requirement(0).is_none());

        let r = host_requirement(27).unwrap();
        assert_eq!(r.macos_min, Some("10.13"));
        assert_eq!(r.windows_min, Some("10"));
        // A Sierra Mac is below the floor for a current phone; Sonoma is not.
        assert_eq!(
            compare_versions("10.12.6", r.macos_min.unwrap()),
            Ordering::Less
        );
        assert_ne!(
            compare_versions("14.6.1", r.macos_min.unwrap()),
            Ordering::Less
        );
    }
}
