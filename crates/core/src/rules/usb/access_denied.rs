use super::{for_device, mux_entry, usb_os};
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// An iPhone in normal mode is on the bus, libusb refuses to open it
    /// (LIBUSB_ERROR_ACCESS), and usbmuxd does not list it. On Linux the
    /// udev rule that usbmuxd ships (`39-usbmuxd.rules`, in
    /// `/lib/udev/rules.d/` on Debian 12, `/usr/lib/udev/rules.d/` on newer
    /// systems) hands Apple devices to the `usbmux` user and starts the
    /// daemon; when the rule is missing or overridden, the device node stays
    /// root's and usbmuxd cannot open it.
    ///
    /// ## Why the backup fails
    /// usbmuxd is the only way from a backup tool to the phone. If it may not
    /// open the device it never lists the phone, and every tool says "No
    /// device found".
    ///
    /// ## Evidence used
    /// The USB probe's open result for each phone, the OS it ran on, and
    /// whether usbmuxd's device list has the phone (by UDID, or on Linux by
    /// the `bus << 16 | address` location usbmuxd reports), and the owner of
    /// its device node: `root` means the udev rule did not run (certain),
    /// `usbmux` that it did (then this rule stays silent).
    ///
    /// ## Known limitations
    /// When usbmuxd lists the phone, a refusal to *this* user is normal (the
    /// node belongs to `usbmux`) and nothing is reported. On macOS and Windows
    /// the system drivers hold the phone and libusb is often refused: that is
    /// not a fault and is never reported.
    pub static RULE = {
        id: RuleId::UsbAccessDenied,
        title: "An Apple device is on the bus but cannot be opened",
        layer: Layer::Usb,
        severity: Severity::Blocker,
        hides: &[RuleId::UsbmuxdDeviceNotListed],
        steps: &[
            Fix::new(Platforms::LINUX, "Check that usbmuxd's udev rule is installed: ls -l /lib/udev/rules.d/39-usbmuxd.rules /usr/lib/udev/rules.d/39-usbmuxd.rules. If neither exists, install usbmuxd (Debian/Ubuntu: sudo apt install usbmuxd; Fedora: sudo dnf install usbmuxd)."),
            Fix::new(Platforms::LINUX, "Look for a rule of your own that overrides it (files in /etc/udev/rules.d win over the packaged ones): grep -il 05ac /etc/udev/rules.d/*.rules"),
            Fix::new(Platforms::LINUX, "Reload the rules and replay the phone's plug event: sudo udevadm control --reload-rules && sudo udevadm trigger --action=add --subsystem-match=usb --attr-match=idVendor=05ac"),
            Fix::new(Platforms::LINUX, "Unplug the iPhone, plug it back in, and restart the daemon: sudo systemctl restart usbmuxd"),
            Fix::any("In a container or virtual machine, pass the USB device through with read and write access (for Docker: --device /dev/bus/usb), or run the backup on the host."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    if matches!(usb_os(s), OsFamily::Macos | OsFamily::Windows) {
        return;
    }
    for dev in super::on_bus(s, UsbMode::Normal) {
        let UsbAccess::Denied { message } = &dev.access else {
            continue;
        };
        if mux_entry(s, dev).is_some() {
            continue; // usbmuxd has it: only this user is refused, which is normal
        }
        if dev.node.as_ref().is_some_and(|n| n.owner == "usbmux") {
            continue; // the udev rule ran: usbmuxd may open it, the cause is elsewhere
        }
        let mut f = for_device(Finding::new(&RULE), dev)
            .confidence(Confidence::Likely)
            .evidence(format!("libusb may not open {}: {message}", dev.describe()));
        f = match &s.probes.usbmuxd {
            Outcome::Ok { .. } => f.evidence("usbmuxd answers but does not list this phone"),
            Outcome::Failed { failure, .. } => f.evidence(format!(
                "usbmuxd is not reachable either ({}); udev starts it with the same rule",
                failure.kind.as_str()
            )),
            Outcome::Skipped { .. } => f.confidence(Confidence::Possible),
        };
        if let Some(node) = &dev.node {
            f = f.evidence(format!(
                "device node {} belongs to {}:{} (mode {})",
                node.path, node.owner, node.group, node.mode
            ));
            if node.owner == "root" {
                f = f.confidence(Confidence::Certain).evidence(
                    "usbmuxd's udev rule gives the node to the usbmux user: the rule did not run",
                );
            }
        } else if usb_os(s) == OsFamily::Linux {
            f = f.step(format!(
                "See who owns the device node: ls -l /dev/bus/usb/{:03}/{:03}. With usbmuxd's rule it belongs to the usbmux user; root means the rule did not run.",
                dev.bus, dev.address
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

    const UDID: &str = "00008101-00094C9B56A76363";

    fn denied() -> UsbDevice {
        UsbDevice {
            access: UsbAccess::Denied {
                message: "Access denied (insufficient permissions)".into(),
            },
            active_config: Some(1),
            ..phone_on_bus(UDID)
        }
    }

    #[test]
    fn fires_on_linux_when_usbmuxd_lacks_the_phone() {
        let s = world().usb_ok(vec![denied()]).mux_ok(vec![]).build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Blocker);
        assert_eq!(f.device.as_deref(), Some(UDID));
        assert!(f.says("insufficient permissions"));
        assert!(
            f.remediation[0].contains("/dev/bus/usb/001/007"),
            "{:?}",
            f.remediation
        );
        assert!(f.remediation.iter().any(|r| r.contains("39-usbmuxd.rules")));
    }

    #[test]
    fn fires_when_usbmuxd_is_down_too() {
        let s = world().usb_ok(vec![denied()]).mux_missing().build();
        let f = only(&s, &RULE);
        assert!(f.says("not-found"), "{:?}", f.evidence);
    }

    #[test]
    fn a_root_owned_node_makes_it_certain() {
        let dev = UsbDevice {
            node: Some(DeviceNode {
                path: "/dev/bus/usb/001/007".into(),
                owner: "root".into(),
                group: "root".into(),
                mode: "0664".into(),
            }),
            ..denied()
        };
        let s = world().usb_ok(vec![dev]).mux_ok(vec![]).build();
        let f = only(&s, &RULE);
        assert_eq!(f.confidence, Confidence::Certain);
        assert!(f.says("root:root (mode 0664)"));
        assert!(
            f.remediation[0].contains("39-usbmuxd.rules"),
            "{:?}",
            f.remediation
        );
    }

    #[test]
    fn silent_when_the_udev_rule_ran() {
        let dev = UsbDevice {
            node: Some(DeviceNode {
                path: "/dev/bus/usb/001/007".into(),
                owner: "usbmux".into(),
                group: "plugdev".into(),
                mode: "0664".into(),
            }),
            ..denied()
        };
        let s = world().usb_ok(vec![dev]).mux_ok(vec![]).build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn silent_when_usbmuxd_lists_the_phone() {
        let s = world()
            .usb_ok(vec![denied()])
            .mux_ok(vec![usb_phone(UDID, 1)])
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn silent_on_macos_and_windows() {
        for os in [OsFamily::Macos, OsFamily::Windows] {
            let s = world()
                .usb_ok(vec![denied()])
                .usb_os(os)
                .mux_ok(vec![])
                .build();
            assert!(fired(&s, &RULE).is_empty(), "{os:?}");
        }
    }

    #[test]
    fn silent_when_opened_or_other_failure() {
        let busy = UsbDevice {
            access: UsbAccess::Failed {
                message: "Resource busy".into(),
            },
            ..phone_on_bus(UDID)
        };
        let s = world()
            .usb_ok(vec![phone_on_bus("B"), busy])
            .mux_ok(vec![])
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }
}
