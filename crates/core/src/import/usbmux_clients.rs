//! Programs that could not reach usbmuxd (or Apple Mobile Device Service on
//! Windows) and said so: libusbmuxd's "usbmuxd_get_device_list: error
//! opening socket!", `idevice_id`'s "Unable to retrieve device list!", Go
//! clients' "usbmux connect: dial tcp 127.0.0.1:27015: ... refused", and
//! "Failed to connect to usbmuxd socket". The daemon's own log is another
//! importer's: its lines are left alone.

use super::imported::imported;
use super::tool_errors::{plain, Errors, MAX_LINES, TOOL_NAME_WINDOW};
use super::Capture;
use crate::snapshot::Snapshot;

/// (what the line holds, the tool that prints it when the capture does not
/// name one).
const MESSAGES: &[(&str, &str)] = &[
    (
        "usbmuxd_get_device_list: error opening socket",
        "libusbmuxd",
    ),
    ("Unable to retrieve device list", "idevice_id"),
    ("usbmux connect: dial", "a usbmux client"),
    ("Failed to connect to usbmuxd socket", "a usbmux client"),
    ("Could not connect to usbmuxd", "a usbmux client"),
];

/// Programs that name themselves in a capture, most specific first.
const TOOLS: &[&str] = &["idevicerestore", "idevice_id", "go-ios", "ios-deploy"];

pub fn import(capture: &Capture) -> Option<Snapshot> {
    let head = capture.opening(TOOL_NAME_WINDOW);
    let named = TOOLS.iter().find(|t| head.contains(*t)).copied();
    let mut errors: Option<Errors<'_>> = None;
    for line in capture.lines().take(MAX_LINES) {
        let t = plain(line.text);
        if line.printed.contains("usbmuxd[") || t.starts_with('[') {
            continue;
        }
        let Some((m, tool)) = MESSAGES.iter().find(|(m, _)| t.contains(m)) else {
            continue;
        };
        let from = t.find(m).and_then(|at| t.get(at..)).unwrap_or(t);
        let list = errors.get_or_insert_with(|| Errors::new(capture, named.unwrap_or(tool)));
        list.push(line, None, None, from);
    }
    let errors = errors?;
    let mut s = imported(
        &format!("{} output", errors.tool),
        &capture.name,
        Some(format!(
            "{} usbmuxd connection errors read",
            errors.list.len()
        )),
    );
    s.probes.reported_errors = errors.list;
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<Snapshot> {
        import(&Capture::new("paste.txt", text.as_bytes()))
    }

    #[test]
    fn repeated_socket_errors_are_one_error_of_the_named_tool() {
        let s = read("waiting for device...\nusbmuxd_get_device_list: error opening socket!\nusbmuxd_get_device_list: error opening socket!\nERROR: Unable to open device in restore mode\nidevicerestore done\n").unwrap();
        let e = &s.probes.reported_errors;
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].tool, "idevicerestore");
        assert_eq!(e[0].quote.line, 2);
        let s = read("usbmux connect: dial tcp 127.0.0.1:27015: connectex: No connection could be made because the target machine actively refused it.\n").unwrap();
        assert!(s.probes.reported_errors[0]
            .message
            .starts_with("usbmux connect"));
    }

    #[test]
    fn the_daemons_own_log_and_other_text_are_not_read() {
        assert!(read("Mar 1 usbmuxd[12]: Could not connect to usbmuxd\n").is_none());
        assert!(read("").is_none());
        assert!(read("\u{0}\u{ff}").is_none());
        let long = format!("{}Unable to retrieve device list\n", "x".repeat(100_000));
        assert!(read(&long).is_none(), "cut at the line length");
    }
}
