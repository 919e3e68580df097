//! A phone's lockdown values in the other forms people paste them:
//! `ideviceinfo -x` (an XML plist, often only an excerpt of a debug log),
//! `pymobiledevice3 lockdown info` (JSON) and idb's NSDictionary
//! description (`ProductVersion = "15.6.1";`). They become the same
//! lockdown values the `ideviceinfo` text importer gives.
//!
//! A whole XML plist is read with the bounded walker; an excerpt cut off at
//! both ends is no plist, so its `<key>` lines and the value after each are
//! read instead, one line at a time.

use serde_json::Value;

use super::ideviceinfo::{
    lockdown_snapshot, quotes_by_search, recognised, usable, SESSION_ONLY, SIGNATURE,
};
use super::tool_errors::{DOCUMENT_WINDOW, MAX_LINES};
use super::Capture;
use crate::plist_bounded::{scan, Scalar, Seg};
use crate::snapshot::Snapshot;

pub fn import(capture: &Capture) -> Option<Snapshot> {
    let start = capture.opening(DOCUMENT_WINDOW);
    let (pairs, form) = if start.trim_start().starts_with('{') {
        (from_json(capture.head())?, "pymobiledevice3 lockdown info")
    } else if start.contains("<key>") {
        (from_xml(capture), "ideviceinfo -x output")
    } else {
        (from_nsdict(capture), "lockdown values (NSDictionary)")
    };
    if !recognised(pairs.iter().map(|(k, _)| k.as_str())) {
        return None;
    }
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| usable(v))
    };
    let in_session = pairs
        .iter()
        .any(|(k, _)| SESSION_ONLY.contains(&k.as_str()));
    let quotes = quotes_by_search(capture, &get);
    Some(lockdown_snapshot(
        &get,
        quotes,
        in_session,
        form,
        &capture.name,
        format!("{} top-level values read", pairs.len()),
    ))
}

type Pairs = Vec<(String, String)>;

fn wanted(key: &str) -> bool {
    SIGNATURE.contains(&key)
        || SESSION_ONLY.contains(&key)
        || matches!(key, "DeviceName" | "PasswordProtected")
}

fn scalar_text(v: &Scalar) -> Option<String> {
    match v {
        Scalar::Str(s) => Some(s.clone()),
        Scalar::Bool(b) => Some(b.to_string()),
        Scalar::Int(Some(u), _) => Some(u.to_string()),
        Scalar::Int(None, Some(i)) => Some(i.to_string()),
        _ => None,
    }
}

fn from_xml(capture: &Capture) -> Pairs {
    let head = capture.head();
    if let Some(at) = head.find("<plist") {
        let start = head.get(..at).and_then(|h| h.rfind("<?xml")).unwrap_or(at);
        let want = |p: &[Seg]| matches!(p, [Seg::Key(k)] if wanted(k));
        if let Ok(found) = scan(head.get(start..).unwrap_or("").as_bytes(), &want) {
            return found
                .into_iter()
                .filter_map(|(p, v)| match p.as_slice() {
                    [Seg::Key(k)] => scalar_text(&v).map(|v| (k.clone(), v)),
                    _ => None,
                })
                .collect();
        }
    }
    // An excerpt: `<key>K</key>` then the value on the same or next line.
    let mut pairs = Pairs::new();
    let mut pending: Option<String> = None;
    for line in capture.lines().take(MAX_LINES) {
        let mut t = line.text.trim();
        if let Some(rest) = t.strip_prefix("<key>") {
            let Some(end) = rest.find("</key>") else {
                pending = None;
                continue;
            };
            let key = rest.get(..end).unwrap_or("");
            pending = wanted(key).then(|| key.to_string());
            t = rest.get(end + "</key>".len()..).unwrap_or("").trim();
            if t.is_empty() {
                continue;
            }
        }
        let Some(key) = pending.take() else {
            continue;
        };
        let value = match t {
            "<true/>" => Some("true".to_string()),
            "<false/>" => Some("false".to_string()),
            _ => ["string", "integer"].iter().find_map(|tag| {
                let open = format!("<{tag}>");
                let close = format!("</{tag}>");
                let rest = t.strip_prefix(&open)?;
                rest.find(&close)
                    .and_then(|e| rest.get(..e))
                    .map(String::from)
            }),
        };
        if let Some(v) = value {
            pairs.push((key, v));
        }
    }
    pairs
}

fn from_json(head: &str) -> Option<Pairs> {
    let v: Value = serde_json::from_str(head.trim()).ok()?;
    let obj = v.as_object()?;
    Some(
        obj.iter()
            .filter(|(k, _)| wanted(k))
            .filter_map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => n.to_string(),
                    _ => return None,
                };
                Some((k.clone(), text))
            })
            .collect(),
    )
}

/// `    Key = value;` lines at the first level of indentation seen.
fn from_nsdict(capture: &Capture) -> Pairs {
    let mut pairs = Pairs::new();
    for line in capture.lines().take(MAX_LINES) {
        let t = line.text.trim();
        let Some((k, v)) = t.split_once(" = ") else {
            continue;
        };
        if !wanted(k) {
            continue;
        }
        let Some(v) = v.strip_suffix(';') else {
            continue;
        };
        pairs.push((k.to_string(), v.trim_matches('"').to_string()));
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plist_bounded::hostile;

    fn read(text: &str) -> Option<Snapshot> {
        import(&Capture::new("paste.txt", text.as_bytes()))
    }

    fn lockdown(s: &Snapshot) -> &crate::snapshot::LockdownObs {
        s.probes.devices[0].lockdown().expect("lockdown values")
    }

    #[test]
    fn an_xml_excerpt_cut_at_both_ends() {
        let s = read("        gBen1A==\n        </data>\n        <key>BrickState</key>\n        <false/>\n        <key>BuildVersion</key>\n        <string>12B411</string>\n        <key>CPUArchitecture</key>\n        <string>armv7s</string>\n        <key>CarrierBundleInfoArray</key>\n        <array>\n            <dic").unwrap();
        let l = lockdown(&s);
        assert_eq!(l.build_version.as_deref(), Some("12B411"));
        assert_eq!(l.session, crate::snapshot::SessionObs::Trusted);
    }

    #[test]
    fn a_whole_plist_json_and_nsdict() {
        let s = read("<?xml version=\"1.0\"?><plist version=\"1.0\"><dict><key>ProductType</key><string>iPhone10,3</string><key>ProductVersion</key><string>16.7.2</string></dict></plist>").unwrap();
        assert_eq!(lockdown(&s).product_version.as_deref(), Some("16.7.2"));
        let s = read("{\"ProductType\": \"iPhone14,2\", \"ProductVersion\": \"17.1\", \"UniqueDeviceID\": \"***\", \"PasswordProtected\": false}").unwrap();
        assert_eq!(s.probes.devices[0].udid, crate::import::UNNAMED_PHONE);
        assert_eq!(lockdown(&s).password_protected, Some(false));
        let s = read("    PasswordProtected = 0;\n    ProductType = \"iPhone10,4\";\n    ProductVersion = \"15.6.1\";\n").unwrap();
        assert_eq!(lockdown(&s).product_type.as_deref(), Some("iPhone10,4"));
        assert_eq!(lockdown(&s).password_protected, Some(false));
    }

    #[test]
    fn hostile_input_is_refused_without_panic() {
        assert!(read("").is_none());
        assert!(read("{").is_none());
        assert!(read("<key>ProductType").is_none());
        let bomb = String::from_utf8_lossy(&hostile::nested_xml(100_000)).to_string();
        assert!(read(&format!("<key>ProductType</key>\n{bomb}")).is_none());
        assert!(read(&"{\"a\":".repeat(100_000)).is_none());
        let long = format!("<key>ProductType</key><string>{}</string>\n<key>BuildVersion</key>\n<string>1</string>\n<key>CPUArchitecture</key>\n<string>arm64</string>\n", "x".repeat(100_000));
        let s = read(&long).unwrap();
        assert!(
            lockdown(&s).product_type.is_none(),
            "a cut line has no closing tag"
        );
    }
}
