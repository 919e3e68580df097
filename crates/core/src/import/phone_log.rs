//! A capture of the phone's log as `idevicesyslog` prints it (often with
//! `-p BackupAgent2`, as libimobiledevice's maintainers ask for:
//! <https://github.com/libimobiledevice/libimobiledevice/issues/1193>),
//! read into the phone's backup log. Recognised when it has syslog lines of
//! a backup process; only those are read, each cut at the relay's line cap.

use super::imported::{imported, phone};
use super::Capture;
use crate::phone_log::{BackupLogTracker, DEFAULT_STALL_MS, MAX_LINE};
use crate::snapshot::{BackupLogSource, DeviceObs, Outcome, Snapshot};

/// At most this many lines are read (a long capture has tens of thousands).
const MAX_LINES: usize = 200_000;

pub fn import(capture: &Capture) -> Option<Snapshot> {
    let name = &capture.name;
    let mut tracker = BackupLogTracker::new(BackupLogSource::Imported, DEFAULT_STALL_MS);
    let mut cut = 0;
    for l in capture.lines().take(MAX_LINES) {
        // The phone's log names the process in its syslog prefix.
        let text = l.log_line;
        let line = match text.char_indices().nth(MAX_LINE) {
            Some((i, _)) => {
                cut += 1;
                &text[..i]
            }
            None => text,
        };
        tracker.line(line, None, usize::try_from(l.number).ok());
    }
    tracker.add_cut(cut);
    let mut obs = tracker.into_obs();
    if obs.backup_lines == 0 {
        return None;
    }
    for e in &mut obs.events {
        e.file = Some(name.clone());
    }
    let notes = format!(
        "{} lines read, {} of backup processes, {} backup events",
        obs.lines_read,
        obs.backup_lines,
        obs.events.len()
    );
    let mut snapshot = imported("idevicesyslog capture", name, Some(notes));
    snapshot.probes.devices.push(DeviceObs {
        backup_log: Some(Outcome::Ok {
            duration_ms: 0,
            value: obs,
        }),
        ..phone()
    });
    Some(snapshot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::BackupEvent;

    fn read(text: &str, name: &str) -> Option<Snapshot> {
        import(&Capture::new(name, text.as_bytes()))
    }

    #[test]
    fn a_capture_becomes_the_phones_backup_log() {
        let s = read(
            "Nov 30 05:33:32 BackupAgent2[4308] <Notice>: Need extra space on host: 12265029274. Requesting host to purge now\n",
            "paste.txt",
        )
        .expect("recognised");
        let log = s.probes.devices[0].backup_log().expect("a log");
        assert_eq!(log.source, BackupLogSource::Imported);
        assert!(matches!(
            log.events[0].event,
            BackupEvent::NeedsHostSpace {
                extra_bytes: 12_265_029_274,
                ..
            }
        ));
        assert!(log.events[0].evidence().starts_with("paste.txt:1: "));
    }

    #[test]
    fn other_text_is_not_a_phone_log() {
        assert!(read("ProductType: iPhone9,1\nProductVersion: 13.3.1\n", "x").is_none());
        assert!(read(
            "Nov 30 05:40:02 powerd[46] <Notice>: Process BackupAgent2.4318 Summary\n",
            "x"
        )
        .is_none());
        assert!(read("", "x").is_none());
        assert!(read(&"\u{0}é".repeat(100_000), "x").is_none());
    }
}
