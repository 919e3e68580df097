//! Reads a phone's log line by line into a [`BackupLogObs`], the same way
//! for a pasted capture and the live relay: keeps the backup events (at most
//! [`MAX_EVENTS`]), merges runs of the same numberless phase (a scan logs
//! one line per domain), puts the computer's free space beside "Need extra
//! space on host", and notices a stall.
//!
//! A stall: the backup started, has not ended, and no progress line came
//! for `stall_after_ms`. In a capture that is a gap between the phone's own
//! timestamps; live, it is the time since the last progress line arrived,
//! given by the caller ([`BackupLogTracker::check_stall`]).

use super::classify::{classify, is_backup_line};
use super::line::{parse, seconds_of_year};
use crate::snapshot::{
    BackupEvent, BackupLogEvent, BackupLogObs, BackupLogSource, Stall, MAX_EVENTS,
};

/// With no progress line for this long a running backup counts as stalled.
/// BackupAgent2 logs every few seconds while it scans or uploads; iOS gives
/// up on a passcode nobody typed after about three minutes.
pub const DEFAULT_STALL_MS: u64 = 120_000;

/// What one line was.
#[derive(Debug, Clone, PartialEq)]
pub struct LineRead {
    /// A line of a backup process (shown by `watch -v`).
    pub backup: bool,
    /// A new event it reported, as kept.
    pub event: Option<BackupLogEvent>,
}

/// How a new event relates to the last one kept.
enum Merge {
    No,
    /// The same numberless phase again: nothing new.
    Repeat,
    /// The last event was completed by this one.
    Completed,
}

#[derive(Debug, Clone)]
pub struct BackupLogTracker {
    obs: BackupLogObs,
    stall_after_ms: u64,
    host_free: Option<u64>,
    upload: Option<u64>,
    started: bool,
    ended: bool,
    /// Live: when the last progress line arrived.
    last_progress_ms: Option<u64>,
    /// Capture: the phone's time of the last progress line, in seconds.
    last_progress_secs: Option<u64>,
    /// A stall was reported and nothing moved since.
    stall_reported: bool,
}

impl BackupLogTracker {
    pub fn new(source: BackupLogSource, stall_after_ms: u64) -> Self {
        Self {
            obs: BackupLogObs {
                source,
                ..Default::default()
            },
            stall_after_ms,
            host_free: None,
            upload: None,
            started: false,
            ended: false,
            last_progress_ms: None,
            last_progress_secs: None,
            stall_reported: false,
        }
    }

    /// One log line (of any process). `at_ms`: when it arrived (live);
    /// `line_no`: where it is in the file (import).
    pub fn line(&mut self, text: &str, at_ms: Option<u64>, line_no: Option<usize>) -> LineRead {
        self.obs.lines_read += 1;
        let first = text.lines().next().unwrap_or("");
        let Some(l) = parse(first) else {
            return LineRead {
                backup: false,
                event: None,
            };
        };
        if !is_backup_line(&l) {
            return LineRead {
                backup: false,
                event: None,
            };
        }
        self.obs.backup_lines += 1;
        let Some(mut event) = classify(&l) else {
            return LineRead {
                backup: true,
                event: None,
            };
        };
        match &mut event {
            BackupEvent::HostFreeSpace { bytes } => self.host_free = Some(*bytes),
            BackupEvent::Preflight {
                upload_bytes: Some(b),
                ..
            } => self.upload = Some(*b),
            BackupEvent::NeedsHostSpace {
                host_free_bytes,
                upload_bytes,
                ..
            } => {
                *host_free_bytes = self.host_free;
                *upload_bytes = self.upload;
            }
            BackupEvent::Started { .. } => {
                self.started = true;
                self.ended = false;
                self.host_free = None;
                self.upload = None;
            }
            _ => {}
        }
        if event.is_progress() {
            self.progress(l.time, at_ms);
            self.started |= !event.ends();
            if event.ends() {
                self.ended = true;
            } else if !matches!(event, BackupEvent::Started { .. }) && self.ended {
                // Lines after the end without a new start: a backup in
                // progress whose start was not seen.
                self.ended = false;
            }
        }
        let kept = BackupLogEvent {
            time: Some(l.time.to_string()),
            at_ms,
            line: line_no,
            file: None,
            process: l.process.chars().take(40).collect(),
            event,
        };
        match self.merge(&kept) {
            Merge::No => {}
            Merge::Repeat => {
                return LineRead {
                    backup: true,
                    event: None,
                }
            }
            // Completed with numbers: reported again, as it now reads.
            Merge::Completed => {
                return LineRead {
                    backup: true,
                    event: self.obs.events.last().cloned(),
                }
            }
        }
        if self.obs.events.len() >= MAX_EVENTS {
            self.obs.events_dropped += 1;
            return LineRead {
                backup: true,
                event: None,
            };
        }
        self.obs.events.push(kept.clone());
        LineRead {
            backup: true,
            event: Some(kept),
        }
    }

    /// A numberless phase repeating the last one is not a new event; a
    /// preflight line with the numbers completes a numberless one; the
    /// agent's "full backup" after "Starting backup" completes the start.
    fn merge(&mut self, e: &BackupLogEvent) -> Merge {
        let Some(last) = self.obs.events.last_mut() else {
            return Merge::No;
        };
        match (&mut last.event, &e.event) {
            (BackupEvent::Scanning { seconds: None }, BackupEvent::Scanning { seconds: None })
            | (
                BackupEvent::Uploading {
                    files: None,
                    bytes: None,
                    ..
                },
                BackupEvent::Uploading {
                    files: None,
                    bytes: None,
                    ..
                },
            )
            | (BackupEvent::Moving { files: None }, BackupEvent::Moving { files: None }) => {
                Merge::Repeat
            }
            (
                BackupEvent::Preflight {
                    upload_bytes: None,
                    upload_files: None,
                },
                BackupEvent::Preflight { .. },
            ) => {
                last.event = e.event.clone();
                Merge::Completed
            }
            (BackupEvent::Started { full: None }, BackupEvent::Kind { full }) => {
                last.event = BackupEvent::Started { full: Some(*full) };
                Merge::Completed
            }
            _ => Merge::No,
        }
    }

    fn progress(&mut self, phone_time: &str, at_ms: Option<u64>) {
        let secs = seconds_of_year(phone_time);
        if at_ms.is_none() {
            // A capture: a long gap between the phone's own times while running.
            if let (Some(prev), Some(now)) = (self.last_progress_secs, secs) {
                let gap = now.saturating_sub(prev);
                if self.started && !self.ended && gap * 1000 >= self.stall_after_ms {
                    let longest = self.obs.stall.as_ref().map_or(0, |s| s.seconds);
                    if gap > longest {
                        self.obs.stall = Some(Stall {
                            seconds: gap,
                            last: self.last_description(),
                            since: self.obs.events.last().and_then(|e| e.time.clone()),
                            ongoing: false,
                        });
                    }
                }
            }
        } else if let Some(s) = self.obs.stall.as_mut() {
            s.ongoing = false;
        }
        self.last_progress_secs = secs.or(self.last_progress_secs);
        self.last_progress_ms = at_ms.or(self.last_progress_ms);
        self.stall_reported = false;
    }

    fn last_description(&self) -> String {
        self.obs
            .events
            .iter()
            .rev()
            .find(|e| e.event.is_progress())
            .map_or_else(|| "nothing yet".to_string(), |e| e.event.describe())
    }

    /// Live: a new stall at `now_ms`, once per stall.
    pub fn check_stall(&mut self, now_ms: u64) -> Option<Stall> {
        let last = self.last_progress_ms?;
        if !self.started || self.ended || self.stall_reported {
            return None;
        }
        let quiet = now_ms.saturating_sub(last);
        if quiet < self.stall_after_ms {
            return None;
        }
        self.stall_reported = true;
        let stall = Stall {
            seconds: quiet / 1000,
            last: self.last_description(),
            since: self
                .obs
                .events
                .iter()
                .rev()
                .find(|e| e.event.is_progress())
                .and_then(|e| e.time.clone()),
            ongoing: true,
        };
        self.obs.stall = Some(stall.clone());
        Some(stall)
    }

    /// Live: keeps an ongoing stall's length current.
    pub fn refresh_stall(&mut self, now_ms: u64) {
        if let (Some(s), Some(last)) = (self.obs.stall.as_mut(), self.last_progress_ms) {
            if s.ongoing {
                s.seconds = now_ms.saturating_sub(last) / 1000;
            }
        }
    }

    /// When `check_stall` may next report one.
    pub fn stall_due_at(&self) -> Option<u64> {
        if !self.started || self.ended || self.stall_reported {
            return None;
        }
        Some(self.last_progress_ms? + self.stall_after_ms)
    }

    /// Lines of other processes the reader left out before handing lines
    /// over (the live follower keeps only backup lines).
    pub fn add_read(&mut self, n: u64) {
        self.obs.lines_read += n;
    }

    /// Cut or binary lines the reader dropped, for the record.
    pub fn add_cut(&mut self, n: u64) {
        self.obs.lines_cut += n;
    }

    /// A backup is running as far as the log says.
    pub fn running(&self) -> bool {
        self.started && !self.ended
    }

    pub fn obs(&self) -> &BackupLogObs {
        &self.obs
    }

    pub fn into_obs(self) -> BackupLogObs {
        self.obs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, stall_ms: u64) -> BackupLogObs {
        let mut t = BackupLogTracker::new(BackupLogSource::Imported, stall_ms);
        for (n, l) in text.lines().enumerate() {
            t.line(l, None, Some(n + 1));
        }
        t.into_obs()
    }

    #[test]
    fn need_space_carries_the_computers_figure() {
        let obs = read(
            "Nov 30 05:33:32 BackupAgent2[4308] <Notice>: Scanned in 23.124 s\n\
             Nov 30 05:33:32 BackupAgent2[4308] <Notice>: Starting to prepare for preflight\n\
             Nov 30 05:33:32 BackupAgent2[4308] <Notice>: uploadSize:16795365018(16795365018), uploadFileCount:28691\n\
             Nov 30 05:33:32 BackupAgent2[4308] <Notice>: Free disk space on drive: 4664553472 (4.66 GB)\n\
             Nov 30 05:33:32 BackupAgent2[4308] <Notice>: Need extra space on host: 12265029274. Requesting host to purge now\n",
            DEFAULT_STALL_MS,
        );
        let names: Vec<&str> = obs.events.iter().map(|e| e.event.name()).collect();
        assert_eq!(
            names,
            [
                "scanning",
                "preflight",
                "host-free-space",
                "needs-host-space"
            ]
        );
        assert_eq!(
            obs.events[3].event,
            BackupEvent::NeedsHostSpace {
                extra_bytes: 12_265_029_274,
                host_free_bytes: Some(4_664_553_472),
                upload_bytes: Some(16_795_365_018)
            }
        );
        assert_eq!(obs.events[3].line, Some(5));
    }

    #[test]
    fn a_gap_in_the_phones_times_is_a_stall() {
        let obs = read(
            "Nov 30 05:00:00 BackupAgent2[1] <Notice>: Starting backup\n\
             Nov 30 05:00:01 BackupAgent2[1] <Notice>: Finished scanning domain <private> - size:1\n\
             Nov 30 05:00:02 BackupAgent2[1] <Notice>: Finished scanning domain <private> - size:2\n\
             Nov 30 05:10:02 BackupAgent2[1] <Notice>: Uploaded 3 files of 1.0 MB in 1.0 s at 1.00 MB/s\n",
            60_000,
        );
        // Scans are merged into one event.
        assert_eq!(obs.events.len(), 3);
        let stall = obs.stall.expect("a stall");
        assert_eq!(stall.seconds, 600);
        assert_eq!(stall.last, "scanning the phone's files");
        assert!(!stall.ongoing);
    }

    #[test]
    fn live_stall_once_then_cleared_by_progress() {
        let mut t = BackupLogTracker::new(BackupLogSource::Relay, 10_000);
        t.line(
            "Nov 30 05:00:00 BackupAgent2[1] <Notice>: Starting backup",
            Some(0),
            None,
        );
        assert_eq!(t.stall_due_at(), Some(10_000));
        assert!(t.check_stall(9_999).is_none());
        let s = t.check_stall(12_000).expect("stalled");
        assert_eq!((s.seconds, s.ongoing), (12, true));
        assert!(t.check_stall(20_000).is_none(), "reported once");
        t.line(
            "Nov 30 05:00:30 BackupAgent2[1] <Notice>: Scanned in 1.0 s",
            Some(30_000),
            None,
        );
        assert!(!t.obs().stall.as_ref().unwrap().ongoing);
        t.line(
            "Nov 30 05:00:31 BackupAgent2[1] <Notice>: Finished backup in 31 s",
            Some(31_000),
            None,
        );
        assert!(!t.running());
        assert!(t.check_stall(99_000).is_none());
    }

    #[test]
    fn events_are_capped() {
        let mut t = BackupLogTracker::new(BackupLogSource::Relay, DEFAULT_STALL_MS);
        for i in 0..(MAX_EVENTS + 50) {
            t.line(
                &format!("Nov 30 05:00:00 BackupAgent2[1] <Notice>: Moved {i} files in 0.1 s"),
                Some(i as u64),
                None,
            );
        }
        assert_eq!(t.obs().events.len(), MAX_EVENTS);
        assert_eq!(t.obs().events_dropped, 50);
    }
}
