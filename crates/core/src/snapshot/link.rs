//! What a kernel log said about the USB link of a phone: it appeared, it
//! went away, the host reset it. usbmuxd's feed only shows a phone once
//! usbmuxd took it; the kernel shows every drop of the cable itself, so a
//! `dmesg` or `journalctl -k` capture is evidence of an unstable link too.

use serde::{Deserialize, Serialize};

use super::{Quote, UsbSpeed};

/// One kernel line about an Apple device's USB port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkEvent {
    pub kind: LinkEventKind,
    /// The kernel's name of the port, e.g. `1-4` or `1-4.2` on Linux, or
    /// the IOKit location on macOS.
    pub port: String,
    /// The UDID, when the kernel printed the serial number on that port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub udid: Option<String>,
    /// The speed the kernel named, for connects and resets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<UsbSpeed>,
    /// The line it was read from.
    pub quote: Quote,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkEventKind {
    /// A device enumerated on the port.
    Connected,
    /// The device left the port (`USB disconnect`, IOKit terminate).
    Disconnected,
    /// The host reset the device on the port (`reset high-speed USB device`).
    Reset,
}
