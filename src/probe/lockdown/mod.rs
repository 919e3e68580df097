//! lockdownd on port 62078: what the phone says before a session, whether it
//! accepts this computer's pair record, and what it says inside ONE session
//! (device values, backup, disk-usage and battery domains, supervision, and
//! the backup service's port). Sends only QueryType, GetValue, StartSession,
//! StartService and StopSession; `Pair` only under `--request-trust`.

mod bounded;
pub mod framing;
mod pair;
mod values;

use std::time::Instant;

use plist::{Dictionary, Value};

use self::framing::PlistStream;
use crate::probe::device::{connect::connect_port, Steps};
use crate::probe::pairing::PairSecrets;
use crate::snapshot::{
    Failure, FailureKind, LockdownError, LockdownObs, Management, Outcome, ServiceRefusal,
    SessionObs, LOCKDOWN_NORMAL_MODE,
};

pub const LOCKDOWN_PORT: u16 = 62078;
pub const LABEL: &str = "iphone-backup-check";
const BACKUP_SERVICE: &str = "com.apple.mobilebackup2";

/// Where the backup service listens, as `StartService` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceTicket {
    pub port: u16,
    pub ssl: bool,
}

/// What the lockdown stage hands to the backup-service stage.
#[derive(Debug)]
pub enum BackupStart {
    /// No trusted session, so the service was not asked for.
    NotAsked(String),
    Started(ServiceTicket),
    Refused(ServiceRefusal),
    Failed(Failure),
}

pub struct LockdownRun {
    pub obs: Outcome<LockdownObs>,
    pub backup: BackupStart,
    /// The record used for the session (a new one after `--request-trust`).
    pub secrets: Option<PairSecrets>,
}

/// What the lockdown stage needs to know about the phone and the run.
pub struct Target<'a> {
    pub endpoint: &'a crate::platform::mux_address::MuxEndpoint,
    pub device_id: u32,
    pub udid: &'a str,
    pub request_trust: bool,
    /// usbmuxd's BUID, used as SystemBUID in a new pair record.
    pub daemon_buid: Option<&'a str>,
}

pub async fn probe(t: &Target<'_>, secrets: Option<PairSecrets>, steps: Steps) -> LockdownRun {
    let started = Instant::now();
    let stream = match connect_port(t.endpoint, t.device_id, LOCKDOWN_PORT, steps.op()).await {
        Ok(s) => s,
        Err(failure) => {
            return LockdownRun {
                obs: Outcome::Failed {
                    duration_ms: started.elapsed().as_millis() as u64,
                    failure,
                },
                backup: BackupStart::NotAsked("lockdownd could not be reached".into()),
                secrets,
            }
        }
    };
    let mut s = PlistStream::new(stream);
    let mut obs = LockdownObs::default();
    let mut secrets = secrets;
    let backup = match converse(t, &mut s, &mut obs, &mut secrets, steps).await {
        Ok(b) => b,
        Err(Stop::Broken(f)) if obs.query_type.is_none() => {
            return LockdownRun {
                obs: Outcome::Failed {
                    duration_ms: started.elapsed().as_millis() as u64,
                    failure: f,
                },
                backup: BackupStart::NotAsked("lockdownd did not answer".into()),
                secrets,
            };
        }
        Err(Stop::Broken(f)) => {
            let why = format!("the lockdown conversation broke off: {}", f.message);
            obs.aborted = Some(f);
            BackupStart::NotAsked(why)
        }
        Err(Stop::Done(b)) => b,
    };
    LockdownRun {
        obs: Outcome::Ok {
            duration_ms: started.elapsed().as_millis() as u64,
            value: obs,
        },
        backup,
        secrets,
    }
}

enum Stop {
    /// The conversation failed on our side of it (closed, timed out, garbage).
    Broken(Failure),
    /// The phone answered something that ends the conversation.
    Done(BackupStart),
}

impl From<Failure> for Stop {
    fn from(f: Failure) -> Self {
        Self::Broken(f)
    }
}

async fn converse(
    t: &Target<'_>,
    s: &mut PlistStream,
    obs: &mut LockdownObs,
    secrets: &mut Option<PairSecrets>,
    steps: Steps,
) -> Result<BackupStart, Stop> {
    let reply = call(s, "QueryType", Dictionary::new(), steps).await?;
    let query_type = values::string(&reply, "Type").unwrap_or_default();
    obs.query_type = Some(query_type.clone());
    // Anything else on the lockdown port (restored in restore mode) is not
    // a phone in normal mode: nothing more to ask it.
    if !query_type.is_empty() && query_type != LOCKDOWN_NORMAL_MODE {
        return Err(Stop::Done(BackupStart::NotAsked(format!(
            "the phone's lockdown port answers as {query_type:?}, not in normal mode"
        ))));
    }

    // Values any host may read before a session.
    let reply = call(s, "GetValue", Dictionary::new(), steps).await?;
    match (reply.get("Value"), error_of(&reply)) {
        (Some(Value::Dictionary(d)), _) => values::apply_root(obs, d, false),
        (_, Some(e)) => obs.unreadable.push(format!("pre-session values: {e}")),
        _ => obs.unreadable.push("pre-session values: no Value".into()),
    }

    if secrets.is_none() && t.request_trust {
        let taken = s.take();
        let (back, answer, new_secrets) = pair::request_trust(t, taken, steps).await;
        obs.pair_request = answer;
        *secrets = new_secrets;
        match back {
            Ok(stream) => *s = stream,
            Err(f) => return Err(Stop::Broken(f)),
        }
    }

    let Some(record) = secrets.as_ref() else {
        return Err(Stop::Done(BackupStart::NotAsked(
            "this computer has no pair record for the phone".into(),
        )));
    };
    let Some(host_id) = record.host_id() else {
        obs.unreadable
            .push("the pair record has no HostID: StartSession not sent".into());
        return Err(Stop::Done(BackupStart::NotAsked(
            "the pair record has no HostID".into(),
        )));
    };

    let mut fields = Dictionary::new();
    fields.insert("HostID".into(), host_id.into());
    if let Some(buid) = record.system_buid() {
        fields.insert("SystemBUID".into(), buid.into());
    }
    let reply = call(s, "StartSession", fields, steps).await?;
    if let Some(raw) = error_of(&reply) {
        let reason = LockdownError::parse(&raw);
        if reason.is_management() {
            obs.management
                .get_or_insert_with(Management::default)
                .refusals
                .push(raw.clone());
        }
        obs.session = SessionObs::Refused { reason, raw };
        return Err(Stop::Done(BackupStart::NotAsked(
            "the phone refused the session".into(),
        )));
    }
    // Kept in memory only, to end the session politely.
    let session_id = values::string(&reply, "SessionID");
    if values::boolean(&reply, "EnableSessionSSL") == Some(true) {
        let Some(pf) = record.pairing_file() else {
            obs.session = SessionObs::TlsFailed {
                message: "the pair record's keys or certificates cannot be used for TLS".into(),
            };
            return Err(Stop::Done(BackupStart::NotAsked(
                "no secure session".into(),
            )));
        };
        let plain = s.take();
        match tls(plain, pf, steps).await {
            Ok(secure) => *s = secure,
            Err(message) => {
                obs.session = SessionObs::TlsFailed { message };
                return Err(Stop::Done(BackupStart::NotAsked(
                    "no secure session".into(),
                )));
            }
        }
    }
    obs.session = SessionObs::Trusted;

    // Everything else in this one session.
    let reply = call(s, "GetValue", Dictionary::new(), steps).await?;
    match (reply.get("Value"), error_of(&reply)) {
        (Some(Value::Dictionary(d)), _) => values::apply_root(obs, d, true),
        (_, e) => obs.unreadable.push(format!(
            "session values: {}",
            e.unwrap_or_else(|| "no Value".into())
        )),
    }
    if let Some(d) = domain(s, obs, "com.apple.mobile.backup", steps).await? {
        obs.backup = Some(values::backup_domain(&d));
    }
    if let Some(d) = domain(s, obs, "com.apple.disk_usage", steps).await? {
        obs.disk_usage = Some(values::disk_usage(&d));
    }
    if let Some(d) = domain(s, obs, "com.apple.mobile.battery", steps).await? {
        obs.battery = Some(values::battery(&d));
    }
    if let Some(d) = domain(s, obs, "com.apple.purplebuddy", steps).await? {
        obs.setup_done = values::boolean(&d, "SetupDone");
    }
    if let Some(d) = domain(s, obs, "com.apple.mobile.chaperone", steps).await? {
        obs.management
            .get_or_insert_with(Management::default)
            .supervised = values::boolean(&d, "DeviceIsChaperoned");
    }

    let mut fields = Dictionary::new();
    fields.insert("Service".into(), BACKUP_SERVICE.into());
    // As idevicebackup2 and pymobiledevice3 do: a locked phone with a
    // passcode starts its backup service only for a host that sends the
    // escrow bag from its pair record.
    let escrow_bag = record.escrow_bag();
    obs.escrow_bag_sent = Some(escrow_bag.is_some());
    if let Some(bag) = escrow_bag {
        fields.insert("EscrowBag".into(), Value::Data(bag.to_vec()));
    }
    let backup = match call(s, "StartService", fields, steps).await {
        Ok(reply) => start_service_answer(&reply, obs),
        Err(f) => BackupStart::Failed(f),
    };

    let mut fields = Dictionary::new();
    if let Some(id) = session_id {
        fields.insert("SessionID".into(), id.into());
    }
    if let Err(f) = call(s, "StopSession", fields, steps).await {
        tracing::debug!(kind = f.kind.as_str(), "StopSession failed");
    }
    Ok(backup)
}

fn start_service_answer(reply: &Dictionary, obs: &mut LockdownObs) -> BackupStart {
    if let Some(raw) = error_of(reply) {
        let reason = LockdownError::parse(&raw);
        if reason.is_management() {
            obs.management
                .get_or_insert_with(Management::default)
                .refusals
                .push(raw.clone());
        }
        return BackupStart::Refused(ServiceRefusal { reason, raw });
    }
    let port = reply
        .get("Port")
        .and_then(Value::as_unsigned_integer)
        .and_then(|p| u16::try_from(p).ok())
        .filter(|p| *p != 0);
    match port {
        Some(port) => BackupStart::Started(ServiceTicket {
            port,
            ssl: values::boolean(reply, "EnableServiceSSL").unwrap_or(false),
        }),
        None => BackupStart::Failed(Failure::new(
            FailureKind::ProtocolError,
            "the answer to StartService has no usable Port",
        )),
    }
}

/// One domain's dictionary; a refusal is noted, not fatal.
async fn domain(
    s: &mut PlistStream,
    obs: &mut LockdownObs,
    name: &str,
    steps: Steps,
) -> Result<Option<Dictionary>, Failure> {
    let mut fields = Dictionary::new();
    fields.insert("Domain".into(), name.into());
    let reply = call(s, "GetValue", fields, steps).await?;
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

/// Sends one request and reads its answer dictionary.
pub async fn call(
    s: &mut PlistStream,
    request: &str,
    mut fields: Dictionary,
    steps: Steps,
) -> Result<Dictionary, Failure> {
    fields.insert("Label".into(), LABEL.into());
    fields.insert("Request".into(), request.into());
    if let Some(dom) = fields.get("Domain").and_then(Value::as_string) {
        tracing::debug!(request, domain = dom, "lockdownd request");
    } else {
        tracing::debug!(request, "lockdownd request");
    }
    s.send(request, &Value::Dictionary(fields), false, steps.op())
        .await?;
    match s.recv(request, steps.op()).await? {
        Value::Dictionary(d) => Ok(d),
        _ => Err(Failure::new(
            FailureKind::ProtocolError,
            format!("the answer to {request} is not a dictionary"),
        )),
    }
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

/// Upgrades a lockdown or service connection to TLS with the pair record,
/// through idevice (its logging silenced: it would print the handshake).
pub async fn tls(
    plain: PlistStream,
    pf: &idevice::pairing_file::PairingFile,
    steps: Steps,
) -> Result<PlistStream, String> {
    use tracing::instrument::WithSubscriber;
    let mut dev = idevice::Idevice::new(plain.into_inner(), LABEL);
    let handshake = async { dev.start_session(pf, false).await }
        .with_subscriber(tracing::subscriber::NoSubscriber::default());
    match tokio::time::timeout_at(steps.op().instant(), handshake).await {
        Ok(Ok(())) => match dev.get_socket() {
            Some(sock) => Ok(PlistStream::new(sock)),
            None => Err("the TLS connection was lost".into()),
        },
        Ok(Err(e)) => Err(format!("TLS handshake failed: {e}")),
        Err(_) => Err("TLS handshake: no answer before the deadline".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::mux_address::MuxEndpoint;
    use crate::probe::deadline::Deadline;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A lockdownd that answers each request with the next scripted frame.
    async fn scripted(frames: Vec<Vec<u8>>) -> PlistStream {
        let (client, mut server) = tokio::io::duplex(64 * 1024);
        tokio::spawn(async move {
            for f in frames {
                let mut len = [0u8; 4];
                if server.read_exact(&mut len).await.is_err() {
                    return;
                }
                let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
                if server.read_exact(&mut body).await.is_err() {
                    return;
                }
                let _ = server.write_all(&f).await;
            }
        });
        PlistStream::new(Box::new(client))
    }

    fn reply(pairs: &[(&str, Value)]) -> Vec<u8> {
        let d: Dictionary = pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        framing::encode(&Value::Dictionary(d), false).unwrap()
    }

    fn target(endpoint: &MuxEndpoint) -> Target<'_> {
        Target {
            endpoint,
            device_id: 1,
            udid: "X",
            request_trust: false,
            daemon_buid: None,
        }
    }

    #[tokio::test]
    async fn garbage_mid_conversation_is_recorded_not_a_panic() {
        let endpoint = MuxEndpoint::Unix("/nonexistent".into());
        let mut s = scripted(vec![
            reply(&[("Type", "com.apple.mobile.lockdown".into())]),
            vec![0xff, 0xff, 0xff, 0xf0],
        ])
        .await;
        let mut obs = LockdownObs::default();
        let steps = Steps::new(
            Deadline::after(Duration::from_secs(5)),
            Duration::from_secs(2),
        );
        let r = converse(&target(&endpoint), &mut s, &mut obs, &mut None, steps).await;
        let Err(Stop::Broken(f)) = r else {
            panic!("expected a broken conversation")
        };
        assert_eq!(f.kind, FailureKind::ProtocolError);
        assert_eq!(obs.query_type.as_deref(), Some("com.apple.mobile.lockdown"));
    }

    #[tokio::test]
    async fn no_record_means_no_start_session() {
        let endpoint = MuxEndpoint::Unix("/nonexistent".into());
        let mut pre = Dictionary::new();
        pre.insert("ProductVersion".into(), "16.7.2".into());
        let mut s = scripted(vec![
            reply(&[("Type", "com.apple.mobile.lockdown".into())]),
            reply(&[("Value", Value::Dictionary(pre))]),
        ])
        .await;
        let mut obs = LockdownObs::default();
        let steps = Steps::new(
            Deadline::after(Duration::from_secs(5)),
            Duration::from_secs(2),
        );
        let r = converse(&target(&endpoint), &mut s, &mut obs, &mut None, steps).await;
        assert!(matches!(r, Err(Stop::Done(BackupStart::NotAsked(_)))));
        assert_eq!(obs.product_version.as_deref(), Some("16.7.2"));
        assert_eq!(obs.session, SessionObs::NotAttempted);
    }

    #[tokio::test]
    async fn a_phone_not_in_normal_mode_is_asked_nothing_more() {
        let endpoint = MuxEndpoint::Unix("/nonexistent".into());
        // Only QueryType is answered: a second request would find no reply.
        let mut s = scripted(vec![reply(&[("Type", "com.apple.mobile.restored".into())])]).await;
        let mut obs = LockdownObs::default();
        let steps = Steps::new(
            Deadline::after(Duration::from_secs(5)),
            Duration::from_secs(2),
        );
        let r = converse(&target(&endpoint), &mut s, &mut obs, &mut None, steps).await;
        let Err(Stop::Done(BackupStart::NotAsked(why))) = r else {
            panic!("expected to stop after QueryType")
        };
        assert!(why.contains("com.apple.mobile.restored"), "{why}");
        assert_eq!(obs.query_type.as_deref(), Some("com.apple.mobile.restored"));
        assert_eq!(obs.session, SessionObs::NotAttempted);
    }

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
    fn start_service_answers() {
        let mut obs = LockdownObs::default();
        let mut d = Dictionary::new();
        d.insert("Port".into(), Value::Integer(50123u64.into()));
        assert!(matches!(
            start_service_answer(&d, &mut obs),
            BackupStart::Started(ServiceTicket {
                port: 50123,
                ssl: false
            })
        ));
        d.insert("Port".into(), Value::Integer(70000u64.into()));
        assert!(matches!(
            start_service_answer(&d, &mut obs),
            BackupStart::Failed(_)
        ));
        let mut e = Dictionary::new();
        e.insert("Error".into(), "ServiceProhibited".into());
        assert!(matches!(
            start_service_answer(&e, &mut obs),
            BackupStart::Refused(ServiceRefusal {
                reason: LockdownError::ServiceProhibited,
                ..
            })
        ));
        assert_eq!(obs.management.unwrap().refusals, vec!["ServiceProhibited"]);
    }
}
