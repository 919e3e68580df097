//! Walks both seed articles (../shared/seeds): each heading or step they give is
//! looked up as written and must reach an `explain` entry for that cause.

use iphone_backup_check::knowledge::{by_key, lookup, SEED_CAUSES};

const STUCK: &str = "000_9c44ea4724031446.txt";
const NOT_WORKING: &str = "001_f17f4578f639ffc2.txt";

/// (seed file, text as it appears in the article, entries any of which must match)
const LINES: &[(&str, &str, &[&str])] = &[
    (STUCK, "Connectivity and Cable Issues", &["cable-or-port"]),
    (STUCK, "Try using a different USB port or cable.", &["cable-or-port"]),
    (STUCK, "Avoid using USB hubs; connect directly to the computer.", &["usb-hub"]),
    (STUCK, "Check for debris or damage in the Lightning or USB-C port.", &["port-debris"]),
    (STUCK, "Outdated software on either the iPhone or the computer can lead to compatibility issues.", &["software-outdated"]),
    (STUCK, "Restart Devices", &["restart-both"]),
    (STUCK, "Both the iPhone and the computer should be rebooted before attempting again.", &["restart-both"]),
    (STUCK, "Update Software", &["software-outdated"]),
    (STUCK, "For iPhone: Go to Settings > General > Software Update.", &["software-outdated"]),
    (STUCK, "For Mac: Open App Store and click Update.", &["software-outdated"]),
    (STUCK, "For PC: Check for Windows updates in Settings.", &["software-outdated"]),
    (STUCK, "Trust This Computer", &["trust-this-computer"]),
    (STUCK, "Reset Location & Privacy Settings", &["reset-location-privacy"]),
    (STUCK, "Select Reset Location & Privacy.", &["reset-location-privacy"]),
    (STUCK, "Disable iCloud Backup Temporarily", &["icloud-backup-conflict"]),
    (STUCK, "Navigate to Settings > [your name] > iCloud > iCloud Backup.", &["icloud-backup-conflict"]),
    (NOT_WORKING, "1. Insufficient Storage Space", &["icloud-storage-full", "itunes-not-enough-space"]),
    (NOT_WORKING, "Each Apple ID comes with 5GB of free iCloud storage", &["icloud-storage-full"]),
    (NOT_WORKING, "2. Internet Connectivity Issues", &["wifi-unstable"]),
    (NOT_WORKING, "If your Wi-Fi connection is weak or intermittent", &["wifi-unstable"]),
    (NOT_WORKING, "3. Software Bugs or Glitches", &["software-outdated"]),
    (NOT_WORKING, "4. iOS Restrictions and Settings", &["screen-time-restrictions"]),
    (NOT_WORKING, "Verify that your computer has sufficient storage space for the backup.", &["itunes-not-enough-space"]),
    (NOT_WORKING, "Step 2: Confirm Internet Connection", &["wifi-unstable"]),
    (NOT_WORKING, "Go to Settings > Wi-Fi and check your connection.", &["wifi-unstable"]),
    (NOT_WORKING, "Step 3: Update Software", &["software-outdated"]),
    (NOT_WORKING, "Step 4: Restart Devices", &["restart-both"]),
    (NOT_WORKING, "Step 5: Disable Restrictions", &["screen-time-restrictions"]),
    (NOT_WORKING, "If you have enabled parental controls or screen time restrictions, these may prevent backups.", &["screen-time-restrictions"]),
    (NOT_WORKING, "Solution 1: Sign Out and Sign Back into iCloud", &["apple-account-sign-in"]),
    (NOT_WORKING, "Solution 2: Use an Alternative Backup Tool", &["third-party-tools"]),
    (NOT_WORKING, "If you\u{2019}re continuously having trouble with iTunes or iCloud, consider third-party backup tools like iMazing or Dr.Fone.", &["third-party-tools"]),
];

fn seeds_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds")
}

#[test]
fn every_quoted_line_is_in_its_seed_article() {
    let dir = seeds_dir();
    if !dir.is_dir() {
        eprintln!("skipping: {} is not here", dir.display());
        return;
    }
    for (file, line, _) in LINES {
        let text = std::fs::read_to_string(dir.join(file)).expect("seed article readable");
        assert!(text.contains(line), "{file} does not contain {line:?}");
    }
}

#[test]
fn every_seed_line_reaches_an_entry_for_its_cause() {
    let mut failures = Vec::new();
    for (_, line, wanted) in LINES {
        let keys = lookup(line).keys();
        if !wanted.iter().any(|w| keys.contains(w)) {
            failures.push(format!("{line:?} -> {keys:?}, wanted one of {wanted:?}"));
        }
        for w in *wanted {
            assert!(by_key(w).is_some(), "no entry {w}");
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_seed_cause_table_names_both_articles() {
    for file in [STUCK, NOT_WORKING] {
        assert!(
            SEED_CAUSES.iter().any(|(_, seed, _)| seed.ends_with(file)),
            "{file}"
        );
    }
    let dir = seeds_dir();
    if dir.is_dir() {
        for (_, seed, _) in SEED_CAUSES {
            let name = seed.trim_start_matches("seeds/");
            assert!(dir.join(name).is_file(), "{seed}");
        }
    }
}
