//! usbmuxd's log (libimobiledevice's daemon, Linux): foreground `usbmuxd -f
//! -v` output and the same lines in a syslog or the journal. It is read
//! into what the live probes would have seen:
//!
//! - the phones usbmuxd found on USB (`Found new device with v/p 05ac:12a8
//!   at 1-24`, with the speed its bulk packet size or its own line shows),
//!   into `probes.usb`;
//! - the phones it added and removed (`Connecting to new device on location
//!   ... as ID 1`, `client_device_add`, `Removed device 1`), into
//!   `probes.mux_events` as its Listen feed would have reported them;
//! - the list it would answer at the end of the log, into `probes.usbmuxd`,
//!   only when the log covers the daemon from its start: a phone whose
//!   preflight failed is never listed to clients;
//! - what its preflight reported (lockdown errors, not paired, waiting for
//!   trust), into `probes.reported_errors`.
//!
//! Its lockdown error numbers are libimobiledevice's, whose numbering
//! changed in 1.2.0; usbmuxd 1.1.1 and later need libimobiledevice 1.3.0, so
//! their codes are in today's numbering; 1.0.9 and 1.1.0 build against 1.1.6
//! or later, so a code that differs between the two is left without a
//! numbering, as it is when the log does not say its version.

use std::collections::BTreeMap;

use super::imported::{imported, phone};
use super::log_line::{syslog_level, usbmuxd_stamp};
use super::usb_ids::{apple_device, bus_seen, hex4, linux_port, set_serial};
use super::{Capture, Line, UNNAMED_PHONE};
use crate::knowledge::Domain;
use crate::snapshot::{
    udid_key, DeviceObs, Failure, FailureKind, ListenObs, ListenOrigin, MuxAddress, MuxConnection,
    MuxDevice, MuxEvent, MuxEventKind, MuxObs, OsFamily, Outcome, Quote, ReportedError, Snapshot,
    UsbAccess, UsbDevice, UsbSpeed,
};

/// At most this many lines are looked at, and this many events and errors kept.
const MAX_LINES: usize = 200_000;
const MAX_EVENTS: usize = 1_000;
const MAX_ERRORS: usize = 100;
const MAX_DEVICES: usize = 64;
/// Reported messages are cut here.
const MAX_MESSAGE: usize = 512;
const DAY_MS: u64 = 86_400_000;

/// What usbmuxd did with a phone it connected to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listed {
    /// The log ends before it says.
    Undecided,
    /// Added to the list clients see.
    Yes,
    /// Its preflight failed: never listed.
    PreflightFailed,
}

#[derive(Debug)]
struct Entry {
    location: Option<u32>,
    udid: Option<String>,
    listed: Listed,
    /// Index of its `Attached` event.
    event: Option<usize>,
}

#[derive(Default)]
struct Reader {
    /// The time of day of the last stamped line.
    last_time_of_day: Option<u64>,
    version: Option<String>,
    started: bool,
    shut_down: bool,
    /// The socket it said it listens on.
    socket: Option<String>,
    /// The line of its last start.
    start: Option<Quote>,
    stopped: Option<Failure>,
    /// USB devices by `bus-address`.
    usb: BTreeMap<String, UsbDevice>,
    /// usbmuxd's devices by its DeviceID.
    mux: BTreeMap<u32, Entry>,
    events: Vec<MuxEvent>,
    errors: Vec<ReportedError>,
    first_ms: Option<u64>,
    last_ms: u64,
    prev_abs: u64,
    day_offset: u64,
    known_lines: usize,
    socket_errors: usize,
}

pub fn import(capture: &Capture) -> Option<Snapshot> {
    let mut r = Reader::default();
    for line in capture.lines().take(MAX_LINES) {
        r.line(capture, line);
    }
    if r.known_lines == 0 {
        return None;
    }
    Some(r.snapshot(&capture.name))
}

impl Reader {
    fn line(&mut self, capture: &Capture, line: Line<'_>) {
        let msg = line.text;
        if msg.trim() == "Segmentation fault" && (self.started || self.known_lines > 0) {
            self.known_lines += 1;
            self.stopped = Some(Failure {
                quote: Some(capture.quote(line)),
                ..Failure::new(
                    FailureKind::NotFound,
                    "usbmuxd crashed: no daemon was left to answer",
                )
            });
            return;
        }
        if msg.contains("usbmuxd_get_device_list: error opening socket") {
            self.known_lines += 1;
            self.socket_errors += 1;
            if self.socket_errors == 1 {
                self.stopped = Some(Failure {
                    quote: Some(capture.quote(line)),
                    ..Failure::new(
                        FailureKind::NotFound,
                        "a client could not open usbmuxd's socket (missing, or nothing listening)",
                    )
                });
            }
            return;
        }
        // Under syslog or the journal usbmuxd prints `[level] message`
        // without its own clock: the log's prefix gave the time.
        let (at_ms, level, text) = match usbmuxd_stamp(msg) {
            Some((t, level, text)) => (Some(self.clock(t)), Some(level), text),
            None => match syslog_level(msg) {
                // No clock at all (the journal printed without one): the
                // lines keep their order, at the last time known.
                Some((level, text)) if line.clock_ms().is_some() || line.log_line != line.text => {
                    let t = line.clock_ms().or(self.last_time_of_day).unwrap_or(0);
                    (Some(self.clock(t)), Some(level), text)
                }
                _ => (None, None, msg.trim()),
            },
        };
        if let Some(v) = text
            .strip_prefix("usbmuxd v")
            .and_then(|r| r.strip_suffix(" starting up"))
        {
            self.known_lines += 1;
            self.restart(v);
            self.start = Some(capture.quote(line));
            return;
        }
        if at_ms.is_none() {
            return;
        }
        let at = at_ms.unwrap_or(0);
        if self.device_line(capture, line, at, text)
            || self.preflight_line(capture, line, level, text)
        {
            self.known_lines += 1;
        } else if level == Some(0)
            || CLIENT_TROUBLE.iter().any(|t| text.starts_with(t))
            || PAIR_RECORD_TROUBLE.iter().any(|t| text.starts_with(t))
        {
            // Fatal lines (it could not start: bind, socket, config folder),
            // clients it lost mid-write (`Broken pipe`) and pair records it
            // could not use: what usbmuxd said, for the knowledge base to read.
            self.known_lines += 1;
            self.report(capture, line, text);
        } else if text == "usbmuxd shutting down" {
            // A clean exit (udev starts it again when a phone comes): what
            // it would list now is unknown, but it did not fail.
            self.known_lines += 1;
            self.shut_down = true;
        } else if let Some(path) = text.strip_prefix("Listening on ") {
            self.known_lines += 1;
            self.socket = Some(path.trim().chars().take(256).collect());
        } else if KNOWN.iter().any(|k| text.starts_with(k)) {
            self.known_lines += 1;
        }
    }

    /// Milliseconds since the first stamp, across midnight.
    fn clock(&mut self, time_of_day: u64) -> u64 {
        self.last_time_of_day = Some(time_of_day);
        let first = *self.first_ms.get_or_insert(time_of_day);
        let mut abs = time_of_day + self.day_offset;
        if abs + 60_000 < self.prev_abs {
            self.day_offset += DAY_MS;
            abs += DAY_MS;
        }
        self.prev_abs = abs;
        let at = abs.saturating_sub(first);
        self.last_ms = self.last_ms.max(at);
        at
    }

    /// A (re)start: device ids begin again, and the daemon finds the bus anew.
    fn restart(&mut self, version: &str) {
        self.version = Some(version.chars().take(64).collect());
        self.started = true;
        self.shut_down = false;
        self.stopped = None;
        self.usb.clear();
        self.mux.clear();
    }

    fn device_line(&mut self, capture: &Capture, line: Line<'_>, at: u64, text: &str) -> bool {
        if let Some(rest) = text.strip_prefix("Found new device with v/p ") {
            let Some((ids, place)) = rest.split_once(" at ") else {
                return true;
            };
            let Some((vid, pid)) = ids.split_once(':') else {
                return true;
            };
            let (Some(vid), Some(pid), Some((bus, chain))) =
                (hex4(vid), hex4(pid), linux_port(place.trim()))
            else {
                return true;
            };
            let address = chain.first().copied().filter(|_| chain.len() == 1);
            if let (Some(mut d), Some(address)) =
                (apple_device(vid, pid, capture.quote(line)), address)
            {
                if self.usb.len() < MAX_DEVICES {
                    d.bus = bus;
                    d.address = address;
                    self.usb.insert(place.trim().to_string(), d);
                }
            }
            return true;
        }
        for (prefix, denied) in [
            ("Could not open device ", true),
            ("Could not claim interface ", false),
        ] {
            let Some(rest) = text.strip_prefix(prefix) else {
                continue;
            };
            // `Could not open device 1-4: LIBUSB_ERROR_ACCESS`, `Could not
            // claim interface 1 for device 1-4: LIBUSB_ERROR_BUSY`.
            let rest = rest.split_once("for device ").map_or(rest, |(_, r)| r);
            if let Some((place, error)) = rest.split_once(": ") {
                if let Some(d) = self.usb.get_mut(place.trim()) {
                    let message = capture.quote(line).cite();
                    d.access = if denied && error.trim() == "LIBUSB_ERROR_ACCESS" {
                        UsbAccess::Denied { message }
                    } else {
                        UsbAccess::Failed { message }
                    };
                }
            }
            self.report(capture, line, text);
            return true;
        }
        if LINK_TROUBLE.iter().any(|t| text.starts_with(t)) || text.contains(" RX aborted") {
            if !text.contains(" RX aborted") {
                self.report(capture, line, text);
            }
            return true;
        }
        if let Some(rest) = text.strip_prefix("Using wMaxPacketSize=") {
            // Bulk endpoints: 64 bytes at full speed, 512 at high, 1024 at super.
            if let Some((size, dev)) = rest.split_once(" for device ") {
                let speed = match size {
                    "64" => Some(UsbSpeed::Full),
                    "512" => Some(UsbSpeed::High),
                    "1024" => Some(UsbSpeed::Super),
                    _ => None,
                };
                if let (Some(d), Some(speed)) = (self.usb.get_mut(dev.trim()), speed) {
                    d.speed.get_or_insert(speed);
                }
            }
            return true;
        }
        if let Some(rest) = text.strip_prefix("USB Speed is ") {
            // usbmuxd says 480 when libusb does not know: only other figures count.
            if let Some((mbps, dev)) = rest.split_once(" MBit/s for device ") {
                let speed = mbps
                    .parse::<u64>()
                    .ok()
                    .filter(|m| *m != 480)
                    .and_then(|m| UsbSpeed::from_bps(m.saturating_mul(1_000_000)));
                if let (Some(d), Some(speed)) = (self.usb.get_mut(dev.trim()), speed) {
                    d.speed = Some(speed);
                }
            }
            return true;
        }
        if let Some(rest) = text.strip_prefix("Got serial '") {
            if let Some((serial, dev)) = rest.split_once("' for device ") {
                if let Some(d) = self.usb.get_mut(dev.trim()) {
                    set_serial(d, serial);
                }
            }
            return true;
        }
        if let Some(rest) = text.strip_prefix("Connecting to new device on location ") {
            let Some((loc, id)) = rest.split_once(" as ID ") else {
                return true;
            };
            if let Some(id) = number(id) {
                self.attach(at, id, location(loc), None, capture.quote(line));
            }
            return true;
        }
        if let Some(rest) = text.strip_prefix("Connected to v") {
            // `Connected to v2.0 device 1 on location 0x30006 with serial number <udid>`
            let id = rest
                .split_once(" device ")
                .and_then(|(_, r)| r.split_whitespace().next())
                .and_then(number);
            let serial = rest
                .split_once(" with serial number ")
                .map(|(_, s)| s.trim());
            if let (Some(id), Some(serial)) = (id, serial) {
                self.name(id, serial);
            }
            return true;
        }
        if let Some(rest) = text.strip_prefix("client_device_add: id ") {
            let mut parts = rest.split(", ");
            let id = parts.next().and_then(number);
            let loc = parts
                .next()
                .and_then(|p| p.strip_prefix("location "))
                .and_then(location);
            let serial = parts.next().and_then(|p| p.strip_prefix("serial "));
            if let Some(id) = id {
                if !self.mux.contains_key(&id) {
                    self.attach(at, id, loc, None, capture.quote(line));
                }
                if let Some(s) = serial {
                    self.name(id, s);
                }
                if let Some(e) = self.mux.get_mut(&id) {
                    e.listed = Listed::Yes;
                }
            }
            return true;
        }
        if let Some(rest) = text.strip_prefix("Removed device ") {
            let id = rest.split_whitespace().next().and_then(number);
            if let Some(id) = id {
                let entry = self.mux.remove(&id);
                let loc = entry.as_ref().and_then(|e| e.location).or_else(|| {
                    rest.split_once(" on location ")
                        .and_then(|(_, l)| location(l))
                });
                if let Some(loc) = loc {
                    let place = format!("{}-{}", loc >> 16, loc & 0xffff);
                    self.usb.remove(&place);
                }
                if self.events.len() < MAX_EVENTS {
                    self.events.push(MuxEvent {
                        at_ms: at,
                        kind: MuxEventKind::Detached,
                        device_id: id,
                        udid: entry.and_then(|e| e.udid),
                        device: None,
                        quote: Some(capture.quote(line)),
                    });
                }
            }
            return true;
        }
        false
    }

    fn attach(
        &mut self,
        at: u64,
        id: u32,
        location: Option<u32>,
        udid: Option<String>,
        quote: crate::snapshot::Quote,
    ) {
        if self.mux.len() >= MAX_DEVICES || self.events.len() >= MAX_EVENTS {
            return;
        }
        self.events.push(MuxEvent {
            at_ms: at,
            kind: MuxEventKind::Attached,
            device_id: id,
            udid: udid.clone(),
            device: Some(MuxDevice {
                device_id: id,
                udid: udid.clone().unwrap_or_default(),
                connection: MuxConnection::Usb,
                location_id: location,
                ..Default::default()
            }),
            quote: Some(quote),
        });
        self.mux.insert(
            id,
            Entry {
                location,
                udid,
                listed: Listed::Undecided,
                event: Some(self.events.len() - 1),
            },
        );
    }

    /// usbmuxd named the phone behind DeviceID `id`.
    fn name(&mut self, id: u32, serial: &str) {
        let serial = serial.trim();
        if serial.is_empty()
            || serial.len() > 64
            || !serial.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        {
            return;
        }
        let Some(e) = self.mux.get_mut(&id) else {
            return;
        };
        e.udid = Some(serial.to_string());
        if let Some(ev) = e.event.and_then(|i| self.events.get_mut(i)) {
            ev.udid = Some(serial.to_string());
            if let Some(d) = ev.device.as_mut() {
                d.udid = serial.to_string();
            }
        }
        if let Some(loc) = e.location {
            let place = format!("{}-{}", loc >> 16, loc & 0xffff);
            if let Some(d) = self.usb.get_mut(&place) {
                if d.udid.is_none() {
                    set_serial(d, &serial.replace('-', ""));
                }
            }
        }
    }

    /// `preflight_worker_handle_device_add: ...` and the trust notification
    /// lines.
    fn preflight_line(
        &mut self,
        capture: &Capture,
        line: Line<'_>,
        level: Option<u8>,
        text: &str,
    ) -> bool {
        let Some(what) = text
            .strip_prefix("preflight_worker_handle_device_add:")
            .or_else(|| text.strip_prefix("np_callback:"))
        else {
            return false;
        };
        let what = what.trim();
        let udid = device_named(what);
        let (listed, code, reported) = if what.is_empty() {
            // Cut off by the capture: an error (level 1) whose words are lost.
            (
                (level == Some(1)).then_some(Listed::PreflightFailed),
                None,
                level == Some(1),
            )
        } else if what.starts_with("ERROR: Could not connect to lockdownd")
            || what.starts_with("ERROR: Could not get lockdownd type")
            || what.starts_with("ERROR: Could not get ProductVersion")
        {
            (Some(Listed::PreflightFailed), lockdown_code(what), true)
        } else if what.starts_with("ERROR: Pair failed")
            || what.starts_with("StartSession failed")
            || what.contains("Could not start insecure_notification_proxy")
        {
            (None, lockdown_code(what), true)
        } else if what.contains("is not paired with this host")
            || (what.starts_with("The stored pair record for device")
                && what.contains("is invalid"))
        {
            // The second: usbmuxd's preflight got an SSL error with the
            // record it holds, deleted it and will ask for trust again.
            (None, None, true)
        } else if what.starts_with("Waiting for user to trust this computer") {
            (Some(Listed::Yes), None, true)
        } else if what.starts_with("Finished preflight")
            || what.starts_with("StartSession success")
            || what.starts_with("Pair success")
        {
            (Some(Listed::Yes), None, false)
        } else {
            (None, None, false)
        };
        if let Some(listed) = listed {
            self.set_listed(udid.as_deref(), listed);
        }
        if reported && self.errors.len() < MAX_ERRORS {
            self.errors.push(ReportedError {
                tool: "usbmuxd".into(),
                domain: code
                    .and_then(|c| self.domain(c))
                    .map(|d| d.name().to_string()),
                code,
                message: text.chars().take(MAX_MESSAGE).collect(),
                quote: capture.quote(line),
                udid: udid.clone(),
                overcome: None,
            });
        }
        true
    }

    /// A usbmuxd line about the USB side, as a reported error without a code.
    fn report(&mut self, capture: &Capture, line: Line<'_>, text: &str) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(ReportedError {
                tool: "usbmuxd".into(),
                domain: None,
                code: None,
                message: text.chars().take(MAX_MESSAGE).collect(),
                quote: capture.quote(line),
                udid: None,
                overcome: None,
            });
        }
    }

    /// The phone a preflight line names, else the only one being set up.
    fn set_listed(&mut self, udid: Option<&str>, listed: Listed) {
        let key = udid.map(udid_key);
        let mut matching = self.mux.values_mut().filter(|e| match (&key, &e.udid) {
            (Some(k), Some(u)) => udid_key(u) == *k,
            (None, _) => e.listed == Listed::Undecided,
            _ => false,
        });
        if let Some(e) = matching.next() {
            if e.listed != Listed::PreflightFailed {
                e.listed = listed;
            }
        }
    }

    /// Which numbering a lockdown code of this log is in (see the module
    /// documentation); None when the log cannot tell.
    fn domain(&self, code: i64) -> Option<Domain> {
        if (-6..=-1).contains(&code) {
            return Some(Domain::Lockdown); // the same in both numberings
        }
        let v = self.version.as_deref().and_then(version_triple)?;
        (v >= (1, 1, 1)).then_some(Domain::Lockdown)
    }

    fn snapshot(self, file: &str) -> Snapshot {
        let mut notes = vec![match &self.version {
            Some(v) => format!("usbmuxd {v}"),
            None => "usbmuxd's version is not in the log".to_string(),
        }];
        let open = self
            .errors
            .iter()
            .filter(|e| e.code.is_some() && e.domain.is_none())
            .count();
        if open > 0 {
            notes.push(format!(
                "{open} lockdown error code(s) left without a numbering: libimobiledevice renumbered them in 1.2.0 and this log does not say which one usbmuxd was built with"
            ));
        }
        let mut s = imported("usbmuxd log", file, Some(notes.join("; ")));
        let usb_devices: Vec<UsbDevice> = self.usb.values().cloned().collect();
        if !usb_devices.is_empty() {
            s.probes.usb = bus_seen(OsFamily::Linux, usb_devices);
        }
        if let Some(f) = self.stopped {
            s.probes.usbmuxd = Outcome::Failed {
                duration_ms: 0,
                failure: f,
            };
        } else if (self.started || !self.events.is_empty()) && !self.shut_down {
            // From its start, or from the phones it took: the list is known
            // for every phone this log shows.
            let devices = self.listed();
            // The phones it names, so another file's view of one (an
            // `ideviceinfo` dump) joins it.
            for d in devices.iter().filter(|d| d.udid != UNNAMED_PHONE) {
                s.probes.devices.push(DeviceObs {
                    udid: d.udid.clone(),
                    device_id: (d.device_id != 0).then_some(d.device_id),
                    connection: Some(MuxConnection::Usb),
                    ..phone()
                });
            }
            let address = MuxAddress {
                display: match &self.socket {
                    Some(path) => format!("unix:{path}"),
                    None => "the address its log does not name".into(),
                },
                ..Default::default()
            };
            s.probes.usbmuxd = Outcome::Ok {
                duration_ms: 0,
                value: MuxObs {
                    address,
                    buid: None,
                    devices,
                    quote: self.start.clone(),
                },
            };
        }
        if !self.events.is_empty() {
            s.probes.mux_events = Outcome::Ok {
                duration_ms: self.last_ms,
                value: ListenObs {
                    origin: ListenOrigin::Log,
                    window_ms: self.last_ms,
                    present_at_start: Vec::new(),
                    events: self.events,
                    ended_early: None,
                },
            };
        }
        s.probes.reported_errors = self.errors;
        s
    }

    /// What usbmuxd would list at the end of the log: the phones it added,
    /// and those the log ends before deciding about (found on USB, or in
    /// preflight), never the ones whose preflight failed.
    fn listed(&self) -> Vec<MuxDevice> {
        let mut out: Vec<MuxDevice> = self
            .mux
            .iter()
            .filter(|(_, e)| e.listed != Listed::PreflightFailed)
            .map(|(id, e)| MuxDevice {
                device_id: *id,
                udid: e.udid.clone().unwrap_or_else(|| UNNAMED_PHONE.into()),
                connection: MuxConnection::Usb,
                location_id: e.location,
                ..Default::default()
            })
            .collect();
        let taken: Vec<Option<u32>> = self.mux.values().map(|e| e.location).collect();
        for d in self.usb.values() {
            let loc = (u32::from(d.bus) << 16) | u32::from(d.address);
            if !taken.contains(&Some(loc)) {
                out.push(MuxDevice {
                    device_id: 0,
                    udid: d.udid.clone().unwrap_or_else(|| UNNAMED_PHONE.into()),
                    connection: MuxConnection::Usb,
                    product_id: Some(d.product_id),
                    location_id: Some(loc),
                    connection_speed: None,
                });
            }
        }
        out
    }
}

/// Lines usbmuxd prints that say nothing the rules use, but say the file is
/// usbmuxd's.
const KNOWN: &[&str] = &[
    "Creating socket",
    "Initializing USB",
    "Initialization complete",
    "Using libusb",
    "Registering for libusb hotplug events",
    "Could not get old configuration descriptor",
    "Setting configuration for device",
    "Changing configuration of device",
    "Found interface",
    "Found usbmux interface",
    "Got lang ID",
    "All 3 RX loops started",
    "Successfully dropped privileges",
    "New client on fd",
    "Client command in fd",
    "Disconnecting client",
    "client_device_remove",
    "Requesting current mode",
    "Skipping switch device",
    "Enabled exit on SIGUSR1",
    "Caught SIGUSR1",
    "Cannot find device entry while removing",
    "usb_init for linux",
    "device_init",
    "client_init",
];

/// usbmuxd's lines about transfers to a phone failing: the link or the
/// phone's USB side in trouble (`LIBUSB_ERROR_PIPE` is a broken pipe).
const LINK_TROUBLE: &[&str] = &[
    "TX transfer timed out",
    "TX transfer stalled",
    "TX transfer overflow",
    "RX transfer timed out",
    "RX transfer stalled",
    "RX transfer overflow",
    "Failed to submit TX",
    "Failed to submit RX",
    "Could not set configuration",
    "Could not get current configuration",
];

/// usbmuxd's lines about a client connection failing.
const CLIENT_TROUBLE: &[&str] = &[
    "ERROR: client_write:",
    "Sending to client fd",
    "Receive from client fd",
];

/// usbmuxd's own reading of the pair records it keeps (conf.c): an error
/// here means the record for that phone is unusable.
const PAIR_RECORD_TROUBLE: &[&str] = &["config_device_record_get_host_id:"];

/// `0x10018` → 0x10018.
fn location(s: &str) -> Option<u32> {
    let hex = s.trim().strip_prefix("0x")?;
    let hex = hex.split(|c: char| !c.is_ascii_hexdigit()).next()?;
    (!hex.is_empty() && hex.len() <= 8)
        .then(|| u32::from_str_radix(hex, 16).ok())
        .flatten()
}

fn number(s: &str) -> Option<u32> {
    let s = s.trim();
    (!s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `..., lockdown error -8` → -8.
fn lockdown_code(s: &str) -> Option<i64> {
    let (_, rest) = s.rsplit_once("lockdown error ")?;
    let n = rest
        .split(|c: char| c != '-' && !c.is_ascii_digit())
        .next()?;
    (n.len() <= 6).then(|| n.parse().ok()).flatten()
}

/// The UDID a preflight line names (`on device X`, `from device X`,
/// `Device X is`, `for device X`).
fn device_named(s: &str) -> Option<String> {
    let mut words = s.split_whitespace().peekable();
    while let Some(w) = words.next() {
        if w.eq_ignore_ascii_case("device") {
            if let Some(next) = words.peek() {
                let id = next.trim_end_matches([',', '.']);
                if id.len() >= 24
                    && id.len() <= 41
                    && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
                {
                    return Some(id.to_string());
                }
            }
        }
    }
    None
}

/// `1.1.1+git48.01c94c7`, `debian/1.0.8-5-dirty` → (1, 1, 1), (1, 0, 8).
fn version_triple(v: &str) -> Option<(u32, u32, u32)> {
    let start = v.find(|c: char| c.is_ascii_digit())?;
    let mut it = v.get(start..)?.split(|c: char| !c.is_ascii_digit());
    let mut n = || it.next().and_then(|p| p.parse::<u32>().ok());
    Some((n()?, n()?, n().unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleId;

    fn read(text: &str) -> Option<Snapshot> {
        import(&Capture::new("usbmuxd.log", text.as_bytes()))
    }

    const ERR8: &str = "[17:12:05.080][3] usbmuxd v1.1.1 starting up\n[17:12:05.080][4] Found new device with v/p 05ac:12a8 at 1-24\n[17:12:05.085][4] Using wMaxPacketSize=512 for device 1-24\n[17:12:05.089][4] Got serial '6c5c7bacb9bc97243d007486b6cb37dfd836909c' for device 1-24\n[17:12:05.089][3] Connecting to new device on location 0x10018 as ID 2\n[17:12:05.089][3] Connected to v2.0 device 2 on location 0x10018 with serial number 6c5c7bacb9bc97243d007486b6cb37dfd836909c\n[17:12:05.089][1] preflight_worker_handle_device_add: ERROR: Could not connect to lockdownd on device 6c5c7bacb9bc97243d007486b6cb37dfd836909c, lockdown error -8\n";

    #[test]
    fn a_failed_preflight_is_reported_and_keeps_the_phone_unlisted() {
        let s = read(ERR8).unwrap();
        let e = &s.probes.reported_errors[0];
        assert_eq!((e.tool.as_str(), e.code), ("usbmuxd", Some(-8)));
        assert_eq!(
            e.domain.as_deref(),
            Some("lockdownd"),
            "1.1.1 needs libimobiledevice 1.3"
        );
        assert_eq!(e.quote.line, 7);
        let usb = s.probes.usb.value().unwrap();
        assert_eq!(usb.devices[0].speed, Some(UsbSpeed::High));
        assert_eq!(
            usb.devices[0].udid.as_deref(),
            Some("6c5c7bacb9bc97243d007486b6cb37dfd836909c")
        );
        assert!(s.mux_devices().is_empty());
        let f = crate::rules::evaluate(&s);
        let listed = f
            .iter()
            .find(|f| f.id == RuleId::UsbmuxdDeviceNotListed)
            .unwrap();
        assert!(
            listed
                .quotes()
                .any(|q| q.line == 7 && q.text.starts_with("[17:12:05.089][1] preflight")),
            "{:?}",
            listed.evidence
        );
    }

    #[test]
    fn the_numbering_is_left_open_when_the_version_cannot_tell() {
        let s = read(&ERR8.replace("v1.1.1", "v1.1.0")).unwrap();
        assert_eq!(s.probes.reported_errors[0].domain, None);
        assert!(s.provenance.notes.unwrap().contains("without a numbering"));
        let s = read(&ERR8.lines().skip(1).collect::<Vec<_>>().join("\n")).unwrap();
        assert_eq!(s.probes.reported_errors[0].domain, None, "no version line");
        assert!(
            s.probes.usbmuxd.value().is_some(),
            "it shows the phone taken"
        );
        let s = read("usbmuxd v1.1.0 starting up\n[07:37:08.007][1] preflight_worker_handle_device_add: ERROR: Could not get lockdownd type from device 2fb56d556364fc4c8f16d01f89cf93717da8cb43, lockdown error -3\n").unwrap();
        assert_eq!(
            s.probes.reported_errors[0].domain.as_deref(),
            Some("lockdownd")
        );
    }

    #[test]
    fn journal_lines_add_and_remove_a_phone() {
        let j = "Mär 19 08:11:50 host usbmuxd[4297]: [08:11:50.128][3] Connecting to new device on location 0x10004 as ID 1\nMär 19 08:11:50 host usbmuxd[4297]: [08:11:50.214][3] Removed device 1 on location 0x10004\n";
        let s = read(j).unwrap();
        let ev = &s.probes.mux_events.value().unwrap().events;
        assert_eq!(ev.len(), 2);
        assert_eq!((ev[1].kind, ev[1].at_ms), (MuxEventKind::Detached, 86));
        let f = crate::rules::evaluate(&s);
        let u = f
            .iter()
            .find(|f| f.id == RuleId::ConnectionUnstable)
            .unwrap();
        assert!(
            u.quotes().any(|q| q.file == "usbmuxd.log" && q.line == 2),
            "{:?}",
            u.evidence
        );
    }

    #[test]
    fn trust_and_not_paired_are_reported_without_codes() {
        let s = read("[23:57:38.814][4] preflight_worker_handle_device_add: Device c28d82f1df2580e648ad0225461d5592b8558bf7 is not paired with this host.\n[13:23:46.665][4] preflight_worker_handle_device_add: Waiting for user to trust this computer on device 78bd29e6f395d2fc6489d2b68c36a45cfd7e8928\n").unwrap();
        assert_eq!(s.probes.reported_errors.len(), 2);
        assert!(s.probes.reported_errors.iter().all(|e| e.code.is_none()));
    }

    /// usbmuxd's preflight deleting a record the phone refused (an SSL
    /// error): its own clock, the journal's, quoted in a forum post.
    #[test]
    fn a_removed_pair_record_is_reported_in_every_shape() {
        let line = "preflight_worker_handle_device_add: The stored pair record for device 00008030-001A2B3C4D5E802E is invalid. Removing.";
        for text in [
            format!("[19:35:59.422][1] {line}\n"),
            format!("Dec  5 14:38:24 host usbmuxd[3292]: [1] {line}\n"),
            format!("> [19:35:59.422][1] {line}\n"),
            format!("    Mär 19 08:11:50 host usbmuxd[4297]: [08:11:50.128][1] {line}\n"),
        ] {
            let s = read(&text).unwrap_or_else(|| panic!("not read: {text}"));
            let e = &s.probes.reported_errors;
            assert_eq!(e.len(), 1, "{text}");
            assert!(e[0].message.contains("is invalid"), "{text}");
            assert_eq!(
                e[0].udid.as_deref(),
                Some("00008030-001A2B3C4D5E802E"),
                "{text}"
            );
        }
    }

    /// usbmuxd finding a pair record without a HostID (conf.c), in the
    /// shapes people paste it: its own clock, the journal's, quoted.
    #[test]
    fn a_pair_record_without_a_host_id_is_reported_in_every_shape() {
        let line = "config_device_record_get_host_id: ERROR couldn't get HostID from pairing record for udid bb4f9fb9049ea135f960943dcf20b33bc938d845";
        for text in [
            format!("[14:38:24.942][1] {line}\n"),
            format!("Dec  5 14:38:24 raspberrypi usbmuxd[3292]: [1] {line}\n"),
            format!("> Dec  5 14:38:24 pi usbmuxd[3292]: [14:38:24.942][1] {line}\n"),
            format!("  2026-12-05T14:38:24Z usbmuxd[1]: [14:38:24.942][1] {line}\n"),
        ] {
            let s = read(&text).unwrap_or_else(|| panic!("not read: {text}"));
            let e = &s.probes.reported_errors;
            assert_eq!(e.len(), 1, "{text}");
            assert!(e[0].message.contains("couldn't get HostID"), "{text}");
            let cause = crate::knowledge::explain_reported(&e[0]).and_then(|x| x.cause);
            assert_eq!(
                cause,
                Some(crate::rules::RuleId::TrustSessionFailed),
                "{text}"
            );
        }
    }

    #[test]
    fn a_crash_leaves_no_daemon_and_a_client_that_cannot_connect_says_so() {
        let s = read(&format!("{ERR8}Segmentation fault\n")).unwrap();
        let f = s.probes.usbmuxd.failure().unwrap();
        assert_eq!(
            f.quote.as_ref().map(|q| q.cite()).as_deref(),
            Some("usbmuxd.log:8: Segmentation fault")
        );
        let s = read("usbmuxd_get_device_list: error opening socket!\n").unwrap();
        assert_eq!(
            s.probes.usbmuxd.failure().unwrap().kind,
            FailureKind::NotFound
        );
        assert!(read("Segmentation fault\n").is_none());
    }

    #[test]
    fn hostile_input() {
        assert!(read("").is_none());
        assert!(read("hello\n[12:00:00.000][3] something else\n").is_none());
        let long = format!(
            "[12:00:00.000][3] Found new device with v/p 05ac:12a8 at {}\n",
            "1".repeat(100_000)
        );
        assert!(read(&long).unwrap().probes.usb.value().is_none());
        assert!(read("[16:45:15.526][4] Found new device with v/p 05ac:12a")
            .unwrap()
            .probes
            .usb
            .value()
            .is_none());
        let bin: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        assert!(import(&Capture::new("b", &bin)).is_none());
        let flap = "[23:59:59.900][3] Connecting to new device on location 0x10004 as ID 1\n[00:00:00.100][3] Removed device 1 on location 0x10004\n".repeat(2_000);
        let s = read(&flap).unwrap();
        let ev = &s.probes.mux_events.value().unwrap().events;
        assert_eq!(ev.len(), MAX_EVENTS);
        assert!(
            ev.windows(2).all(|w| w[0].at_ms <= w[1].at_ms),
            "time only grows"
        );
        assert_eq!(lockdown_code("lockdown error -99999999999"), None);
        assert_eq!(version_triple("vdebian/1.0.8-5-dirty"), Some((1, 0, 8)));
        assert_eq!(version_triple("x"), None);
    }

    #[test]
    fn usb_side_errors_are_read() {
        let s = read("[1:00:00.000][4] Found new device with v/p 05ac:12a8 at 1-4\n[01:00:00.001][2] Could not open device 1-4: LIBUSB_ERROR_ACCESS\n[01:00:00.002][1] Failed to submit TX transfer 0x1 len 16 to device 1-4: LIBUSB_ERROR_PIPE\n").unwrap();
        let d = &s.probes.usb.value().unwrap().devices[0];
        assert!(
            matches!(&d.access, UsbAccess::Denied { message } if message.starts_with("usbmuxd.log:2:"))
        );
        assert_eq!(s.probes.reported_errors.len(), 2);
        assert_eq!(s.probes.reported_errors[1].domain, None);
        let s = read("[01:00:00.000][0] bind() failed: Address already in use\n[01:00:00.001][1] ERROR: client_write: sending to fd 12 failed: Broken pipe\n").unwrap();
        assert_eq!(s.probes.reported_errors.len(), 2);
    }
}
