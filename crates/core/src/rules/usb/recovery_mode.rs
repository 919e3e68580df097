use super::{boot_evidence, for_device, mux_entry, ports};
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// An iPhone, iPad or iPod is on the bus with a recovery-mode product id
    /// (0x1280 to 0x1283): iBoot is running, not iOS. It gets there after a
    /// failed update or restore, or by the button sequence.
    ///
    /// ## Why the backup fails
    /// In recovery mode there is no usbmux interface and no lockdownd, so
    /// usbmuxd does not list the phone and no backup tool can reach it. The
    /// phone can only be updated, restored or restarted.
    ///
    /// ## Evidence used
    /// The product id of the Apple device on the bus, and the `CPID`, `ECID`
    /// and `SRTG` (iBoot version) fields of its serial string.
    ///
    /// ## Known limitations
    /// Seen only when libusb can read the bus: usbmuxd does not list phones
    /// in recovery mode. Where the bus cannot be read, `usb.no-device` says
    /// so.
    pub static RULE = {
        id: RuleId::UsbRecoveryMode,
        title: "The iPhone is in recovery mode",
        layer: Layer::Usb,
        severity: Severity::Blocker,
        hides: hides::ONLY_PHONE_NOT_IN_NORMAL_MODE,
        steps: &[
            Fix::any("Force-restart the phone to leave recovery mode: on iPhone 8 and later press and release volume up, press and release volume down, then hold the side button until the Apple logo appears (iPhone 7: hold volume down and the side button; older: Home and the top or side button)."),
            Fix::new(Platforms::MACOS, "If it comes back to the recovery screen, select it in Finder (iTunes on macOS 10.14 and earlier) and choose Update, not Restore: Update reinstalls iOS and keeps the data."),
            Fix::new(Platforms::WINDOWS, "If it comes back to the recovery screen, select it in the Apple Devices app (or iTunes) and choose Update, not Restore: Update reinstalls iOS and keeps the data."),
            Fix::new(Platforms::LINUX, "If it comes back to the recovery screen, reinstall iOS keeping the data: `idevicerestore --latest` without `--erase` (libimobiledevice), or Update (not Restore) from a Mac or a Windows PC."),
            Fix::new(Platforms::LINUX, "Without Finder or iTunes, libirecovery can clear a recovery loop: irecovery -n (Debian/Ubuntu package irecovery); it reboots into iOS and keeps the data."),
            Fix::any("Restore erases the phone: use it only when Update fails, knowing that the data comes back only from an earlier backup."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    for dev in super::on_bus(s, UsbMode::Recovery) {
        let mut f = for_device(Finding::new(&RULE), dev).evidence(format!(
            "product id 0x{:04x} (recovery mode) on bus {} port {}",
            dev.product_id,
            dev.bus,
            ports(dev)
        ));
        for line in boot_evidence(dev) {
            f = f.evidence(line);
        }
        if s.probes.usbmuxd.is_ok() && mux_entry(s, dev).is_none() {
            f = f.evidence("usbmuxd does not list it: recovery mode has no usbmux interface");
        }
        // With a phone in normal mode beside it, the daemon's findings are
        // about that phone and stay.
        if super::on_bus(s, UsbMode::Normal).next().is_some() {
            f.hides = hides::NOT_IN_NORMAL_MODE;
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::rules::testing_usb::*;

    #[test]
    fn fires_for_a_recovery_product_id_with_boot_fields() {
        let s = world()
            .usb_ok(vec![recovery_on_bus()])
            .mux_ok(vec![])
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Blocker);
        assert!(f.says("0x1281"), "{:?}", f.evidence);
        assert!(f.says("A10"), "{:?}", f.evidence);
        assert!(f.says("iBoot-7459.102.5"));
        assert!(f.says("usbmuxd does not list it"));
        assert!(f.remediation.iter().any(|r| r.contains("irecovery -n")));
    }

    #[test]
    fn silent_for_normal_phones_dfu_and_unreadable_bus() {
        let s = world()
            .usb_ok(vec![phone_on_bus("A"), dfu_on_bus()])
            .mux_ok(vec![usb_phone("A", 1)])
            .build();
        assert!(fired(&s, &RULE).is_empty());
        let s = world().usb_failed(FailureKind::Unavailable).build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn hides_the_consequences_for_the_whole_computer() {
        let s = world()
            .usb_ok(vec![recovery_on_bus()])
            .mux_ok(vec![])
            .build();
        let (kept, _) = crate::rules::rank(crate::rules::evaluate(&s));
        assert_eq!(kept[0].id, RULE.id);
        assert!(kept.iter().all(|f| f.id != RuleId::UsbNoDevice));
    }
}
