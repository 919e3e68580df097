//! Alerts of Finder, iTunes and the Apple Devices app, pasted by a person:
//! "The iPhone "X" could not be backed up because the iPhone disconnected.",
//! "An unknown error occurred (-54).", "0xE8000084". A line is read when it
//! has the shape of such an alert (or a MobileDevice code) and `explain`
//! knows its words or its code: the same knowledge then names the cause.

use super::imported::imported;
use super::tool_errors::{Errors, MAX_LINES};
use super::Capture;
use crate::knowledge::{lookup, Reason};
use crate::snapshot::Snapshot;

pub const TOOL: &str = "Finder / iTunes";
/// At most this many lines are looked up in the knowledge: a lookup is
/// the costly step, and a paste holds a few alerts, not thousands.
const MAX_LOOKUPS: usize = 64;

/// Words of the alerts (lower case).
const SHAPES: &[&str] = &[
    "could not be backed up",
    "could not back up",
    "could not be synced",
    "could not be restored",
    "could not be updated",
    "an unknown error occurred",
    "cannot be used because it requires",
    "requires a newer version of",
];

pub fn import(capture: &Capture) -> Option<Snapshot> {
    let mut errors = Errors::new(capture, TOOL);
    let mut lookups = 0;
    for line in capture.lines().take(MAX_LINES) {
        if errors.is_full() || lookups >= MAX_LOOKUPS {
            break;
        }
        let t = line.text.trim();
        let lower = t.to_lowercase();
        let amd = mobiledevice_code(&lower);
        if amd.is_none() && !SHAPES.iter().any(|s| lower.contains(s)) {
            continue;
        }
        if errors.has_message(t) {
            continue;
        }
        lookups += 1;
        let known = lookup(t).best().is_some_and(|m| {
            m.reasons
                .iter()
                .any(|r| matches!(r, Reason::Phrase { .. } | Reason::Code { .. }))
        });
        if !known {
            continue;
        }
        match (amd, alert_code(&lower)) {
            (Some(v), _) => errors.push(line, Some("mobiledevice"), Some(v), t),
            (None, Some(v)) => errors.push(line, Some("itunes"), Some(v), t),
            (None, None) => errors.push(line, None, None, t),
        }
    }
    if errors.list.is_empty() {
        return None;
    }
    let mut s = imported(
        &format!("{TOOL} alert"),
        &capture.name,
        Some(format!("{} alerts read", errors.list.len())),
    );
    s.probes.reported_errors = errors.list;
    Some(s)
}

/// `0xE8000084` (any case) as its unsigned value.
fn mobiledevice_code(lower: &str) -> Option<i64> {
    let at = lower.find("0xe8")?;
    let hex = lower.get(at + 2..at + 10)?;
    u32::from_str_radix(hex, 16).ok().map(i64::from)
}

/// The small number of an alert, in parentheses: "(-54)", "(4013)".
fn alert_code(lower: &str) -> Option<i64> {
    let open = lower.rfind('(')?;
    let inner = lower.get(open + 1..)?;
    let close = inner.find(')')?;
    let digits = inner.get(..close)?.trim();
    if digits.len() > 8 {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<Snapshot> {
        import(&Capture::new("paste.txt", text.as_bytes()))
    }

    #[test]
    fn alerts_and_codes_are_read_with_their_domain() {
        let s = read("The iPhone \u{201c}Anna\u{2019}s iPhone\u{201d} could not be backed up because the iPhone disconnected.\n").unwrap();
        let e = &s.probes.reported_errors[0];
        assert_eq!((e.tool.as_str(), e.domain.as_deref()), (TOOL, None));
        let s = read("Could not connect: 0xE8000084\n").unwrap();
        let e = &s.probes.reported_errors[0];
        assert_eq!(
            (e.domain.as_deref(), e.code),
            (Some("mobiledevice"), Some(0xE800_0084))
        );
        let s = read("The iPhone could not be synced. An unknown error occurred (-54).\n").unwrap();
        let e = &s.probes.reported_errors[0];
        assert_eq!((e.domain.as_deref(), e.code), (Some("itunes"), Some(-54)));
    }

    #[test]
    fn many_alerts_cost_a_bounded_number_of_lookups() {
        let many: String = (0..10_000)
            .map(|i| format!("The iPhone could not be backed up because the iPhone disconnected ({i} times).\n"))
            .collect();
        let s = read(&many).unwrap();
        assert!(s.probes.reported_errors.len() <= MAX_LOOKUPS);
        let same =
            "The iPhone could not be backed up because the iPhone disconnected.\n".repeat(10_000);
        assert_eq!(read(&same).unwrap().probes.reported_errors.len(), 1);
    }

    #[test]
    fn other_text_is_not_an_alert() {
        assert!(read("").is_none());
        assert!(read("please restart the iphone and check the cable\n").is_none());
        assert!(read("0xe8zz\n(((\n0xE8").is_none());
        let long = format!(
            "The iPhone could not be backed up {}\n",
            "(".repeat(100_000)
        );
        assert!(read(&long).is_some_and(|s| s.probes.reported_errors[0].code.is_none()));
    }
}
