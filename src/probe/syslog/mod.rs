//! The phone's live log, `com.apple.syslog_relay`, read-only: a short
//! trusted session starts the service (never `com.apple.mobilebackup2`; the
//! device orchestrator opens it), then its port gives raw bytes with no
//! framing, each message ending in a NUL (libimobiledevice `src/syslog_relay.c`, `tools/idevicesyslog.c`).
//! Splitting them into lines, in bounded memory, is the core's
//! [`crate::phone_log::RelaySplitter`]; this side only reads, each read
//! under a deadline and into a fixed buffer.

use std::time::Duration;

use tokio::io::AsyncReadExt;

use crate::probe::transport::{io_failure, Deadline, DeviceStream};
use crate::snapshot::{Failure, FailureKind};

pub mod window;

pub const SERVICE: &str = "com.apple.syslog_relay";
/// One read takes at most this much: a flood is read in pieces of this size,
/// each handed on before the next is read.
pub const CHUNK: usize = 16 * 1024;

/// An open relay.
pub struct Relay {
    stream: DeviceStream,
    buf: Vec<u8>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Relay")
    }
}

impl Relay {
    /// The relay over a connection to the port `StartService` gave (the
    /// device orchestrator opens it: pair record, a short session, TLS).
    pub fn new(stream: DeviceStream) -> Self {
        Self {
            stream,
            buf: vec![0; CHUNK],
        }
    }

    /// The next bytes, or None when nothing came within `wait`. A closed
    /// relay is a failure.
    pub async fn read(&mut self, wait: Duration) -> Result<Option<&[u8]>, Failure> {
        let deadline = Deadline::after(wait);
        match tokio::time::timeout_at(deadline.instant(), self.stream.read(&mut self.buf)).await {
            Err(_) => Ok(None),
            Ok(Ok(0)) => Err(Failure::new(
                FailureKind::Closed,
                "the phone closed its log relay",
            )),
            Ok(Ok(n)) => Ok(self.buf.get(..n)),
            Ok(Err(e)) => Err(io_failure("read the log relay", &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone_log::{RelaySplitter, MAX_LINE};
    use crate::snapshot::FailureKind;
    use tokio::io::AsyncWriteExt;

    fn relay(stream: DeviceStream) -> Relay {
        Relay::new(stream)
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_relay_times_out_and_a_closed_one_fails() {
        let (client, server) = tokio::io::duplex(1024);
        let mut r = relay(Box::new(client));
        assert!(matches!(r.read(Duration::from_secs(2)).await, Ok(None)));
        drop(server);
        let e = r.read(Duration::from_secs(2)).await.unwrap_err();
        assert_eq!(e.kind, FailureKind::Closed);
    }

    #[tokio::test]
    async fn a_flood_without_nul_is_read_in_chunks_in_bounded_memory() {
        let (client, mut server) = tokio::io::duplex(64 * 1024);
        tokio::spawn(async move {
            let junk = vec![b'x'; 64 * 1024];
            for _ in 0..64 {
                if server.write_all(&junk).await.is_err() {
                    return;
                }
            }
            let _ = server
                .write_all(
                    b"\0Nov 30 05:33:32 iPhone BackupAgent2[1] <Notice>: Scanned in 1.0 s\n\0",
                )
                .await;
        });
        let mut r = relay(Box::new(client));
        let mut s = RelaySplitter::new();
        let mut lines = Vec::new();
        while lines.len() < 2 {
            match r.read(Duration::from_secs(5)).await {
                Ok(Some(b)) => {
                    assert!(b.len() <= CHUNK);
                    lines.extend(s.push(b));
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(lines[0].len(), MAX_LINE, "the endless line is cut");
        assert!(lines[1].ends_with("Scanned in 1.0 s"));
        assert_eq!(s.cut, 1);
    }
}
