//! A tunnel to a TCP port on the phone through usbmuxd's `Connect`.

use plist::{Dictionary, Value};

use crate::platform::mux_address::MuxEndpoint;
use crate::probe::deadline::Deadline;
use crate::probe::lockdown::framing::DeviceStream;
use crate::probe::usbmuxd::MuxConnection;
use crate::snapshot::{Failure, FailureKind};

/// Opens a connection to `port` on the phone usbmuxd knows as `device_id`.
pub async fn connect_port(
    endpoint: &MuxEndpoint,
    device_id: u32,
    port: u16,
    deadline: Deadline,
) -> Result<DeviceStream, Failure> {
    let mut conn = MuxConnection::connect(endpoint, deadline).await?;
    let mut fields = Dictionary::new();
    fields.insert(
        "DeviceID".into(),
        Value::Integer(u64::from(device_id).into()),
    );
    // usbmuxd takes the port in network byte order.
    fields.insert(
        "PortNumber".into(),
        Value::Integer(u64::from(port.to_be()).into()),
    );
    let reply = conn.request("Connect", fields, deadline).await?;
    match reply.get("Number").and_then(Value::as_unsigned_integer) {
        Some(0) => Ok(Box::new(conn.into_stream())),
        Some(code) => Err(connect_refusal(code, port)),
        None => Err(Failure::new(
            FailureKind::ProtocolError,
            format!("usbmuxd's answer to Connect (port {port}) has no result code"),
        )),
    }
}

/// usbmuxd's result codes for `Connect`.
fn connect_refusal(code: u64, port: u16) -> Failure {
    let (kind, why) = match code {
        2 => (
            FailureKind::NotFound,
            "the phone is no longer connected (Result 2, bad device)",
        ),
        3 => (
            FailureKind::Refused,
            "the phone refused the connection (Result 3, connection refused)",
        ),
        1 => (
            FailureKind::ProtocolError,
            "usbmuxd did not understand the request (Result 1)",
        ),
        6 => (
            FailureKind::ProtocolError,
            "usbmuxd rejected the protocol version (Result 6)",
        ),
        _ => (FailureKind::Refused, "usbmuxd refused the connection"),
    };
    Failure::new(
        kind,
        format!("Connect to port {port}: {why} [Result {code}]"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_codes_map_to_kinds() {
        assert_eq!(connect_refusal(2, 62078).kind, FailureKind::NotFound);
        assert_eq!(connect_refusal(3, 62078).kind, FailureKind::Refused);
        assert!(connect_refusal(3, 62078).message.contains("62078"));
        assert_eq!(connect_refusal(1, 1).kind, FailureKind::ProtocolError);
        assert_eq!(connect_refusal(99, 1).kind, FailureKind::Refused);
    }
}
