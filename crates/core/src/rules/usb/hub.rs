use super::{for_device, ports};
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// At least one hub sits between the computer and the phone: a
    /// stand-alone hub, a dock, a monitor or a keyboard with ports.
    ///
    /// ## Why the backup fails
    /// A hub shares its upstream bandwidth and power among everything
    /// plugged into it, and cheap or unpowered hubs drop devices when the load
    /// peaks. A backup moves gigabytes for many minutes: the phone drops off
    /// the bus and the backup stops part-way ("the device was disconnected").
    /// A USB 1.1 hub also holds the phone to 12 Mbit/s.
    ///
    /// ## Evidence used
    /// The hubs on the phone's path from the USB probe (their vendor and
    /// product ids and speeds), else the length of its port chain.
    ///
    /// ## Known limitations
    /// Some computers route their own ports through a built-in hub. Intel's
    /// rate-matching hubs (8087:0020, 8087:0024, 8087:8000, 8087:8008 and
    /// relatives) are recognised and not counted; other built-in hubs (in
    /// some Macs and all-in-ones) look like external ones.
    pub static RULE = {
        id: RuleId::UsbHub,
        title: "The iPhone is connected through a USB hub",
        layer: Layer::Usb,
        severity: Severity::Warning,
        steps: &[
            texts::PORT_DIRECT,
            Fix::any("On a laptop in a dock, use a port on the laptop's own side."),
            Fix::any("If a hub cannot be avoided, use one with its own power supply and unplug the other devices on it (disks, cameras) during the backup."),
        ],
        since: "0.1.0",
        check,
    }
}

/// Hubs that are part of the computer: Intel's rate-matching hubs sit behind
/// every port of EHCI-era chipsets.
fn built_in(hub: &UsbHub) -> bool {
    hub.vendor_id == 0x8087
        && matches!(
            hub.product_id,
            0x0020 | 0x0024 | 0x8000 | 0x8001 | 0x8008 | 0x8009
        )
}

fn check(s: &Snapshot, out: &mut Findings) {
    for dev in super::on_bus(s, UsbMode::Normal) {
        let external: Vec<&UsbHub> = dev.hubs.iter().filter(|h| !built_in(h)).collect();
        let skipped = dev.hubs.len() - external.len();
        let mut f = for_device(Finding::new(&RULE), dev);
        if !external.is_empty() {
            f = f.evidence(format!(
                "the phone ({}) is behind {} (port chain {})",
                dev.describe(),
                fmt::plural(external.len(), "hub", "hubs"),
                ports(dev)
            ));
            for hub in &external {
                let speed = hub.speed.map_or("unknown speed", UsbSpeed::label);
                f = f.evidence(format!(
                    "hub {:04x}:{:04x} on port {}, running at {speed}",
                    hub.vendor_id, hub.product_id, hub.port
                ));
                if hub.speed.is_some_and(|s| s < UsbSpeed::High) {
                    f = f.step(format!(
                        "Replace hub {:04x}:{:04x}: it is a USB 1.1 hub and holds everything behind it to {speed}.",
                        hub.vendor_id, hub.product_id
                    ));
                }
            }
        } else if dev.hubs.is_empty() && dev.port_chain.len() > 1 {
            // The hubs themselves were not listed (a recorded bus, or an OS
            // that hides them); the port chain still shows the tiers.
            f = f.confidence(Confidence::Likely).evidence(format!(
                "the phone ({}) has port chain {}: {} between it and the computer",
                dev.describe(),
                ports(dev),
                fmt::plural(dev.port_chain.len() - 1, "hub", "hubs")
            ));
        } else {
            continue;
        }
        if skipped > 0 {
            f = f.evidence(format!(
                "not counted: {} built into the computer (Intel rate-matching hub)",
                fmt::plural(skipped, "hub", "hubs")
            ));
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::rules::testing_usb::*;

    fn behind(hubs: Vec<UsbHub>) -> UsbDevice {
        let mut port_chain: Vec<u8> = hubs.iter().map(|h| h.port).collect();
        port_chain.push(3);
        UsbDevice {
            hubs,
            port_chain,
            ..phone_on_bus("A")
        }
    }

    #[test]
    fn fires_with_each_hub_as_evidence() {
        let s = world()
            .usb_ok(vec![behind(vec![hub(0x0424, 0x2513, UsbSpeed::High, 1)])])
            .mux_ok(vec![usb_phone("A", 1)])
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.device.as_deref(), Some("A"));
        assert!(f.says("1 hub") && f.says("1.3"));
        assert!(f.says("0424:2513") && f.says("480 Mbit/s"));
    }

    #[test]
    fn a_usb_1_hub_gets_its_own_step() {
        let s = world()
            .usb_ok(vec![behind(vec![hub(0x05e3, 0x0605, UsbSpeed::Full, 2)])])
            .build();
        let f = only(&s, &RULE);
        assert!(
            f.remediation[0].contains("05e3:0605"),
            "{:?}",
            f.remediation
        );
    }

    #[test]
    fn built_in_rate_matching_hubs_do_not_count() {
        let s = world()
            .usb_ok(vec![behind(vec![hub(0x8087, 0x0024, UsbSpeed::High, 1)])])
            .build();
        assert!(fired(&s, &RULE).is_empty());
        let s = world()
            .usb_ok(vec![behind(vec![
                hub(0x8087, 0x0024, UsbSpeed::High, 1),
                hub(0x0424, 0x2513, UsbSpeed::High, 2),
            ])])
            .build();
        let f = only(&s, &RULE);
        assert!(f.says("not counted"));
    }

    #[test]
    fn port_chain_alone_is_likely() {
        let dev = UsbDevice {
            port_chain: vec![1, 4],
            ..phone_on_bus("A")
        };
        let s = world().usb_ok(vec![dev]).build();
        assert_eq!(only(&s, &RULE).confidence, Confidence::Likely);
    }

    #[test]
    fn silent_when_direct_or_not_a_normal_phone() {
        let in_recovery = UsbDevice {
            hubs: vec![hub(0x0424, 0x2513, UsbSpeed::High, 1)],
            port_chain: vec![1, 2],
            ..recovery_on_bus()
        };
        let s = world().usb_ok(vec![phone_on_bus("A"), in_recovery]).build();
        assert!(fired(&s, &RULE).is_empty());
    }
}
