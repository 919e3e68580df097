//! Every sign that the link to a phone dropped, merged per phone before
//! `connection.unstable` judges them: usbmuxd's Listen history (live, watched
//! or read from its log, with the quoted lines), kernel link events (USB
//! disconnects and resets of the phone's port), usbmuxd's list after the
//! probes (presence), and conversations that broke off mid-message. Each
//! sign says whether it proves the drop by itself and whether the phone was
//! gone at the end; the rule decides the severity, confidence and title.
//! (Errors other tools reported reach the rule through
//! `Findings::reported_for`, as for every rule.)

use std::collections::BTreeMap;

use crate::format::secs;
use crate::snapshot::*;

/// What one phone's signs add up to, keyed by UDID, `DeviceID n` when
/// usbmuxd never named it, or `USB port <name>` when only the kernel did.
#[derive(Default)]
pub(super) struct PhoneDrops {
    /// What happened, for the title; None when no source says (presence or
    /// a broken conversation alone).
    pub headline: Option<Headline>,
    pub signals: Vec<Signal>,
}

/// What the first source that saw the phone move says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Headline {
    /// Back under a new DeviceID with no drop seen.
    NewDeviceId { when: &'static str },
    /// It left `times` times.
    Dropped { times: usize, when: &'static str },
    /// The kernel reset its port, with no disconnect.
    Reset { times: usize },
}

/// The signs of every phone, merged from all the sources.
pub(super) fn timeline(s: &Snapshot) -> BTreeMap<String, PhoneDrops> {
    // Phone (UDID, or "DeviceID n" when usbmuxd never named it) -> signals.
    let mut by_phone: BTreeMap<String, PhoneDrops> = BTreeMap::new();
    // The Listen feed is followed until the other probes are done, so it
    // knows best whether a phone was back at the end.
    let mut back_at_end: Vec<String> = Vec::new();
    if let Some(obs) = s.probes.mux_events.value() {
        for (key, h) in histories(obs) {
            if unplugged(&h, obs) {
                continue;
            }
            if !h.gone_at_end {
                back_at_end.push(key.clone());
            }
            let mut signals = listen_signals(&h, obs);
            signals.extend(quoted_events(&key, obs));
            by_phone.insert(
                key,
                PhoneDrops {
                    headline: headline(&h, obs.origin),
                    signals,
                },
            );
        }
    }
    for (key, h) in link_histories(&s.probes.link_events) {
        let entry = by_phone.entry(key).or_default();
        if entry.headline.is_none() {
            entry.headline = Some(if h.drops > 0 {
                Headline::Dropped {
                    times: h.drops,
                    when: "in the kernel log",
                }
            } else {
                Headline::Reset { times: h.resets }
            });
        }
        entry.signals.extend(h.signals);
    }
    for d in &s.probes.devices {
        if d.connection == Some(MuxConnection::Network) {
            continue;
        }
        let mut signals: Vec<Signal> = DEVICE_SOURCES.iter().flat_map(|src| src(d)).collect();
        if back_at_end.contains(&d.udid) {
            for sig in signals.iter_mut().filter(|s| s.gone) {
                sig.gone = false;
                sig.line
                    .push_str(" (it came back while usbmuxd was still being followed)");
            }
        }
        if !signals.is_empty() {
            by_phone
                .entry(d.udid.clone())
                .or_default()
                .signals
                .extend(signals);
        }
    }
    by_phone
}

/// One sign of an unstable link, and whether it alone proves the drop.
pub(super) struct Signal {
    pub line: String,
    /// The line of an imported log it was read from, when it is one.
    pub quote: Option<Quote>,
    pub direct: bool,
    /// The phone was gone when the check ended.
    pub gone: bool,
}

/// Per-phone sources from the device stage; the Listen feed is read by
/// [`listen_signals`], which is not tied to a `DeviceObs`.
const DEVICE_SOURCES: &[fn(&DeviceObs) -> Vec<Signal>] = &[presence, broken_conversations];

/// A log that covers minutes or hours sees the phone unplugged at its end:
/// one removal, long after it came, with no return, is how an unplug looks,
/// not a link that drops. A live check lasts seconds, so there it counts.
fn unplugged(h: &History, obs: &ListenObs) -> bool {
    const SETTLED_MS: u64 = 30_000;
    obs.origin == ListenOrigin::Log
        && h.drops.len() == 1
        && h.returns.is_empty()
        && h.shortest_connected_ms.is_none_or(|ms| ms >= SETTLED_MS)
}

/// What the Listen feed saw the phone do, when it moved.
fn headline(h: &History, origin: ListenOrigin) -> Option<Headline> {
    if !h.unstable() {
        return None;
    }
    let when = match origin {
        ListenOrigin::Diagnose => "during the check",
        ListenOrigin::Watch => "while watched",
        ListenOrigin::Log => "in usbmuxd's log",
    };
    Some(if h.drops.is_empty() {
        Headline::NewDeviceId { when }
    } else {
        Headline::Dropped {
            times: h.drops.len(),
            when,
        }
    })
}

/// What the Listen feed saw of one phone: how often, the timeline, the
/// shortest time it stayed, and whether it came back.
fn listen_signals(h: &History, obs: &ListenObs) -> Vec<Signal> {
    let during = match obs.origin {
        ListenOrigin::Diagnose => format!(
            "in the {} usbmuxd was followed during the check",
            secs(obs.window_ms)
        ),
        ListenOrigin::Watch => format!("in the {} watch followed usbmuxd", secs(obs.window_ms)),
        ListenOrigin::Log => format!("in the {} its log covers", secs(obs.window_ms)),
    };
    let mut summary = format!("usbmuxd reported it detached {}", times(h.drops.len()));
    if !h.returns.is_empty() {
        summary.push_str(&format!(
            " and attached again {} with a new DeviceID",
            times(h.returns.len())
        ));
    }
    let mut out = vec![Signal {
        line: format!("{summary} {during}"),
        quote: None,
        direct: true,
        gone: h.gone_at_end,
    }];
    // The timeline, at most six steps, in order.
    let mut steps: Vec<(u64, String)> = h
        .drops
        .iter()
        .map(|(at, id)| (*at, format!("+{} detached (DeviceID {id})", secs(*at))))
        .chain(h.returns.iter().map(|(at, id, before)| {
            let was = before.map(|b| format!(", was {b}")).unwrap_or_default();
            (
                *at,
                format!("+{} attached as DeviceID {id}{was}", secs(*at)),
            )
        }))
        .collect();
    steps.sort();
    let more = steps.len().saturating_sub(6);
    let mut timeline: Vec<String> = steps.into_iter().take(6).map(|(_, s)| s).collect();
    if more > 0 {
        timeline.push(format!("{more} more"));
    }
    let line = |line: String| Signal {
        line,
        quote: None,
        direct: true,
        gone: false,
    };
    out.push(line(timeline.join("; ")));
    if let Some(ms) = h.shortest_connected_ms {
        out.push(line(format!(
            "the shortest time it stayed connected was {}",
            secs(ms)
        )));
    }
    if h.gone_at_end {
        out.push(line(match obs.origin {
            ListenOrigin::Log => "it had not come back when the log ends".into(),
            _ => "it had not come back when listening ended".into(),
        }));
    }
    out
}

/// The log lines of one phone's events, when they were read from a file:
/// the evidence a person can find again in it (at most six).
fn quoted_events(key: &str, obs: &ListenObs) -> Vec<Signal> {
    obs.events
        .iter()
        .filter(|e| match &e.udid {
            Some(u) => u == key,
            None => key == format!("DeviceID {}", e.device_id),
        })
        .filter(|e| e.kind != MuxEventKind::Paired)
        .filter_map(|e| e.quote.as_ref())
        .take(6)
        .map(|q| Signal {
            line: String::new(),
            quote: Some(q.clone()),
            direct: true,
            gone: false,
        })
        .collect()
}

/// Findings about a port the kernel named but no UDID are keyed by it.
pub(super) const PORT_KEY: &str = "USB port ";

/// What a kernel log showed of one phone's port.
struct LinkHistory {
    drops: usize,
    resets: usize,
    signals: Vec<Signal>,
}

/// Per phone (UDID, else `USB port <name>`), the kernel's disconnects and
/// resets of its port. A phone that enumerates once and stays is stable; one
/// that left and came back, left for good, or was reset is not. Resets alone
/// are a warning: the kernel recovered the link.
fn link_histories(events: &[LinkEvent]) -> BTreeMap<String, LinkHistory> {
    // The UDID the kernel last named on each port.
    let mut named: BTreeMap<&str, &str> = BTreeMap::new();
    let mut per: BTreeMap<String, Vec<&LinkEvent>> = BTreeMap::new();
    for e in events {
        if let Some(u) = &e.udid {
            named.insert(&e.port, u);
        }
        let key = match named.get(e.port.as_str()) {
            Some(u) => (*u).to_string(),
            None => format!("{PORT_KEY}{}", e.port),
        };
        per.entry(key).or_default().push(e);
    }
    let mut out = BTreeMap::new();
    for (key, evs) in per {
        let drops = evs
            .iter()
            .filter(|e| e.kind == LinkEventKind::Disconnected)
            .count();
        let resets = evs
            .iter()
            .filter(|e| e.kind == LinkEventKind::Reset)
            .count();
        if drops == 0 && resets == 0 {
            continue;
        }
        let gone = evs
            .last()
            .is_some_and(|e| e.kind == LinkEventKind::Disconnected);
        let mut summary = format!(
            "the kernel saw the phone's USB port disconnect {}",
            times(drops)
        );
        if resets > 0 {
            summary.push_str(&format!(" and reset it {}", times(resets)));
        }
        if gone {
            summary.push_str("; it had not come back when the log ends");
        }
        let mut signals = vec![Signal {
            line: summary,
            quote: None,
            direct: drops > 0,
            gone,
        }];
        let notable = evs
            .iter()
            .filter(|e| e.kind != LinkEventKind::Connected || drops > 0);
        let quoted: Vec<&&LinkEvent> = notable.collect();
        let more = quoted.len().saturating_sub(6);
        signals.extend(quoted.iter().take(6).map(|e| Signal {
            line: String::new(),
            quote: Some(e.quote.clone()),
            direct: drops > 0,
            gone: false,
        }));
        if more > 0 {
            signals.push(Signal {
                line: format!("{more} more lines like these"),
                quote: None,
                direct: drops > 0,
                gone: false,
            });
        }
        out.insert(
            key,
            LinkHistory {
                drops,
                resets,
                signals,
            },
        );
    }
    out
}

fn presence(d: &DeviceObs) -> Vec<Signal> {
    let Some(p) = d.presence.value() else {
        return vec![];
    };
    if !p.still_listed {
        return vec![Signal {
            line: "usbmuxd no longer lists the phone after the check".into(),
            quote: None,
            direct: true,
            gone: true,
        }];
    }
    match (d.device_id, p.device_id_after) {
        (Some(before), Some(after)) if before != after => vec![Signal {
            line: format!(
                "usbmuxd lists it again under DeviceID {after} (it was {before}): it disconnected and reconnected"
            ),
            quote: None,
            direct: true,
            gone: false,
        }],
        _ => vec![],
    }
}

fn broken_conversations(d: &DeviceObs) -> Vec<Signal> {
    let mut out = Vec::new();
    let dropped = |f: &Failure| matches!(f.kind, FailureKind::Closed | FailureKind::NotFound);
    let aborted = d.lockdown().and_then(|l| l.aborted.as_ref());
    if let Some(f) = aborted.or(d.lockdown.failure()).filter(|f| dropped(f)) {
        out.push(Signal {
            line: format!("lockdownd: {}", f.message),
            quote: None,
            direct: f.kind == FailureKind::NotFound,
            gone: f.kind == FailureKind::NotFound,
        });
    }
    // A backup service that closes on us with the phone still listed is the
    // service's own trouble (backup-service.refused), not the link's.
    out
}

pub(super) fn times(n: usize) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}
