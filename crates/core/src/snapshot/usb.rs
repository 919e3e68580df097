//! What the USB probe saw on the bus.
//!
//! Only Apple devices (vendor 0x05ac) are recorded, each with the chain of
//! hubs between it and the computer, so rules can speak about cable, port,
//! hub and mode. Everything here is observation: the probe judges nothing.

use serde::{Deserialize, Serialize};

use super::udid::same_udid;
use super::{MuxConnection, MuxDevice, OsFamily, Quote};

/// Apple's USB vendor id.
pub const APPLE_VENDOR_ID: u16 = 0x05ac;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UsbObs {
    /// The OS the probe ran on: on macOS and Windows libusb may list a phone
    /// without being allowed to open it, and that is normal there.
    #[serde(default)]
    pub os: OsFamily,
    /// Apple devices (vendor 0x05ac) on the bus, hubs excluded.
    pub devices: Vec<UsbDevice>,
    /// The computer's root hubs (one per bus), with the speed each runs at;
    /// a root hub at 5000 Mbit/s or more means the computer has USB 3 ports.
    #[serde(default)]
    pub root_hubs: Vec<UsbHub>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UsbDevice {
    pub bus: u8,
    pub address: u8,
    /// Port numbers from the root hub down; more than one entry means hubs.
    pub port_chain: Vec<u8>,
    /// The hubs between the root hub and the device, nearest the computer
    /// first (the root hub itself is not included).
    #[serde(default)]
    pub hubs: Vec<UsbHub>,
    pub vendor_id: u16,
    pub product_id: u16,
    /// What the product id says about the device's state.
    #[serde(default)]
    pub mode: UsbMode,
    /// The negotiated link speed, when the OS reports it.
    #[serde(default)]
    pub speed: Option<UsbSpeed>,
    /// The fastest speed the device descriptor claims (bcdUSB 3.x: super
    /// speed; 2.x: high speed), when known.
    #[serde(default)]
    pub max_speed: Option<UsbSpeed>,
    /// bcdUSB from the device descriptor, e.g. 0x0200 or 0x0320.
    #[serde(default)]
    pub usb_version: Option<u16>,
    /// bcdDevice from the device descriptor (the firmware's version tag).
    #[serde(default)]
    pub device_version: Option<u16>,
    /// The configuration in use: 0 means unconfigured, None unknown.
    #[serde(default)]
    pub active_config: Option<u8>,
    /// Every configuration the device offers, with its interfaces.
    #[serde(default)]
    pub configurations: Vec<UsbConfig>,
    /// Whether libusb could open the device.
    #[serde(default)]
    pub access: UsbAccess,
    /// Its device node and who may use it (Linux `/dev/bus/usb`).
    #[serde(default)]
    pub node: Option<DeviceNode>,
    /// The iSerial string verbatim: the UDID in normal mode, a list of
    /// `KEY:value` fields in recovery and DFU mode.
    #[serde(default)]
    pub serial: Option<String>,
    /// The UDID as usbmuxd spells it (new-style ids get their dash back),
    /// in normal mode only.
    #[serde(default)]
    pub udid: Option<String>,
    /// The fields of a recovery or DFU mode serial string.
    #[serde(default)]
    pub boot: Option<BootInfo>,
    /// The line of a `--from` file that showed the device, so a finding can
    /// point at it; None when a live probe saw it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Quote>,
}

/// A hub on the way to the device, or a root hub.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsbHub {
    pub bus: u8,
    pub address: u8,
    pub vendor_id: u16,
    pub product_id: u16,
    #[serde(default)]
    pub speed: Option<UsbSpeed>,
    /// The port of its parent it is plugged into (0 for a root hub).
    #[serde(default)]
    pub port: u8,
}

/// A configuration and its interfaces (first alternate setting of each).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsbConfig {
    /// bConfigurationValue.
    pub value: u8,
    pub interfaces: Vec<UsbInterface>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsbInterface {
    pub number: u8,
    pub class: u8,
    pub subclass: u8,
    pub protocol: u8,
    /// The kernel driver bound to it (Linux sysfs), e.g. `ipheth`, `usbfs`.
    #[serde(default)]
    pub driver: Option<String>,
}

impl UsbInterface {
    /// The usbmux interface: vendor class 255, subclass 254, protocol 2.
    pub fn is_usbmux(&self) -> bool {
        self.class == 0xff && self.subclass == 0xfe && self.protocol == 2
    }

    /// The USB Ethernet interface Personal Hotspot uses (class 255,
    /// subclass 253), which Linux's `ipheth` driver takes.
    pub fn is_tethering(&self) -> bool {
        self.class == 0xff && self.subclass == 0xfd
    }
}

/// The state a product id puts an Apple device in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UsbMode {
    /// iOS running: product ids 0x1290 to 0x12af.
    Normal,
    /// iBoot recovery mode: 0x1280 to 0x1283.
    Recovery,
    /// DFU mode: 0x1227.
    Dfu,
    /// WTF mode of old devices: 0x1222.
    Wtf,
    /// Any other Apple device (keyboard, mouse, display, ...).
    #[default]
    Other,
}

impl UsbMode {
    /// The mode an Apple product id implies.
    pub fn from_ids(vendor_id: u16, product_id: u16) -> Self {
        if vendor_id != APPLE_VENDOR_ID {
            return Self::Other;
        }
        match product_id {
            0x1290..=0x12af => Self::Normal,
            0x1280..=0x1283 => Self::Recovery,
            0x1227 => Self::Dfu,
            0x1222 => Self::Wtf,
            _ => Self::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Recovery => "recovery",
            Self::Dfu => "dfu",
            Self::Wtf => "wtf",
            Self::Other => "other",
        }
    }
}

/// A USB link speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UsbSpeed {
    /// 1.5 Mbit/s.
    Low,
    /// 12 Mbit/s (USB 1.1).
    Full,
    /// 480 Mbit/s (USB 2).
    High,
    /// 5000 Mbit/s (USB 3 Gen 1).
    Super,
    /// 10000 Mbit/s (USB 3 Gen 2).
    SuperPlus,
}

impl UsbSpeed {
    /// The speed in kbit/s (low speed is not a whole number of Mbit/s).
    pub fn kbps(self) -> u64 {
        match self {
            Self::Low => 1_500,
            Self::Full => 12_000,
            Self::High => 480_000,
            Self::Super => 5_000_000,
            Self::SuperPlus => 10_000_000,
        }
    }

    /// "480 Mbit/s", "1.5 Mbit/s".
    pub fn label(self) -> &'static str {
        match self {
            Self::Low => "1.5 Mbit/s",
            Self::Full => "12 Mbit/s",
            Self::High => "480 Mbit/s",
            Self::Super => "5000 Mbit/s",
            Self::SuperPlus => "10000 Mbit/s",
        }
    }

    /// The nearest named speed at or below `bits_per_second` (as usbmuxd's
    /// `ConnectionSpeed` reports it); None below low speed.
    pub fn from_bps(bits_per_second: u64) -> Option<Self> {
        [
            Self::SuperPlus,
            Self::Super,
            Self::High,
            Self::Full,
            Self::Low,
        ]
        .into_iter()
        .find(|s| bits_per_second >= s.kbps() * 1000)
    }
}

/// Whether libusb could open the device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum UsbAccess {
    /// Opened (and closed again) without trouble.
    Opened,
    /// LIBUSB_ERROR_ACCESS: this user may not open it.
    Denied { message: String },
    /// Another failure (busy, not supported by the OS driver, gone).
    Failed { message: String },
    /// The probe did not try.
    #[default]
    NotTried,
}

/// A device node and its permissions, as `ls -l` shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceNode {
    /// e.g. `/dev/bus/usb/003/010`.
    pub path: String,
    /// The owner's user name, or `uid N` when it has none.
    pub owner: String,
    /// The group's name, or `gid N`.
    pub group: String,
    /// Permission bits in octal, e.g. `0664`.
    pub mode: String,
}

/// The fields of the serial string a phone shows in recovery or DFU mode,
/// e.g. `SDOM:01 CPID:8110 CPRV:11 ... ECID:001244D7790B58A1 SRTG:[iBoot-...]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootInfo {
    /// Chip id, e.g. `8110` (A15).
    pub cpid: Option<String>,
    /// Board id.
    pub bdid: Option<String>,
    /// The chip's unique id.
    pub ecid: Option<String>,
    /// The boot ROM or iBoot version tag (`SRTG`), e.g. `iBoot-6338.0.0.200.19`.
    pub srtg: Option<String>,
}

impl UsbDevice {
    /// An iPhone, iPad or iPod in any mode (not a keyboard or display).
    pub fn is_ios_device(&self) -> bool {
        self.mode != UsbMode::Other
    }

    /// The configuration value that carries the usbmux interface, if any.
    pub fn usbmux_config(&self) -> Option<u8> {
        self.configurations
            .iter()
            .find(|c| c.interfaces.iter().any(UsbInterface::is_usbmux))
            .map(|c| c.value)
    }

    /// The interfaces of the configuration in use.
    pub fn active_interfaces(&self) -> &[UsbInterface] {
        self.active_config
            .and_then(|v| self.configurations.iter().find(|c| c.value == v))
            .map_or(&[], |c| c.interfaces.as_slice())
    }

    /// "05ac:12a8 on bus 1 port 1.4".
    pub fn describe(&self) -> String {
        let ports = if self.port_chain.is_empty() {
            "?".to_string()
        } else {
            self.port_chain
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(".")
        };
        format!(
            "{:04x}:{:04x} on bus {} port {}",
            self.vendor_id, self.product_id, self.bus, ports
        )
    }

    /// A name for the phone in evidence: its UDID, else its ECID, else where it is.
    pub fn label(&self) -> String {
        if let Some(u) = &self.udid {
            return u.clone();
        }
        if let Some(e) = self.boot.as_ref().and_then(|b| b.ecid.as_ref()) {
            return format!("ECID {e}");
        }
        self.describe()
    }
}

impl UsbDevice {
    /// The LocationID usbmuxd reports for this device on `os`: Linux's
    /// usbmuxd uses `bus << 16 | address`; macOS uses the IOKit locationID
    /// (bus in the top byte, then one nibble per port from the root down).
    pub fn usbmuxd_location(&self, os: OsFamily) -> Option<u32> {
        match os {
            OsFamily::Linux => Some((u32::from(self.bus) << 16) | u32::from(self.address)),
            OsFamily::Macos => {
                if self.port_chain.len() > 6 || self.port_chain.iter().any(|p| *p > 0x0f) {
                    return None;
                }
                let mut loc = u32::from(self.bus) << 24;
                for (i, port) in self.port_chain.iter().enumerate() {
                    loc |= u32::from(*port) << (20 - 4 * i);
                }
                Some(loc)
            }
            _ => None,
        }
    }

    /// Whether usbmuxd's entry `m` is this device: same UDID, or a USB entry
    /// at this device's location on `os`.
    pub fn is_listed_as(&self, m: &MuxDevice, os: OsFamily) -> bool {
        if m.connection != MuxConnection::Usb {
            return false;
        }
        if self.udid.as_deref().is_some_and(|u| same_udid(&m.udid, u)) {
            return true;
        }
        self.usbmuxd_location(os)
            .is_some_and(|loc| m.location_id == Some(loc))
    }
}

impl UsbObs {
    /// The phone on the bus that usbmuxd's entry `m` describes, if any.
    pub fn device_for(&self, m: &MuxDevice) -> Option<&UsbDevice> {
        self.devices.iter().find(|d| d.is_listed_as(m, self.os))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_from_product_ids() {
        assert_eq!(UsbMode::from_ids(0x05ac, 0x12a8), UsbMode::Normal);
        assert_eq!(UsbMode::from_ids(0x05ac, 0x1290), UsbMode::Normal);
        assert_eq!(UsbMode::from_ids(0x05ac, 0x12af), UsbMode::Normal);
        assert_eq!(UsbMode::from_ids(0x05ac, 0x1281), UsbMode::Recovery);
        assert_eq!(UsbMode::from_ids(0x05ac, 0x1227), UsbMode::Dfu);
        assert_eq!(UsbMode::from_ids(0x05ac, 0x1222), UsbMode::Wtf);
        assert_eq!(UsbMode::from_ids(0x05ac, 0x024f), UsbMode::Other);
        assert_eq!(UsbMode::from_ids(0x1234, 0x12a8), UsbMode::Other);
    }

    #[test]
    fn speeds_from_usbmuxd_bits_per_second() {
        assert_eq!(UsbSpeed::from_bps(480_000_000), Some(UsbSpeed::High));
        assert_eq!(UsbSpeed::from_bps(12_000_000), Some(UsbSpeed::Full));
        assert_eq!(UsbSpeed::from_bps(5_000_000_000), Some(UsbSpeed::Super));
        assert_eq!(UsbSpeed::from_bps(0), None);
        assert_eq!(UsbSpeed::from_bps(u64::MAX), Some(UsbSpeed::SuperPlus));
    }

    #[test]
    fn redaction_masks_serials_udids_and_ecids() {
        use crate::snapshot::{redact::redact, Outcome, Provenance, Snapshot};
        let mut s = Snapshot::new(Provenance::default());
        s.probes.usb = Outcome::Ok {
            duration_ms: 1,
            value: UsbObs {
                devices: vec![UsbDevice {
                    serial: Some("CPID:8101 ECID:00094C9B56A76363".into()),
                    udid: Some("00008101-00094C9B56A76363".into()),
                    boot: Some(BootInfo {
                        ecid: Some("00094C9B56A76363".into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }],
                ..Default::default()
            },
        };
        let json = serde_json::to_string(&redact(&s, None)).unwrap();
        assert!(!json.contains("00094C9B56A76363"), "{json}");
    }

    #[test]
    fn usbmuxd_locations_per_os() {
        let dev = UsbDevice {
            bus: 0x14,
            address: 18,
            port_chain: vec![4, 4],
            ..Default::default()
        };
        // ioreg_iPhone_AppleUSBDevice_12a8_partial.txt: iPhone@14400000
        assert_eq!(dev.usbmuxd_location(OsFamily::Macos), Some(0x1444_0000));
        assert_eq!(dev.usbmuxd_location(OsFamily::Linux), Some(0x0014_0012));
        assert_eq!(dev.usbmuxd_location(OsFamily::Windows), None);
        let deep = UsbDevice {
            port_chain: vec![1; 7],
            ..Default::default()
        };
        assert_eq!(deep.usbmuxd_location(OsFamily::Macos), None);
    }

    #[test]
    fn finds_the_bus_device_for_a_usbmuxd_entry() {
        let dev = UsbDevice {
            bus: 1,
            address: 18,
            udid: Some("00008101-00094C9B56A76363".into()),
            ..Default::default()
        };
        let obs = UsbObs {
            os: OsFamily::Linux,
            devices: vec![dev],
            root_hubs: vec![],
        };
        let mut m = MuxDevice {
            udid: "0000810100094C9B56A76363".into(),
            ..Default::default()
        };
        assert!(obs.device_for(&m).is_some());
        m.udid = "other".into();
        assert!(obs.device_for(&m).is_none());
        m.location_id = Some(0x0001_0012);
        assert!(obs.device_for(&m).is_some());
        m.connection = MuxConnection::Network;
        assert!(obs.device_for(&m).is_none());
    }

    #[test]
    fn speed_serialises_kebab_case() {
        let json = serde_json::to_string(&UsbSpeed::SuperPlus).unwrap();
        assert_eq!(json, "\"super-plus\"");
    }
}
