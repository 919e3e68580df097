//! The simulated world at run time: which phones are attached under which DeviceID, the
//! trust each phone has, started services, session ids, and the event feed for `Listen`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{broadcast, watch};

use crate::audit::Audit;
use crate::pair_record::{stable_uuid, PairMaterial};
use crate::scenario::{ConnectionKind, Device, Scenario};

/// How long a connection may stay silent between requests.
pub const IDLE: Duration = Duration::from_secs(120);
/// How long the rest of a started message may take.
pub const BODY: Duration = Duration::from_secs(10);
/// Deadline for a TLS handshake.
pub const HANDSHAKE: Duration = Duration::from_secs(10);

/// A service a client may connect to after `StartService`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceKind {
    MobileBackup2,
    DiagnosticsRelay,
    SyslogRelay,
}

/// A plug event for `Listen` clients.
#[derive(Debug, Clone, Copy)]
pub enum MuxEvent {
    Attached { device_id: u32, index: usize },
    Detached { device_id: u32 },
}

/// Run-time state of one scenario device.
pub struct Slot {
    pub device_id: u32,
    pub attached: bool,
    pub present: watch::Sender<bool>,
    pub material: Arc<PairMaterial>,
    /// usbmuxd still has the pair record (changes on DeletePairRecord / SavePairRecord).
    pub host_record: bool,
    /// The phone still knows the record's HostID.
    pub knows_host: bool,
    /// A HostID the phone accepted through a successful `Pair` during this run.
    pub accepted_host: Option<String>,
    /// A record a client stored with `SavePairRecord` (served back by `ReadPairRecord`).
    pub saved_record: Option<Vec<u8>>,
}

/// What a connection handler needs to know about its device.
#[derive(Clone)]
pub struct DeviceView {
    pub index: usize,
    pub device_id: u32,
    pub device: Device,
    pub material: Arc<PairMaterial>,
    pub present: watch::Receiver<bool>,
}

pub struct Shared {
    pub scenario: Scenario,
    pub audit: Audit,
    pub buid: String,
    pub reply_delay: Duration,
    slots: Mutex<Vec<Slot>>,
    next_device_id: AtomicU32,
    pub events: broadcast::Sender<MuxEvent>,
    services: Mutex<HashMap<(u32, u16), ServiceKind>>,
    next_port: AtomicU32,
    session_ids: Mutex<Vec<String>>,
    session_counter: AtomicU64,
    pub panics: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(scenario: Scenario, audit: Audit, materials: Vec<Arc<PairMaterial>>) -> Shared {
        let slots = scenario
            .devices
            .iter()
            .zip(materials)
            .enumerate()
            .map(|(i, (d, material))| Slot {
                device_id: i as u32 + 1,
                attached: true,
                present: watch::channel(true).0,
                material,
                host_record: d.trust.host_has_pair_record,
                knows_host: d.trust.device_knows_host,
                accepted_host: None,
                saved_record: None,
            })
            .collect::<Vec<_>>();
        let n = slots.len() as u32;
        let buid = scenario
            .daemon
            .buid
            .clone()
            .unwrap_or_else(|| stable_uuid(&format!("{}/SystemBUID", scenario.name)));
        Shared {
            reply_delay: Duration::from_millis(scenario.daemon.reply_delay_ms),
            scenario,
            audit,
            buid,
            slots: Mutex::new(slots),
            next_device_id: AtomicU32::new(n + 1),
            events: broadcast::channel(64).0,
            services: Mutex::new(HashMap::new()),
            next_port: AtomicU32::new(0),
            session_ids: Mutex::new(Vec::new()),
            session_counter: AtomicU64::new(0),
            panics: AtomicUsize::new(0),
        }
    }

    /// (DeviceID, scenario index) of every attached device, in scenario order.
    pub fn attached(&self) -> Vec<(u32, usize)> {
        lock(&self.slots)
            .iter()
            .enumerate()
            .filter(|(_, s)| s.attached)
            .map(|(i, s)| (s.device_id, i))
            .collect()
    }

    /// The attached device with this DeviceID.
    pub fn view_by_id(&self, device_id: u32) -> Option<DeviceView> {
        let slots = lock(&self.slots);
        let (i, s) = slots
            .iter()
            .enumerate()
            .find(|(_, s)| s.attached && s.device_id == device_id)?;
        Some(DeviceView {
            index: i,
            device_id,
            device: self.scenario.devices[i].clone(),
            material: s.material.clone(),
            present: s.present.subscribe(),
        })
    }

    fn index_of(&self, udid: &str) -> Option<usize> {
        let undashed = self.scenario.daemon.undashed_serials;
        self.scenario
            .devices
            .iter()
            .position(|d| d.udid == udid || (undashed && d.udid.replace('-', "") == udid))
    }

    /// The pair record usbmuxd would hand out for this UDID (attached or not).
    pub fn pair_record(&self, udid: &str) -> Option<Vec<u8>> {
        let i = self.index_of(udid)?;
        let slots = lock(&self.slots);
        let s = &slots[i];
        if !s.host_record {
            return None;
        }
        Some(
            s.saved_record
                .clone()
                .unwrap_or_else(|| s.material.pair_record_plist()),
        )
    }

    /// `SavePairRecord` (`Some`) or `DeletePairRecord` (`None`). False for an unknown UDID.
    pub fn store_record(&self, udid: &str, record: Option<Vec<u8>>) -> bool {
        match self.index_of(udid) {
            Some(i) => {
                let mut slots = lock(&self.slots);
                slots[i].host_record = record.is_some();
                slots[i].saved_record = record;
                true
            }
            None => false,
        }
    }

    /// Does the phone at `index` accept this HostID for a session?
    pub fn knows_host(&self, index: usize, host_id: &str) -> bool {
        let slots = lock(&self.slots);
        let s = &slots[index];
        (s.knows_host && host_id == s.material.host_id)
            || s.accepted_host.as_deref() == Some(host_id)
    }

    pub fn accept_host(&self, index: usize, host_id: &str) {
        lock(&self.slots)[index].accepted_host = Some(host_id.to_string());
    }

    /// Unplugs a device: `Detached` to listeners, its connections closed.
    pub fn detach(&self, udid: &str) -> bool {
        let Some(i) = self.index_of(udid) else {
            return false;
        };
        let mut slots = lock(&self.slots);
        let s = &mut slots[i];
        if !s.attached {
            return false;
        }
        s.attached = false;
        let _ = s.present.send(false);
        let device_id = s.device_id;
        drop(slots);
        lock(&self.services).retain(|(d, _), _| *d != device_id);
        let _ = self.events.send(MuxEvent::Detached { device_id });
        true
    }

    /// Plugs a detached device back in under a new DeviceID.
    pub fn attach(&self, udid: &str) -> bool {
        let Some(i) = self.index_of(udid) else {
            return false;
        };
        let mut slots = lock(&self.slots);
        let s = &mut slots[i];
        if s.attached {
            return false;
        }
        s.attached = true;
        s.device_id = self.next_device_id.fetch_add(1, Ordering::SeqCst);
        s.present = watch::channel(true).0;
        let device_id = s.device_id;
        drop(slots);
        let _ = self.events.send(MuxEvent::Attached {
            device_id,
            index: i,
        });
        true
    }

    /// The `Properties` dictionary of a device as usbmuxd lists it.
    pub fn properties(&self, index: usize, device_id: u32) -> plist::Dictionary {
        let d = &self.scenario.devices[index];
        let mut p = plist::Dictionary::new();
        match d.connection {
            ConnectionKind::Usb => {
                p.insert(
                    "ConnectionSpeed".into(),
                    plist::Value::Integer(d.speed.into()),
                );
                p.insert("ConnectionType".into(), "USB".into());
                p.insert("DeviceID".into(), plist::Value::Integer(device_id.into()));
                p.insert(
                    "LocationID".into(),
                    plist::Value::Integer(d.location_id.into()),
                );
                p.insert(
                    "ProductID".into(),
                    plist::Value::Integer(u64::from(d.product_id).into()),
                );
            }
            ConnectionKind::Network => {
                let mac = lock(&self.slots)[index].material.wifi_mac.clone();
                p.insert("ConnectionType".into(), "Network".into());
                p.insert("DeviceID".into(), plist::Value::Integer(device_id.into()));
                p.insert(
                    "EscapedFullServiceName".into(),
                    format!("{mac}@fe80::1._apple-mobdev2._tcp.local.").into(),
                );
                p.insert("InterfaceIndex".into(), plist::Value::Integer(2u64.into()));
                p.insert(
                    "NetworkAddress".into(),
                    plist::Value::Data(sockaddr_in(d.network_address.as_deref())),
                );
            }
        }
        let serial = if self.scenario.daemon.undashed_serials {
            d.udid.replace('-', "")
        } else {
            d.udid.clone()
        };
        p.insert("SerialNumber".into(), serial.into());
        p
    }

    /// Allocates a port for a started service.
    pub fn register_service(&self, device_id: u32, kind: ServiceKind) -> u16 {
        let port = 49152 + (self.next_port.fetch_add(1, Ordering::SeqCst) % 16000) as u16;
        lock(&self.services).insert((device_id, port), kind);
        port
    }

    /// Claims a started service (one connection per `StartService`, as on the phone).
    pub fn take_service(&self, device_id: u32, port: u16) -> Option<ServiceKind> {
        lock(&self.services).remove(&(device_id, port))
    }

    pub fn new_session_id(&self) -> String {
        let n = self.session_counter.fetch_add(1, Ordering::SeqCst);
        let id = stable_uuid(&format!("{}/session/{n}", self.scenario.name));
        lock(&self.session_ids).push(id.clone());
        id
    }

    pub fn session_ids(&self) -> Vec<String> {
        lock(&self.session_ids).clone()
    }

    /// Secret strings of records clients stored with `SavePairRecord` (their own keys).
    pub fn saved_record_secrets(&self) -> Vec<String> {
        use base64::Engine as _;
        let mut out = Vec::new();
        for s in lock(&self.slots).iter() {
            let Some(rec) = &s.saved_record else { continue };
            let Ok(d) = plist::from_bytes::<plist::Dictionary>(rec) else {
                continue;
            };
            for k in [
                "HostPrivateKey",
                "RootPrivateKey",
                "HostCertificate",
                "RootCertificate",
                "DeviceCertificate",
            ] {
                if let Some(text) = d
                    .get(k)
                    .and_then(|v| v.as_data())
                    .and_then(|b| std::str::from_utf8(b).ok())
                {
                    out.push(text.to_string());
                    out.push(crate::pair_record::pem_body(text));
                }
            }
            if let Some(bag) = d.get("EscrowBag").and_then(|v| v.as_data()) {
                out.push(base64::engine::general_purpose::STANDARD.encode(bag));
            }
        }
        out
    }

    pub fn materials(&self) -> Vec<Arc<PairMaterial>> {
        lock(&self.slots)
            .iter()
            .map(|s| s.material.clone())
            .collect()
    }

    /// Waits the scenario's reply delay.
    pub async fn delay(&self) {
        if !self.reply_delay.is_zero() {
            tokio::time::sleep(self.reply_delay).await;
        }
    }
}

/// A Linux `sockaddr_in` (family 2 little-endian, port 0, address, zero padding), the form
/// usbmuxd puts in `NetworkAddress`.
fn sockaddr_in(addr: Option<&str>) -> Vec<u8> {
    let ip: std::net::Ipv4Addr = addr
        .and_then(|a| a.parse().ok())
        .unwrap_or(std::net::Ipv4Addr::new(192, 168, 1, 2));
    let mut out = vec![0x02, 0x00, 0x00, 0x00];
    out.extend_from_slice(&ip.octets());
    out.extend_from_slice(&[0u8; 8]);
    out
}
