//! The `devices` table: what each layer sees of each phone, side by side:
//! USB, usbmuxd, the pair record, lockdownd, trust and iOS.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::inert::Outside;
use crate::report::style::{paint, BOLD};
use crate::snapshot::{
    same_udid, udid_key, DeviceObs, MuxConnection, MuxDevice, Outcome, PairRecordState, Snapshot,
    TrustState, UsbDevice,
};

/// One row per phone any layer saw.
#[derive(Debug, Serialize)]
pub struct DeviceRow {
    pub udid: String,
    /// The name its owner gave it ("Alice's iPhone"), when lockdownd told it.
    pub name: Option<String>,
    /// The marketing model ("iPhone 15 Pro"), when the product type is known.
    pub model: Option<String>,
    /// On the USB bus: its mode and speed ("normal, 480 Mbit/s", "recovery"), "not seen", "bus not readable".
    pub usb: String,
    /// What usbmuxd lists: usb, network, both, or absent.
    pub usbmuxd: String,
    /// present, absent, unreadable, or not probed.
    pub pair_record: String,
    /// answers, refused, timed-out, ... (lockdownd's reachability).
    pub lockdown: String,
    /// trusted, reset-on-device, dialog-pending, denied, locked, session-failed, not-paired, unknown.
    pub trust: String,
    pub product_type: Option<String>,
    pub ios: Option<String>,
}

pub fn rows(s: &Snapshot) -> Vec<DeviceRow> {
    let mut udids: Vec<String> = Vec::new();
    let listed = s
        .mux_devices()
        .iter()
        .map(|d| d.udid.as_str())
        .chain(s.probes.devices.iter().map(|d| d.udid.as_str()));
    // A set beside the list: thousands of phones in linear time (issue 30).
    let mut seen = std::collections::HashSet::new();
    for u in listed {
        if seen.insert(u) {
            udids.push(u.to_string());
        }
    }
    // Phones only the bus sees (recovery, DFU, or not listed by usbmuxd).
    if let Some(usb) = s.probes.usb.value() {
        for d in usb.devices.iter().filter(|d| d.is_ios_device()) {
            let listed = s.mux_devices().iter().any(|m| d.is_listed_as(m, usb.os));
            let known = d
                .udid
                .as_deref()
                .is_some_and(|u| udids.iter().any(|x| same_udid(x, u)));
            if !listed && !known {
                udids.push(d.label());
            }
        }
    }
    let index = Index::new(s);
    udids.into_iter().map(|u| row(s, &index, &u)).collect()
}

/// The phones of each layer by comparable UDID ([`udid_key`]): one lookup
/// per row instead of a search, for a daemon listing thousands (issue 30).
struct Index<'s> {
    probed: HashMap<String, &'s DeviceObs>,
    listed: HashMap<String, Vec<&'s MuxDevice>>,
}

impl<'s> Index<'s> {
    fn new(s: &'s Snapshot) -> Self {
        let mut probed = HashMap::new();
        for d in s.probes.devices.iter().filter(|d| !d.udid.is_empty()) {
            probed.entry(udid_key(&d.udid)).or_insert(d);
        }
        let mut listed: HashMap<String, Vec<&MuxDevice>> = HashMap::new();
        for m in s.mux_devices().iter().filter(|m| !m.udid.is_empty()) {
            listed.entry(udid_key(&m.udid)).or_default().push(m);
        }
        Self { probed, listed }
    }

    fn listed(&self, udid: &str) -> &[&'s MuxDevice] {
        self.listed.get(&udid_key(udid)).map_or(&[], Vec::as_slice)
    }
}

fn row(s: &Snapshot, index: &Index, udid: &str) -> DeviceRow {
    let dev = (!udid.is_empty())
        .then(|| index.probed.get(&udid_key(udid)).copied())
        .flatten();
    let lockdown = dev.and_then(DeviceObs::lockdown);
    let product_type = lockdown.and_then(|l| l.product_type.as_deref());
    DeviceRow {
        udid: udid.to_string(),
        name: lockdown.and_then(|l| l.device_name.clone()),
        model: product_type
            .and_then(crate::knowledge::models::model)
            .map(|m| m.name.to_string()),
        usb: usb_cell(s, index, udid),
        usbmuxd: mux_cell(index, udid),
        pair_record: dev.map_or("not probed".into(), |d| match d.pairing.value() {
            Some(p) => match p.record {
                PairRecordState::Present => "present",
                PairRecordState::Absent => "absent",
                PairRecordState::Unreadable => "unreadable",
            }
            .into(),
            None => d.pairing.status().into(),
        }),
        lockdown: dev.map_or("not probed".into(), |d| match &d.lockdown {
            Outcome::Ok { value, .. } if value.aborted.is_some() => "broke off".into(),
            Outcome::Ok { .. } => "answers".into(),
            Outcome::Failed { failure, .. } => failure.kind.as_str().into(),
            Outcome::Skipped { .. } => "not probed".into(),
        }),
        trust: dev.map_or("unknown".into(), trust_cell),
        product_type: lockdown.and_then(|l| l.product_type.clone()),
        ios: lockdown.and_then(|l| l.product_version.clone()),
    }
}

fn usb_cell(s: &Snapshot, index: &Index, udid: &str) -> String {
    let Some(usb) = s.probes.usb.value() else {
        return "bus not readable".into();
    };
    let listed = index.listed(udid);
    let found: Option<&UsbDevice> = usb.devices.iter().find(|d| {
        d.label() == udid
            || d.udid.as_deref().is_some_and(|u| same_udid(udid, u))
            || listed.iter().any(|m| d.is_listed_as(m, usb.os))
    });
    match found {
        Some(d) => {
            let speed = d
                .speed
                .map(|sp| format!(", {}", sp.label()))
                .unwrap_or_default();
            format!("{}{speed}", d.mode.as_str())
        }
        None => "not seen".into(),
    }
}

fn mux_cell(index: &Index, udid: &str) -> String {
    let kinds: Vec<MuxConnection> = index.listed(udid).iter().map(|d| d.connection).collect();
    let usb = kinds.contains(&MuxConnection::Usb);
    let net = kinds.contains(&MuxConnection::Network);
    match (usb, net, kinds.is_empty()) {
        (_, _, true) => "absent",
        (true, true, _) => "usb+wifi",
        (true, false, _) => "usb",
        (false, true, _) => "network",
        _ => "other",
    }
    .into()
}

fn trust_cell(d: &DeviceObs) -> String {
    let Some(trust) = TrustState::of(d) else {
        return "unknown".into();
    };
    let locked = d.lockdown().and_then(|l| l.password_protected) == Some(true);
    match trust {
        TrustState::Trusted if locked => "trusted (locked)".into(),
        t => t.label(),
    }
}

/// The layers whose answer was not read, in words, so an empty list is not
/// taken for "no phone": usbmuxd hung, refused or answered nonsense, the run
/// was interrupted. A usbmuxd that is not running is a state of its own (no
/// phone can be listed), and an unreadable USB bus alone is normal where
/// usbmuxd answers.
pub fn unread_layers(s: &Snapshot) -> Vec<String> {
    use crate::snapshot::FailureKind;
    let mut unread = Vec::new();
    if let Some(f) = s.probes.usbmuxd.failure() {
        match f.kind {
            FailureKind::NotFound => {}
            FailureKind::TimedOut => {
                unread.push("usbmuxd did not answer before the deadline".to_string())
            }
            FailureKind::Interrupted => {
                unread.push("the check was interrupted before usbmuxd answered".to_string())
            }
            _ => unread.push(format!(
                "usbmuxd could not be read ({})",
                Outside(&f.message)
            )),
        }
    }
    unread
}

/// Renders the table, or the rows as JSON.
pub fn render(s: &Snapshot, json: bool, out: &mut dyn Write) -> io::Result<()> {
    let rows = rows(s);
    if json {
        serde_json::to_writer_pretty(&mut *out, &rows).map_err(super::json::io_error)?;
        return writeln!(out);
    }
    if rows.is_empty() {
        let unread = unread_layers(s);
        if unread.is_empty() {
            return writeln!(
                out,
                "No phone seen by USB or usbmuxd. Run `iphone-backup-check diagnose` to find out why."
            );
        }
        return writeln!(
            out,
            "No phone seen, but {}, so a connected phone may be missing from this list. Run `iphone-backup-check diagnose` to find out why.",
            unread.join(" and ")
        );
    }
    // One block per phone, label and value: fits 80 columns whatever the
    // UDID's or the states' length (a table of eight columns did not).
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let mut title = match (&r.name, &r.model) {
            (Some(n), Some(m)) if n != m => format!("{n} ({m})"),
            (Some(n), _) => n.clone(),
            (None, Some(m)) => m.clone(),
            (None, None) => "iPhone".to_string(),
        };
        if let Some(v) = &r.ios {
            title.push_str(&format!(", iOS {v}"));
        }
        put(out, &paint(BOLD, &Outside(&title).to_string()), "", "  ")?;
        let model = r.product_type.as_deref().unwrap_or("-");
        for (label, value) in [
            ("UDID", r.udid.as_str()),
            ("USB", r.usb.as_str()),
            ("usbmuxd", r.usbmuxd.as_str()),
            ("pair record", r.pair_record.as_str()),
            ("lockdownd", r.lockdown.as_str()),
            ("trust", r.trust.as_str()),
            ("model code", model),
        ] {
            put(
                out,
                &Outside(value).to_string(),
                &format!("  {label:<12} "),
                &" ".repeat(15),
            )?;
        }
    }
    Ok(())
}

fn put(out: &mut dyn Write, text: &str, first: &str, rest: &str) -> io::Result<()> {
    for line in super::human::wrap(text, first, rest, super::human::DEFAULT_WIDTH) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{LockdownObs, SessionObs};

    fn snapshot(devices: Vec<DeviceObs>) -> Snapshot {
        let mut s = Snapshot::new(Default::default());
        s.probes.devices = devices;
        s
    }

    #[test]
    fn a_phone_only_the_bus_sees_gets_its_own_row() {
        let mut s = snapshot(vec![]);
        s.probes.usb = Outcome::Ok {
            duration_ms: 1,
            value: crate::snapshot::UsbObs {
                devices: vec![UsbDevice {
                    bus: 1,
                    port_chain: vec![1, 4],
                    vendor_id: 0x05ac,
                    product_id: 0x1281,
                    mode: crate::snapshot::UsbMode::Recovery,
                    ..Default::default()
                }],
                ..Default::default()
            },
        };
        let rows = rows(&s);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].udid, "05ac:1281 on bus 1 port 1.4");
        assert_eq!(rows[0].usb, "recovery");
        assert_eq!(rows[0].usbmuxd, "absent");
    }

    #[test]
    fn one_row_per_phone_with_trust_state() {
        let refused = DeviceObs {
            udid: "X".into(),
            lockdown: Outcome::Ok {
                duration_ms: 1,
                value: LockdownObs {
                    session: SessionObs::Refused {
                        reason: crate::snapshot::LockdownError::InvalidHostID,
                        raw: "InvalidHostID".into(),
                    },
                    product_version: Some("17.1".into()),
                    ..Default::default()
                },
            },
            ..Default::default()
        };
        let rows = rows(&snapshot(vec![refused]));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].trust, "refused (InvalidHostID)");
        assert_eq!(rows[0].ios.as_deref(), Some("17.1"));
        assert_eq!(rows[0].usbmuxd, "absent");
        assert_eq!(rows[0].lockdown, "answers");
        let mut text = Vec::new();
        render(&snapshot(vec![]), false, &mut text).unwrap();
        assert!(String::from_utf8_lossy(&text).starts_with("No phone seen"));
    }

    /// An empty list says "no phone" only when usbmuxd answered or is not
    /// running; a hung one is named, so the list is not taken as complete.
    #[test]
    fn an_empty_list_says_when_usbmuxd_did_not_answer() {
        use crate::snapshot::{Failure, FailureKind};
        let empty = |kind: FailureKind| {
            let mut s = snapshot(vec![]);
            s.probes.usbmuxd = Outcome::Failed {
                duration_ms: 3000,
                failure: Failure::new(kind, "no answer"),
            };
            let mut text = Vec::new();
            render(&s, false, &mut text).unwrap();
            (unread_layers(&s), String::from_utf8(text).unwrap())
        };
        let (unread, text) = empty(FailureKind::TimedOut);
        assert_eq!(unread.len(), 1);
        assert!(
            text.contains("usbmuxd did not answer before the deadline"),
            "{text}"
        );
        let (unread, text) = empty(FailureKind::NotFound);
        assert!(unread.is_empty());
        assert!(
            text.starts_with("No phone seen by USB or usbmuxd"),
            "{text}"
        );
        let (unread, text) = empty(FailureKind::ProtocolError);
        assert_eq!(unread.len(), 1);
        assert!(
            text.contains("usbmuxd could not be read (no answer)"),
            "{text}"
        );
    }

    #[test]
    fn the_text_fits_80_columns_and_names_the_phone() {
        let phone = DeviceObs {
            udid: "00008130-001A2B3C4D5E801E".into(),
            lockdown: Outcome::Ok {
                duration_ms: 1,
                value: LockdownObs {
                    device_name: Some("Alice's iPhone".into()),
                    product_type: Some("iPhone16,1".into()),
                    product_version: Some("17.1".into()),
                    session: SessionObs::Trusted,
                    ..Default::default()
                },
            },
            ..Default::default()
        };
        let s = snapshot(vec![phone]);
        assert_eq!(rows(&s)[0].model.as_deref(), Some("iPhone 15 Pro"));
        let mut text = Vec::new();
        render(&s, false, &mut text).unwrap();
        let text = crate::report::style::unpainted(&String::from_utf8_lossy(&text));
        assert!(
            text.starts_with("Alice's iPhone (iPhone 15 Pro), iOS 17.1"),
            "{text}"
        );
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    }
}
