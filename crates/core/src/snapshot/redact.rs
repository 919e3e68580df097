//! Masks what identifies a person or a phone before a snapshot is shown or
//! recorded: UDIDs, serial numbers, IMEI/ICCID, phone numbers, device names,
//! pairing ids and home-folder paths.
//!
//! It works on the snapshot's JSON form by key name, so fields added by later
//! probes are covered as long as they use the shared names below. Each
//! distinct value gets a stable mask (`<udid-1>`), and every other string that
//! contains it (a backup folder named after the UDID) is masked the same way,
//! so relations between layers survive redaction.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Snapshot;

/// Field names whose values identify a phone, a person or a pairing.
const SENSITIVE_KEYS: &[(&str, &str)] = &[
    ("udid", "udid"),
    ("unique_device_id", "udid"),
    ("serial", "serial"),
    ("serial_number", "serial"),
    ("ecid", "ecid"),
    ("device_name", "device-name"),
    ("imei", "imei"),
    ("imei2", "imei"),
    ("meid", "imei"),
    ("iccid", "iccid"),
    ("phone_number", "phone"),
    ("wifi_address", "mac"),
    ("bluetooth_address", "mac"),
    ("ethernet_address", "mac"),
    ("host_id", "host-id"),
    ("system_buid", "buid"),
    ("buid", "buid"),
    ("network_address", "address"),
];

/// Returns a copy of `snapshot` with identifiers masked and `home` replaced
/// by `~`. `home` is the user's home folder as the environment gave it.
pub fn redact(snapshot: &Snapshot, home: Option<&str>) -> Snapshot {
    let Ok(mut value) = serde_json::to_value(snapshot) else {
        return withheld(snapshot);
    };
    let mut masks = BTreeMap::new();
    let mut counters = BTreeMap::new();
    collect(&mut value, &mut masks, &mut counters);
    let mut ordered: Vec<(String, String)> = masks.into_iter().collect();
    // Longest first, so a value that contains another is replaced whole.
    ordered.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    let home = home
        .filter(|h| h.len() > 1)
        .map(|h| h.trim_end_matches(['/', '\\']));
    replace(&mut value, &ordered, home);
    let mut out: Snapshot = match serde_json::from_value(value) {
        Ok(s) => s,
        Err(_) => return withheld(snapshot),
    };
    out.provenance.redacted = true;
    out
}

/// Fails closed: when masking cannot be done, nothing the probes saw is
/// shown, rather than showing it unmasked.
fn withheld(snapshot: &Snapshot) -> Snapshot {
    let mut out = Snapshot::new(super::Provenance {
        notes: Some("the probes' observations were withheld: they could not be redacted".into()),
        redacted: true,
        ..snapshot.provenance.clone()
    });
    out.captured_at = snapshot.captured_at.clone();
    out.interrupted = snapshot.interrupted;
    out.probes = super::Probes {
        usb: super::Outcome::skipped("withheld: could not be redacted"),
        usbmuxd: super::Outcome::skipped("withheld: could not be redacted"),
        host: super::Outcome::skipped("withheld: could not be redacted"),
        backups: super::Outcome::skipped("withheld: could not be redacted"),
        ..Default::default()
    };
    out
}

fn collect(
    value: &mut Value,
    masks: &mut BTreeMap<String, String>,
    counters: &mut BTreeMap<&'static str, usize>,
) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if let (Some(kind), Value::String(s)) = (sensitive_kind(key), &*v) {
                    if !s.is_empty() && !is_mask(s) && !masks.contains_key(s) {
                        let n = counters.entry(kind).or_insert(0);
                        *n += 1;
                        masks.insert(s.clone(), format!("<{kind}-{n}>"));
                    }
                } else {
                    collect(v, masks, counters);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| collect(v, masks, counters)),
        _ => {}
    }
}

/// Values shorter than this are not looked for inside other strings.
const MIN_PARTIAL: usize = 8;

fn replace(value: &mut Value, masks: &[(String, String)], home: Option<&str>) {
    match value {
        Value::String(s) => {
            for (secret, mask) in masks {
                // Short values ("iPhone", a common device name) are masked
                // only whole, or "iPhone10,3" would become "<device-name-1>10,3".
                let whole = secret.len() < MIN_PARTIAL && s == secret;
                if whole || (secret.len() >= MIN_PARTIAL && s.contains(secret.as_str())) {
                    *s = s.replace(secret.as_str(), mask);
                }
            }
            if let Some(home) = home {
                if s.contains(home) {
                    *s = s.replace(home, "~");
                }
            }
        }
        Value::Object(map) => map.values_mut().for_each(|v| replace(v, masks, home)),
        Value::Array(items) => items.iter_mut().for_each(|v| replace(v, masks, home)),
        _ => {}
    }
}

fn sensitive_kind(key: &str) -> Option<&'static str> {
    SENSITIVE_KEYS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, kind)| *kind)
}

fn is_mask(s: &str) -> bool {
    s.starts_with('<') && s.ends_with('>')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::*;

    fn sample() -> Snapshot {
        let mut s = Snapshot::new(Provenance::default());
        let udid = "00008101-000A1B2C3D4E5F60";
        s.probes.usbmuxd = Outcome::Ok {
            duration_ms: 1,
            value: MuxObs {
                devices: vec![MuxDevice {
                    udid: udid.into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
        };
        s.probes.backups = Outcome::Ok {
            duration_ms: 1,
            value: BackupsObs {
                backups: vec![BackupObs {
                    folder: format!("/home/alice/backups/{udid}"),
                    ..Default::default()
                }],
                ..Default::default()
            },
        };
        s
    }

    #[test]
    fn masks_udid_everywhere_and_home() {
        let out = redact(&sample(), Some("/home/alice"));
        let text = serde_json::to_string(&out).unwrap();
        assert!(!text.contains("00008101-000A1B2C3D4E5F60"), "{text}");
        assert!(!text.contains("alice"), "{text}");
        assert!(text.contains("~/backups/<udid-1>"), "{text}");
        assert!(out.provenance.redacted);
    }

    #[test]
    fn withholding_keeps_nothing_the_probes_saw() {
        let out = withheld(&sample());
        let text = serde_json::to_string(&out).unwrap();
        assert!(
            !text.contains("000A1B2C3D4E5F60") && !text.contains("alice"),
            "{text}"
        );
        assert!(out.provenance.redacted);
        assert!(matches!(out.probes.usbmuxd, Outcome::Skipped { .. }));
    }

    #[test]
    fn is_idempotent() {
        let once = redact(&sample(), Some("/home/alice"));
        let twice = redact(&once, Some("/home/alice"));
        assert_eq!(once, twice);
    }

    #[test]
    fn a_short_device_name_is_masked_whole_only() {
        let mut s = sample();
        s.probes.devices = vec![DeviceObs {
            udid: "00008101-000A1B2C3D4E5F60".into(),
            lockdown: Outcome::Ok {
                duration_ms: 1,
                value: LockdownObs {
                    device_name: Some("iPhone".into()),
                    product_type: Some("iPhone10,3".into()),
                    ..Default::default()
                },
            },
            ..Default::default()
        }];
        let out = redact(&s, None);
        let l = out.probes.devices[0].lockdown.value().unwrap();
        assert_eq!(l.device_name.as_deref(), Some("<device-name-1>"));
        assert_eq!(l.product_type.as_deref(), Some("iPhone10,3"));
    }
}
