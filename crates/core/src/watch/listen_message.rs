//! What the probes tell `watch` as it happens: a message of usbmuxd's
//! `Listen` feed, and a USB hotplug notice.

use crate::snapshot::MuxDevice;

/// One message of the feed, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum ListenMessage {
    Attached(MuxDevice),
    Detached {
        device_id: u32,
    },
    Paired {
        device_id: u32,
    },
    /// A message type this tool does not know; kept for the logs.
    Other(String),
}

/// An Apple device arrived on or left the USB bus (libusb hotplug).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsbNotice {
    pub arrived: bool,
    pub bus: u8,
    pub address: u8,
    /// None when the descriptor could not be read (it left too fast).
    pub product_id: Option<u16>,
}
