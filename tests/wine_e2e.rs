//! The Windows build end to end, under Wine, against the simulator listening
//! where Apple Mobile Device Service listens (127.0.0.1:27015), with the
//! Windows paths a user has: `%APPDATA%\Apple Computer\MobileSync\Backup`,
//! `%USERPROFILE%\Apple\MobileSync\Backup`, `%ProgramData%\Apple\Lockdown`.
//!
//! Needs `wine64` (Debian: `apt-get install wine64`), `x86_64-w64-mingw32-gcc`
//! (`gcc-mingw-w64-x86-64`) and the Windows binary, built first with
//! `cargo build --release --target x86_64-pc-windows-gnu` (or named in
//! `IBC_WINDOWS_EXE`); `.ci/run` does all three. Where one is missing the test
//! says so and skips; under CI (`CI` set) it fails instead.
//!
//! Wine 8 has no `bcryptprimitives.dll`, whose `ProcessPrng` Rust's std
//! imports, so a small stand-in (`tests/wine/bcryptprimitives.c`) is built
//! with mingw and put beside the exe. The prefix is a temporary folder, set
//! to report Windows 10 (`winecfg -v win10`), and its wineserver is stopped
//! at the end. The cases run one after another in one test: they share the
//! prefix and the fixed port.
// The simulator is Unix-only.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use iphone_sim::{Scenario, SimConfig, SimHandle, Simulator};
use serde_json::Value;

#[path = "support/fs_tree.rs"]
mod fs_tree;
use fs_tree::copy_tree;

/// Where Apple Mobile Device Service listens, and the Windows build's default.
const SERVICE_PORT: u16 = 27015;
/// No Wine command may take longer (the first one creates the prefix).
const WINE_DEADLINE: Duration = Duration::from_secs(120);
const HEALTHY_UDID: &str = "c28d82f1df2580e648ad0225461d5592b8558bf7";
const TORN_UDID: &str = "00008110-001A2B3C4D5E6F70";

/// A named check against the shared prefix.
type Case = (&'static str, fn(&Wine));

#[test]
fn the_windows_build_under_wine() {
    let Some(tools) = Tools::find() else {
        return;
    };
    let wine = Wine::new(&tools);
    let cases: &[Case] = &[
        ("a healthy trusted phone is not blocked", healthy_phone),
        (
            "nothing on 127.0.0.1:27015: the service is named",
            nothing_on_the_port,
        ),
        (
            "a disabled Apple Mobile Device Service is reported",
            disabled_service,
        ),
        (
            "iTunes and the Apple Devices app are listed",
            installed_apple_software,
        ),
        ("no pair record: trust.not-paired", no_pair_record),
        (
            "the pair record in %ProgramData%\\Apple\\Lockdown is read",
            lockdown_folder_record,
        ),
        (
            "a torn backup in %APPDATA% is found",
            torn_backup_in_appdata,
        ),
        (
            "a backup folder on another drive is measured there",
            backup_folder_on_drive_d,
        ),
        (
            "the Microsoft Store backup folder is found beside an empty iTunes one",
            torn_backup_in_store_location,
        ),
    ];
    let mut failed = Vec::new();
    for (name, case) in cases {
        let started = Instant::now();
        match catch_unwind(AssertUnwindSafe(|| case(&wine))) {
            Ok(()) => eprintln!(
                "wine e2e: ok     {name} ({:.1} s)",
                started.elapsed().as_secs_f64()
            ),
            Err(_) => {
                eprintln!("wine e2e: FAILED {name}");
                failed.push(*name);
            }
        }
    }
    drop(wine);
    assert!(failed.is_empty(), "failed under Wine: {failed:?}");
}

fn healthy_phone(wine: &Wine) {
    let sim = wine.start_sim(Scenario::by_name("healthy").unwrap());
    let run = wine.diagnose(&[]);
    let report = run.json();
    assert!(
        run.code == 0 || run.code == 1,
        "a healthy phone is not blocked, exit {}:\n{}",
        run.code,
        run.text
    );
    assert_ne!(report["verdict"], "blocked", "{}", run.text);
    let blockers: Vec<&Value> = findings(&report)
        .into_iter()
        .filter(|f| f["severity"] == "blocker")
        .collect();
    assert!(blockers.is_empty(), "blockers: {blockers:?}\n{}", run.text);
    assert!(
        !ids(&report).contains(&"host.disk-space".to_string()),
        "{}",
        run.text
    );
    assert_eq!(report["devices"][0]["udid"], HEALTHY_UDID);
    assert_eq!(report["devices"][0]["product_type"], "iPhone10,3");
    let pairing = &report["snapshot"]["probes"]["devices"][0]["pairing"]["value"];
    assert_eq!(pairing["record"], "present", "{pairing}");
    // The facts Windows gave: its version by name, the volume by drive.
    let host = &report["snapshot"]["probes"]["host"]["value"];
    let version = host["os"]["version"].as_str().unwrap_or_default();
    assert!(version.starts_with("10 (build "), "{version}");
    let volume = &host["backup_dir"]["volume"];
    assert_eq!(volume["mount_point"], "C:\\", "{volume}");
    assert!(volume["free_bytes"].as_u64().unwrap_or(0) > 0, "{volume}");
    assert!(
        flat(&run.text).contains("Windows 10 (build "),
        "{}",
        run.text
    );
    assert!(!run.text.contains("0 bytes free"), "{}", run.text);
    assert!(
        run.text.contains("✓ Ready") || run.text.contains("! Ready, with warnings"),
        "{}",
        run.text
    );
    sim.assert_untouched(&run);
}

fn nothing_on_the_port(wine: &Wine) {
    let run = wine.diagnose(&[]);
    let report = run.json();
    assert_eq!(run.code, 2, "{}", run.text);
    assert_eq!(
        findings(&report)[0]["id"],
        "usbmuxd.not-running",
        "{}",
        run.text
    );
    let svc = &report["snapshot"]["probes"]["windows"]["value"]["mobile_device_service"];
    assert_eq!(svc["state"], "not-installed", "{svc}");
    assert!(
        flat(&run.text).contains("tcp:127.0.0.1:27015")
            && flat(&run.text).contains("Apple Mobile Device Service is not installed"),
        "{}",
        run.text
    );
    // Its remedies are the Windows ones, which name the service.
    let steps = findings(&report)[0]["remediation"].to_string();
    assert!(steps.contains("Apple Mobile Device Service"), "{steps}");
    assert!(!steps.contains("apt install"), "{steps}");
}

fn disabled_service(wine: &Wine) {
    // The test's own prefix: a service entry that runs nothing, disabled.
    let name = "Apple Mobile Device Service";
    wine.run_tool(&[
        "sc",
        "create",
        name,
        "binPath=",
        r"C:\windows\system32\notepad.exe",
        "start=",
        "disabled",
    ]);
    let run = wine.diagnose(&[]);
    wine.run_tool(&["sc", "delete", name]);
    let report = run.json();
    let svc = &report["snapshot"]["probes"]["windows"]["value"]["mobile_device_service"];
    assert_eq!(
        (&svc["state"], &svc["start_type"]),
        (&"stopped".into(), &"disabled".into()),
        "{svc}"
    );
    assert!(
        flat(&run.text).contains("Apple Mobile Device Service is stopped, disabled"),
        "{}",
        run.text
    );
    assert_eq!(findings(&report)[0]["id"], "usbmuxd.not-running");
}

fn installed_apple_software(wine: &Wine) {
    // What Apple's iTunes installer and the Store leave in the registry.
    let uninstall = r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\{E2E-ITUNES}";
    let package = r"HKCU\Software\Classes\Local Settings\Software\Microsoft\Windows\CurrentVersion\AppModel\Repository\Packages\AppleInc.AppleDevices_1.2405.9.0_x64__nzyj5cx40ttqa";
    let before = wine.diagnose(&[]);
    assert!(
        flat(&before.text).contains("no iTunes or Apple Devices app found"),
        "{}",
        before.text
    );
    for (key, value, data) in [
        (uninstall, "DisplayName", "iTunes"),
        (uninstall, "DisplayVersion", "12.13.2.3"),
        (package, "DisplayName", "Apple Devices"),
    ] {
        let r = wine.run_tool(&["reg", "add", key, "/v", value, "/d", data, "/f"]);
        assert_eq!(r.code, 0, "reg add {key}: {}", r.stderr);
    }
    let run = wine.diagnose(&[]);
    for key in [uninstall, package] {
        wine.run_tool(&["reg", "delete", key, "/f"]);
    }
    let report = run.json();
    let software = &report["snapshot"]["probes"]["windows"]["value"]["apple_software"];
    assert_eq!(
        software,
        &serde_json::json!([
            {"product": "itunes", "source": "apple-installer", "version": "12.13.2.3"},
            {"product": "apple-devices", "source": "microsoft-store", "version": "1.2405.9.0"},
        ]),
        "{}",
        run.text
    );
    assert!(
        flat(&run.text).contains("iTunes 12.13.2.3, Apple Devices 1.2405.9.0 (Microsoft Store)"),
        "{}",
        run.text
    );
}

fn no_pair_record(wine: &Wine) {
    let sim = wine.start_sim(Scenario::by_name("no_pair_record").unwrap());
    let run = wine.diagnose(&[]);
    let report = run.json();
    assert!(
        ids(&report).contains(&"trust.not-paired".to_string()),
        "{}",
        run.text
    );
    assert_eq!(run.code, 2, "{}", run.text);
    sim.assert_untouched(&run);
}

fn lockdown_folder_record(wine: &Wine) {
    // usbmuxd has no record (ReadPairRecord → 2), the phone knows the host,
    // and the record is in the lockdown folder, as on a Windows PC whose
    // service lost its answer but kept the file.
    let mut scenario = Scenario::by_name("healthy").unwrap();
    scenario.devices[0].trust.host_has_pair_record = false;
    let device = &scenario.devices[0];
    let material = iphone_sim::pair_record::material_for(
        &scenario.name,
        &device.udid,
        device.value_str("WiFiAddress"),
    )
    .unwrap();
    let folder = wine.unix_path(&format!(r"{}\Apple\Lockdown", wine.programdata));
    std::fs::create_dir_all(&folder).unwrap();
    let record = folder.join(format!("{HEALTHY_UDID}.plist"));
    std::fs::write(&record, material.pair_record_plist()).unwrap();
    let before = std::fs::read(&record).unwrap();
    let sim = wine.start_sim(scenario);
    let run = wine.diagnose(&[]);
    let after = std::fs::read(&record).unwrap();
    std::fs::remove_dir_all(&folder).unwrap();
    let report = run.json();
    let pairing = &report["snapshot"]["probes"]["devices"][0]["pairing"]["value"];
    assert_eq!(pairing["source"], "lockdown-folder", "{pairing}");
    assert_eq!(pairing["folder"]["state"], "present", "{pairing}");
    let path = pairing["folder"]["path"].as_str().unwrap_or_default();
    assert!(
        path.eq_ignore_ascii_case(&format!(
            r"{}\Apple\Lockdown\{HEALTHY_UDID}.plist",
            wine.programdata
        )),
        "{path}"
    );
    assert_ne!(report["verdict"], "blocked", "{}", run.text);
    assert_eq!(before, after, "the pair record was changed");
    sim.assert_untouched(&run);
}

fn torn_backup_in_appdata(wine: &Wine) {
    let dir = format!(r"{}\Apple Computer\MobileSync\Backup", wine.appdata);
    torn_backup_at(wine, &dir);
}

fn backup_folder_on_drive_d(wine: &Wine) {
    // The folder moved to D: and linked back, as users do to free C:. Wine 8
    // cannot make NTFS junctions (mklink /J fails), so the link is a Unix
    // symlink Wine follows; the point is that the free space is D:'s.
    let drive_d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(drive_d.path().join("iPhoneBackup")).unwrap();
    let dosdevice = wine.prefix.path().join("dosdevices/d:");
    std::os::unix::fs::symlink(drive_d.path(), &dosdevice).unwrap();
    let win_dir = format!(r"{}\Apple Computer\MobileSync\Backup", wine.appdata);
    let link = wine.unix_path(&win_dir);
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(drive_d.path().join("iPhoneBackup"), &link).unwrap();
    let run = wine.diagnose(&[]);
    std::fs::remove_file(&link).unwrap();
    std::fs::remove_file(&dosdevice).unwrap();
    let report = run.json();
    let dir = &report["snapshot"]["probes"]["host"]["value"]["backup_dir"];
    assert_eq!(dir["exists"], true, "{dir}");
    assert_eq!(dir["volume"]["mount_point"], "D:\\", "{dir}");
    assert!(
        dir["volume"]["free_bytes"].as_u64().unwrap_or(0) > 0,
        "{dir}"
    );
    // Whether D: is short of room depends on the machine running the test (a
    // CI runner's disk may be nearly full); what must hold is that any
    // warning about room is about D:, where the backups now live, never C:.
    let space_evidence: Vec<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["id"] == "host.disk-space")
        .flat_map(|f| f["evidence"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    if !space_evidence.is_empty() {
        assert!(
            space_evidence.iter().any(|e| e.contains(r"D:\")),
            "{}",
            run.text
        );
        assert!(
            !space_evidence.iter().any(|e| e.contains(r"C:\")),
            "{}",
            run.text
        );
    }
}

fn torn_backup_in_store_location(wine: &Wine) {
    // The Microsoft Store / Apple Devices folder holds the backup; iTunes'
    // folder was left behind empty, as after a move to the Apple Devices app.
    let left_behind = wine.unix_path(&format!(
        r"{}\Apple Computer\MobileSync\Backup",
        wine.appdata
    ));
    std::fs::create_dir_all(&left_behind).unwrap();
    let dir = format!(r"{}\Apple\MobileSync\Backup", wine.userprofile);
    torn_backup_at(wine, &dir);
    std::fs::remove_dir_all(&left_behind).unwrap();
}

/// A torn backup (the real `uploading` Status.plist) in `win_dir`, the only
/// backup folder there is: found, judged unfinished, left byte for byte.
fn torn_backup_at(wine: &Wine, win_dir: &str) {
    let dir = wine.unix_path(win_dir);
    copy_tree(Path::new("fixtures/backup-folders/torn"), &dir);
    let before = tree(&dir);
    let run = wine.diagnose(&[]);
    let after = tree(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    let report = run.json();
    let host = &report["snapshot"]["probes"]["host"]["value"];
    let chosen = host["backup_dir"]["path"].as_str().unwrap_or_default();
    assert!(
        chosen.eq_ignore_ascii_case(win_dir),
        "{chosen} is not {win_dir}"
    );
    let backups = &report["snapshot"]["probes"]["backups"]["value"]["backups"];
    assert_eq!(backups[0]["udid"], TORN_UDID, "{backups}");
    assert!(
        ids(&report).contains(&"backup.unfinished".to_string()),
        "{}",
        run.text
    );
    assert!(flat(&run.text).contains(win_dir), "{}", run.text);
    assert_eq!(before, after, "the backup folder was changed");
}

// ---------------------------------------------------------------------------

/// What the harness needs from the machine.
struct Tools {
    wine: PathBuf,
    wineserver: Option<PathBuf>,
    gcc: PathBuf,
    exe: PathBuf,
}

impl Tools {
    fn find() -> Option<Self> {
        let wine = need(
            "wine64 (apt-get install wine64)",
            std::env::var_os("WINE")
                .map(PathBuf::from)
                .filter(|p| p.is_file())
                .or_else(|| {
                    on_path("wine64")
                        .or_else(|| on_path("wine"))
                        .or_else(|| existing("/usr/lib/wine/wine64"))
                }),
        )?;
        let gcc = need(
            "x86_64-w64-mingw32-gcc (apt-get install gcc-mingw-w64-x86-64)",
            on_path("x86_64-w64-mingw32-gcc"),
        )?;
        let exe = need(
            "the Windows build (cargo build --release --target x86_64-pc-windows-gnu)",
            windows_exe(),
        )?;
        let wineserver = on_path("wineserver")
            .or_else(|| existing("/usr/lib/wine/wineserver64"))
            .or_else(|| existing("/usr/lib/wine/wineserver"));
        Some(Self {
            wine,
            wineserver,
            gcc,
            exe,
        })
    }
}

/// `found`, or a loud skip (outside CI) / failure (under CI).
fn need<T>(what: &str, found: Option<T>) -> Option<T> {
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{what} is missing; under CI the Wine end-to-end test must run"
        );
        eprintln!(
            "SKIPPED: the Windows build under Wine needs {what}; set CI to make this a failure"
        );
    }
    found
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn existing(path: &str) -> Option<PathBuf> {
    Some(PathBuf::from(path)).filter(|p| p.is_file())
}

/// `IBC_WINDOWS_EXE`, else the newest of the release and debug builds in
/// this target folder (beside the Linux binary the tests run).
fn windows_exe() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("IBC_WINDOWS_EXE") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let linux = PathBuf::from(env!("CARGO_BIN_EXE_iphone-backup-check"));
    let target = linux.parent()?.parent()?.join("x86_64-pc-windows-gnu");
    ["release", "debug"]
        .iter()
        .map(|p| target.join(p).join("iphone-backup-check.exe"))
        .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
        .max()
        .map(|(_, p)| p)
}

/// A temporary Wine prefix reporting Windows 10, with the exe and the
/// `bcryptprimitives.dll` stand-in beside it in `C:\ibc`.
struct Wine {
    tools_wine: PathBuf,
    wineserver: Option<PathBuf>,
    prefix: tempfile::TempDir,
    work: tempfile::TempDir,
    exe: PathBuf,
    appdata: String,
    userprofile: String,
    programdata: String,
}

impl Wine {
    fn new(tools: &Tools) -> Self {
        let prefix = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let mut wine = Self {
            tools_wine: tools.wine.clone(),
            wineserver: tools.wineserver.clone(),
            prefix,
            work,
            exe: PathBuf::new(),
            appdata: String::new(),
            userprofile: String::new(),
            programdata: String::new(),
        };
        let cfg = wine.run_tool(&["winecfg", "-v", "win10"]);
        assert!(cfg.code == 0, "winecfg -v win10 failed:\n{}", cfg.stderr);
        // One wineserver for the whole run (stopped in Drop), rather than one
        // started, with Wine's services, for each command.
        if let Some(server) = &wine.wineserver {
            let t = Instant::now();
            wineserver(server, wine.prefix.path(), "-p");
            eprintln!(
                "wine e2e:   wineserver -p in {:.2} s",
                t.elapsed().as_secs_f64()
            );
        }
        let dir = wine.prefix.path().join("drive_c/ibc");
        std::fs::create_dir_all(&dir).unwrap();
        let exe = dir.join("iphone-backup-check.exe");
        std::fs::copy(&tools.exe, &exe).unwrap();
        let shim = Command::new(&tools.gcc)
            .args(["-shared", "-O2", "-s", "-Wall", "-o"])
            .arg(dir.join("bcryptprimitives.dll"))
            .args([
                "tests/wine/bcryptprimitives.c",
                "tests/wine/bcryptprimitives.def",
            ])
            .output()
            .unwrap();
        assert!(
            shim.status.success(),
            "building the bcryptprimitives stand-in failed: {}",
            String::from_utf8_lossy(&shim.stderr)
        );
        wine.exe = exe;
        wine.appdata = wine.echo("%APPDATA%");
        wine.userprofile = wine.echo("%USERPROFILE%");
        wine.programdata = wine.echo("%ProgramData%");
        // The tool's own idea of where backups go agrees with Windows'.
        let report = wine.diagnose(&[]).json();
        let candidates = &report["snapshot"]["probes"]["host"]["value"]["backup_dir"]["candidates"];
        assert_eq!(
            candidates,
            &serde_json::json!([
                format!(r"{}\Apple Computer\MobileSync\Backup", wine.appdata),
                format!(r"{}\Apple\MobileSync\Backup", wine.userprofile),
            ]),
        );
        wine
    }

    /// A variable as cmd.exe expands it inside the prefix.
    fn echo(&self, var: &str) -> String {
        let out = self.run_tool(&["cmd", "/c", "echo", var]);
        let value = out.stdout.trim().to_string();
        assert!(
            value.len() > 3 && !value.contains('%'),
            "{var} is not set in the prefix: {:?}",
            out.stdout
        );
        value
    }

    /// A file under `C:\` of the prefix, as a Linux path.
    fn unix_path(&self, windows: &str) -> PathBuf {
        let rest = windows
            .strip_prefix("C:\\")
            .or_else(|| windows.strip_prefix("c:\\"))
            .unwrap_or_else(|| panic!("{windows} is not on C:"));
        let mut p = self.prefix.path().join("drive_c");
        for part in rest.split('\\').filter(|s| !s.is_empty()) {
            p.push(part);
        }
        p
    }

    fn start_sim(&self, scenario: Scenario) -> Sim {
        let socket = self.work.path().join(format!("mux-{}", scenario.name));
        let handle = Simulator::start(SimConfig {
            socket,
            tcp_port: Some(SERVICE_PORT),
            scenario,
        })
        .unwrap_or_else(|e| {
            panic!("the simulator could not listen on 127.0.0.1:{SERVICE_PORT}: {e}")
        });
        Sim(handle)
    }

    /// `diagnose` at the Windows defaults, once as text and once as JSON.
    fn diagnose(&self, extra: &[&str]) -> Diagnosis {
        let mut args = vec!["diagnose", "--timeout", "10", "--color", "never"];
        args.extend_from_slice(extra);
        let text = self.run_exe(&args);
        args.push("--json");
        let json = self.run_exe(&args);
        assert_eq!(
            text.code, json.code,
            "text and JSON disagree on the exit status:\n{}\nstderr: {}\nJSON:\n{}\nstderr: {}",
            text.stdout, text.stderr, json.stdout, json.stderr
        );
        Diagnosis {
            code: text.code,
            text: text.stdout,
            json: json.stdout,
        }
    }

    fn run_exe(&self, args: &[&str]) -> Run {
        let mut cmd = self.command();
        cmd.arg(&self.exe).args(args);
        let started = Instant::now();
        let r = run(cmd);
        eprintln!(
            "wine e2e:   {args:?}: exit {} in {:.2} s",
            r.code,
            started.elapsed().as_secs_f64()
        );
        r
    }

    /// A program of Wine's own (winecfg, cmd, sc, reg).
    fn run_tool(&self, args: &[&str]) -> Run {
        let mut cmd = self.command();
        cmd.args(args);
        let started = Instant::now();
        let r = run(cmd);
        eprintln!(
            "wine e2e:   {args:?}: exit {} in {:.2} s",
            r.code,
            started.elapsed().as_secs_f64()
        );
        r
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.tools_wine);
        cmd.env("WINEPREFIX", self.prefix.path())
            .env("WINEDEBUG", "-all")
            // No Mono or Gecko installer prompts in a fresh prefix.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            // Wine passes the Unix environment to Windows programs.
            .env_remove("USBMUXD_SOCKET_ADDRESS")
            .env_remove("NO_COLOR")
            .env_remove("RUST_LOG")
            .current_dir(self.work.path());
        cmd
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        // This prefix's wineserver only (it would linger a few seconds).
        if let Some(server) = &self.wineserver {
            wineserver(server, self.prefix.path(), "-k");
        }
    }
}

struct Sim(SimHandle);

impl Sim {
    /// Read-only, and no key, certificate or escrow bag in any output.
    fn assert_untouched(&self, run: &Diagnosis) {
        assert!(self.0.writes().is_empty(), "writes: {:?}", self.0.writes());
        for secret in self.0.secrets() {
            assert!(
                !run.text.contains(&secret) && !run.json.contains(&secret),
                "a secret reached the output"
            );
        }
        assert_eq!(self.0.panics(), 0);
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

struct Diagnosis {
    code: i32,
    text: String,
    json: String,
}

impl Diagnosis {
    fn json(&self) -> Value {
        serde_json::from_str(&self.json)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\ntext:\n{}", self.json, self.text))
    }
}

fn findings(report: &Value) -> Vec<&Value> {
    report["findings"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn ids(report: &Value) -> Vec<String> {
    findings(report)
        .iter()
        .filter_map(|f| f["id"].as_str().map(str::to_string))
        .collect()
}

fn run(cmd: Command) -> Run {
    let what = format!("{cmd:?}");
    run_within(cmd, WINE_DEADLINE).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Runs `cmd` to its end, or kills it at the deadline. Output goes to files,
/// not pipes: Wine's background processes (services.exe, winedevice.exe,
/// started by the first program in a new prefix) inherit the handles and
/// would keep a pipe open long after the program ended.
fn run_within(mut cmd: Command, deadline: Duration) -> Result<Run, String> {
    let out = tempfile::tempfile().map_err(|e| e.to_string())?;
    let err = tempfile::tempfile().map_err(|e| e.to_string())?;
    let clone = |f: &std::fs::File| f.try_clone().map_err(|e| e.to_string());
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(clone(&out)?)
        .stderr(clone(&err)?)
        .spawn()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("no end within {deadline:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |mut f: std::fs::File| {
        use std::io::Seek;
        let mut buf = Vec::new();
        let _ = f.rewind().and_then(|()| f.read_to_end(&mut buf));
        String::from_utf8_lossy(&buf).into_owned()
    };
    Ok(Run {
        code: status.code().unwrap_or(-1),
        stdout: read(out),
        stderr: read(err),
    })
}

/// Runs a wineserver command with no pipes for its daemon to keep.
fn wineserver(server: &Path, prefix: &Path, arg: &str) {
    let mut child = match Command::new(server)
        .arg(arg)
        .env("WINEPREFIX", prefix)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("wine e2e: {} {arg}: {e}", server.display());
            return;
        }
    };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Every file under `dir` with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The report with its wrapping undone (it wraps at 80 columns at word
/// boundaries): every run of whitespace one space.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
