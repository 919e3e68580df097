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
    if is_descriptor_limit(e) {
        return Failure::new(FailureKind::DescriptorLimit, format!("{context}: {e}"));
    }
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

/// "Too many open files": this process's (EMFILE) or the system's (ENFILE)
/// limit, or Winsock's (WSAEMFILE). Recorded as such, so the report blames
/// this computer's limit, not a daemon that is not running (issue 30).
pub fn is_descriptor_limit(e: &io::Error) -> bool {
    const EMFILE: i32 = 24;
    const ENFILE: i32 = 23;
    const WSAEMFILE: i32 = 10024;
    match e.raw_os_error() {
        Some(code) if cfg!(windows) => code == WSAEMFILE || code == EMFILE,
        Some(code) => code == EMFILE || code == ENFILE,
        None => false,
    }
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
        #[cfg(unix)]
        for code in [23, 24] {
            let f = io_failure("connect", &io::Error::from_raw_os_error(code));
            assert_eq!(f.kind, FailureKind::DescriptorLimit, "{}", f.message);
        }
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
