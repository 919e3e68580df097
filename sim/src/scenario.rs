//! Scenario files: what the simulated daemon and phones look like and how they behave.
//!
//! A scenario is a JSON file in `sim/scenarios/`. Every value a real phone would report
//! (ProductType, ProductVersion, domain keys, error strings) is taken from a capture in
//! `../shared/realdata/` and the file says which one in its `source` field.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Errors while loading a scenario file.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid scenario {path}: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("invalid scenario {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// A complete simulated world: one usbmuxd daemon and the phones it sees.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name, equal to the file stem (`healthy` for `scenarios/healthy.json`).
    pub name: String,
    /// What the scenario reproduces.
    #[serde(default)]
    pub description: String,
    /// Where the values came from (files in `../shared/realdata/`), and which were invented.
    pub source: String,
    /// Behaviour of the usbmuxd daemon itself.
    #[serde(default)]
    pub daemon: Daemon,
    /// The phones attached when the simulator starts (possibly none).
    #[serde(default)]
    pub devices: Vec<Device>,
}

/// The usbmuxd side of a scenario.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Daemon {
    /// `ReadBUID` answer; derived from the scenario name when absent.
    #[serde(default)]
    pub buid: Option<String>,
    /// A fault the daemon shows instead of answering normally.
    #[serde(default)]
    pub fault: Option<Fault>,
    /// Delay before every reply (usbmuxd and lockdownd), in milliseconds.
    #[serde(default)]
    pub reply_delay_ms: u64,
    /// List new-style UDIDs without their dash, as Apple's usbmuxd on macOS
    /// and Windows does (lockdownd's UniqueDeviceID keeps it); the daemon
    /// then finds a pair record by either spelling.
    #[serde(default)]
    pub undashed_serials: bool,
}

/// Daemon-level faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// Accepts connections and reads requests, never answers.
    Hang,
    /// Answers with a well-formed usbmux header whose payload is not a plist.
    GarbagePayload,
    /// Answers with plain text (as if another program owned the socket), then closes.
    RawText,
    /// Answers with a header claiming 0xFFFFFFF0 bytes.
    HugeLength,
    /// Answers with a header and part of the payload, then closes.
    CloseMidMessage,
}

/// How a device is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ConnectionKind {
    #[default]
    #[serde(rename = "USB")]
    Usb,
    #[serde(rename = "Network")]
    Network,
}

/// One simulated phone.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// UDID (usbmuxd `SerialNumber`, lockdownd `UniqueDeviceID`).
    pub udid: String,
    #[serde(default)]
    pub connection: ConnectionKind,
    /// USB product id (normal mode phones are 0x1290..0x12af; 0x12a8 = 4776 is most iPhones).
    #[serde(default = "default_product_id")]
    pub product_id: u16,
    #[serde(default = "default_location_id")]
    pub location_id: u32,
    /// `ConnectionSpeed` in bit/s (usbmuxd says 480000000 when it does not know).
    #[serde(default = "default_speed")]
    pub speed: u64,
    /// IPv4 address for Network devices.
    #[serde(default)]
    pub network_address: Option<String>,
    /// Is lockdownd listening on port 62078? `false` mimics recovery-style absence.
    #[serde(default = "yes")]
    pub lockdownd: bool,
    /// Root-domain lockdown values (`ProductType`, `ProductVersion`, ...).
    #[serde(default)]
    pub values: serde_json::Map<String, serde_json::Value>,
    /// Other lockdown domains (`com.apple.mobile.backup`, `com.apple.disk_usage`, ...).
    #[serde(default)]
    pub domains: BTreeMap<String, serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub trust: Trust,
    #[serde(default)]
    pub services: Services,
    /// Scripted plug/unplug events.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Unplug the phone (Detached, connections closed) when lockdownd receives this request.
    #[serde(default)]
    pub unplug_on_request: Option<String>,
    /// Answer `StartSession` but then fail the TLS handshake with a fatal alert.
    #[serde(default)]
    pub tls_fault: bool,
    /// Answer `StartSession`, then close the connection at the TLS handshake
    /// without an alert: a phone that no longer accepts this computer's
    /// certificate (usbmuxd's preflight then removes the record).
    #[serde(default)]
    pub tls_close: bool,
}

/// What the phone answers to `Pair`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairResponse {
    /// The Trust dialog is on screen, nobody answered (`PairingDialogResponsePending`).
    #[default]
    Pending,
    /// "Don't Trust" was tapped (`UserDeniedPairing`).
    Denied,
    /// The phone is locked (`PasswordProtected`).
    PasswordProtected,
    /// The user tapped Trust: the only case where `Pair` succeeds.
    Accept,
}

/// The trust relationship between this computer and the phone.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trust {
    /// usbmuxd has a pair record for the phone (`ReadPairRecord` succeeds).
    #[serde(default = "yes")]
    pub host_has_pair_record: bool,
    /// The phone still knows the record's HostID (`false` = trust reset on the phone).
    #[serde(default = "yes")]
    pub device_knows_host: bool,
    #[serde(default)]
    pub pair_response: PairResponse,
    /// Refuse every `StartSession` with this lockdown error string.
    #[serde(default)]
    pub start_session_error: Option<String>,
}

impl Default for Trust {
    fn default() -> Self {
        Trust {
            host_has_pair_record: true,
            device_knows_host: true,
            pair_response: PairResponse::Pending,
            start_session_error: None,
        }
    }
}

/// Lockdown services.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Services {
    /// `EnableServiceSSL` in `StartService` answers.
    #[serde(default)]
    pub service_ssl: bool,
    #[serde(default)]
    pub mobilebackup2: MobileBackup2,
    /// The `AppleSmartBattery` IORegistry entry `diagnostics_relay` returns.
    #[serde(default)]
    pub battery_ioreg: serde_json::Map<String, serde_json::Value>,
    /// What `com.apple.syslog_relay` sends each connection, in order: each
    /// line after its delay. After the last the relay stays open and quiet.
    #[serde(default)]
    pub syslog: Vec<SyslogLine>,
}

/// One message of the phone's log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyslogLine {
    /// Milliseconds after the previous line (or the connection).
    #[serde(default)]
    pub after_ms: u64,
    /// The message as the phone writes it ("Nov 30 05:33:32 iPhone BackupAgent2[4308] <Notice>: …").
    pub line: String,
}

/// The `com.apple.mobilebackup2` handshake.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MobileBackup2 {
    /// Refuse `StartService` for mobilebackup2 with this lockdown error string.
    #[serde(default)]
    pub start_service_error: Option<String>,
    /// DeviceLink major version sent in `DLMessageVersionExchange`.
    #[serde(default = "default_dl_version")]
    pub device_link_version: u64,
    /// `ErrorCode` of the answer to `Hello` (0 = accepted).
    #[serde(default)]
    pub hello_error_code: u64,
    /// `ProtocolVersion` of the answer to `Hello`.
    #[serde(default = "default_mb2_version")]
    pub protocol_version: f64,
}

impl Default for MobileBackup2 {
    fn default() -> Self {
        MobileBackup2 {
            start_service_error: None,
            device_link_version: default_dl_version(),
            hello_error_code: 0,
            protocol_version: default_mb2_version(),
        }
    }
}

/// A scripted event.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Milliseconds after the simulator started.
    pub after_ms: u64,
    pub action: EventAction,
}

/// What a scripted event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventAction {
    /// The phone is unplugged: `Detached`, open connections to it are closed.
    Detach,
    /// The phone comes back with a new DeviceID: `Attached`.
    Attach,
}

fn yes() -> bool {
    true
}
fn default_product_id() -> u16 {
    0x12a8
}
fn default_location_id() -> u32 {
    0x0014_0000
}
fn default_speed() -> u64 {
    480_000_000
}
fn default_dl_version() -> u64 {
    400
}
fn default_mb2_version() -> f64 {
    2.1
}

impl Scenario {
    /// The folder holding the bundled scenario files.
    pub fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
    }

    /// Loads a scenario from a JSON file.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let scenario: Scenario =
            serde_json::from_str(&text).map_err(|source| ScenarioError::Json {
                path: path.to_path_buf(),
                source,
            })?;
        scenario
            .validate()
            .map_err(|message| ScenarioError::Invalid {
                path: path.to_path_buf(),
                message,
            })?;
        Ok(scenario)
    }

    /// Loads a bundled scenario by name (`Scenario::by_name("healthy")`).
    pub fn by_name(name: &str) -> Result<Scenario, ScenarioError> {
        Scenario::load(Scenario::dir().join(format!("{name}.json")))
    }

    /// Names of all bundled scenarios, sorted.
    pub fn bundled_names() -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(Scenario::dir())
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let p = e.path();
                        (p.extension()? == "json")
                            .then(|| p.file_stem()?.to_str().map(str::to_string))?
                    })
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// The device with this UDID.
    pub fn device(&self, udid: &str) -> Option<&Device> {
        self.devices.iter().find(|d| d.udid == udid)
    }

    fn validate(&self) -> Result<(), String> {
        if self.source.trim().is_empty() {
            return Err("the \"source\" field must say where the values came from".into());
        }
        let mut seen = std::collections::HashSet::new();
        for d in &self.devices {
            if d.udid.is_empty() || !seen.insert(d.udid.as_str()) {
                return Err(format!("empty or duplicate udid {:?}", d.udid));
            }
            if d.connection == ConnectionKind::Network {
                let ok = d
                    .network_address
                    .as_deref()
                    .and_then(|a| a.parse::<std::net::Ipv4Addr>().ok())
                    .is_some();
                if !ok {
                    return Err(format!(
                        "{}: Network devices need an IPv4 network_address",
                        d.udid
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Device {
    /// A root-domain value as a string, if present.
    pub fn value_str(&self, key: &str) -> Option<&str> {
        self.values.get(key).and_then(|v| v.as_str())
    }
}

/// Converts a scenario JSON value to a plist value.
///
/// Integers stay integers, fractional numbers become reals, and an object of the form
/// `{"$data": "<base64>"}` becomes `<data>`.
pub fn json_to_plist(v: &serde_json::Value) -> plist::Value {
    use base64::Engine as _;
    match v {
        serde_json::Value::Null => plist::Value::String(String::new()),
        serde_json::Value::Bool(b) => plist::Value::Boolean(*b),
        serde_json::Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                plist::Value::Integer(u.into())
            } else if let Some(i) = n.as_i64() {
                plist::Value::Integer(i.into())
            } else {
                plist::Value::Real(n.as_f64().unwrap_or(0.0))
            }
        }
        serde_json::Value::String(s) => plist::Value::String(s.clone()),
        serde_json::Value::Array(a) => plist::Value::Array(a.iter().map(json_to_plist).collect()),
        serde_json::Value::Object(o) => {
            if o.len() == 1 {
                if let Some(serde_json::Value::String(b64)) = o.get("$data") {
                    if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64) {
                        return plist::Value::Data(bytes);
                    }
                }
            }
            plist::Value::Dictionary(map_to_dict(o))
        }
    }
}

/// Converts a JSON object to a plist dictionary.
pub fn map_to_dict(o: &serde_json::Map<String, serde_json::Value>) -> plist::Dictionary {
    o.iter()
        .map(|(k, v)| (k.clone(), json_to_plist(v)))
        .collect()
}
