//! What `watch` saw happen, as data: the state machine ([`super::state`])
//! decides that something is worth a line and says what; how that line reads
//! (text, or one NDJSON object of `docs/watch.schema.json`) is
//! `report::watch`'s job, so the contract lives in one place and the state
//! can be tested on what it decided rather than on strings.

use crate::exit::ExitStatus;
use crate::rules::{Finding, Verdict};
use crate::snapshot::{BackupLogEvent, Failure, MuxDevice, Stall, UsbMode};
use crate::watch::UsbNotice;

/// One thing to print, with the time it happened (milliseconds since
/// watching started; the binary turns it into a clock time).
#[derive(Debug, Clone, PartialEq)]
pub struct WatchEvent {
    pub at_ms: u64,
    pub kind: WatchEventKind,
}

/// What happened. Each variant is one `type` of `watch --json`.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchEventKind {
    /// usbmuxd lists a phone: it arrived, or was there when watching (or
    /// the daemon) started (`initial`).
    Attached {
        device: MuxDevice,
        /// The DeviceID it had before it dropped off; None the first time.
        previous_device_id: Option<u32>,
        initial: bool,
    },
    /// A phone left; `connected_ms` when its arrival was seen.
    Detached {
        udid: String,
        device_id: u32,
        connected_ms: Option<u64>,
        /// Found gone when usbmuxd came back.
        while_daemon_away: bool,
    },
    /// usbmuxd says this computer was paired with the phone.
    Paired { udid: String, device_id: u32 },
    /// The phone was locked or unlocked since the previous diagnosis.
    Lock { udid: String, locked: bool },
    /// The phone's trust of this computer changed (`TrustState` labels).
    Trust {
        udid: String,
        now: String,
        was: String,
    },
    /// An Apple device arrived on or left the USB bus.
    Usb { notice: UsbNotice, mode: UsbMode },
    /// A diagnosis of one phone, printed when it is the first, not a
    /// re-check, or its verdict or top finding changed.
    Diagnosis {
        udid: String,
        recheck: bool,
        verdict: Verdict,
        findings: Vec<Finding>,
    },
    /// The feed broke off, or usbmuxd could not be reached
    /// (`ever_connected` false: it never answered).
    DaemonLost {
        failure: Failure,
        ever_connected: bool,
    },
    /// usbmuxd answered again; it lists `phones`.
    DaemonBack { phones: usize },
    /// The closing line.
    Summary(WatchSummary),
    /// An event of the phone's own backup log.
    Backup { udid: String, event: BackupLogEvent },
    /// A running backup made no progress for too long.
    BackupStall { udid: String, stall: Stall },
    /// A raw line of a backup process (`-v`), already cut to its bound.
    PhoneLog { udid: String, line: String },
    /// usbmuxd sent plug events faster than they are shown: how many plug
    /// lines of the last second were not printed, and how many events the
    /// state did not keep (past its phones or events bound).
    Coalesced { not_printed: u64, not_kept: u64 },
}

/// What the closing line says about the whole session.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchSummary {
    pub duration_ms: u64,
    /// Drops, read from the event log the way `connection.unstable` reads it.
    pub disconnects: usize,
    pub shortest_connected_ms: Option<u64>,
    pub daemon_losses: usize,
    pub daemon_up: bool,
    pub interrupted: bool,
    pub status: ExitStatus,
    pub phones: Vec<PhoneSummary>,
}

/// One phone in the closing line.
#[derive(Debug, Clone, PartialEq)]
pub struct PhoneSummary {
    pub udid: String,
    pub connected: bool,
    pub disconnects: usize,
    pub verdict: Option<Verdict>,
    /// The id of its latest top finding.
    pub top: Option<String>,
}
