use crate::rules::connection::history::{histories, History};
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone dropped off usbmuxd while it was being looked at: usbmuxd
    /// reported it `Detached`, or it came back `Attached` under a new
    /// DeviceID (it re-enumerated on the bus), or it was gone from the device
    /// list, or listed under another DeviceID, by the end of the per-phone
    /// probes. A phone that drops off for a fraction of a second looks fine
    /// in Finder or iTunes a moment later.
    ///
    /// ## Why the backup fails
    /// A backup is one long conversation with the phone over a usbmuxd
    /// tunnel. Every drop closes the tunnel: the backup stops with
    /// "the iPhone disconnected" or hangs at the same percentage, however
    /// healthy everything else is.
    ///
    /// ## Evidence used
    /// usbmuxd's `Listen` feed, followed for the whole check (at least 1.5 s,
    /// never past `--timeout`) or for the whole of `watch`; and the device list
    /// read again after the per-phone probes (vanished or changed DeviceID).
    /// Wi-Fi connections come and go by design and are not counted.
    pub static RULE = {
        id: "connection.unstable",
        title: "The iPhone dropped off the connection during the check",
        layer: Layer::Connection,
        severity: Severity::Warning,
        hides: &[],
        steps: &[
            step("Use another cable, ideally Apple's or a certified one: a worn cable or connector often keeps charging while the data link drops."),
            step("Plug the cable straight into a port of the computer itself, not a hub, keyboard, monitor or front-panel port, and try another port."),
            step("If a hub cannot be avoided, use one with its own power supply."),
            step_on(Platforms::LINUX, "Turn off USB autosuspend for the phone's port: find it with grep -l 05ac /sys/bus/usb/devices/*/idVendor, then run echo on | sudo tee /sys/bus/usb/devices/PORT/power/control (PORT being that folder, e.g. 1-2); to turn it off for every device, boot with the kernel option usbcore.autosuspend=-1."),
            step_on(Platforms::LINUX, "Turn Personal Hotspot off on the iPhone while backing up: with it on, the ipheth tethering driver binds the phone (dmesg shows \"Apple iPhone USB Ethernet device attached\") and usbmuxd loses the phone a minute or two later."),
            step_on(Platforms::LINUX, "Watch dmesg -w while it happens: \"USB disconnect\" lines mean the bus lost the phone (cable, port, power); none, while usbmuxd logs \"Removed device\", points at usbmuxd or a driver."),
            step_on(Platforms::WINDOWS, "Turn off USB power saving: in Device Manager, on each USB Root Hub, Power Management, untick \"Allow the computer to turn off this device to save power\", and set \"USB selective suspend\" to Disabled in the power plan's advanced settings."),
            step("Run iphone-backup-check watch while you wiggle the cable or wait: it prints every drop with a timestamp and tells whether the fix held."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    let mut seen: Vec<String> = Vec::new();
    if let Some(obs) = s.probes.mux_events.value() {
        let during = match obs.origin {
            ListenOrigin::Diagnose => format!(
                "in the {} s usbmuxd was followed during the check",
                secs(obs.window_ms)
            ),
            ListenOrigin::Watch => {
                format!("in the {} s watch followed usbmuxd", secs(obs.window_ms))
            }
        };
        for (key, h) in histories(obs) {
            let presence = s.device(&key).and_then(presence_lines);
            let mut f = finding_for(&key, &h, &during, obs.origin);
            for line in presence.into_iter().flatten() {
                f = f.evidence(line);
            }
            seen.push(key);
            out.push(f);
        }
        if let Some(end) = &obs.ended_early {
            if end.kind == FailureKind::Closed && seen.is_empty() {
                let mut f = Finding::new(&RULE)
                    .title("usbmuxd closed its connection during the check")
                    .confidence(Confidence::Likely)
                    .evidence(format!(
                        "{} after {} s of listening",
                        end.message,
                        secs(obs.window_ms)
                    ))
                    .evidence("the daemon stopped or restarted while the phones were being probed");
                if matches!(s.os_family(), OsFamily::Linux | OsFamily::Other) {
                    f = f.step("See why usbmuxd stopped: journalctl -u usbmuxd -b (udev starts it when a phone appears, and it may exit when the last one goes).");
                }
                out.push(f);
            }
        }
    }
    // Between the per-phone probes' start and end (no Listen evidence for it).
    for d in &s.probes.devices {
        if seen.contains(&d.udid) || d.connection == Some(MuxConnection::Network) {
            continue;
        }
        let Some(lines) = presence_lines(d) else {
            continue;
        };
        let mut f = Finding::new(&RULE).device(&d.udid);
        for l in lines {
            f = f.evidence(l);
        }
        out.push(f);
    }
}

fn finding_for(key: &str, h: &History, during: &str, origin: ListenOrigin) -> Finding {
    let drops = h.drops.len();
    let mut f = Finding::new(&RULE);
    // "DeviceID n" keys are phones usbmuxd never named.
    if !key.starts_with("DeviceID ") {
        f = f.device(key);
    }
    let when = match origin {
        ListenOrigin::Diagnose => "during the check",
        ListenOrigin::Watch => "while watched",
    };
    if drops > 0 {
        f = f.title(format!(
            "The iPhone dropped off the connection {} {when}",
            times(drops)
        ));
    } else {
        f = f.title(format!(
            "The iPhone re-connected under a new DeviceID {when}"
        ));
    }
    let mut summary = format!("usbmuxd reported it detached {}", times(drops));
    if !h.returns.is_empty() {
        summary.push_str(&format!(
            " and attached again {} with a new DeviceID",
            times(h.returns.len())
        ));
    }
    f = f.evidence(format!("{summary} {during}"));
    // The timeline, at most six steps, in order.
    let mut steps: Vec<(u64, String)> = h
        .drops
        .iter()
        .map(|(at, id)| (*at, format!("+{} s detached (DeviceID {id})", secs(*at))))
        .chain(h.returns.iter().map(|(at, id, before)| {
            let was = before.map(|b| format!(", was {b}")).unwrap_or_default();
            (
                *at,
                format!("+{} s attached as DeviceID {id}{was}", secs(*at)),
            )
        }))
        .collect();
    steps.sort();
    let more = steps.len().saturating_sub(6);
    let mut line: Vec<String> = steps.into_iter().take(6).map(|(_, s)| s).collect();
    if more > 0 {
        line.push(format!("{more} more"));
    }
    f = f.evidence(line.join("; "));
    if let Some(ms) = h.shortest_connected_ms {
        f = f.evidence(format!(
            "the shortest time it stayed connected was {} s",
            secs(ms)
        ));
    }
    if h.gone_at_end {
        f = f.evidence("it had not come back when listening ended");
    }
    f
}

/// The device stage's own evidence: the phone vanished from the device list,
/// or is listed under another DeviceID, by the end of the per-phone probes.
fn presence_lines(d: &DeviceObs) -> Option<Vec<String>> {
    let p = d.presence.value()?;
    let before = d.device_id?;
    if !p.still_listed {
        return Some(vec![format!(
            "usbmuxd listed it as DeviceID {before} when the per-phone probes started, and no longer listed it when they ended"
        )]);
    }
    match p.device_id_after {
        Some(after) if after != before => Some(vec![format!(
            "usbmuxd listed it as DeviceID {before} when the per-phone probes started and as DeviceID {after} when they ended: it re-connected in between"
        )]),
        _ => None,
    }
}

fn times(n: usize) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

fn secs(ms: u64) -> String {
    let s = format!("{:.2}", ms as f64 / 1000.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
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
        }
    }

    fn detached(at_ms: u64, id: u32) -> MuxEvent {
        MuxEvent {
            at_ms,
            kind: MuxEventKind::Detached,
            device_id: id,
            udid: Some(UDID.into()),
            device: None,
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

    #[test]
    fn fires_on_detach_and_reattach_with_a_new_device_id() {
        let mut s = world().phone().build();
        s.probes.mux_events = listened(vec![detached(400, 3), attached(900, 4)]);
        let f = only(&s, &RULE);
        assert_eq!(f.device.as_deref(), Some(UDID));
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            f.title,
            "The iPhone dropped off the connection once during the check"
        );
        assert!(
            f.evidence[0].contains("detached once and attached again once with a new DeviceID"),
            "{:?}",
            f.evidence
        );
        assert!(f.evidence[0].contains("1.5 s"), "{:?}", f.evidence);
        assert_eq!(
            f.evidence[1],
            "+0.4 s detached (DeviceID 3); +0.9 s attached as DeviceID 4, was 3"
        );
        // Linux host in the test world: autosuspend and Personal Hotspot steps.
        assert!(f
            .remediation
            .iter()
            .any(|r| r.contains("usbcore.autosuspend=-1")));
        assert!(f.remediation.iter().any(|r| r.contains("Personal Hotspot")));
        assert!(f.remediation.iter().any(|r| r.contains("hub")));
        assert!(!f.remediation.iter().any(|r| r.contains("Device Manager")));
    }

    #[test]
    fn says_how_often_and_when_it_stayed_away() {
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
        assert!(
            f.evidence.iter().any(|e| e.contains("0.05 s")),
            "{:?}",
            f.evidence
        );
        assert!(f.evidence.iter().any(|e| e.contains("had not come back")));
    }

    #[test]
    fn fires_on_the_device_stage_evidence_alone() {
        let s = world()
            .phone()
            .device(|d| {
                d.presence = Outcome::Ok {
                    duration_ms: 1,
                    value: PresenceObs {
                        still_listed: true,
                        device_id_after: Some(8),
                    },
                }
            })
            .build();
        let f = only(&s, &RULE);
        assert!(f.evidence[0].contains("as DeviceID 8"), "{:?}", f.evidence);

        let vanished = world()
            .phone()
            .device(|d| {
                d.presence = Outcome::Ok {
                    duration_ms: 1,
                    value: PresenceObs {
                        still_listed: false,
                        device_id_after: None,
                    },
                }
            })
            .build();
        assert!(only(&vanished, &RULE).evidence[0].contains("no longer listed"));
    }

    #[test]
    fn both_sources_make_one_finding() {
        let mut s = world()
            .phone()
            .device(|d| {
                d.presence = Outcome::Ok {
                    duration_ms: 1,
                    value: PresenceObs {
                        still_listed: true,
                        device_id_after: Some(4),
                    },
                }
            })
            .build();
        s.probes.mux_events = listened(vec![detached(400, 3), attached(900, 4)]);
        let f = only(&s, &RULE);
        assert!(f.evidence.iter().any(|e| e.contains("per-phone probes")));
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
        assert!(f.evidence[0].contains("0.42 s"), "{:?}", f.evidence);
    }

    #[test]
    fn silent_when_stable_new_wifi_or_not_listened() {
        // Stable phone, a quiet feed.
        let mut s = world().phone().build();
        s.probes.mux_events = listened(vec![]);
        assert!(fired(&s, &RULE).is_empty());
        // A second phone plugged in during the check is not a drop.
        let mut s = world().phone().build();
        s.probes.mux_events = listened(vec![MuxEvent {
            udid: Some("OTHER".into()),
            device: Some(usb_phone("OTHER", 9)),
            ..attached(200, 9)
        }]);
        assert!(fired(&s, &RULE).is_empty());
        // Old snapshot: nothing listened, presence unchanged.
        assert!(fired(&world().phone().build(), &RULE).is_empty());
        // The feed could not be opened: that is usbmuxd's rules' business.
        let mut s = world().phone().build();
        s.probes.mux_events = failed(FailureKind::Refused);
        assert!(fired(&s, &RULE).is_empty());
    }
}
