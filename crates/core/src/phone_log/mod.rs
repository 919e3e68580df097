//! The phone's own log, as far as backups are concerned: the backup agent
//! (BackupAgent2, backupd) says what it does and why it stops. One reader
//! for a pasted `idevicesyslog` capture (`diagnose --from`) and for the live
//! `com.apple.syslog_relay` stream (`watch`), so both give the same
//! [`crate::snapshot::BackupLogObs`].

mod classify;
pub mod line;
mod relay_splitter;
mod tracker;

pub use classify::{classify, is_backup_line};
pub use relay_splitter::{RelaySplitter, MAX_LINE};
pub use tracker::{BackupLogTracker, LineRead, DEFAULT_STALL_MS};
