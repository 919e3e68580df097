//! Probes: all I/O, each returning an outcome.

pub mod backups;
