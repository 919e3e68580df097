//! What the per-phone probes saw: pairing record, lockdownd and the backup
//! service, for one phone that usbmuxd listed.
//!
//! Nothing here ever holds a key, a certificate, an escrow bag or a session
//! id: the probes keep those in memory and drop them at the end of the run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{BackupLogObs, Failure, MuxConnection, Outcome, Quote};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceObs {
    pub udid: String,
    /// usbmuxd's DeviceID when the device stage started.
    #[serde(default)]
    pub device_id: Option<u32>,
    /// How usbmuxd listed the phone when the device stage started.
    #[serde(default)]
    pub connection: Option<MuxConnection>,
    pub pairing: Outcome<PairingObs>,
    pub lockdown: Outcome<LockdownObs>,
    pub backup_service: Outcome<BackupServiceObs>,
    /// usbmuxd's device list read again after the per-phone probes.
    #[serde(default)]
    pub presence: Outcome<PresenceObs>,
    /// What the phone's backup agent logged (`watch`, or a pasted
    /// `idevicesyslog` capture). Absent when nobody read the log, and in
    /// snapshots written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_log: Option<Outcome<BackupLogObs>>,
}

/// The host's pair record for this phone. Never holds keys or certificates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PairingObs {
    /// Present when usbmuxd or the lockdown folder has a usable record.
    pub record: PairRecordState,
    /// Where the record used for the session came from.
    #[serde(default)]
    pub source: Option<PairRecordSource>,
    /// usbmuxd's answer to `ReadPairRecord`.
    #[serde(default)]
    pub usbmuxd: Option<RecordLookup>,
    /// The host lockdown folder's `<UDID>.plist`.
    #[serde(default)]
    pub folder: Option<RecordLookup>,
    pub host_id: Option<String>,
    pub system_buid: Option<String>,
    /// Fields a session needs that the record lacks (names only).
    #[serde(default)]
    pub missing_fields: Vec<String>,
    /// Whether this tool's TLS code (idevice) could load the record's keys
    /// and certificates. A record it cannot load may still work for Finder,
    /// iTunes or idevicebackup2 (they use other fields and libraries).
    #[serde(default)]
    pub usable_here: Option<bool>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PairRecordState {
    Present,
    #[default]
    Absent,
    Unreadable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PairRecordSource {
    Usbmuxd,
    LockdownFolder,
}

/// One place a pair record was looked for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordLookup {
    /// The file, for the lockdown folder; None for usbmuxd.
    #[serde(default)]
    pub path: Option<String>,
    pub state: PairRecordState,
    /// Why it is absent or unreadable (never record contents).
    #[serde(default)]
    pub detail: Option<String>,
}

/// What lockdownd said, before and after a session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LockdownObs {
    /// The `QueryType` answer (`com.apple.mobile.lockdown`).
    #[serde(default)]
    pub query_type: Option<String>,
    /// `ActivationState` ("Activated", "Unactivated", ...), read in the session.
    #[serde(default)]
    pub activation_state: Option<String>,
    /// The oldest host software the phone accepts, as it states it in domain
    /// `com.apple.mobile.iTunes` (readable even before a session).
    #[serde(default)]
    pub host_minimums: Option<HostMinimums>,
    /// `SetupDone` from domain `com.apple.purplebuddy`: false while the phone
    /// is still in Setup Assistant.
    #[serde(default)]
    pub setup_done: Option<bool>,
    pub product_type: Option<String>,
    pub product_version: Option<String>,
    pub build_version: Option<String>,
    pub device_class: Option<String>,
    #[serde(default)]
    pub device_name: Option<String>,
    /// The `StartSession` outcome.
    #[serde(default)]
    pub session: SessionObs,
    /// `PasswordProtected` read in the session: true means locked right now.
    #[serde(default)]
    pub password_protected: Option<bool>,
    #[serde(default)]
    pub backup: Option<BackupDomain>,
    #[serde(default)]
    pub disk_usage: Option<DiskUsage>,
    #[serde(default)]
    pub battery: Option<Battery>,
    #[serde(default)]
    pub management: Option<Management>,
    /// What the phone answered to `Pair` under `--request-trust`.
    #[serde(default)]
    pub pair_request: Option<PairRequestObs>,
    /// Values or domains the phone would not give ("com.apple.mobile.battery: MissingValue").
    #[serde(default)]
    pub unreadable: Vec<String>,
    /// The conversation broke off here; everything above was seen before.
    #[serde(default)]
    pub aborted: Option<Failure>,
    /// Whether `StartService` for the backup service carried the pair
    /// record's escrow bag (its presence only; the bag never leaves memory).
    /// None when the service was not asked for.
    #[serde(default)]
    pub escrow_bag_sent: Option<bool>,
    /// How long each lockdownd request took to be answered, in order, in
    /// milliseconds: a phone answers in a few; hundreds mean a struggling
    /// link or host.
    #[serde(default)]
    pub reply_ms: Vec<u64>,
    /// Imported values only: the line each lockdown key (`ActivationState`)
    /// was read from, so a finding can quote it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub quotes: BTreeMap<String, Quote>,
}

impl LockdownObs {
    /// Where `key`'s value was read, when it came from a file.
    pub fn quote(&self, key: &str) -> Option<&Quote> {
        self.quotes.get(key)
    }
}

/// `MinMacOSVersion` and `MinITunesVersion` from `com.apple.mobile.iTunes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostMinimums {
    pub min_macos: Option<String>,
    pub min_itunes: Option<String>,
}

/// `QueryType`'s answer from lockdownd when the phone runs iOS normally (in
/// restore mode `restored` answers on the same port with another type).
pub const LOCKDOWN_NORMAL_MODE: &str = "com.apple.mobile.lockdown";

/// `StartSession` with the host's pair record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum SessionObs {
    /// Not tried (no pair record, or the connection broke first).
    #[default]
    NotAttempted,
    /// The phone accepted the record and the TLS session came up.
    Trusted,
    /// The phone refused `StartSession`.
    Refused {
        reason: LockdownError,
        /// The phone's error string, verbatim.
        raw: String,
    },
    /// `StartSession` was accepted but the TLS handshake failed.
    TlsFailed {
        message: String,
        /// How it failed, as the TLS code reported it.
        #[serde(default)]
        kind: TlsFailure,
    },
}

/// How a TLS handshake with the phone failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsFailure {
    /// The phone sent a TLS alert (it rejected the certificate or the offer).
    Alert,
    /// The phone closed the connection during the handshake, without an alert.
    Closed,
    /// No answer before the deadline.
    TimedOut,
    /// The TLS code itself crashed on the record's keys.
    Crashed,
    /// The record's keys or certificates could not be loaded here.
    UnusableRecord,
    #[default]
    Other,
}

impl SessionObs {
    pub fn refusal(&self) -> Option<LockdownError> {
        match self {
            Self::Refused { reason, .. } => Some(*reason),
            _ => None,
        }
    }
}

/// lockdownd's error strings that matter to a diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LockdownError {
    InvalidHostID,
    PasswordProtected,
    PairingDialogResponsePending,
    UserDeniedPairing,
    SessionInactive,
    SessionActive,
    InvalidPairRecord,
    MissingHostID,
    MissingPairRecord,
    EscrowLocked,
    PairingProhibitedOverThisConnection,
    MCProtected,
    MCChallengeRequired,
    ServiceProhibited,
    InvalidService,
    ServiceLimit,
    GetProhibited,
    MissingValue,
    /// Anything else; the raw string says what.
    Other,
}

impl LockdownError {
    pub fn parse(raw: &str) -> Self {
        match raw {
            "InvalidHostID" => Self::InvalidHostID,
            "PasswordProtected" => Self::PasswordProtected,
            "PairingDialogResponsePending" => Self::PairingDialogResponsePending,
            "UserDeniedPairing" => Self::UserDeniedPairing,
            "SessionInactive" => Self::SessionInactive,
            "SessionActive" => Self::SessionActive,
            "InvalidPairRecord" => Self::InvalidPairRecord,
            "MissingHostID" => Self::MissingHostID,
            "MissingPairRecord" => Self::MissingPairRecord,
            "EscrowLocked" => Self::EscrowLocked,
            "PairingProhibitedOverThisConnection" => Self::PairingProhibitedOverThisConnection,
            "MCProtected" => Self::MCProtected,
            "MCChallengeRequired" => Self::MCChallengeRequired,
            "ServiceProhibited" => Self::ServiceProhibited,
            "InvalidService" => Self::InvalidService,
            "ServiceLimit" => Self::ServiceLimit,
            "GetProhibited" => Self::GetProhibited,
            "MissingValue" => Self::MissingValue,
            _ => Self::Other,
        }
    }

    /// Refusals that come from a management profile or supervision.
    /// `PairingProhibitedOverThisConnection` is not one: it means pairing
    /// is allowed over USB only and this connection is Wi-Fi.
    pub fn is_management(self) -> bool {
        matches!(
            self,
            Self::MCProtected | Self::MCChallengeRequired | Self::ServiceProhibited
        )
    }

    /// Refusals a locked phone gives: unlock it (`EscrowLocked`: not
    /// unlocked since it restarted).
    pub fn is_lock(self) -> bool {
        matches!(self, Self::PasswordProtected | Self::EscrowLocked)
    }
}

/// Domain `com.apple.mobile.backup`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupDomain {
    pub will_encrypt: Option<bool>,
    pub requires_encryption: Option<bool>,
    pub cloud_backup_enabled: Option<bool>,
    /// As the phone sent it (seconds since 2001-01-01, or a date).
    pub last_itunes_backup_date: Option<String>,
    pub last_cloud_backup_date: Option<String>,
}

/// Domain `com.apple.disk_usage`, bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DiskUsage {
    pub total_data_capacity: Option<u64>,
    pub total_data_available: Option<u64>,
    pub amount_data_available: Option<u64>,
    pub total_disk_capacity: Option<u64>,
}

impl DiskUsage {
    /// The free space the phone reports for user data.
    pub fn available(&self) -> Option<u64> {
        self.amount_data_available.or(self.total_data_available)
    }

    /// User data on the phone: roughly what a full backup has to carry.
    pub fn used(&self) -> Option<u64> {
        let total = self.total_data_capacity?;
        Some(total.saturating_sub(self.total_data_available?))
    }
}

/// Domain `com.apple.mobile.battery`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Battery {
    /// Percent.
    pub current_capacity: Option<u64>,
    pub is_charging: Option<bool>,
    pub external_connected: Option<bool>,
    pub external_charge_capable: Option<bool>,
}

/// Supervision and restrictions the phone lets a trusted host read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Management {
    /// `com.apple.mobile.chaperone` DeviceIsChaperoned: the phone is supervised.
    pub supervised: Option<bool>,
    /// Management refusals seen on the way (MCProtected, ServiceProhibited, ...).
    #[serde(default)]
    pub refusals: Vec<String>,
    /// Domain `com.apple.mobile.restriction`, when the phone gave it.
    #[serde(default)]
    pub restrictions: Option<Restrictions>,
}

/// Domain `com.apple.mobile.restriction` of a trusted session: the
/// restrictions lockdownd states for the computer. The keys it is known to
/// carry are `ProhibitAppInstall` and `ProhibitAppRemove` (reverse-engineered
/// MobileDevice headers; no public capture of a real phone's whole answer
/// exists), so any other switch it sends is kept by name too, to be seen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restrictions {
    /// `ProhibitAppInstall`: installing apps is not allowed (Screen Time's
    /// Installing Apps, or a profile's `allowAppInstallation` false).
    #[serde(default)]
    pub prohibit_app_install: Option<bool>,
    /// `ProhibitAppRemove`: deleting apps is not allowed.
    #[serde(default)]
    pub prohibit_app_remove: Option<bool>,
    /// Any other yes/no key of the domain, by its name (at most a few dozen).
    #[serde(default)]
    pub other: std::collections::BTreeMap<String, bool>,
}

impl Restrictions {
    /// The keys that are on, by the phone's names, in a stable order.
    pub fn on(&self) -> Vec<String> {
        let mut on = Vec::new();
        if self.prohibit_app_install == Some(true) {
            on.push("ProhibitAppInstall".to_string());
        }
        if self.prohibit_app_remove == Some(true) {
            on.push("ProhibitAppRemove".to_string());
        }
        on.extend(
            self.other
                .iter()
                .filter(|(_, v)| **v)
                .map(|(k, _)| k.clone()),
        );
        on
    }
}

/// `--request-trust`: what the phone answered to `Pair`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
pub enum PairRequestObs {
    /// The user tapped Trust; `saved` says whether usbmuxd stored the record.
    Paired { saved: bool },
    /// The prompt is on screen and nobody answered before the deadline.
    DialogPending,
    /// "Don't Trust" was tapped.
    Denied,
    /// The phone must be unlocked before it can show the prompt.
    PasswordProtected,
    /// Any other refusal.
    Refused { reason: LockdownError, raw: String },
}

/// What the phone's backup service answered to the version handshake.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupServiceObs {
    /// The `StartService` answer: None when the service started.
    #[serde(default)]
    pub refused: Option<ServiceRefusal>,
    /// DeviceLink version the phone offered (`DLMessageVersionExchange`).
    #[serde(default)]
    pub device_link_version: Option<u64>,
    /// The protocol version agreed in `Hello`.
    pub protocol_version: Option<String>,
    /// `Hello`'s ErrorCode when not 0, and its description.
    #[serde(default)]
    pub hello_error: Option<HelloError>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceRefusal {
    pub reason: LockdownError,
    pub raw: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelloError {
    pub code: i64,
    pub description: Option<String>,
}

/// Whether the phone was still listed, under the same DeviceID, after the
/// per-phone probes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PresenceObs {
    pub still_listed: bool,
    pub device_id_after: Option<u32>,
}

impl DeviceObs {
    /// The lockdown observation, when lockdownd answered at all.
    pub fn lockdown(&self) -> Option<&LockdownObs> {
        self.lockdown.value()
    }

    /// Whether a trusted session came up.
    pub fn trusted(&self) -> bool {
        self.lockdown()
            .is_some_and(|l| matches!(l.session, SessionObs::Trusted))
    }

    /// `WillEncrypt` from `com.apple.mobile.backup`: evidence for
    /// `backup.encrypted` alongside the previous backups' Manifest.plist.
    pub fn will_encrypt(&self) -> Option<bool> {
        self.lockdown()?.backup.as_ref()?.will_encrypt
    }

    /// The iOS version the phone reported.
    /// The phone's backup log, when it was read.
    pub fn backup_log(&self) -> Option<&BackupLogObs> {
        self.backup_log.as_ref()?.value()
    }

    pub fn ios_version(&self) -> Option<&str> {
        self.lockdown()?.product_version.as_deref()
    }

    pub fn product_type(&self) -> Option<&str> {
        self.lockdown()?.product_type.as_deref()
    }
}

impl super::Snapshot {
    /// User data on one phone (`com.apple.disk_usage`), for `host.disk-space`.
    pub fn phone_data_used(&self, udid: &str) -> Option<u64> {
        self.device(udid)?.lockdown()?.disk_usage.as_ref()?.used()
    }

    /// `WillEncrypt` for one phone, from its `com.apple.mobile.backup`
    /// domain: evidence for `backup.encrypted` next to Manifest.plist.
    pub fn will_encrypt(&self, udid: &str) -> Option<bool> {
        self.device(udid)?.will_encrypt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn used_space_never_underflows() {
        let u = DiskUsage {
            total_data_capacity: Some(100),
            total_data_available: Some(30),
            ..Default::default()
        };
        assert_eq!(u.used(), Some(70));
        let odd = DiskUsage {
            total_data_capacity: Some(10),
            total_data_available: Some(30),
            ..Default::default()
        };
        assert_eq!(odd.used(), Some(0));
        assert_eq!(DiskUsage::default().used(), None);
    }

    #[test]
    fn lockdown_errors_parse_and_unknowns_keep_raw() {
        assert_eq!(
            LockdownError::parse("InvalidHostID"),
            LockdownError::InvalidHostID
        );
        assert_eq!(LockdownError::parse("Whatever"), LockdownError::Other);
        assert!(LockdownError::parse("MCProtected").is_management());
        assert!(!LockdownError::parse("InvalidHostID").is_management());
    }
}
