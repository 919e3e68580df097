//! The causes and fixes the two seed articles name (paraphrased), each mapped
//! to the stable rule ids and `explain` entry keys that cover it.

/// Seed 000: "Stuck on backing up iPhone".
pub const SEED_STUCK: &str = "seeds/000_9c44ea4724031446.txt";
/// Seed 001: "iPhone backup not working".
pub const SEED_NOT_WORKING: &str = "seeds/001_f17f4578f639ffc2.txt";

/// (the cause as the seed words it, paraphrased; seed file; rule ids or entry keys)
pub const SEED_CAUSES: &[(&str, &str, &[&str])] = &[
    // --- seed 000 ---------------------------------------------------------
    (
        "damaged USB cable or unstable connection interrupts the backup",
        SEED_STUCK,
        &["usb.slow-link", "connection.unstable", "cable-or-port"],
    ),
    (
        "try another USB port or cable",
        SEED_STUCK,
        &["cable-or-port"],
    ),
    (
        "avoid USB hubs, plug in directly",
        SEED_STUCK,
        &["usb.hub", "usb-hub"],
    ),
    (
        "debris or damage in the Lightning / USB-C port",
        SEED_STUCK,
        &["port-debris", "connection.unstable"],
    ),
    (
        "outdated software on the iPhone or the computer",
        SEED_STUCK,
        &[
            "device.ios-outdated",
            "host.os-outdated",
            "software-outdated",
        ],
    ),
    (
        "restart both the iPhone and the computer",
        SEED_STUCK,
        &["restart-both"],
    ),
    (
        "update iOS, macOS (App Store) and Windows",
        SEED_STUCK,
        &["software-outdated"],
    ),
    (
        "Trust This Computer prompt skipped or dismissed",
        SEED_STUCK,
        &[
            "trust.not-paired",
            "trust.dialog-pending",
            "trust.denied",
            "trust-this-computer",
        ],
    ),
    (
        "Reset Location & Privacy to clear corrupted permissions",
        SEED_STUCK,
        &["reset-location-privacy", "trust.reset-on-device"],
    ),
    (
        "turn iCloud Backup off temporarily during the computer backup",
        SEED_STUCK,
        &["icloud.backup-enabled", "icloud-backup-conflict"],
    ),
    (
        "backup halts at a percentage",
        SEED_STUCK,
        &["backup-stuck", "backup.unfinished"],
    ),
    // --- seed 001 ---------------------------------------------------------
    (
        "iCloud storage too small (5 GB free per account)",
        SEED_NOT_WORKING,
        &["icloud.backup-enabled", "icloud-storage-full"],
    ),
    (
        "computer lacks free space for the iTunes / Finder backup",
        SEED_NOT_WORKING,
        &["host.disk-space", "itunes-not-enough-space"],
    ),
    (
        "weak or intermittent Wi-Fi for iCloud backup",
        SEED_NOT_WORKING,
        &["wifi-unstable"],
    ),
    (
        "outdated iOS, iTunes or macOS; software bugs",
        SEED_NOT_WORKING,
        &[
            "device.ios-outdated",
            "host.os-outdated",
            "software-outdated",
        ],
    ),
    (
        "Screen Time, parental controls or privacy settings restrict backups",
        SEED_NOT_WORKING,
        &["device.restricted", "screen-time-restrictions"],
    ),
    (
        "restart the iPhone and the computer",
        SEED_NOT_WORKING,
        &["restart-both"],
    ),
    (
        "sign out of iCloud / the Apple Account and back in",
        SEED_NOT_WORKING,
        &["apple-account-sign-in"],
    ),
    (
        "use a third-party backup tool (iMazing, Dr.Fone, AnyTrans)",
        SEED_NOT_WORKING,
        &["third-party-tools"],
    ),
    (
        "faulty cable; try another USB port",
        SEED_NOT_WORKING,
        &["cable-or-port"],
    ),
    (
        "unlock the iPhone and confirm the prompts it shows",
        SEED_NOT_WORKING,
        &["device.locked", "trust-this-computer"],
    ),
    (
        "backup takes too long: other apps busy, little disk space",
        SEED_NOT_WORKING,
        &["backup-stuck", "host.backup-in-progress", "host.disk-space"],
    ),
    (
        "note the exact error message and look it up",
        SEED_NOT_WORKING,
        &["itunes-backup-error-occurred"],
    ),
];
