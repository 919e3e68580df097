use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// Something answered at the usbmuxd address, but not in the usbmux
    /// protocol: another program holds the address, the reply was garbage or
    /// absurdly long, or the daemon closed the connection mid-reply.
    ///
    /// ## Why the backup fails
    /// Backup tools get the same nonsense and cannot see the phone.
    ///
    /// ## Evidence used
    /// The usbmuxd probe failed with `protocol-error` or `closed`.
    ///
    /// ## Known limitations
    /// Some old usbmuxd builds answer binary-plist requests only; this tool
    /// speaks XML plists, which every usbmuxd accepts.
    pub static RULE = {
        id: RuleId::UsbmuxdProtocolError,
        title: "Something else answers where the iPhone connection service (usbmuxd) should",
        layer: Layer::Usbmuxd,
        severity: Severity::Blocker,
        hides: hides::NO_DAEMON,
        steps: &[
            Fix::any("Check what listens at the address: another program (an old iTunes helper, a third-party phone manager) may have taken it."),
            Fix::new(Platforms::LINUX, "Restart the daemon: sudo systemctl restart usbmuxd; check that USBMUXD_SOCKET_ADDRESS is unset or right."),
            texts::MAC_USBMUXD,
            Fix::new(Platforms::WINDOWS, "Quit third-party phone managers, then restart the Apple Mobile Device Service in services.msc."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    let Some(failure) = s.probes.usbmuxd.failure() else {
        return;
    };
    if !matches!(
        failure.kind,
        FailureKind::ProtocolError | FailureKind::Closed
    ) {
        return;
    }
    out.push(Finding::new(&RULE).evidence(format!(
        "{}: {}",
        failure.kind.as_str(),
        failure.message
    )));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_garbage_and_mid_reply_close() {
        for kind in [FailureKind::ProtocolError, FailureKind::Closed] {
            assert_eq!(fired(&world().mux_failed(kind).build(), &RULE).len(), 1);
        }
        assert!(fired(&world().mux_failed(FailureKind::TimedOut).build(), &RULE).is_empty());
    }
}
