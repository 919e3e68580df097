//! Follows one trusted phone's backup log for `watch`: opens its
//! `com.apple.syslog_relay` (read-only), splits the raw bytes into lines in
//! bounded memory (the core's `RelaySplitter`) and hands the lines of backup
//! processes to the watch loop. Other lines are only counted, so a phone
//! logging thousands of lines a second costs the loop nothing; a relay that
//! goes silent costs nothing either: every read has a deadline and the task
//! ends when the loop stops listening or aborts it.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::phone_log::{is_backup_line, line, RelaySplitter};
use crate::platform::mux_address::MuxEndpoint;
use crate::probe::device::open_phone_log;
use crate::probe::transport::{Budget, Deadline};
use crate::snapshot::Failure;

/// Opening the relay (pair record, session, StartService, connect) must be
/// done within this.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);
/// Each step of opening it.
const OPEN_STEP: Duration = Duration::from_secs(5);
/// A read waits at most this long before checking the loop still listens.
const READ_WAIT: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub enum LogMsg {
    /// Backup lines, and how many other lines were left out or cut.
    Lines {
        udid: String,
        lines: Vec<String>,
        skipped: u64,
        cut: u64,
    },
    /// The relay could not be opened or stopped.
    Ended { udid: String, failure: Failure },
}

/// Runs until the relay ends or the receiver is dropped.
pub async fn follow(
    endpoint: MuxEndpoint,
    device_id: u32,
    udid: String,
    record_file: Option<PathBuf>,
    tx: mpsc::Sender<LogMsg>,
) {
    let budget = Budget::new(Deadline::after(OPEN_TIMEOUT), OPEN_STEP);
    let mut relay =
        match open_phone_log(&endpoint, device_id, &udid, record_file.as_deref(), budget).await {
            Ok(r) => r,
            Err(failure) => {
                let _ = tx.send(LogMsg::Ended { udid, failure }).await;
                return;
            }
        };
    tracing::debug!(%udid, "following the phone's log");
    let mut splitter = RelaySplitter::new();
    let (mut skipped, mut cut_sent) = (0u64, 0u64);
    loop {
        let chunk = match relay.read(READ_WAIT).await {
            Ok(Some(bytes)) => splitter.push(bytes),
            Ok(None) => {
                if tx.is_closed() {
                    return;
                }
                continue;
            }
            Err(failure) => {
                let _ = tx.send(LogMsg::Ended { udid, failure }).await;
                return;
            }
        };
        let mut lines = Vec::new();
        for l in chunk {
            let first = l.lines().next().unwrap_or("");
            if line::parse(first).is_some_and(|p| is_backup_line(&p)) {
                lines.push(l);
            } else {
                skipped += 1;
            }
        }
        if lines.is_empty() {
            continue;
        }
        let cut = splitter.cut - cut_sent;
        cut_sent = splitter.cut;
        let msg = LogMsg::Lines {
            udid: udid.clone(),
            lines,
            skipped: std::mem::take(&mut skipped),
            cut,
        };
        if tx.send(msg).await.is_err() {
            return;
        }
    }
}
