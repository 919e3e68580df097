//! iphone-backup-check: finds out why an iPhone will not back up to this
//! computer.
//!
//! The pipeline: probes (all I/O, each under a deadline) fill a [`Snapshot`];
//! pure rules turn it into findings; ranking puts root causes first; a report
//! renders them as text or JSON.
//!
//! [`Snapshot`]: snapshot::Snapshot

pub mod app;
pub mod build_info;
pub mod cli;
pub mod commands;
pub mod env;
pub mod probe;
#[cfg(windows)]
pub mod win32;

// The pure core, re-exported so `crate::snapshot::…` reads the same on both
// sides of the seam.
pub use iphone_backup_core::{
    exit, format, import, inert, knowledge, phone_log, platform, plist_bounded, report, rules,
    snapshot, version, watch,
};
