//! What the usbmuxd probe saw: the daemon's address, identity and device list.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MuxObs {
    pub address: MuxAddress,
    /// The daemon's system BUID (`ReadBUID`), when it answered.
    pub buid: Option<String>,
    pub devices: Vec<MuxDevice>,
    /// The log line that showed the daemon running (its start), when the
    /// list was read from usbmuxd's log by `--from`; None when probed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<super::Quote>,
}

/// The address the probe used and where it came from. Recorded on failures
/// too (see `Snapshot::usbmuxd_address`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MuxAddress {
    /// `unix:/var/run/usbmuxd` or `tcp:127.0.0.1:27015`.
    pub display: String,
    pub source: MuxAddressSource,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MuxAddressSource {
    Flag,
    Env,
    #[default]
    Default,
}

/// One entry of usbmuxd's `ListDevices` reply, with the raw fields that the
/// idevice crate's typed struct drops.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MuxDevice {
    pub device_id: u32,
    pub udid: String,
    pub connection: MuxConnection,
    pub product_id: Option<u16>,
    pub location_id: Option<u32>,
    /// Bits per second as usbmuxd reports it; 480000000 also when it does not know.
    pub connection_speed: Option<u64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MuxConnection {
    #[default]
    Usb,
    Network,
    Other,
}
