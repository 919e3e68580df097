use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// usbmuxd is running but lists no iPhone, and the USB bus shows no Apple
    /// device either (or cannot be read).
    ///
    /// ## Why the backup fails
    /// There is no phone to back up: the cable carries no data, the port is
    /// dead, or the phone never came up on the bus.
    ///
    /// ## Evidence used
    /// usbmuxd's `ListDevices` reply is empty; the USB probe found no device
    /// with vendor id 0x05ac (certain), or could not read the bus (likely).
    ///
    /// On Linux, usbmuxd is started by udev when a phone is plugged in and
    /// may exit when the last one leaves: with no phone on the bus and no
    /// usbmuxd running, no phone is connected (usbmuxd's state is a note).
    ///
    /// `--udid` naming a phone that is not connected is this finding too,
    /// with the phones that are connected as evidence: a typo in a script
    /// never passes as "ready".
    ///
    /// ## Known limitations
    /// A phone in recovery or DFU mode is on the bus but not in usbmuxd's
    /// list; the USB layer's own rules report that case instead.
    pub static RULE = {
        id: RuleId::UsbNoDevice,
        title: "No iPhone is connected",
        variants: &[NAMED_ABSENT],
        layer: Layer::Usb,
        severity: Severity::Blocker,
        steps: &[
            texts::UNLOCK,
            texts::PORT_DIRECT,
            texts::CABLE,
            Fix::any("Restart the iPhone and the computer."),
            Fix::new(Platforms::WINDOWS, "Open the Apple Devices app (or iTunes) once: it installs the driver the phone needs."),
            Fix::new(Platforms::LINUX, "Run dmesg -w while plugging the phone in: no new lines means the cable or port carries no data."),
        ],
        since: "0.1.0",
        check,
    }
}

/// `--udid` named a phone that is not there.
const NAMED_ABSENT: Title = Title {
    when: "--udid names a phone that is not connected",
    text: "The iPhone you named is not connected ({udid})",
};

/// `--udid` names no phone the check saw, while others are connected: the
/// named phone is missing (when none is, the other findings say why).
pub fn named_phone_missing(s: &Snapshot, udid: &str, out: &mut Findings) {
    let mut seen: Vec<&str> = Vec::new();
    let mux = s.mux_devices().iter().map(|m| m.udid.as_str());
    let probed = s.probes.devices.iter().map(|d| d.udid.as_str());
    let bus = s
        .probes
        .usb
        .value()
        .into_iter()
        .flat_map(|u| u.devices.iter())
        .filter_map(|d| d.udid.as_deref());
    for u in mux.chain(probed).chain(bus) {
        if !seen.iter().any(|v| same_udid(v, u)) {
            seen.push(u);
        }
    }
    if seen.is_empty() || seen.iter().any(|v| same_udid(v, udid)) {
        return;
    }
    let mut f = Finding::new(&RULE)
        .titled(NAMED_ABSENT.fill(&[("udid", udid)]))
        .evidence(format!("no phone connected has the UDID {udid} (--udid)"));
    for u in &seen {
        let name = s
            .device(u)
            .and_then(|d| d.lockdown())
            .and_then(|l| l.device_name.as_deref());
        f = f.evidence(match name {
            Some(n) => format!("connected: {n} ({u})"),
            None => format!("connected: iPhone {u}"),
        });
    }
    out.push(f.step(
        "Check the UDID: `iphone-backup-check devices` lists the phones connected; run again without --udid to check them all.",
    ));
}

fn check(s: &Snapshot, out: &mut Findings) {
    if linux_daemon_waits_for_a_phone(s) {
        let mut f = Finding::new(&RULE);
        f = match &s.probes.usb {
            Outcome::Ok { .. } => f.evidence("the USB bus shows no iPhone, iPad or iPod (vendor 0x05ac)"),
            _ => f.confidence(Confidence::Likely).evidence(
                "the USB bus could not be read, and usbmuxd is not running: on Linux it starts when a phone is plugged in",
            ),
        };
        out.push(f);
        return;
    }
    let Some(mux) = s.probes.usbmuxd.value() else {
        return;
    };
    if !mux.devices.is_empty() || attached_at_end(s) {
        return;
    }
    let mut f = Finding::new(&RULE).evidence("usbmuxd is running and lists no device");
    match &s.probes.usb {
        Outcome::Ok { value, .. } if !value.devices.iter().any(UsbDevice::is_ios_device) => {
            f = f.evidence("the USB bus shows no iPhone, iPad or iPod (vendor 0x05ac)");
        }
        Outcome::Ok { .. } => return, // the USB layer's rules explain an Apple device usbmuxd lacks
        _ => {
            f = f.confidence(Confidence::Likely).evidence(
                "the USB bus could not be read, so a phone in recovery mode would not show",
            );
        }
    }
    out.push(f);
}

/// Linux: no usbmuxd socket and no phone in normal mode on the bus. udev
/// starts usbmuxd when a phone is plugged in, so a stopped daemon here is
/// what "no phone" looks like, not a cause (`usbmuxd.not-running` notes it).
pub(crate) fn linux_daemon_waits_for_a_phone(s: &Snapshot) -> bool {
    // An address someone chose (--usbmuxd, USBMUXD_SOCKET_ADDRESS) that
    // holds nothing is a wrong address, not a daemon waiting for a phone.
    let default_address = s
        .probes
        .usbmuxd_address
        .as_ref()
        .is_none_or(|a| a.source == MuxAddressSource::Default);
    if s.os_family() != OsFamily::Linux
        || !default_address
        || !s.probes.usbmuxd.failed_with(FailureKind::NotFound)
        || !s.probes.reported_errors.is_empty()
    {
        return false;
    }
    match s.probes.usb.value() {
        Some(u) => !u.devices.iter().any(|d| d.mode == UsbMode::Normal),
        None => s.probes.usb.failure().is_some(),
    }
}

/// usbmuxd's feed (or log) left a USB phone attached: it is connected even
/// though usbmuxd does not list it to clients (a preflight that failed). A
/// log that shows the phone leave explains the empty list too
/// (`connection.unstable` judges that).
fn attached_at_end(s: &Snapshot) -> bool {
    let Some(obs) = s.probes.mux_events.value() else {
        return false;
    };
    if obs.origin == ListenOrigin::Log && !obs.events.is_empty() {
        return true;
    }
    let mut here: Vec<u32> = Vec::new();
    for e in &obs.events {
        let usb = e
            .device
            .as_ref()
            .is_none_or(|d| d.connection == MuxConnection::Usb);
        match e.kind {
            MuxEventKind::Attached if usb => here.push(e.device_id),
            MuxEventKind::Detached => here.retain(|id| *id != e.device_id),
            _ => {}
        }
    }
    !here.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn linux_with_no_phone_and_no_daemon_says_no_phone() {
        let s = world().usb_ok(vec![]).mux_missing().build();
        let f = only(&s, &RULE);
        assert_eq!(f.confidence, Confidence::Certain);
        let unreadable = world()
            .usb_failed(FailureKind::Unavailable)
            .mux_missing()
            .build();
        assert_eq!(only(&unreadable, &RULE).confidence, Confidence::Likely);
        // macOS: usbmuxd always runs, so its absence is the cause.
        let mac = world()
            .os(OsFamily::Macos, "14.6.1")
            .usb_ok(vec![])
            .mux_missing()
            .build();
        assert!(fired(&mac, &RULE).is_empty());
    }

    #[test]
    fn certain_when_bus_and_daemon_both_empty() {
        let s = world().usb_ok(vec![]).mux_ok(vec![]).build();
        assert_eq!(only(&s, &RULE).confidence, Confidence::Certain);
    }

    #[test]
    fn an_apple_keyboard_is_not_a_phone() {
        let keyboard = UsbDevice {
            vendor_id: APPLE_VENDOR_ID,
            product_id: 0x024f,
            mode: UsbMode::Other,
            ..Default::default()
        };
        let s = world().usb_ok(vec![keyboard]).mux_ok(vec![]).build();
        assert_eq!(only(&s, &RULE).confidence, Confidence::Certain);
    }

    #[test]
    fn likely_when_bus_unreadable() {
        let s = world()
            .usb_failed(FailureKind::Unavailable)
            .mux_ok(vec![])
            .build();
        assert_eq!(only(&s, &RULE).confidence, Confidence::Likely);
    }

    #[test]
    fn silent_when_a_phone_is_listed_or_daemon_down() {
        let s = world()
            .usb_ok(vec![])
            .mux_ok(vec![usb_phone("A", 1)])
            .build();
        assert!(fired(&s, &RULE).is_empty());
        assert!(fired(&world().mux_missing().build(), &RULE).is_empty());
    }

    #[test]
    fn silent_while_a_log_shows_usbmuxd_holding_or_losing_a_phone() {
        let mut s = world().mux_ok(vec![]).build();
        s.probes.mux_events = Outcome::Ok {
            duration_ms: 0,
            value: ListenObs {
                origin: ListenOrigin::Log,
                events: vec![MuxEvent {
                    at_ms: 0,
                    kind: MuxEventKind::Attached,
                    device_id: 1,
                    udid: None,
                    device: None,
                    quote: None,
                }],
                ..Default::default()
            },
        };
        assert!(fired(&s, &RULE).is_empty());
    }
}
