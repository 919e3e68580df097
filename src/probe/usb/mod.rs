//! The USB probe: what the bus says about cable, port, hub and mode.
//!
//! A [`UsbBus`] lists every device as a [`RawUsbDevice`]; [`classify`] turns
//! that list into the snapshot's [`UsbObs`] (Apple devices with their hub
//! chains, modes and parsed serials). The live bus ([`LiveBus`], libusb
//! through an explicit `rusb::Context`) and recorded buses (fixtures, tests)
//! go through the same classification.
//!
//! Nothing here judges: a device libusb may not open is recorded as such,
//! and the rules decide whether that matters on this OS.

pub mod hotplug;
mod live;

use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};

pub use live::LiveBus;

use crate::snapshot::{
    DeviceNode, Failure, OsFamily, Outcome, UsbAccess, UsbConfig, UsbDevice, UsbHub, UsbMode,
    UsbObs, UsbSpeed, APPLE_VENDOR_ID,
};

/// The USB device class of hubs.
pub const HUB_CLASS: u8 = 0x09;

/// USB allows at most 7 tiers; a longer parent chain is corrupt data.
const MAX_TIERS: usize = 8;

/// A source of USB devices: the live bus or a recorded one.
pub trait UsbBus {
    /// Every device on the bus (hubs included), or why the bus cannot be read.
    fn devices(&self) -> Result<Vec<RawUsbDevice>, Failure>;
}

/// A bus address: the bus number and the device's address on it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BusAddr {
    pub bus: u8,
    pub address: u8,
}

/// One device as the bus lists it, before classification.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RawUsbDevice {
    pub bus: u8,
    pub address: u8,
    /// Port numbers from the root hub down (empty for a root hub).
    pub port_chain: Vec<u8>,
    /// The hub it is plugged into; None for a root hub.
    pub parent: Option<BusAddr>,
    pub vendor_id: u16,
    pub product_id: u16,
    /// bDeviceClass (9 = hub).
    pub class: u8,
    /// bcdUSB.
    pub usb_version: Option<u16>,
    /// bcdDevice.
    pub device_version: Option<u16>,
    pub speed: Option<UsbSpeed>,
    /// 0 = unconfigured, None = unknown.
    pub active_config: Option<u8>,
    pub configurations: Vec<UsbConfig>,
    pub access: UsbAccess,
    pub node: Option<DeviceNode>,
    pub serial: Option<String>,
}

impl RawUsbDevice {
    fn addr(&self) -> BusAddr {
        BusAddr {
            bus: self.bus,
            address: self.address,
        }
    }

    fn is_hub(&self) -> bool {
        self.class == HUB_CLASS
    }

    fn as_hub(&self) -> UsbHub {
        UsbHub {
            bus: self.bus,
            address: self.address,
            vendor_id: self.vendor_id,
            product_id: self.product_id,
            speed: self.speed,
            port: self.port_chain.last().copied().unwrap_or(0),
        }
    }
}

/// A bus whose devices were recorded earlier (fixtures, tests).
#[derive(Debug, Clone)]
pub struct RecordedBus(pub Result<Vec<RawUsbDevice>, Failure>);

impl UsbBus for RecordedBus {
    fn devices(&self) -> Result<Vec<RawUsbDevice>, Failure> {
        self.0.clone()
    }
}

/// Probes the live bus. Blocking (libusb); call it from a blocking thread.
/// Never panics: where libusb cannot start (no `/dev/bus/usb`, a container)
/// the outcome is `Failed` with kind `unavailable`.
pub fn probe() -> Outcome<UsbObs> {
    probe_bus(&LiveBus, OsFamily::current())
}

/// Reads `bus` and classifies what it lists, timing the whole.
pub fn probe_bus(bus: &dyn UsbBus, os: OsFamily) -> Outcome<UsbObs> {
    let start = Instant::now();
    let listed = bus.devices();
    let duration_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    let classified = listed.map(|raw| UsbObs {
        os,
        ..classify(&raw)
    });
    Outcome::from_result(classified, duration_ms)
}

/// Turns a raw device list into the observation: Apple devices (hubs
/// excluded) with their mode, hub chain, usbmux configuration and parsed
/// serial; root hubs with their speeds. Pure; `os` is left `Other` for the
/// caller to set.
pub fn classify(raw: &[RawUsbDevice]) -> UsbObs {
    let by_addr: BTreeMap<BusAddr, &RawUsbDevice> = raw.iter().map(|d| (d.addr(), d)).collect();
    let mut devices: Vec<UsbDevice> = raw
        .iter()
        .filter(|d| d.vendor_id == APPLE_VENDOR_ID && !d.is_hub())
        .map(|d| classify_one(d, &by_addr))
        .collect();
    devices.sort_by_key(|d| (d.bus, d.address));
    let mut root_hubs: Vec<UsbHub> = raw
        .iter()
        .filter(|d| d.parent.is_none() && d.is_hub())
        .map(RawUsbDevice::as_hub)
        .collect();
    root_hubs.sort_by_key(|h| (h.bus, h.address));
    UsbObs {
        os: OsFamily::Other,
        devices,
        root_hubs,
    }
}

fn classify_one(d: &RawUsbDevice, by_addr: &BTreeMap<BusAddr, &RawUsbDevice>) -> UsbDevice {
    let mode = UsbMode::from_ids(d.vendor_id, d.product_id);
    let serial = d
        .serial
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let (udid, boot) = match (mode, serial.as_deref()) {
        (UsbMode::Normal, Some(s)) => (udid_from_serial(s), None),
        (UsbMode::Recovery | UsbMode::Dfu | UsbMode::Wtf, Some(s)) => {
            let boot = parse_boot_serial(s);
            (boot.as_ref().and_then(udid_from_boot), boot)
        }
        _ => (None, None),
    };
    UsbDevice {
        bus: d.bus,
        address: d.address,
        port_chain: d.port_chain.clone(),
        hubs: hub_chain(d, by_addr),
        vendor_id: d.vendor_id,
        product_id: d.product_id,
        mode,
        speed: d.speed,
        max_speed: d.usb_version.and_then(max_speed_from_bcd),
        usb_version: d.usb_version,
        device_version: d.device_version,
        active_config: d.active_config,
        configurations: d.configurations.clone(),
        access: d.access.clone(),
        node: d.node.clone(),
        serial,
        udid,
        boot,
        quote: None,
    }
}

/// The hubs between the root hub and `d`, nearest the computer first.
fn hub_chain(d: &RawUsbDevice, by_addr: &BTreeMap<BusAddr, &RawUsbDevice>) -> Vec<UsbHub> {
    let mut chain = Vec::new();
    let mut next = d.parent;
    while let Some(addr) = next {
        if chain.len() >= MAX_TIERS {
            break;
        }
        let Some(parent) = by_addr.get(&addr) else {
            break;
        };
        if parent.parent.is_none() {
            break; // the root hub: recorded once in `root_hubs`
        }
        chain.push(parent.as_hub());
        next = parent.parent;
    }
    chain.reverse();
    chain
}

pub use crate::snapshot::{
    max_speed_from_bcd, parse_boot_serial, udid_from_boot, udid_from_serial,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{BootInfo, FailureKind, UsbInterface};

    fn root(bus: u8, speed: UsbSpeed) -> RawUsbDevice {
        RawUsbDevice {
            bus,
            address: 1,
            vendor_id: 0x1d6b,
            product_id: if speed >= UsbSpeed::Super { 3 } else { 2 },
            class: HUB_CLASS,
            speed: Some(speed),
            ..Default::default()
        }
    }

    fn phone(bus: u8, address: u8, parent: BusAddr, ports: &[u8]) -> RawUsbDevice {
        RawUsbDevice {
            bus,
            address,
            port_chain: ports.to_vec(),
            parent: Some(parent),
            vendor_id: APPLE_VENDOR_ID,
            product_id: 0x12a8,
            usb_version: Some(0x0200),
            speed: Some(UsbSpeed::High),
            active_config: Some(4),
            configurations: vec![UsbConfig {
                value: 4,
                interfaces: vec![UsbInterface {
                    number: 1,
                    class: 0xff,
                    subclass: 0xfe,
                    protocol: 2,
                    driver: None,
                }],
            }],
            serial: Some("0000810100094C9B56A76363".into()),
            ..Default::default()
        }
    }

    #[test]
    fn phone_behind_a_hub_gets_its_chain() {
        let hub = RawUsbDevice {
            bus: 1,
            address: 5,
            port_chain: vec![2],
            parent: Some(BusAddr { bus: 1, address: 1 }),
            vendor_id: 0x0424,
            product_id: 0x2514,
            class: HUB_CLASS,
            speed: Some(UsbSpeed::High),
            ..Default::default()
        };
        let raw = vec![
            root(1, UsbSpeed::High),
            hub,
            phone(1, 9, BusAddr { bus: 1, address: 5 }, &[2, 3]),
        ];
        let obs = classify(&raw);
        assert_eq!(obs.devices.len(), 1);
        let d = &obs.devices[0];
        assert_eq!(d.mode, UsbMode::Normal);
        assert_eq!(d.hubs.len(), 1);
        assert_eq!(d.hubs[0].product_id, 0x2514);
        assert_eq!(d.hubs[0].port, 2);
        assert_eq!(d.udid.as_deref(), Some("00008101-00094C9B56A76363"));
        assert_eq!(d.usbmux_config(), Some(4));
        assert_eq!(d.max_speed, Some(UsbSpeed::High));
        assert_eq!(obs.root_hubs.len(), 1);
    }

    #[test]
    fn parent_cycles_and_missing_parents_do_not_hang() {
        let mut a = phone(1, 2, BusAddr { bus: 1, address: 3 }, &[1]);
        a.class = HUB_CLASS;
        a.vendor_id = 0x0424;
        let b = RawUsbDevice {
            bus: 1,
            address: 3,
            parent: Some(BusAddr { bus: 1, address: 2 }),
            class: HUB_CLASS,
            ..Default::default()
        };
        let p = phone(1, 4, BusAddr { bus: 1, address: 2 }, &[1, 1]);
        let orphan = phone(
            2,
            4,
            BusAddr {
                bus: 2,
                address: 99,
            },
            &[1],
        );
        let obs = classify(&[a, b, p, orphan]);
        assert_eq!(obs.devices.len(), 2);
        assert_eq!(obs.devices[0].hubs.len(), MAX_TIERS);
        assert!(obs.devices[1].hubs.is_empty());
    }

    #[test]
    fn other_vendors_and_apple_hubs_are_left_out() {
        let mut kb_hub = phone(1, 2, BusAddr { bus: 1, address: 1 }, &[1]);
        kb_hub.product_id = 0x1006;
        kb_hub.class = HUB_CLASS;
        let mut mouse = phone(1, 3, BusAddr { bus: 1, address: 1 }, &[2]);
        mouse.vendor_id = 0x046d;
        let mut keyboard = phone(1, 4, BusAddr { bus: 1, address: 2 }, &[1, 1]);
        keyboard.product_id = 0x024f;
        keyboard.serial = None;
        let obs = classify(&[root(1, UsbSpeed::High), kb_hub, mouse, keyboard]);
        assert_eq!(obs.devices.len(), 1);
        assert_eq!(obs.devices[0].mode, UsbMode::Other);
        assert!(!obs.devices[0].is_ios_device());
    }

    #[test]
    fn odd_input_is_classified_without_panicking() {
        let serials = [
            "",
            " ",
            ":",
            "ECID:",
            "CPID:ééé ECID:[",
            "SRTG:[]",
            "0000810100094C9B56A7636é",
            "\u{0}\u{0}",
            "ffffffffffffffffffffffffffffffffffffffffffff",
        ];
        for (i, serial) in serials.iter().enumerate() {
            for product_id in [0x12a8, 0x1281, 0x1227, 0x1222, 0xffff] {
                let me = BusAddr {
                    bus: 255,
                    address: u8::try_from(i).unwrap_or(0),
                };
                let d = RawUsbDevice {
                    bus: 255,
                    address: me.address,
                    port_chain: vec![255; 12],
                    parent: Some(me),
                    vendor_id: APPLE_VENDOR_ID,
                    product_id,
                    class: if product_id == 0xffff { HUB_CLASS } else { 0 },
                    usb_version: Some(u16::MAX),
                    active_config: Some(255),
                    serial: Some((*serial).to_string()),
                    ..Default::default()
                };
                let obs = classify(&[d]);
                for dev in &obs.devices {
                    assert!(dev.hubs.len() <= MAX_TIERS);
                    let _ = (
                        dev.label(),
                        dev.describe(),
                        dev.usbmux_config(),
                        dev.active_interfaces(),
                    );
                }
            }
        }
    }

    #[test]
    fn dfu_serial_fields_are_parsed() {
        let s = "SDOM:01 CPID:8110 CPRV:11 CPFM:03 SCEP:01 BDID:0A ECID:[redacted] IBFL:3C SRTG:[iBoot-6338.0.0.200.19]";
        let b = parse_boot_serial(s).expect("fields");
        assert_eq!(b.cpid.as_deref(), Some("8110"));
        assert_eq!(b.bdid.as_deref(), Some("0A"));
        assert_eq!(b.ecid.as_deref(), Some("redacted"));
        assert_eq!(b.srtg.as_deref(), Some("iBoot-6338.0.0.200.19"));
        assert_eq!(parse_boot_serial("garbage"), None);
        assert_eq!(parse_boot_serial(""), None);
        assert_eq!(
            parse_boot_serial("CPID: ECID::::"),
            Some(BootInfo {
                ecid: Some(":::".into()),
                ..Default::default()
            })
        );
    }

    #[test]
    fn new_style_udid_from_boot_fields() {
        let boot = |cpid: &str, ecid: &str| BootInfo {
            cpid: Some(cpid.into()),
            ecid: Some(ecid.into()),
            ..Default::default()
        };
        assert_eq!(
            udid_from_boot(&boot("8101", "00094c9b56a76363")).as_deref(),
            Some("00008101-00094C9B56A76363")
        );
        assert_eq!(
            udid_from_boot(&boot("8101", "94C9B56A76363")).as_deref(),
            Some("00008101-00094C9B56A76363")
        );
        assert_eq!(udid_from_boot(&boot("8010", "001244D7790B58A1")), None);
        assert_eq!(udid_from_boot(&boot("8960", "001244D7790B58A1")), None);
        assert_eq!(udid_from_boot(&boot("8110", "[redacted]")), None);
        assert_eq!(udid_from_boot(&boot("zz", "00")), None);
    }

    #[test]
    fn udid_spellings() {
        assert_eq!(
            udid_from_serial("082f55467ffb11a7c14eb698a69a53788fc3a240").as_deref(),
            Some("082f55467ffb11a7c14eb698a69a53788fc3a240")
        );
        assert_eq!(udid_from_serial("xxx"), None);
        assert_eq!(udid_from_serial("ééééééééééééééééééééééé"), None);
    }

    #[test]
    fn bcd_to_max_speed() {
        assert_eq!(max_speed_from_bcd(0x0320), Some(UsbSpeed::Super));
        assert_eq!(max_speed_from_bcd(0x0200), Some(UsbSpeed::High));
        assert_eq!(max_speed_from_bcd(0x0110), Some(UsbSpeed::Full));
        assert_eq!(max_speed_from_bcd(0), None);
    }

    #[test]
    fn failed_bus_is_a_failed_outcome() {
        let bus = RecordedBus(Err(Failure::new(FailureKind::Unavailable, "no usbfs")));
        let o = probe_bus(&bus, OsFamily::Linux);
        assert!(o.failed_with(FailureKind::Unavailable));
    }

    #[test]
    fn recorded_bus_records_the_os() {
        let bus = RecordedBus(Ok(vec![root(1, UsbSpeed::High)]));
        let o = probe_bus(&bus, OsFamily::Macos);
        assert_eq!(o.value().map(|v| v.os), Some(OsFamily::Macos));
    }

    /// This machine has no USB bus: the live probe must answer, not panic.
    #[test]
    fn live_probe_never_panics() {
        let outcome = probe();
        if cfg!(target_os = "linux") && !std::path::Path::new("/dev/bus/usb").exists() {
            assert!(
                outcome.failed_with(FailureKind::Unavailable),
                "no /dev/bus/usb should mean unavailable: {outcome:?}"
            );
        }
        match outcome {
            Outcome::Ok { value, .. } => assert_eq!(value.os, OsFamily::current()),
            Outcome::Failed { failure, .. } => assert!(!failure.message.is_empty()),
            Outcome::Skipped { because } => panic!("live probe skipped: {because}"),
        }
    }
}
