//! The phone's backup service, `com.apple.mobilebackup2`: connect to the port
//! `StartService` gave, do the DeviceLink version exchange and `Hello`, then
//! disconnect. Never a backup: no other message is sent.

use std::time::Instant;

use plist::{Dictionary, Value};

use crate::platform::mux_address::MuxEndpoint;
use crate::probe::transport::{open_service, Budget, PairSecrets, PlistStream, ServiceTicket};
use crate::snapshot::{BackupServiceObs, Failure, FailureKind, HelloError, Outcome};

/// The protocol versions idevicebackup2 offers.
const SUPPORTED: &[f64] = &[2.0, 2.1];

/// Connects to the port `StartService` gave (TLS when it said so) and does
/// the handshake.
pub async fn probe(
    endpoint: &MuxEndpoint,
    device_id: u32,
    ticket: ServiceTicket,
    secrets: Option<&PairSecrets>,
    budget: Budget,
) -> Outcome<BackupServiceObs> {
    let started = Instant::now();
    let result = async {
        let mut s =
            open_service(endpoint, device_id, ticket, secrets, "the service", budget).await?;
        handshake(&mut s, budget).await
    }
    .await;
    let duration_ms = started.elapsed().as_millis() as u64;
    Outcome::from_result(result, duration_ms)
}

/// Version exchange, `Hello`, disconnect.
async fn handshake(s: &mut PlistStream, budget: Budget) -> Result<BackupServiceObs, Failure> {
    let mut obs = BackupServiceObs::default();
    let offer = s.recv("DLMessageVersionExchange", budget.op()).await?;
    let major = parse_version_exchange(&offer)?;
    obs.device_link_version = Some(major);
    let ok = Value::Array(vec![
        "DLMessageVersionExchange".into(),
        "DLVersionsOk".into(),
        Value::Integer(major.into()),
    ]);
    s.send("DLVersionsOk", &ok, true, budget.op()).await?;
    let ready = s.recv("DLVersionsOk", budget.op()).await?;
    if tag(&ready) != Some("DLMessageDeviceReady") {
        return Err(Failure::new(
            FailureKind::ProtocolError,
            format!(
                "the backup service answered the version exchange with {}",
                tag(&ready).unwrap_or("something else")
            ),
        ));
    }
    let mut hello = Dictionary::new();
    hello.insert("MessageName".into(), "Hello".into());
    hello.insert(
        "SupportedProtocolVersions".into(),
        Value::Array(SUPPORTED.iter().map(|v| Value::Real(*v)).collect()),
    );
    let msg = Value::Array(vec![
        "DLMessageProcessMessage".into(),
        Value::Dictionary(hello),
    ]);
    s.send("Hello", &msg, true, budget.op()).await?;
    let answer = s.recv("Hello", budget.op()).await?;
    apply_hello(&answer, &mut obs)?;
    let bye = Value::Array(vec![
        "DLMessageDisconnect".into(),
        "___EmptyParameterString___".into(),
    ]);
    if let Err(f) = s.send("DLMessageDisconnect", &bye, true, budget.op()).await {
        tracing::debug!(kind = f.kind.as_str(), "DLMessageDisconnect not sent");
    }
    Ok(obs)
}

fn tag(v: &Value) -> Option<&str> {
    v.as_array()?.first()?.as_string()
}

fn parse_version_exchange(v: &Value) -> Result<u64, Failure> {
    if tag(v) != Some("DLMessageVersionExchange") {
        return Err(Failure::new(
            FailureKind::ProtocolError,
            "the backup service did not start with a DeviceLink version exchange",
        ));
    }
    v.as_array()
        .and_then(|a| a.get(1))
        .and_then(Value::as_unsigned_integer)
        .ok_or_else(|| {
            Failure::new(
                FailureKind::ProtocolError,
                "the DeviceLink version exchange has no version",
            )
        })
}

fn apply_hello(answer: &Value, obs: &mut BackupServiceObs) -> Result<(), Failure> {
    let d = match answer.as_array().map(Vec::as_slice) {
        Some([t, Value::Dictionary(d), ..]) if t.as_string() == Some("DLMessageProcessMessage") => {
            d
        }
        _ => {
            return Err(Failure::new(
                FailureKind::ProtocolError,
                "the answer to Hello is not a DeviceLink message",
            ))
        }
    };
    let code = match d.get("ErrorCode") {
        Some(Value::Integer(i)) => i.as_signed().unwrap_or(i64::MAX),
        _ => 0,
    };
    if code != 0 {
        obs.hello_error = Some(HelloError {
            code,
            description: d
                .get("ErrorDescription")
                .and_then(Value::as_string)
                .map(str::to_string),
        });
    }
    obs.protocol_version = match d.get("ProtocolVersion") {
        Some(Value::Real(r)) => Some(format!("{r:.1}")),
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Integer(i)) => Some(i.to_string()),
        _ => None,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_exchange_and_hello_answers() {
        let offer = Value::Array(vec![
            "DLMessageVersionExchange".into(),
            Value::Integer(300u64.into()),
            Value::Integer(0u64.into()),
        ]);
        assert_eq!(parse_version_exchange(&offer).unwrap(), 300);
        let junk = Value::Array(vec!["Nope".into()]);
        assert_eq!(
            parse_version_exchange(&junk).unwrap_err().kind,
            FailureKind::ProtocolError
        );

        let mut d = Dictionary::new();
        d.insert("MessageName".into(), "Response".into());
        d.insert("ErrorCode".into(), Value::Integer(0u64.into()));
        d.insert("ProtocolVersion".into(), Value::Real(2.1));
        let ok = Value::Array(vec![
            "DLMessageProcessMessage".into(),
            Value::Dictionary(d.clone()),
        ]);
        let mut obs = BackupServiceObs::default();
        apply_hello(&ok, &mut obs).unwrap();
        assert_eq!(obs.protocol_version.as_deref(), Some("2.1"));
        assert!(obs.hello_error.is_none());

        d.insert("ErrorCode".into(), Value::Integer(1u64.into()));
        d.remove("ProtocolVersion");
        let refused = Value::Array(vec!["DLMessageProcessMessage".into(), Value::Dictionary(d)]);
        let mut obs = BackupServiceObs::default();
        apply_hello(&refused, &mut obs).unwrap();
        assert_eq!(obs.hello_error.as_ref().map(|e| e.code), Some(1));
        assert!(apply_hello(&Value::Boolean(true), &mut obs).is_err());
    }
}
