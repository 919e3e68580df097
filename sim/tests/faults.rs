//! Every fault scenario and broken-socket set-up, plus hostile input: the simulator must
//! misbehave exactly as scripted and never panic.
#![cfg(unix)]

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use common::*;

const HEALTHY_UDID: &str = "c28d82f1df2580e648ad0225461d5592b8558bf7";

fn list_devices() -> plist::Dictionary {
    request("ListDevices", &[])
}

#[test]
fn hang_accepts_but_never_answers() {
    let r = start("fault_hang");
    let mut s = r.connect();
    s.write_all(&plist_packet(1, &list_devices())).unwrap();
    assert!(silent_for(&mut s, Duration::from_millis(800)));
    assert_eq!(
        r.requests(),
        ["ListDevices"],
        "the request was still received"
    );
}

#[test]
fn garbage_payload_has_valid_header_and_no_plist() {
    let r = start("fault_garbage");
    let mut s = r.connect();
    s.write_all(&plist_packet(4, &list_devices())).unwrap();
    let reply = read_reply(&mut s).unwrap();
    assert_eq!((reply.version, reply.message, reply.tag), (1, 8, 4));
    assert!(plist::from_bytes::<plist::Value>(&reply.body).is_err());
}

#[test]
fn raw_text_then_close() {
    let r = start("fault_raw_text");
    let mut s = r.connect();
    s.write_all(&plist_packet(1, &list_devices())).unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    assert!(all.starts_with(b"HTTP/1.1 400"));
}

#[test]
fn huge_length_header() {
    let r = start("fault_huge_length");
    let mut s = r.connect();
    s.write_all(&plist_packet(1, &list_devices())).unwrap();
    let mut h = [0u8; 16];
    s.read_exact(&mut h).unwrap();
    assert_eq!(u32::from_le_bytes([h[0], h[1], h[2], h[3]]), 0xFFFF_FFF0);
}

#[test]
fn close_mid_message() {
    let r = start("fault_close_mid_message");
    let mut s = r.connect();
    s.write_all(&plist_packet(1, &list_devices())).unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    assert!(all.len() >= 4, "part of the header arrived");
    let claimed = u32::from_le_bytes([all[0], all[1], all[2], all[3]]) as usize;
    assert!(
        all.len() < claimed,
        "{} bytes of a {claimed}-byte message",
        all.len()
    );
}

#[test]
fn slow_replies_are_delayed() {
    let r = start("fault_slow");
    let mut s = r.connect();
    let t = Instant::now();
    let reply = roundtrip(&mut s, 1, &list_devices());
    assert!(
        t.elapsed() >= Duration::from_millis(1400),
        "{:?}",
        t.elapsed()
    );
    assert!(reply.dict().contains_key("DeviceList"));
}

#[test]
fn unplug_mid_session_detaches_and_closes() {
    let r = start("fault_unplug_mid_session");
    let mut listen = r.connect();
    assert_eq!(
        roundtrip(&mut listen, 1, &request("Listen", &[])).number(),
        Some(0)
    );
    assert_eq!(
        read_reply(&mut listen).unwrap().dict()["MessageType"].as_string(),
        Some("Attached")
    );
    let mut ld = connect_lockdown(&r, 1);
    let host_id = r.sim.host_id(HEALTHY_UDID).unwrap();
    let body = {
        let mut d = plist::Dictionary::new();
        d.insert("Request".into(), "StartSession".into());
        d.insert("HostID".into(), host_id.into());
        let mut b = Vec::new();
        plist::Value::Dictionary(d).to_writer_xml(&mut b).unwrap();
        b
    };
    ld.write_all(&(body.len() as u32).to_be_bytes()).unwrap();
    ld.write_all(&body).unwrap();
    assert!(closed_within(&mut ld, Duration::from_secs(3)));
    let ev = read_reply(&mut listen).unwrap().dict();
    assert_eq!(ev["MessageType"].as_string(), Some("Detached"));
    assert_eq!(ev["DeviceID"].as_unsigned_integer(), Some(1));
    let mut s = r.connect();
    let d = roundtrip(&mut s, 2, &list_devices()).dict();
    assert!(d["DeviceList"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_handshake_failure() {
    use idevice::lockdown::LockdownClient;
    use idevice::usbmuxd::UsbmuxdAddr;
    let r = start("fault_tls_failure");
    let a = UsbmuxdAddr::UnixSocket(r.socket().display().to_string());
    let pairing = a
        .connect(0)
        .await
        .unwrap()
        .get_pair_record(HEALTHY_UDID)
        .await
        .unwrap();
    let idev = a
        .connect(1)
        .await
        .unwrap()
        .connect_to_device(1, 62078, "t")
        .await
        .unwrap();
    let mut ld = LockdownClient::new(idev);
    let res = tokio::time::timeout(Duration::from_secs(10), ld.start_session(&pairing))
        .await
        .expect("fails fast, does not hang");
    assert!(res.is_err());
    // The simulator logs the failed handshake on its own thread, possibly
    // just after the client has seen the alert: wait for the entry.
    let mut tls = None;
    for _ in 0..100 {
        tls = r
            .sim
            .audit()
            .into_iter()
            .find(|e| e.request == "TLSHandshake");
        if tls.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let tls = tls.expect("the simulator logged the TLS handshake");
    assert!(tls.detail.unwrap().contains("tls_fault"));
}

#[test]
fn socket_missing_stale_and_mode_000() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let e = UnixStream::connect(&missing).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);

    let stale = dir.path().join("stale");
    iphone_sim::make_stale_socket(&stale).unwrap();
    assert!(stale.exists());
    let e = UnixStream::connect(&stale).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused);

    let r = start("healthy");
    iphone_sim::set_socket_mode(&r.socket(), 0o000).unwrap();
    let res = UnixStream::connect(r.socket());
    if iphone_sim::running_as_root() {
        // root bypasses the mode; the set-up still exists for non-root runs.
        assert!(res.is_ok());
        eprintln!("NOTE: running as root, a mode-000 socket is still connectable");
    } else {
        assert_eq!(
            res.unwrap_err().kind(),
            std::io::ErrorKind::PermissionDenied
        );
    }
}

#[test]
fn start_replaces_a_stale_socket_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usbmuxd");
    iphone_sim::make_stale_socket(&path).unwrap();
    let sim = iphone_sim::Simulator::start(iphone_sim::SimConfig {
        socket: path.clone(),
        tcp_port: None,
        scenario: iphone_sim::Scenario::by_name("no_device").unwrap(),
    })
    .unwrap();
    assert!(UnixStream::connect(&path).is_ok());
    // A live socket is never taken over.
    let second = iphone_sim::Simulator::start(iphone_sim::SimConfig {
        socket: path.clone(),
        tcp_port: None,
        scenario: iphone_sim::Scenario::by_name("no_device").unwrap(),
    });
    assert!(second.is_err());
    assert!(UnixStream::connect(&path).is_ok());
    sim.stop();
    assert!(!path.exists(), "stop removes the socket");
}

#[test]
fn oversized_and_undersized_headers_close_the_connection() {
    let r = start("healthy");
    for len in [0xFFFF_FFF0u32, 0x10001, 3] {
        let mut s = r.connect();
        let mut h = Vec::new();
        h.extend_from_slice(&len.to_le_bytes());
        h.extend_from_slice(&[1, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0]);
        s.write_all(&h).unwrap();
        assert!(
            closed_within(&mut s, Duration::from_secs(2)),
            "len {len:#x}"
        );
    }
    let names = r.requests();
    assert_eq!(
        names.iter().filter(|n| *n == "<oversized-header>").count(),
        2
    );
    assert_eq!(
        names.iter().filter(|n| *n == "<undersized-header>").count(),
        1
    );
    assert_eq!(r.sim.panics(), 0);
}

#[test]
fn lockdown_survives_hostile_frames() {
    let r = start("healthy");
    // Huge length.
    let mut s = connect_lockdown(&r, 1);
    s.write_all(&0xFFFF_FFF0u32.to_be_bytes()).unwrap();
    assert!(closed_within(&mut s, Duration::from_secs(2)));
    // Not a plist.
    let mut s = connect_lockdown(&r, 1);
    s.write_all(&5u32.to_be_bytes()).unwrap();
    s.write_all(b"hello").unwrap();
    assert!(closed_within(&mut s, Duration::from_secs(2)));
    // A plist that is not a dictionary is answered, the connection survives.
    let mut s = connect_lockdown(&r, 1);
    let mut b = Vec::new();
    plist::Value::Array(vec![1u64.into()])
        .to_writer_xml(&mut b)
        .unwrap();
    s.write_all(&(b.len() as u32).to_be_bytes()).unwrap();
    s.write_all(&b).unwrap();
    let answer = read_lockdown(&mut s);
    assert_eq!(answer["Error"].as_string(), Some("InvalidRequest"));
    let q = lockdown(&mut s, &[("Request", s_("QueryType"))]);
    assert_eq!(q["Type"].as_string(), Some("com.apple.mobile.lockdown"));
    // Connection closed mid-message.
    let mut s = connect_lockdown(&r, 1);
    s.write_all(&100u32.to_be_bytes()).unwrap();
    s.write_all(b"<?xml").unwrap();
    drop(s);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(r.sim.panics(), 0);
    let mut s = r.connect();
    assert!(roundtrip(&mut s, 1, &list_devices())
        .dict()
        .contains_key("DeviceList"));
}

/// A small deterministic generator (no external crates needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn random_input_never_panics() {
    let r = start("healthy");
    let mut g = Lcg(0x5eed);
    let seeds: Vec<Vec<u8>> = vec![
        plist_packet(1, &list_devices()),
        plist_packet(1, &request("Connect", &[])),
        plist_packet(1, &request("ReadPairRecord", &[])),
        packet(0, 2, 1, &[1, 0, 0, 0, 0xf2, 0x7e, 0, 0]),
        packet(0, 3, 1, b""),
    ];
    for round in 0..150 {
        let mut s = r.connect();
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        let mut msg = seeds[round % seeds.len()].clone();
        // Mutate a few bytes, sometimes the header, sometimes the body.
        for _ in 0..(g.next() % 6) {
            let i = g.next() as usize % msg.len();
            msg[i] = g.next() as u8;
        }
        if round % 7 == 0 {
            let n = 1 + g.next() as usize % 64;
            msg = g.bytes(n);
        }
        let _ = s.write_all(&msg);
        let mut sink = [0u8; 4096];
        let _ = s.read(&mut sink);
    }
    // Random lockdown frames after a valid Connect.
    for _ in 0..40 {
        let mut s = connect_lockdown(&r, 1);
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        let n = g.next() % 200;
        let _ = s.write_all(&n.to_be_bytes());
        let _ = s.write_all(&g.bytes(n as usize));
        let mut sink = [0u8; 256];
        let _ = s.read(&mut sink);
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(r.sim.panics(), 0);
    let mut s = r.connect();
    assert!(roundtrip(&mut s, 1, &list_devices())
        .dict()
        .contains_key("DeviceList"));
}

fn s_(v: &str) -> plist::Value {
    s(v)
}
