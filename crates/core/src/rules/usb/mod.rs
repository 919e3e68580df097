//! Rules about the USB bus: cable, port, hub and mode.

pub mod access_denied;
pub mod dfu_mode;
pub mod hub;
pub mod no_device;
pub mod recovery_mode;
pub mod slow_link;
pub mod unavailable;

use crate::rules::Finding;
use crate::snapshot::{MuxConnection, MuxDevice, OsFamily, Snapshot, UsbDevice, UsbMode};

/// The iPhones, iPads and iPods the USB probe saw in `mode`.
pub(crate) fn on_bus(s: &Snapshot, mode: UsbMode) -> impl Iterator<Item = &UsbDevice> {
    s.probes
        .usb
        .value()
        .map(|u| u.devices.as_slice())
        .unwrap_or(&[])
        .iter()
        .filter(move |d| d.mode == mode)
}

/// The OS the USB probe ran on, else the host's.
pub(crate) fn usb_os(s: &Snapshot) -> OsFamily {
    match s.probes.usb.value().map(|u| u.os) {
        Some(os) if os != OsFamily::Other => os,
        _ => s.os_family(),
    }
}

/// usbmuxd's USB entry for a phone on the bus: by UDID; else by location
/// (Linux usbmuxd reports `bus << 16 | address`, macOS the IOKit locationID:
/// the bus in the top byte, then one nibble per port); else, when the bus
/// gave no UDID, any entry with the same product id, so that an unreadable
/// serial never makes a listed phone look missing.
pub(crate) fn mux_entry<'s>(s: &'s Snapshot, dev: &UsbDevice) -> Option<&'s MuxDevice> {
    let os = usb_os(s);
    let usb_entries = || {
        s.mux_devices()
            .iter()
            .filter(|m| m.connection == MuxConnection::Usb)
    };
    if let Some(m) = usb_entries().find(|m| dev.is_listed_as(m, os)) {
        return Some(m);
    }
    if dev.udid.is_none() {
        return usb_entries().find(|m| m.product_id.is_none_or(|p| p == dev.product_id));
    }
    None
}

/// Ties a finding to the phone's UDID when the bus told it, and quotes the
/// line of a `--from` file that showed the device.
pub(crate) fn for_device(f: Finding, dev: &UsbDevice) -> Finding {
    let f = f.quoting(dev.quote.as_ref());
    match &dev.udid {
        Some(u) => f.device(u.clone()),
        None => f,
    }
}

/// The chip a CPID names, for evidence ("8110" -> "A15").
pub(crate) fn chip_name(cpid: &str) -> Option<&'static str> {
    let id = u32::from_str_radix(cpid.trim_start_matches("0x"), 16).ok()?;
    Some(match id {
        0x8920 => "A3 (S5L8920)",
        0x8930 => "A4",
        0x8940 | 0x8942 => "A5",
        0x8945 => "A5X",
        0x8950 => "A6",
        0x8955 => "A6X",
        0x8960 => "A7",
        0x7000 => "A8",
        0x7001 => "A8X",
        0x8000 | 0x8003 => "A9",
        0x8001 => "A9X",
        0x8010 => "A10",
        0x8011 => "A10X",
        0x8015 => "A11",
        0x8020 => "A12",
        0x8027 => "A12X/Z",
        0x8030 => "A13",
        0x8101 => "A14",
        0x8103 => "M1",
        0x8110 => "A15",
        0x8112 => "M2",
        0x8120 => "A16",
        0x8122 => "M3",
        0x8130 => "A17 Pro",
        0x8132 => "M4",
        0x8140 => "A18",
        _ => return None,
    })
}

/// The evidence lines a recovery or DFU serial string supports.
pub(crate) fn boot_evidence(dev: &UsbDevice) -> Vec<String> {
    let mut lines = Vec::new();
    let Some(b) = &dev.boot else {
        return lines;
    };
    if let Some(cpid) = &b.cpid {
        match chip_name(cpid) {
            Some(chip) => lines.push(format!("chip CPID {cpid} ({chip})")),
            None => lines.push(format!("chip CPID {cpid}")),
        }
    }
    if let Some(ecid) = &b.ecid {
        lines.push(format!("ECID {ecid}"));
    }
    if let Some(srtg) = &b.srtg {
        lines.push(format!("boot loader {srtg}"));
    }
    lines
}

/// "port 1.4" style port chain; "?" when the evidence did not show it.
pub(crate) fn ports(dev: &UsbDevice) -> String {
    if dev.port_chain.is_empty() {
        return "?".into();
    }
    dev.port_chain
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::rules::testing_usb::*;

    #[test]
    fn matching_falls_back_from_udid_to_location_to_product() {
        let mut m = usb_phone("listed", 1);
        m.location_id = Some(0x1a11_3000);
        let dev = UsbDevice {
            bus: 0x1a,
            port_chain: vec![1, 1, 3],
            ..phone_on_bus("unknown-to-usbmuxd")
        };
        let s = world()
            .usb_ok(vec![dev.clone()])
            .usb_os(OsFamily::Macos)
            .mux_ok(vec![m.clone()])
            .build();
        assert!(mux_entry(&s, &dev).is_some());
        let s = world()
            .usb_ok(vec![dev.clone()])
            .usb_os(OsFamily::Windows)
            .mux_ok(vec![m.clone()])
            .build();
        assert!(mux_entry(&s, &dev).is_none());
        let anonymous = UsbDevice { udid: None, ..dev };
        let s = world()
            .usb_ok(vec![anonymous.clone()])
            .usb_os(OsFamily::Windows)
            .mux_ok(vec![m])
            .build();
        assert!(mux_entry(&s, &anonymous).is_some());
    }
}
