use super::{for_device, mux_entry};
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone's link runs below high speed (480 Mbit/s): at 12 Mbit/s
    /// (USB 1.1 full speed) or less. A damaged or charge-oriented cable, a
    /// plug that does not seat fully, a worn port or a USB 1.1 hub makes the
    /// phone fall back. A second, milder case: a USB 3 iPhone (iPhone 15 Pro
    /// and later Pro models) runs at 480 Mbit/s on a computer that has USB 3
    /// ports, which points at a USB 2 cable.
    ///
    /// ## Why the backup fails
    /// At 12 Mbit/s a 64 GB backup needs more than twelve hours, and a link
    /// that fell back once tends to drop out, which stops the backup
    /// part-way. The USB 3 case only costs time: at 480 Mbit/s a backup
    /// takes several times longer than it could.
    ///
    /// ## Evidence used
    /// The negotiated speed from the USB probe, the speed the device
    /// descriptor promises (bcdUSB 3.x means USB 3), the hubs on the path and
    /// the computer's root hubs. When libusb cannot read the bus, usbmuxd's
    /// `ConnectionSpeed`; usbmuxd reports 480 Mbit/s whenever it does not
    /// know, so 480 from usbmuxd proves nothing and is not used.
    ///
    /// ## Known limitations
    /// The USB 3 case cannot tell a USB 2 cable from a USB 2 port when the
    /// computer has both kinds; the evidence names the computer's buses.
    pub static RULE = {
        id: RuleId::UsbSlowLink,
        title: "The USB link runs below high speed",
        variants: &[USB2_ONLY],
        layer: Layer::Usb,
        severity: Severity::Warning,
        steps: &[
            Fix::any("Try another data cable that you know works: worn and charge-oriented cables fall back to a slower speed."),
            Fix::any("Plug straight into a port on the computer; avoid USB 1.1 hubs and keyboard or monitor ports."),
            Fix::any("Check the phone's port for lint (a plug that does not seat fully falls back), and try another port on the computer."),
            Fix::new(Platforms::LINUX, "Watch the kernel log while plugging the phone in: sudo dmesg -w prints \"new full-speed USB device\" for 12 Mbit/s, \"new high-speed\" for 480 and \"new SuperSpeed\" for USB 3."),
        ],
        since: "0.1.0",
        check,
    }
}

const HIGH_BPS: u64 = 480_000_000;

/// A USB 3 phone (USB-C iPhone 15 Pro and later) held at USB 2: slow, not failing.
const USB2_ONLY: Title = Title {
    when: "a USB 3 phone negotiated USB 2 speed",
    text: "The USB 3 iPhone runs at USB 2 speed",
};

fn check(s: &Snapshot, out: &mut Findings) {
    let root_hubs = s
        .probes
        .usb
        .value()
        .map_or(&[][..], |u| u.root_hubs.as_slice());
    let mut explained: Vec<u32> = Vec::new();
    for dev in super::on_bus(s, UsbMode::Normal) {
        let mux = mux_entry(s, dev);
        if let Some(m) = mux {
            explained.push(m.device_id);
        }
        match dev.speed {
            Some(speed) if speed < UsbSpeed::High => out.push(slow(dev, speed)),
            Some(UsbSpeed::High) if dev.max_speed.is_some_and(|m| m >= UsbSpeed::Super) => {
                if let Some(f) = usb3_at_480(dev, root_hubs) {
                    out.push(f);
                }
            }
            None => {
                let why = "the USB probe could not tell the phone's speed, so usbmuxd's figure is the only one";
                if let Some(f) = mux.and_then(|m| from_usbmuxd(m, why)) {
                    out.push(for_device(f, dev));
                }
            }
            _ => {}
        }
    }
    // Phones usbmuxd lists over USB that the bus did not show (unreadable bus).
    for m in s.mux_devices() {
        if m.connection == MuxConnection::Usb && !explained.contains(&m.device_id) {
            let why = "the USB bus could not be read, so usbmuxd's figure is the only one";
            if let Some(f) = from_usbmuxd(m, why) {
                out.push(f.device(m.udid.clone()));
            }
        }
    }
}

fn slow(dev: &UsbDevice, speed: UsbSpeed) -> Finding {
    let mut f = for_device(Finding::new(&RULE), dev).evidence(format!(
        "the phone ({}) negotiated {} (high speed is 480 Mbit/s)",
        dev.describe(),
        speed.label()
    ));
    for hub in dev
        .hubs
        .iter()
        .filter(|h| h.speed.is_some_and(|s| s < UsbSpeed::High))
    {
        let hub_speed = hub.speed.map_or("?", UsbSpeed::label);
        f = f
            .evidence(format!(
                "hub {:04x}:{:04x} on its path runs at {hub_speed}: a USB 1.1 hub holds everything behind it to that speed",
                hub.vendor_id, hub.product_id
            ))
            .step(format!(
                "Take hub {:04x}:{:04x} out of the path: plug the phone into the computer directly.",
                hub.vendor_id, hub.product_id
            ));
    }
    f
}

fn usb3_at_480(dev: &UsbDevice, root_hubs: &[UsbHub]) -> Option<Finding> {
    let super_bus = root_hubs
        .iter()
        .filter(|h| h.speed.is_some_and(|s| s >= UsbSpeed::Super))
        .min_by_key(|h| h.bus);
    let mut f = for_device(Finding::new(&RULE), dev)
        .at_most(Severity::Info)
        .title(&USB2_ONLY)
        .evidence(format!(
            "the phone ({}) supports USB 3 (bcdUSB {}) but negotiated 480 Mbit/s",
            dev.describe(),
            dev.usb_version.map_or("3.x".to_string(), |v| format!(
                "{:x}.{:02x}",
                v >> 8,
                v & 0xff
            ))
        ));
    match super_bus {
        Some(h) => {
            f = f.confidence(Confidence::Likely).evidence(format!(
                "this computer has USB 3 ports: bus {} runs at {}",
                h.bus,
                h.speed.map_or("?", UsbSpeed::label)
            ));
        }
        // Root hubs known and none is USB 3: the computer cannot do better.
        None if !root_hubs.is_empty() => return None,
        None => {
            f = f
                .confidence(Confidence::Possible)
                .evidence("whether this computer has USB 3 ports is unknown");
        }
    }
    Some(
        f.step("Use a USB-C cable rated for USB 3 (5 or 10 Gbit/s, often marked SS or with the speed): the USB-C charge cable that comes with the iPhone carries only USB 2.")
            .step("Plug it into a USB 3 port: USB-C, or USB-A marked SS or with a blue tongue."),
    )
}

/// A finding from usbmuxd's ConnectionSpeed, when it is below 480 Mbit/s.
fn from_usbmuxd(m: &MuxDevice, why: &str) -> Option<Finding> {
    let bps = m.connection_speed.filter(|b| *b > 0 && *b < HIGH_BPS)?;
    let shown =
        UsbSpeed::from_bps(bps).map_or_else(|| format!("{bps} bit/s"), |s| s.label().to_string());
    Some(
        Finding::new(&RULE)
            .evidence(format!(
                "usbmuxd reports ConnectionSpeed {bps} bit/s ({shown}) for device {}",
                m.device_id
            ))
            .evidence(why),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::rules::testing_usb::*;

    const UDID: &str = "00008130-001A2B3C4D5E6F70";

    fn at(speed: UsbSpeed) -> UsbDevice {
        UsbDevice {
            speed: Some(speed),
            ..phone_on_bus(UDID)
        }
    }

    fn usb3_phone() -> UsbDevice {
        UsbDevice {
            max_speed: Some(UsbSpeed::Super),
            usb_version: Some(0x0320),
            product_id: 0x12a8,
            ..phone_on_bus(UDID)
        }
    }

    #[test]
    fn fires_at_full_speed() {
        let s = world().usb_ok(vec![at(UsbSpeed::Full)]).build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.confidence, Confidence::Certain);
        assert!(f.says("12 Mbit/s"), "{:?}", f.evidence);
    }

    #[test]
    fn names_a_usb_1_hub_on_the_path() {
        let dev = UsbDevice {
            hubs: vec![hub(0x05e3, 0x0605, UsbSpeed::Full, 1)],
            port_chain: vec![1, 2],
            ..at(UsbSpeed::Full)
        };
        let s = world().usb_ok(vec![dev]).build();
        let f = only(&s, &RULE);
        assert!(f.says("05e3:0605"));
        assert!(f.remediation[0].contains("05e3:0605"));
    }

    #[test]
    fn silent_at_high_and_super_speed() {
        let s = world()
            .usb_ok(vec![
                at(UsbSpeed::High),
                UsbDevice {
                    speed: Some(UsbSpeed::Super),
                    ..usb3_phone()
                },
            ])
            .root_hubs(&[UsbSpeed::High, UsbSpeed::Super])
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn usb3_phone_at_480_on_a_usb3_computer_is_info() {
        let s = world()
            .usb_ok(vec![usb3_phone()])
            .root_hubs(&[UsbSpeed::High, UsbSpeed::Super])
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(f.confidence, Confidence::Likely);
        assert!(f.says("3.20"), "{:?}", f.evidence);
        assert!(f.says("bus 2"));
        assert!(f.remediation[0].contains("USB 2"));
    }

    #[test]
    fn usb3_phone_at_480_on_a_usb2_only_computer_is_silent() {
        let s = world()
            .usb_ok(vec![usb3_phone()])
            .root_hubs(&[UsbSpeed::High])
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn usbmuxd_speed_is_used_when_the_bus_is_unreadable() {
        let mut m = usb_phone(UDID, 3);
        m.connection_speed = Some(12_000_000);
        let s = world()
            .usb_failed(FailureKind::Unavailable)
            .mux_ok(vec![m])
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.device.as_deref(), Some(UDID));
        assert!(f.says("12 Mbit/s"));
    }

    #[test]
    fn usbmuxd_480_proves_nothing() {
        let s = world()
            .usb_failed(FailureKind::Unavailable)
            .mux_ok(vec![usb_phone(UDID, 3)])
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn bus_reading_wins_over_usbmuxd() {
        let mut m = usb_phone(UDID, 3);
        m.connection_speed = Some(12_000_000);
        let s = world()
            .usb_ok(vec![at(UsbSpeed::High)])
            .mux_ok(vec![m])
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }
}
