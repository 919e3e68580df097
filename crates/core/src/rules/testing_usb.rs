//! Snapshot builders for the USB rules' tests: phones on the bus in each
//! mode, hubs, speeds and access results.

use super::testing::World;
use crate::snapshot::*;

/// A normal-mode iPhone plugged straight into bus 1 port 2 at high speed,
/// opened, with the usbmux interface in configuration 4 (active).
pub fn phone_on_bus(udid: &str) -> UsbDevice {
    UsbDevice {
        bus: 1,
        address: 7,
        port_chain: vec![2],
        hubs: vec![],
        vendor_id: APPLE_VENDOR_ID,
        product_id: 0x12a8,
        mode: UsbMode::Normal,
        speed: Some(UsbSpeed::High),
        max_speed: Some(UsbSpeed::High),
        usb_version: Some(0x0200),
        device_version: Some(0x1005),
        active_config: Some(4),
        configurations: vec![
            UsbConfig {
                value: 1,
                interfaces: vec![iface(0, 0x06, 0x01, 0x01)],
            },
            UsbConfig {
                value: 4,
                interfaces: vec![
                    iface(0, 0x06, 0x01, 0x01),
                    iface(1, 0xff, 0xfe, 0x02),
                    iface(2, 0xff, 0xfd, 0x01),
                ],
            },
        ],
        access: UsbAccess::Opened,
        node: None,
        serial: Some(udid.replace('-', "")),
        udid: Some(udid.into()),
        boot: None,
        quote: None,
    }
}

/// A phone in recovery mode (0x1281) with its boot serial fields.
pub fn recovery_on_bus() -> UsbDevice {
    UsbDevice {
        product_id: 0x1281,
        mode: UsbMode::Recovery,
        active_config: Some(1),
        configurations: vec![UsbConfig {
            value: 1,
            interfaces: vec![iface(0, 0xff, 0xff, 0x51)],
        }],
        serial: Some("CPID:8010 CPRV:11 CPFM:03 SCEP:01 BDID:08 ECID:001244D7790B58A1 IBFL:3C SRTG:[iBoot-7459.102.5]".into()),
        udid: None,
        boot: Some(BootInfo {
            cpid: Some("8010".into()),
            bdid: Some("08".into()),
            ecid: Some("001244D7790B58A1".into()),
            srtg: Some("iBoot-7459.102.5".into()),
        }),
        ..phone_on_bus("x")
    }
}

/// A phone in DFU mode (0x1227).
pub fn dfu_on_bus() -> UsbDevice {
    UsbDevice {
        product_id: 0x1227,
        mode: UsbMode::Dfu,
        speed: Some(UsbSpeed::High),
        boot: Some(BootInfo {
            cpid: Some("8110".into()),
            bdid: Some("0A".into()),
            ecid: None,
            srtg: Some("iBoot-6338.0.0.200.19".into()),
        }),
        serial: Some("SDOM:01 CPID:8110 CPRV:11 CPFM:03 SCEP:01 BDID:0A IBFL:3C SRTG:[iBoot-6338.0.0.200.19]".into()),
        ..recovery_on_bus()
    }
}

pub fn hub(vendor_id: u16, product_id: u16, speed: UsbSpeed, port: u8) -> UsbHub {
    UsbHub {
        bus: 1,
        address: 3,
        vendor_id,
        product_id,
        speed: Some(speed),
        port,
    }
}

pub fn iface(number: u8, class: u8, subclass: u8, protocol: u8) -> UsbInterface {
    UsbInterface {
        number,
        class,
        subclass,
        protocol,
        driver: None,
    }
}

impl World {
    /// Sets the OS the USB probe ran on (the host OS stays as it is).
    pub fn usb_os(mut self, os: OsFamily) -> Self {
        if let Some(u) = self.0.probes.usb.value_mut() {
            u.os = os;
        }
        self
    }

    /// Adds root hubs to the USB observation.
    pub fn root_hubs(mut self, speeds: &[UsbSpeed]) -> Self {
        if let Some(u) = self.0.probes.usb.value_mut() {
            u.root_hubs = speeds
                .iter()
                .enumerate()
                .map(|(i, s)| UsbHub {
                    bus: u8::try_from(i + 1).unwrap_or(u8::MAX),
                    address: 1,
                    vendor_id: 0x1d6b,
                    product_id: if *s >= UsbSpeed::Super { 3 } else { 2 },
                    speed: Some(*s),
                    port: 0,
                })
                .collect();
        }
        self
    }
}
