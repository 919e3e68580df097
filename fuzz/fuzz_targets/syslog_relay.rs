//! Bytes from `com.apple.syslog_relay`, in arbitrary chunks, through the
//! splitter and the backup-log reader `watch` uses, then the rules on the
//! result; nothing may panic and memory stays bounded.
#![no_main]

use libfuzzer_sys::fuzz_target;

use iphone_backup_check::phone_log::{BackupLogTracker, RelaySplitter, MAX_LINE};
use iphone_backup_check::snapshot::{BackupLogSource, DeviceObs, Outcome, Snapshot};

fuzz_target!(|data: &[u8]| {
    let mut splitter = RelaySplitter::new();
    let mut tracker = BackupLogTracker::new(BackupLogSource::Relay, 1000);
    // The first byte picks the chunk size.
    let size = usize::from(data.first().copied().unwrap_or(1)).max(1);
    for (i, chunk) in data.chunks(size).enumerate() {
        for line in splitter.push(chunk) {
            assert!(line.len() <= MAX_LINE + 3);
            tracker.line(&line, Some(i as u64 * 100), None);
        }
        let _ = tracker.check_stall(i as u64 * 100);
    }
    let mut s = Snapshot::new(Default::default());
    s.probes.devices.push(DeviceObs {
        udid: "U".into(),
        backup_log: Some(Outcome::Ok {
            duration_ms: 0,
            value: tracker.into_obs(),
        }),
        ..Default::default()
    });
    let _ = iphone_backup_check::rules::diagnose(&s, None);
});
