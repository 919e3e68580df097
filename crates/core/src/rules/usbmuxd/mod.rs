//! Rules about the usbmuxd daemon every backup tool talks through.

pub mod access_denied;
pub mod device_not_listed;
pub mod not_running;
pub mod protocol_error;
pub mod stale_socket;
pub mod unresponsive;
pub mod wifi_only;
