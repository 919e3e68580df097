//! Rules about the backups already on disk and backup encryption.

pub mod agent_failed;
pub mod corrupt;
pub mod encrypted;
pub mod encryption_required;
pub mod password_rejected;
pub mod stalled;
pub mod unfinished;
pub mod very_large;
