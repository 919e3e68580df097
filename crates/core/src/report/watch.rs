//! `watch`'s lines, rendered from the typed events the state machine
//! decides on (`watch::WatchEvent`): the human form and the NDJSON object of
//! `docs/watch.schema.json`. Everything the contract names (the `type`
//! strings, the `data` keys, the wording) is here and only here.

use serde_json::{json, Value};

use crate::exit::ExitStatus;
use crate::format::{plural, secs};
use crate::report::style;
use crate::rules::Verdict;
use crate::snapshot::{BackupLogEvent, MuxConnection};
use crate::watch::{WatchEvent, WatchEventKind, WatchSummary};

/// The NDJSON `type` of an event.
pub fn type_name(kind: &WatchEventKind) -> &'static str {
    match kind {
        WatchEventKind::Attached { .. } => "attached",
        WatchEventKind::Detached { .. } => "detached",
        WatchEventKind::Paired { .. } => "paired",
        WatchEventKind::Lock { .. } => "lock",
        WatchEventKind::Trust { .. } => "trust",
        WatchEventKind::Usb { .. } => "usb",
        WatchEventKind::Diagnosis { .. } => "diagnosis",
        WatchEventKind::DaemonLost { .. } => "daemon-lost",
        WatchEventKind::DaemonBack { .. } => "daemon-back",
        WatchEventKind::Summary(_) => "summary",
        WatchEventKind::Backup { .. } => "backup",
        WatchEventKind::BackupStall { .. } => "backup-stall",
        WatchEventKind::PhoneLog { .. } => "phone-log",
        WatchEventKind::Coalesced { .. } => "coalesced",
    }
}

/// How the `type` column is painted in the terminal.
pub fn type_style(kind: &WatchEventKind) -> anstyle::Style {
    match kind {
        WatchEventKind::Detached { .. } | WatchEventKind::DaemonLost { .. } => style::YELLOW,
        WatchEventKind::Attached { .. } | WatchEventKind::DaemonBack { .. } => style::GREEN,
        WatchEventKind::Summary(_) | WatchEventKind::Diagnosis { .. } => style::BOLD,
        WatchEventKind::BackupStall { .. } | WatchEventKind::Coalesced { .. } => style::YELLOW,
        WatchEventKind::PhoneLog { .. } => anstyle::Style::new().dimmed(),
        _ => style::BLUE,
    }
}

/// One NDJSON line (without the newline): `type`, `time`, `data`, in this
/// order (the ripgrep-style envelope the schema documents).
pub fn json_line(event: &WatchEvent, time: &str) -> String {
    format!(
        "{{\"type\":{},\"time\":{},\"data\":{}}}",
        Value::from(type_name(&event.kind)),
        Value::from(time),
        data(&event.kind)
    )
}

/// The human form, after the clock and the type.
pub fn text(kind: &WatchEventKind) -> String {
    match kind {
        WatchEventKind::Attached {
            device: d,
            previous_device_id,
            initial,
        } => {
            let over = match d.connection {
                MuxConnection::Usb => "over USB",
                MuxConnection::Network => "over Wi-Fi",
                MuxConnection::Other => "over an unknown link",
            };
            let mut text = format!("{}  DeviceID {}, {over}", d.udid, d.device_id);
            if let Some(b) = previous_device_id.filter(|b| *b != d.device_id) {
                text.push_str(&format!(" (new DeviceID; was {b})"));
            }
            if *initial {
                text.push_str(" (already connected)");
            }
            text
        }
        WatchEventKind::Detached {
            udid,
            device_id,
            connected_ms,
            while_daemon_away,
        } => {
            let mut text = format!("{udid}  DeviceID {device_id}");
            if let Some(ms) = connected_ms {
                text.push_str(&format!(", after {} connected", secs(*ms)));
            }
            if *while_daemon_away {
                text.push_str(" (while usbmuxd was away)");
            }
            text
        }
        WatchEventKind::Paired { udid, device_id } => {
            format!("{udid}  this computer was paired with it (DeviceID {device_id})")
        }
        WatchEventKind::Lock { udid, locked } => {
            format!("{udid}  {}", if *locked { "locked" } else { "unlocked" })
        }
        WatchEventKind::Trust { udid, now, was } => format!("{udid}  trust: {now} (was {was})"),
        WatchEventKind::Usb { notice, mode } => {
            let what = if notice.arrived { "arrived on" } else { "left" };
            format!(
                "an Apple device {what} the USB bus ({})",
                usb_description(notice, mode.as_str())
            )
        }
        WatchEventKind::Diagnosis {
            udid,
            verdict,
            findings,
            ..
        } => {
            let mut text = format!("{udid}  {}", verdict.as_str());
            if let Some(f) = findings.first() {
                text.push_str(&format!(": {} ({})", f.title, f.id));
                if findings.len() > 1 {
                    text.push_str(&format!(" and {} more", findings.len() - 1));
                }
            }
            text
        }
        WatchEventKind::DaemonLost {
            failure,
            ever_connected,
        } => format!(
            "usbmuxd {}: {}; retrying",
            if *ever_connected {
                "was lost"
            } else {
                "cannot be reached"
            },
            failure.message
        ),
        WatchEventKind::DaemonBack { phones } => format!(
            "usbmuxd is back; it lists {}",
            plural(*phones, "phone", "phones")
        ),
        WatchEventKind::Summary(s) => summary_text(s),
        WatchEventKind::Backup { udid, event } => {
            let mut text = format!("{udid}  {}", event.event.describe());
            if let Some(t) = &event.time {
                text.push_str(&format!(" (phone time {t})"));
            }
            text
        }
        WatchEventKind::BackupStall { udid, stall } => {
            let mut text = format!(
                "{udid}  the backup has made no progress for {}; last: {}",
                secs(stall.seconds.saturating_mul(1000)),
                stall.last
            );
            if let Some(since) = &stall.since {
                text.push_str(&format!(" (phone time {since})"));
            }
            text
        }
        WatchEventKind::PhoneLog { udid, line } => format!("{udid}  {line}"),
        WatchEventKind::Coalesced {
            not_printed,
            not_kept,
        } => {
            let mut t = format!(
                "usbmuxd sent plug events faster than they are shown: {not_printed} not printed"
            );
            if *not_kept > 0 {
                t.push_str(&format!(
                    ", {not_kept} not kept (more than {} phones or {} events)",
                    crate::watch::state::MAX_PHONES,
                    crate::watch::state::MAX_EVENTS
                ));
            }
            t
        }
    }
}

/// The `data` object of the NDJSON line.
pub fn data(kind: &WatchEventKind) -> Value {
    match kind {
        WatchEventKind::Attached {
            device: d,
            previous_device_id,
            initial,
        } => json!({
            "udid": d.udid,
            "device_id": d.device_id,
            "previous_device_id": previous_device_id,
            "connection": d.connection,
            "product_id": d.product_id,
            "location_id": d.location_id,
            "initial": initial,
        }),
        WatchEventKind::Detached {
            udid,
            device_id,
            connected_ms,
            while_daemon_away,
        } => json!({
            "udid": udid,
            "device_id": device_id,
            "connected_ms": connected_ms,
            "while_daemon_away": while_daemon_away,
        }),
        WatchEventKind::Paired { udid, device_id } => {
            json!({ "udid": udid, "device_id": device_id })
        }
        WatchEventKind::Lock { udid, locked } => json!({ "udid": udid, "locked": locked }),
        WatchEventKind::Trust { udid, now, was } => {
            json!({ "udid": udid, "trust": now, "was": was })
        }
        WatchEventKind::Usb { notice, mode } => json!({
            "bus": notice.bus,
            "address": notice.address,
            "product_id": notice.product_id,
            "mode": mode.as_str(),
            "description": usb_description(notice, mode.as_str()),
        }),
        WatchEventKind::Diagnosis {
            udid,
            recheck,
            verdict,
            findings,
        } => {
            let top = findings.first();
            json!({
                "udid": udid,
                "verdict": verdict.as_str(),
                "exit_code": ExitStatus::from(*verdict) as u8,
                "recheck": recheck,
                "top": top.map(|f| json!({
                    "id": f.id,
                    "severity": f.severity.as_str(),
                    "title": f.title,
                    "evidence": f.evidence_lines(),
                })),
                "findings": findings.iter().map(|f| f.id).collect::<Vec<_>>(),
            })
        }
        WatchEventKind::DaemonLost { failure, .. } => {
            json!({ "kind": failure.kind.as_str(), "message": failure.message })
        }
        WatchEventKind::DaemonBack { phones } => json!({ "phones": phones }),
        WatchEventKind::Summary(s) => json!({
            "duration_ms": s.duration_ms,
            "disconnects": s.disconnects,
            "shortest_connected_ms": s.shortest_connected_ms,
            "daemon_lost": s.daemon_losses,
            "daemon_up": s.daemon_up,
            "interrupted": s.interrupted,
            "exit_code": s.status as u8,
            "phones": s.phones.iter().map(|p| json!({
                "udid": p.udid,
                "connected": p.connected,
                "disconnects": p.disconnects,
                "verdict": p.verdict.map(Verdict::as_str),
                "top": p.top,
            })).collect::<Vec<_>>(),
        }),
        WatchEventKind::Backup { udid, event } => backup_data(udid, event),
        WatchEventKind::BackupStall { udid, stall } => json!({
            "udid": udid,
            "seconds": stall.seconds,
            "last": stall.last,
            "since": stall.since,
        }),
        WatchEventKind::PhoneLog { udid, line } => json!({ "udid": udid, "line": line }),
        WatchEventKind::Coalesced {
            not_printed,
            not_kept,
        } => json!({ "not_printed": not_printed, "not_kept": not_kept }),
    }
}

fn usb_description(n: &crate::watch::UsbNotice, mode: &str) -> String {
    format!(
        "bus {} address {}, product {}, {mode} mode",
        n.bus,
        n.address,
        n.product_id
            .map(|p| format!("0x{p:04x}"))
            .unwrap_or_else(|| "?".into())
    )
}

/// The backup event's own fields (`event` and what it carries), then who
/// logged it, when, and its description.
fn backup_data(udid: &str, e: &BackupLogEvent) -> Value {
    let mut data = match serde_json::to_value(&e.event) {
        Ok(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    data.insert("udid".into(), udid.into());
    data.insert("process".into(), e.process.clone().into());
    data.insert("phone_time".into(), e.time.clone().into());
    data.insert("text".into(), e.event.describe().into());
    Value::Object(data)
}

fn summary_text(s: &WatchSummary) -> String {
    let mut text = format!(
        "{} in {}",
        plural(s.disconnects, "disconnect", "disconnects"),
        secs(s.duration_ms)
    );
    match s.shortest_connected_ms {
        Some(ms) => text.push_str(&format!("; shortest connected interval {}", secs(ms))),
        None => text.push_str("; no complete connected interval seen"),
    }
    if s.daemon_losses > 0 {
        text.push_str(&format!(
            "; usbmuxd lost {}",
            match s.daemon_losses {
                1 => "once".to_string(),
                n => format!("{n} times"),
            }
        ));
    }
    if s.interrupted {
        text.push_str(" (interrupted)");
    }
    text
}
