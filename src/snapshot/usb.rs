//! What the USB probe saw on the bus.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UsbObs {
    /// Apple devices (vendor 0x05ac) on the bus.
    pub devices: Vec<UsbDevice>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UsbDevice {
    pub bus: u8,
    pub address: u8,
    /// Port numbers from the root hub down; more than one entry means hubs.
    pub port_chain: Vec<u8>,
    pub vendor_id: u16,
    pub product_id: u16,
    /// Negotiated speed in Mbit/s, when libusb knows it.
    pub speed_mbps: Option<u32>,
    pub serial: Option<String>,
}
