//! Rules about iCloud Backup.

pub mod backup_enabled;
