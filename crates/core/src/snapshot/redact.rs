//! Masks what identifies a person or a phone before a snapshot is shown or
//! recorded: UDIDs, serial numbers, IMEI/ICCID, phone numbers, device names,
//! pairing ids and home-folder paths.
//!
//! It works on the snapshot's JSON form by key name, so fields added by later
//! probes are covered as long as they use the shared names below. Each
//! distinct value gets a stable mask (`<udid-1>`), and every other string that
//! contains it (a backup folder named after the UDID) is masked the same way,
//! so relations between layers survive redaction.
//!
//! Text quoted from imported files (another person's log) names phones and
//! people outside any such field: UDID-shaped words and the user part of
//! home-folder paths are found in every string and masked the same way.

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
    let home = home
        .filter(|h| h.len() > 1)
        .map(|h| h.trim_end_matches(['/', '\\']));
    // This computer's own home reads better as `~`.
    if let Some(home) = home {
        masks.remove(home);
    }
    let mut ordered: Vec<(String, String)> = masks.into_iter().collect();
    // Longest first, so a value that contains another is replaced whole.
    ordered.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
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
        Value::String(s) => {
            for (found, kind) in identifiers_in(s) {
                if !masks.contains_key(found) {
                    let n = counters.entry(kind).or_insert(0);
                    *n += 1;
                    masks.insert(found.to_string(), format!("<{kind}-{n}>"));
                }
            }
        }
        _ => {}
    }
}

/// UDID-shaped words (40 hex digits, or 8 and 16 joined by a dash) and home
/// folders (`/Users/name`, `/home/name`, `C:\Users\name`) inside free text.
fn identifiers_in(s: &str) -> Vec<(&str, &'static str)> {
    let mut found = Vec::new();
    for word in s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        let hex = |w: &str, n: usize| w.len() == n && w.bytes().all(|b| b.is_ascii_hexdigit());
        let udid = hex(word, 40)
            || word
                .split_once('-')
                .is_some_and(|(a, b)| hex(a, 8) && hex(b, 16));
        if udid {
            found.push((word, "udid"));
        }
    }
    for prefix in ["/Users/", "/home/", "\\Users\\"] {
        let mut rest = s;
        while let Some(i) = rest.find(prefix) {
            let after = &rest[i + prefix.len()..];
            // Only where a path starts: `/tmp/x/home/y` is no one's home.
            let starts_path = rest[..i]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || "._-/\\:".contains(c)));
            let drive = rest[..i].ends_with(':') && prefix.starts_with('\\');
            if !(starts_path || drive) {
                rest = after;
                continue;
            }
            let name_len = after
                .find(['/', '\\', ' ', '"', '\''])
                .unwrap_or(after.len());
            let name = &after[..name_len];
            if !name.is_empty() && !is_mask(name) && name != "Shared" {
                found.push((&rest[i..i + prefix.len() + name_len], "home"));
            }
            rest = after;
        }
    }
    found
}

/// Values shorter than this are not looked for inside other strings.
const MIN_PARTIAL: usize = 8;

fn replace(value: &mut Value, masks: &[(String, String)], home: Option<&str>) {
    match value {
        Value::String(s) => {
            if let Some(home) = home {
                if s.contains(home) {
                    *s = s.replace(home, "~");
                }
            }
            for (secret, mask) in masks {
                // Short values ("iPhone", a common device name) are masked
                // only whole, or "iPhone10,3" would become "<device-name-1>10,3".
                let whole = secret.len() < MIN_PARTIAL && s == secret;
                if whole || (secret.len() >= MIN_PARTIAL && s.contains(secret.as_str())) {
                    *s = s.replace(secret.as_str(), mask);
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
    fn identifiers_in_quoted_text_are_masked() {
        let mut s = sample();
        s.probes.reported_errors.push(ReportedError {
            tool: "usbmuxd".into(),
            domain: None,
            code: None,
            message: "lockdown error".into(),
            udid: None,
            overcome: None,
            quote: Quote {
                file: "usbmuxd.log".into(),
                line: 3,
                text: "Connecting to 0123456789abcdef0123456789abcdef01234567 as /Users/bob/x and C:\\Users\\Eve\\y, not /tmp/a/home/c".into(),
            },
        });
        let out = redact(&s, None);
        let text = &out.probes.reported_errors[0].quote.text;
        assert!(
            !text.contains("0123456789abcdef") && !text.contains("bob") && !text.contains("Eve"),
            "{text}"
        );
        assert!(text.contains("<udid-") && text.contains("<home-"), "{text}");
        assert!(text.ends_with("/tmp/a/home/c"), "{text}");
        assert_eq!(redact(&out, None), out, "idempotent");
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
