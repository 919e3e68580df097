//! Python tools' errors: pymobiledevice3 (and tools built on it, such as
//! iBackep) and tidevice. They end in an exception line whose class names
//! the error (`PasswordRequiredError`, `NotPairedError`,
//! `ConnectionFailedToUsbmuxdError`, `MuxError: socket ... unable to
//! connect`), and a failed backup carries the phone's answer as a dict:
//! `{'ErrorCode': 205, 'ErrorDescription': '...'}` (MBErrorDomain).
//!
//! A `KeyError: 'DLMessagePurgeDiskSpace'` is pymobiledevice3 getting a
//! message it had no handler for: the phone asked the computer to free disk
//! space. A traceback cut off before its last line is read from its last
//! `raise`.

use super::imported::imported;
use super::tool_errors::{number_after, plain, Errors, MAX_LINES, TOOL_NAME_WINDOW};
use super::{Capture, Line};
use crate::snapshot::Snapshot;

const MB: &str = "mberrordomain";

pub fn import(capture: &Capture) -> Option<Snapshot> {
    let head = capture.opening(TOOL_NAME_WINDOW);
    let tool = if head.contains("pymobiledevice3") {
        "pymobiledevice3"
    } else if head.contains("tidevice") {
        "tidevice"
    } else {
        return None;
    };
    let mut errors = Errors::new(capture, tool);
    let mut last_raise: Option<Line<'_>> = None;
    let mut ended = false;
    for line in capture.lines().take(MAX_LINES) {
        let t = plain(line.text);
        if t.starts_with("raise ") {
            last_raise = Some(line);
            continue;
        }
        if let Some(message) = exception(t) {
            ended = true;
            let code = number_after(message, "'ErrorCode': ");
            let message = description(message).unwrap_or(message);
            errors.push(line, code.map(|_| MB), code, message);
        }
    }
    if !ended {
        if let Some(line) = last_raise {
            let t = plain(line.text);
            let raised = t.strip_prefix("raise ").unwrap_or(t);
            errors.push(line, None, None, raised);
        }
    }
    if errors.list.is_empty() {
        return None;
    }
    let mut s = imported(
        &format!("{tool} output"),
        &capture.name,
        Some(format!("{} exceptions read", errors.list.len())),
    );
    s.probes.reported_errors = errors.list;
    Some(s)
}

/// The exception line of a traceback: `module.ClassName: message` or a
/// bare `ClassName`, where the class ends in `Error` or `Exception`.
fn exception(t: &str) -> Option<&str> {
    let class_end = t.find(": ").unwrap_or(t.len());
    let class = t.get(..class_end)?;
    let name = class.rsplit('.').next().unwrap_or(class);
    let dotted_ok = class
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    let is_class = dotted_ok
        && !class.starts_with('.')
        && name.len() > "Error".len()
        && name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && (name.ends_with("Error") || name.ends_with("Exception"));
    is_class.then(|| {
        // Keep the class name and the message, not the module path.
        let at = class_end.saturating_sub(name.len());
        t.get(at..).unwrap_or(t)
    })
}

/// `'ErrorDescription': '...'` from a DeviceLink error dict.
fn description(message: &str) -> Option<&str> {
    const KEY: &str = "'ErrorDescription': '";
    let at = message.find(KEY)?;
    let rest = message.get(at + KEY.len()..)?;
    let end = rest.find("', ").or_else(|| rest.rfind('\''))?;
    rest.get(..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<Snapshot> {
        import(&Capture::new("paste.txt", text.as_bytes()))
    }

    #[test]
    fn a_device_link_error_carries_its_code_and_description() {
        let s = read("Traceback (most recent call last):\n  File \"pymobiledevice3/services/device_link.py\", line 61, in dl_loop\npymobiledevice3.exceptions.PyMobileDevice3Exception: Device link error: {'ErrorCode': 205, 'ErrorDescription': 'Error reading backup properties (MBErrorDomain/205).', 'MessageName': 'Response'}\n").unwrap();
        let e = &s.probes.reported_errors[0];
        assert_eq!((e.domain.as_deref(), e.code), (Some(MB), Some(205)));
        assert_eq!(
            e.message,
            "Error reading backup properties (MBErrorDomain/205)."
        );
        assert_eq!(e.quote.line, 3);
    }

    #[test]
    fn exception_classes_and_a_cut_off_traceback() {
        let s = read(
            "pymobiledevice3 lockdown info\npymobiledevice3.exceptions.PasswordRequiredError\n",
        )
        .unwrap();
        assert_eq!(s.probes.reported_errors[0].message, "PasswordRequiredError");
        let s = read("tidevice list\n  File \"tidevice/_safe_socket.py\", line 44\n    raise MuxError(\"socket unix:{} unable to connect\".format(addr))\ntidevice.exce").unwrap();
        assert!(s.probes.reported_errors[0].message.starts_with("MuxError("));
        let s =
            read("  File \"pymobiledevice3/x.py\"\nKeyError: 'DLMessagePurgeDiskSpace'\n").unwrap();
        assert_eq!(
            s.probes.reported_errors[0].message,
            "KeyError: 'DLMessagePurgeDiskSpace'"
        );
    }

    #[test]
    fn hostile_input_reads_nothing_or_stays_bounded() {
        assert!(read("").is_none());
        assert!(read("ValueError: nothing to do with phones\n").is_none());
        assert!(read("pymobiledevice3\n: \n.Error\n'ErrorDescription': '").is_none());
        let long = format!(
            "pymobiledevice3\nXError: {{'ErrorCode': {}, 'ErrorDescription': '{}\n",
            "7".repeat(50_000),
            "é".repeat(50_000)
        );
        let s = read(&long).unwrap();
        assert_eq!(s.probes.reported_errors[0].code, None);
    }
}
