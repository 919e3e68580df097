//! A usbmuxd connection speaking the plist protocol: a 16-byte little-endian
//! header (length, version 1, message 8, tag) and an XML plist. Written here
//! rather than through the idevice crate's client because the probe needs
//! the raw `ListDevices` reply (ConnectionSpeed, ProductID, LocationID) and
//! precise failure kinds (garbage, absurd length, mid-message close).

use std::path::Path;

use plist::Dictionary;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use super::deadline::{io_failure, Deadline};
use super::read_full::read_full;
use super::usbmux_frame::{body_len, encode, parse_body, HEADER_LEN};
use crate::platform::mux_address::MuxEndpoint;
use crate::snapshot::{Failure, FailureKind};

/// Replies larger than this are refused unread: a device list with dozens of
/// phones is a few kB, a pair record a few kB.
pub const MAX_REPLY_BYTES: u32 = 4 * 1024 * 1024;

/// Anything a usbmuxd connection can run over.
pub trait MuxStream: AsyncRead + AsyncWrite + Unpin + Send + Sync + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Sync + std::fmt::Debug> MuxStream for T {}

/// One request/reply connection to usbmuxd (a client of the daemon; not to be
/// confused with the snapshot's `MuxConnection`, how a phone is linked).
pub struct MuxClient {
    stream: Box<dyn MuxStream>,
    tag: u32,
}

impl MuxClient {
    /// Connects to the daemon; a missing socket, a refusal and a permission
    /// problem each become their own failure kind.
    pub async fn connect(endpoint: &MuxEndpoint, deadline: Deadline) -> Result<Self, Failure> {
        Self::connect_inner(endpoint, deadline)
            .await
            .map_err(nothing_there)
    }

    async fn connect_inner(endpoint: &MuxEndpoint, deadline: Deadline) -> Result<Self, Failure> {
        let stream: Box<dyn MuxStream> = match endpoint {
            MuxEndpoint::Unix(path) => deadline.run("connect", connect_unix(path)).await?,
            MuxEndpoint::Tcp { host, port } => {
                let addr = format!("{host}:{port}");
                deadline
                    .run("connect", async {
                        tokio::net::TcpStream::connect(&addr)
                            .await
                            .map(|s| Box::new(s) as Box<dyn MuxStream>)
                            .map_err(|e| io_failure(&format!("connect to {addr}"), &e))
                    })
                    .await?
            }
        };
        Ok(Self { stream, tag: 0 })
    }

    /// Sends one request and reads its reply dictionary.
    pub async fn request(
        &mut self,
        message_type: &str,
        mut fields: Dictionary,
        deadline: Deadline,
    ) -> Result<Dictionary, Failure> {
        self.tag = self.tag.wrapping_add(1);
        fields.insert("MessageType".into(), message_type.into());
        fields.insert(
            "ClientVersionString".into(),
            concat!("iphone-backup-check ", env!("CARGO_PKG_VERSION")).into(),
        );
        fields.insert("ProgName".into(), "iphone-backup-check".into());
        fields.insert("kLibUSBMuxVersion".into(), 3u64.into());
        let frame = encode(&fields, self.tag)?;
        deadline
            .run(message_type, async {
                self.stream
                    .write_all(&frame)
                    .await
                    .map_err(|e| io_failure(&format!("send {message_type}"), &e))?;
                read_reply(&mut self.stream, message_type).await
            })
            .await
    }

    /// Gives up the stream, e.g. after `Connect` made it a tunnel to the phone.
    pub fn into_stream(self) -> Box<dyn MuxStream> {
        self.stream
    }
}

/// A connect that fails for any other reason than refusal, permission or
/// time (a host name that does not resolve, an unreachable network, a path
/// through a file) means nothing usable is at the address: `not-found`, so
/// that `usbmuxd.not-running` reports it instead of no finding at all.
fn nothing_there(f: Failure) -> Failure {
    if f.kind == FailureKind::Io {
        Failure::new(FailureKind::NotFound, f.message)
    } else {
        f
    }
}

#[cfg(unix)]
async fn connect_unix(path: &Path) -> Result<Box<dyn MuxStream>, Failure> {
    tokio::net::UnixStream::connect(path)
        .await
        .map(|s| Box::new(s) as Box<dyn MuxStream>)
        .map_err(|e| io_failure(&format!("connect to {}", path.display()), &e))
}

#[cfg(not(unix))]
async fn connect_unix(path: &Path) -> Result<Box<dyn MuxStream>, Failure> {
    Err(Failure::new(
        FailureKind::Unavailable,
        format!("UNIX sockets are not available here ({})", path.display()),
    ))
}

/// Reads one reply frame, checking the header before trusting its length.
pub async fn read_reply(
    stream: &mut (impl AsyncRead + Unpin + ?Sized),
    what: &str,
) -> Result<Dictionary, Failure> {
    let mut header = [0u8; HEADER_LEN];
    read_part(stream, &mut header, what, "header").await?;
    let frame = format!("reply to {what}");
    let mut body = vec![0u8; body_len(&header, MAX_REPLY_BYTES, &frame)?];
    read_part(stream, &mut body, what, "body").await?;
    parse_body(&body, &frame)
}

async fn read_part(
    stream: &mut (impl AsyncRead + Unpin + ?Sized),
    buf: &mut [u8],
    what: &str,
    part: &str,
) -> Result<(), Failure> {
    let len = buf.len();
    read_full(stream, buf, &format!("read reply to {what}"), |filled| {
        format!("connection closed after {filled} of {len} {part} bytes of the reply to {what}")
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn reply_from(bytes: Vec<u8>) -> Result<Dictionary, Failure> {
        let (mut client, mut server) = tokio::io::duplex(64 * 1024);
        tokio::spawn(async move {
            let _ = server.write_all(&bytes).await;
            // dropping `server` closes the stream
        });
        read_reply(&mut client, "ListDevices").await
    }

    fn frame(body: &[u8], len_override: Option<u32>) -> Vec<u8> {
        let len = len_override.unwrap_or((body.len() + 16) as u32);
        let mut f = Vec::new();
        for w in [len, 1, 8, 1] {
            f.extend_from_slice(&w.to_le_bytes());
        }
        f.extend_from_slice(body);
        f
    }

    #[tokio::test]
    async fn reads_a_well_formed_reply() {
        let mut d = Dictionary::new();
        d.insert("DeviceList".into(), plist::Value::Array(vec![]));
        let mut body = Vec::new();
        plist::to_writer_xml(&mut body, &d).unwrap();
        let got = reply_from(frame(&body, None)).await.unwrap();
        assert!(got.contains_key("DeviceList"));
    }

    #[tokio::test]
    async fn classifies_bad_replies() {
        let huge = reply_from(frame(b"", Some(0xFFFF_FFF0))).await.unwrap_err();
        assert_eq!(huge.kind, FailureKind::ProtocolError);
        assert!(huge.message.contains("4294967280"));

        let text = reply_from(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec())
            .await
            .unwrap_err();
        assert_eq!(text.kind, FailureKind::ProtocolError);
        assert!(text.message.contains("HTTP/1.1"), "{}", text.message);

        let garbage = reply_from(frame(b"\x00\x01garbage", None))
            .await
            .unwrap_err();
        assert_eq!(garbage.kind, FailureKind::ProtocolError);

        let cut = reply_from(frame(b"<?xml", Some(400))).await.unwrap_err();
        assert_eq!(cut.kind, FailureKind::Closed);

        let nothing = reply_from(vec![]).await.unwrap_err();
        assert_eq!(nothing.kind, FailureKind::Closed);
    }

    #[tokio::test]
    async fn refuses_deep_nesting_and_shared_object_bombs() {
        // Under the 4 MiB cap, but dropping it would recurse 250 000 times.
        let levels = 250_000;
        let body = format!(
            "<plist version=\"1.0\"><dict><key>DeviceList</key>{}{}</dict></plist>",
            "<array>".repeat(levels),
            "</array>".repeat(levels)
        );
        let deep = reply_from(frame(body.as_bytes(), None)).await.unwrap_err();
        assert_eq!(deep.kind, FailureKind::ProtocolError);
        assert!(deep.message.contains("nested"), "{}", deep.message);
    }

    #[tokio::test]
    async fn an_address_that_leads_nowhere_is_not_found() {
        let deadline = Deadline::after(std::time::Duration::from_secs(5));
        for endpoint in [
            MuxEndpoint::Tcp {
                host: "no-such-host.invalid".into(),
                port: 27015,
            },
            MuxEndpoint::Unix("/etc/hostname/usbmuxd".into()),
        ] {
            let Err(err) = MuxClient::connect(&endpoint, deadline).await else {
                panic!("{endpoint:?} connected");
            };
            assert_eq!(err.kind, FailureKind::NotFound, "{endpoint:?}: {err:?}");
        }
    }
}
