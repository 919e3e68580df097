//! `watch`: follows usbmuxd's Listen feed (and USB hotplug where libusb has
//! it), prints every attach, detach, pairing, lock and trust change with a
//! timestamp, and re-diagnoses a phone once it has settled. Each trusted
//! phone's own backup log (`com.apple.syslog_relay`) is followed too
//! ([`phone_log`]): one line per backup event, a line when a running backup
//! stalls, and a re-diagnosis when the agent says something a rule reads. Ends on Ctrl-C
//! (exit 130) or when `--duration` runs out, with a summary.
//!
//! The clock is read here only; [`state::WatchState`] gets times as
//! milliseconds since the start.

pub mod feed;
pub mod phone_log;
pub use crate::watch::state;

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::env::HostEnv;
use crate::exit::ExitStatus;
use crate::platform::mux_address::{self, MuxEndpoint};
use crate::probe::{self, ProbeRequest};
use crate::report::{self, style};
use crate::snapshot::{MuxAddress, Snapshot};

use crate::watch::{WatchEvent, WatchEventKind};
use feed::FeedMsg;
use phone_log::LogMsg;
use state::{Timing, WatchState};

/// What `watch` was asked to do.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub usbmuxd: Option<String>,
    pub udid: Option<String>,
    pub backup_dir: Option<PathBuf>,
    /// Per re-diagnosis.
    pub timeout: Duration,
    pub json: bool,
    pub duration: Option<Duration>,
    pub timing: Timing,
    /// A running backup quiet this long is a stall.
    pub stall: Duration,
    /// `-v`: the phone's raw backup log lines are printed too.
    pub verbose: bool,
}

/// Runs `watch` until Ctrl-C or the end of `--duration`.
pub fn run(
    opts: WatchOptions,
    env: &HostEnv,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let (endpoint, address) = match mux_address::resolve(opts.usbmuxd.as_deref(), env) {
        Ok(r) => r,
        Err(e) => {
            writeln!(err, "iphone-backup-check: {e}")?;
            return Ok(ExitStatus::CouldNotRun);
        }
    };
    let Some(rt) = super::live::runtime(err)? else {
        return Ok(ExitStatus::CouldNotRun);
    };
    let status = rt.block_on(watch_loop(&opts, env, endpoint, address, out, err));
    // Re-diagnoses still running and overrunning blocking probes are abandoned.
    rt.shutdown_background();
    status
}

type DiagnosisDone = (String, u64, bool, Snapshot);

async fn watch_loop(
    opts: &WatchOptions,
    env: &HostEnv,
    endpoint: MuxEndpoint,
    address: MuxAddress,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let start = Instant::now();
    let start_wall = SystemTime::now();
    let ms = move || start.elapsed().as_millis() as u64;
    let mut printer = Printer {
        json: opts.json,
        start_wall,
    };

    if !opts.json {
        writeln!(
            err,
            "Watching usbmuxd at {}{}; Ctrl-C to stop.",
            address.display,
            opts.duration
                .map(|d| format!(" for {}", crate::format::secs(d.as_millis() as u64)))
                .unwrap_or_default()
        )?;
    }

    let (feed_tx, mut feed_rx) = mpsc::channel::<FeedMsg>(64);
    let feed_task = tokio::spawn(feed::run(endpoint.clone(), feed_tx));

    let (usb_tx, mut usb_rx) = mpsc::unbounded_channel();
    let _hotplug = match crate::probe::usb::hotplug::start(usb_tx) {
        Ok(h) => Some(h),
        Err(why) => {
            writeln!(
                err,
                "iphone-backup-check watch: USB hotplug is not available: {why}; following usbmuxd only."
            )?;
            None
        }
    };
    let mut usb_open = _hotplug.is_some();

    let mut state = WatchState::new(opts.udid.clone(), opts.timing)
        .with_stall_ms(opts.stall.as_millis() as u64);
    let (log_tx, mut log_rx) = mpsc::channel::<phone_log::LogMsg>(64);
    let mut followers: std::collections::HashMap<String, tokio::task::AbortHandle> =
        Default::default();
    let mut diagnoses: JoinSet<DiagnosisDone> = JoinSet::new();
    let mut running: std::collections::HashMap<tokio::task::Id, String> = Default::default();
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::pin!(ctrl_c);
    let end = opts.duration.map(|d| start + d);
    let mut interrupted = false;
    let mut flood = Coalesce::default();

    loop {
        // With MAX_DIAGNOSES running, the next one waits for one to end
        // (that wakes the loop), not for a time already past.
        let wake = state
            .next_wakeup()
            .filter(|_| diagnoses.len() < MAX_DIAGNOSES)
            .map(|at| start + Duration::from_millis(at));
        let lines: Vec<WatchEvent> = tokio::select! {
            () = &mut ctrl_c => {
                interrupted = true;
                break;
            }
            () = sleep_until_opt(end) => break,
            msg = feed_rx.recv() => match msg {
                Some(FeedMsg::Connected(present)) => state.on_connected(&present, ms()),
                Some(FeedMsg::Message(m)) => state.on_message(m, ms()),
                Some(FeedMsg::Lost(f)) => state.on_lost(&f, ms()),
                // The feed task never ends on its own; if it did, stop cleanly.
                None => break,
            },
            ev = usb_rx.recv(), if usb_open => match ev {
                Some(notice) => vec![state.on_usb(notice, ms())],
                None => {
                    usb_open = false;
                    Vec::new()
                }
            },
            done = diagnoses.join_next_with_id(), if !diagnoses.is_empty() => match done {
                Some(Ok((id, (udid, generation, recheck, snapshot)))) => {
                    running.remove(&id);
                    state.on_diagnosis(&udid, generation, recheck, snapshot, ms())
                }
                Some(Err(e)) => {
                    if let Some(udid) = running.remove(&e.id()) {
                        tracing::warn!(%udid, error = %e, "a re-diagnosis failed");
                        state.on_diagnosis_failed(&udid);
                    }
                    Vec::new()
                }
                None => Vec::new(),
            },
            msg = log_rx.recv() => match msg {
                Some(LogMsg::Lines { udid, lines, skipped, cut }) => {
                    state.on_phone_log(&udid, &lines, skipped, cut, ms(), opts.verbose)
                }
                Some(LogMsg::Ended { udid, failure }) => {
                    tracing::info!(%udid, kind = failure.kind.as_str(), message = %failure.message, "the phone's log is not followed");
                    followers.remove(&udid);
                    state.on_phone_log_ended(&udid);
                    Vec::new()
                }
                // `log_tx` lives as long as this loop.
                None => Vec::new(),
            },
            () = sleep_until_opt(wake) => {
                let stalls = state.stalls(ms());
                let room = MAX_DIAGNOSES.saturating_sub(diagnoses.len());
                for (udid, generation, recheck) in state.due_at_most(ms(), room) {
                    let req = ProbeRequest {
                        endpoint: endpoint.clone(),
                        address: address.clone(),
                        backup_dir: opts.backup_dir.clone(),
                        udid: Some(udid.clone()),
                        timeout: opts.timeout,
                        request_trust: false,
                        deep: false,
                        progress: false,
                        min_listen: Duration::ZERO,
                        phone_log: false,
                    };
                    let env = env.clone();
                    let u = udid.clone();
                    let handle = diagnoses.spawn(async move {
                        let snapshot = probe::run_all(&env, &req, std::future::pending()).await;
                        (u, generation, recheck, snapshot)
                    });
                    running.insert(handle.id(), udid);
                }
                stalls
            }
        };
        // Follow the phones found trusted; stop following those gone.
        for (udid, device_id) in state.logs_to_follow() {
            let task = tokio::spawn(phone_log::follow(
                endpoint.clone(),
                device_id,
                udid.clone(),
                crate::probe::record_file(env, &udid),
                log_tx.clone(),
            ));
            if let Some(old) = followers.insert(udid, task.abort_handle()) {
                old.abort();
            }
        }
        followers.retain(|udid, h| {
            let keep = state.is_following(udid);
            if !keep {
                h.abort();
            }
            keep
        });
        let lines = flood.admit(lines, ms());
        if let Err(e) = printer.print(&lines, out) {
            if e.kind() == io::ErrorKind::BrokenPipe {
                break;
            }
            return Err(e);
        }
    }
    feed_task.abort();
    diagnoses.abort_all();
    for h in followers.values() {
        h.abort();
    }
    let (summary, status) = state.summary(ms(), interrupted);
    let mut last: Vec<WatchEvent> = flood
        .flush(ms(), state.ignored_events())
        .into_iter()
        .collect();
    last.push(summary);
    match printer.print(&last, out) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(e),
        _ => {}
    }
    Ok(status)
}

/// At most this many re-diagnoses run at once: each holds connections to
/// usbmuxd and a blocking thread or two, and a feed naming ever new phones
/// must not multiply them (issue 30: 11,000 descriptors, 515 threads).
const MAX_DIAGNOSES: usize = 4;
/// At most this many plug lines (attached, detached, paired) are printed
/// per second; the rest are counted in one `coalesced` line.
const MAX_PLUG_LINES_PER_SEC: u32 = 20;

/// Coalesces a flood of plug lines: a phone re-plugged in a loose socket
/// makes a few a second, a flooding daemon thousands.
#[derive(Default)]
struct Coalesce {
    second: u64,
    printed: u32,
    held: u64,
}

impl Coalesce {
    fn admit(&mut self, events: Vec<WatchEvent>, now_ms: u64) -> Vec<WatchEvent> {
        let mut out = Vec::with_capacity(events.len());
        if now_ms / 1000 != self.second {
            out.extend(self.flush(now_ms, 0));
            self.second = now_ms / 1000;
            self.printed = 0;
        }
        for e in events {
            if matches!(
                e.kind,
                WatchEventKind::Attached { .. }
                    | WatchEventKind::Detached { .. }
                    | WatchEventKind::Paired { .. }
            ) {
                if self.printed >= MAX_PLUG_LINES_PER_SEC {
                    self.held += 1;
                    continue;
                }
                self.printed += 1;
            }
            out.push(e);
        }
        out
    }

    /// The line saying how many plug lines were not printed (and how many
    /// events the state did not keep), when any.
    fn flush(&mut self, now_ms: u64, not_kept: u64) -> Option<WatchEvent> {
        let not_printed = std::mem::take(&mut self.held);
        (not_printed > 0 || not_kept > 0).then_some(WatchEvent {
            at_ms: now_ms,
            kind: WatchEventKind::Coalesced {
                not_printed,
                not_kept,
            },
        })
    }
}

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

struct Printer {
    json: bool,
    start_wall: SystemTime,
}

impl Printer {
    fn print(&mut self, lines: &[WatchEvent], out: &mut dyn Write) -> io::Result<()> {
        for l in lines {
            let time =
                humantime::format_rfc3339_millis(self.start_wall + Duration::from_millis(l.at_ms))
                    .to_string();
            if self.json {
                writeln!(out, "{}", report::watch::json_line(l, &time))?;
            } else {
                let clock = time.get(11..23).unwrap_or(&time);
                let kind = style::paint(
                    report::watch::type_style(&l.kind),
                    &format!("{:<11}", report::watch::type_name(&l.kind)),
                );
                writeln!(out, "{clock}  {kind}  {}", report::watch::text(&l.kind))?;
            }
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plug(at_ms: u64) -> WatchEvent {
        WatchEvent {
            at_ms,
            kind: WatchEventKind::Paired {
                udid: "u".into(),
                device_id: 1,
            },
        }
    }

    #[test]
    fn a_flood_of_plug_lines_is_printed_at_a_bounded_rate_and_counted() {
        let mut c = Coalesce::default();
        let first = c.admit((0..100).map(plug).collect(), 100);
        assert_eq!(first.len(), MAX_PLUG_LINES_PER_SEC as usize);
        // The next second starts with the count of what was held.
        let next = c.admit(vec![plug(1200)], 1200);
        assert_eq!(
            next[0].kind,
            WatchEventKind::Coalesced {
                not_printed: 80,
                not_kept: 0
            }
        );
        assert_eq!(next.len(), 2);
        assert!(c.flush(1300, 0).is_none());
    }
}
