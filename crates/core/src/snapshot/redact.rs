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

use std::collections::{BTreeMap, HashMap};

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
    match serde_json::to_value(snapshot) {
        Ok(value) => masked(value, home).unwrap_or_else(|| withheld(snapshot)),
        Err(_) => withheld(snapshot),
    }
}

/// [`redact`], taking the snapshot: its phones are turned into JSON and
/// masked one at a time, so a snapshot of thousands of phones is never held
/// whole as a JSON tree, several times its own size (issue 30). The masks
/// are the same as [`redact`]'s: values are met in the same order.
pub fn redact_owned(mut snapshot: Snapshot, home: Option<&str>) -> Snapshot {
    let devices = std::mem::take(&mut snapshot.probes.devices);
    let rest = serde_json::to_value(&snapshot).ok();
    snapshot.probes.devices = devices;
    let Some(mut rest) = rest else {
        return withheld(&snapshot);
    };
    let mut masks = BTreeMap::new();
    let mut counters = BTreeMap::new();
    if collect_around_devices(
        &mut rest,
        &snapshot.probes.devices,
        &mut masks,
        &mut counters,
    )
    .is_none()
    {
        return withheld(&snapshot);
    }
    let ordered = ordered_masks(masks, home);
    let home = usable_home(home);
    let masks = Masks::new(&ordered);
    replace(&mut rest, &masks, home);
    let fallback = withheld(&snapshot);
    let devices = std::mem::take(&mut snapshot.probes.devices);
    drop(snapshot);
    let Ok(mut out) = serde_json::from_value::<Snapshot>(rest) else {
        return fallback;
    };
    for device in devices {
        let Ok(mut value) = serde_json::to_value(&device) else {
            return fallback;
        };
        drop(device);
        replace(&mut value, &masks, home);
        let Ok(masked) = serde_json::from_value(value) else {
            return fallback;
        };
        out.probes.devices.push(masked);
    }
    out.provenance.redacted = true;
    out
}

/// [`collect`] over the snapshot's JSON form without its phones, visiting
/// each phone (made JSON one at a time) where `probes.devices` stands, so
/// values are met in the order the whole tree would give.
fn collect_around_devices(
    rest: &mut Value,
    devices: &[super::DeviceObs],
    masks: &mut BTreeMap<String, String>,
    counters: &mut BTreeMap<&'static str, usize>,
) -> Option<()> {
    let Value::Object(top) = rest else {
        return None;
    };
    for (key, v) in top.iter_mut() {
        match (key.as_str(), v) {
            ("probes", Value::Object(probes)) => {
                for (probe, pv) in probes.iter_mut() {
                    if probe == "devices" {
                        for d in devices {
                            let mut dv = serde_json::to_value(d).ok()?;
                            collect(&mut dv, masks, counters);
                        }
                    } else {
                        collect_entry(probe, pv, masks, counters);
                    }
                }
            }
            (key, v) => collect_entry(key, v, masks, counters),
        }
    }
    Some(())
}

/// The masked snapshot from its JSON form; None when it does not read back.
fn masked(mut value: Value, home: Option<&str>) -> Option<Snapshot> {
    let mut masks = BTreeMap::new();
    let mut counters = BTreeMap::new();
    collect(&mut value, &mut masks, &mut counters);
    let ordered = ordered_masks(masks, home);
    replace(&mut value, &Masks::new(&ordered), usable_home(home));
    let mut out: Snapshot = serde_json::from_value(value).ok()?;
    out.provenance.redacted = true;
    Some(out)
}

/// `home` without its trailing separators, when it is more than a root.
fn usable_home(home: Option<&str>) -> Option<&str> {
    home.filter(|h| h.len() > 1)
        .map(|h| h.trim_end_matches(['/', '\\']))
}

/// The masks in the order they are applied: longest first, so a value that
/// contains another is replaced whole. This computer's own home reads
/// better as `~`, so it is not masked.
fn ordered_masks(mut masks: BTreeMap<String, String>, home: Option<&str>) -> Vec<(String, String)> {
    if let Some(home) = usable_home(home) {
        masks.remove(home);
    }
    let mut ordered: Vec<(String, String)> = masks.into_iter().collect();
    ordered.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    ordered
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
                collect_entry(key, v, masks, counters);
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

/// One entry of an object: its value is a mask's secret when its key names
/// one, else it is looked through.
fn collect_entry(
    key: &str,
    v: &mut Value,
    masks: &mut BTreeMap<String, String>,
    counters: &mut BTreeMap<&'static str, usize>,
) {
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

/// The masks, found in a string without trying each one: a snapshot of
/// thousands of phones has thousands of values to mask and hundreds of
/// thousands of strings, and trying every value on every string took a
/// minute (issue 30). Values of at least [`MIN_PARTIAL`] bytes are looked up
/// by their first [`MIN_PARTIAL`] bytes at every position of the string;
/// shorter ones by the whole string.
struct Masks<'a> {
    /// Longest first, as they are applied.
    ordered: &'a [(String, String)],
    by_prefix: HashMap<&'a [u8], Vec<usize>>,
    whole: HashMap<&'a str, usize>,
}

impl<'a> Masks<'a> {
    fn new(ordered: &'a [(String, String)]) -> Self {
        let mut by_prefix: HashMap<&[u8], Vec<usize>> = HashMap::new();
        let mut whole = HashMap::new();
        for (i, (secret, _)) in ordered.iter().enumerate() {
            if secret.len() >= MIN_PARTIAL {
                by_prefix
                    .entry(&secret.as_bytes()[..MIN_PARTIAL])
                    .or_default()
                    .push(i);
            } else {
                whole.entry(secret.as_str()).or_insert(i);
            }
        }
        Self {
            ordered,
            by_prefix,
            whole,
        }
    }

    /// The masks that apply to `s`, in the order they are applied.
    fn in_text(&self, s: &str) -> Vec<usize> {
        let mut found: Vec<usize> = self.whole.get(s).copied().into_iter().collect();
        let b = s.as_bytes();
        if b.len() >= MIN_PARTIAL && !self.by_prefix.is_empty() {
            for at in 0..=b.len() - MIN_PARTIAL {
                if let Some(list) = self.by_prefix.get(&b[at..at + MIN_PARTIAL]) {
                    found.extend(
                        list.iter()
                            .filter(|&&i| b[at..].starts_with(self.ordered[i].0.as_bytes())),
                    );
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

fn replace(value: &mut Value, masks: &Masks, home: Option<&str>) {
    match value {
        Value::String(s) => {
            if let Some(home) = home {
                if s.contains(home) {
                    *s = s.replace(home, "~");
                }
            }
            // Short values ("iPhone", a common device name) are masked
            // only whole, or "iPhone10,3" would become "<device-name-1>10,3".
            for i in masks.in_text(s) {
                let (secret, mask) = &masks.ordered[i];
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

    /// Phone by phone or as one tree, the same masks: values are met in the
    /// same order either way.
    #[test]
    fn redacting_phone_by_phone_masks_as_the_whole_tree_does() {
        let fixtures = [
            include_str!("../../../../fixtures/device-two-phones.json"),
            include_str!("../../../../fixtures/backups-two-phones.json"),
            include_str!("../../../../fixtures/device-healthy.json"),
            include_str!("../../../../fixtures/connection-unstable.json"),
            include_str!("../../../../fixtures/hostile-text.json"),
        ];
        let mut snapshots: Vec<Snapshot> = fixtures
            .iter()
            .map(|f| crate::snapshot::parse_snapshot(f.as_bytes()).unwrap())
            .collect();
        snapshots.push(sample());
        for s in snapshots {
            let whole = serde_json::to_string(&redact(&s, Some("/home/alice"))).unwrap();
            let by_phone = serde_json::to_string(&redact_owned(s, Some("/home/alice"))).unwrap();
            assert_eq!(by_phone, whole);
            assert!(whole.contains("<udid-1>"), "{whole}");
        }
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
