use super::{boot_evidence, for_device, ports};
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// An iPhone, iPad or iPod is on the bus with the DFU product id (0x1227),
    /// or the WTF id (0x1222) of very old models: the boot ROM is waiting for
    /// a restore image. Phones get there only by a deliberate button sequence
    /// or a failed restore.
    ///
    /// ## Why the backup fails
    /// In DFU mode the phone runs neither iBoot nor iOS: there is no usbmux
    /// interface, no lockdownd, nothing to back up from. The screen stays
    /// black, so it looks like a dead phone.
    ///
    /// ## Evidence used
    /// The product id of the Apple device on the bus, and the `CPID`, `ECID`
    /// and `SRTG` (boot ROM version) fields of its serial string.
    ///
    /// ## Known limitations
    /// Seen only when libusb can read the bus: usbmuxd does not list phones
    /// in DFU mode.
    pub static RULE = {
        id: RuleId::UsbDfuMode,
        title: "The iPhone is in DFU mode",
        layer: Layer::Usb,
        severity: Severity::Blocker,
        hides: hides::ONLY_PHONE_NOT_IN_NORMAL_MODE,
        steps: &[
            Fix::any("Force-restart the phone to leave DFU mode: on iPhone 8 and later press and release volume up, press and release volume down, then hold the side button until the Apple logo appears (iPhone 7: hold volume down and the side button for 10 seconds; older: Home and the top or side button)."),
            Fix::any("If iOS starts, reconnect the phone and run this check again before backing up."),
            Fix::new(Platforms::MACOS, "If it stays black or returns to DFU, iOS on it is damaged: only Restore in Finder (iTunes on macOS 10.14 and earlier) brings it back, and that erases it. No backup can be taken first; the data comes back only from an earlier backup."),
            Fix::new(Platforms::WINDOWS, "If it stays black or returns to DFU, iOS on it is damaged: only Restore in the Apple Devices app (or iTunes) brings it back, and that erases it. No backup can be taken first; the data comes back only from an earlier backup."),
            Fix::new(Platforms::LINUX, "If it stays black or returns to DFU, iOS on it is damaged: only a restore brings it back (`idevicerestore --erase --latest`, or Restore from a Mac or a Windows PC), and that erases it. No backup can be taken first; the data comes back only from an earlier backup."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    let devices = super::on_bus(s, UsbMode::Dfu).chain(super::on_bus(s, UsbMode::Wtf));
    for dev in devices {
        let mode = if dev.mode == UsbMode::Wtf {
            "WTF mode"
        } else {
            "DFU mode"
        };
        let mut f = for_device(Finding::new(&RULE), dev).evidence(format!(
            "product id 0x{:04x} ({mode}) on bus {} port {}",
            dev.product_id,
            dev.bus,
            ports(dev)
        ));
        for line in boot_evidence(dev) {
            f = f.evidence(line);
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
    fn fires_for_dfu_with_chip_and_boot_rom() {
        let s = world().usb_ok(vec![dfu_on_bus()]).mux_ok(vec![]).build();
        let f = only(&s, &RULE);
        assert!(f.says("0x1227") && f.says("DFU"));
        assert!(f.says("A15"), "{:?}", f.evidence);
        assert!(f.says("iBoot-6338"));
        assert_eq!(f.device, None);
    }

    #[test]
    fn fires_for_wtf_mode() {
        let wtf = UsbDevice {
            product_id: 0x1222,
            mode: UsbMode::Wtf,
            boot: None,
            ..dfu_on_bus()
        };
        let s = world().usb_ok(vec![wtf]).build();
        assert!(only(&s, &RULE).says("WTF"));
    }

    #[test]
    fn silent_for_recovery_and_normal() {
        let s = world()
            .usb_ok(vec![recovery_on_bus(), phone_on_bus("A")])
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn outranks_and_hides_no_device() {
        let s = world().usb_ok(vec![dfu_on_bus()]).mux_ok(vec![]).build();
        let (kept, _) = crate::rules::rank(crate::rules::evaluate(&s));
        assert_eq!(kept[0].id, RULE.id);
        assert!(kept.iter().all(|f| f.id != RuleId::UsbNoDevice));
    }
}
