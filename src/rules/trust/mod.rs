//! Rules about pairing: whether the phone trusts this computer.

pub mod denied;
pub mod dialog_pending;
pub mod not_paired;
pub mod reset_on_device;
pub mod session_failed;
