//! A tunnel to a TCP port on the phone through usbmuxd's `Connect`, and a
//! service's port opened the way `StartService` said (TLS or not).

use plist::{Dictionary, Value};

use super::budget::Budget;
use super::deadline::Deadline;
use super::mux_client::MuxClient;
use super::pair_secrets::PairSecrets;
use super::plist_stream::{DeviceStream, PlistStream};
use super::tls;
use crate::platform::mux_address::MuxEndpoint;
use crate::snapshot::{Failure, FailureKind};

/// lockdownd's port on every phone.
pub const LOCKDOWN_PORT: u16 = 62078;

/// Where a started service listens, as `StartService` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceTicket {
    pub port: u16,
    pub ssl: bool,
}

/// Opens a connection to `port` on the phone usbmuxd knows as `device_id`.
pub async fn connect_port(
    endpoint: &MuxEndpoint,
    device_id: u32,
    port: u16,
    deadline: Deadline,
) -> Result<DeviceStream, Failure> {
    let mut conn = MuxClient::connect(endpoint, deadline).await?;
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

/// Connects to a started service, over TLS with the pair record's keys when
/// the phone asked for it. `what` names the service in failures.
pub async fn open_service(
    endpoint: &MuxEndpoint,
    device_id: u32,
    ticket: ServiceTicket,
    secrets: Option<&PairSecrets>,
    what: &str,
    budget: Budget,
) -> Result<PlistStream, Failure> {
    let stream = connect_port(endpoint, device_id, ticket.port, budget.op()).await?;
    let s = PlistStream::new(stream);
    if !ticket.ssl {
        return Ok(s);
    }
    let pf = secrets.and_then(PairSecrets::pairing_file).ok_or_else(|| {
        Failure::new(
            FailureKind::ProtocolError,
            format!("{what} wants TLS and the pair record has no usable keys"),
        )
    })?;
    tls::upgrade(s, pf, budget)
        .await
        .map_err(|(_, m)| Failure::new(FailureKind::ProtocolError, m))
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
