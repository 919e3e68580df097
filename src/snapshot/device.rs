//! What the per-phone probes saw: pairing record, lockdownd and the backup
//! service, for one phone that usbmuxd listed.

use serde::{Deserialize, Serialize};

use super::Outcome;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceObs {
    pub udid: String,
    pub pairing: Outcome<PairingObs>,
    pub lockdown: Outcome<LockdownObs>,
    pub backup_service: Outcome<BackupServiceObs>,
}

/// The host's pair record for this phone. Never holds keys or certificates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PairingObs {
    pub record: PairRecordState,
    pub host_id: Option<String>,
    pub system_buid: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PairRecordState {
    Present,
    #[default]
    Absent,
    Unreadable,
}

/// What lockdownd said, before and after a session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LockdownObs {
    pub product_type: Option<String>,
    pub product_version: Option<String>,
    pub build_version: Option<String>,
    pub device_class: Option<String>,
}

/// What the phone's backup service answered to the version handshake.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupServiceObs {
    pub protocol_version: Option<String>,
}
