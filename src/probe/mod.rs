//! Probes: all the tool's I/O. Each looks at one layer, under one overall
//! deadline, and records what it saw or why it could not look. Probes judge
//! nothing; that is the rules' job.

pub mod backup_service;
pub mod backups;
pub mod device;
pub mod host;
pub mod lockdown;
pub mod pairing;
pub mod syslog;
pub mod transport;
pub mod usb;
pub mod usbmuxd;

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use transport::Deadline;

use crate::env::HostEnv;
use crate::platform::mux_address::MuxEndpoint;
use crate::snapshot::{
    same_udid, udid_spellings, Failure, FailureKind, MuxAddress, Outcome, ProbeOptions, Probes,
    Provenance, Snapshot,
};

/// What the user asked the probes to look at.
#[derive(Debug, Clone)]
pub struct ProbeRequest {
    pub endpoint: MuxEndpoint,
    pub address: MuxAddress,
    pub backup_dir: Option<PathBuf>,
    pub udid: Option<String>,
    pub timeout: Duration,
    pub request_trust: bool,
    pub deep: bool,
    /// A progress bar may be drawn on stderr.
    pub progress: bool,
    /// The shortest time usbmuxd's Listen feed is followed (it is followed
    /// until the other probes are done in any case, never past the deadline).
    /// `watch` passes zero: it follows the feed itself.
    pub min_listen: Duration,
    /// Read a trusted phone's backup log during the listen window (when
    /// `min_listen` is set or a backup program runs). `watch` follows the
    /// log itself and passes false.
    pub phone_log: bool,
}

/// Runs every probe concurrently under the request's deadline. When
/// `interrupt` completes first (Ctrl-C), whatever finished is kept and the
/// rest is marked as interrupted.
pub async fn run_all(
    env: &HostEnv,
    req: &ProbeRequest,
    interrupt: impl Future<Output = ()>,
) -> Snapshot {
    let deadline = Deadline::after(req.timeout);
    let mut snapshot = Snapshot::new(Provenance::default());
    snapshot.captured_at = Some(now_rfc3339());
    snapshot.options = ProbeOptions {
        udid: req.udid.clone(),
        timeout_ms: req.timeout.as_millis() as u64,
        request_trust: req.request_trust,
        deep: req.deep,
    };
    let probes = Arc::new(Mutex::new(Probes {
        usbmuxd_address: Some(req.address.clone()),
        ..Probes::default()
    }));

    // The listen window runs in its own task, so that its event times are
    // not held up by the other probes' work, and closes when they are all
    // done (but stays open at least `min_listen`, never past the deadline).
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    let listen = tokio::spawn({
        let probes = probes.clone();
        let endpoint = req.endpoint.clone();
        let min_listen = req.min_listen;
        async move {
            listen_window(&probes, &endpoint, deadline, min_listen, async {
                let _ = done_rx.await;
            })
            .await;
        }
    });
    let listen_abort = listen.abort_handle();

    let all = {
        let probes = probes.clone();
        let env = env.clone();
        let req = req.clone();
        async move {
            let usb = blocking(deadline, "the USB bus", usb::probe);
            let host_env = env.clone();
            let dir = req.backup_dir.clone();
            let host = blocking(deadline, "the host", move || host::probe(&host_env, dir));
            // Whether another program is backing up right now, for the
            // device stage: it then leaves the backup service alone.
            let (busy_tx, busy_rx) = tokio::sync::watch::channel(None);
            let host_then_backups = async {
                record(&probes, host, |p, o| p.host = o).await;
                let busy = probes.lock().ok().and_then(|p| {
                    p.host.value().and_then(|h| {
                        h.running_tools
                            .iter()
                            .find(|t| {
                                t.backing_up
                                    || crate::platform::known_tools::is_backing_up(&t.process)
                            })
                            .map(|t| t.tool.clone())
                    })
                });
                let _ = busy_tx.send(Some(busy));
                let backups = backups_stage(&probes, &req, deadline).await;
                record(&probes, async { backups }, |p, o| p.backups = o).await;
            };
            let mux = usbmuxd::probe(&req.endpoint, req.address.clone(), deadline);
            let mux_then_devices = async {
                record(&probes, mux, |p, o| p.usbmuxd = o).await;
                device_stage(&probes, &env, &req, deadline, busy_rx).await;
            };
            tokio::join!(
                record(&probes, usb, |p, o| p.usb = o),
                host_then_backups,
                mux_then_devices,
                windows_stage(&probes, deadline),
            );
            let _ = done_tx.send(());
            if let Err(e) = listen.await {
                tracing::debug!(error = %e, "the listen window task failed");
            }
        }
    };

    let interrupted = tokio::select! {
        () = all => false,
        () = interrupt => true,
    };
    listen_abort.abort();
    let mut probes = probes.lock().map(|p| p.clone()).unwrap_or_default();
    if interrupted {
        mark_interrupted(&mut probes);
        snapshot.interrupted = true;
    }
    snapshot.probes = probes;
    snapshot
}

/// Windows only: Apple Mobile Device Service and the Apple software, as
/// Windows reports them; nothing elsewhere.
async fn windows_stage(probes: &Arc<Mutex<Probes>>, deadline: Deadline) {
    #[cfg(windows)]
    {
        let o = blocking(deadline, "Windows' services and apps", host::windows::probe).await;
        if let Ok(mut p) = probes.lock() {
            p.windows = Some(o);
        }
    }
    #[cfg(not(windows))]
    let _ = (probes, deadline);
}

/// The previous backups, in the folder the host probe chose (so both layers
/// speak of the same folder).
async fn backups_stage(
    probes: &Arc<Mutex<Probes>>,
    req: &ProbeRequest,
    deadline: Deadline,
) -> Outcome<crate::snapshot::BackupsObs> {
    let dir = probes.lock().ok().and_then(|p| {
        p.host.value().map(|h| {
            (
                h.backup_dir.path.clone(),
                h.backup_dir.exists && h.backup_dir.is_dir,
            )
        })
    });
    let path = match dir {
        None => return Outcome::skipped("the host probe did not finish"),
        Some((None, _)) => {
            return Outcome::skipped("no backup folder on this OS (use --backup-dir)")
        }
        Some((Some(_), false)) => {
            return Outcome::skipped("the backup folder does not exist or is not a folder")
        }
        Some((Some(p), true)) => PathBuf::from(p),
    };
    // The probe stops itself a little before the deadline, so what it read
    // is kept: at the deadline itself `blocking` gives up on it, and the
    // report would only say it took too long (issue 30).
    let end = deadline.instant().into_std();
    let left = end.saturating_duration_since(std::time::Instant::now());
    let margin = (left / 20).clamp(Duration::from_millis(20), Duration::from_millis(500));
    let opts = backups::BackupsProbeOptions {
        deep: req.deep,
        progress: req.progress,
        deadline: Some(end.checked_sub(margin).unwrap_or(end)),
    };
    blocking(deadline, "the backup folder", move || {
        backups::probe(&path, &opts)
    })
    .await
}

/// The per-phone stage, after usbmuxd listed the phones: every listed phone
/// (or the `--udid` one) concurrently, each entry stored as soon as it is done.
async fn device_stage(
    probes: &Arc<Mutex<Probes>>,
    env: &HostEnv,
    req: &ProbeRequest,
    deadline: Deadline,
    backing_up: tokio::sync::watch::Receiver<Option<Option<String>>>,
) {
    let listed = probes.lock().ok().and_then(|p| {
        p.usbmuxd
            .value()
            .map(|m| (m.devices.clone(), m.buid.clone()))
    });
    let Some((listed, buid)) = listed else {
        return;
    };
    let targets = device::targets(&listed, req.udid.as_deref());
    if targets.is_empty() {
        return;
    }
    let stage = Arc::new(device::DeviceStage {
        endpoint: req.endpoint.clone(),
        request_trust: req.request_trust,
        daemon_buid: buid,
        backing_up,
        phone_log: req.phone_log.then_some(req.min_listen),
        record_files: targets
            .iter()
            .filter_map(|d| record_file(env, &d.udid).map(|f| (d.udid.clone(), f)))
            .collect(),
    });
    if let Ok(mut p) = probes.lock() {
        p.devices = targets
            .iter()
            .map(|d| crate::snapshot::DeviceObs {
                udid: d.udid.clone(),
                device_id: Some(d.device_id),
                connection: Some(d.connection),
                ..Default::default()
            })
            .collect();
    }
    let budget = transport::Budget::new(deadline, transport::per_request(req.timeout));
    let mut set = tokio::task::JoinSet::new();
    for dev in targets.clone() {
        let stage = stage.clone();
        set.spawn(async move { device::probe_one(&stage, &dev, budget).await });
    }
    while let Some(done) = set.join_next().await {
        match done {
            Ok(obs) => {
                if let Ok(mut p) = probes.lock() {
                    if let Some(slot) = p.devices.iter_mut().find(|d| same_udid(&d.udid, &obs.udid))
                    {
                        *slot = obs;
                    }
                }
            }
            Err(e) => tracing::debug!(error = %e, "a device probe task failed"),
        }
    }
    let udids: Vec<String> = targets.iter().map(|d| d.udid.clone()).collect();
    let presence = device::presence(&req.endpoint, &udids, budget).await;
    if let Ok(mut p) = probes.lock() {
        for (udid, outcome) in udids.iter().zip(presence) {
            if let Some(slot) = p.devices.iter_mut().find(|d| same_udid(&d.udid, udid)) {
                slot.presence = outcome;
            }
        }
    }
}

/// Follows usbmuxd's Listen feed while the other probes run, storing what it
/// saw after every event so that an interrupt keeps it.
async fn listen_window(
    probes: &Arc<Mutex<Probes>>,
    endpoint: &MuxEndpoint,
    deadline: Deadline,
    min_window: Duration,
    others_done: impl Future<Output = ()>,
) {
    let started = tokio::time::Instant::now();
    let store = |o: Outcome<crate::snapshot::ListenObs>| {
        if let Ok(mut p) = probes.lock() {
            p.mux_events = o;
        }
    };
    let result = usbmuxd::listen::window(endpoint, deadline, min_window, others_done, |partial| {
        store(Outcome::Ok {
            duration_ms: started.elapsed().as_millis() as u64,
            value: partial.clone(),
        })
    })
    .await;
    let duration_ms = started.elapsed().as_millis() as u64;
    store(Outcome::from_result(result, duration_ms));
}

/// The async runtime every command that probes runs on: two workers are
/// plenty for a handful of sockets, and blocking probes get their own threads.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Stores a probe's outcome as soon as it is known, so an interrupt keeps it.
async fn record<T>(
    probes: &Arc<Mutex<Probes>>,
    fut: impl Future<Output = Outcome<T>>,
    store: impl FnOnce(&mut Probes, Outcome<T>),
) {
    let outcome = fut.await;
    if let Ok(mut p) = probes.lock() {
        store(&mut p, outcome);
    }
}

/// Runs blocking I/O on a blocking thread under the deadline. A thread that
/// overruns is abandoned (the runtime is shut down without waiting for it).
async fn blocking<T: Send + 'static>(
    deadline: Deadline,
    what: &str,
    f: impl FnOnce() -> Outcome<T> + Send + 'static,
) -> Outcome<T> {
    let started = tokio::time::Instant::now();
    let task = tokio::task::spawn_blocking(f);
    match tokio::time::timeout_at(deadline.instant(), task).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(join_error)) => Outcome::Failed {
            duration_ms: started.elapsed().as_millis() as u64,
            failure: Failure::new(
                FailureKind::Io,
                format!("looking at {what} failed: {join_error}"),
            ),
        },
        Err(_) => Outcome::Failed {
            duration_ms: started.elapsed().as_millis() as u64,
            failure: Failure::new(
                FailureKind::TimedOut,
                format!("looking at {what} took longer than the deadline"),
            ),
        },
    }
}

fn mark_interrupted(p: &mut Probes) {
    fn mark<T>(o: &mut Outcome<T>) {
        if matches!(o, Outcome::Skipped { because } if because == "not probed") {
            *o = Outcome::skipped("interrupted (Ctrl-C) before it finished");
        }
    }
    mark(&mut p.usb);
    mark(&mut p.usbmuxd);
    mark(&mut p.host);
    mark(&mut p.backups);
    mark(&mut p.mux_events);
    if cfg!(windows) && p.windows.is_none() {
        p.windows = Some(Outcome::skipped("interrupted (Ctrl-C) before it finished"));
    }
    if let Some(l) = p.mux_events.value_mut() {
        if l.ended_early.is_none() {
            l.ended_early = Some(Failure::new(
                FailureKind::Interrupted,
                "interrupted (Ctrl-C) while listening",
            ));
        }
    }
    for d in &mut p.devices {
        mark(&mut d.pairing);
        mark(&mut d.lockdown);
        mark(&mut d.backup_service);
        mark(&mut d.presence);
    }
}

/// The wall-clock time for `captured_at`; the one place probes read it.
fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// The phone's file in the lockdown folder: the spelling that exists (Apple's
/// usbmuxd lists a new-style UDID without the dash the file name has), else
/// the listed one, whose absence the pairing probe then records.
pub(crate) fn record_file(
    env: &crate::platform::HostEnv,
    udid: &str,
) -> Option<std::path::PathBuf> {
    let candidates: Vec<_> = udid_spellings(udid)
        .iter()
        .filter_map(|u| crate::platform::lockdown_dir::pair_record_file(env, u))
        .collect();
    candidates
        .iter()
        .find(|p| p.is_file())
        .or(candidates.first())
        .cloned()
}
