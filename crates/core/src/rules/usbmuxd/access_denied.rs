use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The usbmuxd socket exists, but this user is not allowed to connect to
    /// it (file permissions, or a sandbox).
    ///
    /// ## Why the backup fails
    /// A backup tool run as this user cannot reach the phone; the same tool
    /// run by an allowed user may work.
    ///
    /// ## Evidence used
    /// The usbmuxd probe failed with `access-denied`.
    pub static RULE = {
        id: RuleId::UsbmuxdAccessDenied,
        title: "This user may not use the iPhone connection service (usbmuxd)",
        layer: Layer::Usbmuxd,
        severity: Severity::Blocker,
        hides: hides::NO_DAEMON,
        steps: &[
            Fix::new(Platforms::LINUX.union(Platforms::MACOS), "Look at the socket's owner and mode: ls -l /var/run/usbmuxd (usbmuxd normally makes it readable and writable by everyone)."),
            Fix::new(Platforms::LINUX, "Restart the daemon so it recreates the socket: sudo systemctl restart usbmuxd; or run the backup tool as root."),
            Fix::new(Platforms::MACOS, "If the terminal runs in a sandbox (some IDEs and app-store terminals do), run the check from Terminal.app."),
            Fix::new(Platforms::WINDOWS, "Allow local connections to 127.0.0.1:27015 in the firewall or security software, then restart the Apple Mobile Device Service."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    let Some(failure) = s.probes.usbmuxd.failure() else {
        return;
    };
    if failure.kind != FailureKind::AccessDenied {
        return;
    }
    let addr = s
        .probes
        .usbmuxd_address
        .as_ref()
        .map_or("usbmuxd", |a| a.display.as_str());
    out.push(Finding::new(&RULE).evidence(format!("{addr}: {}", failure.message)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_access_denied() {
        let s = world().mux_failed(FailureKind::AccessDenied).build();
        assert!(only(&s, &RULE).says("unix:/var/run/usbmuxd"));
    }

    #[test]
    fn silent_when_daemon_answers() {
        assert!(fired(&world().mux_ok(vec![]).build(), &RULE).is_empty());
    }
}
