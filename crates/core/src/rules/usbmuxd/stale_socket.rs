use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// A usbmuxd socket file exists, but connecting to it is refused: the
    /// daemon crashed or was stopped and left its socket behind.
    ///
    /// ## Why the backup fails
    /// Every program that looks for the phone connects to that socket and is
    /// turned away, so no phone is seen until the daemon runs again.
    ///
    /// ## Evidence used
    /// The usbmuxd probe failed with `refused` on a UNIX socket address.
    pub static RULE = {
        id: RuleId::UsbmuxdStaleSocket,
        title: "The iPhone connection service (usbmuxd) stopped and left its socket behind",
        layer: Layer::Usbmuxd,
        severity: Severity::Blocker,
        hides: hides::NO_DAEMON,
        steps: &[
            texts::MAC_USBMUXD,
            texts::LINUX_USBMUXD,
            Fix::new(Platforms::LINUX, "If it will not start, remove the dead socket and start it in the foreground to see why: sudo rm /var/run/usbmuxd && sudo usbmuxd -f -v"),
            texts::WINDOWS_AMDS,
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    let Some(failure) = s.probes.usbmuxd.failure() else {
        return;
    };
    let Some(addr) = s.probes.usbmuxd_address.as_ref() else {
        return;
    };
    if failure.kind != FailureKind::Refused || !addr.display.starts_with("unix:") {
        return;
    }
    out.push(Finding::new(&RULE).evidence(format!(
        "{} exists but refuses connections: {}",
        addr.display.trim_start_matches("unix:"),
        failure.message
    )));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_refused_unix_socket() {
        let s = world().mux_failed(FailureKind::Refused).build();
        let f = only(&s, &RULE);
        assert!(f.says("/var/run/usbmuxd exists"));
    }

    #[test]
    fn silent_on_missing_socket_or_tcp() {
        assert!(fired(&world().mux_missing().build(), &RULE).is_empty());
        let tcp = world()
            .mux_failed_at(
                FailureKind::Refused,
                "tcp:127.0.0.1:27015",
                MuxAddressSource::Default,
            )
            .build();
        assert!(fired(&tcp, &RULE).is_empty());
    }
}
