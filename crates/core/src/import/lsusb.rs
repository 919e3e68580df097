//! `lsusb` listings: the one-line form (`Bus 001 Device 004: ID 05ac:1281
//! Apple, Inc. ...`, also as `lsusb | grep` fragments and in the macOS clone's
//! spelling with ` Serial: ...` at the end) and `lsusb -v` descriptors (also
//! `lsusb -v | grep` fragments that keep only some fields). What is read:
//! Apple devices with their ids, bus and address, bcdUSB, bcdDevice and
//! serial. lsusb prints no negotiated speed, and a partial `-v` capture
//! lists configurations only in part, so neither is recorded.

use super::imported::imported;
use super::usb_ids::{apple_device, bcd, bus_seen, hex4, set_serial};
use super::{Capture, Line};
use crate::snapshot::{max_speed_from_bcd, DeviceNode, OsFamily, Snapshot, UsbDevice};

/// At most this many lines are looked at (`lsusb -v` of a busy computer is
/// a few thousand).
const MAX_LINES: usize = 50_000;
/// At most this many devices are kept.
const MAX_DEVICES: usize = 64;

pub fn import(capture: &Capture) -> Option<Snapshot> {
    let mut devices: Vec<UsbDevice> = Vec::new();
    // The device the `-v` fields below belong to: the last one listed.
    let mut current: Option<usize> = None;
    let mut mac_clone = false;
    let mut fields = 0usize;
    let mut nodes: Vec<(u8, u8, DeviceNode)> = Vec::new();
    for line in capture.lines().take(MAX_LINES) {
        if let Some((bus, address, vid, pid, serial)) = one_line(line.text) {
            mac_clone |= serial.is_some() || line.text.contains(" Apple Inc. ");
            current = None;
            if devices.len() >= MAX_DEVICES {
                continue;
            }
            let seen = devices.iter().position(|d| {
                bus.is_some()
                    && (d.bus, d.address, d.vendor_id, d.product_id)
                        == (bus.unwrap_or(0), address.unwrap_or(0), vid, pid)
            });
            if let Some(i) = seen {
                // The same device listed again (lsusb run twice): one device.
                current = Some(i);
                continue;
            }
            if let Some(mut d) = apple_device(vid, pid, capture.quote(line)) {
                d.bus = bus.unwrap_or(0);
                d.address = address.unwrap_or(0);
                if let Some(s) = serial {
                    set_serial(&mut d, s);
                }
                devices.push(d);
                current = Some(devices.len() - 1);
            }
            continue;
        }
        if let Some(node) = device_node(line.text) {
            nodes.push(node);
            continue;
        }
        fields += descriptor_field(capture, line, &mut devices, &mut current);
    }
    // `ls -l /dev/bus/usb/003/010` beside the listing: who may open it.
    for (bus, address, node) in nodes {
        if let Some(d) = devices
            .iter_mut()
            .find(|d| (d.bus, d.address) == (bus, address) && d.node.is_none())
        {
            d.node = Some(node);
        }
    }
    if devices.is_empty() && fields == 0 {
        return None;
    }
    devices.retain(|d| d.product_id != 0);
    if devices.is_empty() {
        return None;
    }
    let mut s = imported(
        "lsusb output",
        &capture.name,
        Some(format!(
            "{} Apple USB device(s) read; lsusb shows no negotiated speed",
            devices.len()
        )),
    );
    s.probes.usb = bus_seen(
        if mac_clone {
            OsFamily::Macos
        } else {
            OsFamily::Other
        },
        devices,
    );
    Some(s)
}

/// `Bus 001 Device 004: ID 05ac:1281 ...` or a bare `ID 05ac:12a2 ...`:
/// bus, address, vendor, product and the macOS clone's ` Serial: ...`.
type OneLine<'a> = (Option<u8>, Option<u8>, u16, u16, Option<&'a str>);

fn one_line(text: &str) -> Option<OneLine<'_>> {
    let t = text.trim_start();
    let (bus, address, rest) = match t.strip_prefix("Bus ") {
        Some(rest) => {
            let (bus, rest) = rest.split_once(" Device ")?;
            let (address, rest) = rest.split_once(": ")?;
            (Some(number(bus)?), Some(number(address)?), rest)
        }
        None => (None, None, t),
    };
    let ids = rest.strip_prefix("ID ")?;
    let (vid, after) = ids.split_once(':')?;
    let pid = after.get(..4)?;
    let tail = after.get(4..)?;
    if !(tail.is_empty() || tail.starts_with(' ')) {
        return None;
    }
    let serial = tail.split_once(" Serial: ").map(|(_, s)| s.trim());
    Some((bus, address, hex4(vid)?, hex4(pid)?, serial))
}

fn number(s: &str) -> Option<u8> {
    (!s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// One `lsusb -v` field; returns 1 when it was one lsusb prints.
fn descriptor_field(
    capture: &Capture,
    line: Line<'_>,
    devices: &mut Vec<UsbDevice>,
    current: &mut Option<usize>,
) -> usize {
    let mut words = line.text.split_whitespace();
    let (Some(key), Some(value)) = (words.next(), words.next()) else {
        return 0;
    };
    match key {
        "idVendor" => {
            // A `-v` block without its `Bus` line (a grep fragment): the
            // device starts here.
            let Some(vid) = hex4(value) else { return 1 };
            let known = current.and_then(|i| devices.get(i)).map(|d| d.vendor_id);
            if known != Some(vid) && devices.len() < MAX_DEVICES {
                if let Some(d) = apple_device(vid, 0, capture.quote(line)) {
                    devices.push(d);
                    *current = Some(devices.len() - 1);
                } else {
                    *current = None;
                }
            }
            1
        }
        "idProduct" => {
            if let (Some(d), Some(pid)) = (current.and_then(|i| devices.get_mut(i)), hex4(value)) {
                if d.product_id == 0 {
                    d.product_id = pid;
                    d.mode = crate::snapshot::UsbMode::from_ids(d.vendor_id, pid);
                    d.quote = Some(capture.quote(line));
                }
            }
            1
        }
        "bcdUSB" | "bcdDevice" => {
            if let (Some(d), Some(v)) = (current.and_then(|i| devices.get_mut(i)), bcd(value)) {
                if key == "bcdUSB" {
                    d.usb_version = Some(v);
                    d.max_speed = max_speed_from_bcd(v);
                } else {
                    d.device_version = Some(v);
                }
            }
            1
        }
        "iSerial" => {
            // `iSerial  3 <serial>`: the index, then the string.
            let serial = words.collect::<Vec<_>>().join(" ");
            if let Some(d) = current.and_then(|i| devices.get_mut(i)) {
                if d.serial.is_none() {
                    set_serial(d, &serial);
                }
            }
            1
        }
        "bNumConfigurations" | "iProduct" | "iManufacturer" | "bDeviceClass" => 1,
        _ => 0,
    }
}

/// `crw-rw-r--+ 1 usbmux plugdev 189, 265 Aug 24 23:38 /dev/bus/usb/003/010`:
/// the node of bus 3, device 10, its owner, group and mode.
fn device_node(text: &str) -> Option<(u8, u8, DeviceNode)> {
    let t = text.trim();
    let path = t.split_whitespace().last()?;
    let rest = path.strip_prefix("/dev/bus/usb/")?;
    let (bus, address) = rest.split_once('/')?;
    let mut words = t.split_whitespace();
    let perms = words.next()?;
    let bits = perms.get(1..10)?;
    if !perms.starts_with('c') || !bits.bytes().all(|b| b"rwx-sStT".contains(&b)) {
        return None;
    }
    let _links = words.next()?;
    let owner = words.next()?;
    let group = words.next()?;
    let mut mode = 0u32;
    for (i, b) in bits.bytes().enumerate() {
        if b != b'-' && !matches!(b, b'S' | b'T') {
            mode |= 1 << (8 - i);
        }
    }
    Some((
        number(bus)?,
        number(address)?,
        DeviceNode {
            path: path.chars().take(64).collect(),
            owner: owner.chars().take(64).collect(),
            group: group.chars().take(64).collect(),
            mode: format!("{mode:04o}"),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{UsbMode, UsbSpeed};

    fn read(text: &str) -> Option<Vec<UsbDevice>> {
        import(&Capture::new("lsusb.txt", text.as_bytes()))
            .map(|s| s.probes.usb.value().unwrap().devices.clone())
    }

    #[test]
    fn one_line_listings_and_fragments() {
        let d = read("lsusb\nBus 001 Device 004: ID 05ac:1281 Apple, Inc. Apple Mobile Device [Recovery Mode]\nBus 002 Device 001: ID 1d6b:0002 Linux Foundation 2.0 root hub\n").unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].bus, d[0].address, d[0].mode),
            (1, 4, UsbMode::Recovery)
        );
        assert_eq!(d[0].quote.as_ref().unwrap().line, 2);
        let d = read("ID 05ac:12a2 Apple, Inc.\n").unwrap();
        assert_eq!(d[0].mode, UsbMode::Normal);
        assert!(
            read("Bus 001 Device 004: ID 05ac:12a Apple\n").is_none(),
            "cut id"
        );
        assert!(read("Bus 001 Device 004: ID 1d6b:0002 Linux Foundation\n").is_none());
    }

    #[test]
    fn the_macos_clone_keeps_serials_and_skips_bus_names() {
        let d = read("Bus 026 Device 003: ID 05ac:12a8 Apple Inc. iPhone  Serial: 0000810100094C9B56A76363\nBus 000 Device 001: ID 05ac:IPCI Apple Inc. USB 2.0 Bus\n").unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].udid.as_deref(), Some("00008101-00094C9B56A76363"));
    }

    #[test]
    fn verbose_descriptors_and_grep_fragments() {
        let v = "Bus 003 Device 010: ID 05ac:1297 Apple, Inc. iPhone 4\nDevice Descriptor:\n  bcdUSB               2.00\n  idVendor           0x05ac Apple, Inc.\n  idProduct          0x1297 iPhone 4\n  bcdDevice            0.01\n  iSerial                 3 6b575a0afc39100b9247c923e679d4af2658f347\n  bNumConfigurations      4\n";
        let d = read(v).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].usb_version, Some(0x0200));
        assert_eq!(d[0].max_speed, Some(UsbSpeed::High));
        assert_eq!(d[0].device_version, Some(0x0001));
        assert_eq!(
            d[0].udid.as_deref(),
            Some("6b575a0afc39100b9247c923e679d4af2658f347")
        );
        let with_node =
            format!("crw-rw-r--+ 1 usbmux plugdev 189, 265 Aug 24 23:38 /dev/bus/usb/003/010\n{v}");
        let node = read(&with_node).unwrap()[0].node.clone().unwrap();
        assert_eq!(
            (node.owner.as_str(), node.group.as_str(), node.mode.as_str()),
            ("usbmux", "plugdev", "0664")
        );
        assert!(device_node("crw /dev/bus/usb/003/010").is_none());
        let g = "sudo lsusb -v | grep -i apple\nidVendor           0x05ac Apple, Inc.\n idProduct          0x1281 Apple Mobile Device [Recovery Mode]\n";
        let d = read(g).unwrap();
        assert_eq!((d[0].product_id, d[0].mode), (0x1281, UsbMode::Recovery));
        assert!(
            read("idVendor           0x05ac Apple, Inc.\n").is_none(),
            "no product id"
        );
    }

    #[test]
    fn hostile_input() {
        assert!(read("").is_none());
        assert!(read(&"Bus 001 Device 004: ID ".repeat(20_000)).is_none());
        let huge = format!("Bus 001 Device 004: ID 05ac:12a8 {}\n", "x".repeat(100_000));
        assert_eq!(read(&huge).unwrap().len(), 1);
        let bin: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        assert!(import(&Capture::new("b", &bin)).is_none());
        let many: String = (0..1000)
            .map(|i| {
                format!(
                    "Bus {:03} Device {:03}: ID 05ac:12a8 Apple\n",
                    i / 100,
                    i % 100
                )
            })
            .collect();
        assert_eq!(
            read(&"Bus 001 Device 004: ID 05ac:12a8 Apple\n".repeat(5))
                .unwrap()
                .len(),
            1
        );
        assert_eq!(read(&many).unwrap().len(), MAX_DEVICES);
        assert!(read("Bus 001 Device 004: ID 05ac:12a8").is_some());
        assert!(read("Bus 1 Device 2: ID é:12a8\n").is_none());
    }
}
