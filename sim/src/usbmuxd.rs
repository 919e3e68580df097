//! The usbmuxd daemon side: one task per client connection.
//!
//! Behaviour follows Debian's usbmuxd 1.1.1 (`src/client.c`):
//! - header length above 0x10000 or below 16: the connection is closed without an answer;
//! - header version other than 0 or 1: `Result` 6 (BADVERSION);
//! - message 8 with a payload that is not an XML plist dictionary (a binary plist included),
//!   or without `MessageType`: no answer at all, the connection stays open;
//! - unknown `MessageType` or unknown binary message: `Result` 1 (BADCOMMAND);
//! - `Connect` to an unknown DeviceID: `Result` 2; to a closed port: `Result` 3;
//! - `ReadPairRecord` without a record: `Result` 2 (ENOENT);
//! - results are XML plists once the client sent a plist request, binary before.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::audit::{AuditEntry, Layer};
use crate::device_stream::Io;
use crate::scenario::Fault;
use crate::state::{DeviceView, MuxEvent, ServiceKind, Shared, BODY, IDLE};
use crate::usbmux_frame::{self as frame, Header, Incoming};
use crate::{lockdown, services};

/// lockdownd's port on the phone.
pub const LOCKDOWN_PORT: u16 = 62078;

enum Next {
    Continue,
    Close,
    /// `events` is subscribed before the `Result` is sent, so no plug event
    /// falls between the client's `Result 0` and the feed (usbmuxd, being
    /// single-threaded, never loses one there either).
    Listen {
        plist: bool,
        events: tokio::sync::broadcast::Receiver<MuxEvent>,
    },
    Lockdown(DeviceView),
    Service(DeviceView, ServiceKind),
}

/// Serves one client connection until it closes, times out, or becomes a device stream.
pub async fn serve_client(shared: Arc<Shared>, mut s: Box<dyn Io>) {
    let mut plist_client = false;
    loop {
        let (h, payload) = match frame::read_request(&mut s, IDLE, BODY).await {
            Incoming::Packet(h, p) => (h, p),
            Incoming::TooLong(h) => {
                audit_bad(&shared, "<oversized-header>", &h);
                return;
            }
            Incoming::TooShort(h) => {
                audit_bad(&shared, "<undersized-header>", &h);
                return;
            }
            Incoming::Closed | Incoming::TimedOut => return,
        };
        if let Some(fault) = shared.scenario.daemon.fault {
            audit_request(&shared, &h, &payload, Some(fault));
            if !apply_fault(&mut s, fault, &h).await {
                return;
            }
            continue;
        }
        let next = handle(&shared, &mut s, &mut plist_client, h, &payload).await;
        match next {
            Next::Continue => {}
            Next::Close => return,
            Next::Listen { plist, events } => return listen(&shared, s, plist, events).await,
            Next::Lockdown(view) => return lockdown::serve(shared, view, s).await,
            Next::Service(view, kind) => return services::serve(shared, view, kind, s).await,
        }
    }
}

fn audit_bad(shared: &Shared, name: &str, h: &Header) {
    shared
        .audit
        .record(AuditEntry::new(Layer::Usbmuxd, name).detail(format!(
            "length={:#x} version={} message={} tag={}",
            h.length, h.version, h.message, h.tag
        )));
}

/// Logs a request that a fault scenario will not answer properly.
fn audit_request(shared: &Shared, h: &Header, payload: &[u8], fault: Option<Fault>) {
    let name = if h.message == frame::MSG_PLIST {
        match frame::parse_xml_dict(payload) {
            Ok(d) => d
                .get("MessageType")
                .and_then(|v| v.as_string())
                .unwrap_or("<missing-MessageType>")
                .to_string(),
            Err(e) => e.to_string(),
        }
    } else {
        format!("<message-{}>", h.message)
    };
    let mut e = AuditEntry::new(Layer::Usbmuxd, name);
    if let Some(f) = fault {
        e = e.detail(format!("fault {f:?}"));
    }
    shared.audit.record(e);
}

/// Answers the way a faulty daemon does. Returns false when the connection must close.
async fn apply_fault(s: &mut Box<dyn Io>, fault: Fault, h: &Header) -> bool {
    match fault {
        Fault::Hang => true,
        Fault::GarbagePayload => {
            let junk = b"\x00\x13\xfe\xffnot a property list \x7f\x80\x81";
            let _ = s
                .write_all(&frame::encode(1, frame::MSG_PLIST, h.tag, junk))
                .await;
            true
        }
        Fault::RawText => {
            let _ = s
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nbad request\n")
                .await;
            let _ = s.shutdown().await;
            false
        }
        Fault::HugeLength => {
            let mut out = Vec::new();
            out.extend_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes());
            out.extend_from_slice(&frame::MSG_PLIST.to_le_bytes());
            out.extend_from_slice(&h.tag.to_le_bytes());
            out.extend_from_slice(b"<?xml version=\"1.0\"");
            let _ = s.write_all(&out).await;
            true
        }
        Fault::CloseMidMessage => {
            let full = frame::encode_plist(h.tag, &result_dict(0));
            let cut = full.len() / 2;
            let _ = s.write_all(&full[..cut]).await;
            let _ = s.shutdown().await;
            false
        }
    }
}

fn result_dict(n: u32) -> plist::Dictionary {
    let mut d = plist::Dictionary::new();
    d.insert("MessageType".into(), "Result".into());
    d.insert("Number".into(), plist::Value::Integer(n.into()));
    d
}

async fn send(shared: &Shared, s: &mut Box<dyn Io>, bytes: &[u8]) -> bool {
    shared.delay().await;
    write_within(s, bytes).await
}

/// Writes with a deadline, so a client that stops reading cannot pin a task forever.
async fn write_within(s: &mut Box<dyn Io>, bytes: &[u8]) -> bool {
    let write = async { s.write_all(bytes).await.is_ok() && s.flush().await.is_ok() };
    tokio::time::timeout(BODY, write).await.unwrap_or(false)
}

async fn send_result(shared: &Shared, s: &mut Box<dyn Io>, plist: bool, tag: u32, n: u32) -> bool {
    send(shared, s, &frame::encode_result(plist, tag, n)).await
}

async fn handle(
    shared: &Shared,
    s: &mut Box<dyn Io>,
    plist_client: &mut bool,
    h: Header,
    payload: &[u8],
) -> Next {
    let ok = |sent: bool| if sent { Next::Continue } else { Next::Close };
    if h.version > 1 {
        audit_bad(shared, "<bad-version>", &h);
        return ok(send_result(shared, s, *plist_client, h.tag, frame::RESULT_BADVERSION).await);
    }
    match h.message {
        frame::MSG_PLIST => {
            *plist_client = true;
            let dict = match frame::parse_xml_dict(payload) {
                Ok(d) => d,
                Err(name) => {
                    // usbmuxd 1.1.1 logs "Could not parse plist from payload!" and answers
                    // nothing.
                    shared
                        .audit
                        .record(AuditEntry::new(Layer::Usbmuxd, name).detail(format!(
                            "{} bytes, no answer (as usbmuxd 1.1.1)",
                            payload.len()
                        )));
                    return Next::Continue;
                }
            };
            let Some(mt) = dict.get("MessageType").and_then(|v| v.as_string()) else {
                shared.audit.record(
                    AuditEntry::new(Layer::Usbmuxd, "<missing-MessageType>")
                        .detail("no answer (as usbmuxd 1.1.1)"),
                );
                return Next::Continue;
            };
            handle_plist(shared, s, h.tag, mt, &dict).await
        }
        frame::MSG_LISTEN => {
            shared
                .audit
                .record(AuditEntry::new(Layer::Usbmuxd, "Listen").detail("binary protocol"));
            let events = shared.events.subscribe();
            if !send_result(shared, s, *plist_client, h.tag, 0).await {
                return Next::Close;
            }
            Next::Listen {
                plist: *plist_client,
                events,
            }
        }
        frame::MSG_CONNECT => {
            let device_id = payload
                .get(0..4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            let port = payload.get(4..6).map(|b| u16::from_be_bytes([b[0], b[1]]));
            let (Some(device_id), Some(port)) = (device_id, port) else {
                audit_bad(shared, "<short-connect>", &h);
                return ok(
                    send_result(shared, s, *plist_client, h.tag, frame::RESULT_BADCOMMAND).await,
                );
            };
            connect(
                shared,
                s,
                *plist_client,
                h.tag,
                device_id,
                port,
                "binary protocol",
            )
            .await
        }
        other => {
            audit_bad(shared, &format!("<message-{other}>"), &h);
            ok(send_result(shared, s, *plist_client, h.tag, frame::RESULT_BADCOMMAND).await)
        }
    }
}

async fn handle_plist(
    shared: &Shared,
    s: &mut Box<dyn Io>,
    tag: u32,
    mt: &str,
    dict: &plist::Dictionary,
) -> Next {
    let ok = |sent: bool| if sent { Next::Continue } else { Next::Close };
    let record_id = dict.get("PairRecordID").and_then(|v| v.as_string());
    match mt {
        "ListDevices" => {
            shared.audit.record(AuditEntry::new(Layer::Usbmuxd, mt));
            let list: Vec<plist::Value> = shared
                .attached()
                .into_iter()
                .map(|(id, i)| plist::Value::Dictionary(attached_dict(shared, id, i)))
                .collect();
            let mut d = plist::Dictionary::new();
            d.insert("DeviceList".into(), plist::Value::Array(list));
            ok(send(shared, s, &frame::encode_plist(tag, &d)).await)
        }
        "ListListeners" => {
            shared.audit.record(AuditEntry::new(Layer::Usbmuxd, mt));
            let mut d = plist::Dictionary::new();
            d.insert("ListenerList".into(), plist::Value::Array(Vec::new()));
            ok(send(shared, s, &frame::encode_plist(tag, &d)).await)
        }
        "Listen" => {
            shared.audit.record(AuditEntry::new(Layer::Usbmuxd, mt));
            let events = shared.events.subscribe();
            if !send_result(shared, s, true, tag, 0).await {
                return Next::Close;
            }
            Next::Listen {
                plist: true,
                events,
            }
        }
        "ReadBUID" => {
            shared.audit.record(AuditEntry::new(Layer::Usbmuxd, mt));
            let mut d = plist::Dictionary::new();
            d.insert("BUID".into(), shared.buid.clone().into());
            ok(send(shared, s, &frame::encode_plist(tag, &d)).await)
        }
        "ReadPairRecord" => {
            let e = AuditEntry::new(Layer::Usbmuxd, mt).device(record_id);
            let Some(id) = record_id else {
                shared.audit.record(e.detail("no PairRecordID"));
                return ok(send_result(shared, s, true, tag, frame::RESULT_EINVAL).await);
            };
            match shared.pair_record(id) {
                Some(rec) => {
                    shared.audit.record(e.detail("record sent"));
                    let mut d = plist::Dictionary::new();
                    d.insert("PairRecordData".into(), plist::Value::Data(rec));
                    ok(send(shared, s, &frame::encode_plist(tag, &d)).await)
                }
                None => {
                    shared
                        .audit
                        .record(e.detail("no record: Result 2 (ENOENT)"));
                    ok(send_result(shared, s, true, tag, frame::RESULT_ENOENT).await)
                }
            }
        }
        "SavePairRecord" => {
            let data = match dict.get("PairRecordData") {
                Some(plist::Value::Data(d)) => Some(d.clone()),
                _ => None,
            };
            shared.audit.record(
                AuditEntry::new(Layer::Usbmuxd, mt)
                    .device(record_id)
                    .detail("WRITE: a diagnosis must never send this"),
            );
            let n = match record_id {
                Some(id) if data.is_some() => {
                    shared.store_record(id, data);
                    0
                }
                _ => frame::RESULT_EINVAL,
            };
            ok(send_result(shared, s, true, tag, n).await)
        }
        "DeletePairRecord" => {
            shared.audit.record(
                AuditEntry::new(Layer::Usbmuxd, mt)
                    .device(record_id)
                    .detail("WRITE: a diagnosis must never send this"),
            );
            // usbmuxd 1.1.1 answers ENOENT when there is no record file to remove.
            let n = match record_id {
                Some(id) if shared.pair_record(id).is_some() => {
                    shared.store_record(id, None);
                    0
                }
                Some(_) => frame::RESULT_ENOENT,
                None => frame::RESULT_EINVAL,
            };
            ok(send_result(shared, s, true, tag, n).await)
        }
        "Connect" => {
            let device_id = dict
                .get("DeviceID")
                .and_then(|v| v.as_unsigned_integer())
                .map(|v| v as u32);
            let port = dict
                .get("PortNumber")
                .and_then(|v| v.as_unsigned_integer())
                .map(|v| u16::from_be(v as u16));
            let Some(device_id) = device_id else {
                shared
                    .audit
                    .record(AuditEntry::new(Layer::Usbmuxd, mt).detail("no DeviceID"));
                return ok(send_result(shared, s, true, tag, frame::RESULT_BADDEV).await);
            };
            let Some(port) = port else {
                shared
                    .audit
                    .record(AuditEntry::new(Layer::Usbmuxd, mt).detail("no PortNumber"));
                return ok(send_result(shared, s, true, tag, frame::RESULT_BADCOMMAND).await);
            };
            connect(shared, s, true, tag, device_id, port, "").await
        }
        other => {
            shared.audit.record(
                AuditEntry::new(Layer::Usbmuxd, other).detail("unknown MessageType: Result 1"),
            );
            ok(send_result(shared, s, true, tag, frame::RESULT_BADCOMMAND).await)
        }
    }
}

async fn connect(
    shared: &Shared,
    s: &mut Box<dyn Io>,
    plist: bool,
    tag: u32,
    device_id: u32,
    port: u16,
    note: &str,
) -> Next {
    let view = shared.view_by_id(device_id);
    let udid = view.as_ref().map(|v| v.device.udid.clone());
    let entry = |detail: String| {
        let detail = if note.is_empty() {
            detail
        } else {
            format!("{detail} ({note})")
        };
        AuditEntry::new(Layer::Usbmuxd, "Connect")
            .device(udid.as_deref())
            .detail(detail)
    };
    let Some(view) = view else {
        shared.audit.record(entry(format!(
            "DeviceID {device_id} port {port}: no such device, Result 2"
        )));
        return if send_result(shared, s, plist, tag, frame::RESULT_BADDEV).await {
            Next::Continue
        } else {
            Next::Close
        };
    };
    let target = if port == LOCKDOWN_PORT && view.device.lockdownd {
        Some(None)
    } else {
        shared.take_service(device_id, port).map(Some)
    };
    match target {
        None => {
            shared.audit.record(entry(format!(
                "DeviceID {device_id} port {port}: refused, Result 3"
            )));
            if send_result(shared, s, plist, tag, frame::RESULT_CONNREFUSED).await {
                Next::Continue
            } else {
                Next::Close
            }
        }
        Some(kind) => {
            shared.audit.record(entry(format!(
                "DeviceID {device_id} port {port}: connected"
            )));
            if !send_result(shared, s, plist, tag, frame::RESULT_OK).await {
                return Next::Close;
            }
            match kind {
                None => Next::Lockdown(view),
                Some(k) => Next::Service(view, k),
            }
        }
    }
}

fn attached_dict(shared: &Shared, device_id: u32, index: usize) -> plist::Dictionary {
    let mut d = plist::Dictionary::new();
    d.insert("DeviceID".into(), plist::Value::Integer(device_id.into()));
    d.insert("MessageType".into(), "Attached".into());
    d.insert(
        "Properties".into(),
        plist::Value::Dictionary(shared.properties(index, device_id)),
    );
    d
}

/// The binary-protocol device record (usbmuxd_device_record, 268 bytes, packed).
fn binary_device_record(shared: &Shared, device_id: u32, index: usize) -> Vec<u8> {
    let d = &shared.scenario.devices[index];
    let mut out = Vec::with_capacity(268);
    out.extend_from_slice(&device_id.to_le_bytes());
    out.extend_from_slice(&d.product_id.to_le_bytes());
    let mut serial = [0u8; 256];
    let n = d.udid.len().min(255);
    serial[..n].copy_from_slice(&d.udid.as_bytes()[..n]);
    out.extend_from_slice(&serial);
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&d.location_id.to_le_bytes());
    out
}

fn event_bytes(shared: &Shared, plist: bool, ev: MuxEvent) -> Vec<u8> {
    match (ev, plist) {
        (MuxEvent::Attached { device_id, index }, true) => {
            frame::encode_plist(0, &attached_dict(shared, device_id, index))
        }
        (MuxEvent::Attached { device_id, index }, false) => frame::encode(
            0,
            frame::MSG_DEVICE_ADD,
            0,
            &binary_device_record(shared, device_id, index),
        ),
        (MuxEvent::Detached { device_id }, true) => {
            let mut d = plist::Dictionary::new();
            d.insert("DeviceID".into(), plist::Value::Integer(device_id.into()));
            d.insert("MessageType".into(), "Detached".into());
            frame::encode_plist(0, &d)
        }
        (MuxEvent::Detached { device_id }, false) => {
            frame::encode(0, frame::MSG_DEVICE_REMOVE, 0, &device_id.to_le_bytes())
        }
    }
}

/// Listen mode: the attached devices, then every plug event, until the client leaves.
async fn listen(
    shared: &Shared,
    mut s: Box<dyn Io>,
    plist: bool,
    mut rx: tokio::sync::broadcast::Receiver<MuxEvent>,
) {
    for (id, i) in shared.attached() {
        let ev = MuxEvent::Attached {
            device_id: id,
            index: i,
        };
        if !write_within(&mut s, &event_bytes(shared, plist, ev)).await {
            return;
        }
    }
    let mut buf = [0u8; 256];
    loop {
        tokio::select! {
            ev = rx.recv() => match ev {
                Ok(ev) => {
                    if !write_within(&mut s, &event_bytes(shared, plist, ev)).await {
                        return;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => return,
            },
            n = s.read(&mut buf) => match n {
                // usbmuxd closes a listening client that sends a command.
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    shared.audit.record(
                        AuditEntry::new(Layer::Usbmuxd, "<data-while-listening>")
                            .detail("connection closed, as usbmuxd does"),
                    );
                    return;
                }
            },
        }
    }
}
