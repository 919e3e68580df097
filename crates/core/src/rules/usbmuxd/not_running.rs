use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// Nothing answers at the usbmuxd address: there is no socket file (macOS,
    /// Linux), or nothing listens on the port (Windows: the Apple Mobile
    /// Device Service on 127.0.0.1:27015).
    ///
    /// ## Why the backup fails
    /// usbmuxd is the only way from the computer to the phone: Finder,
    /// iTunes, the Apple Devices app and idevicebackup2 all talk to the
    /// phone through it. Without it no phone is ever seen.
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// The usbmuxd probe failed with `not-found` (no socket file), or with
    /// `refused` on a TCP address.
    ///
    /// ## Known limitations
    /// Debian and Ubuntu start usbmuxd only while an Apple device is plugged
    /// in (udev starts it), so with no phone attached it is normal for it
    /// not to run there: on Linux, with no phone in normal mode on the bus
    /// (or a bus that cannot be read), this is a note and `usb.no-device`
    /// is the finding.
    pub static RULE = {
        id: RuleId::UsbmuxdNotRunning,
        title: "The iPhone connection service (usbmuxd) is not running",
        variants: &[ON_WINDOWS],
        layer: Layer::Usbmuxd,
        severity: Severity::Blocker,
        hides: hides::NO_DAEMON,
        steps: &[
            Fix::new(Platforms::MACOS, "Restart the Mac; usbmuxd is part of macOS and starts with it. Without a restart: sudo launchctl kickstart -k system/com.apple.usbmuxd"),
            Fix::new(Platforms::WINDOWS, "Start the service: open services.msc, find Apple Mobile Device Service, set it to Automatic and start it (or restart the computer)."),
            Fix::new(Platforms::WINDOWS, "If it is not listed or will not start, install or repair the Apple Devices app (or iTunes) from the Microsoft Store; it brings the Apple Mobile Device Service."),
            Fix::new(Platforms::LINUX, "Install usbmuxd (Debian/Ubuntu: sudo apt install usbmuxd) and plug the iPhone in; udev starts the daemon."),
            Fix::new(Platforms::LINUX, "Start it by hand to see why it stops: sudo systemctl start usbmuxd, or sudo usbmuxd -f -v in a terminal."),
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

/// Linux with no phone plugged in: the daemon's absence is a note, and only
/// matters once a phone is there.
const WAITING_FOR_A_PHONE: &[Fix] = &[Fix::new(
    Platforms::LINUX,
    "If it still is not running once the iPhone is plugged in and unlocked, install usbmuxd (Debian/Ubuntu: sudo apt install usbmuxd).",
)];

/// Windows users know the daemon by its service name.
const ON_WINDOWS: Title = Title {
    when: "on Windows",
    text: "Apple Mobile Device Service is not running",
};

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
    let Some(failure) = s.probes.usbmuxd.failure() else {
        return;
    };
    let addr = s.probes.usbmuxd_address.as_ref();
    let is_tcp = addr.is_some_and(|a| a.display.starts_with("tcp:"));
    let fires =
        failure.kind == FailureKind::NotFound || (failure.kind == FailureKind::Refused && is_tcp);
    if !fires {
        return;
    }
    let shown = addr.map_or("the default address", |a| a.display.as_str());
    let mut f = Finding::new(&RULE)
        .evidence(format!("nothing is listening at {shown}"))
        .evidence(format!("the computer said: {}", failure.message))
        .quoting(failure.quote.as_ref());
    if s.os_family() == OsFamily::Windows {
        f = f.title(&ON_WINDOWS);
    }
    if crate::rules::usb::no_device::linux_daemon_waits_for_a_phone(s) {
        f = f
            .at_most(Severity::Info)
            .evidence("on Linux, udev starts usbmuxd when an iPhone is plugged in, so with none plugged in this is expected")
            .steps(WAITING_FOR_A_PHONE);
        f.hides = &[];
        out.push(f);
        return;
    }
    if let Some(a) = addr.filter(|a| a.source != MuxAddressSource::Default) {
        let from = match a.source {
            MuxAddressSource::Env => "USBMUXD_SOCKET_ADDRESS",
            _ => "--usbmuxd",
        };
        f = f
            .evidence(format!("the address came from {from}"))
            .step(format!(
                "Check {from}: it points to {}; unset it to use the system's usbmuxd.",
                a.display
            ));
    }
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_when_socket_missing() {
        let s = world().mux_missing().build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Blocker);
        assert!(f.says("unix:/var/run/usbmuxd"), "{:?}", f.evidence);
    }

    #[test]
    fn refused_tcp_counts_as_not_running() {
        let s = world()
            .mux_failed_at(
                FailureKind::Refused,
                "tcp:127.0.0.1:27015",
                MuxAddressSource::Default,
            )
            .build();
        assert_eq!(fired(&s, &RULE).len(), 1);
    }

    #[test]
    fn on_windows_the_title_names_the_service() {
        let s = world()
            .os(OsFamily::Windows, "10.0.19045")
            .mux_failed_at(
                FailureKind::Refused,
                "tcp:127.0.0.1:27015",
                MuxAddressSource::Default,
            )
            .build();
        assert_eq!(
            only(&s, &RULE).title,
            "Apple Mobile Device Service is not running"
        );
        let linux = world().mux_missing().build();
        assert_eq!(only(&linux, &RULE).title, RULE.title);
    }

    #[test]
    fn on_linux_with_no_phone_on_the_bus_it_is_a_note() {
        let s = world().usb_ok(vec![]).mux_missing().build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Info);
        assert!(f.hides.is_empty());
        let mac = world()
            .os(OsFamily::Macos, "14.6.1")
            .usb_ok(vec![])
            .mux_missing()
            .build();
        assert_eq!(only(&mac, &RULE).severity, Severity::Blocker);
    }

    #[test]
    fn refused_unix_socket_is_not_this_rule() {
        let s = world().mux_failed(FailureKind::Refused).build();
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn names_the_env_variable_when_it_chose_the_address() {
        let s = world()
            .mux_failed_at(
                FailureKind::NotFound,
                "unix:/tmp/nope",
                MuxAddressSource::Env,
            )
            .build();
        let f = only(&s, &RULE);
        assert!(f.remediation[0].contains("USBMUXD_SOCKET_ADDRESS"));
    }
}
