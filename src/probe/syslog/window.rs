//! `diagnose` reading the phone's backup log during its listen window: for
//! a trusted phone, when `--listen` asks for a window or another program is
//! backing up right now (a backup logs every few seconds, so a short look
//! shows what it does). The lines go through the same reader as `watch`'s
//! and an imported capture's, into the same snapshot part.

use std::future::Future;
use std::time::{Duration, Instant};

use super::Relay;
use crate::phone_log::{BackupLogTracker, RelaySplitter, DEFAULT_STALL_MS};
use crate::probe::transport::Budget;
use crate::snapshot::{BackupLogObs, BackupLogSource, Failure, Outcome};

/// How long the log is read when a backup program runs and no `--listen`
/// was given.
pub const WHILE_BACKING_UP: Duration = Duration::from_secs(3);
/// Left for the rest of the probes after the window.
const MARGIN: Duration = Duration::from_millis(500);

/// Reads the log for `window` (cut to the overall deadline), from the relay
/// `open` opens.
pub async fn read(
    open: impl Future<Output = Result<Relay, Failure>>,
    window: Duration,
    budget: Budget,
) -> Outcome<BackupLogObs> {
    let started = Instant::now();
    let window = window.min(budget.overall_remaining().saturating_sub(MARGIN));
    let result = async {
        let mut relay = open.await?;
        let mut tracker = BackupLogTracker::new(BackupLogSource::Relay, DEFAULT_STALL_MS);
        let mut splitter = RelaySplitter::new();
        loop {
            let left = window.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            match relay.read(left).await {
                Ok(Some(bytes)) => {
                    let at = started.elapsed().as_millis() as u64;
                    for l in splitter.push(bytes) {
                        tracker.line(&l, Some(at), None);
                    }
                }
                Ok(None) => break,
                // The phone went away mid-window: keep what was read.
                Err(f) if tracker.obs().lines_read > 0 => {
                    tracing::debug!(kind = f.kind.as_str(), "the log relay ended early");
                    break;
                }
                Err(f) => return Err(f),
            }
        }
        tracker.add_cut(splitter.cut);
        tracker.check_stall(started.elapsed().as_millis() as u64);
        Ok(tracker.into_obs())
    }
    .await;
    Outcome::from_result(result, started.elapsed().as_millis() as u64)
}
