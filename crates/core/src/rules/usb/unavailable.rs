use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// This computer's USB bus could not be read: libusb could not start, or
    /// it may not list devices here. Containers, virtual machines and
    /// sandboxes often have no USB bus at all.
    ///
    /// ## Why the backup fails
    /// It may not: usbmuxd reads USB on its own, and when it runs and lists
    /// the phone the backup can go ahead. The tool just loses its view of the
    /// cable, port, hub and recovery mode. When usbmuxd does not work either,
    /// nothing on this computer can see the phone.
    ///
    /// ## Evidence used
    /// The USB probe failed; the usbmuxd probe's outcome sets the severity
    /// (info when usbmuxd answers, warning otherwise). As a note it says
    /// what this check could not look at on this machine, not what is wrong
    /// with the phone, so it ranks after the phone's own notes
    /// (`docs/ranking.md`).
    ///
    /// ## Known limitations
    /// On macOS and Windows the system may hold the phone so that libusb
    /// cannot open it; that is normal and is not reported here.
    pub static RULE = {
        id: RuleId::UsbUnavailable,
        title: "The USB bus cannot be read on this computer",
        layer: Layer::Usb,
        severity: Severity::Warning,
        steps: &[
            Fix::any("When usbmuxd lists the phone there is nothing to fix: it reads USB on its own."),
            Fix::new(Platforms::LINUX, "In a container or virtual machine, pass the iPhone's USB device through to it, or run the check on the computer the phone is plugged into."),
            Fix::new(Platforms::LINUX, "Check that /dev/bus/usb exists and that this user may read it (ls -l /dev/bus/usb)."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    let Some(failure) = s.probes.usb.failure() else {
        return;
    };
    if failure.kind == FailureKind::Interrupted {
        return;
    }
    let mut f = Finding::new(&RULE).evidence(format!(
        "libusb could not read the bus ({}): {}",
        failure.kind.as_str(),
        failure.message
    ));
    if s.probes.usbmuxd.is_ok() {
        // A limit of this check, not of the phone: ranked after its notes.
        f = f
            .at_most(Severity::Info)
            .basis(Basis::Coverage)
            .evidence("usbmuxd answers, so it can still see a phone over USB");
    }
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn warning_when_usbmuxd_is_down_too() {
        let s = world()
            .usb_failed(FailureKind::Unavailable)
            .mux_missing()
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.says("unavailable"));
    }

    #[test]
    fn info_when_usbmuxd_answers() {
        let s = world()
            .usb_failed(FailureKind::Unavailable)
            .mux_ok(vec![])
            .build();
        let f = only(&s, &RULE);
        assert_eq!((f.severity, f.basis), (Severity::Info, Basis::Coverage));
    }

    #[test]
    fn silent_when_usb_reads() {
        let s = world().usb_ok(vec![]).mux_ok(vec![]).build();
        assert!(fired(&s, &RULE).is_empty());
    }
}
