//! What the phone's own backup agent logged (BackupAgent2, backupd and
//! their helpers, through `com.apple.syslog_relay` or a pasted
//! `idevicesyslog` capture): the phases it went through, with the phone's
//! timestamps, and whether it stopped making progress.
//!
//! Only what a diagnosis needs is kept: the kind of each event and its
//! numbers. File paths, device names, Apple IDs and the other text of those
//! lines never reach the snapshot.

use serde::{Deserialize, Serialize};

/// At most this many events are kept per phone; later ones are counted in
/// [`BackupLogObs::events_dropped`]. A backup logs a few dozen phase lines;
/// thousands are a flood.
pub const MAX_EVENTS: usize = 500;

/// The phone's backup log, as far as it was read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupLogObs {
    /// Where it was read: the live relay, or a file.
    pub source: BackupLogSource,
    /// Log lines read in all (of every process).
    pub lines_read: u64,
    /// Lines of backup processes among them.
    pub backup_lines: u64,
    pub events: Vec<BackupLogEvent>,
    /// Events beyond [`MAX_EVENTS`], not kept.
    #[serde(default)]
    pub events_dropped: u64,
    /// Lines longer than the cap (cut) or not text (dropped).
    #[serde(default)]
    pub lines_cut: u64,
    /// The backup made no progress for a long time while it had not ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stall: Option<Stall>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackupLogSource {
    /// `com.apple.syslog_relay` while this tool watched.
    #[default]
    Relay,
    /// A capture given to `diagnose --from`.
    Imported,
}

/// One thing the backup agent said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupLogEvent {
    /// The phone's timestamp as the log prints it ("Nov 30 05:33:32"); it
    /// carries no year and no time zone.
    #[serde(default)]
    pub time: Option<String>,
    /// Live only: milliseconds since following started, when it arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<u64>,
    /// Imported only: the line number in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Imported only: the file's name, so evidence reads `file:line:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The process that logged it ("BackupAgent2", "backupd").
    pub process: String,
    #[serde(flatten)]
    pub event: BackupEvent,
}

/// The events the rules and `watch` tell apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum BackupEvent {
    /// "Starting backup"; `full` once the agent says which kind.
    Started {
        #[serde(default)]
        full: Option<bool>,
    },
    /// The agent says whether this backup is full or incremental.
    Kind { full: bool },
    /// Looking for what changed ("Scanned in 0.652 s", "Finished scanning domain").
    Scanning {
        #[serde(default)]
        seconds: Option<f64>,
    },
    /// Preflight: what it will upload ("uploadSize:…, uploadFileCount:…").
    Preflight {
        #[serde(default)]
        upload_bytes: Option<u64>,
        #[serde(default)]
        upload_files: Option<u64>,
    },
    /// The free space the computer reported to the phone.
    HostFreeSpace { bytes: u64 },
    /// "Need extra space on host: N. Requesting host to purge now".
    NeedsHostSpace {
        extra_bytes: u64,
        /// What the computer had reported free just before, when logged.
        #[serde(default)]
        host_free_bytes: Option<u64>,
        /// What the agent is about to upload, when logged.
        #[serde(default)]
        upload_bytes: Option<u64>,
    },
    /// Files sent to the computer.
    Uploading {
        #[serde(default)]
        files: Option<u64>,
        #[serde(default)]
        bytes: Option<u64>,
        /// As the agent prints it ("5.72 MB/s").
        #[serde(default)]
        rate: Option<String>,
    },
    /// Files moved into place on the computer at the end.
    Moving {
        #[serde(default)]
        files: Option<u64>,
    },
    /// "Retrying backup (attempt 1 of 3 …)".
    Retrying {
        #[serde(default)]
        attempt: Option<u64>,
        #[serde(default)]
        of: Option<u64>,
    },
    /// "Finished backup in 2.873 s".
    Finished {
        #[serde(default)]
        seconds: Option<f64>,
    },
    /// The agent reported a failure, with its MBErrorDomain code when it gave one.
    Failed {
        #[serde(default)]
        code: Option<i64>,
        /// The agent's description, paths masked, at most 200 characters.
        description: String,
    },
    /// The agent crashed (an uncaught exception, or a crash report for it).
    Crashed,
    /// The phone waits for its passcode to be typed before it backs up.
    PasscodeWaiting,
    /// Another computer or program holds the phone's sync lock.
    SyncLockHeld,
}

impl BackupEvent {
    /// The `watch` and evidence name of the event.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Started { .. } => "started",
            Self::Kind { .. } => "kind",
            Self::Scanning { .. } => "scanning",
            Self::Preflight { .. } => "preflight",
            Self::HostFreeSpace { .. } => "host-free-space",
            Self::NeedsHostSpace { .. } => "needs-host-space",
            Self::Uploading { .. } => "uploading",
            Self::Moving { .. } => "moving",
            Self::Retrying { .. } => "retrying",
            Self::Finished { .. } => "finished",
            Self::Failed { .. } => "failed",
            Self::Crashed => "crashed",
            Self::PasscodeWaiting => "passcode-waiting",
            Self::SyncLockHeld => "sync-lock-held",
        }
    }

    /// The backup is over (finished, failed or the agent died).
    pub fn ends(&self) -> bool {
        matches!(
            self,
            Self::Finished { .. } | Self::Failed { .. } | Self::Crashed
        )
    }

    /// One line for a person, without the time.
    pub fn describe(&self) -> String {
        use crate::format::bytes;
        match self {
            Self::Started { full: Some(true) } => "a full backup started".into(),
            Self::Started { full: Some(false) } => "an incremental backup started".into(),
            Self::Started { full: None } => "a backup started".into(),
            Self::Kind { full: true } => "it is a full backup".into(),
            Self::Kind { full: false } => "it is an incremental backup".into(),
            Self::Scanning { seconds: Some(s) } => format!("scanned the phone's files in {s} s"),
            Self::Scanning { seconds: None } => "scanning the phone's files".into(),
            Self::Preflight {
                upload_bytes,
                upload_files,
            } => {
                let mut t = "preflight".to_string();
                if let Some(b) = upload_bytes {
                    t.push_str(&format!(": {} to upload", bytes(*b)));
                }
                if let Some(f) = upload_files {
                    t.push_str(&format!(" in {f} files"));
                }
                t
            }
            Self::HostFreeSpace { bytes: b } => {
                format!("the computer reported {} free", bytes(*b))
            }
            Self::NeedsHostSpace {
                extra_bytes,
                host_free_bytes,
                ..
            } => {
                let mut t = format!(
                    "the phone needs {} more free space on the computer and asked it to purge",
                    bytes(*extra_bytes)
                );
                if let Some(f) = host_free_bytes {
                    t.push_str(&format!(" (the computer reported {} free)", bytes(*f)));
                }
                t
            }
            Self::Uploading {
                files,
                bytes: b,
                rate,
            } => {
                let mut t = "uploading".to_string();
                if let Some(f) = files {
                    t.push_str(&format!(" {f} files"));
                }
                if let Some(b) = b {
                    t.push_str(&format!(", {}", bytes(*b)));
                }
                if let Some(r) = rate {
                    t.push_str(&format!(" at {r}"));
                }
                t
            }
            Self::Moving { files: Some(f) } => format!("moving {f} files into place"),
            Self::Moving { files: None } => "moving files into place".into(),
            Self::Retrying { attempt, of } => match (attempt, of) {
                (Some(a), Some(o)) => format!("retrying (attempt {a} of {o})"),
                _ => "retrying".into(),
            },
            Self::Finished { seconds: Some(s) } => format!("the backup finished in {s} s"),
            Self::Finished { seconds: None } => "the backup finished".into(),
            Self::Failed {
                code: Some(c),
                description,
            } => format!("the backup failed: {description} (MBErrorDomain {c})"),
            Self::Failed {
                code: None,
                description,
            } => format!("the backup failed: {description}"),
            Self::Crashed => "the backup agent crashed".into(),
            Self::PasscodeWaiting => "the phone waits for its passcode to be typed".into(),
            Self::SyncLockHeld => "another program holds the phone's sync lock".into(),
        }
    }

    /// Whether this event counts as the backup moving on (for stalls).
    pub fn is_progress(&self) -> bool {
        !matches!(self, Self::PasscodeWaiting | Self::SyncLockHeld)
    }
}

impl BackupLogEvent {
    /// Where an imported event was read: `file:line`, or `line N`.
    pub fn place(&self) -> Option<String> {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => Some(format!("{f}:{l}")),
            (None, Some(l)) => Some(format!("line {l}")),
            _ => None,
        }
    }

    /// "Nov 30 05:33:32 BackupAgent2: …", after `file:line:` when imported,
    /// for evidence. The phone's raw line is not quoted: it may hold
    /// personal data, and only `-v` shows raw lines.
    pub fn evidence(&self) -> String {
        let mut t = String::new();
        if let Some(place) = self.place() {
            t.push_str(&format!("{place}: "));
        }
        if let Some(time) = &self.time {
            t.push_str(&format!("{time} "));
        }
        t.push_str(&format!("{}: {}", self.process, self.event.describe()));
        t
    }
}

/// No progress for a long time while the backup had not ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stall {
    /// How long nothing moved, in seconds.
    pub seconds: u64,
    /// The last thing the agent did before it stopped moving.
    pub last: String,
    /// The phone's time of that last event, when known.
    #[serde(default)]
    pub since: Option<String>,
    /// Still stalled when the log ended (live: when it was last looked at).
    #[serde(default)]
    pub ongoing: bool,
}

impl BackupLogObs {
    /// The events of one kind, in order.
    pub fn find<'a>(
        &'a self,
        pred: impl Fn(&BackupEvent) -> bool + 'a,
    ) -> impl Iterator<Item = &'a BackupLogEvent> + 'a {
        self.events.iter().filter(move |e| pred(&e.event))
    }

    /// The last event, if any.
    pub fn last(&self) -> Option<&BackupLogEvent> {
        self.events.last()
    }

    /// The backup ended as the log last said.
    pub fn ended(&self) -> bool {
        self.events
            .iter()
            .rev()
            .find(|e| e.event.is_progress())
            .is_some_and(|e| e.event.ends())
    }

    /// Where the log was read, for evidence lines.
    pub fn origin(&self) -> &'static str {
        match self.source {
            BackupLogSource::Relay => "the phone's live log (com.apple.syslog_relay)",
            BackupLogSource::Imported => "the imported phone log",
        }
    }
}
