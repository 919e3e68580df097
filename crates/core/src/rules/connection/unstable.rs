use super::drops::{self, Headline};
use crate::format::secs;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone dropped off while it was being looked at: usbmuxd's
    /// `Listen` feed reported it `Detached`, or `Attached` again under a new
    /// DeviceID (it re-enumerated on the bus); or usbmuxd no longer listed
    /// it after the per-phone probes, or listed it under another DeviceID;
    /// or a connection to it closed in the middle of a conversation. A phone
    /// that drops off for a fraction of a second looks fine in Finder or
    /// iTunes a moment later.
    ///
    /// ## Why the backup fails
    /// A backup is one long conversation over a usbmuxd tunnel; every drop
    /// closes the tunnel. It shows up as a backup that stops at a random
    /// percentage, hangs, or ends with "the iPhone disconnected", however
    /// healthy everything else is.
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// usbmuxd's `Listen` feed, followed for the whole check (at least
    /// `--listen` seconds, never past `--timeout`) or for the whole of `watch`; usbmuxd's
    /// device list before and after the per-phone probes; the lockdownd
    /// connection closing mid-message, or usbmuxd's `Connect` answering that
    /// the device is gone (a backup service that closes on a phone still
    /// listed is the service's own trouble, `backup-service.refused`). Wi-Fi connections come
    /// and go by design and are not counted. A blocker while the phone is
    /// gone at the end, a warning once it is back. From `--from` files:
    /// usbmuxd's log (its add and remove lines; one removal long after the
    /// phone came, with no return, reads as an unplug and is not counted) and
    /// a kernel log (`USB disconnect` and `reset` lines of an Apple device's
    /// port; resets alone are a likely warning), each line quoted.
    ///
    /// ## Known limitations
    /// A check lasts a second or two; a link that drops every few minutes
    /// is only caught by `watch`.
    pub static RULE = {
        id: RuleId::ConnectionUnstable,
        title: "The iPhone dropped off the connection during the check",
        variants: &[NEW_DEVICE_ID, DROPPED, DAEMON_CLOSED, REPORTED, RESET],
        layer: Layer::Connection,
        severity: Severity::Blocker,
        hides: &[
            RuleId::BackupServiceRefused,
            RuleId::DeviceLocked,
            RuleId::TrustSessionFailed,
        ],
        steps: &[
            texts::CABLE,
            Fix::any("Plug the cable straight into a port of the computer itself, not a hub, keyboard, monitor or front-panel port, and try another port; on a laptop, plug the charger in so the port gets full power."),
            Fix::any("If a hub cannot be avoided, use one with its own power supply."),
            Fix::any("Turn off Personal Hotspot on the iPhone while backing up: it re-enumerates the USB link."),
            Fix::new(Platforms::LINUX, "Turn off USB autosuspend for the phone's port: find it with grep -l 05ac /sys/bus/usb/devices/*/idVendor, then run echo on | sudo tee /sys/bus/usb/devices/PORT/power/control (PORT being that folder, e.g. 1-2); to turn it off for every device, boot with the kernel option usbcore.autosuspend=-1."),
            Fix::new(Platforms::LINUX, "With Personal Hotspot on, the ipheth tethering driver binds the phone (dmesg shows \"Apple iPhone USB Ethernet device attached\") and usbmuxd loses the phone a minute or two later: turn the hotspot off, or unload ipheth (sudo modprobe -r ipheth) while backing up."),
            Fix::new(Platforms::LINUX, "Watch the link with sudo dmesg -w and journalctl -f -u usbmuxd while the phone is plugged in: \"USB disconnect\" lines mean the bus lost the phone (cable, port, power); none, while usbmuxd logs \"Removed device\", points at usbmuxd or a driver."),
            Fix::new(Platforms::WINDOWS, "Turn off USB power saving: in Device Manager, on each USB Root Hub, Power Management, untick \"Allow the computer to turn off this device to save power\", and set \"USB selective suspend\" to Disabled in the power plan's advanced settings."),
            Fix::any("Run iphone-backup-check watch while you wiggle the cable or wait: it prints every drop with a timestamp and shows whether the fix held."),
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

const REPORTED: Title = Title {
    when: "another tool reported the dropped connection (`--from`)",
    text: "The connection to the iPhone dropped while another tool used it",
};

const NEW_DEVICE_ID: Title = Title {
    when: "the phone came back under a new DeviceID without a seen drop",
    text: "The iPhone re-connected under a new DeviceID {when}",
};
const DROPPED: Title = Title {
    when: "the Listen feed saw the phone leave",
    text: "The iPhone dropped off the connection {times} {when}",
};
const RESET: Title = Title {
    when: "a kernel log shows the host resetting the phone's port, with no disconnect",
    text: "The iPhone's USB link was reset {times} in the kernel log",
};
const DAEMON_CLOSED: Title = Title {
    when: "usbmuxd itself closed the Listen feed",
    text: "The iPhone connection service (usbmuxd) hung up during the check",
};

fn check(s: &Snapshot, out: &mut Findings) {
    for r in out.reported_for(RULE.id) {
        out.push(r.finding(&RULE).title(&REPORTED));
    }
    for (key, phone) in drops::timeline(s) {
        if phone.signals.is_empty() {
            continue;
        }
        let mut f = Finding::new(&RULE);
        if !key.starts_with("DeviceID ") && !key.starts_with(drops::PORT_KEY) {
            f = f.device(key);
        }
        if let Some(h) = phone.headline {
            f = f.titled(headline(h));
        }
        if !phone.signals.iter().any(|s| s.direct) {
            f = f.confidence(Confidence::Likely);
        }
        if !phone.signals.iter().any(|s| s.gone) {
            f = f.at_most(Severity::Warning);
        }
        for s in phone.signals {
            f = match s.quote {
                Some(q) if s.line.is_empty() => f.quoted(&q),
                q => f.evidence(s.line).quoting(q.as_ref()),
            };
        }
        out.push(f);
    }
    if let Some(obs) = s.probes.mux_events.value() {
        daemon_closed(s, obs, out);
    }
}

/// The finding's title for what the timeline says happened first.
fn headline(h: Headline) -> String {
    match h {
        Headline::NewDeviceId { when } => NEW_DEVICE_ID.fill(&[("when", when)]),
        Headline::Dropped { times, when } => {
            DROPPED.fill(&[("times", &drops::times(times)), ("when", when)])
        }
        Headline::Reset { times } => RESET.fill(&[("times", &drops::times(times))]),
    }
}

/// usbmuxd itself closed the Listen feed and no phone explains it.
fn daemon_closed(s: &Snapshot, obs: &ListenObs, out: &mut Findings) {
    let Some(end) = &obs.ended_early else {
        return;
    };
    if end.kind != FailureKind::Closed || !histories(obs).is_empty() {
        return;
    }
    let mut f = Finding::new(&RULE)
        .title(&DAEMON_CLOSED)
        .confidence(Confidence::Likely)
        .at_most(Severity::Warning)
        .evidence(format!(
            "{} after {} of listening",
            end.message,
            secs(obs.window_ms)
        ))
        .evidence("the daemon stopped or restarted while the phones were being probed");
    if matches!(s.os_family(), OsFamily::Linux | OsFamily::Other) {
        f = f.step("See why usbmuxd stopped: journalctl -u usbmuxd -b (udev starts it when a phone appears, and it may exit when the last one goes).");
    }
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::rules::testing_device::UDID;

    fn attached(at_ms: u64, id: u32) -> MuxEvent {
        MuxEvent {
            at_ms,
            kind: MuxEventKind::Attached,
            device_id: id,
            udid: Some(UDID.into()),
            device: Some(usb_phone(UDID, id)),
            quote: None,
        }
    }

    fn detached(at_ms: u64, id: u32) -> MuxEvent {
        MuxEvent {
            at_ms,
            kind: MuxEventKind::Detached,
            device_id: id,
            udid: Some(UDID.into()),
            device: None,
            quote: None,
        }
    }

    fn listened(events: Vec<MuxEvent>) -> Outcome<ListenObs> {
        Outcome::Ok {
            duration_ms: 1500,
            value: ListenObs {
                origin: ListenOrigin::Diagnose,
                window_ms: 1500,
                present_at_start: vec![usb_phone(UDID, 3)],
                events,
                ended_early: None,
            },
        }
    }

    fn presence(still_listed: bool, after: Option<u32>) -> impl FnOnce(&mut DeviceObs) {
        move |d| {
            d.presence = Outcome::Ok {
                duration_ms: 1,
                value: PresenceObs {
                    still_listed,
                    device_id_after: after,
                },
            }
        }
    }

    #[test]
    fn fires_on_detach_and_reattach_with_a_new_device_id() {
        let mut s = world().phone().build();
        s.probes.mux_events = listened(vec![detached(400, 3), attached(900, 4)]);
        let f = only(&s, &RULE);
        assert_eq!(f.device.as_deref(), Some(UDID));
        assert_eq!(f.severity, Severity::Warning, "it came back");
        assert_eq!(f.confidence, Confidence::Certain);
        assert_eq!(
            f.title,
            "The iPhone dropped off the connection once during the check"
        );
        assert!(
            f.says("detached once and attached again once with a new DeviceID"),
            "{:?}",
            f.evidence
        );
        assert!(f.says("1.5 s"), "{:?}", f.evidence);
        assert!(
            f.states("+0.4 s detached (DeviceID 3); +0.9 s attached as DeviceID 4, was 3"),
            "{:?}",
            f.evidence
        );
        // Linux host in the test world: autosuspend and Personal Hotspot steps.
        assert!(f
            .remediation
            .iter()
            .any(|r| r.contains("usbcore.autosuspend=-1")));
        assert!(f.remediation.iter().any(|r| r.contains("ipheth")));
        assert!(f.remediation.iter().any(|r| r.contains("hub")));
        assert!(!f.remediation.iter().any(|r| r.contains("Device Manager")));
    }

    #[test]
    fn says_how_often_and_blocks_while_it_stays_away() {
        let mut s = world().phone().build();
        s.probes.mux_events = listened(vec![
            detached(100, 3),
            attached(300, 4),
            detached(350, 4),
            attached(700, 5),
            detached(1200, 5),
        ]);
        let f = only(&s, &RULE);
        assert!(f.title.contains("3 times"), "{}", f.title);
        assert_eq!(f.severity, Severity::Blocker);
        assert!(f.says("0.05 s"), "{:?}", f.evidence);
        assert!(f.says("had not come back"));
    }

    #[test]
    fn watch_events_are_worded_for_watch() {
        let mut s = world().phone().build();
        s.probes.mux_events = listened(vec![detached(61_000, 3), attached(61_500, 4)]);
        if let Some(v) = s.probes.mux_events.value_mut() {
            v.origin = ListenOrigin::Watch;
            v.window_ms = 120_000;
        }
        let f = only(&s, &RULE);
        assert!(f.title.ends_with("while watched"), "{}", f.title);
        assert!(f.says("120 s watch followed"), "{:?}", f.evidence);
    }

    #[test]
    fn vanished_phone_blocks() {
        let s = world()
            .phone()
            .device(presence(false, None))
            .device(|d| {
                if let Some(l) = d.lockdown.value_mut() {
                    l.session = SessionObs::NotAttempted;
                    l.aborted = Some(Failure::new(FailureKind::Closed, "the phone closed the connection after 0 of 4 bytes of the answer to StartSession"));
                }
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Blocker);
        assert_eq!(f.confidence, Confidence::Certain);
        assert_eq!(f.evidence_lines().len(), 2);
        assert!(f.says("StartSession"));
    }

    #[test]
    fn new_device_id_warns() {
        let s = world().phone().device(presence(true, Some(9))).build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.says("DeviceID 9 (it was 3)"));
    }

    #[test]
    fn both_sources_make_one_finding() {
        let mut s = world().phone().device(presence(true, Some(4))).build();
        s.probes.mux_events = listened(vec![detached(400, 3), attached(900, 4)]);
        let f = only(&s, &RULE);
        assert!(f.title.contains("once"), "{}", f.title);
        assert!(f.says("DeviceID 4 (it was 3)"));
        assert!(f.says("detached once"));
    }

    #[test]
    fn a_phone_the_feed_saw_come_back_is_not_gone() {
        let mut s = world().phone().device(presence(false, None)).build();
        s.probes.mux_events = listened(vec![detached(160, 3), attached(190, 4)]);
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Warning);
        assert!(
            f.evidence_lines()
                .last()
                .unwrap()
                .ends_with("still being followed)"),
            "{:?}",
            f.evidence
        );
    }

    #[test]
    fn a_daemon_that_closes_the_feed_is_reported_without_a_phone() {
        let mut s = world().mux_ok(vec![]).build();
        let mut l = listened(vec![]);
        if let Some(v) = l.value_mut() {
            v.present_at_start.clear();
            v.ended_early = Some(Failure::new(
                FailureKind::Closed,
                "usbmuxd closed the Listen connection",
            ));
            v.window_ms = 420;
        }
        s.probes.mux_events = l;
        let f = only(&s, &RULE);
        assert_eq!(f.device, None);
        assert_eq!(f.confidence, Confidence::Likely);
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.says("0.42 s"), "{:?}", f.evidence);
    }

    #[test]
    fn silent_when_steady_new_phone_wifi_or_not_listened() {
        // Steady phone, a quiet feed.
        let mut s = world().phone().build();
        s.probes.mux_events = listened(vec![]);
        assert!(fired(&s, &RULE).is_empty());
        // A second phone plugged in during the check is not a drop.
        let mut s = world().phone().build();
        s.probes.mux_events = listened(vec![MuxEvent {
            udid: Some("OTHER".into()),
            device: Some(usb_phone("OTHER", 9)),
            quote: None,
            ..attached(200, 9)
        }]);
        assert!(fired(&s, &RULE).is_empty());
        // Old snapshot: nothing listened, presence unchanged.
        assert!(fired(&world().phone().build(), &RULE).is_empty());
        // The feed could not be opened: that is usbmuxd's rules' business.
        let mut s = world().phone().build();
        s.probes.mux_events = failed(FailureKind::Refused);
        assert!(fired(&s, &RULE).is_empty());
        // A backup service closing on a listed phone is the service's trouble.
        let s = world()
            .phone()
            .device(|d| d.backup_service = failed(FailureKind::Closed))
            .build();
        assert!(fired(&s, &RULE).is_empty(), "the service's trouble");
        // Other lockdown failures are not drops.
        let s = world()
            .phone()
            .device(|d| d.lockdown = failed(FailureKind::Refused))
            .build();
        assert!(fired(&s, &RULE).is_empty());
    }

    fn link(kind: LinkEventKind, line: u64) -> LinkEvent {
        LinkEvent {
            kind,
            port: "1-4".into(),
            udid: None,
            speed: Some(UsbSpeed::High),
            quote: Quote {
                file: "dmesg.txt".into(),
                line,
                text: format!("usb 1-4: line {line}"),
            },
        }
    }

    #[test]
    fn kernel_drops_are_judged_and_quoted() {
        let mut s = world().build();
        s.probes.link_events = vec![
            link(LinkEventKind::Connected, 1),
            link(LinkEventKind::Disconnected, 5),
            link(LinkEventKind::Connected, 9),
        ];
        let f = only(&s, &RULE);
        assert_eq!(f.device, None, "the kernel named no UDID");
        assert_eq!(f.severity, Severity::Warning, "it came back");
        assert_eq!(
            f.title,
            "The iPhone dropped off the connection once in the kernel log"
        );
        assert!(
            f.quotes()
                .any(|q| q.line == 5 && q.text == "usb 1-4: line 5"),
            "{:?}",
            f.evidence
        );
        s.probes.link_events.pop();
        assert_eq!(
            only(&s, &RULE).severity,
            Severity::Blocker,
            "gone at the end"
        );
        s.probes.link_events = vec![
            link(LinkEventKind::Connected, 1),
            link(LinkEventKind::Reset, 2),
        ];
        let f = only(&s, &RULE);
        assert_eq!(
            f.title,
            "The iPhone's USB link was reset once in the kernel log"
        );
        assert_eq!(f.confidence, Confidence::Likely);
        s.probes.link_events = vec![link(LinkEventKind::Connected, 1)];
        assert!(
            fired(&s, &RULE).is_empty(),
            "one enumeration is a healthy plug"
        );
    }

    #[test]
    fn a_log_that_ends_with_an_unplug_is_not_a_drop() {
        let mut s = world().build();
        let logged = |events: Vec<MuxEvent>| Outcome::Ok {
            duration_ms: 0,
            value: ListenObs {
                origin: ListenOrigin::Log,
                window_ms: 60_000,
                events,
                ..Default::default()
            },
        };
        s.probes.mux_events = logged(vec![attached(0, 1), detached(48_000, 1)]);
        assert!(fired(&s, &RULE).is_empty(), "removed 48 s later: unplugged");
        let mut quick = detached(86, 1);
        quick.quote = Some(Quote {
            file: "usbmuxd.log".into(),
            line: 8,
            text: "Removed device 1 on location 0x10004".into(),
        });
        s.probes.mux_events = logged(vec![attached(0, 1), quick]);
        let f = only(&s, &RULE);
        assert_eq!(
            f.title,
            "The iPhone dropped off the connection once in usbmuxd's log"
        );
        assert!(f.says("usbmuxd.log:8: Removed"), "{:?}", f.evidence);
        assert!(f.says("when the log ends"));
    }
}
