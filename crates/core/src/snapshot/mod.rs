//! The complete record of what the probes saw.
//!
//! A snapshot is plain data: the rules read nothing else, so a snapshot written
//! by `record` and read back by `diagnose --from` gives the same diagnosis
//! without the hardware. Fixtures in `fixtures/` are snapshots.

mod backup_log;
mod backups;
mod device;
mod device_index;
mod host;
mod link;
mod listen;
mod listen_history;
mod load;
mod lockdown_dir;
mod lockdown_keys;
mod other_tools;
mod outcome;
pub mod redact;
mod trust;
mod udid;
mod usb;
mod usb_serial;
mod usbmuxd;
mod windows;

use serde::{Deserialize, Serialize};

pub use backup_log::*;
pub use backups::*;
pub use device::*;
pub use host::*;
pub use link::*;
pub use listen::*;
pub use listen_history::{histories, History};
pub use load::{looks_like_snapshot, parse as parse_snapshot_bytes, parse_snapshot, ParseError};
pub use lockdown_dir::{Access, Account, FileMode, LockdownDirObs, LockdownFile};
pub use lockdown_keys::lockdown_flag;
pub use other_tools::{Quote, ReportedError};
pub use outcome::{Failure, FailureKind, Outcome};
pub use trust::TrustState;
pub use udid::{same_udid, udid_key, udid_spellings};
pub use usb::*;
pub use usb_serial::*;
pub use usbmuxd::*;
pub use windows::*;

/// The snapshot format version. Bump it when a field changes meaning; adding
/// a field does not.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub schema_version: u32,
    /// The tool version that took it.
    pub tool_version: String,
    /// When it was taken (RFC 3339, UTC); absent in hand-built fixtures.
    #[serde(default)]
    pub captured_at: Option<String>,
    pub provenance: Provenance,
    #[serde(default)]
    pub options: ProbeOptions,
    /// True when Ctrl-C cut the probing short.
    #[serde(default)]
    pub interrupted: bool,
    /// What of the `--from` input was not read (a stream past its cap, or
    /// cut by the deadline): the report says so, since what it did not
    /// read it cannot vouch for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_cut: Option<String>,
    pub probes: Probes,
    /// [`Snapshot::device`]'s lookup, built on first use (not data).
    #[serde(skip)]
    device_index: device_index::DeviceIndex,
}

/// Where a snapshot came from, so a fixture says whose reality it records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub kind: ProvenanceKind,
    /// A `shared/realdata/` file, an issue, or a described situation.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// True once identifiers were masked (`--redact`, `record`).
    #[serde(default)]
    pub redacted: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProvenanceKind {
    /// Probed just now on this machine.
    #[default]
    Live,
    /// Written by `record` on a real machine.
    Recorded,
    /// Written by hand to describe a situation.
    HandBuilt,
    /// Built from captured values (see `source`).
    Derived,
    /// Read from another tool's output by an importer (`diagnose --from`).
    Imported,
}

/// The options the probes ran with; they shape what the rules may conclude.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProbeOptions {
    #[serde(default)]
    pub udid: Option<String>,
    #[serde(default)]
    pub timeout_ms: u64,
    /// `--request-trust` was given: `Pair` may have been sent.
    #[serde(default)]
    pub request_trust: bool,
    /// `--deep`: every file of the last backup was checked.
    #[serde(default)]
    pub deep: bool,
}

/// One outcome per probe. Per-phone probes live under `devices`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Probes {
    pub usb: Outcome<UsbObs>,
    pub usbmuxd: Outcome<MuxObs>,
    /// Where usbmuxd was looked for, recorded whatever the outcome.
    #[serde(default)]
    pub usbmuxd_address: Option<MuxAddress>,
    #[serde(default)]
    pub devices: Vec<DeviceObs>,
    pub host: Outcome<HostObs>,
    pub backups: Outcome<BackupsObs>,
    /// usbmuxd's `Listen` feed while the other probes ran: phones that
    /// dropped off or re-enumerated during the check. Absent in snapshots
    /// written before it existed.
    #[serde(default)]
    pub mux_events: Outcome<ListenObs>,
    /// Windows only: Apple Mobile Device Service as the Service Control
    /// Manager reports it, and the Apple software installed. Absent on other
    /// systems and in snapshots written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub windows: Option<Outcome<WindowsHostObs>>,
    /// Errors other tools reported, read from their output by `--from`
    /// (never filled by a live probe).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reported_errors: Vec<ReportedError>,
    /// USB link events a kernel log recorded (connects, disconnects,
    /// resets), read by `--from`; never filled by a live probe.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub link_events: Vec<LinkEvent>,
}

impl Snapshot {
    /// An empty snapshot of this tool version, every probe `Skipped`.
    pub fn new(provenance: Provenance) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            captured_at: None,
            provenance,
            options: ProbeOptions::default(),
            interrupted: false,
            input_cut: None,
            probes: Probes::default(),
            device_index: Default::default(),
        }
    }

    /// The host observation, when the host probe ran.
    pub fn host(&self) -> Option<&HostObs> {
        self.probes.host.value()
    }

    /// The host OS family, `Other` when unknown.
    pub fn os_family(&self) -> OsFamily {
        self.host().map(|h| h.os.family).unwrap_or_default()
    }

    /// usbmuxd's device list, when the daemon answered.
    pub fn mux_devices(&self) -> &[MuxDevice] {
        self.probes
            .usbmuxd
            .value()
            .map(|m| m.devices.as_slice())
            .unwrap_or(&[])
    }

    /// What Windows said about Apple Mobile Device Service and the Apple
    /// software, when the snapshot was taken on Windows.
    pub fn windows(&self) -> Option<&WindowsHostObs> {
        self.probes.windows.as_ref().and_then(Outcome::value)
    }

    /// The probed phone with this UDID, in any spelling.
    pub fn device(&self, udid: &str) -> Option<&DeviceObs> {
        self.device_index.find(&self.probes.devices, udid)
    }

    /// The phones whose lockdownd answered, with what it said: most device
    /// and trust rules read only these.
    pub fn answered_phones(&self) -> impl Iterator<Item = (&DeviceObs, &LockdownObs)> {
        self.probes
            .devices
            .iter()
            .filter_map(|d| d.lockdown().map(|l| (d, l)))
    }
}
