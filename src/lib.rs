//! iphone-backup-check library.
