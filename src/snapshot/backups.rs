//! What the backup-folder probe saw: every previous backup in it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupsObs {
    pub backups: Vec<BackupObs>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupObs {
    /// The backup's folder name, normally the phone's UDID.
    pub folder: String,
    pub size_bytes: Option<u64>,
}
