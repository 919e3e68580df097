//! iphone-backup-check: finds out why an iPhone will not back up to this
//! computer.
//!
//! The pipeline: probes (all I/O, each under a deadline) fill a [`Snapshot`];
//! pure rules turn it into findings; ranking puts root causes first; a report
//! renders them as text or JSON.
//!
//! [`Snapshot`]: snapshot::Snapshot

pub mod probe;
pub mod rules;
pub mod snapshot;
