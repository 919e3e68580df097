//! A short trusted session whose only purpose is to start one read-only
//! service (`com.apple.syslog_relay` for `watch`): QueryType, StartSession
//! with the pair record, TLS when the phone asks for it, StartService,
//! StopSession. The same requests, framing and TLS as the main lockdown
//! probe ([`super::call`], [`super::tls`]); nothing is written to the phone.

use plist::{Dictionary, Value};

use super::framing::PlistStream;
use super::{call, error_of, tls, values, ServiceTicket, LOCKDOWN_PORT};
use crate::platform::mux_address::MuxEndpoint;
use crate::probe::device::{connect::connect_port, Steps};
use crate::probe::pairing::PairSecrets;
use crate::snapshot::{Failure, FailureKind, LOCKDOWN_NORMAL_MODE};

/// Starts `service` on the phone and returns where it listens.
pub async fn start_service(
    endpoint: &MuxEndpoint,
    device_id: u32,
    record: &PairSecrets,
    service: &str,
    steps: Steps,
) -> Result<ServiceTicket, Failure> {
    let refused = |what: &str, e: String| {
        Failure::new(
            FailureKind::Refused,
            format!("{what}: the phone answered {e}"),
        )
    };
    let stream = connect_port(endpoint, device_id, LOCKDOWN_PORT, steps.op()).await?;
    let mut s = PlistStream::new(stream);
    let reply = call(&mut s, "QueryType", Dictionary::new(), steps).await?;
    let kind = values::string(&reply, "Type").unwrap_or_default();
    if !kind.is_empty() && kind != LOCKDOWN_NORMAL_MODE {
        return Err(Failure::new(
            FailureKind::ProtocolError,
            format!("the phone's lockdown port answers as {kind:?}, not in normal mode"),
        ));
    }
    let (Some(host_id), Some(pf)) = (record.host_id(), record.pairing_file()) else {
        return Err(Failure::new(
            FailureKind::ProtocolError,
            "the pair record cannot be used for a session here",
        ));
    };
    let mut fields = Dictionary::new();
    fields.insert("HostID".into(), host_id.into());
    if let Some(buid) = record.system_buid() {
        fields.insert("SystemBUID".into(), buid.into());
    }
    let reply = call(&mut s, "StartSession", fields, steps).await?;
    if let Some(e) = error_of(&reply) {
        return Err(refused("StartSession", e));
    }
    let session_id = values::string(&reply, "SessionID");
    if values::boolean(&reply, "EnableSessionSSL") == Some(true) {
        let plain = s.take();
        s = tls(plain, pf, steps)
            .await
            .map_err(|(_, m)| Failure::new(FailureKind::ProtocolError, m))?;
    }
    let mut fields = Dictionary::new();
    fields.insert("Service".into(), service.into());
    let reply = call(&mut s, "StartService", fields, steps).await?;
    let answer = match error_of(&reply) {
        Some(e) => Err(refused(&format!("StartService {service}"), e)),
        None => reply
            .get("Port")
            .and_then(Value::as_unsigned_integer)
            .and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p != 0)
            .map(|port| ServiceTicket {
                port,
                ssl: values::boolean(&reply, "EnableServiceSSL").unwrap_or(false),
            })
            .ok_or_else(|| {
                Failure::new(
                    FailureKind::ProtocolError,
                    format!("the answer to StartService {service} has no usable Port"),
                )
            }),
    };
    let mut fields = Dictionary::new();
    if let Some(id) = session_id {
        fields.insert("SessionID".into(), id.into());
    }
    if let Err(f) = call(&mut s, "StopSession", fields, steps).await {
        tracing::debug!(kind = f.kind.as_str(), "StopSession failed");
    }
    answer
}
