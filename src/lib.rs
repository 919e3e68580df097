//! iphone-backup-check library.

pub mod knowledge;
