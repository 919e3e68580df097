//! The bad-input table: every hostile input gets a clear finding, or exit 3
//! with one line on stderr; never a panic, an abort, a hang past the deadline
//! or unbounded memory (each run is under `ulimit -v`, see
//! `reliability_support::ADDRESS_SPACE_KIB`). Times are printed, never
//! asserted: a run is only failed as hung past a guard many times the deadline.
//!
//! The same table, with results, is in docs/reliability.md; run with
//! `--nocapture` to print it.
// The simulator they start is Unix-only.
#![cfg(unix)]

mod reliability_support;

use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStringExt;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reliability_support::{
    can_mount_lockdown, command, command_with_lockdown, run, running_as_root, start_sim, Output,
};

/// The probes' deadline in every probing case.
const TIMEOUT_SECS: f64 = 2.0;
/// A hang guard, not a timing target (those are in scripts/bench.sh): a run
/// still going after this long, many times the deadline, is hung. The times
/// the table prints are for reading, never asserted.
const HANG_GUARD: Duration = Duration::from_secs(90);

#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Exit 3, exactly one line on stderr, nothing on stdout.
    Exit3,
    /// A report (exit 0, 1 or 2) whose findings include one of these ids.
    Finding(&'static [&'static str]),
    /// A report (exit 0, 1 or 2) without a panic; the input is not judged
    /// by a rule (yet).
    Report,
    /// Exit 0 or 3 (explain: an answer, or "nothing known" on one line).
    AnswerOr3,
    /// Exit 3 with clap's own words: its `error:` line first, then the
    /// usage it prints to help (issue 25: clap's errors keep their words).
    UsageExit3,
    /// A JSON report (exit 0, 1, 2 or 4) this function accepts, saying what
    /// it found in it ("cut" notices, counts, ids), and peak memory under
    /// [`PEAK_RSS_CAP_KIB`] when /proc shows it.
    Check(
        &'static str,
        fn(&serde_json::Value) -> Result<String, String>,
    ),
}

/// Issue 30's ceiling for a bounded input: 64 MiB resident.
const PEAK_RSS_CAP_KIB: u64 = 64 * 1024;

/// Fills the scratch folder and returns the arguments.
type Setup = Box<dyn Fn(&Path) -> Vec<OsString> + Send + Sync>;

struct Case {
    input: &'static str,
    expect: Expect,
    setup: Setup,
    /// Run with `<scratch>/lockdown` mounted over /var/lib/lockdown (root only;
    /// the row is skipped elsewhere).
    lockdown: bool,
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

/// `diagnose --json` against `socket`, with an empty (or given) backup folder.
fn probe_args(socket: &str, backup_dir: &Path) -> Vec<OsString> {
    let mut a = os(&["diagnose", "--json", "--timeout"]);
    a.push(TIMEOUT_SECS.to_string().into());
    a.push("--usbmuxd".into());
    a.push(socket.into());
    a.push("--backup-dir".into());
    a.push(backup_dir.into());
    a
}

fn empty_backup(dir: &Path) -> PathBuf {
    let b = dir.join("Backup");
    std::fs::create_dir_all(&b).unwrap();
    b
}

/// How the fake daemon answers each request.
#[derive(Clone, Copy)]
enum Serve {
    /// Write the bytes, then close.
    Close,
    /// Write the bytes one at a time, 300 ms apart (a slow-loris daemon).
    Trickle,
}

/// A usbmuxd impostor on a socket in `dir`: reads each request frame and
/// answers with `reply`. Its threads end when the test process does.
fn fake_daemon(dir: &Path, reply: Vec<u8>, serve: Serve) -> String {
    let path = dir.join("usbmuxd");
    let listener = UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let reply = reply.clone();
            std::thread::spawn(move || {
                if read_request(&mut conn).is_none() {
                    return;
                }
                match serve {
                    Serve::Close => {
                        let _ = conn.write_all(&reply);
                    }
                    Serve::Trickle => {
                        for b in &reply {
                            if conn.write_all(&[*b]).is_err() {
                                return;
                            }
                            std::thread::sleep(Duration::from_millis(300));
                        }
                    }
                }
            });
        }
    });
    format!("UNIX:{}", path.display())
}

fn frame(len: u32, version: u32, message: u32, body: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    for w in [len, version, message, 1] {
        f.extend_from_slice(&w.to_le_bytes());
    }
    f.extend_from_slice(body);
    f
}

fn plist_frame(body: &[u8]) -> Vec<u8> {
    frame(body.len() as u32 + 16, 1, 8, body)
}

fn xml(inner: &str) -> Vec<u8> {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"1.0\">{inner}</plist>")
        .into_bytes()
}

/// A binary plist: n arrays, each holding the next one twice, then a
/// 64-byte string: 2^n strings once expanded, in under 400 bytes.
fn shared_object_bomb(levels: u8) -> Vec<u8> {
    let mut out = b"bplist00".to_vec();
    let mut offsets = Vec::new();
    for i in 0..levels {
        offsets.push(out.len() as u8);
        out.extend_from_slice(&[0xA2, i + 1, i + 1]);
    }
    offsets.push(out.len() as u8);
    out.extend_from_slice(&[0x5F, 0x10, 0x40]);
    out.extend_from_slice(&[b'x'; 64]);
    let table = out.len() as u64;
    out.extend_from_slice(&offsets);
    let mut trailer = [0u8; 32];
    trailer[6] = 1;
    trailer[7] = 1;
    trailer[8..16].copy_from_slice(&u64::from(levels + 1).to_be_bytes());
    trailer[24..32].copy_from_slice(&table.to_be_bytes());
    out.extend_from_slice(&trailer);
    out
}

fn mux_case(
    input: &'static str,
    reply: impl Fn() -> Vec<u8> + Send + Sync + 'static,
    serve: Serve,
    expect: &'static [&'static str],
) -> Case {
    Case {
        input,
        expect: Expect::Finding(expect),
        setup: Box::new(move |dir| {
            let socket = fake_daemon(dir, reply(), serve);
            probe_args(&socket, &empty_backup(dir))
        }),
        lockdown: false,
    }
}

fn from_case(input: &'static str, write: impl Fn(&Path) + Send + Sync + 'static) -> Case {
    from_case_expecting(input, Expect::Exit3, write)
}

fn from_case_expecting(
    input: &'static str,
    expect: Expect,
    write: impl Fn(&Path) + Send + Sync + 'static,
) -> Case {
    Case {
        input,
        expect,
        setup: Box::new(move |dir| {
            let f = dir.join("snapshot.json");
            write(&f);
            let mut a = os(&["diagnose", "--json", "--from"]);
            a.push(f.into());
            a
        }),
        lockdown: false,
    }
}

/// `diagnose --json --timeout 2 --from PATH`.
fn timed_from(path: PathBuf) -> Vec<OsString> {
    let mut a = os(&["diagnose", "--json", "--timeout"]);
    a.push(TIMEOUT_SECS.to_string().into());
    a.push("--from".into());
    a.push(path.into());
    a
}

/// A FIFO in `dir`.
fn fifo(dir: &Path) -> PathBuf {
    let f = dir.join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&f)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo");
    f
}

fn backup_case(
    input: &'static str,
    expect: Expect,
    make: impl Fn(&Path) -> PathBuf + Send + Sync + 'static,
) -> Case {
    Case {
        input,
        expect,
        setup: Box::new(move |dir| {
            let backup = make(dir);
            probe_args(
                &format!("UNIX:{}", dir.join("no-daemon").display()),
                &backup,
            )
        }),
        lockdown: false,
    }
}

/// A backup of one phone with the given Info.plist and Status.plist bodies.
fn backup_with(dir: &Path, info: &[u8], status: &[u8]) -> PathBuf {
    let b = empty_backup(dir);
    let one = b.join("00008110-001A2B3C4D5E6F70");
    std::fs::create_dir_all(&one).unwrap();
    std::fs::write(one.join("Info.plist"), info).unwrap();
    std::fs::write(one.join("Status.plist"), status).unwrap();
    std::fs::write(one.join("Manifest.plist"), xml("<dict/>")).unwrap();
    std::fs::write(one.join("Manifest.db"), b"").unwrap();
    b
}

/// A finished-looking backup whose Manifest.db is built by `sql` (a file
/// from outside: the check must read it as data, never run what it carries).
fn backup_with_db(dir: &Path, sql: &str) -> PathBuf {
    let finished = xml("<dict><key>SnapshotState</key><string>finished</string></dict>");
    let b = backup_with(dir, &xml("<dict/>"), &finished);
    let db = b.join("00008110-001A2B3C4D5E6F70/Manifest.db");
    std::fs::remove_file(&db).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(sql).unwrap();
    b
}

/// A usbmuxd that answers ListDevices with no phone and then, after
/// `Listen`, sends `Attached` (then `Detached`) for ever new phones without
/// pause, until the client goes. Its threads end when the test process does.
fn flooding_daemon(dir: &Path) -> String {
    let path = dir.join("usbmuxd");
    let listener = UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            std::thread::spawn(move || loop {
                let Some(body) = read_request(&mut conn) else {
                    return;
                };
                let text = String::from_utf8_lossy(&body);
                if text.contains("<string>Listen</string>") {
                    let ok = xml("<dict><key>MessageType</key><string>Result</string><key>Number</key><integer>0</integer></dict>");
                    if conn.write_all(&plist_frame(&ok)).is_err() {
                        return;
                    }
                    for i in 1u32.. {
                        let attached = xml(&format!("<dict><key>MessageType</key><string>Attached</string><key>DeviceID</key><integer>{i}</integer><key>Properties</key><dict><key>ConnectionType</key><string>USB</string><key>DeviceID</key><integer>{i}</integer><key>SerialNumber</key><string>00008110-{i:016X}</string></dict></dict>"));
                        let detached = xml(&format!("<dict><key>MessageType</key><string>Detached</string><key>DeviceID</key><integer>{i}</integer></dict>"));
                        if conn.write_all(&plist_frame(&attached)).is_err()
                            || conn.write_all(&plist_frame(&detached)).is_err()
                        {
                            return;
                        }
                    }
                } else if text.contains("ReadBUID") {
                    let buid = xml("<dict><key>BUID</key><string>00000000-0000-0000-0000-000000000000</string></dict>");
                    if conn.write_all(&plist_frame(&buid)).is_err() {
                        return;
                    }
                } else if conn
                    .write_all(&plist_frame(&xml(
                        "<dict><key>DeviceList</key><array/></dict>",
                    )))
                    .is_err()
                {
                    return;
                }
            });
        }
    });
    format!("UNIX:{}", path.display())
}

/// A snapshot of `n` trusted phones, each a copy of the first phone of the
/// `device-two-phones.json` fixture under its own UDID; one in three locked,
/// one in three on an old iOS, so that each has findings.
/// Reads one usbmuxd request (its 16-byte header and the body it announces,
/// at most 1 MiB) for the fake daemons here: the body, or None when the
/// client left.
fn read_request(conn: &mut impl Read) -> Option<Vec<u8>> {
    let mut header = [0u8; 16];
    conn.read_exact(&mut header).ok()?;
    let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    let mut body = vec![0u8; len.saturating_sub(16).min(1 << 20)];
    conn.read_exact(&mut body).ok()?;
    Some(body)
}

fn thousands_of_phones(n: usize) -> String {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/device-two-phones.json");
    let mut s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture).unwrap()).unwrap();
    let probe = s["probes"]["devices"][0].clone();
    let listed = s["probes"]["usbmuxd"]["value"]["devices"][0].clone();
    let (mut probes, mut list) = (Vec::new(), Vec::new());
    for i in 0..n {
        let udid = format!("00008110-{i:016X}");
        let mut d = probe.clone();
        d["udid"] = udid.clone().into();
        d["device_id"] = (i + 1).into();
        d["lockdown"]["value"]["device_name"] = format!("Phone {i}").into();
        match i % 3 {
            1 => d["lockdown"]["value"]["password_protected"] = true.into(),
            2 => d["lockdown"]["value"]["product_version"] = "12.0".into(),
            _ => {}
        }
        let mut m = listed.clone();
        m["udid"] = udid.into();
        m["device_id"] = (i + 1).into();
        probes.push(d);
        list.push(m);
    }
    s["probes"]["devices"] = probes.into();
    s["probes"]["usbmuxd"]["value"]["devices"] = list.into();
    s.to_string()
}

fn many_folders_not_read(v: &serde_json::Value) -> Result<String, String> {
    let b = &v["snapshot"]["probes"]["backups"]["value"];
    let read = b["backups"].as_array().map_or(0, Vec::len);
    let not_read = b["not_read"].as_u64().unwrap_or(0);
    let said = v["not_checked"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["what"].as_str())
        .find(|w| w.contains("subfolders of the backup folder"));
    match (read + not_read as usize, said) {
        (3000, Some(w)) if read <= 1000 => Ok(format!("{read} read; not checked: {w}")),
        _ => Err(format!(
            "{read} read, {not_read} not read, not_checked {}",
            v["not_checked"]
        )),
    }
}

fn flood_stopped(v: &serde_json::Value) -> Result<String, String> {
    let l = &v["snapshot"]["probes"]["mux_events"]["value"];
    let events = l["events"].as_array().map_or(0, Vec::len);
    let why = l["ended_early"]["message"].as_str().unwrap_or_default();
    if events <= 500 && why.contains("without pause") {
        Ok(format!("{events} events kept; \"{why}\""))
    } else {
        Err(format!("{events} events, ended_early {}", l["ended_early"]))
    }
}

fn findings_capped(v: &serde_json::Value) -> Result<String, String> {
    let listed = v["findings"].as_array().map_or(0, Vec::len);
    let more = v["more_findings"].as_u64().unwrap_or(0);
    if listed <= 100 && more > 0 {
        Ok(format!("{listed} findings listed, {more} more counted"))
    } else {
        Err(format!("{listed} findings listed, more_findings {more}"))
    }
}

const MUX_PROTOCOL: &[&str] = &["usbmuxd.protocol-error"];
const CORRUPT: &[&str] = &["backup.corrupt"];

fn cases() -> Vec<Case> {
    let mut cases = vec![
        // usbmuxd frames
        mux_case("usbmux: header cut after 8 bytes", || frame(400, 1, 8, b"")[..8].to_vec(), Serve::Close, MUX_PROTOCOL),
        mux_case("usbmux: body cut (400 announced, 10 sent)", || frame(400, 1, 8, b"<?xml vers"), Serve::Close, MUX_PROTOCOL),
        mux_case("usbmux: 4 GiB length header (0xFFFFFFFF)", || frame(u32::MAX, 1, 8, b""), Serve::Close, MUX_PROTOCOL),
        mux_case("usbmux: length 4 MiB + 1 (just over the cap)", || frame(4 * 1024 * 1024 + 1, 1, 8, b""), Serve::Close, MUX_PROTOCOL),
        mux_case("usbmux: length 3 (below the header size)", || frame(3, 1, 8, b""), Serve::Close, MUX_PROTOCOL),
        mux_case("usbmux: binary protocol version 0 reply", || frame(28, 0, 1, &[0; 12]), Serve::Close, MUX_PROTOCOL),
        mux_case("usbmux: HTTP text instead of a frame", || b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec(), Serve::Close, MUX_PROTOCOL),
        mux_case("usbmux: plist that is an array, not a dict", || plist_frame(&xml("<array><integer>1</integer></array>")), Serve::Close, MUX_PROTOCOL),
        mux_case("usbmux: DeviceList is a string (wrong type)", || plist_frame(&xml("<dict><key>DeviceList</key><string>none</string></dict>")), Serve::Close, MUX_PROTOCOL),
        mux_case(
            "usbmux: device entries with wrong types (DeviceID string, SerialNumber integer, Properties array)",
            || plist_frame(&xml("<dict><key>DeviceList</key><array><dict><key>DeviceID</key><string>1</string><key>Properties</key><array/></dict><dict><key>DeviceID</key><integer>2</integer><key>Properties</key><dict><key>SerialNumber</key><integer>5</integer><key>ProductID</key><integer>-1</integer></dict></dict></array></dict>")),
            Serve::Close,
            &["usb.no-device", "usbmuxd.device-not-listed", "usb.unavailable"],
        ),
        mux_case(
            "usbmux: non-UTF-8 bytes inside a plist string",
            || {
                let mut body = xml("<dict><key>DeviceList</key><array><dict><key>DeviceID</key><integer>1</integer><key>Properties</key><dict><key>SerialNumber</key><string>\u{1}</string></dict></dict></array></dict>");
                let at = body.iter().position(|&b| b == 1).unwrap();
                body.splice(at..=at, [0xff, 0xfe, 0xc3]);
                plist_frame(&body)
            },
            Serve::Close,
            MUX_PROTOCOL,
        ),
        mux_case(
            "usbmux: plist nested 250 000 arrays deep (3.7 MB)",
            || plist_frame(&xml(&format!("<dict><key>DeviceList</key>{}{}</dict>", "<array>".repeat(250_000), "</array>".repeat(250_000)))),
            Serve::Close,
            MUX_PROTOCOL,
        ),
        mux_case("usbmux: binary plist of shared objects (2^40 strings expanded)", || plist_frame(&shared_object_bomb(40)), Serve::Close, MUX_PROTOCOL),
        mux_case(
            "usbmux: slow-loris daemon (one byte every 300 ms)",
            || plist_frame(&xml("<dict><key>DeviceList</key><array/></dict>")),
            Serve::Trickle,
            &["usbmuxd.unresponsive"],
        ),
        // --from
        from_case("--from: 1 GiB sparse file", |f| std::fs::File::create(f).unwrap().set_len(1 << 30).unwrap()),
        from_case("--from: JSON nested 100 000 arrays deep", |f| std::fs::write(f, "[".repeat(100_000)).unwrap()),
        from_case("--from: JSON object nested 100 000 deep inside a valid snapshot", |f| {
            std::fs::write(f, format!("{{\"schema_version\":1,\"x\":{}1{}}}", "{\"a\":".repeat(100_000), "}".repeat(100_000))).unwrap()
        }),
        from_case("--from: binary garbage", |f| std::fs::write(f, [0xff, 0x00, 0xfe, 0x01, 0x80]).unwrap()),
        from_case("--from: wrong types (schema_version \"1\")", |f| std::fs::write(f, br#"{"schema_version":"1"}"#).unwrap()),
        from_case("--from: wrong types (probes is a list)", |f| std::fs::write(f, br#"{"schema_version":1,"probes":[]}"#).unwrap()),
        from_case("--from: newer schema_version", |f| std::fs::write(f, br#"{"schema_version":99}"#).unwrap()),
        from_case("--from: empty file", |f| std::fs::write(f, b"").unwrap()),
        from_case("--from: one line of 100 MB", |f| std::fs::write(f, vec![b'a'; 100 << 20]).unwrap()),
        from_case_expecting(
            "--from: an ideviceinfo dump with NUL bytes, invalid UTF-8 and a 1 MB value",
            Expect::Finding(&["device.setup-incomplete"]),
            |f| {
                let mut dump = b"ActivationState: Unactivated\0\xff\xfe\nBuildVersion: 17A878\nDeviceClass: iPhone\nDeviceName: ".to_vec();
                dump.extend(vec![b'A'; 1 << 20]);
                dump.extend_from_slice(b"\nProductType: iPhone12,1\n");
                std::fs::write(f, dump).unwrap()
            },
        ),
        Case {
            input: "--from: a 64 MB log whose last lines are an ideviceinfo dump",
            expect: Expect::Finding(&["device.setup-incomplete"]),
            // The importers stop at --timeout too (a paste is not read past
            // the deadline the user gave); this row is about the size, so
            // it gives an unoptimised build on a busy machine the time to
            // read the 10 MiB it keeps (a release build needs well under
            // the default 10 s: scripts/bench.sh).
            setup: Box::new(|dir| {
                let f = dir.join("big.log");
                let mut log = "Dec  3 10:00:00 host kernel: noise line of a busy log\n".repeat((64 << 20) / 52);
                log.push_str("ActivationState: Unactivated\nBuildVersion: 17A878\nDeviceClass: iPhone\nProductType: iPhone12,1\n");
                std::fs::write(&f, log).unwrap();
                let mut a = os(&["diagnose", "--json", "--timeout", "60", "--from"]);
                a.push(f.into());
                a
            }),
            lockdown: false,
        },
        from_case("--from: a folder", |f| std::fs::create_dir(f).unwrap()),
        // Streams: read up to 64 MiB and within --timeout, never to their end.
        Case {
            input: "--from /dev/zero (an endless stream of NULs)",
            expect: Expect::Exit3,
            setup: Box::new(|_| timed_from("/dev/zero".into())),
            lockdown: false,
        },
        Case {
            input: "--from /dev/urandom (an endless stream of noise)",
            expect: Expect::Exit3,
            setup: Box::new(|_| timed_from("/dev/urandom".into())),
            lockdown: false,
        },
        Case {
            input: "--from a FIFO no program writes to",
            expect: Expect::Exit3,
            setup: Box::new(|dir| timed_from(fifo(dir))),
            lockdown: false,
        },
        Case {
            input: "--from a FIFO fed by `yes` (endless lines)",
            expect: Expect::Exit3,
            setup: Box::new(|dir| {
                let f = fifo(dir);
                // Ends by SIGPIPE once the reader closes the FIFO.
                let mut writer = std::process::Command::new("sh")
                    .arg("-c")
                    .arg("exec yes > \"$0\"")
                    .arg(&f)
                    .spawn()
                    .unwrap();
                std::thread::spawn(move || writer.wait());
                timed_from(f)
            }),
            lockdown: false,
        },
        from_case("--from: missing file", |_| {}),
        Case {
            input: "--from: non-UTF-8 file name",
            expect: Expect::Exit3,
            setup: Box::new(|dir| {
                let mut a = os(&["diagnose", "--from"]);
                let mut p = dir.as_os_str().to_owned().into_vec();
                p.extend_from_slice(b"/snap\xff\xfe.json");
                a.push(OsString::from_vec(p));
                a
            }),
            lockdown: false,
        },
        // the backup folder
        backup_case("backup folder is a file", Expect::Finding(&["host.backup-dir-unusable"]), |dir| {
            let f = dir.join("Backup");
            std::fs::write(&f, b"not a folder").unwrap();
            f
        }),
        backup_case("backup folder is a link to a missing target", Expect::Finding(&["host.backup-dir-unusable"]), |dir| {
            let l = dir.join("Backup");
            std::os::unix::fs::symlink(dir.join("gone"), &l).unwrap();
            l
        }),
        backup_case("backup folder is a symlink loop (a -> b -> a)", Expect::Finding(&["host.backup-dir-unusable"]), |dir| {
            std::os::unix::fs::symlink(dir.join("b"), dir.join("a")).unwrap();
            std::os::unix::fs::symlink(dir.join("a"), dir.join("b")).unwrap();
            dir.join("a")
        }),
        backup_case("symlink loops inside the backup folder", Expect::Finding(CORRUPT), |dir| {
            let b = empty_backup(dir);
            std::os::unix::fs::symlink(&b, b.join("self")).unwrap();
            let one = b.join("00008110-001A2B3C4D5E6F70");
            std::fs::create_dir(&one).unwrap();
            std::os::unix::fs::symlink(one.join("y"), one.join("x")).unwrap();
            std::os::unix::fs::symlink(one.join("x"), one.join("y")).unwrap();
            std::os::unix::fs::symlink(&one, one.join("Manifest.db")).unwrap();
            b
        }),
        backup_case("non-UTF-8 names in the backup folder", Expect::Finding(CORRUPT), |dir| {
            let b = empty_backup(dir);
            let weird = b.join(OsString::from_vec(b"\xff\xfe-not-utf8".to_vec()));
            std::fs::create_dir(&weird).unwrap();
            std::fs::write(weird.join(OsString::from_vec(b"Info\xc3.plist".to_vec())), b"x").unwrap();
            b
        }),
        backup_case("non-UTF-8 backup folder path", Expect::Report, |dir| {
            let p = dir.join(OsString::from_vec(b"Back\xffup".to_vec()));
            std::fs::create_dir(&p).unwrap();
            p
        }),
        backup_case("backup metadata with wrong plist types (Info.plist an array, Status.plist SnapshotState an integer)", Expect::Finding(CORRUPT), |dir| {
            backup_with(dir, &xml("<array/>"), &xml("<dict><key>SnapshotState</key><integer>7</integer><key>IsFullBackup</key><string>yes</string></dict>"))
        }),
        backup_case("backup metadata nested 250 000 deep and a shared-object bomb", Expect::Finding(CORRUPT), |dir| {
            let deep = xml(&format!("{}{}", "<array>".repeat(250_000), "</array>".repeat(250_000)));
            backup_with(dir, &deep, &shared_object_bomb(40))
        }),
        backup_case("backup metadata truncated and binary garbage", Expect::Finding(CORRUPT), |dir| {
            let mut cut = xml("<dict><key>SnapshotState</key><string>finished</string></dict>");
            cut.truncate(40);
            backup_with(dir, &[0xff; 300], &cut)
        }),
        backup_case(
            "unreadable backup folder and files (mode 000; root reads them anyway)",
            // Root bypasses modes, so as root the folder is simply readable.
            if running_as_root() { Expect::Finding(CORRUPT) } else { Expect::Finding(&["host.backup-dir-unusable"]) },
            |dir| {
                use std::os::unix::fs::PermissionsExt;
                let b = backup_with(dir, &xml("<dict/>"), &xml("<dict/>"));
                let one = b.join("00008110-001A2B3C4D5E6F70");
                for f in ["Info.plist", "Status.plist"] {
                    std::fs::set_permissions(one.join(f), std::fs::Permissions::from_mode(0o000)).unwrap();
                }
                std::fs::set_permissions(&one, std::fs::Permissions::from_mode(0o000)).unwrap();
                std::fs::set_permissions(&b, std::fs::Permissions::from_mode(0o000)).unwrap();
                b
            },
        ),
        // Manifest.db as untrusted SQL
        backup_case("Manifest.db: Files is a VIEW computing a 1 GB randomblob", Expect::Finding(CORRUPT), |dir| {
            backup_with_db(dir, "CREATE VIEW Files AS SELECT hex(randomblob(1000000000)) AS fileID, 1 AS flags, randomblob(1000000000) AS file, 'x' AS domain;")
        }),
        backup_case("Manifest.db: Files is a recursive VIEW (endless)", Expect::Finding(CORRUPT), |dir| {
            backup_with_db(dir, "CREATE VIEW Files AS WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT n AS fileID, 1 AS flags, zeroblob(n) AS file, 'x' AS domain FROM c;")
        }),
        backup_case("Manifest.db: Files has a generated column of a 1 GB blob", Expect::Finding(CORRUPT), |dir| {
            backup_with_db(dir, "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, flags INTEGER, file BLOB GENERATED ALWAYS AS (zeroblob(1000000000)) VIRTUAL); INSERT INTO Files (fileID, domain, flags) VALUES ('00', 'x', 1);")
        }),
        // Issue 30: a backup folder of many subfolders, a flooding daemon,
        // a snapshot of thousands of phones, a descriptor limit.
        backup_case(
            "backup folder with 3,000 subfolders (more than the 1,000 read)",
            Expect::Check("1,000 read, 2,000 said not read (not_checked), under 64 MiB", many_folders_not_read),
            |dir| {
                let b = empty_backup(dir);
                for i in 0..3000 {
                    std::fs::create_dir(b.join(format!("d{i:05}"))).unwrap();
                }
                b
            },
        ),
        Case {
            input: "usbmux: Attached events without pause (a flooding Listen feed)",
            expect: Expect::Check("the listen window stops at 500 events and says why, under 64 MiB", flood_stopped),
            setup: Box::new(|dir| {
                let socket = flooding_daemon(dir);
                let mut a = probe_args(&socket, &empty_backup(dir));
                a.extend(os(&["--listen", "1"]));
                a
            }),
            lockdown: false,
        },
        Case {
            input: "--from: a snapshot of 4,000 phones",
            expect: Expect::Check("100 findings listed, the rest counted (more_findings), under 64 MiB", findings_capped),
            setup: Box::new(|dir| {
                let f = dir.join("snapshot.json");
                std::fs::write(&f, thousands_of_phones(4000)).unwrap();
                let mut a = os(&["diagnose", "--json", "--from"]);
                a.push(f.into());
                a
            }),
            lockdown: false,
        },
        // arguments and environment
        Case {
            input: "USBMUXD_SOCKET_ADDRESS of garbage ('tcp:[::1')",
            expect: Expect::Exit3,
            setup: Box::new(|_| os(&["diagnose", "--usbmuxd", "tcp:[::1"])),
            lockdown: false,
        },
        Case {
            input: "--usbmuxd with a multi-byte character at byte 5 ('abcdé:1')",
            expect: Expect::Finding(&["usbmuxd.not-running"]),
            setup: Box::new(|dir| probe_args("abcdé:1", &empty_backup(dir))),
            lockdown: false,
        },
        Case {
            input: "--usbmuxd through a file ('/etc/hostname/usbmuxd', ENOTDIR)",
            expect: Expect::Finding(&["usbmuxd.not-running"]),
            setup: Box::new(|dir| probe_args("/etc/hostname/usbmuxd", &empty_backup(dir))),
            lockdown: false,
        },
        Case {
            input: "explain: 100 kB of mixed text and digits",
            expect: Expect::AnswerOr3,
            setup: Box::new(|_| vec!["explain".into(), "error 0xE80000 é 9 ".repeat(5_000).into()]),
            lockdown: false,
        },
        Case {
            input: "explain: non-UTF-8 argument",
            expect: Expect::UsageExit3,
            setup: Box::new(|_| vec!["explain".into(), OsString::from_vec(b"err\xff".to_vec())]),
            lockdown: false,
        },
    ];
    // Hostile pair records in the lockdown folder, for a phone usbmuxd has
    // no record of (so the product reads the folder). The scratch folder is
    // root's: where a `usbmux` account exists (usbmuxd installed), that is
    // rightly reported as a folder usbmuxd cannot use.
    const NOT_PAIRED: &[&str] = &["trust.not-paired", "host.lockdown-dir-unusable"];
    for (input, expect, write) in [
        (
            "lockdown folder: pair record nested 15 000 deep",
            NOT_PAIRED,
            (|f: &Path| {
                let body = format!(
                    "<dict><key>HostID</key>{}{}</dict>",
                    "<array>".repeat(15_000),
                    "</array>".repeat(15_000)
                );
                std::fs::write(f, xml(&body)).unwrap()
            }) as fn(&Path),
        ),
        (
            "lockdown folder: pair record that is a shared-object bomb",
            NOT_PAIRED,
            |f| std::fs::write(f, shared_object_bomb(40)).unwrap(),
        ),
        (
            "lockdown folder: pair record of 1 GiB (sparse)",
            NOT_PAIRED,
            |f| std::fs::File::create(f).unwrap().set_len(1 << 30).unwrap(),
        ),
        (
            "lockdown folder: pair record with wrong types (HostID an integer, keys strings)",
            &["trust.session-failed"][..],
            |f| {
                std::fs::write(f, xml("<dict><key>HostID</key><integer>7</integer><key>SystemBUID</key><array/><key>HostPrivateKey</key><string>not data</string><key>HostCertificate</key><true/></dict>")).unwrap()
            },
        ),
        (
            "lockdown folder: pair record is a symlink loop",
            NOT_PAIRED,
            |f| std::os::unix::fs::symlink(f, f).unwrap(),
        ),
        (
            "lockdown folder: pair record is a folder",
            NOT_PAIRED,
            |f| std::fs::create_dir(f).unwrap(),
        ),
    ] {
        cases.push(Case {
            input,
            expect: Expect::Finding(expect),
            setup: Box::new(move |dir| {
                let sim = start_sim("no_pair_record");
                let udid = &iphone_sim::Scenario::by_name("no_pair_record")
                    .unwrap()
                    .devices[0]
                    .udid;
                let l = dir.join("lockdown");
                std::fs::create_dir(&l).unwrap();
                write(&l.join(format!("{udid}.plist")));
                let args = probe_args(&sim.address(), &empty_backup(dir));
                std::mem::forget(sim);
                args
            }),
            lockdown: true,
        });
    }
    // Every simulator fault scenario.
    for (name, expect) in [
        ("fault_hang", &["usbmuxd.unresponsive"][..]),
        ("fault_garbage", MUX_PROTOCOL),
        ("fault_raw_text", MUX_PROTOCOL),
        ("fault_huge_length", MUX_PROTOCOL),
        ("fault_close_mid_message", MUX_PROTOCOL),
        ("fault_slow", &["device.lockdown-unreachable"][..]),
        ("fault_unplug_mid_session", &["connection.unstable"][..]),
        ("fault_tls_failure", &["trust.session-failed"][..]),
    ] {
        let input: &'static str = Box::leak(format!("simulator scenario {name}").into_boxed_str());
        cases.push(Case {
            input,
            expect: if expect.is_empty() {
                Expect::Report
            } else {
                Expect::Finding(expect)
            },
            setup: Box::new(move |dir| {
                let sim = start_sim(name);
                let args = probe_args(&sim.address(), &empty_backup(dir));
                // The simulator lives as long as the test process.
                std::mem::forget(sim);
                args
            }),
            lockdown: false,
        });
    }
    cases
}

fn check(case: &Case, out: &Output) -> Result<String, String> {
    out.assert_sane(case.input);
    let code = out.code.unwrap_or(-1);
    match case.expect {
        Expect::Exit3 => {
            if code != 3 {
                return Err(format!("exit {code}, expected 3\n{}", out.stderr));
            }
            if out.stderr.trim_end().lines().count() != 1 || !out.stdout.is_empty() {
                return Err(format!(
                    "expected one line on stderr, nothing on stdout:\n{}\n{}",
                    out.stderr, out.stdout
                ));
            }
            Ok(format!(
                "exit 3: `{}`",
                out.stderr.trim().replace('|', "\\|")
            ))
        }
        Expect::UsageExit3 => {
            let first = out.stderr.lines().next().unwrap_or_default();
            if code != 3 || !out.stdout.is_empty() {
                return Err(format!("exit {code}, expected 3\n{}", out.stderr));
            }
            if !first.starts_with("error:") || !out.stderr.contains("Usage:") {
                return Err(format!(
                    "expected clap's error line, then its usage:\n{}",
                    out.stderr
                ));
            }
            Ok(format!("exit 3: `{}`", first.trim().replace('|', "\\|")))
        }
        Expect::AnswerOr3 => match code {
            0 => Ok("exit 0, an answer".into()),
            3 if out.stderr.trim_end().lines().count() == 1 => Ok("exit 3, one line".into()),
            _ => Err(format!("exit {code}\n{}", out.stderr)),
        },
        Expect::Check(_, judge) => {
            if !matches!(code, 0..=2 | 4) {
                return Err(format!("exit {code}, expected a report\n{}", out.stderr));
            }
            if let Some(kib) = out.peak_rss_kib.filter(|k| *k >= PEAK_RSS_CAP_KIB) {
                return Err(format!("peak RSS {kib} KiB, over {PEAK_RSS_CAP_KIB} KiB"));
            }
            let v: serde_json::Value = serde_json::from_str(&out.stdout)
                .map_err(|e| format!("stdout is not JSON ({e})"))?;
            judge(&v).map(|r| format!("exit {code}, {r}"))
        }
        Expect::Finding(_) | Expect::Report if !(0..=2).contains(&code) => {
            Err(format!("exit {code}, expected a report\n{}", out.stderr))
        }
        Expect::Finding(ids) => {
            let found = out.findings();
            if ids.iter().any(|id| found.iter().any(|f| f == id)) {
                Ok(format!("exit {code}, {}", found.join(", ")))
            } else {
                Err(format!("findings {found:?}, expected one of {ids:?}"))
            }
        }
        Expect::Report => Ok(format!("exit {code}, {}", out.findings().join(", "))),
    }
}

#[test]
fn every_hostile_input_gets_a_finding_or_exit_3() {
    let scratch = tempfile::tempdir().unwrap();
    let cases = cases();
    let started = Instant::now();
    // Two at a time: most runs wait on a deadline, and CI has two cores.
    let results: Vec<(usize, Option<Output>)> = std::thread::scope(|s| {
        let chunks: Vec<Vec<(usize, &Case)>> = (0..3)
            .map(|k| {
                cases
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % 3 == k)
                    .collect()
            })
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let scratch = scratch.path();
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|(i, case)| {
                            let dir = scratch.join(i.to_string());
                            std::fs::create_dir(&dir).unwrap();
                            if case.lockdown && can_mount_lockdown().is_err() {
                                return (i, None);
                            }
                            let args = (case.setup)(&dir);
                            let cmd = if case.lockdown {
                                command_with_lockdown(&dir.join("lockdown"), args)
                            } else {
                                command(args)
                            };
                            (i, Some(run(cmd, HANG_GUARD)))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut results = results;
    results.sort_by_key(|(i, _)| *i);
    let mut failures = Vec::new();
    println!("| input | expected | result | time | peak RSS |\n| --- | --- | --- | --- | --- |");
    for (i, out) in &results {
        let case = &cases[*i];
        let Some(out) = out else {
            let why = can_mount_lockdown().unwrap_err();
            assert!(
                std::env::var_os("CI").is_none(),
                "{}: cannot run under CI: {why}",
                case.input
            );
            println!("| {} | | skipped: {why} | | |", case.input);
            continue;
        };
        let expected = match case.expect {
            Expect::Exit3 => "exit 3, one line".to_string(),
            Expect::UsageExit3 => "exit 3, clap's error and usage".to_string(),
            Expect::Finding(ids) => ids
                .iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(" or "),
            Expect::Report => "a report, no panic".to_string(),
            Expect::AnswerOr3 => "an answer or exit 3".to_string(),
            Expect::Check(what, _) => what.to_string(),
        };
        let result = match check(case, out) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: {e}", case.input));
                format!("FAILED: {}", e.lines().next().unwrap_or(""))
            }
        };
        let result = result.replace(&scratch.path().display().to_string(), "$TMP");
        println!(
            "| {} | {expected} | {result} | {:.2} s | {} |",
            case.input,
            out.elapsed.as_secs_f64(),
            out.peak_rss_kib
                .map_or("?".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
        );
    }
    println!(
        "({} cases in {:.1} s)",
        results.len(),
        started.elapsed().as_secs_f64()
    );
    // Put modes back so the scratch folder can be removed.
    let _ = std::process::Command::new("chmod")
        .args(["-R", "u+rwx"])
        .arg(scratch.path())
        .status();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The escape sequences of issue 30: set the window title, clear the
/// screen, recolour, hide, an 8-bit CSI, backspace, CR and a bidi override.
const HOSTILE: &str = "\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{1b}[8m\u{9b}2J\u{8}\r\u{202e}";

/// What a terminal would act on in `text`, other than the report's own
/// colour codes (`ESC [ <0-4,22-24,31-36,39> m`); an empty list when inert.
fn live_controls(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == 0x1b {
            let end = b[i..].iter().position(|c| *c == b'm').map(|p| i + p);
            let ok = end.is_some_and(|e| {
                b.get(i + 1) == Some(&b'[')
                    && b[i + 2..e].split(|c| *c == b';').all(|p| {
                        matches!(
                            p,
                            b"0" | b"1" | b"2" | b"3" | b"4" | b"22" | b"23" | b"24" | b"39"
                        ) || (p.len() == 2 && p[0] == b'3' && (b'1'..=b'6').contains(&p[1]))
                    })
            });
            if !ok {
                found.push(format!(
                    "ESC at byte {i}: {:?}",
                    &text[i..(i + 12).min(text.len())]
                ));
            }
        }
        i += 1;
    }
    for c in text.chars() {
        if iphone_backup_check::inert::is_control(c) && !matches!(c, '\u{1b}' | '\n' | '\t') {
            found.push(format!("{c:?}"));
        }
    }
    found
}

/// A phone (simulator), a backup's Info.plist and a pasted log whose names,
/// versions and lines hold escape sequences: the text report, in colour as
/// on a terminal, runs none; it shows a phone's and a backup's as
/// `\u001b...` and quotes a paste without them (see the rule below);
/// `--json` keeps the exact text as JSON escapes.
#[test]
fn escape_codes_from_a_phone_a_backup_or_a_paste_are_shown_never_run() {
    let scratch = tempfile::tempdir().unwrap();
    // A binary plist: XML 1.0 cannot carry ESC, BEL or BS at all.
    let mut dict = plist::Dictionary::new();
    for (k, v) in [
        ("Device Name", "Anna"),
        ("Product Version", "17.1"),
        ("Unique Identifier", "00008110-001A2B3C4D5E6F70"),
    ] {
        dict.insert(k.into(), plist::Value::String(format!("{v}{HOSTILE}")));
    }
    let mut info = Vec::new();
    plist::Value::Dictionary(dict)
        .to_writer_binary(&mut info)
        .unwrap();
    let backup = backup_with(
        scratch.path(),
        &info,
        &xml("<dict><key>SnapshotState</key><string>uploading</string></dict>"),
    );
    let sim = start_sim("hostile_text");
    let mut text_args = probe_args(&sim.address(), &backup);
    text_args.retain(|a| a != "--json");
    text_args.extend(os(&["--color", "always", "-v"]));
    let paste = scratch.path().join("paste.log");
    std::fs::write(
        &paste,
        format!(
            "ActivationState: Unactivated{HOSTILE}\nBuildVersion: 17A878\nDeviceClass: iPhone\nDeviceName: Bob{HOSTILE}\nProductType: iPhone12,1\nProductVersion: 13.1{HOSTILE}\nERROR: Could not connect to lockdownd: {HOSTILE} (-21)\n"
        ),
    )
    .unwrap();
    let mut paste_args = os(&["diagnose", "--color", "always", "-v", "--from"]);
    paste_args.push(paste.clone().into());
    let mut devices_args = os(&["devices", "--usbmuxd"]);
    devices_args.push(sim.address().into());
    for (what, args) in [
        ("live report", text_args.clone()),
        ("pasted log", paste_args),
        ("devices", devices_args),
    ] {
        let out = run(command(args), Duration::from_secs(120));
        out.assert_sane(what);
        let live = live_controls(&out.stdout);
        assert!(live.is_empty(), "{what}: {live:?}\n{}", out.stdout);
        let live = live_controls(&out.stderr);
        assert!(live.is_empty(), "{what} (stderr): {live:?}\n{}", out.stderr);
        if what == "pasted log" {
            // One rule, two sources. Nothing from outside reaches the
            // terminal raw, and what is quoted is recognisable to the person
            // it came from. A phone's name or a backup's Info.plist is data:
            // its control characters are shown escaped (`\u001b[2J`), so a
            // hostile value is visible as such. A paste is what a terminal
            // showed: its escape sequences are how a tool drew on the screen
            // (colours, titles, cursor moves), not words it printed, so the
            // normaliser (issue 24) takes each sequence out whole and the
            // quote reads as the screen did, never with `[2J` or `0;PWNED`
            // left behind; a control character it leaves would still be
            // escaped by the renderer (issue 30), as for a phone's name.
            assert!(
                out.stdout
                    .contains("paste.log:1: ActivationState: Unactivated"),
                "{what}: the pasted line is not quoted as the screen showed it:\n{}",
                out.stdout
            );
            for debris in ["PWNED", "2J", "[8m", "\\u001b", "\\u009b"] {
                assert!(
                    !out.stdout.contains(debris),
                    "{what}: part of an escape sequence is left ({debris}):\n{}",
                    out.stdout
                );
            }
        } else {
            assert!(
                out.stdout.contains("\\u001b]0;PWNED\\u0007"),
                "{what}: the hostile text is not shown escaped:\n{}",
                out.stdout
            );
        }
    }
    // The live report names the phone, its iOS version and the backup.
    let out = run(command(text_args), Duration::from_secs(120));
    assert!(out.stdout.contains("\\u001b[2J"), "{}", out.stdout);
    // JSON: the exact text, escaped as JSON escapes it.
    let out = run(
        command(probe_args(&sim.address(), &backup)),
        Duration::from_secs(120),
    );
    out.assert_sane("--json");
    assert!(live_controls(&out.stdout).is_empty(), "{}", out.stdout);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let udids: Vec<&str> = v["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["udid"].as_str())
        .collect();
    assert!(udids.iter().any(|u| u.ends_with("\u{1b}[2J")), "{udids:?}");
    assert!(out.stdout.contains("\\u001b[2J"));
    std::mem::forget(sim);
}

/// `--from -` fed an endless stream (`/dev/zero`, then `yes`): read up to
/// its cap, then exit 3 saying nothing in it is known, and that it was cut.
#[test]
fn an_endless_paste_on_standard_input_is_read_up_to_its_cap() {
    for (what, feed) in [("/dev/zero", "cat /dev/zero"), ("yes", "yes")] {
        let mut cmd = command(os(&["diagnose", "--timeout", "30", "--from", "-"]));
        let mut feeder = std::process::Command::new("sh")
            .arg("-c")
            .arg(feed)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        cmd.stdin(feeder.stdout.take().unwrap());
        let out = run(cmd, HANG_GUARD);
        let _ = feeder.kill();
        let _ = feeder.wait();
        out.assert_sane(what);
        assert_eq!(out.code, Some(3), "{what}: {}", out.stderr);
        assert!(
            // Cut at 64 MiB, or sooner by the deadline on a loaded machine.
            out.stderr.contains("standard input (the first "),
            "{what}: {}",
            out.stderr
        );
        if let Some(kib) = out.peak_rss_kib {
            assert!(kib < 64 * 1024, "{what}: peak RSS {kib} KiB");
        }
    }
}

/// The shared reports of a snapshot of thousands of phones: Markdown and
/// HTML each drew a chain and space bars for every phone, and compared every
/// phone with every other (issue 30: 47 s and 2 min 20 s in the debug build,
/// a 16 MB HTML page). They draw the first phones and count the rest, and
/// stay under 64 MiB, redacted (the default for a file) or not.
#[test]
fn the_shared_reports_of_thousands_of_phones_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot.json");
    std::fs::write(&snapshot, thousands_of_phones(4000)).unwrap();
    for (format, file) in [("markdown", "r.md"), ("html", "r.html")] {
        let target = dir.path().join(file);
        let mut args = os(&["diagnose", "--timeout", "10", "--from"]);
        args.push(snapshot.clone().into());
        args.extend(os(&["--format", format, "-o"]));
        args.push(target.clone().into());
        let out = run(command(args), HANG_GUARD);
        out.assert_sane(format);
        assert_eq!(out.code, Some(1), "{format}: {}", out.stderr);
        let report = std::fs::read_to_string(&target).unwrap();
        assert!(
            report.len() < 1024 * 1024,
            "{format}: {} bytes",
            report.len()
        );
        assert!(report.contains("more phones"), "{format}");
        assert!(
            !report.contains("00008110-"),
            "{format}: a UDID is not masked"
        );
        if let Some(kib) = out.peak_rss_kib {
            assert!(kib < 64 * 1024, "{format}: peak RSS {kib} KiB");
        }
    }
}

/// `watch` against a daemon that sends `Attached` for ever new phones
/// without pause (issue 30: 477 MB in 11 s, 11,000 descriptors): it follows
/// a bounded number of phones, prints plug lines at a bounded rate with a
/// `coalesced` count, and stays under 64 MiB; `--duration` ends it.
#[test]
fn watch_stays_bounded_under_a_flooding_daemon() {
    let scratch = tempfile::tempdir().unwrap();
    let socket = flooding_daemon(scratch.path());
    let mut args = os(&["watch", "--json", "--duration", "4", "--usbmuxd"]);
    args.push(socket.into());
    let out = run(command(args), HANG_GUARD);
    out.assert_sane("watch under a flood");
    let lines: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kind = |k: &str| lines.iter().filter(|l| l["type"] == k).count();
    assert!(kind("coalesced") >= 1, "{}", out.stdout);
    assert_eq!(kind("summary"), 1);
    // 20 plug lines a second at most, over four seconds, and a diagnosis
    // line for a few of the phones.
    assert!(lines.len() < 400, "{} lines", lines.len());
    if let Some(kib) = out.peak_rss_kib {
        assert!(kib < PEAK_RSS_CAP_KIB, "peak RSS {kib} KiB");
    }
    println!(
        "watch under a flood: {} lines, exit {:?}, {:.1} s, peak {:?} KiB",
        lines.len(),
        out.code,
        out.elapsed.as_secs_f64(),
        out.peak_rss_kib
    );
}

/// "Too many open files" when the check connects (issue 30: it read as
/// "usbmuxd is not running"): under a few low `ulimit -n`, every report
/// whose probes hit the limit says it is this computer's
/// (`host.descriptor-limit`) and never blames the daemon.
#[test]
fn a_descriptor_limit_is_this_computers_not_the_daemons() {
    let scratch = tempfile::tempdir().unwrap();
    let socket = fake_daemon(
        scratch.path(),
        plist_frame(&xml("<dict><key>DeviceList</key><array/></dict>")),
        Serve::Close,
    );
    let backup = empty_backup(scratch.path());
    let mut hit = 0;
    for limit in 9..=16 {
        let mut cmd = std::process::Command::new("sh");
        cmd.arg("-c")
            .arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""))
            .arg(reliability_support::bin_path())
            .args(probe_args(&socket, &backup))
            .env_remove("USBMUXD_SOCKET_ADDRESS")
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let out = run(cmd, HANG_GUARD);
        out.assert_sane(&format!("ulimit -n {limit}"));
        if out.code == Some(3) {
            // Too few descriptors to start at all: said on one line.
            assert!(out.stderr.contains("Too many open files"), "{}", out.stderr);
            continue;
        }
        if !out.stdout.contains("Too many open files") {
            continue;
        }
        hit += 1;
        let found = out.findings();
        assert!(
            found.iter().any(|f| f == "host.descriptor-limit")
                && !found.iter().any(|f| f == "usbmuxd.not-running"),
            "ulimit -n {limit}: {found:?}"
        );
    }
    assert!(
        hit > 0,
        "no limit from 9 to 16 made a probe run out of descriptors"
    );
}
