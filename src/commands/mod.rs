//! The commands, one per file; `app` only dispatches to them.

pub mod devices;
pub mod diagnose;
pub mod explain;
pub mod live;
pub mod record;
pub mod rules;
pub mod snapshot_file;
pub mod watch;
