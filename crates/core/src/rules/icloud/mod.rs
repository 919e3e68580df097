//! Rules about iCloud Backup.

pub mod backup_enabled;
pub mod backup_stale;
