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
        id: RuleId::UsbmuxdUnresponsive,
        title: "The iPhone connection service (usbmuxd) does not answer",
        layer: Layer::Usbmuxd,
        severity: Severity::Blocker,
        hides: hides::NO_DAEMON,
        steps: &[
            Fix::any("Unplug the iPhone, wait ten seconds and plug it back in."),
            texts::MAC_USBMUXD,
            texts::WINDOWS_AMDS,
            texts::LINUX_USBMUXD,
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
