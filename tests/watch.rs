//! `watch` and the listen window of `diagnose`, end to end against the
//! simulator on a socket in a temp folder. Plug events are driven from the
//! test (`SimHandle::detach` / `attach`) once the binary is known to be
//! listening, so the timing never depends on how fast the machine is.
// The simulator they start is Unix-only.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use iphone_sim::{Scenario, SimConfig, SimHandle, Simulator};
use serde_json::Value;

const UDID: &str = "c28d82f1df2580e648ad0225461d5592b8558bf7";

/// The detach_reattach phone without its timed events: the test plugs it.
fn flaky_phone() -> Scenario {
    let mut s = Scenario::by_name("detach_reattach").expect("bundled scenario");
    for d in &mut s.devices {
        d.events.clear();
    }
    s
}

fn start_sim(socket: &Path, scenario: Scenario) -> SimHandle {
    Simulator::start(SimConfig {
        socket: socket.to_path_buf(),
        tcp_port: None,
        scenario,
    })
    .expect("simulator starts")
}

fn bin() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("iphone-backup-check"));
    c.env_remove("USBMUXD_SOCKET_ADDRESS").env("NO_COLOR", "1");
    c
}

/// Waits until the simulator has received `n` Listen requests.
fn wait_for_listen(sim: &SimHandle, n: usize) {
    let t0 = Instant::now();
    while sim.audit().iter().filter(|e| e.request == "Listen").count() < n {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "no Listen request arrived: {:?}",
            sim.audit()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A running `watch`, its stdout read line by line on a thread.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn spawn(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let out = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines: rx,
            seen: Vec::new(),
        }
    }

    /// Reads lines until one satisfies `pred`; returns it.
    fn until(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    if pred(&l) {
                        return l;
                    }
                }
                Err(_) => panic!("no {what} line; saw {:#?}", self.seen),
            }
        }
    }

    /// Waits for the exit (at most 30 s) and returns the status and every line.
    fn finish(mut self) -> (i32, Vec<String>, String) {
        let t0 = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break s;
            }
            if t0.elapsed() > Duration::from_secs(30) {
                let _ = self.child.kill();
                panic!("watch did not end; saw {:#?}", self.seen);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.seen.push(l);
        }
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut err);
        }
        (status.code().unwrap_or(-1), self.seen, err)
    }
}

fn watch_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string("docs/watch.schema.json").unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

/// Parses NDJSON lines, checking each against docs/watch.schema.json.
fn json_lines(lines: &[String]) -> Vec<Value> {
    let schema = watch_schema();
    lines
        .iter()
        .map(|l| {
            // ripgrep-style envelope: type, time, data, in that order.
            assert!(l.starts_with("{\"type\":"), "{l}");
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            let time = v["time"].as_str().expect("time");
            humantime::parse_rfc3339(time).unwrap_or_else(|e| panic!("{e}: {time}"));
            let errors: Vec<String> = schema
                .iter_errors(&v)
                .map(|e| format!("{e} at {}", e.instance_path))
                .collect();
            assert!(errors.is_empty(), "{l}: {errors:?}");
            v
        })
        .collect()
}

/// `diagnose --json` against the simulator, listening at least 1.5 s.
fn diagnose_listening(dir: &Path, sim: &SimHandle) -> Command {
    let mut cmd = bin();
    cmd.args([
        "diagnose",
        "--json",
        "--timeout",
        "10",
        "--listen",
        "1.5",
        "--backup-dir",
    ])
    .arg(dir)
    .arg("--usbmuxd")
    .arg(sim.usbmuxd_socket_address())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    cmd
}

/// The JSON report on stdout, or a panic showing what came instead.
fn report_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn of_type<'a>(lines: &'a [Value], t: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["type"] == t).collect()
}

#[test]
fn diagnose_reports_a_phone_that_detaches_and_comes_back_with_a_new_device_id() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("usbmuxd");
    let sim = start_sim(&sock, flaky_phone());
    let child = diagnose_listening(dir.path(), &sim).spawn().unwrap();
    wait_for_listen(&sim, 1);
    assert!(sim.detach(UDID));
    std::thread::sleep(Duration::from_millis(150));
    assert!(sim.attach(UDID));
    let out = child.wait_with_output().unwrap();
    let report = report_of(&out);

    let events = &report["snapshot"]["probes"]["mux_events"];
    assert_eq!(events["status"], "ok", "{events:#}");
    let kinds: Vec<(&str, u64)> = events["value"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap(),
                e["device_id"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds, [("detached", 1), ("attached", 2)], "{events:#}");
    assert!(events["value"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["udid"] == UDID));

    let unstable = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "connection.unstable")
        .unwrap_or_else(|| panic!("no connection.unstable: {:#}", report["findings"]));
    assert_eq!(unstable["device"], UDID);
    assert_eq!(
        unstable["severity"], "warning",
        "it came back: {unstable:#}"
    );
    assert_eq!(
        unstable["title"],
        "The iPhone dropped off the connection once during the check"
    );
    let evidence: Vec<&str> = unstable["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(
        evidence[0].starts_with("usbmuxd reported it detached once and attached again once"),
        "{evidence:?}"
    );
    assert!(
        evidence[1].contains("attached as DeviceID 2, was 1"),
        "{evidence:?}"
    );
    let steps = unstable["remediation"].to_string();
    for needle in ["cable", "hub", "usbcore.autosuspend=-1", "Personal Hotspot"] {
        assert!(steps.contains(needle), "{needle} missing from {steps}");
    }
    let code = out.status.code().unwrap();
    assert_eq!(code, report["exit_code"].as_u64().unwrap() as i32);
    assert!(code == 1 || code == 2, "{code}");
    assert!(sim.writes().is_empty(), "{:?}", sim.writes());
}

#[test]
fn diagnose_survives_a_daemon_that_dies_during_the_listen_window() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("usbmuxd");
    let sim = start_sim(&sock, flaky_phone());
    let child = diagnose_listening(dir.path(), &sim).spawn().unwrap();
    wait_for_listen(&sim, 1);
    sim.stop();
    let out = child.wait_with_output().unwrap();
    let report = report_of(&out);
    let listen = &report["snapshot"]["probes"]["mux_events"];
    assert_eq!(listen["status"], "ok", "{listen:#}");
    assert_eq!(
        listen["value"]["ended_early"]["kind"], "closed",
        "{listen:#}"
    );
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(ids.contains(&"connection.unstable"), "{ids:?}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn diagnose_of_a_steady_phone_listens_and_stays_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("usbmuxd");
    let sim = start_sim(&sock, flaky_phone());
    let started = Instant::now();
    let out = diagnose_listening(dir.path(), &sim).output().unwrap();
    let report = report_of(&out);
    let events = &report["snapshot"]["probes"]["mux_events"]["value"];
    assert_eq!(events["events"], Value::Array(vec![]));
    assert_eq!(events["present_at_start"][0]["udid"], UDID);
    // The window stays open at least 1.5 s, and never near the 10 s deadline.
    let window = events["window_ms"].as_u64().unwrap();
    assert!((1400..9000).contains(&window), "{window}");
    assert!(started.elapsed() < Duration::from_secs(9));
    assert!(!report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "connection.unstable"));
}

#[test]
fn watch_json_prints_the_detach_the_return_and_a_diagnosis() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("usbmuxd");
    let sim = start_sim(&sock, flaky_phone());
    let mut cmd = bin();
    cmd.args([
        "watch",
        "--json",
        "--duration",
        "7",
        "--settle",
        "1",
        "--recheck",
        "0",
        "--backup-dir",
    ])
    .arg(dir.path())
    .arg("--usbmuxd")
    .arg(sim.usbmuxd_socket_address());
    let mut run = Running::spawn(cmd);
    run.until("initial attached", |l| l.contains("\"attached\""));
    assert!(sim.detach(UDID));
    run.until("detached", |l| l.contains("\"detached\""));
    std::thread::sleep(Duration::from_millis(300));
    assert!(sim.attach(UDID));
    let (code, lines, stderr) = run.finish();
    let v = json_lines(&lines);

    let attached = of_type(&v, "attached");
    assert_eq!(attached.len(), 2, "{lines:#?}");
    assert_eq!(attached[0]["data"]["initial"], true);
    assert_eq!(attached[0]["data"]["device_id"], 1);
    assert_eq!(attached[1]["data"]["initial"], false);
    assert_eq!(attached[1]["data"]["device_id"], 2);
    assert_eq!(attached[1]["data"]["previous_device_id"], 1);
    assert_eq!(attached[1]["data"]["udid"], UDID);
    let detached = of_type(&v, "detached");
    assert_eq!(detached.len(), 1, "{lines:#?}");
    assert_eq!(detached[0]["data"]["device_id"], 1);
    assert_eq!(detached[0]["data"]["udid"], UDID);

    // Settled 1 s after the return: diagnosed, with the drop in it.
    let diagnosis = of_type(&v, "diagnosis");
    assert!(!diagnosis.is_empty(), "{lines:#?}\n{stderr}");
    let last = diagnosis.last().unwrap();
    assert_eq!(last["data"]["udid"], UDID);
    assert!(
        last["data"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "connection.unstable"),
        "{last}"
    );

    let summary = v.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["data"]["disconnects"], 1);
    assert_eq!(summary["data"]["interrupted"], false);
    assert_eq!(summary["data"]["exit_code"], code);
    assert!(code == 1 || code == 2, "{code}");
    // Lines are in time order.
    let times: Vec<&str> = v.iter().map(|l| l["time"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    assert!(sim.writes().is_empty());
}

#[test]
fn watch_reports_a_daemon_that_dies_and_resumes_when_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("usbmuxd");
    let sim = start_sim(&sock, flaky_phone());
    let address = sim.usbmuxd_socket_address();
    let mut cmd = bin();
    cmd.args([
        "watch",
        "--json",
        "--duration",
        "12",
        "--settle",
        "0.5",
        "--recheck",
        "0",
        "--backup-dir",
    ])
    .arg(dir.path())
    .arg("--usbmuxd")
    .arg(&address);
    let mut run = Running::spawn(cmd);
    run.until("initial attached", |l| l.contains("\"attached\""));
    sim.stop();
    let lost = run.until("daemon-lost", |l| l.contains("\"daemon-lost\""));
    let lost: Value = serde_json::from_str(&lost).unwrap();
    assert_eq!(lost["data"]["kind"], "closed", "{lost}");
    // Down for a while: the watcher retries with backoff, quietly.
    std::thread::sleep(Duration::from_millis(1500));
    let sim = start_sim(&sock, flaky_phone());
    run.until("daemon-back", |l| l.contains("\"daemon-back\""));
    // It follows the new daemon: a detach there is seen.
    wait_for_listen(&sim, 1);
    std::thread::sleep(Duration::from_millis(100));
    assert!(sim.detach(UDID));
    run.until("detached", |l| l.contains("\"detached\""));
    assert!(sim.attach(UDID));
    let (code, lines, _) = run.finish();
    let v = json_lines(&lines);
    assert_eq!(of_type(&v, "daemon-lost").len(), 1, "{lines:#?}");
    assert_eq!(of_type(&v, "daemon-back").len(), 1, "{lines:#?}");
    assert_eq!(of_type(&v, "daemon-back")[0]["data"]["phones"], 1);
    let summary = v.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["data"]["daemon_lost"], 1);
    assert_eq!(summary["data"]["daemon_up"], true);
    assert_eq!(summary["data"]["disconnects"], 1);
    assert_eq!(summary["data"]["exit_code"], code);
}

#[test]
fn watch_without_a_daemon_says_so_and_ends_on_time() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = bin()
        .args(["watch", "--json", "--duration", "1.5", "--usbmuxd"])
        .arg(format!("UNIX:{}", dir.path().join("missing").display()))
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    let v = json_lines(&lines);
    assert_eq!(v.len(), 2, "one daemon-lost, then the summary: {lines:#?}");
    assert_eq!(v[0]["type"], "daemon-lost");
    assert_eq!(v[0]["data"]["kind"], "not-found");
    assert_eq!(v[1]["type"], "summary");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("USB hotplug"), "{err}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_ends_watch_with_a_summary_and_130() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("usbmuxd");
    let sim = start_sim(&sock, flaky_phone());
    let mut cmd = bin();
    cmd.args(["watch", "--recheck", "0", "--backup-dir"])
        .arg(dir.path())
        .arg("--usbmuxd")
        .arg(sim.usbmuxd_socket_address());
    let mut run = Running::spawn(cmd);
    let first = run.until("attached", |l| l.contains("attached"));
    assert!(
        first.contains(UDID) && first.contains("already connected"),
        "{first}"
    );
    let pid = run.child.id().to_string();
    let kill = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(kill.success());
    let (code, lines, _) = run.finish();
    assert_eq!(code, 130, "{lines:#?}");
    let last = lines.last().unwrap();
    assert!(last.contains("summary"), "{last}");
    assert!(
        last.contains("0 disconnects") && last.contains("(interrupted)"),
        "{last}"
    );
}

#[test]
fn watch_rejects_bad_durations_with_status_3() {
    let out = bin().args(["watch", "--duration", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let out = bin().args(["watch", "--recheck", "0.2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
}

/// `watch` against a scenario whose phone logs a backup; returns the exit
/// status, stdout lines and stderr.
fn watch_backup(scenario: &str, extra: &[&str]) -> (i32, Vec<String>, String, SimHandle) {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("usbmuxd");
    let sim = start_sim(&sock, Scenario::by_name(scenario).expect("bundled"));
    let mut cmd = bin();
    cmd.args([
        "watch",
        "--duration",
        "10",
        "--settle",
        "1",
        "--recheck",
        "0",
    ])
    .args(extra)
    .arg("--backup-dir")
    .arg(dir.path())
    .arg("--usbmuxd")
    .arg(sim.usbmuxd_socket_address());
    let (code, lines, stderr) = Running::spawn(cmd).finish();
    (code, lines, stderr, sim)
}

/// The requests the simulator got, by name.
fn requests(sim: &SimHandle) -> Vec<String> {
    sim.audit().into_iter().map(|e| e.request).collect()
}

#[test]
fn watch_follows_the_phones_log_and_names_its_own_figure_for_the_space() {
    let (code, lines, stderr, sim) = watch_backup("backup_needs_host_space", &["--json"]);
    let v = json_lines(&lines);
    let backup = of_type(&v, "backup");
    let need = backup
        .iter()
        .find(|l| l["data"]["event"] == "needs-host-space")
        .unwrap_or_else(|| panic!("no needs-host-space event: {lines:#?}\n{stderr}"));
    assert_eq!(need["data"]["extra_bytes"], 12_265_029_274u64);
    assert_eq!(need["data"]["host_free_bytes"], 4_664_553_472u64);
    assert_eq!(need["data"]["phone_time"], "Nov 30 05:33:32");
    let diagnosis = of_type(&v, "diagnosis");
    let last = diagnosis.last().expect("a diagnosis");
    assert_eq!(last["data"]["top"]["id"], "host.disk-space", "{last}");
    let evidence = last["data"]["top"]["evidence"].to_string();
    assert!(evidence.contains("12265029274"), "{evidence}");
    assert_eq!(code, 2);
    assert!(
        of_type(&v, "phone-log").is_empty(),
        "raw lines only with -v"
    );
    // Read-only: the relay was started in a session; nothing was written.
    assert!(
        requests(&sim).iter().any(|s| s == "syslog_relay"),
        "{:?}",
        requests(&sim)
    );
    assert!(sim.writes().is_empty());
    assert_eq!(sim.panics(), 0);
}

#[test]
fn watch_follows_a_running_backup_to_finished_without_a_warning() {
    let (code, lines, stderr, _sim) = watch_backup("backup_running", &["--json"]);
    let v = json_lines(&lines);
    let events: Vec<&str> = of_type(&v, "backup")
        .iter()
        .filter_map(|l| l["data"]["event"].as_str())
        .collect();
    for e in [
        "started",
        "scanning",
        "uploading",
        "retrying",
        "moving",
        "finished",
    ] {
        assert!(events.contains(&e), "no {e} in {events:?}\n{stderr}");
    }
    let upload = of_type(&v, "backup")
        .into_iter()
        .find(|l| l["data"]["event"] == "uploading")
        .unwrap();
    assert_eq!(upload["data"]["files"], 61);
    assert_eq!(upload["data"]["rate"], "5.72 MB/s");
    for d in of_type(&v, "diagnosis") {
        assert_eq!(d["data"]["verdict"], "ready", "{d}");
    }
    assert!(of_type(&v, "backup-stall").is_empty());
    assert_eq!(code, 0, "{lines:#?}");
}

#[test]
fn watch_text_prints_one_line_per_backup_event_and_raw_lines_only_with_v() {
    let (_, lines, stderr, _sim) = watch_backup("backup_running", &[]);
    let backup: Vec<&String> = lines.iter().filter(|l| l.contains("  backup  ")).collect();
    assert!(
        backup
            .iter()
            .any(|l| l
                .contains("uploading 61 files, 5.0 MB at 5.72 MB/s (phone time Jan 21 02:17:35)")),
        "{lines:#?}\n{stderr}"
    );
    assert!(backup
        .iter()
        .any(|l| l.contains("the backup finished in 2.873 s")));
    assert!(!lines.iter().any(|l| l.contains("phone-log")));
    assert!(!lines.iter().any(|l| l.contains("Creating keybag")));
    let (_, verbose, _, _sim) = watch_backup("backup_running", &["-v"]);
    let raw: Vec<&String> = verbose.iter().filter(|l| l.contains("phone-log")).collect();
    assert!(
        raw.iter()
            .any(|l| l.contains("BackupAgent2[142] <Warning>: INFO: Creating keybag")),
        "{verbose:#?}"
    );
    // Other processes' lines are not shown, even with -v.
    assert!(!verbose.iter().any(|l| l.contains("profiled")));
}

#[test]
fn a_stalled_backup_is_reported_once_with_what_it_did_last() {
    // The need-space phone logs nothing after its request: with --stall 2
    // that is a stall, and the re-diagnosis carries backup.stalled.
    let (_, lines, stderr, _sim) =
        watch_backup("backup_needs_host_space", &["--json", "--stall", "2"]);
    let v = json_lines(&lines);
    let stalls = of_type(&v, "backup-stall");
    assert_eq!(stalls.len(), 1, "{lines:#?}\n{stderr}");
    assert!(stalls[0]["data"]["last"]
        .as_str()
        .unwrap()
        .contains("needs 12.3 GB more"));
    let last = of_type(&v, "diagnosis")
        .last()
        .copied()
        .expect("a diagnosis");
    assert!(
        last["data"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "backup.stalled"),
        "{last}"
    );
}

#[test]
fn a_hostile_relay_costs_bounded_memory_and_the_backup_lines_still_arrive() {
    // Before the agent's lines: one 512 KiB message, one of control bytes,
    // and 2000 lines of another process.
    let mut sc = Scenario::by_name("backup_needs_host_space").expect("bundled");
    let mut junk = vec![
        iphone_sim::scenario::SyslogLine {
            after_ms: 0,
            line: "Nov 30 05:33:00 iPhone BackupAgent2[4308] <Notice>: ".to_string()
                + &"x".repeat(512 * 1024),
        },
        iphone_sim::scenario::SyslogLine {
            after_ms: 0,
            line: "\u{1}\u{2}\u{3}\u{7f}".repeat(100),
        },
    ];
    for i in 0..2000 {
        junk.push(iphone_sim::scenario::SyslogLine {
            after_ms: 0,
            line: format!("Nov 30 05:33:01 iPhone kernel[0] <Notice>: noise {i}"),
        });
    }
    let lines = &mut sc.devices[0].services.syslog;
    junk.append(lines);
    *lines = junk;
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("usbmuxd");
    let sim = start_sim(&sock, sc);
    let mut cmd = bin();
    cmd.args([
        "watch",
        "--json",
        "--duration",
        "10",
        "--settle",
        "1",
        "--recheck",
        "0",
        "-v",
    ])
    .arg("--backup-dir")
    .arg(dir.path())
    .arg("--usbmuxd")
    .arg(sim.usbmuxd_socket_address());
    let (_, lines, stderr) = Running::spawn(cmd).finish();
    let v = json_lines(&lines);
    assert!(
        of_type(&v, "backup")
            .iter()
            .any(|l| l["data"]["event"] == "needs-host-space"),
        "{stderr}"
    );
    // The long line is shown cut; the noise is not shown at all.
    let raw = of_type(&v, "phone-log");
    assert!(raw
        .iter()
        .all(|l| l["data"]["line"].as_str().unwrap().chars().count() <= 300));
    assert!(!lines.iter().any(|l| l.contains("noise")));
    assert_eq!(sim.panics(), 0);
}

#[test]
fn the_watch_schema_rejects_broken_lines() {
    let schema = watch_schema();
    let bad = [
        r#"{"type":"attached","time":"2026-01-01T00:00:00.000Z","data":{"device_id":1}}"#,
        r#"{"type":"exploded","time":"2026-01-01T00:00:00.000Z","data":{}}"#,
        r#"{"type":"summary","time":"2026-01-01T00:00:00.000Z","data":{"disconnects":-1}}"#,
        r#"{"type":"detached","time":"2026-01-01T00:00:00.000Z"}"#,
    ];
    for line in bad {
        let v: Value = serde_json::from_str(line).unwrap();
        assert!(!schema.is_valid(&v), "accepted {line}");
    }
}
