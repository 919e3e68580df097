//! Rules about the USB bus: cable, port, hub and mode.

pub mod access_denied;
pub mod dfu_mode;
pub mod hub;
pub mod no_device;
pub mod recovery_mode;
pub mod slow_link;
pub mod unavailable;
