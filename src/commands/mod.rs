//! The commands, one per file; `app` only dispatches to them.

pub mod devices;
pub mod diagnose;
pub mod evidence_file;
pub mod explain;
pub mod from_files;
pub mod live;
pub mod man;
pub mod paste_hint;
pub mod record;
pub mod rules;
pub mod waiting;
pub mod watch;
