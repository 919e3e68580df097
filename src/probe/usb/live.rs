//! The live bus, read with libusb through an explicit `rusb::Context`.
//!
//! Never rusb's global-context helpers (`rusb::devices()`,
//! `open_device_with_vid_pid`): they panic where libusb cannot start.

use std::path::Path;

use rusb::UsbContext;

use super::{BusAddr, RawUsbDevice, UsbBus, HUB_CLASS};
use crate::snapshot::{
    DeviceNode, Failure, FailureKind, UsbAccess, UsbConfig, UsbInterface, UsbMode, UsbSpeed,
};

/// The computer's USB bus, through libusb.
#[derive(Debug, Clone, Copy, Default)]
pub struct LiveBus;

impl UsbBus for LiveBus {
    fn devices(&self) -> Result<Vec<RawUsbDevice>, Failure> {
        let context = rusb::Context::new().map_err(|e| {
            Failure::new(
                FailureKind::Unavailable,
                format!("libusb could not start: {e}{}", missing_bus_note()),
            )
        })?;
        let list = context.devices().map_err(|e| {
            let kind = match e {
                rusb::Error::Access => FailureKind::AccessDenied,
                rusb::Error::NotSupported | rusb::Error::NotFound => FailureKind::Unavailable,
                _ => FailureKind::Io,
            };
            Failure::new(kind, format!("libusb could not list devices: {e}"))
        })?;
        Ok(list.iter().filter_map(|d| read_device(&d)).collect())
    }
}

/// Everything libusb says about one device; None when even its device
/// descriptor cannot be read (it was unplugged while we looked).
fn read_device<T: UsbContext>(device: &rusb::Device<T>) -> Option<RawUsbDevice> {
    let desc = device.device_descriptor().ok()?;
    let mut raw = RawUsbDevice {
        bus: device.bus_number(),
        address: device.address(),
        port_chain: device.port_numbers().unwrap_or_default(),
        parent: device.get_parent().map(|p| BusAddr {
            bus: p.bus_number(),
            address: p.address(),
        }),
        vendor_id: desc.vendor_id(),
        product_id: desc.product_id(),
        class: desc.class_code(),
        usb_version: Some(bcd(desc.usb_version())),
        device_version: Some(bcd(desc.device_version())),
        speed: speed(device.speed()),
        ..Default::default()
    };
    // Only iPhones, iPads and iPods are looked into (and opened); other
    // devices, Apple keyboards included, are listed for the hub chains only.
    if UsbMode::from_ids(raw.vendor_id, raw.product_id) == UsbMode::Other || raw.class == HUB_CLASS
    {
        return Some(raw);
    }
    raw.active_config = match device.active_config_descriptor() {
        Ok(c) => Some(c.number()),
        // libusb says "not found" for an unconfigured device (value 0).
        Err(rusb::Error::NotFound) => Some(0),
        Err(_) => None,
    };
    raw.configurations = (0..desc.num_configurations())
        .filter_map(|i| device.config_descriptor(i).ok())
        .map(|c| UsbConfig {
            value: c.number(),
            interfaces: c
                .interfaces()
                .filter_map(|i| i.descriptors().next())
                .map(|d| UsbInterface {
                    number: d.interface_number(),
                    class: d.class_code(),
                    subclass: d.sub_class_code(),
                    protocol: d.protocol_code(),
                    driver: None,
                })
                .collect(),
        })
        .collect();
    match device.open() {
        Ok(handle) => {
            raw.access = UsbAccess::Opened;
            raw.serial = handle.read_serial_number_string_ascii(&desc).ok();
        }
        Err(rusb::Error::Access) => {
            raw.access = UsbAccess::Denied {
                message: rusb::Error::Access.to_string(),
            }
        }
        Err(e) => {
            raw.access = UsbAccess::Failed {
                message: e.to_string(),
            }
        }
    }
    if cfg!(target_os = "linux") {
        linux_sysfs(&mut raw, Path::new("/sys/bus/usb/devices"));
        raw.node = linux_node(
            &format!("/dev/bus/usb/{:03}/{:03}", raw.bus, raw.address),
            Path::new("/etc"),
        );
    }
    Some(raw)
}

/// On Linux, sysfs tells what libusb cannot without opening the device:
/// the serial string and the kernel driver bound to each interface of the
/// active configuration. World-readable; missing files are left as None.
pub(super) fn linux_sysfs(raw: &mut RawUsbDevice, root: &Path) {
    if raw.port_chain.is_empty() {
        return;
    }
    let ports: Vec<String> = raw.port_chain.iter().map(u8::to_string).collect();
    let name = format!("{}-{}", raw.bus, ports.join("."));
    if raw.serial.is_none() {
        raw.serial = std::fs::read_to_string(root.join(&name).join("serial"))
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
    }
    let Some(active) = raw.active_config.filter(|v| *v != 0) else {
        return;
    };
    for config in raw.configurations.iter_mut().filter(|c| c.value == active) {
        for iface in &mut config.interfaces {
            let link = root
                .join(format!("{name}:{active}.{}", iface.number))
                .join("driver");
            iface.driver = std::fs::read_link(link)
                .ok()
                .and_then(|t| t.file_name().map(|n| n.to_string_lossy().into_owned()));
        }
    }
}

/// rusb decodes binary-coded decimal into numbers; the snapshot keeps the
/// descriptor's raw BCD (0x0320 for USB 3.2).
/// The device node's owner, group and mode, with names from `etc`'s
/// `passwd` and `group` files (numbers when a name is not there).
#[cfg(unix)]
pub(super) fn linux_node(path: &str, etc: &Path) -> Option<DeviceNode> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    let owner =
        name_of(&etc.join("passwd"), meta.uid()).unwrap_or_else(|| format!("uid {}", meta.uid()));
    let group =
        name_of(&etc.join("group"), meta.gid()).unwrap_or_else(|| format!("gid {}", meta.gid()));
    Some(DeviceNode {
        path: path.to_string(),
        owner,
        group,
        mode: format!("{:04o}", meta.mode() & 0o7777),
    })
}

#[cfg(not(unix))]
pub(super) fn linux_node(_: &str, _: &Path) -> Option<DeviceNode> {
    None
}

/// The name of id `id` in a passwd- or group-style file (`name:x:id:...`).
#[cfg(unix)]
fn name_of(file: &Path, id: u32) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let found: u32 = fields.nth(1)?.parse().ok()?;
        (found == id && !name.is_empty()).then(|| name.to_string())
    })
}

fn bcd(v: rusb::Version) -> u16 {
    let major = u16::from(v.major() % 100);
    ((major / 10) << 12)
        | ((major % 10) << 8)
        | (u16::from(v.minor() & 0x0f) << 4)
        | u16::from(v.sub_minor() & 0x0f)
}

fn speed(s: rusb::Speed) -> Option<UsbSpeed> {
    match s {
        rusb::Speed::Low => Some(UsbSpeed::Low),
        rusb::Speed::Full => Some(UsbSpeed::Full),
        rusb::Speed::High => Some(UsbSpeed::High),
        rusb::Speed::Super => Some(UsbSpeed::Super),
        rusb::Speed::SuperPlus => Some(UsbSpeed::SuperPlus),
        _ => None,
    }
}

/// Why libusb fails on Linux machines without a USB bus (containers, VMs):
/// said in the evidence so the person knows it is the machine, not the phone.
fn missing_bus_note() -> &'static str {
    if cfg!(target_os = "linux") && !std::path::Path::new("/dev/bus/usb").exists() {
        " (/dev/bus/usb does not exist: this machine or container has no USB bus)"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcd_round_trips() {
        assert_eq!(bcd(rusb::Version::from_bcd(0x0320)), 0x0320);
        assert_eq!(bcd(rusb::Version::from_bcd(0x0200)), 0x0200);
        assert_eq!(bcd(rusb::Version::from_bcd(0x1005)), 0x1005);
    }

    #[test]
    fn sysfs_gives_serial_and_drivers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dev = dir.path().join("1-2");
        std::fs::create_dir_all(&dev).expect("mkdir");
        std::fs::write(dev.join("serial"), "0000810100094C9B56A76363\n").expect("write");
        let iface = dir.path().join("1-2:4.2");
        std::fs::create_dir_all(&iface).expect("mkdir");
        let driver_target = dir.path().join("drivers/ipheth");
        std::fs::create_dir_all(&driver_target).expect("mkdir");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&driver_target, iface.join("driver")).expect("symlink");
        let mut raw = RawUsbDevice {
            bus: 1,
            port_chain: vec![2],
            active_config: Some(4),
            configurations: vec![UsbConfig {
                value: 4,
                interfaces: vec![
                    UsbInterface {
                        number: 1,
                        class: 0xff,
                        subclass: 0xfe,
                        protocol: 2,
                        driver: None,
                    },
                    UsbInterface {
                        number: 2,
                        class: 0xff,
                        subclass: 0xfd,
                        protocol: 1,
                        driver: None,
                    },
                ],
            }],
            ..Default::default()
        };
        linux_sysfs(&mut raw, dir.path());
        assert_eq!(raw.serial.as_deref(), Some("0000810100094C9B56A76363"));
        assert_eq!(raw.configurations[0].interfaces[0].driver, None);
        #[cfg(unix)]
        assert_eq!(
            raw.configurations[0].interfaces[1].driver.as_deref(),
            Some("ipheth")
        );
    }

    #[cfg(unix)]
    #[test]
    fn node_owner_and_mode_with_names() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = tempfile::tempdir().expect("tempdir");
        let node = dir.path().join("010");
        std::fs::write(&node, b"").expect("write");
        std::fs::set_permissions(&node, std::fs::Permissions::from_mode(0o664)).expect("chmod");
        let meta = std::fs::metadata(&node).expect("stat");
        let etc = dir.path().join("etc");
        std::fs::create_dir_all(&etc).expect("mkdir");
        std::fs::write(
            etc.join("passwd"),
            format!(
                "broken\nusbmux:x:{}:46:usbmux daemon:/var/lib/usbmux:/usr/sbin/nologin\n",
                meta.uid()
            ),
        )
        .expect("write");
        std::fs::write(etc.join("group"), "").expect("write");
        let path = node.to_string_lossy().into_owned();
        let got = linux_node(&path, &etc).expect("node");
        assert_eq!(got.owner, "usbmux");
        assert_eq!(got.group, format!("gid {}", meta.gid()));
        assert_eq!(got.mode, "0664");
        assert_eq!(linux_node("/nonexistent/node", &etc), None);
    }

    #[test]
    fn sysfs_missing_is_harmless() {
        let mut raw = RawUsbDevice {
            bus: 3,
            port_chain: vec![1, 4],
            active_config: Some(1),
            ..Default::default()
        };
        linux_sysfs(&mut raw, Path::new("/nonexistent-sysfs"));
        assert_eq!(raw.serial, None);
    }
}
