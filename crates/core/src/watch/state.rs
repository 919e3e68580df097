//! What `watch` knows about each phone, and the lines it prints when that
//! changes. No I/O and no clock: every call takes the time (milliseconds
//! since watching started) from the caller, so it is tested like a rule.

use std::collections::{BTreeMap, HashSet};

use crate::exit::ExitStatus;
use crate::phone_log::BackupLogTracker;
use crate::rules::{self, Verdict};
use crate::snapshot::{
    histories, Failure, ListenObs, ListenOrigin, LockdownError, MuxConnection, MuxDevice, MuxEvent,
    MuxEventKind, Outcome, Snapshot, TrustState, UsbMode, APPLE_VENDOR_ID,
};
use crate::watch::{
    EventTracker, ListenMessage, PhoneSummary, UsbNotice, WatchEvent, WatchEventKind, WatchSummary,
};

mod backup_log;

/// How `watch` decides when to look at a phone again.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Quiet time after the last plug event before a phone is diagnosed.
    pub settle_ms: u64,
    /// Re-check a settled phone this often for lock and trust changes; 0: never.
    pub recheck_ms: u64,
}

#[derive(Debug, Clone, Default)]
struct Phone {
    device_id: Option<u32>,
    connection: MuxConnection,
    connected: bool,
    /// When it (re)appeared; None when it was already there at the start.
    up_since: Option<u64>,
    last_event_ms: u64,
    /// Bumped by every plug event; a diagnosis started before the last
    /// event is stale.
    generation: u64,
    /// A diagnosis should run once the phone has settled.
    settle_pending: bool,
    /// The generation a running diagnosis was started for.
    diagnosing: Option<u64>,
    /// The next periodic re-check.
    recheck_at: Option<u64>,
    /// How usbmuxd last listed it.
    listed: Option<MuxDevice>,
    /// A diagnosis reads the events since the previous one was printed,
    /// so a drop is reported once and a fixed link can show "ready" again.
    report_from_ms: u64,
    report_from_listed: Option<MuxDevice>,
    verdict: Option<Verdict>,
    top: Option<String>,
    locked: Option<bool>,
    trust: Option<String>,
    /// The phone's backup log, as followed so far.
    log: Option<BackupLogTracker>,
    /// A follower reads its log now.
    following: bool,
    /// The last follower ended: try again only after the next diagnosis, so
    /// a phone that refuses its relay is not asked again and again.
    follow_held: bool,
}

/// The state of a watch session.
#[derive(Debug)]
pub struct WatchState {
    udid: Option<String>,
    timing: Timing,
    phones: BTreeMap<String, Phone>,
    /// Names `Detached` and drops the initial burst, per daemon session.
    tracker: EventTracker,
    daemon_up: bool,
    /// A daemon-lost line was printed and no daemon-back since.
    down_reported: bool,
    ever_connected: bool,
    daemon_losses: usize,
    /// Every plug event so far, as diagnoses read them.
    log: ListenObs,
    /// A running backup with no progress line for this long is a stall.
    stall_ms: u64,
    /// Plug events not kept (see `record` and `MAX_PHONES`).
    ignored_events: u64,
}

/// At most this many phones are followed: a feed naming more is flooding.
pub const MAX_PHONES: usize = 64;
/// At most this many plug events are kept for the diagnoses and the summary.
pub const MAX_EVENTS: usize = 4096;

impl WatchState {
    pub fn new(udid: Option<String>, timing: Timing) -> Self {
        Self {
            udid,
            timing,
            phones: BTreeMap::new(),
            tracker: EventTracker::new(&[]),
            daemon_up: false,
            down_reported: false,
            ever_connected: false,
            daemon_losses: 0,
            log: ListenObs {
                origin: ListenOrigin::Watch,
                ..ListenObs::default()
            },
            stall_ms: crate::phone_log::DEFAULT_STALL_MS,
            ignored_events: 0,
        }
    }

    fn wanted(&self, udid: &str) -> bool {
        self.udid.as_deref().is_none_or(|u| u == udid)
    }

    /// usbmuxd accepted `Listen` and listed `present`: the first time, or
    /// again after it was lost.
    pub fn on_connected(&mut self, present: &[MuxDevice], at_ms: u64) -> Vec<WatchEvent> {
        let mut out = Vec::new();
        let first = !self.ever_connected;
        if self.down_reported {
            out.push(WatchEvent {
                at_ms,
                kind: WatchEventKind::DaemonBack {
                    phones: present.len(),
                },
            });
        }
        self.daemon_up = true;
        self.down_reported = false;
        self.ever_connected = true;
        self.tracker = EventTracker::new(present);
        if first {
            self.log.present_at_start = present
                .iter()
                .filter(|d| self.wanted(&d.udid))
                .cloned()
                .collect();
        }
        let listed: HashSet<&str> = present.iter().map(|d| d.udid.as_str()).collect();
        // Phones that went away while the daemon was gone.
        let gone: Vec<String> = self
            .phones
            .iter()
            .filter(|(u, p)| p.connected && !listed.contains(u.as_str()))
            .map(|(u, _)| u.clone())
            .collect();
        for udid in gone {
            let id = self
                .phones
                .get(&udid)
                .and_then(|p| p.device_id)
                .unwrap_or(0);
            out.extend(self.detach(&udid, id, at_ms, true));
        }
        for d in present {
            if !self.wanted(&d.udid) {
                continue;
            }
            if !self.phones.contains_key(&d.udid) && self.phones.len() >= MAX_PHONES {
                self.ignored_events += 1;
                continue;
            }
            let was = self.phones.get(&d.udid).map(|p| p.connected);
            match was {
                Some(true) => {
                    // Still there; a restarted daemon numbers phones anew.
                    if let Some(p) = self.phones.get_mut(&d.udid) {
                        p.device_id = Some(d.device_id);
                    }
                }
                _ => out.extend(self.attach(d, at_ms, first)),
            }
        }
        out
    }

    /// One message of the feed.
    pub fn on_message(&mut self, msg: ListenMessage, at_ms: u64) -> Vec<WatchEvent> {
        let Some(event) = self.tracker.event(msg, at_ms) else {
            return Vec::new();
        };
        let Some(udid) = event.udid.clone().filter(|u| self.wanted(u)) else {
            return Vec::new();
        };
        // A feed naming ever new phones is flooding: past MAX_PHONES the
        // new ones are counted, not followed (issue 30).
        if !self.phones.contains_key(&udid) && self.phones.len() >= MAX_PHONES {
            self.ignored_events += 1;
            return Vec::new();
        }
        match (event.kind, event.device) {
            (MuxEventKind::Attached, Some(d)) => self.attach(&d, at_ms, false),
            (MuxEventKind::Attached, None) => Vec::new(),
            (MuxEventKind::Detached, _) => self.detach(&udid, event.device_id, at_ms, false),
            (MuxEventKind::Paired, _) => {
                let device_id = event.device_id;
                self.record(MuxEvent {
                    at_ms,
                    kind: MuxEventKind::Paired,
                    device_id,
                    udid: Some(udid.clone()),
                    device: None,
                    quote: None,
                });
                let p = self.phones.entry(udid.clone()).or_default();
                p.generation += 1;
                p.last_event_ms = at_ms;
                p.settle_pending = true;
                vec![WatchEvent {
                    at_ms,
                    kind: WatchEventKind::Paired { udid, device_id },
                }]
            }
        }
    }

    /// Keeps a plug event for the diagnoses and the summary; past
    /// MAX_EVENTS the oldest half goes (counted), so a flooding feed
    /// holds memory still.
    fn record(&mut self, event: MuxEvent) {
        if self.log.events.len() >= MAX_EVENTS {
            self.log.events.drain(..MAX_EVENTS / 2);
            self.ignored_events += (MAX_EVENTS / 2) as u64;
        }
        self.log.events.push(event);
    }

    /// Plug events not kept: from phones past MAX_PHONES, and the oldest
    /// of a log past MAX_EVENTS.
    pub fn ignored_events(&self) -> u64 {
        self.ignored_events
    }

    /// The feed broke off, or usbmuxd could not be reached.
    pub fn on_lost(&mut self, failure: &Failure, at_ms: u64) -> Vec<WatchEvent> {
        self.daemon_up = false;
        if self.down_reported {
            return Vec::new();
        }
        self.down_reported = true;
        self.daemon_losses += 1;
        vec![WatchEvent {
            at_ms,
            kind: WatchEventKind::DaemonLost {
                failure: failure.clone(),
                ever_connected: self.ever_connected,
            },
        }]
    }

    /// A USB hotplug notice from libusb.
    pub fn on_usb(&mut self, notice: UsbNotice, at_ms: u64) -> WatchEvent {
        let mode = notice
            .product_id
            .map_or(UsbMode::Other, |p| UsbMode::from_ids(APPLE_VENDOR_ID, p));
        WatchEvent {
            at_ms,
            kind: WatchEventKind::Usb { notice, mode },
        }
    }

    fn attach(&mut self, d: &MuxDevice, at_ms: u64, initial: bool) -> Vec<WatchEvent> {
        let p = self.phones.entry(d.udid.clone()).or_default();
        let before = p.device_id;
        p.device_id = Some(d.device_id);
        p.connection = d.connection;
        p.listed = Some(d.clone());
        p.connected = true;
        p.up_since = (!initial).then_some(at_ms);
        p.last_event_ms = at_ms;
        p.generation += 1;
        p.settle_pending = true;
        p.recheck_at = None;
        if !initial {
            self.record(MuxEvent {
                at_ms,
                kind: MuxEventKind::Attached,
                device_id: d.device_id,
                udid: Some(d.udid.clone()),
                device: Some(d.clone()),
                quote: None,
            });
        }
        vec![WatchEvent {
            at_ms,
            kind: WatchEventKind::Attached {
                device: d.clone(),
                previous_device_id: before,
                initial,
            },
        }]
    }

    fn detach(
        &mut self,
        udid: &str,
        device_id: u32,
        at_ms: u64,
        while_daemon_away: bool,
    ) -> Vec<WatchEvent> {
        let p = self.phones.entry(udid.to_string()).or_default();
        if !p.connected {
            return Vec::new();
        }
        let connected_ms = p.up_since.map(|s| at_ms.saturating_sub(s));
        p.connected = false;
        p.following = false;
        p.up_since = None;
        p.last_event_ms = at_ms;
        p.generation += 1;
        p.settle_pending = false;
        p.recheck_at = None;
        self.record(MuxEvent {
            at_ms,
            kind: MuxEventKind::Detached,
            device_id,
            udid: Some(udid.to_string()),
            device: None,
            quote: None,
        });
        vec![WatchEvent {
            at_ms,
            kind: WatchEventKind::Detached {
                udid: udid.to_string(),
                device_id,
                connected_ms,
                while_daemon_away,
            },
        }]
    }

    /// Phones to diagnose now, with whether each is a periodic re-check.
    /// Marks them as being diagnosed.
    pub fn due(&mut self, now_ms: u64) -> Vec<(String, u64, bool)> {
        self.due_at_most(now_ms, usize::MAX)
    }

    /// [`Self::due`], at most `limit` of them (the rest stay due): `watch`
    /// runs a bounded number of diagnoses at once.
    pub fn due_at_most(&mut self, now_ms: u64, limit: usize) -> Vec<(String, u64, bool)> {
        let settle = self.timing.settle_ms;
        let mut out = Vec::new();
        for (udid, p) in &mut self.phones {
            if out.len() >= limit {
                break;
            }
            if !p.connected || p.diagnosing.is_some() {
                continue;
            }
            if p.settle_pending && now_ms >= p.last_event_ms + settle {
                p.diagnosing = Some(p.generation);
                out.push((udid.clone(), p.generation, false));
            } else if !p.settle_pending && p.recheck_at.is_some_and(|t| now_ms >= t) {
                p.diagnosing = Some(p.generation);
                out.push((udid.clone(), p.generation, true));
            }
        }
        out
    }

    /// When `due` may next have something, if ever.
    pub fn next_wakeup(&self) -> Option<u64> {
        let diagnose = self
            .phones
            .values()
            .filter(|p| p.connected && p.diagnosing.is_none())
            .filter_map(|p| {
                if p.settle_pending {
                    Some(p.last_event_ms + self.timing.settle_ms)
                } else {
                    p.recheck_at
                }
            })
            .min();
        match (diagnose, self.next_stall()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The plug events so far, as the snapshot of a re-diagnosis carries them.
    pub fn listen_obs(&self, at_ms: u64) -> ListenObs {
        ListenObs {
            window_ms: at_ms,
            ..self.log.clone()
        }
    }

    /// One phone's events since its previous diagnosis was printed, with
    /// times counted from then.
    fn listen_obs_since_report(&self, udid: &str, at_ms: u64) -> ListenObs {
        let Some(p) = self.phones.get(udid) else {
            return self.listen_obs(at_ms);
        };
        let from = p.report_from_ms;
        ListenObs {
            origin: ListenOrigin::Watch,
            window_ms: at_ms.saturating_sub(from),
            present_at_start: if from == 0 {
                self.log.present_at_start.clone()
            } else {
                p.report_from_listed.iter().cloned().collect()
            },
            events: self
                .log
                .events
                .iter()
                .filter(|e| e.at_ms >= from && e.udid.as_deref() == Some(udid))
                .map(|e| MuxEvent {
                    at_ms: e.at_ms - from,
                    ..e.clone()
                })
                .collect(),
            ended_early: None,
        }
    }

    /// A diagnosis finished. Stale results (the phone moved since it
    /// started) are dropped and the phone is diagnosed again once settled.
    pub fn on_diagnosis(
        &mut self,
        udid: &str,
        generation: u64,
        recheck: bool,
        mut snapshot: Snapshot,
        at_ms: u64,
    ) -> Vec<WatchEvent> {
        let obs = self.listen_obs_since_report(udid, at_ms);
        let recheck_ms = self.timing.recheck_ms;
        let Some(p) = self.phones.get_mut(udid) else {
            return Vec::new();
        };
        p.diagnosing = None;
        if p.generation != generation || !p.connected {
            return Vec::new();
        }
        p.settle_pending = false;
        p.follow_held = false;
        p.recheck_at = (recheck_ms > 0).then(|| at_ms + recheck_ms);
        p.report_from_ms = at_ms;
        p.report_from_listed = p.listed.clone();
        snapshot.probes.mux_events = Outcome::Ok {
            duration_ms: at_ms,
            value: obs,
        };
        if let Some(t) = p.log.as_mut() {
            t.refresh_stall(at_ms);
            if let Some(d) = snapshot
                .probes
                .devices
                .iter_mut()
                .find(|d| crate::snapshot::same_udid(&d.udid, udid))
            {
                d.backup_log = Some(Outcome::Ok {
                    duration_ms: at_ms,
                    value: t.obs().clone(),
                });
            }
        }
        let d = rules::diagnose(&snapshot, Some(udid));
        let mut out = Vec::new();

        let dev = snapshot.device(udid);
        let locked = dev.and_then(|d| {
            let l = d.lockdown()?;
            l.password_protected.or_else(|| {
                (l.session.refusal() == Some(LockdownError::PasswordProtected)).then_some(true)
            })
        });
        let trust = dev.and_then(TrustState::of).map(|t| t.label());
        if let (Some(before), Some(now)) = (p.locked, locked) {
            if before != now {
                out.push(WatchEvent {
                    at_ms,
                    kind: WatchEventKind::Lock {
                        udid: udid.to_string(),
                        locked: now,
                    },
                });
            }
        }
        if let (Some(before), Some(now)) = (&p.trust, &trust) {
            if before != now {
                out.push(WatchEvent {
                    at_ms,
                    kind: WatchEventKind::Trust {
                        udid: udid.to_string(),
                        now: now.clone(),
                        was: before.clone(),
                    },
                });
            }
        }
        if locked.is_some() {
            p.locked = locked;
        }
        if trust.is_some() {
            p.trust = trust;
        }

        let top_id = d.findings.first().map(|f| f.id.to_string());
        let changed = p.verdict != Some(d.verdict) || p.top != top_id;
        p.verdict = Some(d.verdict);
        p.top = top_id;
        if recheck && !changed {
            return out;
        }
        out.push(WatchEvent {
            at_ms,
            kind: WatchEventKind::Diagnosis {
                udid: udid.to_string(),
                recheck,
                verdict: d.verdict,
                findings: d.findings,
            },
        });
        out
    }

    /// A diagnosis task died: try again once the phone has settled.
    pub fn on_diagnosis_failed(&mut self, udid: &str) {
        if let Some(p) = self.phones.get_mut(udid) {
            p.diagnosing = None;
            p.settle_pending = true;
        }
    }

    /// The closing line and the exit status: 130 for Ctrl-C; otherwise 2
    /// when no phone is connected at the end (or usbmuxd is gone) or a
    /// phone's latest diagnosis has a blocker, 1 when a phone dropped off or
    /// a latest diagnosis has warnings, else 0.
    pub fn summary(&self, at_ms: u64, interrupted: bool) -> (WatchEvent, ExitStatus) {
        // Read from the event log the way `connection.unstable` reads it.
        let histories = histories(&self.log);
        let drops = |udid: &str| histories.get(udid).map_or(0, |h| h.drops.len());
        let disconnects: usize = histories.values().map(|h| h.drops.len()).sum();
        let shortest_connected_ms = histories
            .values()
            .filter_map(|h| h.shortest_connected_ms)
            .min();
        let connected: Vec<&String> = self
            .phones
            .iter()
            .filter(|(_, p)| p.connected)
            .map(|(u, _)| u)
            .collect();
        let worst = self
            .phones
            .values()
            .filter(|p| p.connected)
            .filter_map(|p| p.verdict)
            .max();
        let status = if interrupted {
            ExitStatus::Interrupted
        } else if !self.daemon_up || connected.is_empty() || worst == Some(Verdict::Blocked) {
            ExitStatus::Blocked
        } else if disconnects > 0 || matches!(worst, Some(Verdict::Warnings | Verdict::Incomplete))
        {
            ExitStatus::Warnings
        } else {
            ExitStatus::Ready
        };
        let phones = self
            .phones
            .iter()
            .map(|(u, p)| PhoneSummary {
                udid: u.clone(),
                connected: p.connected,
                disconnects: drops(u),
                verdict: p.verdict,
                top: p.top.clone(),
            })
            .collect();
        let event = WatchEvent {
            at_ms,
            kind: WatchEventKind::Summary(WatchSummary {
                duration_ms: at_ms,
                disconnects,
                shortest_connected_ms,
                daemon_losses: self.daemon_losses,
                daemon_up: self.daemon_up,
                interrupted,
                status,
                phones,
            }),
        };
        (event, status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::secs;
    use crate::report::watch::{data, text, type_name};
    use crate::rules::RuleId;
    use crate::snapshot::{FailureKind, SessionObs};
    use serde_json::Value;

    const TIMING: Timing = Timing {
        settle_ms: 2000,
        recheck_ms: 0,
    };

    fn phone(id: u32) -> MuxDevice {
        MuxDevice {
            device_id: id,
            udid: "U".into(),
            connection: MuxConnection::Usb,
            ..Default::default()
        }
    }

    /// The NDJSON types of the events, as `watch --json` prints them.
    fn kinds(lines: &[WatchEvent]) -> Vec<&'static str> {
        lines.iter().map(|l| type_name(&l.kind)).collect()
    }

    /// A feed naming ever new phones, then one phone flapping without
    /// pause: a bounded number of phones and events is kept, the rest
    /// counted, and at most `limit` diagnoses are handed out at once.
    #[test]
    fn a_flooding_feed_is_kept_within_bounds() {
        let mut w = WatchState::new(None, TIMING);
        w.on_connected(&[], 0);
        for i in 1..=200u32 {
            let d = MuxDevice {
                udid: format!("P{i}"),
                ..phone(i)
            };
            w.on_message(ListenMessage::Attached(d), 1);
        }
        assert_eq!(w.phones.len(), MAX_PHONES);
        assert_eq!(w.ignored_events(), 200 - MAX_PHONES as u64);
        assert_eq!(w.due_at_most(10_000, 4).len(), 4);
        for i in 0..3 * MAX_EVENTS as u64 {
            w.on_message(ListenMessage::Detached { device_id: 1 }, 20_000 + i);
            w.on_message(
                ListenMessage::Attached(MuxDevice {
                    udid: "P1".into(),
                    ..phone(1)
                }),
                20_000 + i,
            );
        }
        assert!(w.log.events.len() <= MAX_EVENTS);
        assert!(w.ignored_events() > 2 * MAX_EVENTS as u64);
    }

    #[test]
    fn initial_burst_then_drop_and_return() {
        let mut w = WatchState::new(None, TIMING);
        let l = w.on_connected(&[phone(3)], 0);
        assert_eq!(kinds(&l), ["attached"]);
        assert_eq!(data(&l[0].kind)["initial"], true);
        // The Listen burst repeats the present phone: no new line.
        assert!(w
            .on_message(ListenMessage::Attached(phone(3)), 5)
            .is_empty());
        let gone = w.on_message(ListenMessage::Detached { device_id: 3 }, 400);
        assert_eq!(kinds(&gone), ["detached"]);
        assert_eq!(data(&gone[0].kind)["connected_ms"], Value::Null);
        let back = w.on_message(ListenMessage::Attached(phone(4)), 900);
        assert_eq!(data(&back[0].kind)["previous_device_id"], 3);
        assert_eq!(data(&back[0].kind)["initial"], false);
        let again = w.on_message(ListenMessage::Detached { device_id: 4 }, 1200);
        assert_eq!(data(&again[0].kind)["connected_ms"], 300);
        w.on_message(ListenMessage::Attached(phone(5)), 1500);
        let (s, status) = w.summary(10_000, false);
        assert_eq!(data(&s.kind)["disconnects"], 2);
        assert_eq!(data(&s.kind)["shortest_connected_ms"], 300);
        assert_eq!(status, ExitStatus::Warnings);
        assert!(text(&s.kind).contains("2 disconnects"), "{}", text(&s.kind));
        assert_eq!(w.summary(10_000, true).1, ExitStatus::Interrupted);
        // The log diagnoses read has the two drops and two returns.
        assert_eq!(w.listen_obs(10_000).events.len(), 4);
    }

    #[test]
    fn settles_before_diagnosing_and_a_stale_result_is_dropped() {
        let mut w = WatchState::new(None, TIMING);
        w.on_connected(&[phone(3)], 0);
        assert!(w.due(1999).is_empty());
        assert_eq!(w.next_wakeup(), Some(2000));
        let due = w.due(2000);
        assert_eq!(due.len(), 1);
        let (udid, generation, recheck) = due[0].clone();
        assert!(!recheck);
        // The phone drops while it is being diagnosed.
        w.on_message(ListenMessage::Detached { device_id: 3 }, 2500);
        w.on_message(ListenMessage::Attached(phone(4)), 2600);
        let snap = Snapshot::new(Default::default());
        assert!(w
            .on_diagnosis(&udid, generation, false, snap.clone(), 3000)
            .is_empty());
        assert_eq!(w.next_wakeup(), Some(4600));
        let due = w.due(4600);
        let lines = w.on_diagnosis(&due[0].0, due[0].1, false, snap, 5000);
        assert_eq!(kinds(&lines), ["diagnosis"]);
        // The drop seen while watching is in the diagnosis.
        let data = data(&lines[0].kind);
        let ids = data["findings"].as_array().unwrap();
        assert!(
            ids.iter().any(|i| i == RuleId::ConnectionUnstable.as_str()),
            "{ids:?}"
        );
    }

    #[test]
    fn a_drop_is_reported_once_then_a_recheck_shows_the_link_held() {
        let mut w = WatchState::new(
            None,
            Timing {
                settle_ms: 2000,
                recheck_ms: 10_000,
            },
        );
        w.on_connected(&[phone(3)], 0);
        w.on_message(ListenMessage::Detached { device_id: 3 }, 400);
        w.on_message(ListenMessage::Attached(phone(4)), 900);
        let snap = Snapshot::new(Default::default());
        let due = w.due(2900);
        let first = w.on_diagnosis(&due[0].0, due[0].1, false, snap.clone(), 3000);
        assert!(data(&first[0].kind)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i == RuleId::ConnectionUnstable.as_str()));
        assert_eq!(w.next_wakeup(), Some(13_000));
        let due = w.due(13_000);
        assert!(due[0].2, "a periodic re-check");
        let again = w.on_diagnosis(&due[0].0, due[0].1, true, snap.clone(), 13_100);
        assert_eq!(kinds(&again), ["diagnosis"], "the verdict changed");
        assert!(!data(&again[0].kind)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i == RuleId::ConnectionUnstable.as_str()));
        // Nothing changed since: the next re-check prints nothing.
        let due = w.due(23_100);
        assert!(w
            .on_diagnosis(&due[0].0, due[0].1, true, snap, 23_200)
            .is_empty());
    }

    #[test]
    fn daemon_loss_is_reported_once_and_diffed_on_return() {
        let mut w = WatchState::new(None, TIMING);
        let lost = Failure::new(FailureKind::Closed, "usbmuxd closed the Listen connection");
        // Not reachable at the start.
        assert_eq!(kinds(&w.on_lost(&lost, 0)), ["daemon-lost"]);
        assert!(w.on_lost(&lost, 300).is_empty());
        // It comes up after all: back, with its phone.
        assert_eq!(
            kinds(&w.on_connected(&[phone(1)], 1000)),
            ["daemon-back", "attached"]
        );
        let l = w.on_lost(&lost, 5000);
        assert_eq!(kinds(&l), ["daemon-lost"]);
        assert!(w.on_lost(&lost, 5250).is_empty());
        // Back, the phone is gone.
        let back = w.on_connected(&[], 8000);
        assert_eq!(kinds(&back), ["daemon-back", "detached"]);
        assert_eq!(data(&back[1].kind)["while_daemon_away"], true);
        let (_, status) = w.summary(9000, false);
        assert_eq!(status, ExitStatus::Blocked);
    }

    #[test]
    fn udid_filter_and_unknown_ids_print_nothing() {
        let mut w = WatchState::new(Some("OTHER".into()), TIMING);
        assert!(w.on_connected(&[phone(3)], 0).is_empty());
        assert!(w
            .on_message(ListenMessage::Detached { device_id: 3 }, 10)
            .is_empty());
        assert!(w
            .on_message(ListenMessage::Detached { device_id: 99 }, 20)
            .is_empty());
        assert!(w
            .on_message(ListenMessage::Paired { device_id: 99 }, 30)
            .is_empty());
    }

    #[test]
    fn lock_trust_and_pairing_changes_are_printed() {
        use crate::rules::testing_device::healthy_device;
        use crate::snapshot::LockdownObs;

        let snapshot_with = |edit: &dyn Fn(&mut LockdownObs)| {
            let mut s = Snapshot::new(Default::default());
            let mut d = healthy_device("U", 3);
            if let Some(l) = d.lockdown.value_mut() {
                edit(l);
            }
            s.probes.devices.push(d);
            s
        };
        let mut w = WatchState::new(
            None,
            Timing {
                settle_ms: 1000,
                recheck_ms: 5000,
            },
        );
        w.on_connected(&[phone(3)], 0);
        let due = w.due(1000);
        let first = w.on_diagnosis(&due[0].0, due[0].1, false, snapshot_with(&|_| {}), 1100);
        assert_eq!(
            kinds(&first),
            ["diagnosis"],
            "no change line for the first state"
        );

        // Locked at the next re-check.
        let due = w.due(6100);
        let locked = w.on_diagnosis(
            &due[0].0,
            due[0].1,
            true,
            snapshot_with(&|l| l.password_protected = Some(true)),
            6200,
        );
        assert_eq!(type_name(&locked[0].kind), "lock");
        assert_eq!(data(&locked[0].kind)["locked"], true);
        assert!(text(&locked[0].kind).ends_with("locked"));

        // Then the phone forgets this computer.
        let due = w.due(11_200);
        let reset = w.on_diagnosis(
            &due[0].0,
            due[0].1,
            true,
            snapshot_with(&|l| {
                l.session = SessionObs::Refused {
                    reason: LockdownError::InvalidHostID,
                    raw: "InvalidHostID".into(),
                };
                l.password_protected = None;
            }),
            11_300,
        );
        let trust = reset
            .iter()
            .find(|l| type_name(&l.kind) == "trust")
            .expect("trust line");
        assert_eq!(data(&trust.kind)["trust"], "refused (InvalidHostID)");
        assert_eq!(data(&trust.kind)["was"], "trusted");

        // usbmuxd says it was paired again: printed, and diagnosed once settled.
        let paired = w.on_message(ListenMessage::Paired { device_id: 3 }, 12_000);
        assert_eq!(kinds(&paired), ["paired"]);
        assert_eq!(w.next_wakeup(), Some(13_000));
    }

    #[test]
    fn formats_seconds() {
        assert_eq!(secs(400), "0.4 s");
        assert_eq!(secs(12_000), "12 s");
        assert_eq!(secs(1234), "1.23 s");
    }
}
