//! The pure core of iphone-backup-check: what the probes saw ([`snapshot`]),
//! what it means ([`rules`], [`knowledge`]), and how it is told ([`report`]).
//!
//! Nothing here touches the file system, the network, processes, the
//! environment or the clock: the binary crate gathers evidence and hands it
//! in as plain data, so every diagnosis can be reproduced from a snapshot.
//! `clippy.toml` beside this crate's manifest makes reaching for those a lint
//! error, and the crate depends on no I/O crate.

pub mod dates;
pub mod exit;
pub mod format;
pub mod import;
pub mod inert;
pub mod knowledge;
pub mod phone_log;
pub mod platform;
pub mod plist_bounded;
pub mod remedy;
pub mod report;
pub mod rules;
pub mod snapshot;
pub mod version;
pub mod watch;
