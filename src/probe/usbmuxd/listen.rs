//! usbmuxd's `Listen` feed: after `Result 0` the daemon sends an `Attached`
//! message for every phone already there, then one message per plug event
//! (`Attached`, `Detached`, `Paired`) for as long as the connection stays open.
//!
//! Every read is bounded: a frame may announce at most [`MAX_EVENT_BYTES`]
//! (usbmuxd itself refuses anything over 64 KiB), and once its first byte has
//! arrived the rest must follow within [`MID_FRAME_TIMEOUT`]. Waiting for the
//! *next* event is unbounded on purpose (a quiet bus is normal); callers end
//! it by dropping the future (a window closing, Ctrl-C, `--duration`). A
//! daemon that closes the connection is reported as a `Closed` failure, which
//! callers record as an event, never a crash.

use std::future::Future;
use std::time::Duration;

use plist::{Dictionary, Value};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::time::Instant;

use super::device_list::{parse_device_list, parse_entry};
use crate::platform::mux_address::MuxEndpoint;
use crate::probe::transport::mux_client::{MuxClient, MuxStream};
use crate::probe::transport::read_full::read_full;
use crate::probe::transport::usbmux_frame::{body_len, parse_body, HEADER_LEN};
use crate::probe::transport::{io_failure, Deadline};
use crate::snapshot::{Failure, FailureKind, ListenObs, MuxDevice};

/// Plug messages are a few hundred bytes; this is usbmuxd's own limit.
pub const MAX_EVENT_BYTES: u32 = 64 * 1024;
/// Once a frame has started, the rest of it must arrive within this.
pub const MID_FRAME_TIMEOUT: Duration = Duration::from_secs(5);

/// How a feed frame is named in evidence.
const FRAME: &str = "a Listen message";

pub use crate::watch::{EventTracker, ListenMessage};

/// Parses one feed message. A message without a usable DeviceID is a
/// protocol error (it cannot be related to any phone).
pub fn parse_message(d: &Dictionary) -> Result<ListenMessage, Failure> {
    let Some(kind) = d.get("MessageType").and_then(Value::as_string) else {
        return Err(Failure::new(
            FailureKind::ProtocolError,
            "a Listen message has no MessageType",
        ));
    };
    let device_id = || {
        d.get("DeviceID")
            .and_then(Value::as_unsigned_integer)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| {
                Failure::new(
                    FailureKind::ProtocolError,
                    format!("a {kind} message has no valid DeviceID"),
                )
            })
    };
    match kind {
        "Attached" => parse_entry(&Value::Dictionary(d.clone()))
            .map(ListenMessage::Attached)
            .ok_or_else(|| {
                Failure::new(
                    FailureKind::ProtocolError,
                    "an Attached message lacks the DeviceID or the SerialNumber",
                )
            }),
        "Detached" => Ok(ListenMessage::Detached {
            device_id: device_id()?,
        }),
        "Paired" => Ok(ListenMessage::Paired {
            device_id: device_id()?,
        }),
        other => Ok(ListenMessage::Other(other.to_string())),
    }
}

/// A subscribed connection.
pub struct Listener {
    stream: Box<dyn MuxStream>,
    present: Vec<MuxDevice>,
}

impl Listener {
    /// Connects, reads the device list, then sends `Listen` on the same
    /// connection and checks its `Result`. Bounded by `deadline`. A phone
    /// that leaves in the millisecond between the two requests is missed
    /// (usbmuxd's initial `Attached` burst cannot be told from later ones,
    /// so the list is what separates "already there" from "just arrived").
    /// Debian's usbmuxd 1.1.1 accepts both on one connection
    /// (tests/real_usbmuxd.rs).
    pub async fn start(endpoint: &MuxEndpoint, deadline: Deadline) -> Result<Self, Failure> {
        let mut conn = MuxClient::connect(endpoint, deadline).await?;
        let list = conn
            .request("ListDevices", Dictionary::new(), deadline)
            .await?;
        let present = parse_device_list(&list)?;
        let reply = conn.request("Listen", Dictionary::new(), deadline).await?;
        match reply.get("Number").and_then(Value::as_unsigned_integer) {
            Some(0) => {}
            Some(n) => {
                return Err(Failure::new(
                    FailureKind::Refused,
                    format!("usbmuxd refused Listen with Result {n}"),
                ))
            }
            None => {
                return Err(Failure::new(
                    FailureKind::ProtocolError,
                    "usbmuxd's reply to Listen has no Result number",
                ))
            }
        }
        Ok(Self {
            stream: conn.into_stream(),
            present,
        })
    }

    /// The phones listed just before subscribing.
    pub fn present(&self) -> &[MuxDevice] {
        &self.present
    }

    /// The next message. Waits as long as the feed is quiet; not cancel-safe
    /// (a message half read when the future is dropped is lost), so drop it
    /// only to stop listening.
    pub async fn next(&mut self) -> Result<ListenMessage, Failure> {
        let d = read_event(&mut self.stream, MAX_EVENT_BYTES, MID_FRAME_TIMEOUT).await?;
        parse_message(&d)
    }
}

/// Reads one frame of the feed: unbounded wait for its first byte, then the
/// rest within `mid_frame`, never more than `cap` bytes.
pub async fn read_event(
    stream: &mut (impl AsyncRead + Unpin + ?Sized),
    cap: u32,
    mid_frame: Duration,
) -> Result<Dictionary, Failure> {
    let mut header = [0u8; HEADER_LEN];
    let first = stream
        .read(&mut header)
        .await
        .map_err(|e| io_failure("read the Listen feed", &e))?;
    if first == 0 {
        return Err(Failure::new(
            FailureKind::Closed,
            "usbmuxd closed the Listen connection",
        ));
    }
    let rest = async {
        fill(stream, &mut header[first..], "header").await?;
        let mut body = vec![0u8; body_len(&header, cap, FRAME)?];
        fill(stream, &mut body, "body").await?;
        // Through the bounded parser: a few hundred bytes of shared objects
        // in an `Attached` message must not expand without bound.
        parse_body(&body, FRAME)
    };
    match tokio::time::timeout(mid_frame, rest).await {
        Ok(r) => r,
        Err(_) => Err(Failure::new(
            FailureKind::TimedOut,
            format!(
                "usbmuxd stopped in the middle of a Listen message for {} s",
                mid_frame.as_secs_f64()
            ),
        )),
    }
}

async fn fill(
    stream: &mut (impl AsyncRead + Unpin + ?Sized),
    buf: &mut [u8],
    part: &str,
) -> Result<(), Failure> {
    let len = buf.len();
    read_full(stream, buf, "read the Listen feed", |filled| {
        format!("usbmuxd closed the Listen connection in the middle of a message ({filled} of {len} {part} bytes)")
    })
    .await
}

/// The most plug events the listen window of `diagnose` keeps. A phone
/// re-plugged in a loose socket makes a few a second; a feed that sends
/// more than this within one check is flooding (issue 30: an endless stream
/// of `Attached` took the report to megabytes), and is not read further.
pub const MAX_WINDOW_EVENTS: usize = 500;

/// Why the window stopped reading a flooding feed.
fn flooded(at_ms: u64) -> Failure {
    Failure::new(
        FailureKind::ProtocolError,
        format!(
            "usbmuxd sent more than {MAX_WINDOW_EVENTS} plug events in {:.1} s without pause; the feed was not read further",
            at_ms as f64 / 1000.0
        ),
    )
}

/// The listen window of `diagnose`: follows the feed from the start of the
/// probes until they are all done (`others_done` resolves), but at least
/// `min_window`, and never past `deadline`. `progress` gets the observation
/// after every event, so an interrupted run keeps what was seen.
pub async fn window(
    endpoint: &MuxEndpoint,
    deadline: Deadline,
    min_window: Duration,
    others_done: impl Future<Output = ()>,
    mut progress: impl FnMut(&ListenObs),
) -> Result<ListenObs, Failure> {
    let started = Instant::now();
    let mut listener = Listener::start(endpoint, deadline).await?;
    let mut obs = ListenObs {
        present_at_start: listener.present().to_vec(),
        ..ListenObs::default()
    };
    let mut tracker = EventTracker::new(listener.present());
    progress(&obs);
    let min_end = (started + min_window).min(deadline.instant());
    let stop = async {
        tokio::time::sleep_until(min_end).await;
        others_done.await;
    };
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            () = tokio::time::sleep_until(deadline.instant()) => break,
            msg = listener.next() => match msg {
                Ok(m) => {
                    let at_ms = started.elapsed().as_millis() as u64;
                    if let Some(e) = tracker.event(m, at_ms) {
                        if obs.events.len() >= MAX_WINDOW_EVENTS {
                            // A feed that floods is not read further: what it
                            // sent so far is kept, and why it stopped.
                            obs.ended_early = Some(flooded(at_ms));
                            break;
                        }
                        obs.events.push(e);
                        obs.window_ms = at_ms;
                        progress(&obs);
                    }
                }
                Err(f) => {
                    obs.ended_early = Some(f);
                    break;
                }
            },
        }
    }
    obs.window_ms = started.elapsed().as_millis() as u64;
    Ok(obs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    fn frame(body: &[u8], len_override: Option<u32>) -> Vec<u8> {
        let len = len_override.unwrap_or((body.len() + 16) as u32);
        let mut f = Vec::new();
        for w in [len, 1, 8, 0] {
            f.extend_from_slice(&w.to_le_bytes());
        }
        f.extend_from_slice(body);
        f
    }

    fn xml(d: &Dictionary) -> Vec<u8> {
        let mut body = Vec::new();
        plist::to_writer_xml(&mut body, d).unwrap();
        body
    }

    fn dict(xml_body: &str) -> Dictionary {
        plist::from_bytes(
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>{xml_body}</dict></plist>"#)
                .as_bytes(),
        )
        .unwrap()
    }

    const ATTACHED: &str = "<key>DeviceID</key><integer>4</integer><key>MessageType</key><string>Attached</string>\
        <key>Properties</key><dict><key>ConnectionType</key><string>USB</string><key>DeviceID</key><integer>4</integer>\
        <key>LocationID</key><integer>196614</integer><key>ProductID</key><integer>4776</integer>\
        <key>SerialNumber</key><string>c28d82f1df2580e648ad0225461d5592b8558bf7</string></dict>";

    async fn read_from(bytes: Vec<u8>) -> Result<Dictionary, Failure> {
        let (mut client, mut server) = tokio::io::duplex(256 * 1024);
        tokio::spawn(async move {
            let _ = server.write_all(&bytes).await;
        });
        read_event(&mut client, MAX_EVENT_BYTES, MID_FRAME_TIMEOUT).await
    }

    #[test]
    fn parses_attached_detached_paired_and_unknown() {
        match parse_message(&dict(ATTACHED)).unwrap() {
            ListenMessage::Attached(d) => {
                assert_eq!(d.device_id, 4);
                assert_eq!(d.udid, "c28d82f1df2580e648ad0225461d5592b8558bf7");
                assert_eq!(d.product_id, Some(4776));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_message(&dict(
                "<key>DeviceID</key><integer>3</integer><key>MessageType</key><string>Detached</string>"
            ))
            .unwrap(),
            ListenMessage::Detached { device_id: 3 }
        );
        assert_eq!(
            parse_message(&dict(
                "<key>DeviceID</key><integer>3</integer><key>MessageType</key><string>Paired</string>"
            ))
            .unwrap(),
            ListenMessage::Paired { device_id: 3 }
        );
        assert_eq!(
            parse_message(&dict("<key>MessageType</key><string>Frobbed</string>")).unwrap(),
            ListenMessage::Other("Frobbed".into())
        );
    }

    #[test]
    fn rejects_messages_that_name_no_phone() {
        for body in [
            "<key>MessageType</key><string>Detached</string>",
            "<key>DeviceID</key><integer>-1</integer><key>MessageType</key><string>Detached</string>",
            "<key>DeviceID</key><integer>99999999999</integer><key>MessageType</key><string>Paired</string>",
            "<key>DeviceID</key><integer>4</integer><key>MessageType</key><string>Attached</string>",
            "<key>DeviceID</key><string>4</string>",
        ] {
            let e = parse_message(&dict(body)).unwrap_err();
            assert_eq!(e.kind, FailureKind::ProtocolError, "{body}");
        }
    }

    #[tokio::test]
    async fn reads_a_frame_and_classifies_bad_ones() {
        let ok = read_from(frame(&xml(&dict(ATTACHED)), None)).await.unwrap();
        assert_eq!(
            ok.get("MessageType").and_then(Value::as_string),
            Some("Attached")
        );

        let huge = read_from(frame(b"", Some(0xFFFF_FFF0))).await.unwrap_err();
        assert_eq!(huge.kind, FailureKind::ProtocolError);
        assert!(huge.message.contains("4294967280"), "{}", huge.message);

        let over_cap = read_from(frame(b"", Some(MAX_EVENT_BYTES + 1)))
            .await
            .unwrap_err();
        assert_eq!(over_cap.kind, FailureKind::ProtocolError);

        let tiny = read_from(frame(b"", Some(3))).await.unwrap_err();
        assert_eq!(tiny.kind, FailureKind::ProtocolError);

        let garbage = read_from(frame(b"\x00\x01\x02garbage", None))
            .await
            .unwrap_err();
        assert_eq!(garbage.kind, FailureKind::ProtocolError);

        let text = read_from(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec())
            .await
            .unwrap_err();
        assert_eq!(text.kind, FailureKind::ProtocolError);

        let array = read_from(frame(
            br#"<?xml version="1.0"?><plist version="1.0"><array/></plist>"#,
            None,
        ))
        .await
        .unwrap_err();
        assert!(array.message.contains("not a dictionary"));
    }

    #[tokio::test]
    async fn a_shared_object_bomb_in_an_attached_message_is_refused() {
        // A few hundred bytes that expand to 2^40 strings: before the feed
        // went through the bounded parser, this ran until memory ran out.
        let bomb = crate::plist_bounded::hostile::shared_object_bomb(40);
        assert!(bomb.len() < 400);
        let refused = read_from(frame(&bomb, None)).await.unwrap_err();
        assert_eq!(refused.kind, FailureKind::ProtocolError);
        assert!(
            refused.message.contains("referenced over and over"),
            "{}",
            refused.message
        );
    }

    #[tokio::test]
    async fn a_closed_connection_is_a_closed_failure() {
        let closed = read_from(vec![]).await.unwrap_err();
        assert_eq!(closed.kind, FailureKind::Closed);
        assert!(closed.message.contains("closed the Listen connection"));

        let mid_header = read_from(vec![0x40, 0, 0]).await.unwrap_err();
        assert_eq!(mid_header.kind, FailureKind::Closed);
        assert!(
            mid_header.message.contains("middle"),
            "{}",
            mid_header.message
        );

        let mut cut = frame(&xml(&dict(ATTACHED)), None);
        cut.truncate(40);
        let mid_body = read_from(cut).await.unwrap_err();
        assert_eq!(mid_body.kind, FailureKind::Closed);
        assert!(mid_body.message.contains("body"), "{}", mid_body.message);
    }

    #[tokio::test(start_paused = true)]
    async fn a_frame_that_stalls_halfway_times_out() {
        let (mut client, mut server) = tokio::io::duplex(1024);
        server.write_all(&[0x40, 0, 0, 0, 1]).await.unwrap();
        // `server` stays open and silent.
        let e = read_event(&mut client, MAX_EVENT_BYTES, MID_FRAME_TIMEOUT)
            .await
            .unwrap_err();
        assert_eq!(e.kind, FailureKind::TimedOut);
        drop(server);
    }
}
