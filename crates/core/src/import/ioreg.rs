//! macOS `ioreg -p IOUSB -l` (or `ioreg -l`) output: `+-o iPhone@14400000
//! <class AppleUSBDevice, ...>` entries with their `"key" = value`
//! properties. An iPhone entry gives its ids, location (bus and ports),
//! address, negotiated speed (`Device Speed`) and descriptor versions; the
//! hub entries above it are its hubs, except those marked `Built-In`, which
//! are part of the Mac.

use super::imported::imported;
use super::usb_ids::{apple_device, bus_seen, hub_chain, set_serial};
use super::{Capture, Line};
use crate::snapshot::{
    max_speed_from_bcd, OsFamily, Quote, Snapshot, UsbDevice, UsbHub, UsbSpeed, APPLE_VENDOR_ID,
};

const MAX_LINES: usize = 200_000;
const MAX_ENTRIES: usize = 2_000;
const MAX_PROPS: usize = 128;
const MAX_DEVICES: usize = 64;
/// The USB device class of hubs.
const HUB_CLASS: i64 = 9;

struct Entry {
    depth: usize,
    location: Option<u32>,
    quote: Quote,
    props: Vec<(String, String)>,
}

impl Entry {
    fn get(&self, key: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn number(&self, key: &str) -> Option<i64> {
        let v = self.get(key)?;
        (v.len() <= 12 && v.bytes().all(|b| b.is_ascii_digit()))
            .then(|| v.parse().ok())
            .flatten()
    }

    fn u16(&self, key: &str) -> Option<u16> {
        self.number(key).and_then(|n| u16::try_from(n).ok())
    }

    fn yes(&self, key: &str) -> bool {
        self.get(key) == Some("Yes")
    }
}

pub fn import(capture: &Capture) -> Option<Snapshot> {
    let mut entries: Vec<Entry> = Vec::new();
    for line in capture.lines().take(MAX_LINES) {
        if let Some(e) = header(capture, line) {
            if entries.len() < MAX_ENTRIES {
                entries.push(e);
            }
        } else if let (Some(e), Some(kv)) = (entries.last_mut(), property(line.text)) {
            if e.props.len() < MAX_PROPS {
                e.props.push(kv);
            }
        }
    }
    let mut devices = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if devices.len() >= MAX_DEVICES {
            break;
        }
        if let Some(d) = device(e, entries.get(..i).unwrap_or(&[])) {
            devices.push(d);
        }
    }
    if devices.is_empty() {
        return None;
    }
    let mut s = imported(
        "ioreg output",
        &capture.name,
        Some(format!("{} Apple USB device(s) read", devices.len())),
    );
    s.probes.usb = bus_seen(OsFamily::Macos, devices);
    Some(s)
}

/// `  | +-o iPhone@14400000  <class AppleUSBDevice, id 0x..., ...>`.
fn header(capture: &Capture, line: Line<'_>) -> Option<Entry> {
    let depth = line.text.find("+-o ")?;
    let rest = line.text.get(depth + 4..)?;
    if !rest.contains("<class ") {
        return None;
    }
    let name = rest.split_whitespace().next()?;
    let location = name
        .rsplit_once('@')
        .and_then(|(_, hex)| u32::from_str_radix(hex, 16).ok());
    Some(Entry {
        depth,
        location,
        quote: capture.quote(line),
        props: Vec::new(),
    })
}

/// `"idProduct" = 4776` → ("idProduct", "4776"); quotes around strings dropped.
fn property(text: &str) -> Option<(String, String)> {
    let t = text.trim_start_matches([' ', '|']).trim();
    let rest = t.strip_prefix('"')?;
    let (key, value) = rest.split_once("\" = ")?;
    if key.len() > 64 {
        return None;
    }
    let value = value.trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    Some((key.to_string(), value.chars().take(256).collect()))
}

/// An iPhone, iPad or iPod entry as a USB device. The vendor is Apple when
/// `idVendor` is 1452, or when the entry says `SupportsIPhoneOS` (only
/// Apple's own devices carry it; a capture cut mid-number, `"idVendor" =
/// 145`, is then still read as Apple's).
fn device(e: &Entry, before: &[Entry]) -> Option<UsbDevice> {
    let apple = e.u16("idVendor") == Some(APPLE_VENDOR_ID) || e.yes("SupportsIPhoneOS");
    if !apple || e.number("bDeviceClass") == Some(HUB_CLASS) {
        return None;
    }
    let mut d = apple_device(APPLE_VENDOR_ID, e.u16("idProduct")?, e.quote.clone())?;
    let location = e
        .number("locationID")
        .and_then(|n| u32::try_from(n).ok())
        .or(e.location);
    if let Some(loc) = location {
        d.bus = (loc >> 24) as u8;
        d.port_chain = (0..6)
            .map(|i| ((loc >> (20 - 4 * i)) & 0xf) as u8)
            .take_while(|p| *p != 0)
            .collect();
    }
    d.address = e
        .number("USB Address")
        .and_then(|n| u8::try_from(n).ok())
        .unwrap_or(0);
    d.speed = e.number("Device Speed").and_then(speed);
    d.usb_version = e.u16("bcdUSB");
    d.max_speed = d.usb_version.and_then(max_speed_from_bcd);
    d.device_version = e.u16("bcdDevice");
    if let Some(serial) = e
        .get("USB Serial Number")
        .or(e.get("kUSBSerialNumberString"))
    {
        set_serial(&mut d, serial);
    }
    d.hubs = hubs(e.depth, before);
    Some(d)
}

/// IOKit's `Device Speed`: 0 low, 1 full, 2 high, 3 super, 4 super plus.
fn speed(n: i64) -> Option<UsbSpeed> {
    Some(match n {
        0 => UsbSpeed::Low,
        1 => UsbSpeed::Full,
        2 => UsbSpeed::High,
        3 => UsbSpeed::Super,
        4 => UsbSpeed::SuperPlus,
        _ => return None,
    })
}

/// The hub entries above an entry at `depth`, nearest the Mac first; the
/// Mac's built-in hubs are left out.
fn hubs(depth: usize, before: &[Entry]) -> Vec<UsbHub> {
    hub_chain(
        depth,
        before,
        |e| e.depth,
        |e| {
            (e.number("bDeviceClass") == Some(HUB_CLASS) && !e.yes("Built-In")).then(|| UsbHub {
                bus: e.location.map_or(0, |l| (l >> 24) as u8),
                address: e
                    .number("USB Address")
                    .and_then(|n| u8::try_from(n).ok())
                    .unwrap_or(0),
                vendor_id: e.u16("idVendor").unwrap_or(0),
                product_id: e.u16("idProduct").unwrap_or(0),
                speed: e.number("Device Speed").and_then(speed),
                port: e
                    .number("PortNum")
                    .and_then(|n| u8::try_from(n).ok())
                    .unwrap_or(0),
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::UsbMode;

    fn read(text: &str) -> Option<Vec<UsbDevice>> {
        import(&Capture::new("ioreg.txt", text.as_bytes()))
            .map(|s| s.probes.usb.value().unwrap().devices.clone())
    }

    const PHONE: &str = "+-o Root  <class IORegistryEntry, id 0x100000100, retain 25>\n  +-o USB2.0 Hub@14100000  <class AppleUSBDevice, id 0x1>\n  | {\n  |   \"bDeviceClass\" = 9\n  |   \"idVendor\" = 1507\n  |   \"idProduct\" = 1552\n  |   \"PortNum\" = 1\n  | }\n  |   +-o iPhone@14140000  <class AppleUSBDevice, id 0x2>\n  |     {\n  |       \"idProduct\" = 4776\n  |       \"bcdDevice\" = 4100\n  |       \"USB Address\" = 16\n  |       \"bcdUSB\" = 512\n  |       \"Device Speed\" = 2\n  |       \"SupportsIPhoneOS\" = Yes\n  |       \"idVendor\" = 145\n";

    #[test]
    fn an_iphone_behind_a_hub() {
        let d = read(PHONE).unwrap();
        assert_eq!(d.len(), 1);
        let d = &d[0];
        assert_eq!((d.product_id, d.mode), (0x12a8, UsbMode::Normal));
        assert_eq!(
            (d.bus, d.port_chain.as_slice(), d.address),
            (0x14, &[1, 4][..], 16)
        );
        assert_eq!(
            (d.speed, d.usb_version, d.device_version),
            (Some(UsbSpeed::High), Some(0x0200), Some(4100))
        );
        assert_eq!(d.hubs.len(), 1);
        assert_eq!(d.hubs[0].vendor_id, 1507);
        let built_in = PHONE.replace("\"PortNum\" = 1", "\"Built-In\" = Yes");
        assert!(
            read(&built_in).unwrap()[0].hubs.is_empty(),
            "part of the Mac"
        );
    }

    #[test]
    fn other_vendors_and_hostile_input() {
        assert!(
            read(&PHONE.replace("\"SupportsIPhoneOS\" = Yes", "")).is_none(),
            "cut vendor id"
        );
        assert!(read("").is_none());
        assert!(read(&format!(
            "+-o x@1 <class A>\n\"{}\" = 1\n",
            "k".repeat(100_000)
        ))
        .is_none());
        let bin: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        assert!(import(&Capture::new("b", &bin)).is_none());
        let deep =
            "+-o a@ffffffff <class A>\n\"idVendor\" = 1452\n\"idProduct\" = 99999999999999\n"
                .repeat(3000);
        assert!(read(&deep).is_none());
    }
}
