//! The phone's live log, `com.apple.syslog_relay`, read-only: a short
//! trusted session starts the service (never `com.apple.mobilebackup2`),
//! then its port gives raw bytes with no framing, each message ending in a
//! NUL (libimobiledevice `src/syslog_relay.c`, `tools/idevicesyslog.c`).
//! Splitting them into lines, in bounded memory, is the core's
//! [`crate::phone_log::RelaySplitter`]; this side only reads, each read
//! under a deadline and into a fixed buffer.

use std::path::Path;
use std::time::Duration;

use tokio::io::AsyncReadExt;

use crate::platform::mux_address::MuxEndpoint;
use crate::probe::device::{connect::connect_port, Steps};
use crate::probe::lockdown::framing::{DeviceStream, PlistStream};
use crate::probe::lockdown::{service_session, tls};
use crate::probe::{pairing, Deadline};
use crate::snapshot::{Failure, FailureKind};

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
    /// Looks up the pair record, starts the relay in a session and connects
    /// to it (TLS when `StartService` says `EnableServiceSSL`). Keys stay in
    /// memory and are dropped when this returns.
    pub async fn open(
        endpoint: &MuxEndpoint,
        device_id: u32,
        udid: &str,
        record_file: Option<&Path>,
        steps: Steps,
    ) -> Result<Self, Failure> {
        let (_, secrets) = pairing::probe(endpoint, udid, record_file, steps.op()).await;
        let secrets = secrets.ok_or_else(|| {
            Failure::new(
                FailureKind::NotFound,
                "no usable pair record for the phone: its log is not readable",
            )
        })?;
        let ticket =
            service_session::start_service(endpoint, device_id, &secrets, SERVICE, steps).await?;
        let stream = connect_port(endpoint, device_id, ticket.port, steps.op()).await?;
        let stream = if ticket.ssl {
            let pf = secrets.pairing_file().ok_or_else(|| {
                Failure::new(
                    FailureKind::ProtocolError,
                    "the relay wants TLS and the pair record has no usable keys",
                )
            })?;
            tls(PlistStream::new(stream), pf, steps)
                .await
                .map_err(|(_, m)| Failure::new(FailureKind::ProtocolError, m))?
                .into_inner()
        } else {
            stream
        };
        Ok(Self {
            stream,
            buf: vec![0; CHUNK],
        })
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
            Ok(Err(e)) => Err(crate::probe::deadline::io_failure("read the log relay", &e)),
        }
    }
}
