//! Evidence people already have, turned into the same Snapshot the probes
//! fill, so the rules never know where it came from. Each importer is a
//! small pure parser that recognises its source by content.
//!
//! So far: `ideviceinfo` output. The rest of issue 17's sources follow the
//! same shape: `fn import(text, name) -> Option<Snapshot>`.

mod ideviceinfo;
mod phone_log;

use crate::snapshot::Snapshot;

/// What `--from` can read besides this tool's own snapshots, for the error
/// a person sees when nothing is recognised.
pub const READABLE: &str =
    "a snapshot written by `iphone-backup-check record`, the text output of `ideviceinfo`, or an `idevicesyslog` capture of the backup agent";

/// The first importer that recognises `text`; `name` is the file's name as
/// the user gave it, kept in the provenance.
pub fn import(text: &str, name: &str) -> Option<Snapshot> {
    ideviceinfo::import(text, name).or_else(|| phone_log::import(text, name))
}
