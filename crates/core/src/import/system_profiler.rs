//! macOS `system_profiler SPUSBDataType`: an indented tree of `Name:`
//! headings, each with `Key: value` fields (`Product ID: 0x12a8`, `Vendor
//! ID: 0x05ac (Apple Inc.)`, `Speed: Up to 480 Mb/s`, `Location ID:
//! 0x14100000 / 5`). A device's hubs are the headings above it that carry
//! ids themselves; a hub marked `Built-In: Yes` is part of the Mac and not
//! counted.

use super::imported::imported;
use super::usb_ids::{apple_device, bus_seen, hex4, hub_chain, set_serial};
use super::Capture;
use crate::snapshot::{OsFamily, Quote, Snapshot, UsbDevice, UsbHub, UsbSpeed};

const MAX_LINES: usize = 50_000;
const MAX_NODES: usize = 2_000;
const MAX_FIELDS: usize = 64;
const MAX_DEVICES: usize = 64;

struct Node {
    indent: usize,
    /// Its `Product ID` line, else its heading.
    quote: Quote,
    fields: Vec<(String, String)>,
}

impl Node {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `0x05ac (Apple Inc.)` → 0x05ac.
    fn id(&self, key: &str) -> Option<u16> {
        self.get(key)?.split_whitespace().next().and_then(hex4)
    }
}

pub fn import(capture: &Capture) -> Option<Snapshot> {
    if !capture.lines().take(50).any(|l| l.text.trim() == "USB:") {
        return None;
    }
    let mut nodes: Vec<Node> = Vec::new();
    for line in capture.lines().take(MAX_LINES) {
        let indent = line.text.len() - line.text.trim_start().len();
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(name) = t.strip_suffix(':') {
            if !name.is_empty() && nodes.len() < MAX_NODES {
                nodes.push(Node {
                    indent,
                    quote: capture.quote(line),
                    fields: Vec::new(),
                });
            }
        } else if let (Some((k, v)), Some(n)) = (t.split_once(": "), nodes.last_mut()) {
            if k == "Product ID" {
                n.quote = capture.quote(line);
            }
            if n.fields.len() < MAX_FIELDS && k.len() <= 64 {
                n.fields
                    .push((k.to_string(), v.chars().take(256).collect()));
            }
        }
    }
    let mut devices = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        if devices.len() >= MAX_DEVICES {
            break;
        }
        let (Some(vid), Some(pid)) = (n.id("Vendor ID"), n.id("Product ID")) else {
            continue;
        };
        let Some(mut d) = apple_device(vid, pid, n.quote.clone()) else {
            continue;
        };
        if !d.is_ios_device() {
            continue;
        }
        fill(&mut d, n);
        d.hubs = hubs(n.indent, nodes.get(..i).unwrap_or(&[]));
        devices.push(d);
    }
    if devices.is_empty() {
        return None;
    }
    let mut s = imported(
        "system_profiler SPUSBDataType output",
        &capture.name,
        Some(format!("{} Apple USB device(s) read", devices.len())),
    );
    s.probes.usb = bus_seen(OsFamily::Macos, devices);
    Some(s)
}

fn fill(d: &mut UsbDevice, n: &Node) {
    if let Some(serial) = n.get("Serial Number") {
        set_serial(d, serial);
    }
    d.speed = n.get("Speed").and_then(speed);
    // `0x14100000 / 5`: the IOKit location, then the address.
    if let Some(loc) = n.get("Location ID") {
        let mut parts = loc.split('/').map(str::trim);
        if let Some(hex) = parts.next().and_then(|h| h.strip_prefix("0x")) {
            if let Ok(loc) = u32::from_str_radix(hex, 16) {
                d.bus = (loc >> 24) as u8;
                d.port_chain = (0..6)
                    .map(|i| ((loc >> (20 - 4 * i)) & 0xf) as u8)
                    .take_while(|p| *p != 0)
                    .collect();
            }
        }
        d.address = parts.next().and_then(|a| a.parse().ok()).unwrap_or(0);
    }
}

/// `Up to 480 Mb/s` (or `Mb/sec`), `Up to 5 Gb/s`, `Up to 12 Mb/sec`.
fn speed(v: &str) -> Option<UsbSpeed> {
    let v = v.strip_prefix("Up to ").unwrap_or(v);
    let (n, unit) = v.split_once(' ')?;
    let n: f64 = n
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n > 0.0 && *n < 1e6)?;
    let scale = if unit.starts_with("Gb") {
        1e9
    } else if unit.starts_with("Mb") {
        1e6
    } else {
        return None;
    };
    UsbSpeed::from_bps((n * scale) as u64)
}

/// The headings above a device that are devices themselves (hubs), nearest
/// the Mac first, without the Mac's built-in ones.
fn hubs(indent: usize, before: &[Node]) -> Vec<UsbHub> {
    hub_chain(
        indent,
        before,
        |n| n.indent,
        |n| match (n.id("Vendor ID"), n.id("Product ID")) {
            (Some(vid), Some(pid)) if n.get("Built-In") != Some("Yes") => Some(UsbHub {
                vendor_id: vid,
                product_id: pid,
                speed: n.get("Speed").and_then(speed),
                ..Default::default()
            }),
            _ => None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::UsbMode;

    fn read(text: &str) -> Option<Vec<UsbDevice>> {
        import(&Capture::new("sp.txt", text.as_bytes()))
            .map(|s| s.probes.usb.value().unwrap().devices.clone())
    }

    const TREE: &str = "USB:\n\n    USB 3.0 Bus:\n\n      Host Controller Driver: AppleUSBXHCISPT\n\n        USB2.0 Hub:\n\n          Product ID: 0x0610\n          Vendor ID: 0x05e3  (Genesys Logic, Inc.)\n          Speed: Up to 480 Mb/s\n\n            iPhone:\n\n              Product ID: 0x12a8\n              Vendor ID: 0x05ac (Apple Inc.)\n              Serial Number: 0000810100094C9B56A76363\n              Speed: Up to 12 Mb/s\n              Location ID: 0x14120000 / 6\n";

    #[test]
    fn an_iphone_behind_a_hub_at_full_speed() {
        let d = read(TREE).unwrap();
        let d = &d[0];
        assert_eq!(d.mode, UsbMode::Normal);
        assert_eq!(
            (d.bus, d.port_chain.as_slice(), d.address),
            (0x14, &[1, 2][..], 6)
        );
        assert_eq!(d.speed, Some(UsbSpeed::Full));
        assert_eq!(d.udid.as_deref(), Some("00008101-00094C9B56A76363"));
        assert_eq!(d.hubs.len(), 1);
        assert_eq!(d.quote.as_ref().unwrap().text, "Product ID: 0x12a8");
        let built_in = TREE.replace("Speed: Up to 480 Mb/s", "Built-In: Yes");
        assert!(read(&built_in).unwrap()[0].hubs.is_empty());
    }

    #[test]
    fn hostile_input() {
        assert!(read("").is_none());
        assert!(read("USB:\n  Product ID: 0x12a8\n").is_none(), "no heading");
        assert!(read(&format!("USB:\n{}:\n", "x".repeat(100_000))).is_none());
        let bin: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        assert!(import(&Capture::new("b", &bin)).is_none());
        assert_eq!(speed("Up to NaN Mb/s"), None);
        assert_eq!(speed("Up to 1e400 Gb/s"), None);
        let many = format!("USB:\n{}", "  a:\n".repeat(5000));
        assert!(read(&many).is_none());
    }
}
