//! Follows usbmuxd's Listen feed for as long as `watch` runs: reconnects
//! with a growing pause when the daemon is missing, dies or restarts, and
//! reports each of those as a message, never as an error.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::platform::mux_address::MuxEndpoint;
use crate::probe::usbmuxd::listen::{ListenMessage, Listener};
use crate::probe::Deadline;
use crate::snapshot::{Failure, MuxDevice};

/// Connecting, listing and subscribing must be done within this.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The first pause before reconnecting, doubled up to `MAX_BACKOFF`.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(250);
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// A connection that lasted this long resets the pause.
const STABLE: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub enum FeedMsg {
    /// Subscribed; these phones were listed just before.
    Connected(Vec<MuxDevice>),
    Message(ListenMessage),
    /// The feed broke off, or the daemon could not be reached.
    Lost(Failure),
}

/// Runs until the receiver is dropped.
pub async fn run(endpoint: MuxEndpoint, tx: mpsc::Sender<FeedMsg>) {
    let mut backoff = FIRST_BACKOFF;
    loop {
        let started = Instant::now();
        match Listener::start(&endpoint, Deadline::after(CONNECT_TIMEOUT)).await {
            Ok(mut listener) => {
                if tx
                    .send(FeedMsg::Connected(listener.present().to_vec()))
                    .await
                    .is_err()
                {
                    return;
                }
                loop {
                    match listener.next().await {
                        Ok(m) => {
                            if tx.send(FeedMsg::Message(m)).await.is_err() {
                                return;
                            }
                        }
                        Err(f) => {
                            if tx.send(FeedMsg::Lost(f)).await.is_err() {
                                return;
                            }
                            break;
                        }
                    }
                }
                if started.elapsed() >= STABLE {
                    backoff = FIRST_BACKOFF;
                }
            }
            Err(f) => {
                if tx.send(FeedMsg::Lost(f)).await.is_err() {
                    return;
                }
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = next_backoff(backoff);
    }
}

pub fn next_backoff(b: Duration) -> Duration {
    (b * 2).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let mut b = FIRST_BACKOFF;
        let mut seen = vec![b];
        for _ in 0..8 {
            b = next_backoff(b);
            seen.push(b);
        }
        assert_eq!(seen[1], Duration::from_millis(500));
        assert_eq!(*seen.last().unwrap(), MAX_BACKOFF);
        assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    }

    #[tokio::test(start_paused = true)]
    async fn a_missing_daemon_is_reported_and_retried_without_spinning() {
        let dir = std::env::temp_dir().join(format!("ibc-feed-{}", std::process::id()));
        let endpoint = MuxEndpoint::Unix(dir.join("nothing-here"));
        let (tx, mut rx) = mpsc::channel(16);
        let task = tokio::spawn(run(endpoint, tx));
        let mut attempts = 0;
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(20) {
            match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
                Ok(Some(FeedMsg::Lost(_))) => attempts += 1,
                other => panic!("{other:?}"),
            }
        }
        task.abort();
        // 20 s of paused time with a 5 s cap: a handful of attempts, not thousands.
        assert!((4..=12).contains(&attempts), "{attempts} attempts");
    }
}
