//! The smaller commands, one per file.

pub mod devices;
pub mod explain;
pub mod rules;
pub mod rules_doc;
pub mod snapshot_file;
pub mod watch;
