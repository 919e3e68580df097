//! Services started through lockdownd `StartService`.
//!
//! - `com.apple.mobilebackup2`: DeviceLink over 4-byte length + binary plist. The phone
//!   sends `["DLMessageVersionExchange", major, minor]`, the host answers
//!   `["DLMessageVersionExchange", "DLVersionsOk", n]`, the phone sends
//!   `["DLMessageDeviceReady"]`; then the host's `Hello` (`DLMessageProcessMessage` with
//!   `SupportedProtocolVersions`) is answered with `MessageName` `Response`, `ErrorCode` and
//!   `ProtocolVersion`. Any later request (Backup, Restore, Info, List, ...) is logged and
//!   refused: the simulator never runs a backup.
//! - `com.apple.mobile.diagnostics_relay`: 4-byte length + XML plist; `IORegistry` requests
//!   for `AppleSmartBattery` return the scenario's battery entry.
//! - `com.apple.syslog_relay`: raw bytes, no framing: each message is its text, `\n` and a
//!   NUL (libimobiledevice `syslog_relay.c` hands the bytes through, `idevicesyslog` prints up
//!   to each NUL; the idevice crate reads up to `\n\0`). The scenario's lines are sent with
//!   their delays; the relay ignores what the client sends and stays open after the last.

use std::sync::Arc;

use plist::{Dictionary, Value};

use crate::audit::{AuditEntry, Layer};
use crate::device_stream::{DevStream, Io};
use crate::plist_frame::{self, Frame};
use crate::scenario::map_to_dict;
use crate::state::{DeviceView, ServiceKind, Shared, BODY, HANDSHAKE, IDLE};

/// Serves one service connection.
pub async fn serve(shared: Arc<Shared>, view: DeviceView, kind: ServiceKind, stream: Box<dyn Io>) {
    let mut present = view.present.clone();
    tokio::select! {
        _ = run(&shared, &view, kind, stream) => {}
        _ = present.wait_for(|p| !*p) => {}
    }
}

fn log(shared: &Shared, view: &DeviceView, name: &str, detail: Option<String>) {
    let mut e = AuditEntry::new(Layer::Service, name).device(Some(&view.device.udid));
    if let Some(d) = detail {
        e = e.detail(d);
    }
    shared.audit.record(e);
}

async fn run(shared: &Shared, view: &DeviceView, kind: ServiceKind, stream: Box<dyn Io>) {
    let mut s = DevStream::Plain(stream);
    if view.device.services.service_ssl {
        s = match s.accept_tls(view.material.server_config(), HANDSHAKE).await {
            Ok(t) => t,
            Err(e) => {
                log(shared, view, "TLSHandshake", Some(e));
                return;
            }
        };
    }
    match kind {
        ServiceKind::MobileBackup2 => mobilebackup2(shared, view, s).await,
        ServiceKind::DiagnosticsRelay => diagnostics_relay(shared, view, s).await,
        ServiceKind::SyslogRelay => syslog_relay(shared, view, s).await,
    }
}

fn describe(frame: &Frame) -> String {
    match frame {
        Frame::Message(_) => "message".into(),
        Frame::TooLong(n) => format!("oversized length {n:#x}"),
        Frame::Unparseable => "unparseable plist".into(),
        Frame::TlsRecord(_) => "TLS record".into(),
        Frame::Closed => "closed".into(),
        Frame::TimedOut => "timed out".into(),
    }
}

fn array_tag(v: &Value) -> Option<&str> {
    v.as_array()?.first()?.as_string()
}

async fn mobilebackup2(shared: &Shared, view: &DeviceView, mut s: DevStream) {
    let cfg = &view.device.services.mobilebackup2;
    let hello = Value::Array(vec![
        "DLMessageVersionExchange".into(),
        Value::Integer(cfg.device_link_version.into()),
        Value::Integer(0u64.into()),
    ]);
    if plist_frame::write_binary(&mut s, &hello).await.is_err() {
        return;
    }
    // Host's answer to the version exchange.
    let reply = plist_frame::read_frame(&mut s, BODY, BODY).await;
    let Frame::Message(v) = &reply else {
        log(shared, view, "<no-version-reply>", Some(describe(&reply)));
        return;
    };
    let ok = array_tag(v) == Some("DLMessageVersionExchange")
        && v.as_array()
            .and_then(|a| a.get(1))
            .and_then(|x| x.as_string())
            == Some("DLVersionsOk");
    let host_version = v
        .as_array()
        .and_then(|a| a.get(2))
        .and_then(|x| x.as_unsigned_integer());
    log(
        shared,
        view,
        "DLMessageVersionExchange",
        Some(format!(
            "{} host version {:?}",
            if ok { "DLVersionsOk" } else { "rejected" },
            host_version
        )),
    );
    if !ok {
        return;
    }
    let ready = Value::Array(vec!["DLMessageDeviceReady".into()]);
    if plist_frame::write_binary(&mut s, &ready).await.is_err() {
        return;
    }
    loop {
        let frame = plist_frame::read_frame(&mut s, IDLE, BODY).await;
        let Frame::Message(v) = frame else {
            if !matches!(frame, Frame::Closed | Frame::TimedOut) {
                log(
                    shared,
                    view,
                    "<bad-devicelink-message>",
                    Some(describe(&frame)),
                );
            }
            return;
        };
        match array_tag(&v) {
            Some("DLMessageProcessMessage") => {
                let msg = v
                    .as_array()
                    .and_then(|a| a.get(1))
                    .and_then(|x| x.as_dictionary())
                    .cloned()
                    .unwrap_or_default();
                let name = msg
                    .get("MessageName")
                    .and_then(|x| x.as_string())
                    .unwrap_or("<missing-MessageName>")
                    .to_string();
                let mut resp = Dictionary::new();
                resp.insert("MessageName".into(), "Response".into());
                if name == "Hello" {
                    let versions: Vec<String> = msg
                        .get("SupportedProtocolVersions")
                        .and_then(|x| x.as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_real().map(|r| r.to_string()))
                                .collect()
                        })
                        .unwrap_or_default();
                    log(
                        shared,
                        view,
                        "Hello",
                        Some(format!("SupportedProtocolVersions {versions:?}")),
                    );
                    resp.insert(
                        "ErrorCode".into(),
                        Value::Integer(cfg.hello_error_code.into()),
                    );
                    if cfg.hello_error_code == 0 {
                        resp.insert("ProtocolVersion".into(), Value::Real(cfg.protocol_version));
                    } else {
                        resp.insert(
                            "ErrorDescription".into(),
                            "Protocol version negotiation refused".into(),
                        );
                    }
                } else {
                    log(
                        shared,
                        view,
                        &name,
                        Some("refused: the simulator never runs a backup".into()),
                    );
                    resp.insert("ErrorCode".into(), Value::Integer(1u64.into()));
                    resp.insert(
                        "ErrorDescription".into(),
                        "iphone-sim does not perform backup operations".into(),
                    );
                }
                shared.delay().await;
                let out = Value::Array(vec![
                    "DLMessageProcessMessage".into(),
                    Value::Dictionary(resp),
                ]);
                if plist_frame::write_binary(&mut s, &out).await.is_err() {
                    return;
                }
            }
            Some("DLMessageDisconnect") => {
                log(shared, view, "DLMessageDisconnect", None);
                return;
            }
            other => {
                log(
                    shared,
                    view,
                    other.unwrap_or("<not-a-devicelink-array>"),
                    Some("ignored".into()),
                );
            }
        }
    }
}

async fn diagnostics_relay(shared: &Shared, view: &DeviceView, mut s: DevStream) {
    loop {
        let frame = plist_frame::read_frame(&mut s, IDLE, BODY).await;
        let req = match frame {
            Frame::Message(Value::Dictionary(d)) => d,
            Frame::Closed | Frame::TimedOut => return,
            other => {
                log(
                    shared,
                    view,
                    "<bad-diagnostics-request>",
                    Some(describe(&other)),
                );
                return;
            }
        };
        let name = req
            .get("Request")
            .and_then(|x| x.as_string())
            .unwrap_or("<missing-Request>")
            .to_string();
        let class = req.get("EntryClass").and_then(|x| x.as_string());
        let entry = req.get("EntryName").and_then(|x| x.as_string());
        let plane = req.get("CurrentPlane").and_then(|x| x.as_string());
        shared.audit.record(
            AuditEntry::new(Layer::Service, &name)
                .device(Some(&view.device.udid))
                .key(class.or(entry).or(plane)),
        );
        shared.delay().await;
        let mut resp = Dictionary::new();
        let done = match name.as_str() {
            "IORegistry" => {
                let battery =
                    class == Some("AppleSmartBattery") || entry == Some("AppleSmartBattery");
                if battery && !view.device.services.battery_ioreg.is_empty() {
                    let mut ioreg = Dictionary::new();
                    ioreg.insert(
                        "IORegistry".into(),
                        Value::Dictionary(map_to_dict(&view.device.services.battery_ioreg)),
                    );
                    resp.insert("Diagnostics".into(), Value::Dictionary(ioreg));
                    resp.insert("Status".into(), "Success".into());
                } else {
                    resp.insert("Status".into(), "Failure".into());
                }
                false
            }
            "Goodbye" => {
                resp.insert("Status".into(), "Success".into());
                true
            }
            _ => {
                resp.insert("Status".into(), "UnknownRequest".into());
                false
            }
        };
        if plist_frame::write_xml(&mut s, &Value::Dictionary(resp))
            .await
            .is_err()
            || done
        {
            return;
        }
    }
}

async fn syslog_relay(shared: &Shared, view: &DeviceView, mut s: DevStream) {
    use tokio::io::AsyncWriteExt;
    log(
        shared,
        view,
        "syslog_relay",
        Some(format!("{} lines", view.device.services.syslog.len())),
    );
    for l in &view.device.services.syslog {
        tokio::time::sleep(std::time::Duration::from_millis(l.after_ms)).await;
        let mut msg = l.line.clone().into_bytes();
        msg.extend_from_slice(b"\n\0");
        if s.write_all(&msg).await.is_err() || s.flush().await.is_err() {
            return;
        }
    }
    // Quiet, as a phone whose agent says nothing more, until the client
    // goes away (a read of 0 bytes) or the idle limit passes.
    let mut buf = [0u8; 256];
    loop {
        match tokio::time::timeout(IDLE, tokio::io::AsyncReadExt::read(&mut s, &mut buf)).await {
            Ok(Ok(n)) if n > 0 => continue,
            _ => return,
        }
    }
}
