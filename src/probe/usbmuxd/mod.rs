//! The usbmuxd probe: can the daemon be reached, and which phones does it list.

mod device_list;
pub mod listen;

use std::time::Instant;

use plist::Dictionary;

pub use device_list::parse_device_list;

use crate::platform::mux_address::MuxEndpoint;
use crate::probe::transport::{Deadline, MuxClient};
use crate::snapshot::{MuxAddress, MuxObs, Outcome};

/// Connects, lists devices and reads the daemon's BUID. A failing `ReadBUID`
/// (older daemons lack it) leaves `buid` empty instead of failing the probe.
pub async fn probe(
    endpoint: &MuxEndpoint,
    address: MuxAddress,
    deadline: Deadline,
) -> Outcome<MuxObs> {
    let started = Instant::now();
    // Two connections, so the optional BUID costs no extra round trip.
    let list = async {
        let mut conn = MuxClient::connect(endpoint, deadline).await?;
        let reply = conn
            .request("ListDevices", Dictionary::new(), deadline)
            .await?;
        parse_device_list(&reply)
    };
    // Optional, so it may not use up the budget the phones need.
    let buid_deadline = deadline.within(std::time::Duration::from_secs(5));
    let buid = async {
        let mut conn = MuxClient::connect(endpoint, buid_deadline).await?;
        conn.request("ReadBUID", Dictionary::new(), buid_deadline)
            .await
    };
    let (devices, buid) = tokio::join!(list, buid);
    let buid = match buid {
        Ok(r) => r
            .get("BUID")
            .and_then(|v| v.as_string())
            .map(str::to_string),
        Err(e) => {
            tracing::debug!(message = %e.message, "ReadBUID failed");
            None
        }
    };
    let result = devices.map(|devices| MuxObs {
        address,
        buid,
        devices,
        quote: None,
    });
    let duration_ms = started.elapsed().as_millis() as u64;
    Outcome::from_result(result, duration_ms)
}
