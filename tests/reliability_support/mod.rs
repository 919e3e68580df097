//! Shared by the reliability tests (bad_input, read_only, secrets, interrupt):
//! run the binary under a wall-clock deadline and an address-space cap, start
//! simulator scenarios, fingerprint folders.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use iphone_sim::{Scenario, SimConfig, SimHandle, Simulator};

/// Address space the binary may map. A tokio runtime and glibc's arenas map
/// a few hundred MiB up front; a 4 GiB allocation (a trusted length header)
/// fails under this cap and aborts the process, which the checks catch.
pub const ADDRESS_SPACE_KIB: u64 = 2 * 1024 * 1024;

pub struct Output {
    /// None when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    /// Killed by us at the deadline.
    pub hung: bool,
    /// The most resident memory the process had (VmHWM, read from /proc
    /// while it ran; None where /proc is not there).
    pub peak_rss_kib: Option<u64>,
}

impl Output {
    /// The checks every run must pass: no panic, no abort, no hang.
    pub fn assert_sane(&self, what: &str) {
        assert!(!self.hung, "{what}: still running after {:?}", self.elapsed);
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "{what}: panicked:\n{}",
            self.stderr
        );
        assert!(
            !self.stderr.contains("memory allocation") && !self.stderr.contains("overflowed"),
            "{what}: out of memory or stack:\n{}",
            self.stderr
        );
        assert!(
            self.code.is_some(),
            "{what}: killed by a signal\n{}",
            self.stderr
        );
    }

    pub fn findings(&self) -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout));
        v["findings"]
            .as_array()
            .expect("findings array")
            .iter()
            .map(|f| f["id"].as_str().expect("id").to_string())
            .collect()
    }
}

pub fn bin_path() -> PathBuf {
    assert_cmd::cargo::cargo_bin("iphone-backup-check")
}

/// The binary under `ulimit -v`, with a clean environment for usbmuxd and colour.
pub fn command<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(bin_path())
        .args(args)
        .env_remove("USBMUXD_SOCKET_ADDRESS")
        .env_remove("RUST_LOG")
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Runs to completion or kills it at `deadline`.
pub fn run(mut cmd: Command, deadline: Duration) -> Output {
    let started = Instant::now();
    let child = cmd.spawn().expect("spawn the binary");
    finish(child, started, deadline)
}

pub fn finish(mut child: Child, started: Instant, deadline: Duration) -> Output {
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out_pipe.read_to_end(&mut b);
        b
    });
    let err_t = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err_pipe.read_to_end(&mut b);
        b
    });
    let mut hung = false;
    let mut peak_rss_kib = None;
    let status_path = format!("/proc/{}/status", child.id());
    let status = loop {
        // VmHWM only grows: the last reading before exit is the peak.
        if let Some(kib) = std::fs::read_to_string(&status_path).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        }) {
            peak_rss_kib = Some(kib);
        }
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > deadline {
            hung = true;
            let _ = child.kill();
            break child.wait().expect("wait after kill");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    Output {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out_t.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_t.join().unwrap()).into_owned(),
        elapsed,
        hung,
        peak_rss_kib,
    }
}

pub struct Sim {
    pub handle: SimHandle,
    pub dir: tempfile::TempDir,
}

impl Sim {
    pub fn address(&self) -> String {
        self.handle.usbmuxd_socket_address()
    }
}

pub fn start_sim(name: &str) -> Sim {
    start_scenario(Scenario::by_name(name).expect("bundled scenario"))
}

pub fn start_scenario(scenario: Scenario) -> Sim {
    let dir = tempfile::tempdir().expect("tempdir");
    let handle = Simulator::start(SimConfig {
        socket: dir.path().join("usbmuxd"),
        tcp_port: None,
        scenario,
    })
    .expect("simulator starts");
    Sim { handle, dir }
}

pub fn scenario_names() -> Vec<String> {
    Scenario::bundled_names()
}

/// Every entry under `root` (not following links): kind, size, mtime.
pub fn fingerprint(root: &Path) -> BTreeMap<PathBuf, (String, u64, Option<SystemTime>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            out.insert(p, ("gone".into(), 0, None));
            continue;
        };
        let kind = if meta.is_dir() {
            "dir"
        } else if meta.file_type().is_symlink() {
            "link"
        } else {
            "file"
        };
        if meta.is_dir() {
            if let Ok(rd) = std::fs::read_dir(&p) {
                stack.extend(rd.flatten().map(|e| e.path()));
            }
        }
        out.insert(p, (kind.into(), meta.len(), meta.modified().ok()));
    }
    out
}

pub fn running_as_root() -> bool {
    iphone_sim::running_as_root()
}

/// Where usbmuxd and the product look for pair records on Linux.
pub const LOCKDOWN: &str = "/var/lib/lockdown";

/// Whether a fixture can be bind-mounted over [`LOCKDOWN`] in a private
/// mount namespace (root, unshare, the folder exists to mount over).
pub fn can_mount_lockdown() -> Result<(), String> {
    if !running_as_root() {
        return Err("not root".into());
    }
    if !Path::new(LOCKDOWN).is_dir() {
        return Err(format!("{LOCKDOWN} does not exist to mount over"));
    }
    let ok = Command::new("unshare")
        .args(["-m", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Ok(())
    } else {
        Err("unshare -m does not work here".into())
    }
}

/// [`command`], but run where `fixture` is mounted over [`LOCKDOWN`]; the
/// machine's own folder is never touched.
pub fn command_with_lockdown<I, S>(fixture: &Path, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut c = Command::new("unshare");
    c.args(["-m", "sh", "-c"])
        .arg(format!(
            "mount --bind '{}' {LOCKDOWN} || exit 90; ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" \"$@\"",
            fixture.display()
        ))
        .arg(bin_path())
        .args(args)
        .env_remove("USBMUXD_SOCKET_ADDRESS")
        .env_remove("RUST_LOG")
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}
