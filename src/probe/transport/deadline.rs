//! One overall deadline that every probe honours, and the mapping of I/O
//! errors to the snapshot's failure kinds.

use std::future::Future;
use std::io;
use std::time::Duration;

use tokio::time::Instant;

use crate::snapshot::{Failure, FailureKind};

/// The moment all probing must be over.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Instant);

impl Deadline {
    pub fn after(d: Duration) -> Self {
        Self(Instant::now() + d)
    }

    pub fn instant(self) -> Instant {
        self.0
    }

    /// This deadline, or `d` from now if that comes sooner: for steps that
    /// must not use up the whole budget.
    pub fn within(self, d: Duration) -> Self {
        Self(self.0.min(Instant::now() + d))
    }

    pub fn remaining(self) -> Duration {
        self.0.saturating_duration_since(Instant::now())
    }

    /// Runs `fut` until the deadline; a late answer is `timed-out`, labelled
    /// with what was being waited for.
    pub async fn run<T>(
        self,
        what: &str,
        fut: impl Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        match tokio::time::timeout_at(self.0, fut).await {
            Ok(r) => r,
            Err(_) => Err(Failure::new(
                FailureKind::TimedOut,
                format!("no answer to {what} before the deadline"),
            )),
        }
    }
}

/// Maps an I/O error from connecting or talking to a peer.
pub fn io_failure(context: &str, e: &io::Error) -> Failure {
    let kind = match e.kind() {
        io::ErrorKind::NotFound => FailureKind::NotFound,
        io::ErrorKind::ConnectionRefused => FailureKind::Refused,
        io::ErrorKind::PermissionDenied => FailureKind::AccessDenied,
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => FailureKind::TimedOut,
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => FailureKind::Closed,
        _ => FailureKind::Io,
    };
    Failure::new(kind, format!("{context}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_map_to_kinds() {
        let f = io_failure(
            "connect",
            &io::Error::from(io::ErrorKind::ConnectionRefused),
        );
        assert_eq!(f.kind, FailureKind::Refused);
        assert!(f.message.starts_with("connect: "));
        let f = io_failure("read", &io::Error::from(io::ErrorKind::UnexpectedEof));
        assert_eq!(f.kind, FailureKind::Closed);
    }

    #[tokio::test(start_paused = true)]
    async fn late_answers_time_out() {
        let d = Deadline::after(Duration::from_secs(1));
        let r: Result<(), _> = d
            .run("ListDevices", async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok(())
            })
            .await;
        let f = r.unwrap_err();
        assert_eq!(f.kind, FailureKind::TimedOut);
        assert!(f.message.contains("ListDevices"));
    }
}
