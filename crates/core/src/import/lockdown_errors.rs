//! What libimobiledevice's clients (`idevicepair`, `ideviceinfo`, `ifuse`,
//! `ios_webkit_debug_proxy` ...) print when lockdownd refuses them: trust
//! dialogs, missing pairings, a locked phone, "No device found", and
//! lockdownd's numeric codes.
//!
//! Since libimobiledevice 1.3 a refusal reads "Could not connect to
//! lockdownd: Pairing dialog response pending (-19)": the name says the
//! numbering. Older clients print only "error code -21", and -21 meant
//! another error in the 1.1.x releases, so such a code is recorded without a
//! domain and `explain_reported` says it is ambiguous.

use super::imported::imported;
use super::tool_errors::{leading_number, plain, Errors, MAX_LINES, TOOL_NAME_WINDOW};
use super::{Capture, Line};
use crate::snapshot::Snapshot;

/// Client names, first found in the capture names the tool.
const CLIENTS: &[&str] = &[
    "idevicepair",
    "ideviceinfo",
    "ifuse",
    "idevice_id",
    "idevicebackup2",
    "ios_webkit_debug_proxy",
];

/// Messages printed verbatim by the clients, read as they are.
const MESSAGES: &[&str] = &[
    "Please accept the trust dialog",
    "Please dismiss the trust dialog",
    "because a passcode is set",
    "is not paired with this host",
    "No device found",
    "Device not found",
    "User denied the trust dialog",
    "user denied the trust dialog",
    "Pairing dialog response pending",
    "Could not validate with device",
];

pub fn import(capture: &Capture) -> Option<Snapshot> {
    let tool = tool_of(capture);
    let numbering = numbering_of(capture);
    let mut errors = Errors::new(capture, tool);
    for line in capture.lines().take(MAX_LINES) {
        read(line, numbering, &mut errors);
    }
    if errors.list.is_empty() {
        return None;
    }
    let mut s = imported(
        &format!("{} output", errors.tool),
        &capture.name,
        Some(format!("{} lockdownd errors read", errors.list.len())),
    );
    s.probes.reported_errors = errors.list;
    Some(s)
}

/// Whether this importer reads `text` as an error: other importers leave
/// such lines to it.
pub fn claims(text: &str) -> bool {
    parse(plain(text)).is_some()
}

fn tool_of(capture: &Capture) -> String {
    let head = capture.opening(TOOL_NAME_WINDOW);
    if head.contains("Listing devices on :") {
        return "ios_webkit_debug_proxy".into();
    }
    CLIENTS
        .iter()
        .filter_map(|c| head.find(c).map(|at| (at, *c)))
        .min()
        .map_or("libimobiledevice", |(_, c)| c)
        .to_string()
}

/// What one line says: (domain, code, message), or a success.
enum Said<'a> {
    Error(Option<&'static str>, Option<i64>, &'a str),
    Success,
}

/// The lockdownd numbering of the libimobiledevice that printed the
/// capture, when the capture shows its version ("idevicepair 1.3.0", as
/// `-v` prints it): 1.1.x numbered the errors differently from 1.2 on.
fn numbering_of(capture: &Capture) -> Option<&'static str> {
    capture.lines().take(MAX_LINES).find_map(|l| {
        let (name, version) = plain(l.text).split_once(' ')?;
        let known = CLIENTS.contains(&name) || name == "libimobiledevice";
        let mut parts = version.trim().split('.');
        let major: u32 = parts.next()?.parse().ok()?;
        let minor: u32 = parts.next()?.parse().ok()?;
        if !known || major != 1 {
            return None;
        }
        Some(if minor <= 1 {
            "lockdownd-1.1"
        } else {
            "lockdownd"
        })
    })
}

fn read(line: Line<'_>, numbering: Option<&'static str>, errors: &mut Errors<'_>) {
    match parse(plain(line.text)) {
        // A bare code takes the numbering the capture's version shows.
        Some(Said::Error(None, Some(code), message)) => {
            errors.push(line, numbering, Some(code), message)
        }
        Some(Said::Error(domain, code, message)) => errors.push(line, domain, code, message),
        Some(Said::Success) => errors.succeeded(line),
        None => {}
    }
}

fn parse(t: &str) -> Option<Said<'_>> {
    // usbmuxd's own log says "is not paired" too: that is its importer's.
    if t.contains("usbmuxd[") || t.starts_with('[') {
        return None;
    }
    if t.starts_with("SUCCESS: Paired") || t.starts_with("SUCCESS: Validated") {
        return Some(Said::Success);
    }
    let message = t
        .find("ERROR: ")
        .and_then(|at| t.get(at + "ERROR: ".len()..))
        .unwrap_or(t);
    const CONNECT: &str = "Could not connect to lockdownd";
    if let Some(at) = message.find(CONNECT) {
        let message = message.get(at..).unwrap_or(message);
        let rest = message.get(CONNECT.len()..).unwrap_or("");
        if let Some(named) = rest.strip_prefix(": ") {
            // "Pairing dialog response pending (-19)": the 1.3+ numbering.
            let code = named
                .rfind('(')
                .and_then(|at| named.get(at..))
                .and_then(leading_number);
            return Some(Said::Error(code.map(|_| "lockdownd"), code, message));
        }
        let code = rest
            .find("error code")
            .and_then(|at| rest.get(at + "error code".len()..))
            .and_then(leading_number);
        return Some(Said::Error(None, code, message));
    }
    if let Some(at) = message.find("returned unhandled error code") {
        let code = message
            .get(at + "returned unhandled error code".len()..)
            .and_then(leading_number);
        return Some(Said::Error(None, code, message));
    }
    MESSAGES
        .iter()
        .any(|m| message.contains(m))
        .then_some(Said::Error(None, None, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<Snapshot> {
        import(&Capture::new("paste.txt", text.as_bytes()))
    }

    #[test]
    fn named_codes_take_the_current_numbering_and_bare_ones_none() {
        let s = read("ideviceinfo\nERROR: Could not connect to lockdownd: Pairing dialog response pending (-19)\n").unwrap();
        let e = &s.probes.reported_errors[0];
        assert_eq!(
            (e.tool.as_str(), e.domain.as_deref(), e.code),
            ("ideviceinfo", Some("lockdownd"), Some(-19))
        );
        assert_eq!(e.quote.line, 2);
        let s = read("Could not connect to lockdownd, error code -21. Exiting.\n").unwrap();
        let e = &s.probes.reported_errors[0];
        assert_eq!((e.domain.as_deref(), e.code), (None, Some(-21)));
    }

    #[test]
    fn a_version_in_the_capture_picks_the_numbering_of_a_bare_code() {
        let s = read("$ ideviceinfo -v\nideviceinfo 1.1.7\nERROR: Could not connect to lockdownd, error code -21\n").unwrap();
        let e = &s.probes.reported_errors[0];
        assert_eq!(
            (e.domain.as_deref(), e.code),
            (Some("lockdownd-1.1"), Some(-21))
        );
        let s = read("idevicepair 1.3.0\nERROR: Could not connect to lockdownd, error code -21\n")
            .unwrap();
        assert_eq!(
            s.probes.reported_errors[0].domain.as_deref(),
            Some("lockdownd")
        );
    }

    #[test]
    fn a_later_success_overcomes_the_trust_dialog() {
        let s = read("$ idevicepair pair\nERROR: Please accept the trust dialog on the screen of device X, then attempt to pair again.\n$ idevicepair pair\nSUCCESS: Paired with device X\n").unwrap();
        let e = &s.probes.reported_errors[0];
        assert_eq!(e.tool, "idevicepair");
        assert_eq!(e.overcome.as_ref().map(|q| q.line), Some(4));
    }

    #[test]
    fn hostile_input_reads_nothing_or_stays_bounded() {
        assert!(read("").is_none());
        assert!(read("just words\n").is_none());
        assert!(read("\u{0}\u{1}\u{ff}binary").is_none());
        let long = format!(
            "ERROR: Could not connect to lockdownd, error code -{}\n",
            "9".repeat(100_000)
        );
        let s = read(&long).unwrap();
        assert_eq!(s.probes.reported_errors[0].code, None);
        let many = "No device found\n".repeat(10_000);
        assert_eq!(read(&many).unwrap().probes.reported_errors.len(), 1);
        assert!(read("Could not connect to lockdownd: (").is_some());
    }
}
