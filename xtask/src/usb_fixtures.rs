//! The `fixtures/usb-*.json` snapshots, rebuilt from recorded buses.
//!
//! Each case writes down what a real capture (named in its provenance)
//! shows as a list of [`RawUsbDevice`]s, runs it through the same
//! [`classify`] as the live probe, and completes the snapshot (usbmuxd,
//! host) consistently. `cargo xtask fixtures usb` writes them; the tests
//! below check that the committed fixtures are exactly that, and that the
//! expected rule ranks first.

use std::path::{Path, PathBuf};

use iphone_backup_check::probe::usb::{classify, BusAddr, RawUsbDevice, HUB_CLASS};

#[cfg(test)]
use iphone_backup_check::rules;
use iphone_backup_check::snapshot::*;

struct Case {
    name: &'static str,
    /// The rule expected first, or None when no USB or usbmuxd rule may fire.
    #[cfg_attr(not(test), allow(dead_code))]
    first: Option<&'static str>,
    snapshot: Snapshot,
}

fn root_hub(bus: u8, speed: UsbSpeed) -> RawUsbDevice {
    RawUsbDevice {
        bus,
        address: 1,
        vendor_id: 0x1d6b,
        product_id: if speed >= UsbSpeed::Super { 3 } else { 2 },
        class: HUB_CLASS,
        usb_version: Some(if speed >= UsbSpeed::Super {
            0x0300
        } else {
            0x0200
        }),
        speed: Some(speed),
        ..Default::default()
    }
}

fn iface(number: u8, class: u8, subclass: u8, protocol: u8, driver: Option<&str>) -> UsbInterface {
    UsbInterface {
        number,
        class,
        subclass,
        protocol,
        driver: driver.map(str::to_string),
    }
}

/// Apple's usual configurations for a normal-mode iPhone: 1 PTP, 2 iPod USB
/// Interface (audio + HID), 3 PTP + Apple Mobile Device (usbmux), 4 PTP +
/// Apple Mobile Device + Apple USB Ethernet. `drivers` are the Linux drivers
/// of configuration 4's interfaces when it is the active one.
fn iphone_configs(drivers: [Option<&str>; 3]) -> Vec<UsbConfig> {
    vec![
        UsbConfig {
            value: 1,
            interfaces: vec![iface(0, 0x06, 0x01, 0x01, None)],
        },
        UsbConfig {
            value: 2,
            interfaces: vec![
                iface(0, 0x01, 0x01, 0x00, None),
                iface(1, 0x01, 0x02, 0x00, None),
                iface(2, 0x01, 0x02, 0x00, None),
                iface(3, 0x03, 0x00, 0x00, None),
            ],
        },
        UsbConfig {
            value: 3,
            interfaces: vec![
                iface(0, 0x06, 0x01, 0x01, None),
                iface(1, 0xff, 0xfe, 0x02, None),
            ],
        },
        UsbConfig {
            value: 4,
            interfaces: vec![
                iface(0, 0x06, 0x01, 0x01, drivers[0]),
                iface(1, 0xff, 0xfe, 0x02, drivers[1]),
                iface(2, 0xff, 0xfd, 0x01, drivers[2]),
            ],
        },
    ]
}

/// Where a user can read the capture: the copy in `fixtures/realdata/`, or
/// its public page for the one capture the repository does not carry.
fn cited(source: &str) -> String {
    match source {
        "idevicerestore_recovery_mode_reconnect_iPhone9-x_partial.txt" => {
            "https://github.com/libimobiledevice/idevicerestore/issues/479".to_string()
        }
        _ => format!("fixtures/realdata/{source}"),
    }
}

fn snapshot(source: &str, notes: &str) -> Snapshot {
    Snapshot::new(Provenance {
        kind: ProvenanceKind::Derived,
        source: Some(cited(source)),
        notes: Some(notes.to_string()),
        redacted: false,
    })
}

fn usb(os: OsFamily, raw: &[RawUsbDevice]) -> Outcome<UsbObs> {
    let mut value = classify(raw);
    value.os = os;
    Outcome::Ok {
        duration_ms: 4,
        value,
    }
}

fn mux(s: &mut Snapshot, display: &str, devices: Vec<MuxDevice>) {
    let address = MuxAddress {
        display: display.into(),
        source: MuxAddressSource::Default,
    };
    s.probes.usbmuxd_address = Some(address.clone());
    s.probes.usbmuxd = Outcome::Ok {
        duration_ms: 2,
        value: MuxObs {
            address,
            buid: Some("6F1B8E52-3C9A-4D27-9E0B-5A7C2D4F8B13".into()),
            devices,
            quote: None,
        },
    };
}

fn mux_usb(device_id: u32, udid: &str, product_id: u16, location_id: u32, bps: u64) -> MuxDevice {
    MuxDevice {
        device_id,
        udid: udid.into(),
        connection: MuxConnection::Usb,
        product_id: Some(product_id),
        location_id: Some(location_id),
        connection_speed: Some(bps),
    }
}

fn host(s: &mut Snapshot, family: OsFamily, name: &str, version: &str, backup_dir: &str) {
    let source = if family == OsFamily::Linux {
        BackupDirSource::Flag
    } else {
        BackupDirSource::Default
    };
    s.probes.host = Outcome::Ok {
        duration_ms: 3,
        value: HostObs {
            os: HostOs {
                family,
                name: Some(name.into()),
                version: Some(version.into()),
                kernel: None,
            },
            backup_dir: BackupDirObs {
                path: Some(backup_dir.into()),
                source,
                candidates: vec![],
                exists: true,
                is_dir: true,
                readable: Some(true),
                writable: Some(true),
                is_link: false,
                link_target: None,
                target_exists: None,
                error: None,
                volume: Some(Volume {
                    mount_point: "/".into(),
                    name: None,
                    file_system: Some(
                        if family == OsFamily::Macos {
                            "apfs"
                        } else {
                            "ext4"
                        }
                        .into(),
                    ),
                    free_bytes: 180_000_000_000,
                    total_bytes: 500_000_000_000,
                    read_only: false,
                    important_free_bytes: None,
                }),
            },
            running_tools: vec![],
            lockdown_dir: None,
        },
    };
}

fn linux_host(s: &mut Snapshot, name: &str, version: &str) {
    host(s, OsFamily::Linux, name, version, "/home/user/iPhoneBackup");
}

/// iPhone 12 family, bus 1 port 2 at high speed, configuration 4 with
/// usbmuxd on the usbmux interface and ipheth on the Ethernet one.
fn normal() -> Case {
    let mut s = snapshot(
        "kernel_syslog_iPhone12_00008101_ipheth_partial.txt",
        "Kernel log of an iPhone 12-family phone (05ac:12a8, bcdDevice 13.02) enumerating at high speed on xHCI port 1-2 as device 18, serial 0000810100094C9B56A76363, with ipheth bound to interface 1-2:4.2 (so configuration 4 is active). Not in the capture, filled in: bcdUSB 2.00 (iPhone 12 is a USB 2 phone), Apple's usual configurations 1-4, usbfs on the usbmux interface (usbmuxd holds it), the device node as usbmuxd's udev rule leaves it (usbmux:plugdev 0664), the xHCI root hubs, usbmuxd's list entry (LocationID 0x10012 = bus 1 << 16 | address 18) and the host. Per-phone probes not run. Nothing on the USB path is wrong.",
    );
    let raw = vec![
        root_hub(1, UsbSpeed::High),
        root_hub(2, UsbSpeed::Super),
        RawUsbDevice {
            bus: 1,
            address: 18,
            port_chain: vec![2],
            parent: Some(BusAddr { bus: 1, address: 1 }),
            vendor_id: APPLE_VENDOR_ID,
            product_id: 0x12a8,
            class: 0,
            usb_version: Some(0x0200),
            device_version: Some(0x1302),
            speed: Some(UsbSpeed::High),
            active_config: Some(4),
            configurations: iphone_configs([None, Some("usbfs"), Some("ipheth")]),
            access: UsbAccess::Opened,
            node: Some(DeviceNode {
                path: "/dev/bus/usb/001/018".into(),
                owner: "usbmux".into(),
                group: "plugdev".into(),
                mode: "0664".into(),
            }),
            serial: Some("0000810100094C9B56A76363".into()),
        },
    ];
    s.probes.usb = usb(OsFamily::Linux, &raw);
    mux(
        &mut s,
        "unix:/var/run/usbmuxd",
        vec![mux_usb(
            1,
            "00008101-00094C9B56A76363",
            0x12a8,
            0x0001_0012,
            480_000_000,
        )],
    );
    linux_host(&mut s, "Ubuntu", "22.04");
    Case {
        name: "usb-normal",
        first: None,
        snapshot: s,
    }
}

/// macOS: iPhone behind the SMSC hub inside a DCSD cable, itself behind the
/// Mac's built-in Intel rate-matching hub.
fn hub() -> Case {
    let mut s = snapshot(
        "macos_lsusb_iPhone_12a8_dcsd.txt",
        "macOS lsusb of bus 026: Intel rate-matching hub 8087:0024 (device 1, built into the Mac), SMSC hub 0424:2513 (device 2, inside the DCSD debug cable), the cable's FTDI UART 0403:6001 and status LED 0403:8a88, and the iPhone 05ac:12a8 (device 3). The capture gives no port numbers, speeds or configurations and masks the serial: ports 1.1.3, high speed for both hubs and the phone, and the placeholder UDID 0000000000000000000000000000000000000000 are fill-ins; the macOS root hub is not listed (lsusb shows it as 05ac:IPCI), so the Intel hub's parent is an unlisted address 0. libusb's open is refused, as it often is on macOS, which is not a fault there. usbmuxd (Apple's) lists the phone. Per-phone probes not run.",
    );
    let at = |address: u8| BusAddr { bus: 26, address };
    let udid = "0000000000000000000000000000000000000000";
    let raw = vec![
        RawUsbDevice {
            bus: 26,
            address: 1,
            port_chain: vec![1],
            parent: Some(at(0)),
            vendor_id: 0x8087,
            product_id: 0x0024,
            class: HUB_CLASS,
            usb_version: Some(0x0200),
            speed: Some(UsbSpeed::High),
            ..Default::default()
        },
        RawUsbDevice {
            bus: 26,
            address: 2,
            port_chain: vec![1, 1],
            parent: Some(at(1)),
            vendor_id: 0x0424,
            product_id: 0x2513,
            class: HUB_CLASS,
            usb_version: Some(0x0200),
            speed: Some(UsbSpeed::High),
            ..Default::default()
        },
        RawUsbDevice {
            bus: 26,
            address: 4,
            port_chain: vec![1, 1, 1],
            parent: Some(at(2)),
            vendor_id: 0x0403,
            product_id: 0x6001,
            speed: Some(UsbSpeed::Full),
            ..Default::default()
        },
        RawUsbDevice {
            bus: 26,
            address: 5,
            port_chain: vec![1, 1, 2],
            parent: Some(at(2)),
            vendor_id: 0x0403,
            product_id: 0x8a88,
            speed: Some(UsbSpeed::Full),
            ..Default::default()
        },
        RawUsbDevice {
            bus: 26,
            address: 3,
            port_chain: vec![1, 1, 3],
            parent: Some(at(2)),
            vendor_id: APPLE_VENDOR_ID,
            product_id: 0x12a8,
            usb_version: Some(0x0200),
            speed: Some(UsbSpeed::High),
            access: UsbAccess::Denied {
                message: "Access denied (insufficient permissions)".into(),
            },
            serial: Some(udid.into()),
            ..Default::default()
        },
    ];
    s.probes.usb = usb(OsFamily::Macos, &raw);
    mux(
        &mut s,
        "unix:/var/run/usbmuxd",
        vec![mux_usb(5, udid, 0x12a8, 0x1a11_3000, 480_000_000)],
    );
    host(
        &mut s,
        OsFamily::Macos,
        "macOS",
        "10.13.4",
        "/Users/user/Library/Application Support/MobileSync/Backup",
    );
    Case {
        name: "usb-hub",
        first: Some("usb.hub"),
        snapshot: s,
    }
}

/// The lsusb -v iPhone, plugged straight in, fallen back to full speed.
fn slow_link() -> Case {
    let mut s = snapshot(
        "lsusb_v_iPhone_12a8_bcd10.05_partial.txt",
        "lsusb -v of an iPhone on bus 001 as device 023: 05ac:12a8, bcdUSB 2.00, bcdDevice 10.05, iSerial 082f55467ffb11a7c14eb698a69a53788fc3a240, 4 configurations, configuration 1 PTP. lsusb -v does not print the negotiated speed: this fixture describes the same phone fallen back to full speed (12 Mbit/s) on port 1 with no hub, as a worn cable makes it; usbmuxd reports the same 12000000 bit/s. Configurations 2-4 are Apple's usual layout; configuration 4 active with usbmuxd on it; host filled in. Per-phone probes not run.",
    );
    let udid = "082f55467ffb11a7c14eb698a69a53788fc3a240";
    let raw = vec![
        root_hub(1, UsbSpeed::High),
        RawUsbDevice {
            bus: 1,
            address: 23,
            port_chain: vec![1],
            parent: Some(BusAddr { bus: 1, address: 1 }),
            vendor_id: APPLE_VENDOR_ID,
            product_id: 0x12a8,
            usb_version: Some(0x0200),
            device_version: Some(0x1005),
            speed: Some(UsbSpeed::Full),
            active_config: Some(4),
            configurations: iphone_configs([None, Some("usbfs"), None]),
            access: UsbAccess::Opened,
            serial: Some(udid.into()),
            ..Default::default()
        },
    ];
    s.probes.usb = usb(OsFamily::Linux, &raw);
    mux(
        &mut s,
        "unix:/var/run/usbmuxd",
        vec![mux_usb(3, udid, 0x12a8, 0x0001_0017, 12_000_000)],
    );
    linux_host(&mut s, "Debian GNU/Linux", "11");
    Case {
        name: "usb-slow-link",
        first: Some("usb.slow-link"),
        snapshot: s,
    }
}

/// iPhone 7 (d10, CPID 8010) back in recovery mode during idevicerestore.
fn recovery() -> Case {
    let mut s = snapshot(
        "idevicerestore_recovery_mode_reconnect_iPhone9-x_partial.txt",
        "idevicerestore log: the phone (iBEC for d10 = iPhone 7, chip T8010) reconnects in Recovery mode as 05ac:1281 with ECID 001244d7790b58a1 and iBoot-7459.102.5. The serial string is rebuilt from those values (CPID inferred from d10); bus 1 device 4 as in lsusb_recovery_mode_ipwndfu.txt (another phone in recovery mode); speed, port and host filled in; configurations unknown. usbmuxd runs and lists nothing, as in recovery mode.",
    );
    let raw = vec![
        root_hub(1, UsbSpeed::High),
        RawUsbDevice {
            bus: 1,
            address: 4,
            port_chain: vec![3],
            parent: Some(BusAddr { bus: 1, address: 1 }),
            vendor_id: APPLE_VENDOR_ID,
            product_id: 0x1281,
            usb_version: Some(0x0200),
            speed: Some(UsbSpeed::High),
            access: UsbAccess::Opened,
            serial: Some("CPID:8010 ECID:001244D7790B58A1 SRTG:[iBoot-7459.102.5]".into()),
            ..Default::default()
        },
    ];
    s.probes.usb = usb(OsFamily::Linux, &raw);
    mux(&mut s, "unix:/var/run/usbmuxd", vec![]);
    linux_host(&mut s, "Debian GNU/Linux", "12");
    Case {
        name: "usb-recovery",
        first: Some("usb.recovery-mode"),
        snapshot: s,
    }
}

/// iPhone 13 (iPhone14,5, CPID 8110) in DFU mode under WSL.
fn dfu() -> Case {
    let mut s = snapshot(
        "dfu_iPhone13_lsusb_irecovery_wsl.txt",
        "Ubuntu on WSL: lsusb shows 05ac:1227 Apple Mobile Device (DFU Mode) as bus 001 device 002, iSerial 'SDOM:01 CPID:8110 CPRV:11 CPFM:03 SCEP:01 BDID:0A ECID:[redacted] IBFL:3C SRTG:[iBoot-6338.0.0.200.19]' (the author redacted the ECID). Port, speed and host filled in; configurations unknown. usbmuxd runs and lists nothing, as in DFU mode.",
    );
    let raw = vec![
        root_hub(1, UsbSpeed::High),
        RawUsbDevice {
            bus: 1,
            address: 2,
            port_chain: vec![1],
            parent: Some(BusAddr { bus: 1, address: 1 }),
            vendor_id: APPLE_VENDOR_ID,
            product_id: 0x1227,
            usb_version: Some(0x0200),
            speed: Some(UsbSpeed::High),
            access: UsbAccess::Opened,
            serial: Some("SDOM:01 CPID:8110 CPRV:11 CPFM:03 SCEP:01 BDID:0A ECID:[redacted] IBFL:3C SRTG:[iBoot-6338.0.0.200.19]".into()),
            ..Default::default()
        },
    ];
    s.probes.usb = usb(OsFamily::Linux, &raw);
    mux(&mut s, "unix:/var/run/usbmuxd", vec![]);
    linux_host(&mut s, "Ubuntu", "22.04");
    Case {
        name: "usb-dfu",
        first: Some("usb.dfu-mode"),
        snapshot: s,
    }
}

/// iPhone SE seen by the kernel; a self-built libimobiledevice stack without
/// usbmuxd's udev rule cannot open it.
fn access_denied() -> Case {
    let mut s = snapshot(
        "dmesg_iPhoneSE_12a8_no_device_found.txt",
        "dmesg: an iPhone SE (05ac:12a8) enumerates at high speed on xHCI port 1-1 as device 11 (serial masked 'xxx' by the author), and a self-built ./usr/bin/idevicepair says 'No device found'. This fixture describes the situation that matches: no usbmuxd udev rule, so the device node stays root's, libusb refuses this user (LIBUSB_ERROR_ACCESS) and usbmuxd, started by hand, does not list the phone. Access result, the root-owned device node /dev/bus/usb/001/011 (0664), configuration 1 and host filled in.",
    );
    let raw = vec![
        root_hub(1, UsbSpeed::High),
        root_hub(2, UsbSpeed::Super),
        RawUsbDevice {
            bus: 1,
            address: 11,
            port_chain: vec![1],
            parent: Some(BusAddr { bus: 1, address: 1 }),
            vendor_id: APPLE_VENDOR_ID,
            product_id: 0x12a8,
            usb_version: Some(0x0200),
            speed: Some(UsbSpeed::High),
            active_config: Some(1),
            configurations: iphone_configs([None, None, None]),
            access: UsbAccess::Denied {
                message: "Access denied (insufficient permissions)".into(),
            },
            node: Some(DeviceNode {
                path: "/dev/bus/usb/001/011".into(),
                owner: "root".into(),
                group: "root".into(),
                mode: "0664".into(),
            }),
            serial: Some("xxx".into()),
            ..Default::default()
        },
    ];
    s.probes.usb = usb(OsFamily::Linux, &raw);
    mux(&mut s, "unix:/var/run/usbmuxd", vec![]);
    linux_host(&mut s, "Ubuntu", "16.04");
    Case {
        name: "usb-access-denied",
        first: Some("usb.access-denied"),
        snapshot: s,
    }
}

/// iPhone 4 on iOS 4.2.1: the bus and its device node show it, usbmuxd
/// does not list it.
fn not_listed() -> Case {
    let mut s = snapshot(
        "lsusb_v_iPhone4_1297_iOS4.2.1_no_device_found_partial.txt",
        "Debian trixie, as root: ideviceinfo 1.3.0 says 'No device found!' while lsusb -v shows 05ac:1297 (iPhone 4, bcdUSB 2.00, bcdDevice 0.01, iSerial 6b575a0afc39100b9247c923e679d4af2658f347, 4 configurations) as bus 003 device 010, and /dev/bus/usb/003/010 belongs to usbmux:plugdev (usbmuxd's udev rule ran). Root can open it. Speed, port, configurations 2-4 (Apple's usual layout) and host filled in; the active configuration is unknown. usbmuxd runs and lists nothing.",
    );
    let raw = vec![
        root_hub(3, UsbSpeed::High),
        RawUsbDevice {
            bus: 3,
            address: 10,
            port_chain: vec![2],
            parent: Some(BusAddr { bus: 3, address: 1 }),
            vendor_id: APPLE_VENDOR_ID,
            product_id: 0x1297,
            usb_version: Some(0x0200),
            device_version: Some(0x0001),
            speed: Some(UsbSpeed::High),
            active_config: None,
            configurations: iphone_configs([None, None, None]),
            access: UsbAccess::Opened,
            node: Some(DeviceNode {
                path: "/dev/bus/usb/003/010".into(),
                owner: "usbmux".into(),
                group: "plugdev".into(),
                mode: "0664".into(),
            }),
            serial: Some("6b575a0afc39100b9247c923e679d4af2658f347".into()),
            ..Default::default()
        },
    ];
    s.probes.usb = usb(OsFamily::Linux, &raw);
    mux(&mut s, "unix:/var/run/usbmuxd", vec![]);
    linux_host(&mut s, "Debian GNU/Linux", "trixie");
    Case {
        name: "usb-usbmuxd-not-listed",
        first: Some("usbmuxd.device-not-listed"),
        snapshot: s,
    }
}

/// A USB 3 iPhone at 480 Mbit/s on a computer with USB 3 ports.
fn usb3_at_480() -> Case {
    let mut s = Snapshot::new(Provenance {
        kind: ProvenanceKind::HandBuilt,
        source: None,
        notes: Some("Described, not captured (no USB 3 iPhone capture in fixtures/realdata/): an iPhone 15 Pro class phone (05ac:12a8, bcdUSB 3.20, new-style UDID with chip prefix 00008130) on the USB 2 side of an xHCI controller at 480 Mbit/s, as with the USB 2 charge cable that comes in the box, while bus 2 is the controller's 5000 Mbit/s root hub. Configurations as in usb-normal.json; usbmuxd lists the phone at 480000000 bit/s.".into()),
        redacted: false,
    });
    let udid = "00008130-001A2B3C4D5E6F70";
    let raw = vec![
        root_hub(1, UsbSpeed::High),
        root_hub(2, UsbSpeed::Super),
        RawUsbDevice {
            bus: 1,
            address: 5,
            port_chain: vec![3],
            parent: Some(BusAddr { bus: 1, address: 1 }),
            vendor_id: APPLE_VENDOR_ID,
            product_id: 0x12a8,
            usb_version: Some(0x0320),
            device_version: Some(0x1804),
            speed: Some(UsbSpeed::High),
            active_config: Some(4),
            configurations: iphone_configs([None, Some("usbfs"), Some("ipheth")]),
            access: UsbAccess::Opened,
            node: Some(DeviceNode {
                path: "/dev/bus/usb/001/005".into(),
                owner: "usbmux".into(),
                group: "plugdev".into(),
                mode: "0664".into(),
            }),
            serial: Some("00008130001A2B3C4D5E6F70".into()),
            ..Default::default()
        },
    ];
    s.probes.usb = usb(OsFamily::Linux, &raw);
    mux(
        &mut s,
        "unix:/var/run/usbmuxd",
        vec![mux_usb(2, udid, 0x12a8, 0x0001_0005, 480_000_000)],
    );
    linux_host(&mut s, "Fedora Linux", "41");
    Case {
        name: "usb-usb3-at-480",
        first: Some("usb.slow-link"),
        snapshot: s,
    }
}

fn cases() -> Vec<Case> {
    vec![
        usb3_at_480(),
        normal(),
        hub(),
        slow_link(),
        recovery(),
        dfu(),
        access_denied(),
        not_listed(),
    ]
}

fn path(repo: &Path, name: &str) -> PathBuf {
    repo.join("fixtures").join(format!("{name}.json"))
}

fn json(s: &Snapshot) -> String {
    let mut json = serde_json::to_string_pretty(s).unwrap_or_default();
    json.push('\n');
    json
}

/// Writes every case's fixture under `repo`.
pub fn write(repo: &Path) -> std::io::Result<()> {
    for case in cases() {
        std::fs::write(path(repo, case.name), json(&case.snapshot))?;
        println!("fixtures/{}.json", case.name);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    fn load(name: &str) -> Snapshot {
        let bytes = std::fs::read(path(&repo(), name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        parse_snapshot(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn usb_fixtures_match_their_recorded_buses() {
        for case in cases() {
            let mut loaded = load(case.name);
            loaded.tool_version.clone_from(&case.snapshot.tool_version);
            assert_eq!(
                loaded, case.snapshot,
                "{} differs from its recorded bus; run `cargo xtask fixtures usb` and review the diff",
                case.name
            );
        }
    }

    #[test]
    fn usb_fixtures_rank_their_rule_first() {
        for case in cases() {
            let s = load(case.name);
            let (kept, _) = rules::rank(rules::evaluate(&s));
            match case.first {
                Some(id) => {
                    assert_eq!(
                        kept.first().map(|f| f.id.as_str()),
                        Some(id),
                        "{}: {kept:#?}",
                        case.name
                    );
                    if case.name == "usb-usb3-at-480" {
                        assert_eq!(kept.len(), 1, "{kept:#?}");
                        assert_eq!(kept[0].severity, rules::Severity::Info);
                    }
                }
                None => {
                    let usb: Vec<&str> = kept
                        .iter()
                        .filter(|f| matches!(f.layer, rules::Layer::Usb | rules::Layer::Usbmuxd))
                        .map(|f| f.id.as_str())
                        .collect();
                    assert!(usb.is_empty(), "{}: {usb:?}", case.name);
                }
            }
        }
    }
}
