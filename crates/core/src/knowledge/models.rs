//! Which iOS a phone (or iPad) model can run at most, for
//! `device.ios-outdated`. Reference data with its sources.
//!
//! # Sources
//!
//! Everything here was read from stored copies of public material on
//! 2026-11-26. Where no source could be found the entry is left out, never
//! guessed.
//!
//! * **appledb** — <https://github.com/littlebyteorg/appledb>
//!   * `deviceFiles/iPhone/<ProductType>.json` and `deviceFiles/iPad/…`:
//!     ProductType → marketing name for the newer models (iPhone17,x,
//!     iPhone18,x, iPhone19,x and the iPads).
//!   * `osFiles/iOS/…/<build>.json`: each build's `version`, `released` date
//!     and `deviceMap` (the models it installs on). The builds used:
//!     `24x - 27.x/24A446` (iOS 27.0.1, 2026-09-28, iPhone12,1 and later),
//!     `23x - 26.x/23H30` (iOS 26.7.1, 2026-09-28),
//!     `22x - 18.x/22H374` (iOS 18.7.10, 2026-08-17, iPhone XS/XS Max/XR only),
//!     `20x - 16.x/20H392` (iOS 16.7.16, 2026-05-11, iPhone 8/8 Plus/X only),
//!     `19x - 15.x/19H422` (iOS 15.8.8, 2026-05-11, iPhone 6s/6s Plus/SE/7/7 Plus),
//!     `16x - 12.x/16H88` (iOS 12.5.8, 2026-01-26, iPhone 5s/6/6 Plus).
//!     Each of these is the highest build of its train in the stored
//!     history; a later point release may exist that the copy does not have.
//!   * `osFiles/iPadOS/…`: `24A446` (iPadOS 27.0.1), `23H30` (iPadOS 26.7.1),
//!     `22H374` (iPadOS 18.7.10, iPad (7th generation) only).
//!   * The release notes those build files point to are Apple's:
//!     <https://support.apple.com/149076> (iOS 27), <https://support.apple.com/123075>
//!     (iOS 26), <https://support.apple.com/121161> (iOS 18),
//!     <https://support.apple.com/101566> (iOS 16), <https://support.apple.com/108051>
//!     (iOS 15), <https://support.apple.com/118387> (iOS 12).
//! * **endoflife.date** — <https://endoflife.date/api/v1/products/ios>
//!   (generated 2026-09-29): iOS 27 released 2026-09-14, latest 27.0.1 of
//!   2026-09-28; iOS 26 latest 26.7.1; iOS 18 latest 18.7.10 of 2026-08-17.
//!   Agrees with appledb.
//! * **iOS 27 dropped no iPhone** (iPhone 11 and SE 2 still supported):
//!   <https://en.wedoany.com/shortnews/226619.html> and
//!   <https://wwdc2026.biolatti.it/en/ios-27-compatibilita-iphone-11-nessun-drop.html>
//!   (citing TechCrunch), confirmed by the `deviceMap` of appledb's 24A446.
//!   (Pre-WWDC rumours that iOS 27 would drop the iPhone 11 were wrong.)
//! * **ProductType → name** for older models:
//!   <https://github.com/KHwang9883/MobileModels/blob/master/brands/apple_en.md>
//!   (iPhone5s … iPhone SE 2, iPads up to iPad Air 4 / iPad Pro 4th gen) and
//!   <https://github.com/kevin062397/AppleDeviceIdentifier> (links each name
//!   to Apple's tech-specs page, e.g. <https://support.apple.com/kb/SP770>).
//!   Names of iPhone12,x … iPhone17,x and of the 2021–2025 iPads agree
//!   across several public identifier tables (theiphonewiki-derived) and
//!   appledb's device files; iPad12,x, iPad13,16–19 and iPad14,1–6 also in
//!   <https://github.com/marchv/UIScreenExtension/releases/tag/0.0.11>.
//! # What could not be verified
//!
//! * The oldest macOS / Windows for iOS 26 and iOS 27: no spec text found.
//!   `host_requirement(26)` and `(27)` fall back to the iOS 18 row, which
//!   is a floor (a host older than it is certainly too old), not a promise
//!   that a host at that level works.
//! * The exact Windows 10 build the Apple Devices app needs (22H2 / 19045
//!   is commonly quoted) — not found in any stored source, so not recorded.
//! * iOS 27.1: only betas (24B50xx) were in the stored appledb copy.
//! * iPhone19,4 ("iPhone Duo" in appledb, released 2026-10-23): a single
//!   source, absent from the iOS 27.0.1 device list; left out.

/// Latest public iOS release that could be sourced: iOS 27.0.1, build
/// 24A446, released 2026-09-28 (appledb `osFiles/iOS/24x - 27.x/24A446.json`;
/// endoflife.date). iPadOS 27.0.1 shares the build.
pub const LATEST_IOS: &str = "27.0.1";

/// The highest iOS a model can install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IosMax {
    /// Still supported: it gets [`LATEST_IOS`].
    Current,
    /// Dropped by later majors: the last release known for it. For a major
    /// that still gets security updates this may be overtaken later.
    Frozen(&'static str),
}

impl IosMax {
    /// The version string this model can reach.
    pub fn version(self) -> &'static str {
        match self {
            IosMax::Current => LATEST_IOS,
            IosMax::Frozen(v) => v,
        }
    }
}

/// One hardware model, keyed by lockdownd's `ProductType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelInfo {
    pub product_type: &'static str,
    pub name: &'static str,
    pub max_ios: IosMax,
}

const fn m(product_type: &'static str, name: &'static str, max_ios: IosMax) -> ModelInfo {
    ModelInfo {
        product_type,
        name,
        max_ios,
    }
}

use IosMax::{Current, Frozen};

// Last releases of the frozen trains, each from appledb's highest build of
// that train (see the module docs for build numbers and dates).
const IOS_12_LAST: IosMax = Frozen("12.5.8"); // 16H88, 2026-01-26
const IOS_15_LAST: IosMax = Frozen("15.8.8"); // 19H422, 2026-05-11
const IOS_16_LAST: IosMax = Frozen("16.7.16"); // 20H392, 2026-05-11
const IOS_18_LAST: IosMax = Frozen("18.7.10"); // 22H374, 2026-08-17
const IPADOS_26_LAST: IosMax = Frozen("26.7.1"); // 23H30, 2026-09-28

/// Every model the tables know, iPhones first, then iPads.
#[rustfmt::skip]
pub static MODELS: &[ModelInfo] = &[
    // --- iPhones whose last major is iOS 12 ---
    // source: names MobileModels apple_en.md; max appledb 16H88 deviceMap (12.5.8)
    m("iPhone6,1", "iPhone 5s", IOS_12_LAST),
    m("iPhone6,2", "iPhone 5s", IOS_12_LAST),
    m("iPhone7,2", "iPhone 6", IOS_12_LAST),
    m("iPhone7,1", "iPhone 6 Plus", IOS_12_LAST),
    // --- last major iOS 15 ---
    // source: names MobileModels apple_en.md; max appledb 19H422 deviceMap (15.8.8)
    m("iPhone8,1", "iPhone 6s", IOS_15_LAST),
    m("iPhone8,2", "iPhone 6s Plus", IOS_15_LAST),
    m("iPhone8,4", "iPhone SE (1st generation)", IOS_15_LAST),
    m("iPhone9,1", "iPhone 7", IOS_15_LAST),
    m("iPhone9,3", "iPhone 7", IOS_15_LAST),
    m("iPhone9,2", "iPhone 7 Plus", IOS_15_LAST),
    m("iPhone9,4", "iPhone 7 Plus", IOS_15_LAST),
    // --- last major iOS 16 ---
    // source: names MobileModels apple_en.md; max appledb 20H392 deviceMap (16.7.16)
    m("iPhone10,1", "iPhone 8", IOS_16_LAST),
    m("iPhone10,4", "iPhone 8", IOS_16_LAST),
    m("iPhone10,2", "iPhone 8 Plus", IOS_16_LAST),
    m("iPhone10,5", "iPhone 8 Plus", IOS_16_LAST),
    m("iPhone10,3", "iPhone X", IOS_16_LAST),
    m("iPhone10,6", "iPhone X", IOS_16_LAST),
    // --- last major iOS 18 (iOS 26 dropped them) ---
    // source: names MobileModels apple_en.md / AppleDeviceIdentifier;
    // max appledb 22H374 deviceMap (18.7.10); absent from 23H30 (26.7.1)
    m("iPhone11,2", "iPhone XS", IOS_18_LAST),
    m("iPhone11,4", "iPhone XS Max", IOS_18_LAST),
    m("iPhone11,6", "iPhone XS Max", IOS_18_LAST),
    m("iPhone11,8", "iPhone XR", IOS_18_LAST),
    // --- current: every iPhone in appledb 24A446 (iOS 27.0.1) deviceMap ---
    // source: names MobileModels apple_en.md (11 family, SE 2)
    m("iPhone12,1", "iPhone 11", Current),
    m("iPhone12,3", "iPhone 11 Pro", Current),
    m("iPhone12,5", "iPhone 11 Pro Max", Current),
    m("iPhone12,8", "iPhone SE (2nd generation)", Current),
    // source: names from public identifier tables (theiphonewiki-derived), appledb deviceFiles
    m("iPhone13,1", "iPhone 12 mini", Current),
    m("iPhone13,2", "iPhone 12", Current),
    m("iPhone13,3", "iPhone 12 Pro", Current),
    m("iPhone13,4", "iPhone 12 Pro Max", Current),
    m("iPhone14,4", "iPhone 13 mini", Current),
    m("iPhone14,5", "iPhone 13", Current),
    m("iPhone14,2", "iPhone 13 Pro", Current),
    m("iPhone14,3", "iPhone 13 Pro Max", Current),
    m("iPhone14,6", "iPhone SE (3rd generation)", Current),
    m("iPhone14,7", "iPhone 14", Current),
    m("iPhone14,8", "iPhone 14 Plus", Current),
    m("iPhone15,2", "iPhone 14 Pro", Current),
    m("iPhone15,3", "iPhone 14 Pro Max", Current),
    m("iPhone15,4", "iPhone 15", Current),
    m("iPhone15,5", "iPhone 15 Plus", Current),
    m("iPhone16,1", "iPhone 15 Pro", Current),
    m("iPhone16,2", "iPhone 15 Pro Max", Current),
    m("iPhone17,1", "iPhone 16 Pro", Current),
    m("iPhone17,2", "iPhone 16 Pro Max", Current),
    m("iPhone17,3", "iPhone 16", Current),
    m("iPhone17,4", "iPhone 16 Plus", Current),
    m("iPhone17,5", "iPhone 16e", Current),
    // source: appledb deviceFiles/iPhone/iPhone18,1..18,5.json
    m("iPhone18,1", "iPhone 17 Pro", Current),
    m("iPhone18,2", "iPhone 17 Pro Max", Current),
    m("iPhone18,3", "iPhone 17", Current),
    m("iPhone18,4", "iPhone Air", Current),
    m("iPhone18,5", "iPhone 17e", Current),
    // source: appledb deviceFiles/iPhone/iPhone19,2.json, iPhone19,7.json (released
    // 2026-09-18); iPhone19,3 is named "iPhone 19 Pro Max" in the stored appledb
    // file, but 19,7 ("iPhone 18 Pro Max (Global)") uses it as its image key and
    // another public table maps 19,3 to "iPhone 18 Pro Max"
    m("iPhone19,2", "iPhone 18 Pro", Current),
    m("iPhone19,3", "iPhone 18 Pro Max", Current),
    m("iPhone19,7", "iPhone 18 Pro Max", Current),
    // --- iPads (iPadOS shares iOS version numbers) ---
    // source: name MobileModels / AppleDeviceIdentifier; max appledb iPadOS 22H374 (18.7.10)
    m("iPad7,11", "iPad (7th generation)", IOS_18_LAST),
    m("iPad7,12", "iPad (7th generation)", IOS_18_LAST),
    // source: names MobileModels apple_en.md; in appledb iPadOS 23H30 (26.7.1)
    // but not in 24A446 (27.0.1), so their last major is iPadOS 26
    m("iPad8,1", "iPad Pro (11-inch)", IPADOS_26_LAST),
    m("iPad8,2", "iPad Pro (11-inch)", IPADOS_26_LAST),
    m("iPad8,3", "iPad Pro (11-inch)", IPADOS_26_LAST),
    m("iPad8,4", "iPad Pro (11-inch)", IPADOS_26_LAST),
    m("iPad8,5", "iPad Pro (12.9-inch, 3rd generation)", IPADOS_26_LAST),
    m("iPad8,6", "iPad Pro (12.9-inch, 3rd generation)", IPADOS_26_LAST),
    m("iPad8,7", "iPad Pro (12.9-inch, 3rd generation)", IPADOS_26_LAST),
    m("iPad8,8", "iPad Pro (12.9-inch, 3rd generation)", IPADOS_26_LAST),
    m("iPad11,1", "iPad mini (5th generation)", IPADOS_26_LAST),
    m("iPad11,2", "iPad mini (5th generation)", IPADOS_26_LAST),
    m("iPad11,3", "iPad Air (3rd generation)", IPADOS_26_LAST),
    m("iPad11,4", "iPad Air (3rd generation)", IPADOS_26_LAST),
    m("iPad11,6", "iPad (8th generation)", IPADOS_26_LAST),
    m("iPad11,7", "iPad (8th generation)", IPADOS_26_LAST),
    // --- current iPads: every iPad in appledb iPadOS 24A446 (27.0.1) deviceMap ---
    // source: names MobileModels apple_en.md
    m("iPad8,9", "iPad Pro (11-inch, 2nd generation)", Current),
    m("iPad8,10", "iPad Pro (11-inch, 2nd generation)", Current),
    m("iPad8,11", "iPad Pro (12.9-inch, 4th generation)", Current),
    m("iPad8,12", "iPad Pro (12.9-inch, 4th generation)", Current),
    m("iPad13,1", "iPad Air (4th generation)", Current),
    m("iPad13,2", "iPad Air (4th generation)", Current),
    // source: names from public identifier tables (theiphonewiki-derived;
    // marchv/UIScreenExtension release 0.0.11 for iPad12,x 13,16-19 14,1-6),
    // identifiers present in appledb deviceFiles/iPad
    m("iPad12,1", "iPad (9th generation)", Current),
    m("iPad12,2", "iPad (9th generation)", Current),
    m("iPad13,4", "iPad Pro 11-inch (3rd generation)", Current),
    m("iPad13,5", "iPad Pro 11-inch (3rd generation)", Current),
    m("iPad13,6", "iPad Pro 11-inch (3rd generation)", Current),
    m("iPad13,7", "iPad Pro 11-inch (3rd generation)", Current),
    m("iPad13,8", "iPad Pro 12.9-inch (5th generation)", Current),
    m("iPad13,9", "iPad Pro 12.9-inch (5th generation)", Current),
    m("iPad13,10", "iPad Pro 12.9-inch (5th generation)", Current),
    m("iPad13,11", "iPad Pro 12.9-inch (5th generation)", Current),
    m("iPad13,16", "iPad Air (5th generation)", Current),
    m("iPad13,17", "iPad Air (5th generation)", Current),
    m("iPad13,18", "iPad (10th generation)", Current),
    m("iPad13,19", "iPad (10th generation)", Current),
    m("iPad14,1", "iPad mini (6th generation)", Current),
    m("iPad14,2", "iPad mini (6th generation)", Current),
    m("iPad14,3", "iPad Pro 11-inch (4th generation)", Current),
    m("iPad14,4", "iPad Pro 11-inch (4th generation)", Current),
    m("iPad14,5", "iPad Pro 12.9-inch (6th generation)", Current),
    m("iPad14,6", "iPad Pro 12.9-inch (6th generation)", Current),
    m("iPad14,8", "iPad Air 11-inch (M2)", Current),
    m("iPad14,9", "iPad Air 11-inch (M2)", Current),
    m("iPad14,10", "iPad Air 13-inch (M2)", Current),
    m("iPad14,11", "iPad Air 13-inch (M2)", Current),
    m("iPad15,3", "iPad Air 11-inch (M3)", Current),
    m("iPad15,4", "iPad Air 11-inch (M3)", Current),
    m("iPad15,5", "iPad Air 13-inch (M3)", Current),
    m("iPad15,6", "iPad Air 13-inch (M3)", Current),
    m("iPad15,7", "iPad (A16)", Current),
    m("iPad15,8", "iPad (A16)", Current),
    m("iPad16,1", "iPad mini (A17 Pro)", Current),
    m("iPad16,2", "iPad mini (A17 Pro)", Current),
    m("iPad16,3", "iPad Pro 11-inch (M4)", Current),
    m("iPad16,4", "iPad Pro 11-inch (M4)", Current),
    m("iPad16,5", "iPad Pro 13-inch (M4)", Current),
    m("iPad16,6", "iPad Pro 13-inch (M4)", Current),
    m("iPad16,8", "iPad Air 11-inch (M4)", Current),
    m("iPad16,9", "iPad Air 11-inch (M4)", Current),
    m("iPad16,10", "iPad Air 13-inch (M4)", Current),
    m("iPad16,11", "iPad Air 13-inch (M4)", Current),
    m("iPad17,1", "iPad Pro 11-inch (M5)", Current),
    m("iPad17,2", "iPad Pro 11-inch (M5)", Current),
    m("iPad17,3", "iPad Pro 13-inch (M5)", Current),
    m("iPad17,4", "iPad Pro 13-inch (M5)", Current),
];

/// The model with this `ProductType` (exact, case-sensitive, surrounding
/// whitespace ignored), if the table knows it.
pub fn model(product_type: &str) -> Option<&'static ModelInfo> {
    let wanted = product_type.trim();
    MODELS.iter().find(|m| m.product_type == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::{compare_versions, major};
    use std::cmp::Ordering;
    use std::collections::HashSet;

    #[test]
    fn known_models_resolve() {
        let x = model("iPhone10,3").unwrap();
        assert_eq!(x.name, "iPhone X");
        assert_eq!(x.max_ios, Frozen("16.7.16"));

        assert_eq!(model("iPhone14,2").unwrap().name, "iPhone 13 Pro");
        assert_eq!(model("iPhone15,2").unwrap().name, "iPhone 14 Pro");
        assert_eq!(model("iPhone17,5").unwrap().name, "iPhone 16e");
        assert_eq!(model("iPhone18,4").unwrap().name, "iPhone Air");
        assert_eq!(model(" iPhone12,1\n").unwrap().name, "iPhone 11");

        assert_eq!(model("iPhone6,1").unwrap().max_ios.version(), "12.5.8");
        assert_eq!(model("iPhone8,4").unwrap().max_ios.version(), "15.8.8");
        assert_eq!(model("iPhone9,3").unwrap().max_ios.version(), "15.8.8");
        assert_eq!(model("iPad7,12").unwrap().max_ios.version(), "18.7.10");
        assert_eq!(model("iPad11,6").unwrap().max_ios.version(), "26.7.1");
    }

    #[test]
    fn ios_26_dropped_xs_and_xr_but_27_kept_the_11() {
        for pt in ["iPhone11,2", "iPhone11,4", "iPhone11,6", "iPhone11,8"] {
            assert_eq!(model(pt).unwrap().max_ios, Frozen("18.7.10"), "{pt}");
        }
        for pt in [
            "iPhone12,1",
            "iPhone12,3",
            "iPhone12,5",
            "iPhone12,8",
            "iPhone18,1",
        ] {
            let info = model(pt).unwrap();
            assert_eq!(info.max_ios, Current, "{pt}");
            assert_eq!(info.max_ios.version(), LATEST_IOS);
        }
    }

    #[test]
    fn unknown_and_junk_product_types_are_none() {
        for pt in [
            "",
            "iPhone",
            "iPhone99,9",
            "iphone10,3",
            "Watch6,1",
            "iPhone10,3x",
        ] {
            assert!(model(pt).is_none(), "{pt:?}");
        }
    }

    #[test]
    fn no_duplicate_product_types() {
        let mut seen = HashSet::new();
        for m in MODELS {
            assert!(seen.insert(m.product_type), "duplicate {}", m.product_type);
        }
    }

    #[test]
    fn every_model_row_is_well_formed() {
        for m in MODELS {
            assert!(
                m.product_type.starts_with("iPhone") || m.product_type.starts_with("iPad"),
                "{}",
                m.product_type
            );
            assert!(m.product_type.contains(','), "{}", m.product_type);
            assert!(!m.name.trim().is_empty(), "{}", m.product_type);
            if let Frozen(v) = m.max_ios {
                assert_eq!(v.split('.').count(), 3, "{}: {v}", m.product_type);
                assert_eq!(
                    compare_versions(v, LATEST_IOS),
                    Ordering::Less,
                    "{}: frozen {v} is not below the latest",
                    m.product_type
                );
            }
        }
    }

    #[test]
    fn latest_ios_is_sane() {
        assert_eq!(major(LATEST_IOS), Some(27));
        assert_eq!(compare_versions(LATEST_IOS, "26.7.1"), Ordering::Greater);
    }
}
