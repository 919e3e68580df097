//! The USB layer on a real libusb: every bus in `fixtures/umockdev/` under
//! `umockdev-run`, which emulates sysfs and `/dev/bus/usb` for the process,
//! so the tool's own rusb/libusb path (enumeration, descriptors, speed,
//! port chains, opening, sysfs drivers, device nodes) runs as on a
//! computer with the phone plugged in.
//!
//! For each description: `devices --json`, `diagnose --json` and `record`,
//! checking mode, speed, port chain, hubs, the active configuration and the
//! usbmux one, and the `usb.*` findings its row in
//! `fixtures/umockdev/README.md` lists. Then the bus without privileges
//! (`usb.access-denied`), and Debian's real usbmuxd on the same emulated
//! bus in a private mount namespace.
//!
//! Without `umockdev-run` (or, for some tests, root, `unshare`, `setpriv`,
//! `usbmuxd`) the tests skip with a notice, except under CI, where
//! `.ci/run` installs them and the tests must run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// What a phone on a described bus must look like in the snapshot.
struct Phone {
    product_id: u16,
    mode: &'static str,
    speed: &'static str,
    port_chain: &'static [u8],
    /// Product ids of the hubs between the root hub and the phone.
    hubs: &'static [u16],
    active_config: Option<u8>,
    /// The configurations that carry the usbmux interface (ff/fe/02).
    usbmux_configs: &'static [u8],
    udid: Option<&'static str>,
}

const fn normal(
    product_id: u16,
    speed: &'static str,
    port_chain: &'static [u8],
    active: u8,
    udid: Option<&'static str>,
) -> Phone {
    Phone {
        product_id,
        mode: "normal",
        speed,
        port_chain,
        hubs: &[],
        active_config: Some(active),
        usbmux_configs: &[3, 4],
        udid,
    }
}

/// Every description and what its bus holds (a test fails when a
/// description has no row here).
const BUSES: &[(&str, &[Phone])] = &[
    (
        "iphone-direct-config4",
        &[normal(
            0x12a8,
            "high",
            &[2],
            4,
            Some("00008101-00094C9B56A76363"),
        )],
    ),
    (
        "iphone-config1-ptp",
        &[normal(
            0x12a8,
            "high",
            &[1],
            1,
            Some("082f55467ffb11a7c14eb698a69a53788fc3a240"),
        )],
    ),
    (
        "iphone-five-configs-config3",
        &[Phone {
            usbmux_configs: &[3, 4, 5],
            ..normal(
                0x12a8,
                "high",
                &[4],
                3,
                Some("3d0d7e5fb2ce288813306e4d4636395e047a3d28"),
            )
        }],
    ),
    (
        "ipad-12ab-config4",
        &[normal(
            0x12ab,
            "high",
            &[6],
            4,
            Some("00008027-0008D68C13D75DDD"),
        )],
    ),
    (
        "recovery-1281",
        &[Phone {
            product_id: 0x1281,
            mode: "recovery",
            speed: "high",
            port_chain: &[3],
            hubs: &[],
            active_config: Some(1),
            usbmux_configs: &[],
            udid: None,
        }],
    ),
    (
        "dfu-1227",
        &[Phone {
            product_id: 0x1227,
            mode: "dfu",
            speed: "high",
            port_chain: &[1],
            hubs: &[],
            active_config: Some(1),
            usbmux_configs: &[],
            udid: None,
        }],
    ),
    (
        "hub-one-dcsd",
        &[Phone {
            hubs: &[0x2513],
            ..normal(0x12a8, "high", &[2, 3], 4, None)
        }],
    ),
    (
        "hub-two-dcsd",
        &[Phone {
            hubs: &[0x0024, 0x2513],
            ..normal(0x12a8, "high", &[1, 1, 3], 4, None)
        }],
    ),
    (
        "iphone4-full-speed-12",
        &[normal(
            0x1297,
            "full",
            &[1],
            4,
            Some("5da0d43fab6d28563c621680033fe4e8f689dd75"),
        )],
    ),
    (
        "usb3-superspeed-5000",
        &[Phone {
            usbmux_configs: &[3, 4, 5],
            ..normal(0x12a8, "super", &[1], 4, Some("00008130-001A2B3C4D5E6F70"))
        }],
    ),
    (
        "usb3-superspeed-10000",
        &[Phone {
            usbmux_configs: &[3, 4, 5],
            ..normal(
                0x12a8,
                "super-plus",
                &[1],
                4,
                Some("00008130-001A2B3C4D5E6F70"),
            )
        }],
    ),
    (
        "usb3-phone-at-480",
        &[Phone {
            usbmux_configs: &[3, 4, 5],
            ..normal(0x12a8, "high", &[3], 4, Some("00008130-001A2B3C4D5E6F70"))
        }],
    ),
    (
        "two-phones",
        &[
            normal(0x12a8, "high", &[4], 1, Some("00008120-0009E122EFBAD466")),
            normal(0x12a8, "high", &[2], 4, Some("00008101-00094C9B56A76363")),
        ],
    ),
    ("non-apple-only", &[]),
    ("empty-bus", &[]),
    ("iphone-se-access", &[normal(0x12a8, "high", &[1], 1, None)]),
    (
        "iphone4-bus3",
        &[normal(
            0x1297,
            "high",
            &[2],
            0,
            Some("6b575a0afc39100b9247c923e679d4af2658f347"),
        )],
    ),
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn description(name: &str) -> PathBuf {
    repo()
        .join("fixtures/umockdev")
        .join(format!("{name}.umockdev"))
}

fn have(bin: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {bin}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Whether `test` can run here; a missing tool is an error under CI.
fn runnable(test: &str, tools: &[&str], root: bool) -> bool {
    let missing: Vec<&str> = tools.iter().copied().filter(|t| !have(t)).collect();
    let why = if !missing.is_empty() {
        format!("{} not installed", missing.join(", "))
    } else if root && !is_root() {
        "not root".to_string()
    } else {
        return true;
    };
    assert!(
        std::env::var_os("CI").is_none(),
        "{test} cannot run under CI: {why}"
    );
    eprintln!("SKIPPED {test}: {why}");
    false
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("iphone-backup-check")
}

/// The tool under `umockdev-run` on description `name`. `timeout` is the
/// hang guard (many times the half second a run takes).
fn on_bus(name: &str, args: &[&str]) -> Output {
    Command::new("umockdev-run")
        .arg("-d")
        .arg(description(name))
        .args(["--", "timeout", "120"])
        .arg(bin())
        .args(args)
        .env_remove("USBMUXD_SOCKET_ADDRESS")
        .output()
        .expect("umockdev-run")
}

fn json(out: &Output, what: &str) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{what}: not JSON ({e}); stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The `usb.*` findings each description's README row lists.
fn readme_findings() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(repo().join("fixtures/umockdev/README.md"))
        .expect("fixtures/umockdev/README.md");
    let mut rows = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let name = cells[1]
            .trim_matches('`')
            .trim_end_matches(".umockdev")
            .to_string();
        let ids: Vec<String> = cells[4]
            .split(',')
            .map(|c| c.trim().trim_matches('`').to_string())
            .filter(|c| c != "none" && !c.is_empty())
            .collect();
        rows.insert(name, ids);
    }
    rows
}

fn ids(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The Apple devices of a snapshot's USB probe, bus order.
fn usb_devices(snapshot: &Value) -> Vec<Value> {
    let usb = &snapshot["probes"]["usb"];
    assert_eq!(usb["status"], "ok", "the emulated bus must read: {usb}");
    usb["value"]["devices"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Checks the probe's view of each phone against the table.
fn check_phones(name: &str, got: &[Value], want: &[Phone]) {
    let phones: Vec<&Value> = got.iter().filter(|d| d["mode"] != "other").collect();
    assert_eq!(phones.len(), want.len(), "{name}: {got:#?}");
    for (d, w) in phones.iter().zip(want) {
        let ctx = format!("{name}: {d:#}");
        assert_eq!(d["product_id"], w.product_id, "{ctx}");
        assert_eq!(d["mode"], w.mode, "{ctx}");
        assert_eq!(d["speed"], w.speed, "{ctx}");
        assert_eq!(d["port_chain"], serde_json::json!(w.port_chain), "{ctx}");
        let hubs: Vec<u64> = d["hubs"]
            .as_array()
            .map(|h| h.iter().filter_map(|x| x["product_id"].as_u64()).collect())
            .unwrap_or_default();
        let want_hubs: Vec<u64> = w.hubs.iter().map(|h| u64::from(*h)).collect();
        assert_eq!(hubs, want_hubs, "{ctx}");
        assert_eq!(
            d["active_config"],
            serde_json::json!(w.active_config),
            "{ctx}"
        );
        let mux: Vec<u64> = d["configurations"]
            .as_array()
            .map(|cs| {
                cs.iter()
                    .filter(|c| {
                        c["interfaces"].as_array().is_some_and(|is| {
                            is.iter().any(|i| {
                                i["class"] == 255 && i["subclass"] == 254 && i["protocol"] == 2
                            })
                        })
                    })
                    .filter_map(|c| c["value"].as_u64())
                    .collect()
            })
            .unwrap_or_default();
        let want_mux: Vec<u64> = w.usbmux_configs.iter().map(|c| u64::from(*c)).collect();
        assert_eq!(mux, want_mux, "{ctx}");
        assert_eq!(d["udid"], serde_json::json!(w.udid), "{ctx}");
        assert_eq!(d["access"]["result"], "opened", "{ctx}");
    }
}

/// The findings a description's report must carry: its README's `usb.*`
/// list, in order; and with usbmuxd down and a phone in recovery or DFU
/// mode alone (or no phone, on Linux), no usbmuxd blocker beside them.
fn check_findings(name: &str, report: &Value, want: &[String]) -> Result<(), String> {
    let all = ids(report);
    let usb: Vec<String> = all
        .iter()
        .filter(|i| i.starts_with("usb."))
        .cloned()
        .collect();
    if usb != want {
        return Err(format!(
            "{name}: usb findings {usb:?}, want {want:?} (all: {all:?})"
        ));
    }
    let first = all.first().cloned().unwrap_or_default();
    let daemon_blocker = report["findings"].as_array().is_some_and(|fs| {
        fs.iter().any(|f| {
            f["id"].as_str().is_some_and(|i| i.starts_with("usbmuxd."))
                && f["severity"] == "blocker"
        })
    });
    let no_normal_phone = want.iter().any(|w| {
        matches!(
            w.as_str(),
            "usb.no-device" | "usb.recovery-mode" | "usb.dfu-mode"
        )
    });
    if no_normal_phone && (first != want[0] || daemon_blocker) {
        return Err(format!(
            "{name}: {} must rank first with no usbmuxd blocker beside it (all: {all:?})",
            want[0]
        ));
    }
    Ok(())
}

/// A usbmuxd address where nothing listens, so the daemon's state is the
/// same wherever the tests run.
fn no_daemon(dir: &Path) -> String {
    format!("UNIX:{}", dir.join("no-usbmuxd").display())
}

/// usbmuxd's own address, where a Linux computer with no phone has nothing
/// (udev starts usbmuxd when a phone arrives). Only there is a stopped
/// daemon what "no phone" looks like; an address given with --usbmuxd that
/// holds nothing is a wrong address. False (the test is skipped, or fails
/// under CI) where a usbmuxd runs on this machine.
fn default_address_is_empty(test: &str) -> bool {
    if !Path::new("/var/run/usbmuxd").exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: a usbmuxd listens at /var/run/usbmuxd on this CI machine"
    );
    eprintln!("SKIPPED {test}: a usbmuxd listens at /var/run/usbmuxd");
    false
}

#[test]
fn every_description_has_a_row_and_a_readme_line() {
    let readme = readme_findings();
    let mut files: Vec<String> = std::fs::read_dir(repo().join("fixtures/umockdev"))
        .expect("fixtures/umockdev")
        .filter_map(Result::ok)
        .filter_map(|e| {
            e.file_name()
                .to_string_lossy()
                .strip_suffix(".umockdev")
                .map(str::to_string)
        })
        .collect();
    files.sort();
    let mut rows: Vec<String> = BUSES.iter().map(|(n, _)| (*n).to_string()).collect();
    rows.sort();
    assert_eq!(files, rows, "every description needs a row in BUSES");
    let listed: Vec<String> = readme.keys().cloned().collect();
    assert_eq!(files, listed, "every description needs a README line");
}

#[test]
fn diagnose_on_each_bus() {
    if !runnable("diagnose_on_each_bus", &["umockdev-run", "timeout"], false) {
        return;
    }
    if !default_address_is_empty("diagnose_on_each_bus") {
        return;
    }
    let readme = readme_findings();
    let work = tempfile::tempdir().unwrap();
    let backups = work.path().join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    let backups = backups.to_string_lossy().into_owned();
    for (name, phones) in BUSES {
        let out = on_bus(
            name,
            &[
                "diagnose",
                "--json",
                "--timeout",
                "10",
                "--backup-dir",
                &backups,
            ],
        );
        let report = json(&out, name);
        check_phones(name, &usb_devices(&report["snapshot"]), phones);
        // Usually 2 (a blocker: usbmuxd is not running here), never the
        // tool's own failure.
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "{name}: {:?}",
            out.status
        );
        if let Err(e) = check_findings(name, &report, &readme[*name]) {
            panic!("{e}");
        }
    }
}

#[test]
fn devices_on_each_bus() {
    if !runnable("devices_on_each_bus", &["umockdev-run", "timeout"], false) {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let daemon = no_daemon(work.path());
    for (name, phones) in BUSES {
        let out = on_bus(name, &["devices", "--json", "--usbmuxd", &daemon]);
        let listed = json(&out, name);
        let rows = listed.as_array().cloned().unwrap_or_default();
        assert_eq!(rows.len(), phones.len(), "{name}: {listed:#}");
        for (row, phone) in rows.iter().zip(phones.iter()) {
            let usb = row["usb"].as_str().unwrap_or_default();
            let mbit = match phone.speed {
                "full" => "12 Mbit/s",
                "high" => "480 Mbit/s",
                "super" => "5000 Mbit/s",
                _ => "10000 Mbit/s",
            };
            assert!(
                usb.starts_with(phone.mode) && usb.contains(mbit),
                "{name}: {row:#}"
            );
            assert_eq!(row["usbmuxd"], "absent", "{name}: {row:#}");
        }
    }
}

/// `record` on the emulated bus writes the snapshot, and replaying it
/// (`diagnose --from`, no umockdev) gives the same USB findings: what a
/// user sends in a bug report is what the bus showed.
#[test]
fn record_on_each_bus_replays() {
    if !runnable(
        "record_on_each_bus_replays",
        &["umockdev-run", "timeout"],
        false,
    ) {
        return;
    }
    if !default_address_is_empty("record_on_each_bus_replays") {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    for (name, phones) in BUSES {
        let file = work.path().join(format!("{name}.json"));
        let file_arg = file.to_string_lossy().into_owned();
        let out = on_bus(name, &["record", "-o", &file_arg, "--timeout", "10"]);
        assert!(out.status.success(), "{name}: {out:?}");
        let recorded: Value =
            serde_json::from_slice(&std::fs::read(&file).unwrap()).expect("recorded JSON");
        let devices = usb_devices(&recorded);
        let phones_seen = devices.iter().filter(|d| d["mode"] != "other").count();
        assert_eq!(phones_seen, phones.len(), "{name}");
        // record redacts by default: no serial or UDID of the bus in it.
        let text = std::fs::read_to_string(&file).unwrap();
        for p in phones.iter().filter_map(|p| p.udid) {
            assert!(!text.contains(p), "{name}: UDID {p} not redacted");
        }
        let replay = Command::new(bin())
            .args(["diagnose", "--json", "--from", &file_arg])
            .output()
            .unwrap();
        let report = json(&replay, name);
        let live_usb: Vec<String> = ids(&report)
            .into_iter()
            .filter(|i| i.starts_with("usb."))
            .collect();
        let want = &readme_findings()[*name];
        assert_eq!(&live_usb, want, "{name}: replayed findings");
    }
}

/// A device node this user may not open: the phone's node is root's, 0644
/// (as without usbmuxd's udev rule), and the tool runs as nobody. umockdev's
/// own testbed is made reachable for nobody (its folder, where libusb's
/// netlink socket is emulated, and its ioctl socket, which the preload
/// library connects to on every open of an emulated node, or it aborts);
/// the device node itself stays root's.
#[test]
fn unprivileged_user_gets_access_denied_with_node_and_owner() {
    if !runnable(
        "unprivileged_user_gets_access_denied_with_node_and_owner",
        &["umockdev-run", "setpriv", "timeout"],
        true,
    ) {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    // nobody must reach the binary and a backup folder.
    let exe = work.path().join("iphone-backup-check");
    std::fs::copy(bin(), &exe).unwrap();
    let backups = work.path().join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    let out_file = work.path().join("report.json");
    let script = format!(
        "chmod 1777 \"$UMOCKDEV_DIR\" && find \"$UMOCKDEV_DIR/ioctl\" -type s -exec chmod 666 {{}} + && \
         chmod 755 '{work}' && chmod 777 '{backups}' && \
         setpriv --reuid=65534 --regid=65534 --clear-groups -- \
         timeout 120 '{exe}' diagnose --json --timeout 10 --backup-dir '{backups}' \
         --usbmuxd 'UNIX:{work}/no-usbmuxd' > '{out}'",
        work = work.path().display(),
        backups = backups.display(),
        exe = exe.display(),
        out = out_file.display(),
    );
    let run = Command::new("umockdev-run")
        .arg("-d")
        .arg(description("iphone-se-access"))
        .args(["--", "sh", "-c", &script])
        .output()
        .unwrap();
    assert!(matches!(run.status.code(), Some(1 | 2)), "{run:?}");
    let report: Value = serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    let devices = usb_devices(&report["snapshot"]);
    assert_eq!(devices.len(), 1, "{devices:#?}");
    assert_eq!(devices[0]["access"]["result"], "denied", "{:#}", devices[0]);
    assert_eq!(devices[0]["node"]["owner"], "root", "{:#}", devices[0]);
    let all = ids(&report);
    assert!(all.contains(&"usb.access-denied".to_string()), "{all:?}");
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "usb.access-denied")
        .unwrap();
    let evidence = finding["evidence"].to_string();
    assert!(
        evidence.contains("/dev/bus/usb/001/011") && evidence.contains("root"),
        "the node and its owner: {evidence}"
    );
}

/// Shell lines that give the namespace its own /run, then run `body` under
/// umockdev with the description's bus and Debian's usbmuxd on it (its log
/// in `$log`); exit 90 / 91 when the namespace or the daemon fails.
fn with_real_usbmuxd(description: &Path, log: &Path, body: &str) -> String {
    format!(
        "mount -t tmpfs tmpfs /run || exit 90
         exec umockdev-run -d '{desc}' -- sh -c '
           usbmuxd -f -v -v > \"{log}\" 2>&1 &
           pid=$!
           for i in $(seq 1 50); do [ -S /var/run/usbmuxd ] && break; sleep 0.1; done
           [ -S /var/run/usbmuxd ] || exit 91
           {body}
           status=$?
           kill $pid 2>/dev/null; wait $pid 2>/dev/null
           exit $status'",
        desc = description.display(),
        log = log.display(),
    )
}

/// `diagnose --json` beside Debian's usbmuxd on description `name`, and a
/// `record` of the same (in `work`); returns the report and usbmuxd's log.
fn real_usbmuxd_diagnose(name: &str, work: &Path) -> (Value, String) {
    let log = work.join("usbmuxd.log");
    let backups = work.join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    let body = format!(
        "timeout 120 \"{bin}\" diagnose --json --timeout 10 --backup-dir \"{backups}\"
           st=$?
           timeout 120 \"{bin}\" record -o \"{record}\" --timeout 10 --backup-dir \"{backups}\" >/dev/null
           [ -s \"{record}\" ] && [ $st -le 2 ]",
        bin = bin().display(),
        backups = backups.display(),
        record = work.join("record.json").display(),
    );
    let script = with_real_usbmuxd(&description(name), &log, &body);
    let out = Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        code != 90 && code != 91,
        "could not start usbmuxd on the emulated bus: {} {log_text}",
        String::from_utf8_lossy(&out.stderr)
    );
    (json(&out, name), log_text)
}

/// Debian's usbmuxd finds the iPhone 4 on the emulated bus, cannot switch
/// its configuration (umockdev answers no usbfs control request without an
/// ioctl script), lists nothing; `diagnose` beside it says
/// `usbmuxd.device-not-listed` and why the bus shows it.
#[test]
fn real_usbmuxd_does_not_list_the_phone_on_the_bus() {
    if !runnable(
        "real_usbmuxd_does_not_list_the_phone_on_the_bus",
        &["umockdev-run", "usbmuxd", "unshare", "timeout"],
        true,
    ) {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let (report, log) = real_usbmuxd_diagnose("iphone4-bus3", work.path());
    assert!(
        log.contains("Found new device with v/p 05ac:1297 at 3-10")
            && log.contains("Could not set configuration 4 for device 3-10"),
        "usbmuxd saw the phone on the emulated bus and failed to configure it: {log}"
    );
    let mux = &report["snapshot"]["probes"]["usbmuxd"];
    assert_eq!(mux["status"], "ok", "{mux}");
    assert_eq!(mux["value"]["devices"], serde_json::json!([]), "{mux}");
    let all = ids(&report);
    assert_eq!(
        all.first().map(String::as_str),
        Some("usbmuxd.device-not-listed"),
        "{all:?}"
    );
    let evidence = report["findings"][0]["evidence"].to_string();
    assert!(
        evidence.contains("05ac:1297 on bus 3 port 2")
            && evidence.contains("configuration 0")
            && evidence.contains("configuration 4"),
        "the bus's view and the configuration usbmuxd wanted: {evidence}"
    );
    // usbmuxd's own reason is in its log, which the tool reads when given
    // it: the recorded snapshot and the log together quote it in the finding.
    let replay = Command::new(bin())
        .args(["diagnose", "--json", "--from"])
        .arg(work.path().join("record.json"))
        .arg("--from")
        .arg(work.path().join("usbmuxd.log"))
        .output()
        .unwrap();
    let report = json(&replay, "record + usbmuxd log");
    let all = ids(&report);
    assert_eq!(
        all.first().map(String::as_str),
        Some("usbmuxd.device-not-listed"),
        "{all:?}"
    );
    let evidence = report["findings"][0]["evidence"].to_string();
    assert!(
        evidence.contains("Could not set configuration 4 for device 3-10: LIBUSB_ERROR_OTHER"),
        "usbmuxd's own reason, quoted: {evidence}"
    );
}

/// How far Debian's usbmuxd gets with a configured phone (configuration 4
/// of 4 active, so it switches nothing): it claims the usbmux interface
/// and stops at its first control transfer, which umockdev cannot answer
/// (no usbfs URB emulation without a pcap of a real phone).
#[test]
fn real_usbmuxd_stops_at_its_first_control_transfer() {
    if !runnable(
        "real_usbmuxd_stops_at_its_first_control_transfer",
        &["umockdev-run", "usbmuxd", "unshare", "timeout"],
        true,
    ) {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let (report, log) = real_usbmuxd_diagnose("ipad-12ab-config4", work.path());
    assert!(
        log.contains("Found interface 1 with endpoints 04/85 for device 1-18")
            && log.contains("USB Speed is 480 MBit/s for device 1-18")
            && log.contains("Could not request transfer for device 1-18"),
        "{log}"
    );
    assert!(
        !log.contains("Setting configuration"),
        "configuration 4 of 4 is already active: {log}"
    );
    let all = ids(&report);
    assert_eq!(
        all.first().map(String::as_str),
        Some("usbmuxd.device-not-listed"),
        "{all:?}"
    );
    let evidence = report["findings"][0]["evidence"].to_string();
    assert!(
        !evidence.contains("has no usbmux interface"),
        "configuration 4 has it: {evidence}"
    );
}

/// An empty bus and usbmuxd started by hand: the daemon answers, lists
/// nothing, and the bus shows no Apple device: `usb.no-device` first and no
/// usbmuxd finding.
#[test]
fn real_usbmuxd_on_an_empty_bus_says_no_device() {
    if !runnable(
        "real_usbmuxd_on_an_empty_bus_says_no_device",
        &["umockdev-run", "usbmuxd", "unshare", "timeout"],
        true,
    ) {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let (report, log) = real_usbmuxd_diagnose("empty-bus", work.path());
    assert!(
        log.contains("Initialization complete") || log.contains("0 devices detected"),
        "{log}"
    );
    let usb = usb_devices(&report["snapshot"]);
    assert!(usb.is_empty(), "{usb:#?}");
    let roots = &report["snapshot"]["probes"]["usb"]["value"]["root_hubs"];
    assert_eq!(roots.as_array().map(Vec::len), Some(2), "{roots}");
    let all = ids(&report);
    assert_eq!(
        all.first().map(String::as_str),
        Some("usb.no-device"),
        "{all:?}"
    );
    assert!(!all.iter().any(|i| i.starts_with("usbmuxd.")), "{all:?}");
}

/// `watch` on an emulated bus: libusb starts and takes the hotplug
/// registration (on a machine without a bus it cannot, and says so).
///
/// Plugging and unplugging on the emulated bus cannot reach it: umockdev
/// 0.17 sends uevents in libudev's format and its preload library makes
/// every one look sent by netlink group 2 (udev), while the vendored libusb
/// (built without libudev) listens to the kernel's group 1 and drops the
/// rest ("ignoring netlink message from unknown group/PID (2/0)" with
/// LIBUSB_DEBUG=4). So `watch`'s USB events and `connection.unstable`
/// stay tested on recorded buses and usbmuxd's feed only.
#[test]
fn watch_takes_libusb_hotplug_on_the_bus() {
    if !runnable(
        "watch_takes_libusb_hotplug_on_the_bus",
        &["umockdev-run", "timeout"],
        false,
    ) {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let daemon = no_daemon(work.path());
    let out = on_bus(
        "iphone-direct-config4",
        &["watch", "--json", "--duration", "2", "--usbmuxd", &daemon],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("USB hotplug is not available"),
        "libusb hotplug should start on the emulated bus: {stderr}"
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let last = lines.last().expect("a summary line");
    assert_eq!(last["type"], "summary", "{lines:#?}");
    assert_eq!(last["data"]["interrupted"], false, "{last:#}");
}
