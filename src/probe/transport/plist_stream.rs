//! lockdownd's framing, also used by the services it starts (plist framing): a 4-byte
//! big-endian length, then a plist. Written here rather than through the
//! idevice crate's `Idevice` so that every read is bounded in size and time
//! and nothing we send or receive is logged (a StartSession reply carries
//! the session id, a Pair request carries keys).

use plist::Value;
use tokio::io::AsyncWriteExt;

use super::deadline::{io_failure, Deadline};
use super::read_full::read_full;
use crate::snapshot::{Failure, FailureKind};

/// Anything a lockdown conversation can run over (plain or TLS).
pub type DeviceStream = Box<dyn idevice::ReadWrite>;

/// Messages larger than this are refused unread: the biggest lockdown
/// answer (every root value in a session) is a few kB.
pub const MAX_MESSAGE_BYTES: u32 = 1024 * 1024;

/// One length-prefixed plist conversation with the phone.
pub struct PlistStream {
    stream: DeviceStream,
}

impl std::fmt::Debug for PlistStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlistStream")
    }
}

impl PlistStream {
    pub fn new(stream: DeviceStream) -> Self {
        Self { stream }
    }

    /// Takes the connection out, leaving a closed placeholder behind.
    pub fn take(&mut self) -> PlistStream {
        let closed: DeviceStream = Box::new(tokio::io::duplex(1).0);
        PlistStream::new(std::mem::replace(&mut self.stream, closed))
    }

    pub fn into_inner(self) -> DeviceStream {
        self.stream
    }

    /// Sends one message, XML (lockdownd) or binary (DeviceLink services).
    pub async fn send(
        &mut self,
        what: &str,
        message: &Value,
        binary: bool,
        deadline: Deadline,
    ) -> Result<(), Failure> {
        let frame = encode(message, binary)?;
        deadline
            .run(what, async {
                self.stream
                    .write_all(&frame)
                    .await
                    .map_err(|e| io_failure(&format!("send {what}"), &e))?;
                self.stream
                    .flush()
                    .await
                    .map_err(|e| io_failure(&format!("send {what}"), &e))
            })
            .await
    }

    /// Reads one message, checking its length before reading it.
    pub async fn recv(&mut self, what: &str, deadline: Deadline) -> Result<Value, Failure> {
        deadline
            .run(what, async {
                let mut len = [0u8; 4];
                read_exact(&mut self.stream, &mut len, what).await?;
                let n = u32::from_be_bytes(len);
                if n == 0 || n > MAX_MESSAGE_BYTES {
                    return Err(Failure::new(
                        FailureKind::ProtocolError,
                        format!(
                            "the answer to {what} announces {n} bytes; refusing anything over {MAX_MESSAGE_BYTES}"
                        ),
                    ));
                }
                let mut body = vec![0u8; n as usize];
                read_exact(&mut self.stream, &mut body, what).await?;
                parse_message(&body, what)
            })
            .await
    }
}

/// One message body (after the length), through the bounded plist reader:
/// a 1 MiB answer of nested arrays would otherwise overflow the stack.
pub fn parse_message(body: &[u8], what: &str) -> Result<Value, Failure> {
    crate::plist_bounded::parse_plist(body).map_err(|e| {
        Failure::new(
            FailureKind::ProtocolError,
            format!("the answer to {what} is refused: {e}"),
        )
    })
}

pub fn encode(message: &Value, binary: bool) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    let written = if binary {
        message.to_writer_binary(&mut body)
    } else {
        message.to_writer_xml(&mut body)
    };
    written.map_err(|e| Failure::new(FailureKind::Io, format!("encode a request: {e}")))?;
    let len = u32::try_from(body.len())
        .map_err(|_| Failure::new(FailureKind::Io, "request too large"))?;
    let mut frame = Vec::with_capacity(body.len() + 4);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(&body);
    Ok(frame)
}

async fn read_exact(stream: &mut DeviceStream, buf: &mut [u8], what: &str) -> Result<(), Failure> {
    let len = buf.len();
    read_full(stream, buf, &format!("read the answer to {what}"), |filled| {
        format!("the phone closed the connection after {filled} of {len} bytes of the answer to {what}")
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn answer(bytes: Vec<u8>) -> Result<Value, Failure> {
        let (client, mut server) = tokio::io::duplex(64 * 1024);
        tokio::spawn(async move {
            let _ = server.write_all(&bytes).await;
        });
        let mut s = PlistStream::new(Box::new(client));
        s.recv("QueryType", Deadline::after(Duration::from_secs(5)))
            .await
    }

    #[tokio::test]
    async fn round_trips_both_encodings() {
        let mut d = plist::Dictionary::new();
        d.insert("Request".into(), "QueryType".into());
        let v = Value::Dictionary(d);
        for binary in [false, true] {
            let got = answer(encode(&v, binary).unwrap()).await.unwrap();
            assert_eq!(got, v);
        }
    }

    #[tokio::test]
    async fn refuses_deep_nesting_without_overflowing() {
        // 65 000 levels fit under the 1 MiB cap; dropping them would recurse.
        let levels = 65_000;
        let body = format!(
            "<plist version=\"1.0\">{}{}</plist>",
            "<array>".repeat(levels),
            "</array>".repeat(levels)
        );
        let mut frame = (body.len() as u32).to_be_bytes().to_vec();
        frame.extend_from_slice(body.as_bytes());
        let deep = answer(frame).await.unwrap_err();
        assert_eq!(deep.kind, FailureKind::ProtocolError);
        assert!(deep.message.contains("nested"), "{}", deep.message);
    }

    #[tokio::test]
    async fn classifies_bad_answers() {
        let huge = answer(vec![0xff, 0xff, 0xff, 0xf0]).await.unwrap_err();
        assert_eq!(huge.kind, FailureKind::ProtocolError);
        let garbage = answer([&[0, 0, 0, 4][..], b"junk"].concat())
            .await
            .unwrap_err();
        assert_eq!(garbage.kind, FailureKind::ProtocolError);
        let cut = answer(vec![0, 0, 1, 0, b'<']).await.unwrap_err();
        assert_eq!(cut.kind, FailureKind::Closed);
        let empty = answer(vec![0, 0, 0, 0]).await.unwrap_err();
        assert_eq!(empty.kind, FailureKind::ProtocolError);
    }

    #[tokio::test(start_paused = true)]
    async fn silence_times_out() {
        let (client, _server) = tokio::io::duplex(1024);
        let mut s = PlistStream::new(Box::new(client));
        let f = s
            .recv("GetValue", Deadline::after(Duration::from_secs(2)))
            .await
            .unwrap_err();
        assert_eq!(f.kind, FailureKind::TimedOut);
    }
}
