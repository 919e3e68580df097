use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The connection to usbmuxd opened, but it did not answer a device-list
    /// request before the deadline. The daemon is hung, overloaded, or stuck
    /// on a device that misbehaves on the bus.
    ///
    /// ## Why the backup fails
    /// Backup tools wait on the same daemon, so they hang or time out too;
    /// that looks like a backup stuck at the start.
    ///
    /// ## Evidence used
    /// The usbmuxd probe failed with `timed-out`.
    pub static RULE = {
        id: "usbmuxd.unresponsive",
        title: "usbmuxd does not answer",
        layer: Layer::Usbmuxd,
        severity: Severity::Blocker,
        hides: &["usb.no-device", "usbmuxd.device-not-listed"],
        steps: &[
            step("Unplug the iPhone, wait ten seconds and plug it back in."),
            step_on(Platforms::MACOS, "Restart usbmuxd: sudo launchctl kickstart -k system/com.apple.usbmuxd (or restart the Mac)."),
            step_on(Platforms::WINDOWS, "Restart the Apple Mobile Device Service in services.msc (or restart the computer)."),
            step_on(Platforms::LINUX, "Restart it: sudo systemctl restart usbmuxd; if it hangs again, run sudo usbmuxd -f -v and watch what it prints when the phone is plugged in."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    let Some(failure) = s.probes.usbmuxd.failure() else {
        return;
    };
    if failure.kind != FailureKind::TimedOut {
        return;
    }
    out.push(Finding::new(&RULE).evidence(failure.message.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_timeout_only() {
        assert_eq!(
            fired(&world().mux_failed(FailureKind::TimedOut).build(), &RULE).len(),
            1
        );
        assert!(fired(&world().mux_failed(FailureKind::Refused).build(), &RULE).is_empty());
    }
}
