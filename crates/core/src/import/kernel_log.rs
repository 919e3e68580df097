//! Kernel logs: Linux `dmesg` and `journalctl -k` (also inside a syslog),
//! and macOS's `AppleUSBHostPort` enumerate and terminate lines. They give
//! the Apple devices on the bus with the speed the kernel negotiated
//! (`new high-speed USB device` = 480 Mbit/s), and every connect,
//! disconnect and reset of their ports, which `connection.unstable` judges.
//! Lines about other devices are left out; a port is followed from the line
//! that names an Apple vendor id on it.

use std::collections::BTreeMap;

use super::imported::imported;
use super::log_line::kernel_message;
use super::usb_ids::{apple_device, bcd, bus_seen, hex4, linux_port, set_serial};
use super::{Capture, Line};
use crate::snapshot::{LinkEvent, LinkEventKind, OsFamily, Quote, Snapshot, UsbDevice, UsbSpeed};

/// At most this many lines are looked at, and this many events kept.
const MAX_LINES: usize = 200_000;
const MAX_EVENTS: usize = 1_000;
/// At most this many ports are followed.
const MAX_PORTS: usize = 64;

/// What is known of one port while the log is read.
#[derive(Default)]
struct Port {
    /// The last `new ... USB device` line and the speed it named.
    connect: Option<(Quote, Option<UsbSpeed>, Option<u8>)>,
    /// The Apple device on it now, if any.
    device: Option<UsbDevice>,
    /// An Apple device was seen on this port: its events count.
    apple: bool,
    /// Its last `Connected` event, to name it once the serial is read.
    connected_event: Option<usize>,
}

pub fn import(capture: &Capture) -> Option<Snapshot> {
    let mut ports: BTreeMap<String, Port> = BTreeMap::new();
    let mut events: Vec<LinkEvent> = Vec::new();
    let mut os = OsFamily::Linux;
    for line in capture.lines().take(MAX_LINES) {
        let msg = kernel_message(line.text);
        if let Some(rest) = msg.strip_prefix("usb ") {
            linux_line(capture, line, rest, &mut ports, &mut events);
        } else if msg.contains("AppleUSBHostPort::")
            && macos_line(capture, line, msg, &mut ports, &mut events)
        {
            os = OsFamily::Macos;
        }
    }
    if !ports.values().any(|p| p.apple) {
        return None;
    }
    let devices: Vec<UsbDevice> = ports.into_values().filter_map(|p| p.device).collect();
    let drops = events
        .iter()
        .filter(|e| e.kind == LinkEventKind::Disconnected)
        .count();
    let mut s = imported(
        "kernel log",
        &capture.name,
        Some(format!(
            "{} Apple device(s) on the bus at the end of the log; {} link event(s), {drops} disconnect(s)",
            devices.len(),
            events.len()
        )),
    );
    s.probes.usb = bus_seen(os, devices);
    s.probes.link_events = events;
    Some(s)
}

/// `usb 1-4: <what happened>`.
fn linux_line(
    capture: &Capture,
    line: Line<'_>,
    rest: &str,
    ports: &mut BTreeMap<String, Port>,
    events: &mut Vec<LinkEvent>,
) {
    let Some((name, what)) = rest.split_once(": ") else {
        return;
    };
    let Some((bus, chain)) = linux_port(name) else {
        return;
    };
    if !ports.contains_key(name) && ports.len() >= MAX_PORTS {
        return;
    }
    let port = ports.entry(name.to_string()).or_default();
    let push = |kind, speed, udid: Option<String>, events: &mut Vec<LinkEvent>| {
        if events.len() < MAX_EVENTS {
            events.push(LinkEvent {
                kind,
                port: name.to_string(),
                udid,
                speed,
                quote: capture.quote(line),
            });
        }
    };
    if let Some(after) = what.strip_prefix("new ") {
        port.connect = Some((capture.quote(line), speed_named(after), number_after(after)));
        port.device = None;
    } else if let Some(ids) = what.strip_prefix("New USB device found, ") {
        let field = |key: &str| {
            ids.split(", ")
                .find_map(|kv| kv.strip_prefix(key))
                .map(str::trim)
        };
        let (Some(vid), Some(pid)) = (
            field("idVendor=").and_then(hex4),
            field("idProduct=").and_then(hex4),
        ) else {
            return;
        };
        let Some(mut d) = apple_device(vid, pid, capture.quote(line)) else {
            return;
        };
        d.bus = bus;
        d.port_chain = chain;
        d.device_version = field("bcdDevice=").and_then(bcd);
        let (connect_quote, speed, number) = match port.connect.take() {
            Some((q, speed, number)) => (Some(q), speed, number),
            None => (None, None, None),
        };
        d.speed = speed;
        d.address = number.unwrap_or(0);
        if let (Some(q), Some(UsbSpeed::Low | UsbSpeed::Full)) = (&connect_quote, speed) {
            // For a slow link the line that names the speed is the evidence.
            d.quote = Some(q.clone());
        }
        port.device = Some(d);
        port.apple = true;
        port.connected_event = None;
        if events.len() < MAX_EVENTS {
            port.connected_event = Some(events.len());
            events.push(LinkEvent {
                kind: LinkEventKind::Connected,
                port: name.to_string(),
                udid: None,
                speed,
                quote: connect_quote.unwrap_or_else(|| capture.quote(line)),
            });
        }
    } else if let Some(serial) = what.strip_prefix("SerialNumber: ") {
        if let Some(d) = port.device.as_mut() {
            set_serial(d, serial);
            if let (Some(u), Some(e)) = (
                &d.udid,
                port.connected_event.and_then(|i| events.get_mut(i)),
            ) {
                e.udid = Some(u.clone());
            }
        }
    } else if what.starts_with("USB disconnect") {
        if port.apple {
            let udid = port.device.take().and_then(|d| d.udid);
            push(LinkEventKind::Disconnected, None, udid, events);
        }
        port.connect = None;
    } else if let Some(after) = what.strip_prefix("reset ") {
        if port.apple {
            let udid = port.device.as_ref().and_then(|d| d.udid.clone());
            push(LinkEventKind::Reset, speed_named(after), udid, events);
        }
    }
}

/// `new high-speed USB device number 5 using xhci_hcd` → high speed.
fn speed_named(s: &str) -> Option<UsbSpeed> {
    let s = s.get(..s.len().min(64)).unwrap_or(s);
    if s.starts_with("SuperSpeed Plus") || s.starts_with("SuperSpeed+") {
        Some(UsbSpeed::SuperPlus)
    } else if s.starts_with("SuperSpeed") || s.starts_with("super-speed") {
        Some(UsbSpeed::Super)
    } else if s.starts_with("high-speed") {
        Some(UsbSpeed::High)
    } else if s.starts_with("full-speed") {
        Some(UsbSpeed::Full)
    } else if s.starts_with("low-speed") {
        Some(UsbSpeed::Low)
    } else {
        None
    }
}

/// The `number N` of a `new` or `reset` line (the device's address).
fn number_after(s: &str) -> Option<u8> {
    let (_, rest) = s.split_once(" number ")?;
    let n = rest.split_whitespace().next()?;
    n.parse().ok()
}

/// macOS: `<Port>@<location>: AppleUSBHostPort::<step>: ... 0x05ac/12a8 ...`,
/// where enumerating steps connect a device and terminating ones remove it.
/// Returns whether it was such a line about an Apple device.
fn macos_line(
    capture: &Capture,
    line: Line<'_>,
    msg: &str,
    ports: &mut BTreeMap<String, Port>,
    events: &mut Vec<LinkEvent>,
) -> bool {
    let Some(at) = msg.find("0x05ac/") else {
        return false;
    };
    let ids = msg.get(at + 2..).unwrap_or("");
    let mut parts = ids.split('/');
    let (Some(vid), Some(pid)) = (
        parts.next().and_then(hex4),
        parts.next().and_then(|p| p.get(..4)).and_then(hex4),
    ) else {
        return false;
    };
    let port_name = msg
        .split_whitespace()
        .find(|w| w.contains('@'))
        .map(|w| w.trim_end_matches(':'))
        .unwrap_or("?");
    if !ports.contains_key(port_name) && ports.len() >= MAX_PORTS {
        return false;
    }
    let terminate = msg.contains("terminate") || msg.contains("disconnected");
    let enumerate = msg.contains("enumerated") || msg.contains("enumerateDevice");
    if !terminate && !enumerate {
        return false;
    }
    let port = ports.entry(port_name.to_string()).or_default();
    port.apple = true;
    let kind = if terminate {
        port.device = None;
        LinkEventKind::Disconnected
    } else {
        let speed = msg
            .split_once(" at ")
            .and_then(|(_, r)| r.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok())
            .and_then(|mbps| UsbSpeed::from_bps(mbps.saturating_mul(1_000_000)));
        if let Some(mut d) = apple_device(vid, pid, capture.quote(line)) {
            d.speed = speed;
            if let Some((_, loc)) = port_name.split_once('@') {
                if let Ok(loc) = u32::from_str_radix(loc, 16) {
                    d.bus = (loc >> 24) as u8;
                    d.port_chain = (0..6)
                        .map(|i| ((loc >> (20 - 4 * i)) & 0xf) as u8)
                        .take_while(|p| *p != 0)
                        .collect();
                }
            }
            port.device = Some(d);
        }
        LinkEventKind::Connected
    };
    if events.len() < MAX_EVENTS {
        events.push(LinkEvent {
            kind,
            port: port_name.to_string(),
            udid: None,
            speed: None,
            quote: capture.quote(line),
        });
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleId;
    use crate::snapshot::UsbMode;

    fn read(text: &str) -> Option<Snapshot> {
        import(&Capture::new("dmesg.txt", text.as_bytes()))
    }

    const PLUG: &str = "[ 1978.206059] usb 1-1: new high-speed USB device number 11 using xhci_hcd\n[ 1978.347282] usb 1-1: New USB device found, idVendor=05ac, idProduct=12a8, bcdDevice=15.02\n[ 1978.347295] usb 1-1: SerialNumber: 0000810100094C9B56A76363\n";

    #[test]
    fn an_enumeration_gives_the_phone_with_its_speed() {
        let s = read(PLUG).unwrap();
        let d = &s.probes.usb.value().unwrap().devices[0];
        assert_eq!(
            (d.bus, d.address, d.port_chain.as_slice()),
            (1, 11, &[1][..])
        );
        assert_eq!((d.mode, d.speed), (UsbMode::Normal, Some(UsbSpeed::High)));
        assert_eq!(d.device_version, Some(0x1502));
        assert_eq!(d.udid.as_deref(), Some("00008101-00094C9B56A76363"));
        assert_eq!(s.probes.link_events.len(), 1);
        assert_eq!(s.probes.link_events[0].quote.line, 1);
    }

    #[test]
    fn disconnects_and_resets_are_events_and_the_phone_leaves() {
        let text = format!("{PLUG}Nov 26 14:05:40 host kernel: usb 1-1: reset high-speed USB device number 11 using xhci_hcd\n[ 1980.1] usb 1-1: USB disconnect, device number 11\n[ 1980.2] usb 2-1: USB disconnect, device number 3\n");
        let s = read(&text).unwrap();
        let kinds: Vec<LinkEventKind> = s.probes.link_events.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                LinkEventKind::Connected,
                LinkEventKind::Reset,
                LinkEventKind::Disconnected
            ],
            "the unknown device on 2-1 is not followed"
        );
        assert!(s.probes.usb.value().unwrap().devices.is_empty());
        let f = crate::rules::evaluate(&s);
        assert!(
            f.iter().any(|f| f.id == RuleId::ConnectionUnstable),
            "{f:?}"
        );
    }

    #[test]
    fn a_full_speed_phone_and_other_vendors() {
        let s = read("usb 3-2: new full-speed USB device number 4 using ohci\nusb 3-2: New USB device found, idVendor=05ac, idProduct=1297\n").unwrap();
        let d = &s.probes.usb.value().unwrap().devices[0];
        assert_eq!(d.speed, Some(UsbSpeed::Full));
        assert!(read("usb 1-1: new high-speed USB device number 2 using xhci_hcd\nusb 1-1: New USB device found, idVendor=0781, idProduct=5583\n").is_none());
    }

    #[test]
    fn macos_enumerate_and_terminate() {
        let s = read("kernel: AppleUSB20HubPort@14100000: AppleUSBHostPort::enumerateDeviceComplete_block_invoke: enumerated 0x05ac/12a8/1302 (iPhone / 2) at 480 Mbps\nkernel: AppleUSB20HubPort@14100000: AppleUSBHostPort::terminateDevice: destroying 0x05ac/12a8/1302 (iPhone): port was disconnected\n").unwrap();
        assert_eq!(s.probes.usb.value().unwrap().os, OsFamily::Macos);
        assert_eq!(s.probes.link_events.len(), 2);
    }

    #[test]
    fn hostile_input() {
        assert!(read("").is_none());
        assert!(read(&format!("usb 1-1: {}\n", "x".repeat(100_000))).is_none());
        assert!(read("usb 1-1: New USB device found, idVendor=05ac, idProduct=12a").is_none());
        assert!(read("usb : new\nusb 1-: x\nusb 1-1.1.1.1.1.1.1.1: new high-speed\n").is_none());
        let bin: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        assert!(import(&Capture::new("b", &bin)).is_none());
        let flap = "usb 1-1: new high-speed USB device number 5 using x\nusb 1-1: New USB device found, idVendor=05ac, idProduct=12a8\nusb 1-1: USB disconnect, device number 5\n".repeat(2_000);
        let s = read(&flap).unwrap();
        assert_eq!(s.probes.link_events.len(), MAX_EVENTS);
        assert!(read("AppleUSBHostPort:: 0x05ac/").is_none());
    }
}
