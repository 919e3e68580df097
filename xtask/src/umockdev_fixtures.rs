//! `fixtures/umockdev/*.umockdev`: USB buses for `umockdev-run`, built from
//! the real captures in `fixtures/realdata/`.
//!
//! A description is what Linux shows of a bus in sysfs (`/sys/devices/...`,
//! the attributes libusb reads: `busnum`, `devnum`, `speed`,
//! `bConfigurationValue` and the binary `descriptors`) and the device nodes
//! under `/dev/bus/usb`. `umockdev-run -d FILE -- iphone-backup-check ...`
//! runs the tool's real libusb code path on it (`tests/usb_bus.rs`).
//!
//! umockdev's format has no comments, so each device carries its origin as
//! udev properties (`E: FIXTURE_CAPTURE=`, `E: FIXTURE_SOURCE=`), and the
//! generated `fixtures/umockdev/README.md` lists every description with its
//! capture, what was filled in, and the USB findings `diagnose` gives on it
//! (checked by `tests/usb_bus.rs`). `cargo xtask fixtures umockdev` writes
//! them; the tests below check that the committed files are exactly that.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One description: a bus, where its values came from, what it should show.
pub struct Description {
    pub name: &'static str,
    /// The capture in `fixtures/realdata/` it is built from ("" when none).
    pub capture: &'static str,
    /// The capture's public source.
    pub source: &'static str,
    /// What the capture shows and what was filled in.
    pub notes: &'static str,
    /// The `usb.*` findings `diagnose` gives on this bus, in rank order.
    pub findings: &'static [&'static str],
    devices: Vec<Dev>,
}

/// One USB device as sysfs shows it.
struct Dev {
    /// Kernel name: `usb1` for a root hub, `1-2`, `1-2.3` below it.
    sysname: String,
    /// Its directory under `/sys`, e.g. `/devices/pci0000:00/0000:00:14.0/usb1/1-2`.
    path: String,
    bus: u8,
    devnum: u8,
    /// sysfs `speed` in Mbit/s: "12", "480", "5000", "10000".
    speed: &'static str,
    desc: DeviceDesc,
    configs: Vec<Config>,
    /// bConfigurationValue (0 = unconfigured).
    active: u8,
    manufacturer: &'static str,
    product: &'static str,
    serial: Option<String>,
    /// Kernel drivers bound to interfaces of the active configuration.
    drivers: Vec<(u8, &'static str)>,
}

#[derive(Clone, Copy)]
struct DeviceDesc {
    bcd_usb: u16,
    class: u8,
    subclass: u8,
    protocol: u8,
    max_packet0: u8,
    vendor: u16,
    product: u16,
    bcd_device: u16,
}

#[derive(Clone)]
struct Config {
    value: u8,
    /// bMaxPower in units of 2 mA (8 mA for SuperSpeed).
    max_power: u8,
    interfaces: Vec<Interface>,
}

#[derive(Clone)]
struct Interface {
    number: u8,
    alt: u8,
    class: u8,
    subclass: u8,
    protocol: u8,
    endpoints: Vec<Endpoint>,
}

#[derive(Clone, Copy)]
struct Endpoint {
    address: u8,
    /// 2 bulk, 3 interrupt.
    kind: u8,
    max_packet: u16,
    interval: u8,
}

const APPLE: u16 = 0x05ac;

// ---- descriptors -------------------------------------------------------

impl DeviceDesc {
    fn bytes(&self, configs: usize, serial: bool) -> Vec<u8> {
        let mut b = vec![18, 1];
        b.extend_from_slice(&self.bcd_usb.to_le_bytes());
        b.extend_from_slice(&[self.class, self.subclass, self.protocol, self.max_packet0]);
        b.extend_from_slice(&self.vendor.to_le_bytes());
        b.extend_from_slice(&self.product.to_le_bytes());
        b.extend_from_slice(&self.bcd_device.to_le_bytes());
        b.extend_from_slice(&[1, 2, if serial { 3 } else { 0 }]);
        b.push(u8::try_from(configs).unwrap_or(u8::MAX));
        b
    }
}

impl Config {
    /// The configuration descriptor with its interfaces and endpoints
    /// (SuperSpeed endpoints carry their companion descriptor).
    fn bytes(&self, superspeed: bool) -> Vec<u8> {
        let mut body = Vec::new();
        for i in &self.interfaces {
            body.extend_from_slice(&[
                9,
                4,
                i.number,
                i.alt,
                u8::try_from(i.endpoints.len()).unwrap_or(u8::MAX),
                i.class,
                i.subclass,
                i.protocol,
                0,
            ]);
            for e in &i.endpoints {
                body.extend_from_slice(&[7, 5, e.address, e.kind]);
                body.extend_from_slice(&e.max_packet.to_le_bytes());
                body.push(e.interval);
                if superspeed {
                    body.extend_from_slice(&[6, 0x30, 0, 0, 0, 0]);
                }
            }
        }
        let mut numbers: Vec<u8> = self.interfaces.iter().map(|i| i.number).collect();
        numbers.dedup();
        let total = u16::try_from(9 + body.len()).unwrap_or(u16::MAX);
        let mut b = vec![9, 2];
        b.extend_from_slice(&total.to_le_bytes());
        b.extend_from_slice(&[
            u8::try_from(numbers.len()).unwrap_or(u8::MAX),
            self.value,
            0,
            0xc0,
            self.max_power,
        ]);
        b.extend_from_slice(&body);
        b
    }
}

impl Dev {
    fn superspeed(&self) -> bool {
        matches!(self.speed, "5000" | "10000" | "20000")
    }

    /// The sysfs `descriptors` file: the device descriptor, then every
    /// configuration's, as the kernel keeps them.
    fn descriptors(&self) -> Vec<u8> {
        let mut b = self.desc.bytes(self.configs.len(), self.serial.is_some());
        for c in &self.configs {
            b.extend(c.bytes(self.superspeed()));
        }
        b
    }
}

// ---- building blocks ---------------------------------------------------

fn ep(address: u8, kind: u8, max_packet: u16, interval: u8) -> Endpoint {
    Endpoint {
        address,
        kind,
        max_packet,
        interval,
    }
}

fn iface(number: u8, class: (u8, u8, u8), endpoints: Vec<Endpoint>) -> Interface {
    Interface {
        number,
        alt: 0,
        class: class.0,
        subclass: class.1,
        protocol: class.2,
        endpoints,
    }
}

/// Bulk packet size at a speed: 64 at full, 512 at high, 1024 at SuperSpeed.
fn bulk(speed: &str) -> u16 {
    match speed {
        "12" => 64,
        "480" => 512,
        _ => 1024,
    }
}

const PTP: (u8, u8, u8) = (0x06, 0x01, 0x01);
const USBMUX: (u8, u8, u8) = (0xff, 0xfe, 0x02);
const ETHERNET: (u8, u8, u8) = (0xff, 0xfd, 0x01);

/// Apple's configurations of a normal-mode iPhone or iPad, as `lsusb -v`
/// prints them: 1 PTP, 2 iPod USB Interface (audio + HID), 3 PTP + Apple
/// Mobile Device (usbmux, endpoints 04/85 as usbmuxd logs them), 4 PTP +
/// Apple Mobile Device + Apple USB Ethernet, and on phones that list five,
/// 5 laid out as usbmuxd's `src/usb.c` checks before it takes it (three
/// interfaces, the third ff/2a/ff; an assumption: no capture prints it).
fn apple_configs(count: u8, speed: &str) -> Vec<Config> {
    let mps = bulk(speed);
    let ptp = || {
        iface(
            0,
            PTP,
            vec![
                ep(0x81, 2, mps, 0),
                ep(0x02, 2, mps, 0),
                ep(0x83, 3, 64, 10),
            ],
        )
    };
    let mux = || iface(1, USBMUX, vec![ep(0x04, 2, mps, 0), ep(0x85, 2, mps, 0)]);
    let eth = || {
        let alt0 = iface(2, ETHERNET, vec![]);
        let mut alt1 = iface(2, ETHERNET, vec![ep(0x86, 2, mps, 0), ep(0x07, 2, mps, 0)]);
        alt1.alt = 1;
        [alt0, alt1]
    };
    let mut configs = vec![
        Config {
            value: 1,
            max_power: 250,
            interfaces: vec![ptp()],
        },
        Config {
            value: 2,
            max_power: 250,
            interfaces: vec![
                iface(0, (0x01, 0x01, 0x00), vec![]),
                iface(1, (0x01, 0x02, 0x00), vec![]),
                iface(2, (0x01, 0x02, 0x00), vec![]),
                iface(3, (0x03, 0x00, 0x00), vec![ep(0x83, 3, 64, 10)]),
            ],
        },
        Config {
            value: 3,
            max_power: 250,
            interfaces: vec![ptp(), mux()],
        },
        Config {
            value: 4,
            max_power: 250,
            interfaces: [vec![ptp(), mux()], eth().to_vec()].concat(),
        },
    ];
    if count >= 5 {
        configs.push(Config {
            value: 5,
            max_power: 250,
            interfaces: vec![
                ptp(),
                mux(),
                iface(
                    2,
                    (0xff, 0x2a, 0xff),
                    vec![ep(0x86, 2, mps, 0), ep(0x07, 2, mps, 0)],
                ),
            ],
        });
    }
    if speed != "12" && speed != "480" {
        // bMaxPower counts 8 mA at SuperSpeed: 896 mA.
        for c in &mut configs {
            c.max_power = 112;
        }
    }
    configs
}

/// A root hub `usbN` of an xHCI controller (or, for "12", an OHCI
/// companion), as the Linux kernel presents it.
fn root_hub(bus: u8, speed: &'static str) -> Dev {
    let (product, bcd_usb, controller) = match speed {
        "12" => (0x0001, 0x0110, "0000:00:06.0"),
        "480" => (0x0002, 0x0200, "0000:00:14.0"),
        "5000" => (0x0003, 0x0300, "0000:00:14.0"),
        _ => (0x0003, 0x0310, "0000:00:14.0"),
    };
    let interval = if speed == "12" { 255 } else { 12 };
    Dev {
        sysname: format!("usb{bus}"),
        path: format!("/devices/pci0000:00/{controller}/usb{bus}"),
        bus,
        devnum: 1,
        speed,
        desc: DeviceDesc {
            bcd_usb,
            class: 0x09,
            subclass: 0,
            protocol: if speed == "12" { 0 } else { 1 },
            max_packet0: if bcd_usb >= 0x0300 { 9 } else { 64 },
            vendor: 0x1d6b,
            product,
            bcd_device: 0x0601,
        },
        configs: vec![Config {
            value: 1,
            max_power: 0,
            interfaces: vec![iface(0, (0x09, 0, 0), vec![ep(0x81, 3, 4, interval)])],
        }],
        active: 1,
        manufacturer: "Linux 6.1.0 xhci-hcd",
        product: if speed == "12" {
            "OHCI PCI host controller"
        } else {
            "xHCI Host Controller"
        },
        serial: Some(controller.to_string()),
        drivers: vec![(0, "hub")],
    }
}

/// `dev` plugged into port `port` of `parent` with address `devnum`.
fn plug(parent: &Dev, port: u8, devnum: u8, speed: &'static str, mut dev: Dev) -> Dev {
    dev.sysname = if parent.sysname.starts_with("usb") {
        format!("{}-{port}", parent.bus)
    } else {
        format!("{}.{port}", parent.sysname)
    };
    dev.path = format!("{}/{}", parent.path, dev.sysname);
    dev.bus = parent.bus;
    dev.devnum = devnum;
    dev.speed = speed;
    dev
}

fn unplugged(desc: DeviceDesc, manufacturer: &'static str, product: &'static str) -> Dev {
    Dev {
        sysname: String::new(),
        path: String::new(),
        bus: 0,
        devnum: 0,
        speed: "480",
        desc,
        configs: vec![],
        active: 1,
        manufacturer,
        product,
        serial: None,
        drivers: vec![],
    }
}

/// A normal-mode iPhone or iPad with Apple's configurations.
#[allow(clippy::too_many_arguments)]
fn apple_phone(
    product_id: u16,
    bcd_usb: u16,
    bcd_device: u16,
    product: &'static str,
    serial: &str,
    configs: u8,
    active: u8,
    speed: &'static str,
) -> Dev {
    let mut d = unplugged(
        DeviceDesc {
            bcd_usb,
            class: 0,
            subclass: 0,
            protocol: 0,
            max_packet0: if speed == "5000" || speed == "10000" {
                9
            } else {
                64
            },
            vendor: APPLE,
            product: product_id,
            bcd_device,
        },
        "Apple Inc.",
        product,
    );
    d.configs = apple_configs(configs, speed);
    d.active = active;
    d.serial = Some(serial.to_string());
    d.speed = speed;
    d
}

/// iBoot's recovery mode (05ac:1281): one configuration, interface 0 for
/// commands and interface 1 ("Apple USB Serial Interface") with the
/// alternate setting irecovery selects.
fn recovery(serial: &str) -> Dev {
    let mut d = unplugged(
        DeviceDesc {
            bcd_usb: 0x0200,
            class: 0,
            subclass: 0,
            protocol: 0,
            max_packet0: 64,
            vendor: APPLE,
            product: 0x1281,
            bcd_device: 0x0000,
        },
        "Apple Inc.",
        "Apple Mobile Device (Recovery Mode)",
    );
    let mut serial_alt1 = iface(
        1,
        (0xff, 0xff, 0x51),
        vec![ep(0x03, 2, 512, 0), ep(0x84, 2, 512, 0)],
    );
    serial_alt1.alt = 1;
    d.configs = vec![Config {
        value: 1,
        max_power: 250,
        interfaces: vec![
            iface(0, (0xff, 0xff, 0x00), vec![ep(0x04, 2, 512, 0)]),
            iface(1, (0xff, 0xff, 0x51), vec![]),
            serial_alt1,
        ],
    }];
    d.serial = Some(serial.to_string());
    d
}

/// The SecureROM's DFU mode (05ac:1227): one configuration with the DFU
/// interface (application-specific class 0xfe, subclass 1).
fn dfu(serial: &str) -> Dev {
    let mut d = unplugged(
        DeviceDesc {
            bcd_usb: 0x0200,
            class: 0,
            subclass: 0,
            protocol: 0,
            max_packet0: 64,
            vendor: APPLE,
            product: 0x1227,
            bcd_device: 0x0000,
        },
        "Apple Inc.",
        "Apple Mobile Device (DFU Mode)",
    );
    d.configs = vec![Config {
        value: 1,
        max_power: 250,
        interfaces: vec![iface(0, (0xfe, 0x01, 0x00), vec![])],
    }];
    d.serial = Some(serial.to_string());
    d
}

/// An external high-speed hub (single transaction translator).
fn hub(vendor: u16, product_id: u16, manufacturer: &'static str, product: &'static str) -> Dev {
    let mut d = unplugged(
        DeviceDesc {
            bcd_usb: 0x0200,
            class: 0x09,
            subclass: 0,
            protocol: 1,
            max_packet0: 64,
            vendor,
            product: product_id,
            bcd_device: 0x0bb3,
        },
        manufacturer,
        product,
    );
    d.configs = vec![Config {
        value: 1,
        max_power: 1,
        interfaces: vec![iface(0, (0x09, 0, 0), vec![ep(0x81, 3, 1, 12)])],
    }];
    d.drivers = vec![(0, "hub")];
    d
}

/// An FTDI device of the DCSD cable (vendor-specific, full speed).
fn ftdi(product_id: u16, product: &'static str) -> Dev {
    let mut d = unplugged(
        DeviceDesc {
            bcd_usb: 0x0200,
            class: 0,
            subclass: 0,
            protocol: 0,
            max_packet0: 8,
            vendor: 0x0403,
            product: product_id,
            bcd_device: 0x0600,
        },
        "FTDI",
        product,
    );
    d.configs = vec![Config {
        value: 1,
        max_power: 45,
        interfaces: vec![iface(
            0,
            (0xff, 0xff, 0xff),
            vec![ep(0x81, 2, 64, 0), ep(0x02, 2, 64, 0)],
        )],
    }];
    d.serial = Some("XXXXXXXX".into());
    d
}

// ---- the descriptions --------------------------------------------------

const KERNEL_IPHONE12: &str = "kernel_syslog_iPhone12_00008101_ipheth_partial.txt";
const KERNEL_IPHONE12_URL: &str =
    "https://github.com/libimobiledevice/libimobiledevice/issues/1381";
const DCSD: &str = "macos_lsusb_iPhone_12a8_dcsd.txt";
const DCSD_URL: &str = "https://github.com/matteyeux/dcsd_status/issues/1";
const LSUSB_V_12A8: &str = "lsusb_v_iPhone_12a8_bcd10.05_partial.txt";
const LSUSB_V_12A8_URL: &str = "https://github.com/liquidctl/liquidctl/issues/412";

/// The iPhone 12 of the kernel log: 05ac:12a8, bcdDevice 13.02, port 1-2,
/// device 18, high speed, configuration 4 with ipheth on 1-2:4.2.
fn iphone12(parent: &Dev, port: u8) -> Dev {
    let mut d = plug(
        parent,
        port,
        18,
        "480",
        apple_phone(
            0x12a8,
            0x0200,
            0x1302,
            "iPhone",
            "0000810100094C9B56A76363",
            4,
            4,
            "480",
        ),
    );
    d.drivers = vec![(0, "usbfs"), (1, "usbfs"), (2, "ipheth")];
    d
}

/// The iPhone of the DCSD capture (05ac:12a8, device 3; serial masked by
/// the author, so none here).
fn dcsd_phone(parent: &Dev, port: u8) -> Dev {
    let mut phone = apple_phone(0x12a8, 0x0200, 0x1005, "iPhone", "", 4, 4, "480");
    phone.serial = None;
    plug(parent, port, 3, "480", phone)
}

fn iphone_direct() -> Description {
    let root = root_hub(1, "480");
    let phone = iphone12(&root, 2);
    Description {
        name: "iphone-direct-config4",
        capture: KERNEL_IPHONE12,
        source: KERNEL_IPHONE12_URL,
        notes: "iPhone 12 family (05ac:12a8, bcdDevice 13.02, serial 0000810100094C9B56A76363) on xHCI port 1-2 as device 18 at high speed, ipheth bound to 1-2:4.2 (configuration 4 active). Filled in: bcdUSB 2.00, Apple's configurations 1-4, usbfs on interfaces 0 and 1, the root hub.",
        findings: &[],
        devices: vec![root, phone],
    }
}

fn iphone_config1() -> Description {
    let root = root_hub(1, "480");
    let phone = plug(
        &root,
        1,
        23,
        "480",
        apple_phone(
            0x12a8,
            0x0200,
            0x1005,
            "iPhone",
            "082f55467ffb11a7c14eb698a69a53788fc3a240",
            4,
            1,
            "480",
        ),
    );
    Description {
        name: "iphone-config1-ptp",
        capture: LSUSB_V_12A8,
        source: LSUSB_V_12A8_URL,
        notes: "lsusb -v of bus 001 device 023: 05ac:12a8, bcdUSB 2.00, bcdDevice 10.05, iSerial 082f55467ffb11a7c14eb698a69a53788fc3a240, 4 configurations, configuration 1 PTP (wTotalLength 0x0027: one interface, three endpoints). Filled in: configurations 2-4 (Apple's layout), port 1, high speed, and configuration 1 active, as the kernel leaves it before usbmuxd switches (see usbmuxd_newer_modeswitch_12ab_ipad_8027_partial.txt: 'Changing configuration ... 1 -> 4').",
        findings: &[],
        devices: vec![root, phone],
    }
}

fn iphone_five_configs() -> Description {
    let root = root_hub(20, "480");
    let phone = plug(
        &root,
        4,
        16,
        "480",
        apple_phone(
            0x12a8,
            0x0200,
            0x1004,
            "iPhone",
            "3d0d7e5fb2ce288813306e4d4636395e047a3d28",
            5,
            3,
            "480",
        ),
    );
    Description {
        name: "iphone-five-configs-config3",
        capture: "ioreg_iPhone_AppleUSBDevice_12a8_partial.txt",
        source: "https://github.com/apache/cordova-ios/issues/639",
        notes: "ioreg of iPhone@14400000: idProduct 4776 (0x12a8), bcdDevice 4100 (0x1004), bcdUSB 512 (0x0200), bNumConfigurations 5, USB Address 16, PortNum 4, locationID 0x14400000 (bus 0x14 = 20, port 4, no hub), Device Speed 2 (high). Filled in: the serial (the capture's only serial belongs to another device), the five configurations (5 laid out as usbmuxd's src/usb.c expects: PTP, usbmux and an ff/2a/ff interface, an assumption), configuration 3 active (PTP + Apple Mobile Device), a Linux root hub for bus 20.",
        findings: &[],
        devices: vec![root, phone],
    }
}

fn ipad() -> Description {
    let root = root_hub(1, "480");
    let pad = plug(
        &root,
        6,
        18,
        "480",
        apple_phone(
            0x12ab,
            0x0200,
            0x1100,
            "iPad",
            "000080270008D68C13D75DDD",
            4,
            4,
            "480",
        ),
    );
    Description {
        name: "ipad-12ab-config4",
        capture: "usbmuxd_newer_modeswitch_12ab_ipad_8027_partial.txt",
        source: "https://github.com/libimobiledevice/usbmuxd/issues/267",
        notes: "usbmuxd log of an iPad (05ac:12ab, chip 8027) at bus 1 address 18 (location 0x10012): usbmux interface 1 with endpoints 04/85, wMaxPacketSize 512, 480 Mbit/s, serial 000080270008D68C13D75DDD, configuration changed 1 -> 4. Filled in: port 6, bcdDevice 11.00, Apple's configurations 1-4 with 4 active (after usbmuxd's switch).",
        findings: &[],
        devices: vec![root, pad],
    }
}

fn recovery_mode() -> Description {
    let root = root_hub(1, "480");
    let phone = plug(
        &root,
        3,
        4,
        "480",
        recovery("CPID:8010 CPRV:11 CPFM:03 SCEP:01 BDID:0C ECID:001244D7790B58A1 IBFL:3C SRTG:[iBoot-7459.102.5]"),
    );
    Description {
        name: "recovery-1281",
        capture: "lsusb_recovery_mode_ipwndfu.txt",
        source: "https://github.com/axi0mX/ipwndfu/issues/207",
        notes: "lsusb: 'Bus 001 Device 004: ID 05ac:1281 Apple, Inc. Apple Mobile Device [Recovery Mode]'. Strings as lsusb -v prints them for another phone in recovery mode (lsusb_v_grep_recovery_mode_iPadAir2.txt, https://github.com/axi0mX/ipwndfu/issues/142): iProduct 'Apple Mobile Device (Recovery Mode)', iInterface 'Apple USB Serial Interface'. Filled in: port 3, high speed, the interfaces, and an iBoot serial string for an iPhone 7 (CPID 8010, ECID and iBoot version from the idevicerestore log behind fixtures/usb-recovery.json).",
        findings: &["usb.recovery-mode"],
        devices: vec![root, phone],
    }
}

fn dfu_mode() -> Description {
    let root = root_hub(1, "480");
    let phone = plug(
        &root,
        1,
        2,
        "480",
        dfu("SDOM:01 CPID:8110 CPRV:11 CPFM:03 SCEP:01 BDID:0A ECID:[redacted] IBFL:3C SRTG:[iBoot-6338.0.0.200.19]"),
    );
    Description {
        name: "dfu-1227",
        capture: "dfu_iPhone13_lsusb_irecovery_wsl.txt",
        source: "https://github.com/tr4m0ryp/tr4mpass/issues/45",
        notes: "iPhone 13 (iPhone14,5, CPID 8110) in DFU mode under WSL: 'Bus 001 Device 002: ID 05ac:1227', iProduct 'Apple Mobile Device (DFU Mode)', iSerial 'SDOM:01 CPID:8110 CPRV:11 CPFM:03 SCEP:01 BDID:0A ECID:[redacted] IBFL:3C SRTG:[iBoot-6338.0.0.200.19]' (ECID redacted by its author). Filled in: port 1, high speed, the DFU interface.",
        findings: &["usb.dfu-mode"],
        devices: vec![root, phone],
    }
}

fn behind_one_hub() -> Description {
    let root = root_hub(1, "480");
    let smsc = plug(
        &root,
        2,
        2,
        "480",
        hub(0x0424, 0x2513, "SMSC", "USB 2.0 Hub"),
    );
    let uart = plug(&smsc, 1, 4, "12", ftdi(0x6001, "DCSD USB UART"));
    let led = plug(&smsc, 2, 5, "12", ftdi(0x8a88, "DCSD Status LED"));
    let phone = dcsd_phone(&smsc, 3);
    Description {
        name: "hub-one-dcsd",
        capture: DCSD,
        source: DCSD_URL,
        notes: "The DCSD cable of the macOS capture on a PC's root port: its SMSC hub 0424:2513 (device 2), the cable's FTDI UART 0403:6001 (device 4) and status LED 0403:8a88 (device 5), and the iPhone 05ac:12a8 (device 3) behind it. Filled in: Linux bus 1 (the Mac's Intel hub left out), ports 2 and 2.1-2.3, speeds, the phone's configurations with 4 active; the serial is masked in the capture, so none here.",
        findings: &["usb.hub"],
        devices: vec![root, smsc, uart, led, phone],
    }
}

fn behind_two_hubs() -> Description {
    let root = root_hub(26, "480");
    let intel = plug(
        &root,
        1,
        2,
        "480",
        hub(
            0x8087,
            0x0024,
            "Intel Corp.",
            "Integrated Rate Matching Hub",
        ),
    );
    let smsc = plug(
        &intel,
        1,
        3,
        "480",
        hub(0x0424, 0x2513, "SMSC", "USB 2.0 Hub"),
    );
    let uart = plug(&smsc, 1, 5, "12", ftdi(0x6001, "DCSD USB UART"));
    let led = plug(&smsc, 2, 6, "12", ftdi(0x8a88, "DCSD Status LED"));
    let mut phone = dcsd_phone(&smsc, 3);
    phone.devnum = 4;
    Description {
        name: "hub-two-dcsd",
        capture: DCSD,
        source: DCSD_URL,
        notes: "Bus 026 of the macOS capture as Linux would show it: Intel hub 8087:0024, SMSC hub 0424:2513 (the DCSD cable), FTDI 0403:6001 and 0403:8a88, iPhone 05ac:12a8 at the third tier. Filled in: a Linux root hub above the Intel hub (so the device numbers shift by one), ports 1.1.1-1.1.3, speeds, the phone's configurations with 4 active; no serial (masked in the capture).",
        findings: &["usb.hub"],
        devices: vec![root, intel, smsc, uart, led, phone],
    }
}

fn full_speed() -> Description {
    let root = root_hub(5, "12");
    let phone = plug(
        &root,
        1,
        3,
        "12",
        apple_phone(
            0x1297,
            0x0200,
            0x0001,
            "iPhone",
            "5da0d43fab6d28563c621680033fe4e8f689dd75",
            4,
            4,
            "12",
        ),
    );
    Description {
        name: "iphone4-full-speed-12",
        capture: "usbmuxd_v108_iPhone4_iOS7_rx_aborted_partial.txt",
        source: "https://github.com/libimobiledevice/libimobiledevice/issues/84",
        notes: "usbmuxd 1.0.8 takes an iPhone 4 (05ac:1297, serial 5da0d43fab6d28563c621680033fe4e8f689dd75) at location 0x50003 (bus 5, address 3) with wMaxPacketSize 64: a full-speed (12 Mbit/s) link on a USB 1.1 companion controller, which drops 6 s later. Filled in: the OHCI root hub of bus 5, port 1, bcdDevice 0.01 (from the iPhone 4 of lsusb_v_iPhone4_1297_iOS4.2.1_no_device_found_partial.txt), configurations 1-4 with 4 active and full-speed packet sizes.",
        findings: &["usb.slow-link"],
        devices: vec![root, phone],
    }
}

/// An iPhone 15 Pro class phone (USB 3) on a SuperSpeed root hub.
fn usb3(name: &'static str, speed: &'static str) -> Description {
    let usb2 = root_hub(1, "480");
    let root = root_hub(2, speed);
    let phone = plug(
        &root,
        1,
        2,
        speed,
        apple_phone(
            0x12a8,
            0x0320,
            0x1804,
            "iPhone",
            "00008130001A2B3C4D5E6F70",
            5,
            4,
            speed,
        ),
    );
    Description {
        name,
        capture: "",
        source: "https://support.apple.com/en-us/105099",
        notes: if speed == "5000" {
            "Described, not captured (no capture of a phone on a SuperSpeed link exists in fixtures/realdata/): an iPhone 15 Pro class phone (USB 3 per Apple's page; bcdUSB 3.20, chip 8130, serial made up) with a USB 3 cable on the 5000 Mbit/s root hub of an xHCI controller, configuration 4 active; descriptors as iphone-five-configs-config3 with SuperSpeed packet sizes and endpoint companions."
        } else {
            "Described, not captured (no capture of a phone on a SuperSpeed link exists in fixtures/realdata/): the same iPhone 15 Pro class phone on a 10000 Mbit/s (USB 3.2 Gen 2) root hub, the speed Apple gives for it with a USB 3 cable."
        },
        findings: &[],
        devices: vec![usb2, root, phone],
    }
}

fn usb3_at_480() -> Description {
    let root = root_hub(1, "480");
    let ss = root_hub(2, "5000");
    let mut phone = plug(
        &root,
        3,
        5,
        "480",
        apple_phone(
            0x12a8,
            0x0320,
            0x1804,
            "iPhone",
            "00008130001A2B3C4D5E6F70",
            5,
            4,
            "480",
        ),
    );
    phone.drivers = vec![(2, "ipheth")];
    Description {
        name: "usb3-phone-at-480",
        capture: "",
        source: "https://support.apple.com/en-us/105099",
        notes: "Described, not captured: the USB 3 phone of usb3-superspeed-5000 on the USB 2 side of the controller at 480 Mbit/s, as with the USB 2 charge cable that comes in the box, while bus 2 is the controller's 5000 Mbit/s root hub.",
        findings: &["usb.slow-link"],
        devices: vec![root, ss, phone],
    }
}

fn two_phones() -> Description {
    let root = root_hub(1, "480");
    let first = iphone12(&root, 2);
    let mut second = plug(
        &root,
        4,
        5,
        "480",
        apple_phone(
            0x12a8,
            0x0200,
            0x1502,
            "iPhone",
            "000081200009E122EFBAD466",
            4,
            1,
            "480",
        ),
    );
    second.drivers = vec![];
    Description {
        name: "two-phones",
        capture: KERNEL_IPHONE12,
        source: "https://github.com/libimobiledevice/libimobiledevice/issues/1381 and https://github.com/libimobiledevice/libimobiledevice/issues/1491",
        notes: "Two phones on one xHCI bus: the iPhone 12 of the kernel log (port 1-2, device 18, configuration 4, ipheth) and the iPhone of dmesg_usbmuxd_iPhone_8120_iOS17RC_usb3_stuck_partial.txt (05ac:12a8, bcdDevice 15.02, serial 000081200009E122EFBAD466, port 1-4, device 5, high speed; configuration 1 active, as usbmuxd never took it in that capture). Filled in: bcdUSB, the configurations.",
        findings: &[],
        devices: vec![root, first, second],
    }
}

fn non_apple_only() -> Description {
    let root = root_hub(1, "480");
    let smsc = plug(
        &root,
        2,
        2,
        "480",
        hub(0x0424, 0x2513, "SMSC", "USB 2.0 Hub"),
    );
    let uart = plug(&smsc, 1, 4, "12", ftdi(0x6001, "DCSD USB UART"));
    let led = plug(&smsc, 2, 5, "12", ftdi(0x8a88, "DCSD Status LED"));
    Description {
        name: "non-apple-only",
        capture: DCSD,
        source: DCSD_URL,
        notes: "The DCSD cable of the macOS capture with the phone unplugged: SMSC hub 0424:2513 and the FTDI UART 0403:6001 and status LED 0403:8a88 behind it; no Apple device. Filled in as in hub-one-dcsd.",
        findings: &["usb.no-device"],
        devices: vec![root, smsc, uart, led],
    }
}

fn empty_bus() -> Description {
    Description {
        name: "empty-bus",
        capture: KERNEL_IPHONE12,
        source: KERNEL_IPHONE12_URL,
        notes: "The xHCI controller of the kernel log ('using xhci_hcd') with nothing plugged in: its USB 2 root hub (bus 1, 480 Mbit/s) and USB 3 root hub (bus 2, 5000 Mbit/s), as Linux shows them.",
        findings: &["usb.no-device"],
        devices: vec![root_hub(1, "480"), root_hub(2, "5000")],
    }
}

fn iphone_se() -> Description {
    let root = root_hub(1, "480");
    let ss = root_hub(2, "5000");
    let mut phone = plug(
        &root,
        1,
        11,
        "480",
        apple_phone(0x12a8, 0x0200, 0x0902, "iPhone", "xxx", 4, 1, "480"),
    );
    phone.serial = Some("xxx".into());
    Description {
        name: "iphone-se-access",
        capture: "dmesg_iPhoneSE_12a8_no_device_found.txt",
        source: "https://github.com/libimobiledevice/libimobiledevice/issues/558",
        notes: "dmesg: an iPhone SE (05ac:12a8) enumerates at high speed on xHCI port 1-1 as device 11, serial masked 'xxx' by its author; idevicepair then finds no device. Filled in: bcdDevice 9.02, configurations 1-4 with 1 active (usbmuxd never took it). Run unprivileged (tests/usb_bus.rs) its root-owned device node gives usb.access-denied.",
        findings: &[],
        devices: vec![root, ss, phone],
    }
}

fn iphone4_not_listed() -> Description {
    let root = root_hub(3, "480");
    let phone = plug(
        &root,
        2,
        10,
        "480",
        apple_phone(
            0x1297,
            0x0200,
            0x0001,
            "iPhone",
            "6b575a0afc39100b9247c923e679d4af2658f347",
            4,
            0,
            "480",
        ),
    );
    Description {
        name: "iphone4-bus3",
        capture: "lsusb_v_iPhone4_1297_iOS4.2.1_no_device_found_partial.txt",
        source: "https://github.com/libimobiledevice/libimobiledevice/issues/1486",
        notes: "lsusb -v of bus 003 device 010: 05ac:1297 (iPhone 4, iOS 4.2.1), bcdUSB 2.00, bcdDevice 0.01, iSerial 6b575a0afc39100b9247c923e679d4af2658f347, 4 configurations, configuration 1 PTP; ideviceinfo says 'No device found!'. Filled in: port 2, high speed, configurations 2-4; configuration 0 active (unconfigured), as usbmuxd's udev rule leaves a phone until the daemon takes it (the rule also gave the node to usbmux). With Debian's usbmuxd beside it (tests/usb_bus.rs) usbmuxd finds the phone and does not list it.",
        findings: &[],
        devices: vec![root, phone],
    }
}

/// Every description, in the order of the README.
pub fn descriptions() -> Vec<Description> {
    vec![
        iphone_direct(),
        iphone_config1(),
        iphone_five_configs(),
        ipad(),
        recovery_mode(),
        dfu_mode(),
        behind_one_hub(),
        behind_two_hubs(),
        full_speed(),
        usb3("usb3-superspeed-5000", "5000"),
        usb3("usb3-superspeed-10000", "10000"),
        usb3_at_480(),
        two_phones(),
        non_apple_only(),
        empty_bus(),
        iphone_se(),
        iphone4_not_listed(),
    ]
}

// ---- output ------------------------------------------------------------

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02X}");
        s
    })
}

/// umockdev escapes newlines in attribute values; ours have none, but a
/// value must stay on its line whatever it holds.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// A sysfs attribute: the kernel ends each value with a newline, which
/// umockdev's format writes as `\n` (libusb warns when it is missing).
/// An empty value is an empty file, as the kernel leaves
/// `bConfigurationValue` of an unconfigured device (libusb reads that as
/// configuration 0, and a lone newline as an error).
fn attr(out: &mut String, name: &str, value: &str) {
    if value.is_empty() {
        let _ = writeln!(out, "A: {name}=");
    } else {
        let _ = writeln!(out, "A: {name}={}\\n", one_line(value));
    }
}

/// The umockdev description of `d`: sysfs attributes, udev properties,
/// its device node, and its interfaces of the active configuration.
fn device_record(d: &Dev, origin: &Description, out: &mut String) {
    let node = format!("bus/usb/{:03}/{:03}", d.bus, d.devnum);
    let _ = writeln!(out, "P: {}", d.path);
    let _ = writeln!(out, "N: {node}");
    let _ = writeln!(out, "E: DEVNAME=/dev/{node}");
    let _ = writeln!(out, "E: DEVTYPE=usb_device");
    let _ = writeln!(out, "E: DRIVER=usb");
    let _ = writeln!(
        out,
        "E: PRODUCT={:x}/{:x}/{:x}",
        d.desc.vendor, d.desc.product, d.desc.bcd_device
    );
    let _ = writeln!(
        out,
        "E: TYPE={}/{}/{}",
        d.desc.class, d.desc.subclass, d.desc.protocol
    );
    let _ = writeln!(out, "E: BUSNUM={:03}", d.bus);
    let _ = writeln!(out, "E: DEVNUM={:03}", d.devnum);
    let _ = writeln!(out, "E: SUBSYSTEM=usb");
    let capture = if origin.capture.is_empty() {
        "none (described)".to_string()
    } else {
        format!("fixtures/realdata/{}", origin.capture)
    };
    let _ = writeln!(out, "E: FIXTURE_CAPTURE={capture}");
    let _ = writeln!(out, "E: FIXTURE_SOURCE={}", one_line(origin.source));
    let active = if d.active == 0 {
        String::new()
    } else {
        d.active.to_string()
    };
    attr(out, "bConfigurationValue", &active);
    attr(out, "bDeviceClass", &format!("{:02x}", d.desc.class));
    attr(out, "bDeviceProtocol", &format!("{:02x}", d.desc.protocol));
    attr(out, "bDeviceSubClass", &format!("{:02x}", d.desc.subclass));
    attr(out, "bMaxPacketSize0", &d.desc.max_packet0.to_string());
    attr(out, "bNumConfigurations", &d.configs.len().to_string());
    attr(out, "bcdDevice", &format!("{:04x}", d.desc.bcd_device));
    attr(out, "busnum", &d.bus.to_string());
    attr(out, "devnum", &d.devnum.to_string());
    let devpath = d.sysname.split_once('-').map_or("0", |(_, p)| p);
    attr(out, "devpath", devpath);
    attr(out, "idProduct", &format!("{:04x}", d.desc.product));
    attr(out, "idVendor", &format!("{:04x}", d.desc.vendor));
    attr(out, "manufacturer", d.manufacturer);
    attr(out, "product", d.product);
    if let Some(serial) = &d.serial {
        attr(out, "serial", serial);
    }
    attr(out, "speed", d.speed);
    let version = format!("{:2x}.{:02x}", d.desc.bcd_usb >> 8, d.desc.bcd_usb & 0xff);
    attr(out, "version", &version);
    let _ = writeln!(out, "L: driver=../../../../bus/usb/drivers/usb");
    let _ = writeln!(out, "H: descriptors={}", hex(&d.descriptors()));
    out.push('\n');
    // The active configuration's interfaces, with their drivers: libusb
    // skips these ("1-2:4.1"), the probe reads the drivers from them.
    let Some(active) = d.configs.iter().find(|c| c.value == d.active) else {
        return;
    };
    for i in active.interfaces.iter().filter(|i| i.alt == 0) {
        // The kernel names a root hub's interfaces "3-0:1.0".
        let device = if d.sysname.starts_with("usb") {
            format!("{}-0", d.bus)
        } else {
            d.sysname.clone()
        };
        let name = format!("{device}:{}.{}", active.value, i.number);
        let _ = writeln!(out, "P: {}/{name}", d.path);
        let _ = writeln!(out, "E: DEVTYPE=usb_interface");
        let _ = writeln!(
            out,
            "E: INTERFACE={}/{}/{}",
            i.class, i.subclass, i.protocol
        );
        let _ = writeln!(out, "E: SUBSYSTEM=usb");
        attr(out, "bAlternateSetting", " 0");
        attr(out, "bInterfaceClass", &format!("{:02x}", i.class));
        attr(out, "bInterfaceNumber", &format!("{:02x}", i.number));
        attr(out, "bInterfaceProtocol", &format!("{:02x}", i.protocol));
        attr(out, "bInterfaceSubClass", &format!("{:02x}", i.subclass));
        attr(out, "bNumEndpoints", &format!("{:02x}", i.endpoints.len()));
        if let Some((_, driver)) = d.drivers.iter().find(|(n, _)| *n == i.number) {
            let _ = writeln!(out, "E: DRIVER={driver}");
            let _ = writeln!(out, "L: driver=../../../../../bus/usb/drivers/{driver}");
        }
        out.push('\n');
    }
}

/// The whole description file of `d`.
pub fn render(d: &Description) -> String {
    let mut out = String::new();
    for dev in &d.devices {
        device_record(dev, d, &mut out);
    }
    out
}

/// `fixtures/umockdev/README.md`: every description, its capture and the
/// findings it gives.
pub fn readme(all: &[Description]) -> String {
    let mut out = String::from(
        "# USB buses for umockdev\n\n\
         Generated by `cargo xtask fixtures umockdev` from `xtask/src/umockdev_fixtures.rs`; do not\n\
         edit. Each `.umockdev` file is a Linux USB bus (sysfs attributes, the binary `descriptors`\n\
         and the `/dev/bus/usb` nodes) built from a real capture in `fixtures/realdata/`; every\n\
         device in it carries `FIXTURE_CAPTURE` and `FIXTURE_SOURCE`. Run the tool on one with\n\
         `umockdev-run -d fixtures/umockdev/NAME.umockdev -- iphone-backup-check devices`.\n\
         `tests/usb_bus.rs` runs `devices`, `diagnose --json` and `record` on each and checks the\n\
         USB findings below, with nothing at usbmuxd's own address (`none` = no `usb.*` finding).\n\
         On Linux that is what a computer with no phone looks like (udev starts usbmuxd when a phone\n\
         arrives), so `empty-bus` and `non-apple-only` say `usb.no-device` (\"No iPhone is connected\")\n\
         rather than \"usbmuxd is not running\", and a phone in recovery or DFU mode hides the daemon's\n\
         findings.\n\n\
         | description | capture | public source | USB findings | what it is, what was filled in |\n\
         | --- | --- | --- | --- | --- |\n",
    );
    for d in all {
        let capture = if d.capture.is_empty() {
            "none (described)".to_string()
        } else {
            format!("`{}`", d.capture)
        };
        let findings = if d.findings.is_empty() {
            "none".to_string()
        } else {
            d.findings
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            out,
            "| `{}.umockdev` | {capture} | {} | {findings} | {} |",
            d.name,
            d.source,
            d.notes.replace('|', "/")
        );
    }
    out
}

fn dir(repo: &Path) -> PathBuf {
    repo.join("fixtures").join("umockdev")
}

/// Writes every description and the README under `repo`.
pub fn write(repo: &Path) -> std::io::Result<()> {
    let dir = dir(repo);
    std::fs::create_dir_all(&dir)?;
    let all = descriptions();
    for d in &all {
        std::fs::write(dir.join(format!("{}.umockdev", d.name)), render(d))?;
        println!("fixtures/umockdev/{}.umockdev", d.name);
    }
    std::fs::write(dir.join("README.md"), readme(&all))?;
    println!("fixtures/umockdev/README.md");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    #[test]
    fn committed_descriptions_match_the_generator() {
        let dir = dir(&repo());
        let all = descriptions();
        for d in &all {
            let path = dir.join(format!("{}.umockdev", d.name));
            let committed = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                committed == render(d),
                "{} differs from its generator; run `cargo xtask fixtures umockdev` and review the diff",
                path.display()
            );
        }
        let readme = std::fs::read_to_string(dir.join("README.md")).expect("README.md");
        assert!(
            readme == super::readme(&all),
            "fixtures/umockdev/README.md is stale"
        );
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("fixtures/umockdev")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".umockdev"))
            .collect();
        on_disk.sort();
        let mut made: Vec<String> = all.iter().map(|d| format!("{}.umockdev", d.name)).collect();
        made.sort();
        assert_eq!(
            on_disk, made,
            "a description with no generator, or one not written"
        );
    }

    #[test]
    fn every_capture_named_exists() {
        for d in descriptions() {
            if !d.capture.is_empty() {
                let p = repo().join("fixtures/realdata").join(d.capture);
                assert!(
                    p.is_file(),
                    "{}: {} is not in fixtures/realdata",
                    d.name,
                    d.capture
                );
            }
            assert!(
                d.source.starts_with("https://"),
                "{}: no public source",
                d.name
            );
        }
    }

    /// The descriptors parse back: lengths add up, each configuration's
    /// wTotalLength covers exactly its descriptors, and the counts match.
    #[test]
    fn descriptors_are_well_formed() {
        for d in descriptions() {
            for dev in &d.devices {
                let b = dev.descriptors();
                assert_eq!(b[0], 18, "{}", d.name);
                assert_eq!(usize::from(b[17]), dev.configs.len());
                let mut at = 18;
                let mut configs = 0;
                while at < b.len() {
                    assert_eq!(b[at + 1], 2, "{}: configuration expected at {at}", d.name);
                    let total = usize::from(u16::from_le_bytes([b[at + 2], b[at + 3]]));
                    let mut inner = at + 9;
                    while inner < at + total {
                        assert!(b[inner] > 0, "{}: zero-length descriptor", d.name);
                        inner += usize::from(b[inner]);
                    }
                    assert_eq!(inner, at + total, "{}: wTotalLength", d.name);
                    at += total;
                    configs += 1;
                }
                assert_eq!(configs, dev.configs.len(), "{}", d.name);
                assert!(dev.configs.iter().any(|c| c.value == dev.active) || dev.active == 0);
            }
        }
    }

    /// Kernel names follow the port chain: `usbN`, `N-p`, `N-p.q`.
    #[test]
    fn sysfs_names_follow_the_ports() {
        let d = behind_two_hubs();
        let names: Vec<&str> = d.devices.iter().map(|x| x.sysname.as_str()).collect();
        assert_eq!(
            names,
            ["usb26", "26-1", "26-1.1", "26-1.1.1", "26-1.1.2", "26-1.1.3"]
        );
        assert!(d.devices[5].path.ends_with("/usb26/26-1/26-1.1/26-1.1.3"));
    }
}
