//! Differential check of the usbmuxd side against Debian's real usbmuxd 1.1.1 (no phone
//! attached), which is installed on these machines. The real daemon always binds
//! `/var/run/usbmuxd`, so it is started in a private mount namespace (`unshare -m` with a
//! tmpfs on /run) and reached through `/proc/<pid>/root/run/usbmuxd`: the machine's own
//! /run is never touched.
//!
//! Needs root and `unshare`; otherwise prints a loud notice and returns (fails under `CI`
//! when the `usbmuxd` binary is missing).
#![cfg(unix)]

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

struct RealDaemon {
    child: Child,
    socket: PathBuf,
}

impl Drop for RealDaemon {
    fn drop(&mut self) {
        // Only the process this test started, by its id.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn skip(why: &str) {
    eprintln!("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    eprintln!("!! SKIPPED differential check against the real usbmuxd: {why}");
    eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n");
}

fn start_real() -> Option<RealDaemon> {
    if !Path::new("/usr/sbin/usbmuxd").exists() {
        if std::env::var_os("CI").is_some() {
            panic!("CI is set but /usr/sbin/usbmuxd is missing: apt-get install usbmuxd");
        }
        skip("/usr/sbin/usbmuxd not installed");
        return None;
    }
    if !iphone_sim::running_as_root() {
        skip("needs root for a private mount namespace");
        return None;
    }
    let child = Command::new("unshare")
        .args([
            "-m",
            "sh",
            "-c",
            "mount -t tmpfs none /run && exec /usr/sbin/usbmuxd -f -U root -n",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(child) = child else {
        skip("unshare not available");
        return None;
    };
    let socket = PathBuf::from(format!("/proc/{}/root/run/usbmuxd", child.id()));
    let mut d = RealDaemon { child, socket };
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(10) {
        if let Ok(Some(_)) = d.child.try_wait() {
            skip("unshare/mount not permitted here");
            return None;
        }
        if UnixStream::connect(&d.socket).is_ok() {
            return Some(d);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    skip("the real usbmuxd did not come up");
    None
}

/// What a daemon did with one request, in comparable form.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// version, message, tag, body (plists parsed, BUID values blanked)
    Answer(u32, u32, u32, Body),
    Silent,
    Closed,
}

#[derive(Debug, PartialEq)]
enum Body {
    Plist(plist::Value),
    Raw(Vec<u8>),
}

fn exchange(path: &Path, bytes: &[u8]) -> Outcome {
    let mut s = UnixStream::connect(path).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(700)))
        .unwrap();
    s.write_all(bytes).unwrap();
    let mut h = [0u8; 16];
    let mut got = 0;
    while got < 16 {
        match s.read(&mut h[got..]) {
            Ok(0) => return Outcome::Closed,
            Ok(n) => got += n,
            Err(_) => {
                return if got == 0 {
                    Outcome::Silent
                } else {
                    Outcome::Closed
                }
            }
        }
    }
    let w = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
    let len = w(0).clamp(16, 1 << 16) as usize;
    let mut body = vec![0u8; len - 16];
    s.read_exact(&mut body).unwrap();
    let body = if w(8) == 8 {
        let mut v: plist::Value = plist::from_bytes(&body).unwrap();
        if let Some(d) = v.as_dictionary_mut() {
            if d.contains_key("BUID") {
                d.insert("BUID".into(), "<buid>".into());
            }
        }
        Body::Plist(v)
    } else {
        Body::Raw(body)
    };
    Outcome::Answer(w(4), w(8), w(12), body)
}

#[test]
fn simulator_answers_like_debian_usbmuxd_1_1_1() {
    let Some(real) = start_real() else {
        return;
    };
    let sim = start("no_device");
    let pl = |d: plist::Dictionary| plist_packet(3, &d);
    let mut bin = Vec::new();
    plist::Value::Dictionary(request("ListDevices", &[]))
        .to_writer_binary(&mut bin)
        .unwrap();
    let int = |v: u64| plist::Value::Integer(v.into());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("ListDevices", pl(request("ListDevices", &[]))),
        ("ReadBUID", pl(request("ReadBUID", &[]))),
        ("ListListeners", pl(request("ListListeners", &[]))),
        ("Listen", pl(request("Listen", &[]))),
        (
            "ReadPairRecord unknown",
            pl(request("ReadPairRecord", &[("PairRecordID", s("nope"))])),
        ),
        ("ReadPairRecord no id", pl(request("ReadPairRecord", &[]))),
        (
            "DeletePairRecord unknown",
            pl(request("DeletePairRecord", &[("PairRecordID", s("nope"))])),
        ),
        (
            "DeletePairRecord no id",
            pl(request("DeletePairRecord", &[])),
        ),
        (
            "SavePairRecord no data",
            pl(request("SavePairRecord", &[("PairRecordID", s("nope"))])),
        ),
        ("unknown MessageType", pl(request("Frobnicate", &[]))),
        ("no MessageType", pl(plist::Dictionary::new())),
        (
            "Connect unknown device",
            pl(request(
                "Connect",
                &[
                    ("DeviceID", int(9)),
                    ("PortNumber", int(u64::from(62078u16.to_be()))),
                ],
            )),
        ),
        (
            "Connect no DeviceID",
            pl(request("Connect", &[("PortNumber", int(32498))])),
        ),
        (
            "Connect no PortNumber",
            pl(request("Connect", &[("DeviceID", int(1))])),
        ),
        ("binary plist", packet(1, 8, 3, &bin)),
        ("XML plist with header version 0", {
            let mut b = Vec::new();
            plist::Value::Dictionary(request("ListDevices", &[]))
                .to_writer_xml(&mut b)
                .unwrap();
            packet(0, 8, 3, &b)
        }),
        ("header version 2", packet(2, 8, 3, b"")),
        ("binary Listen", packet(0, 3, 3, b"")),
        (
            "binary Connect unknown device",
            packet(0, 2, 3, &[9, 0, 0, 0, 0xf2, 0x7e, 0, 0]),
        ),
        ("binary message 9", packet(0, 9, 3, b"")),
        ("oversized header", {
            let mut p = packet(1, 8, 3, b"");
            p[..4].copy_from_slice(&0x10001u32.to_le_bytes());
            p
        }),
        ("undersized header", {
            let mut p = packet(1, 8, 3, b"");
            p[0] = 8;
            p
        }),
    ];
    let mut mismatches = Vec::new();
    for (name, bytes) in &cases {
        let want = exchange(&real.socket, bytes);
        let got = exchange(&sim.socket(), bytes);
        if want != got {
            mismatches.push(format!(
                "{name}:\n  usbmuxd 1.1.1: {want:?}\n  iphone-sim:    {got:?}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert_eq!(sim.sim.panics(), 0);
}
