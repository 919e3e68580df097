//! Shared helpers for the simulator's integration tests: start a scenario on a temp socket,
//! and a minimal raw usbmux / lockdown client with deadlines on every read.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

use iphone_sim::{Scenario, SimConfig, SimHandle, Simulator};

pub struct Running {
    pub sim: SimHandle,
    pub dir: tempfile::TempDir,
}

/// How long a test waits for a reply before calling the simulator hung: many
/// times a reply's few milliseconds, so a loaded machine (a release build
/// beside the tests) does not fail it.
pub const HANG_GUARD: Duration = Duration::from_secs(60);

impl Running {
    pub fn socket(&self) -> PathBuf {
        self.sim.socket().to_path_buf()
    }
    pub fn connect(&self) -> UnixStream {
        let s = UnixStream::connect(self.sim.socket()).expect("connect to simulator");
        s.set_read_timeout(Some(HANG_GUARD)).unwrap();
        s.set_write_timeout(Some(HANG_GUARD)).unwrap();
        s
    }
    /// Names of all requests received so far.
    pub fn requests(&self) -> Vec<String> {
        self.sim.audit().into_iter().map(|e| e.request).collect()
    }
}

pub fn start(name: &str) -> Running {
    start_scenario(Scenario::by_name(name).expect("bundled scenario"))
}

pub fn start_scenario(scenario: Scenario) -> Running {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = Simulator::start(SimConfig {
        socket: dir.path().join("usbmuxd"),
        tcp_port: None,
        scenario,
    })
    .expect("simulator starts");
    Running { sim, dir }
}

pub fn plist_packet(tag: u32, dict: &plist::Dictionary) -> Vec<u8> {
    let mut body = Vec::new();
    plist::Value::Dictionary(dict.clone())
        .to_writer_xml(&mut body)
        .unwrap();
    packet(1, 8, tag, &body)
}

pub fn packet(version: u32, message: u32, tag: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(16 + body.len() as u32).to_le_bytes());
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&message.to_le_bytes());
    out.extend_from_slice(&tag.to_le_bytes());
    out.extend_from_slice(body);
    out
}

pub fn request(message_type: &str, extra: &[(&str, plist::Value)]) -> plist::Dictionary {
    let mut d = plist::Dictionary::new();
    d.insert("MessageType".into(), message_type.into());
    d.insert("ClientVersionString".into(), "iphone-sim tests".into());
    d.insert("ProgName".into(), "tests".into());
    d.insert(
        "kLibUSBMuxVersion".into(),
        plist::Value::Integer(3u64.into()),
    );
    for (k, v) in extra {
        d.insert((*k).into(), v.clone());
    }
    d
}

/// A read usbmux reply: header fields and payload.
#[derive(Debug)]
pub struct Reply {
    pub length: u32,
    pub version: u32,
    pub message: u32,
    pub tag: u32,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn dict(&self) -> plist::Dictionary {
        plist::from_bytes(&self.body).expect("reply is a plist dictionary")
    }
    pub fn number(&self) -> Option<u64> {
        self.dict()
            .get("Number")
            .and_then(|v| v.as_unsigned_integer())
    }
}

/// Reads one usbmux packet (bodies capped at 1 MiB).
pub fn read_reply(s: &mut UnixStream) -> std::io::Result<Reply> {
    let mut h = [0u8; 16];
    s.read_exact(&mut h)?;
    let w = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
    let length = w(0);
    if !(16..=1 << 20).contains(&length) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("implausible length {length:#x}"),
        ));
    }
    let mut body = vec![0u8; (length - 16) as usize];
    s.read_exact(&mut body)?;
    Ok(Reply {
        length,
        version: w(4),
        message: w(8),
        tag: w(12),
        body,
    })
}

pub fn roundtrip(s: &mut UnixStream, tag: u32, dict: &plist::Dictionary) -> Reply {
    s.write_all(&plist_packet(tag, dict)).unwrap();
    read_reply(s).expect("a reply")
}

/// True when the peer sends nothing within `wait` (and has not closed).
pub fn silent_for(s: &mut UnixStream, wait: Duration) -> bool {
    s.set_read_timeout(Some(wait)).unwrap();
    let mut b = [0u8; 1];
    let r = s.read(&mut b);
    s.set_read_timeout(Some(HANG_GUARD)).unwrap();
    matches!(r, Err(ref e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut)
}

/// True when the peer closes the connection within `wait`.
pub fn closed_within(s: &mut UnixStream, wait: Duration) -> bool {
    s.set_read_timeout(Some(wait)).unwrap();
    let mut b = [0u8; 4096];
    loop {
        match s.read(&mut b) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) => return e.kind() == std::io::ErrorKind::ConnectionReset,
        }
    }
}

/// Connects to the device's lockdownd through usbmuxd and returns the raw stream.
pub fn connect_lockdown(r: &Running, device_id: u32) -> UnixStream {
    let mut s = r.connect();
    let port = 62078u16.to_be() as u64;
    let reply = roundtrip(
        &mut s,
        7,
        &request(
            "Connect",
            &[
                (
                    "DeviceID",
                    plist::Value::Integer(u64::from(device_id).into()),
                ),
                ("PortNumber", plist::Value::Integer(port.into())),
            ],
        ),
    );
    assert_eq!(reply.number(), Some(0), "Connect to lockdownd");
    s
}

/// Sends one lockdown request (4-byte big-endian length + XML) and reads the answer.
pub fn lockdown(s: &mut UnixStream, req: &[(&str, plist::Value)]) -> plist::Dictionary {
    let d: plist::Dictionary = req
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect();
    let mut body = Vec::new();
    plist::Value::Dictionary(d)
        .to_writer_xml(&mut body)
        .unwrap();
    s.write_all(&(body.len() as u32).to_be_bytes()).unwrap();
    s.write_all(&body).unwrap();
    read_lockdown(s)
}

/// Reads one lockdown answer.
pub fn read_lockdown(s: &mut UnixStream) -> plist::Dictionary {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).expect("lockdown answer length");
    let n = u32::from_be_bytes(len);
    assert!(n < 1 << 20, "implausible lockdown length {n}");
    let mut buf = vec![0u8; n as usize];
    s.read_exact(&mut buf).unwrap();
    plist::from_bytes(&buf).expect("lockdown answer is a dictionary")
}

pub fn s(v: &str) -> plist::Value {
    plist::Value::String(v.to_string())
}
