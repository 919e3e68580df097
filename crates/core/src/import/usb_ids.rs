//! The pieces every USB-reading importer shares: ids written as four hex
//! digits, an Apple device built from them the way the USB probe builds one,
//! its serial string read as a UDID or boot fields, Linux port names, and an
//! imported snapshot that looked at nothing else.

use super::capture::masked;
use crate::snapshot::{
    parse_boot_serial, udid_from_boot, udid_from_serial, OsFamily, Outcome, Quote, UsbDevice,
    UsbHub, UsbMode, UsbObs, APPLE_VENDOR_ID,
};

/// The most hubs kept above one device: USB allows five tiers, and a tree
/// that claims more is not believed.
const MAX_HUBS: usize = 8;

/// Exactly four hex digits: a value cut short by the capture (`05ac:12a`)
/// is not read as another id.
pub fn hex4(s: &str) -> Option<u16> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u16::from_str_radix(s, 16).ok())
        .flatten()
}

/// A binary-coded decimal version as lsusb and the Linux kernel print it
/// (`2.00`, `10.05`, `bcdDevice=15.02` → 0x1502): one or two digits, a dot,
/// exactly two digits.
pub fn bcd(v: &str) -> Option<u16> {
    let (major, minor) = v.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    (digits(major) && minor.len() == 2 && digits(minor))
        .then(|| u16::from_str_radix(&format!("{major}{minor}"), 16).ok())
        .flatten()
}

/// The hubs above a device in a tree printed as indented entries (ioreg,
/// system_profiler), nearest the computer first. Walking back from the
/// device, each entry less deep than the last one taken is an ancestor;
/// `hub` keeps the ancestors that are hubs worth naming (not the
/// computer's built-in ones).
pub fn hub_chain<T>(
    depth: usize,
    before: &[T],
    depth_of: impl Fn(&T) -> usize,
    hub: impl Fn(&T) -> Option<UsbHub>,
) -> Vec<UsbHub> {
    let mut chain = Vec::new();
    let mut want = depth;
    for e in before.iter().rev() {
        let d = depth_of(e);
        if d >= want {
            continue;
        }
        want = d;
        chain.extend(hub(e));
        if want == 0 || chain.len() >= MAX_HUBS {
            break;
        }
    }
    chain.reverse();
    chain
}

/// The bus as a capture showed it: its Apple devices, on a computer of
/// `os`; no capture lists the root hubs.
pub fn bus_seen(os: OsFamily, devices: Vec<UsbDevice>) -> Outcome<UsbObs> {
    Outcome::Ok {
        duration_ms: 0,
        value: UsbObs {
            os,
            devices,
            root_hubs: Vec::new(),
        },
    }
}

/// An Apple device (vendor 0x05ac) seen at `quote`, its mode from its
/// product id; None for other vendors.
pub fn apple_device(vendor_id: u16, product_id: u16, quote: Quote) -> Option<UsbDevice> {
    (vendor_id == APPLE_VENDOR_ID).then(|| UsbDevice {
        vendor_id,
        product_id,
        mode: UsbMode::from_ids(vendor_id, product_id),
        quote: Some(quote),
        ..Default::default()
    })
}

/// Records a serial string: the UDID in normal mode, the boot fields in
/// recovery and DFU. What its author masked (`xxx`, `***`, `[redacted]`) is
/// not read: a masked normal-mode serial is dropped, a masked boot field left
/// out.
pub fn set_serial(dev: &mut UsbDevice, serial: &str) {
    let serial = serial.trim();
    if serial.is_empty() {
        return;
    }
    let serial: String = serial.chars().take(256).collect();
    match dev.mode {
        UsbMode::Normal if !masked(&serial) => dev.udid = udid_from_serial(&serial),
        UsbMode::Recovery | UsbMode::Dfu | UsbMode::Wtf => {
            dev.boot = parse_boot_serial(&serial).and_then(|mut b| {
                for field in [&mut b.cpid, &mut b.bdid, &mut b.ecid, &mut b.srtg] {
                    if field.as_deref().is_some_and(masked) {
                        *field = None;
                    }
                }
                (b != Default::default()).then_some(b)
            });
            dev.udid = dev.boot.as_ref().and_then(udid_from_boot);
        }
        _ => return,
    }
    dev.serial = Some(serial);
}

/// A Linux port name, `1-4` or `1-4.2`: the bus and the ports from the root
/// hub down.
pub fn linux_port(name: &str) -> Option<(u8, Vec<u8>)> {
    let (bus, ports) = name.split_once('-')?;
    let bus: u8 = digits(bus)?;
    let chain: Option<Vec<u8>> = ports.split('.').map(digits).collect();
    let chain = chain?;
    (!chain.is_empty() && chain.len() <= 7).then_some((bus, chain))
}

fn digits(s: &str) -> Option<u8> {
    (!s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_ports_and_serials() {
        assert_eq!(hex4("12a8"), Some(0x12a8));
        assert_eq!(hex4("0x05ac"), Some(0x05ac));
        assert_eq!(hex4("12a"), None, "cut short");
        assert_eq!(hex4("IPCI"), None);
        assert_eq!(hex4("é123"), None);
        assert_eq!(linux_port("1-4.2"), Some((1, vec![4, 2])));
        assert_eq!(linux_port("1-"), None);
        assert_eq!(linux_port("999-1"), None);
        assert_eq!(linux_port("1-2:4.2"), None);
        let q = Quote {
            file: "f".into(),
            line: 1,
            text: "t".into(),
        };
        assert!(apple_device(0x0403, 0x6001, q.clone()).is_none());
        let mut d = apple_device(0x05ac, 0x12a8, q.clone()).unwrap();
        set_serial(&mut d, "0000810100094C9B56A76363");
        assert_eq!(d.udid.as_deref(), Some("00008101-00094C9B56A76363"));
        let mut d = apple_device(0x05ac, 0x12a8, q.clone()).unwrap();
        set_serial(&mut d, "xxx");
        assert_eq!((d.udid, d.serial), (None, None));
        let mut d = apple_device(0x05ac, 0x1227, q).unwrap();
        set_serial(&mut d, "SDOM:01 CPID:8110 ECID:[redacted]");
        let boot = d.boot.unwrap();
        assert_eq!(boot.cpid.as_deref(), Some("8110"));
        assert_eq!(boot.ecid, None, "masked by its author");
    }
}
