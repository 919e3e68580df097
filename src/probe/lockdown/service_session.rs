//! Short trusted sessions beside the main conversation: one whose only
//! purpose is to start one read-only service (`com.apple.syslog_relay`), and
//! the extra sessions a slow phone's reads are shared over. QueryType (for
//! the service), StartSession with the pair record, TLS when the phone asks
//! for it; the same requests as the main conversation ([`super::protocol`]);
//! nothing is written to the phone.

use plist::Dictionary;

use super::protocol::{call, error_of, stop_session, ticket};
use super::values;
use crate::platform::mux_address::MuxEndpoint;
use crate::probe::transport::{
    connect_port, tls, Budget, PairSecrets, PlistStream, ServiceTicket, LOCKDOWN_PORT,
};
use crate::snapshot::{Failure, FailureKind, LOCKDOWN_NORMAL_MODE};

fn refused(what: &str, e: String) -> Failure {
    Failure::new(
        FailureKind::Refused,
        format!("{what}: the phone answered {e}"),
    )
}

/// A trusted session on a connection already open to lockdownd (QueryType
/// asked or not: lockdownd does not require it): StartSession with the
/// record, then TLS when the phone asks. Returns the stream (over TLS when
/// it was asked for) and the session's id, for `StopSession`.
pub async fn open_session(
    mut s: PlistStream,
    record: &PairSecrets,
    budget: Budget,
) -> Result<(PlistStream, Option<String>), Failure> {
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
    let reply = call(&mut s, "StartSession", fields, budget).await?;
    if let Some(e) = error_of(&reply) {
        return Err(refused("StartSession", e));
    }
    let session_id = values::string(&reply, "SessionID");
    if values::boolean(&reply, "EnableSessionSSL") == Some(true) {
        let plain = s.take();
        s = tls::upgrade(plain, pf, budget)
            .await
            .map_err(|(_, m)| Failure::new(FailureKind::ProtocolError, m))?;
    }
    Ok((s, session_id))
}

/// Starts `service` on the phone and returns where it listens.
pub async fn start_service(
    endpoint: &MuxEndpoint,
    device_id: u32,
    record: &PairSecrets,
    service: &str,
    budget: Budget,
) -> Result<ServiceTicket, Failure> {
    let stream = connect_port(endpoint, device_id, LOCKDOWN_PORT, budget.op()).await?;
    let mut s = PlistStream::new(stream);
    let reply = call(&mut s, "QueryType", Dictionary::new(), budget).await?;
    let kind = values::string(&reply, "Type").unwrap_or_default();
    if !kind.is_empty() && kind != LOCKDOWN_NORMAL_MODE {
        return Err(Failure::new(
            FailureKind::ProtocolError,
            format!("the phone's lockdown port answers as {kind:?}, not in normal mode"),
        ));
    }
    let (mut s, session_id) = open_session(s, record, budget).await?;
    let mut fields = Dictionary::new();
    fields.insert("Service".into(), service.into());
    let reply = call(&mut s, "StartService", fields, budget).await?;
    let answer = match error_of(&reply) {
        Some(e) => Err(refused(&format!("StartService {service}"), e)),
        None => ticket(&reply).ok_or_else(|| {
            Failure::new(
                FailureKind::ProtocolError,
                format!("the answer to StartService {service} has no usable Port"),
            )
        }),
    };
    stop_session(&mut s, session_id, budget).await;
    answer
}
