//! A message of usbmuxd's `Listen` feed, as the probe parsed it: the input
//! of both the diagnose window's event tracker and `watch`.

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
