//! A backup's Manifest.db from any bytes (a SQLite file from outside, issue
//! 30): the previous-backups probe opens it read-only, immutable and
//! hardened, runs the quick check and the file count, and with `--deep` lists
//! every file it names and compares them with the folder. Whatever the bytes
//! are, it must end within its deadline, in bounded memory, without a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use iphone_backup_check::probe::backups::{probe, BackupsProbeOptions};
use libfuzzer_sys::fuzz_target;

/// One backup folder per fuzzing process, its Manifest.db rewritten per input.
fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let root = base.join(format!("ibc-fuzz-manifest-db-{}", std::process::id()));
        let one = root.join("00008110-001A2B3C4D5E6F70");
        std::fs::create_dir_all(one.join("0a")).unwrap();
        let plist = |inner: &str| {
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"1.0\"><dict>{inner}</dict></plist>")
        };
        std::fs::write(one.join("Info.plist"), plist("")).unwrap();
        std::fs::write(
            one.join("Status.plist"),
            plist("<key>SnapshotState</key><string>finished</string>"),
        )
        .unwrap();
        std::fs::write(one.join("Manifest.plist"), plist("<key>IsEncrypted</key><false/>")).unwrap();
        std::fs::write(one.join("0a/0a00000000000000000000000000000000000000"), b"x").unwrap();
        root
    })
}

fuzz_target!(|data: &[u8]| {
    let root = folder();
    let db = root.join("00008110-001A2B3C4D5E6F70/Manifest.db");
    if std::fs::write(&db, data).is_err() {
        return;
    }
    for deep in [false, true] {
        let opts = BackupsProbeOptions {
            deep,
            progress: false,
            deadline: Some(Instant::now() + Duration::from_secs(2)),
        };
        let _ = probe(root, &opts);
    }
});
