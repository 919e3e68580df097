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
    /// ## Known limitations
    /// A phone in recovery or DFU mode is on the bus but not in usbmuxd's
    /// list; the USB layer's own rules report that case instead.
    pub static RULE = {
        id: RuleId::UsbNoDevice,
        title: "No iPhone is connected",
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

fn check(s: &Snapshot, out: &mut Findings) {
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
