//! One lockdownd request and its answer: the `Label`/`Request` envelope,
//! the time the phone took (kept as evidence), the `Error` it may carry,
//! one domain's dictionary, and what a refusal tells about management.

use std::time::Instant;

use plist::{Dictionary, Value};

use super::values;
use crate::probe::transport::{Budget, PlistStream, ServiceTicket, LABEL};
use crate::snapshot::{Failure, FailureKind, LockdownError, LockdownObs, Management};

/// Sends one request in lockdownd's envelope (`Label`, `Request`).
async fn send(
    s: &mut PlistStream,
    request: &str,
    mut fields: Dictionary,
    budget: Budget,
) -> Result<(), Failure> {
    fields.insert("Label".into(), LABEL.into());
    fields.insert("Request".into(), request.into());
    if let Some(dom) = fields.get("Domain").and_then(Value::as_string) {
        tracing::debug!(request, domain = dom, "lockdownd request");
    } else {
        tracing::debug!(request, "lockdownd request");
    }
    s.send(request, &Value::Dictionary(fields), false, budget.op())
        .await
}

/// Sends one request and reads its answer dictionary.
pub async fn call(
    s: &mut PlistStream,
    request: &str,
    fields: Dictionary,
    budget: Budget,
) -> Result<Dictionary, Failure> {
    send(s, request, fields, budget).await?;
    match s.recv(request, budget.op()).await? {
        Value::Dictionary(d) => Ok(d),
        _ => Err(Failure::new(
            FailureKind::ProtocolError,
            format!("the answer to {request} is not a dictionary"),
        )),
    }
}

/// [`call`], with the time the phone took to answer kept as evidence (a
/// healthy phone answers in a few milliseconds).
pub async fn ask(
    s: &mut PlistStream,
    obs: &mut LockdownObs,
    request: &str,
    fields: Dictionary,
    budget: Budget,
) -> Result<Dictionary, Failure> {
    let sent = Instant::now();
    let reply = call(s, request, fields, budget).await?;
    obs.reply_ms.push(sent.elapsed().as_millis() as u64);
    Ok(reply)
}

/// lockdownd's `Error`, as a string (older phones send a number with ErrorString).
pub fn error_of(reply: &Dictionary) -> Option<String> {
    match reply.get("Error")? {
        Value::String(e) => Some(e.clone()),
        Value::Integer(n) => {
            Some(values::string(reply, "ErrorString").unwrap_or_else(|| format!("error {n}")))
        }
        _ => Some("unrecognised error value".into()),
    }
}

/// A refusal of StartSession or StartService, parsed; one that comes from a
/// management profile is also kept under `management`.
pub fn refusal(raw: &str, obs: &mut LockdownObs) -> LockdownError {
    let reason = LockdownError::parse(raw);
    if reason.is_management() {
        obs.management
            .get_or_insert_with(Management::default)
            .refusals
            .push(raw.to_string());
    }
    reason
}

/// One domain's dictionary; a refusal is noted in `unreadable`, not fatal.
pub async fn domain(
    s: &mut PlistStream,
    obs: &mut LockdownObs,
    name: &str,
    budget: Budget,
) -> Result<Option<Dictionary>, Failure> {
    let mut fields = Dictionary::new();
    fields.insert("Domain".into(), name.into());
    let reply = ask(s, obs, "GetValue", fields, budget).await?;
    match (reply.get("Value"), error_of(&reply)) {
        (Some(Value::Dictionary(d)), _) => Ok(Some(d.clone())),
        (_, Some(e)) => {
            obs.unreadable.push(format!("{name}: {e}"));
            Ok(None)
        }
        _ => {
            obs.unreadable.push(format!("{name}: no Value"));
            Ok(None)
        }
    }
}

/// Where `StartService` says the service listens; None when the answer has
/// no usable port.
pub fn ticket(reply: &Dictionary) -> Option<ServiceTicket> {
    reply
        .get("Port")
        .and_then(Value::as_unsigned_integer)
        .and_then(|p| u16::try_from(p).ok())
        .filter(|p| *p != 0)
        .map(|port| ServiceTicket {
            port,
            ssl: values::boolean(reply, "EnableServiceSSL").unwrap_or(false),
        })
}

/// `StopSession`, politely; its failure changes nothing. True when the
/// phone answered.
pub async fn stop_session(s: &mut PlistStream, session_id: Option<String>, budget: Budget) -> bool {
    match call(s, "StopSession", stop_fields(session_id), budget).await {
        Ok(_) => true,
        Err(f) => {
            tracing::debug!(kind = f.kind.as_str(), "StopSession failed");
            false
        }
    }
}

/// `StopSession` sent, its answer not awaited (the connection is closed
/// next, which ends the session too): on a slow link, the round trip it
/// saves is the phone's. The backup service's `DLMessageDisconnect` is sent
/// the same way.
pub async fn send_stop_session(s: &mut PlistStream, session_id: Option<String>, budget: Budget) {
    if let Err(f) = send(s, "StopSession", stop_fields(session_id), budget).await {
        tracing::debug!(kind = f.kind.as_str(), "StopSession not sent");
    }
}

fn stop_fields(session_id: Option<String>) -> Dictionary {
    let mut fields = Dictionary::new();
    if let Some(id) = session_id {
        fields.insert("SessionID".into(), id.into());
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_as_strings_or_numbers() {
        let mut d = Dictionary::new();
        assert_eq!(error_of(&d), None);
        d.insert("Error".into(), "InvalidHostID".into());
        assert_eq!(error_of(&d).as_deref(), Some("InvalidHostID"));
        d.insert("Error".into(), Value::Integer(19u64.into()));
        assert_eq!(error_of(&d).as_deref(), Some("error 19"));
        d.insert("ErrorString".into(), "PairingDialogResponsePending".into());
        assert_eq!(
            error_of(&d).as_deref(),
            Some("PairingDialogResponsePending")
        );
    }

    #[test]
    fn a_management_refusal_is_kept_once_under_management() {
        let mut obs = LockdownObs::default();
        assert_eq!(
            refusal("ServiceProhibited", &mut obs),
            LockdownError::ServiceProhibited
        );
        assert_eq!(
            refusal("InvalidHostID", &mut obs),
            LockdownError::InvalidHostID
        );
        assert_eq!(
            obs.management.map(|m| m.refusals),
            Some(vec!["ServiceProhibited".to_string()])
        );
    }

    #[test]
    fn service_tickets() {
        let mut d = Dictionary::new();
        assert_eq!(ticket(&d), None);
        d.insert("Port".into(), Value::Integer(50123u64.into()));
        assert_eq!(
            ticket(&d),
            Some(ServiceTicket {
                port: 50123,
                ssl: false
            })
        );
        d.insert("EnableServiceSSL".into(), true.into());
        assert_eq!(ticket(&d).map(|t| t.ssl), Some(true));
        d.insert("Port".into(), Value::Integer(70000u64.into()));
        assert_eq!(ticket(&d), None);
        d.insert("Port".into(), Value::Integer(0u64.into()));
        assert_eq!(ticket(&d), None);
    }
}
