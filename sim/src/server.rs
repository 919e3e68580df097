//! Starting and stopping the simulator: listeners, the runtime thread, scripted events.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::watch;

use crate::audit::{Audit, AuditEntry};
use crate::pair_record::{material_for, MaterialError};
use crate::scenario::{EventAction, Scenario};
use crate::state::Shared;

/// Errors from [`Simulator::start`].
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot listen on {path}: {source}")]
    Bind {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Material(#[from] MaterialError),
    #[error("cannot start the simulator runtime: {0}")]
    Runtime(std::io::Error),
}

/// Where to serve and what to simulate.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// UNIX socket path (created; a stale socket file there is replaced, a live one is an
    /// error).
    pub socket: PathBuf,
    /// Also serve usbmuxd on 127.0.0.1:port (0 = any free port, see [`SimHandle::tcp_port`]).
    pub tcp_port: Option<u16>,
    pub scenario: Scenario,
}

/// Entry point.
pub struct Simulator;

impl Simulator {
    /// Starts serving in a background thread with its own tokio runtime. Works from a plain
    /// `#[test]` and from inside another tokio runtime. The audit log goes to
    /// `<socket>.audit.jsonl`.
    pub fn start(config: SimConfig) -> Result<SimHandle, SimError> {
        let log = default_log_path(&config.socket);
        Simulator::start_with_log(config, &log)
    }

    /// Like [`Simulator::start`], with the audit log (JSON lines) at `log`.
    pub fn start_with_log(config: SimConfig, log: &Path) -> Result<SimHandle, SimError> {
        let SimConfig {
            socket,
            tcp_port,
            scenario,
        } = config;
        let materials = scenario
            .devices
            .iter()
            .map(|d| material_for(&scenario.name, &d.udid, d.value_str("WiFiAddress")))
            .collect::<Result<Vec<_>, _>>()?;

        // Replace a stale socket file (nobody listening), never a live one: pointing the
        // simulator at a running daemon's socket must not steal it.
        if let Ok(meta) = std::fs::symlink_metadata(&socket) {
            use std::os::unix::fs::FileTypeExt;
            if meta.file_type().is_socket() {
                match std::os::unix::net::UnixStream::connect(&socket) {
                    Ok(_) => {
                        return Err(SimError::Bind {
                            path: socket.display().to_string(),
                            source: std::io::Error::new(
                                std::io::ErrorKind::AddrInUse,
                                "another process is serving this socket",
                            ),
                        })
                    }
                    Err(_) => {
                        let _ = std::fs::remove_file(&socket);
                    }
                }
            }
        }
        let unix =
            std::os::unix::net::UnixListener::bind(&socket).map_err(|source| SimError::Bind {
                path: socket.display().to_string(),
                source,
            })?;
        unix.set_nonblocking(true).map_err(SimError::Runtime)?;
        let tcp = match tcp_port {
            None => None,
            Some(p) => {
                let l = std::net::TcpListener::bind(("127.0.0.1", p)).map_err(|source| {
                    SimError::Bind {
                        path: format!("127.0.0.1:{p}"),
                        source,
                    }
                })?;
                l.set_nonblocking(true).map_err(SimError::Runtime)?;
                Some(l)
            }
        };
        let bound_tcp = tcp
            .as_ref()
            .and_then(|l| l.local_addr().ok())
            .map(|a| a.port());

        let shared = Arc::new(Shared::new(scenario, Audit::new(log), materials));
        let (stop_tx, stop_rx) = watch::channel(false);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("iphone-sim")
            .enable_all()
            .build()
            .map_err(SimError::Runtime)?;
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("iphone-sim".into())
            .spawn(move || {
                rt.block_on(run(thread_shared, unix, tcp, stop_rx));
                rt.shutdown_timeout(Duration::from_millis(200));
            })
            .map_err(SimError::Runtime)?;
        Ok(SimHandle {
            shared,
            stop: stop_tx,
            thread: Some(thread),
            socket,
            tcp_port: bound_tcp,
        })
    }
}

/// `<socket>.audit.jsonl`.
pub fn default_log_path(socket: &Path) -> PathBuf {
    let mut s = socket.as_os_str().to_owned();
    s.push(".audit.jsonl");
    PathBuf::from(s)
}

async fn run(
    shared: Arc<Shared>,
    unix: std::os::unix::net::UnixListener,
    tcp: Option<std::net::TcpListener>,
    mut stop: watch::Receiver<bool>,
) {
    let Ok(unix) = tokio::net::UnixListener::from_std(unix) else {
        return;
    };
    let tcp = tcp.and_then(|l| tokio::net::TcpListener::from_std(l).ok());

    for (i, d) in shared.scenario.devices.iter().enumerate() {
        for ev in d.events.clone() {
            let sh = shared.clone();
            let udid = shared.scenario.devices[i].udid.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(ev.after_ms)).await;
                match ev.action {
                    EventAction::Detach => sh.detach(&udid),
                    EventAction::Attach => sh.attach(&udid),
                };
            });
        }
    }

    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            r = unix.accept() => if let Ok((s, _)) = r {
                spawn_client(&shared, Box::new(s));
            },
            r = async { match &tcp { Some(l) => l.accept().await, None => std::future::pending().await } } => {
                if let Ok((s, _)) = r {
                    let _ = s.set_nodelay(true);
                    spawn_client(&shared, Box::new(s));
                }
            }
        }
    }
}

/// Runs a client connection in its own task and counts panics (there must be none).
fn spawn_client(shared: &Arc<Shared>, s: Box<dyn crate::device_stream::Io>) {
    let task = tokio::spawn(crate::usbmuxd::serve_client(shared.clone(), s));
    let sh = shared.clone();
    tokio::spawn(async move {
        if let Err(e) = task.await {
            if e.is_panic() {
                sh.panics.fetch_add(1, Ordering::SeqCst);
                sh.audit.record(
                    AuditEntry::new(crate::audit::Layer::Usbmuxd, "<simulator-panic>")
                        .detail("a connection task panicked"),
                );
            }
        }
    });
}

/// A running simulator. Dropping it stops the simulator.
pub struct SimHandle {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
    socket: PathBuf,
    tcp_port: Option<u16>,
}

impl SimHandle {
    /// Every request received so far, in order.
    pub fn audit(&self) -> Vec<AuditEntry> {
        self.shared.audit.entries()
    }

    /// Requests received so far that would write (Pair, SetValue, SavePairRecord, ...).
    pub fn writes(&self) -> Vec<AuditEntry> {
        self.audit().into_iter().filter(|e| e.write).collect()
    }

    /// The JSON-lines audit log.
    pub fn audit_log_path(&self) -> &Path {
        self.shared.audit.path()
    }

    /// Every secret a client could leak: pair record keys and certificates (PEM and base64
    /// bodies), escrow bags (base64), records clients saved with `SavePairRecord`, and the
    /// session ids handed out so far.
    pub fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .shared
            .materials()
            .iter()
            .flat_map(|m| m.secrets())
            .collect();
        out.extend(self.shared.saved_record_secrets());
        out.extend(self.shared.session_ids());
        out
    }

    /// The HostID of a device's pair record (not a secret; useful for assertions).
    pub fn host_id(&self, udid: &str) -> Option<String> {
        let i = self
            .shared
            .scenario
            .devices
            .iter()
            .position(|d| d.udid == udid)?;
        Some(self.shared.materials()[i].host_id.clone())
    }

    /// The daemon's BUID (`ReadBUID`).
    pub fn buid(&self) -> &str {
        &self.shared.buid
    }

    /// Unplugs a phone now. False if it is unknown or already detached.
    pub fn detach(&self, udid: &str) -> bool {
        self.shared.detach(udid)
    }

    /// Plugs a detached phone back in under a new DeviceID.
    pub fn attach(&self, udid: &str) -> bool {
        self.shared.attach(udid)
    }

    /// The socket path served.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// The value for `USBMUXD_SOCKET_ADDRESS` in the form libusbmuxd needs (`UNIX:/path`).
    pub fn usbmuxd_socket_address(&self) -> String {
        format!("UNIX:{}", self.socket.display())
    }

    /// The TCP port actually bound, if TCP was requested.
    pub fn tcp_port(&self) -> Option<u16> {
        self.tcp_port
    }

    /// How many connection tasks panicked (always 0 unless there is a simulator bug).
    pub fn panics(&self) -> usize {
        self.shared.panics.load(Ordering::SeqCst)
    }

    /// Stops serving, closes every connection and removes the socket file.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
            let _ = std::fs::remove_file(&self.socket);
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}
