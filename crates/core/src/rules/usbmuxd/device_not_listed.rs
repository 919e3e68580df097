use crate::rules::prelude::*;
use crate::rules::usb::{for_device, mux_entry, usb_os};

declare_rule! {
    /// ## What it means
    /// The USB bus shows an iPhone (or iPad, iPod) in normal mode, usbmuxd
    /// answers, and its device list does not have that phone over USB.
    ///
    /// ## Why the backup fails
    /// Finder, iTunes, the Apple Devices app and idevicebackup2 only see what
    /// usbmuxd lists: to them the phone is not connected at all.
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from` ("No device found"),
    /// beside a USB listing that shows the phone in normal mode: the tool
    /// did not get the phone usbmuxd should have given it.
    ///
    /// The USB probe's normal-mode Apple devices against usbmuxd's
    /// `ListDevices` reply, matched by UDID, else by the LocationID usbmuxd
    /// reports (`bus << 16 | address` on Linux, the IOKit locationID on
    /// macOS), else, when the phone's serial could not be read, by product
    /// id. For the likely
    /// reason: the configuration in use and the kernel drivers bound to its
    /// interfaces (Linux sysfs), such as `ipheth` on Personal Hotspot's USB
    /// Ethernet interface (class 255, subclass 253) or `usbfs` on the usbmux
    /// interface (another program has claimed it). From usbmuxd's own log
    /// (`--from`): the phones it found or took over USB whose preflight
    /// failed (it never lists those), with the quoted error lines.
    ///
    /// ## Known limitations
    /// A phone plugged in a second before the check may not be listed yet.
    /// A daemon too old for the phone or its iOS version cannot be told from
    /// the outside; the steps say how to update it.
    pub static RULE = {
        id: RuleId::UsbmuxdDeviceNotListed,
        title: "The iPhone is on USB, but the iPhone connection service (usbmuxd) does not list it",
        layer: Layer::Usbmuxd,
        severity: Severity::Blocker,
        hides: &[RuleId::UsbNoDevice],
        steps: &[
            Fix::any("Unlock the phone, unplug it, wait five seconds, plug it back in, and run the check again."),
            texts::LINUX_USBMUXD,
            Fix::new(Platforms::LINUX, "Turn Personal Hotspot off while backing up (Settings > Personal Hotspot > Allow Others to Join): Linux's ipheth driver takes the phone's USB Ethernet interface and usbmuxd loses the phone a minute or two later."),
            Fix::new(Platforms::LINUX, "Stop other programs that hold the phone: a second usbmuxd (Snap, Flatpak or container), a virtual machine with USB passthrough. sudo lsof /dev/bus/usb/*/* lists who has a device open."),
            Fix::new(Platforms::LINUX, "Update usbmuxd, libusbmuxd and libimobiledevice: the usbmuxd 1.1.1 release of 2020 that many distributions ship predates recent iPhones and iOS versions; build current ones from github.com/libimobiledevice when your distribution's are older."),
            texts::MAC_USBMUXD,
            Fix::new(Platforms::WINDOWS, "In Device Manager, find the iPhone under Portable Devices or Universal Serial Bus devices: if it has a warning sign, or Apple Mobile Device USB Driver is missing, reinstall the Apple Devices app (or iTunes) and replug the phone."),
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    // A client's "No device found" beside a bus listing of the phone.
    for r in out.reported_for(RULE.id) {
        let mut f = r.finding(&RULE);
        for dev in crate::rules::usb::on_bus(s, UsbMode::Normal) {
            f = f
                .evidence(format!(
                    "the USB bus shows the phone ({}) in normal mode",
                    dev.describe()
                ))
                .quoting(dev.quote.as_ref());
        }
        out.push(f);
    }
    if !s.probes.usbmuxd.is_ok() {
        return;
    }
    for dev in crate::rules::usb::on_bus(s, UsbMode::Normal) {
        if mux_entry(s, dev).is_some() {
            continue;
        }
        let listed = s
            .mux_devices()
            .iter()
            .filter(|m| m.connection == MuxConnection::Usb)
            .count();
        let mut f = for_device(Finding::new(&RULE), dev)
            .evidence(format!(
                "the USB bus shows the phone ({}) in normal mode{}",
                dev.describe(),
                dev.udid
                    .as_deref()
                    .map(|u| format!(", UDID {u}"))
                    .unwrap_or_default()
            ))
            .evidence(
                if let Some(q) = s.probes.usbmuxd.value().and_then(|m| m.quote.as_ref()) {
                    format!(
                        "usbmuxd's log, from its start ({}), never lists it{}",
                        q.cite(),
                        if listed == 0 {
                            " nor any phone over USB"
                        } else {
                            ""
                        }
                    )
                } else if listed == 0 {
                    "usbmuxd answers and lists no device over USB".to_string()
                } else {
                    format!(
                        "usbmuxd lists {} over USB, none of them this one",
                        fmt::plural(listed, "device", "devices")
                    )
                },
            );
        if let Some(m) = dev.udid.as_deref().and_then(|u| {
            s.mux_devices()
                .iter()
                .find(|m| m.connection == MuxConnection::Network && same_udid(&m.udid, u))
        }) {
            f = f.evidence(format!(
                "usbmuxd lists it over the network only (device {})",
                m.device_id
            ));
        }
        f = explain(s, dev, f);
        for e in usbmuxd_said(s, dev.udid.as_deref(), Some((dev.bus, dev.address))) {
            f = f.quoted(&e.quote);
        }
        out.push(f);
    }
    taken_but_unlisted(s, out);
}

/// usbmuxd's own log shows it took a phone over USB that it does not list:
/// its USB side sees the phone, its clients do not (the bus itself may not
/// be in the evidence). A live feed's phones are always in its list.
fn taken_but_unlisted(s: &Snapshot, out: &mut Findings) {
    let Some(obs) = s
        .probes
        .mux_events
        .value()
        .filter(|o| o.origin == ListenOrigin::Log)
    else {
        return;
    };
    let mut here: Vec<&MuxEvent> = Vec::new();
    for e in &obs.events {
        match e.kind {
            MuxEventKind::Attached => here.push(e),
            MuxEventKind::Detached => here.retain(|a| a.device_id != e.device_id),
            MuxEventKind::Paired => {}
        }
    }
    let on_bus: Vec<&UsbDevice> = crate::rules::usb::on_bus(s, UsbMode::Normal).collect();
    for e in here {
        if s.mux_devices().iter().any(|m| m.device_id == e.device_id) {
            continue;
        }
        let udid = e.udid.as_deref();
        let seen_on_bus = on_bus.iter().any(|d| match (d.udid.as_deref(), udid) {
            (Some(a), Some(b)) => same_udid(a, b),
            _ => false,
        });
        if seen_on_bus {
            continue; // the bus loop above explains it
        }
        let mut f = Finding::new(&RULE);
        if let Some(u) = udid {
            f = f.device(u.to_string());
        }
        if let Some(q) = &e.quote {
            f = f.quoted(q);
        }
        let at = e
            .device
            .as_ref()
            .and_then(|d| d.location_id)
            .map(|l| format!(" at location 0x{l:x}"))
            .unwrap_or_default();
        f = f.evidence(format!(
            "usbmuxd took the phone over USB (DeviceID {}{at}) but does not list it to programs such as idevicepair and idevicebackup2",
            e.device_id
        ));
        for r in usbmuxd_said(s, udid, None) {
            f = f.quoted(&r.quote);
        }
        out.push(f);
    }
}

/// Adds what the bus says about why usbmuxd does not have the phone.
/// What usbmuxd's own log said about this phone (a preflight that failed
/// keeps a phone out of its list): errors naming its UDID or, before it
/// has read the serial, its bus location as usbmuxd writes it ("Could not
/// set configuration 4 for device 3-10", as Debian's usbmuxd logs on the
/// emulated bus of `tests/usb_bus.rs`); any when the bus gave neither.
fn usbmuxd_said<'s>(
    s: &'s Snapshot,
    udid: Option<&str>,
    location: Option<(u8, u8)>,
) -> impl Iterator<Item = &'s ReportedError> {
    let udid = udid.map(udid_key);
    s.probes
        .reported_errors
        .iter()
        .filter(|e| e.tool == "usbmuxd")
        .filter(move |e| {
            if udid.is_none() && location.is_none() {
                return true;
            }
            udid.as_ref()
                .is_some_and(|u| udid_key(&e.message).contains(u.as_str()))
                || location.is_some_and(|(bus, address)| names_location(&e.message, bus, address))
        })
        .take(3)
}

/// Whether `message` names the device at `bus`-`address` ("3-10") as a
/// whole token, not inside "13-101".
fn names_location(message: &str, bus: u8, address: u8) -> bool {
    let needle = format!("{bus}-{address}");
    message.match_indices(&needle).any(|(at, _)| {
        let before = message[..at].chars().next_back();
        let after = message[at + needle.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && !after.is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '.')
    })
}

/// The configuration usbmuxd switches the phone to: usbmuxd 1.1.1 takes
/// the last one (bNumConfigurations; on the emulated bus Debian's logs
/// "Setting configuration ... from 1 to 4"), newer ones min(count, 4)
/// unless the fifth has the expected layout; else the first with the
/// usbmux interface.
fn usbmuxd_target(dev: &UsbDevice) -> Option<u8> {
    let count = dev.configurations.len();
    let with_mux = |value: usize| {
        dev.configurations
            .iter()
            .find(|c| usize::from(c.value) == value)
            .filter(|c| c.interfaces.iter().any(UsbInterface::is_usbmux))
            .map(|c| c.value)
    };
    with_mux(count)
        .or_else(|| with_mux(count.min(4)))
        .or_else(|| dev.usbmux_config())
}

fn explain(s: &Snapshot, dev: &UsbDevice, mut f: Finding) -> Finding {
    let active = dev.active_config;
    for i in dev.active_interfaces() {
        let Some(driver) = i.driver.as_deref() else {
            continue;
        };
        if i.is_tethering() && driver == "ipheth" {
            f = f
                .evidence(format!(
                    "interface {} of configuration {} (the USB Ethernet of Personal Hotspot) is bound to the ipheth driver: with Personal Hotspot on, usbmuxd loses the phone a minute or two after taking it",
                    i.number,
                    active.unwrap_or(0)
                ))
                .step("Turn Personal Hotspot off on the phone (Settings > Personal Hotspot > Allow Others to Join), unplug it and plug it back in.");
            if usb_os(s) == OsFamily::Linux {
                f = f.step("Or keep the driver away for the backup: sudo modprobe -r ipheth (it comes back at the next boot).");
            }
        }
        if i.is_usbmux() && driver == "usbfs" {
            f = f
                .evidence(format!(
                    "the usbmux interface (interface {}) is claimed through usbfs, yet usbmuxd does not list the phone: another program holds it",
                    i.number
                ))
                .step(format!(
                    "Find the program holding the phone: sudo lsof /dev/bus/usb/{:03}/{:03}, and stop it.",
                    dev.bus, dev.address
                ));
        }
    }
    let active_has_mux = dev.active_interfaces().iter().any(UsbInterface::is_usbmux);
    match (active, usbmuxd_target(dev)) {
        (Some(0), Some(mux)) => {
            f = f.evidence(format!(
                "the phone is unconfigured (configuration 0, as usbmuxd's udev rule leaves it) and usbmuxd never switched it to configuration {mux}: the daemon did not pick it up"
            ));
        }
        (Some(a), Some(mux)) if a != mux && !active_has_mux => {
            f = f.evidence(format!(
                "the phone uses configuration {a}, which has no usbmux interface; usbmuxd switches it to configuration {mux} when it takes the phone"
            ));
        }
        (_, None) if !dev.configurations.is_empty() => {
            f = f.evidence("none of the phone's configurations offers the usbmux interface (class 255, subclass 254, protocol 2)");
        }
        _ => {}
    }
    if usb_os(s) == OsFamily::Linux {
        // libimobiledevice's usbmuxd switches a phone to configuration
        // min(count, 4) and looks for the usbmux interface only there.
        let wanted = u8::try_from(dev.configurations.len().min(4)).unwrap_or(4);
        let chosen = dev.configurations.iter().find(|c| c.value == wanted);
        if let (Some(c), Some(mux)) = (chosen, dev.usbmux_config()) {
            if !c.interfaces.iter().any(UsbInterface::is_usbmux) {
                f = f.evidence(format!(
                    "usbmuxd switches a phone with {} configurations to configuration {wanted}, which has no usbmux interface (configuration {mux} has it)",
                    dev.configurations.len()
                ));
            }
        }
    }
    if let Some(node) = &dev.node {
        let note = if node.owner == "usbmux" {
            ": usbmuxd's udev rule ran, so the daemon may open it"
        } else {
            ""
        };
        f = f.evidence(format!(
            "device node {} belongs to {}:{} (mode {}){note}",
            node.path, node.owner, node.group, node.mode
        ));
    }
    if let UsbAccess::Denied { message } = &dev.access {
        f = f.evidence(format!("libusb may not open it: {message}"));
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::rules::testing_usb::*;

    const UDID: &str = "00008101-00094C9B56A76363";

    fn with_driver(mut dev: UsbDevice, iface: u8, driver: &str) -> UsbDevice {
        for c in dev
            .configurations
            .iter_mut()
            .filter(|c| Some(c.value) == dev.active_config)
        {
            for i in c.interfaces.iter_mut().filter(|i| i.number == iface) {
                i.driver = Some(driver.into());
            }
        }
        dev
    }

    #[test]
    fn fires_when_the_list_lacks_the_phone() {
        let s = world()
            .usb_ok(vec![phone_on_bus(UDID)])
            .mux_ok(vec![usb_phone("other", 1)])
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.device.as_deref(), Some(UDID));
        assert!(f.says("1 device over USB, none"), "{:?}", f.evidence);
        assert!(f.remediation[0].contains("Unlock"));
    }

    #[test]
    fn names_personal_hotspot_when_ipheth_has_the_interface() {
        let dev = with_driver(phone_on_bus(UDID), 2, "ipheth");
        let s = world().usb_ok(vec![dev]).mux_ok(vec![]).build();
        let f = only(&s, &RULE);
        assert!(f.says("ipheth"), "{:?}", f.evidence);
        assert!(f.remediation[0].contains("Personal Hotspot"));
        assert!(f.remediation[1].contains("modprobe -r ipheth"));
    }

    #[test]
    fn names_another_program_holding_the_usbmux_interface() {
        let dev = with_driver(phone_on_bus(UDID), 1, "usbfs");
        let s = world().usb_ok(vec![dev]).mux_ok(vec![]).build();
        let f = only(&s, &RULE);
        assert!(
            f.remediation[0].contains("lsof /dev/bus/usb/001/007"),
            "{:?}",
            f.remediation
        );
    }

    #[test]
    fn says_when_usbmuxd_never_configured_the_phone() {
        let dev = UsbDevice {
            active_config: Some(0),
            ..phone_on_bus(UDID)
        };
        let s = world().usb_ok(vec![dev]).mux_ok(vec![]).build();
        let f = only(&s, &RULE);
        assert!(f.says("configuration 0"), "{:?}", f.evidence);
    }

    #[test]
    fn notices_when_the_configuration_usbmuxd_picks_lacks_the_interface() {
        // usbmux in configuration 1 only; usbmuxd wants min(2, 4) = 2.
        let dev = UsbDevice {
            configurations: vec![
                UsbConfig {
                    value: 1,
                    interfaces: vec![iface(0, 0xff, 0xfe, 0x02)],
                },
                UsbConfig {
                    value: 2,
                    interfaces: vec![iface(0, 0x06, 0x01, 0x01)],
                },
            ],
            active_config: Some(2),
            ..phone_on_bus(UDID)
        };
        let s = world().usb_ok(vec![dev]).mux_ok(vec![]).build();
        let f = only(&s, &RULE);
        assert!(
            f.says("to configuration 2, which has no usbmux"),
            "{:?}",
            f.evidence
        );
    }

    /// Apple's four configurations (1 PTP, 2 audio, 3 and 4 with usbmux),
    /// as the umockdev buses of `tests/usb_bus.rs` describe them.
    fn four_configs(active: u8) -> UsbDevice {
        let ptp = || iface(0, 0x06, 0x01, 0x01);
        let mux = || iface(1, 0xff, 0xfe, 0x02);
        UsbDevice {
            configurations: vec![
                UsbConfig {
                    value: 1,
                    interfaces: vec![ptp()],
                },
                UsbConfig {
                    value: 2,
                    interfaces: vec![iface(0, 0x01, 0x01, 0x00)],
                },
                UsbConfig {
                    value: 3,
                    interfaces: vec![ptp(), mux()],
                },
                UsbConfig {
                    value: 4,
                    interfaces: vec![ptp(), mux(), iface(2, 0xff, 0xfd, 0x01)],
                },
            ],
            active_config: Some(active),
            ..phone_on_bus(UDID)
        }
    }

    /// Debian's usbmuxd on the emulated bus logs "Setting configuration
    /// for device 3-10, from 1 to 4": the evidence names 4, not the first
    /// configuration with the interface; and an active configuration that
    /// has the interface is never said to lack it.
    #[test]
    fn names_the_configuration_usbmuxd_really_switches_to() {
        let s = world().usb_ok(vec![four_configs(1)]).mux_ok(vec![]).build();
        let f = only(&s, &RULE);
        assert!(
            f.says("configuration 1, which has no usbmux interface; usbmuxd switches it to configuration 4"),
            "{:?}",
            f.evidence
        );
        for active in [3, 4] {
            let s = world()
                .usb_ok(vec![four_configs(active)])
                .mux_ok(vec![])
                .build();
            let f = only(&s, &RULE);
            assert!(
                !f.says("has no usbmux"),
                "configuration {active}: {:?}",
                f.evidence
            );
        }
    }

    /// usbmuxd names a phone it could not take by its bus location until
    /// it has read the serial: the finding quotes that line.
    #[test]
    fn quotes_usbmuxd_naming_the_phone_by_its_bus_location() {
        let dev = four_configs(0);
        let line = |m: &str| ReportedError {
            tool: "usbmuxd".into(),
            domain: None,
            code: None,
            message: m.into(),
            quote: Quote {
                file: "usbmuxd.log".into(),
                line: 12,
                text: m.into(),
            },
            udid: None,
            overcome: None,
        };
        let mut s = world().usb_ok(vec![dev.clone()]).mux_ok(vec![]).build();
        let at = format!("{}-{}", dev.bus, dev.address);
        s.probes.reported_errors = vec![
            line(&format!(
                "Could not set configuration 4 for device {at}: LIBUSB_ERROR_OTHER"
            )),
            line(&format!("Could not open device 1{at}: -3")),
            line(&format!("Could not open device {at}0: -3")),
        ];
        let f = only(&s, &RULE);
        let quoted: Vec<&Quote> = f.quotes().collect();
        assert_eq!(quoted.len(), 1, "{:?}", f.evidence);
        assert!(quoted[0].text.contains("Could not set configuration 4"));
        assert!(names_location("device 3-10: x", 3, 10));
        assert!(!names_location("device 13-10: x", 3, 10));
        assert!(!names_location("device 3-101", 3, 10));
        assert!(!names_location("1-3-10", 3, 10));
    }

    #[test]
    fn matches_undashed_serials_and_linux_locations() {
        let s = world()
            .usb_ok(vec![phone_on_bus(UDID)])
            .mux_ok(vec![usb_phone("0000810100094c9b56a76363", 1)])
            .build();
        assert!(fired(&s, &RULE).is_empty());
        let anonymous = UsbDevice {
            udid: None,
            serial: None,
            ..phone_on_bus(UDID)
        };
        let mut m = usb_phone(UDID, 1);
        m.location_id = Some(0x0001_0007);
        let s = world().usb_ok(vec![anonymous]).mux_ok(vec![m]).build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn silent_when_usbmuxd_is_down_or_the_phone_is_not_normal() {
        let s = world()
            .usb_ok(vec![phone_on_bus(UDID)])
            .mux_missing()
            .build();
        assert!(fired(&s, &RULE).is_empty());
        let s = world()
            .usb_ok(vec![recovery_on_bus()])
            .mux_ok(vec![])
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn a_wifi_only_entry_is_not_a_usb_listing() {
        let mut m = usb_phone(UDID, 4);
        m.connection = MuxConnection::Network;
        let s = world()
            .usb_ok(vec![phone_on_bus(UDID)])
            .mux_ok(vec![m])
            .build();
        let f = only(&s, &RULE);
        assert!(f.says("network only"));
    }

    #[test]
    fn a_phone_usbmuxd_took_but_does_not_list_in_its_log() {
        let q = |line: u64, text: &str| Quote {
            file: "usbmuxd.log".into(),
            line,
            text: text.into(),
        };
        let mut s = world().mux_ok(vec![]).build();
        s.probes.mux_events = Outcome::Ok {
            duration_ms: 0,
            value: ListenObs {
                origin: ListenOrigin::Log,
                events: vec![MuxEvent {
                    at_ms: 0,
                    kind: MuxEventKind::Attached,
                    device_id: 1,
                    udid: Some("2fb56d556364fc4c8f16d01f89cf93717da8cb43".into()),
                    device: None,
                    quote: Some(q(3, "Connecting to new device on location 0x30006 as ID 1")),
                }],
                ..Default::default()
            },
        };
        s.probes.reported_errors.push(ReportedError {
            tool: "usbmuxd".into(),
            domain: Some("lockdownd".into()),
            code: Some(-3),
            message: "ERROR: Could not get lockdownd type from device 2fb56d556364fc4c8f16d01f89cf93717da8cb43, lockdown error -3".into(),
            quote: q(5, "preflight ... lockdown error -3"),
            udid: Some("2fb56d556364fc4c8f16d01f89cf93717da8cb43".into()),
            overcome: None,
        });
        let f = only(&s, &RULE);
        assert_eq!(
            f.device.as_deref(),
            Some("2fb56d556364fc4c8f16d01f89cf93717da8cb43")
        );
        assert!(f.quotes().any(
            |q| q.line == 3 && q.text == "Connecting to new device on location 0x30006 as ID 1"
        ));
        assert!(f.quotes().any(|q| q.line == 5), "{:?}", f.evidence);
    }
}
