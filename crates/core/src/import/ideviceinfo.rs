//! `ideviceinfo` (libimobiledevice) text output: one `Key: value` per line,
//! nested values indented below their key. Only top-level keys the rules
//! use are read; a capture cut off part-way, or with values masked by its
//! author (`***`, `xxx`), is read as far as it goes, never completed.

use std::collections::BTreeMap;

use super::capture::masked;
use super::imported::{imported, phone};
use super::{Capture, Line, UNNAMED_PHONE};
use crate::snapshot::{
    lockdown_flag, DeviceObs, LockdownObs, Outcome, Quote, SessionObs, Snapshot,
    LOCKDOWN_NORMAL_MODE,
};

/// Keys that only `ideviceinfo` prints at the start of a line.
pub(super) const SIGNATURE: &[&str] = &[
    "ActivationState",
    "BuildVersion",
    "DeviceClass",
    "ProductType",
    "ProductVersion",
    "UniqueDeviceID",
    "HardwareModel",
    "CPUArchitecture",
];
/// Keys whose line a finding may quote.
pub(super) const QUOTED: &[&str] = &[
    "ActivationState",
    "BuildVersion",
    "PasswordProtected",
    "ProductType",
    "ProductVersion",
];
/// Keys lockdownd gives only inside a trusted session: their presence says
/// the capture was taken with one.
pub(super) const SESSION_ONLY: &[&str] = &["ActivationState", "PasswordProtected", "BrickState"];
/// At most this many `Key: value` lines are kept (a real dump has about
/// 120); a dump at the end of a long log is still found.
const MAX_PAIRS: usize = 10_000;
/// Longer values are cut: nothing the rules read is longer.
const MAX_VALUE: usize = 256;

pub fn import(capture: &Capture) -> Option<Snapshot> {
    let name = &capture.name;
    let pairs: Vec<(Line, &str, &str)> = capture
        .lines()
        .filter(|l| !l.text.starts_with(char::is_whitespace))
        .filter_map(|l| {
            let (k, v) = l.text.split_once(':')?;
            let ok = !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            ok.then_some((l, k, v.trim()))
        })
        .take(MAX_PAIRS)
        .collect();
    if !recognised(pairs.iter().map(|(_, k, _)| *k)) {
        return None;
    }
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(_, k, _)| *k == key)
            .and_then(|(_, _, v)| usable(v))
    };
    let in_session = pairs.iter().any(|(_, k, _)| SESSION_ONLY.contains(k));
    // Lines rules quote; never DeviceName (a person's name, too short to be
    // found by redaction inside a line).
    let quotes = QUOTED
        .iter()
        .filter(|key| get(key).is_some())
        .filter_map(|key| {
            let (line, _, _) = pairs.iter().find(|(_, k, _)| k == key)?;
            Some((key.to_string(), capture.quote(*line)))
        })
        .collect();
    Some(lockdown_snapshot(
        &get,
        quotes,
        in_session,
        "ideviceinfo output",
        name,
        format!("{} top-level values read", pairs.len()),
    ))
}

/// Lockdown values are recognised, in whatever form, by at least two keys
/// only they carry ([`SIGNATURE`]).
pub(super) fn recognised<'k>(keys: impl Iterator<Item = &'k str>) -> bool {
    keys.filter(|k| SIGNATURE.contains(k)).count() >= 2
}

/// For forms that spread a key and its value over lines (XML, JSON, an
/// NSDictionary): the first line naming both, else the first naming the key.
pub(super) fn quotes_by_search(
    capture: &Capture,
    get: &dyn Fn(&str) -> Option<String>,
) -> BTreeMap<String, Quote> {
    let mut quotes = BTreeMap::new();
    for key in QUOTED {
        let Some(value) = get(key) else { continue };
        let mut named = None;
        for line in capture.lines() {
            if line.text.contains(key) {
                if line.text.contains(value.as_str()) {
                    named = Some(line);
                    break;
                }
                named = named.or(Some(line));
            }
        }
        if let Some(line) = named {
            quotes.insert(key.to_string(), capture.quote(line));
        }
    }
    quotes
}

/// One phone's lockdown values as a snapshot, whatever form they were
/// printed in (`ideviceinfo` text or XML, pymobiledevice3 JSON, idb).
/// `get` gives a key's value, unmasked and cut; `quotes` the lines rules may
/// quote; `in_session` says whether a value only a trusted session gives
/// was there.
pub(super) fn lockdown_snapshot(
    get: &dyn Fn(&str) -> Option<String>,
    quotes: BTreeMap<String, Quote>,
    in_session: bool,
    source: &str,
    file: &str,
    notes: String,
) -> Snapshot {
    let mut lockdown = LockdownObs {
        query_type: Some(LOCKDOWN_NORMAL_MODE.into()),
        quotes,
        session: if in_session {
            SessionObs::Trusted
        } else {
            SessionObs::NotAttempted
        },
        ..Default::default()
    };
    // The same mapping of keys to fields as the live probe's.
    lockdown.apply_root_values(
        get,
        &|k| get(k).as_deref().and_then(lockdown_flag),
        in_session,
    );
    let session = if in_session {
        ", taken in a trusted session"
    } else {
        ", taken without a session"
    };
    let mut snapshot = imported(source, file, Some(format!("{notes}{session}")));
    snapshot.probes.devices.push(DeviceObs {
        udid: get("UniqueDeviceID").unwrap_or_else(|| UNNAMED_PHONE.into()),
        lockdown: Outcome::Ok {
            duration_ms: 0,
            value: lockdown,
        },
        ..phone()
    });
    snapshot
}

/// A value as the rules may read it: there, not masked by the capture's
/// author, and cut to [`MAX_VALUE`].
pub(super) fn usable(v: &str) -> Option<String> {
    (!v.is_empty() && !masked(v)).then(|| v.chars().take(MAX_VALUE).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<Snapshot> {
        import(&Capture::new("paste.txt", text.as_bytes()))
    }

    const UNACTIVATED: &str = "ActivationState: Unactivated\nBasebandKeyHashInformation: \n AKeyStatus: 64\nBuildVersion: 17A878\nCPUArchitecture: arm64e\nDeviceClass: iPhone\n";

    #[test]
    fn a_dump_becomes_the_lockdown_values_of_one_phone() {
        let s = read(UNACTIVATED).expect("recognised");
        let l = s.probes.devices[0].lockdown().unwrap();
        assert_eq!(l.activation_state.as_deref(), Some("Unactivated"));
        assert_eq!(l.build_version.as_deref(), Some("17A878"));
        assert_eq!(l.session, SessionObs::Trusted);
        assert_eq!(
            l.product_version, None,
            "cut off before ProductVersion: not invented"
        );
        assert_eq!(s.provenance.kind, crate::snapshot::ProvenanceKind::Imported);
        assert_eq!(
            l.quote("ActivationState").map(|q| q.cite()).as_deref(),
            Some("paste.txt:1: ActivationState: Unactivated")
        );
        assert!(l.quote("ProductVersion").is_none(), "not in the capture");
    }

    #[test]
    fn masked_values_are_not_read_and_other_text_is_not_ideviceinfo() {
        let s =
            read("ProductType: iPhone9,1\nProductVersion: 13.3.1\nUniqueDeviceID: ***\n").unwrap();
        assert_eq!(s.probes.devices[0].udid, UNNAMED_PHONE);
        assert!(read("hello: world\nthis is a log line\n").is_none());
        assert!(read("").is_none());
        assert!(read("\u{0}\u{1}binary").is_none());
    }
}
