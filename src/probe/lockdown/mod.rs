//! lockdownd on port 62078: what the phone says before a session, whether it
//! accepts this computer's pair record, and what it says inside ONE session
//! (device values, backup, disk-usage and battery domains, supervision and
//! restrictions, and the backup service's port). Sends only QueryType, GetValue, StartSession,
//! StartService and StopSession; `Pair` only under `--request-trust`.

mod bounded;
pub mod framing;
mod pair;
pub mod service_session;
mod values;

use std::future::Future;
use std::time::Instant;

use plist::{Dictionary, Value};

use self::framing::PlistStream;
use crate::probe::backup_service;
use crate::probe::device::{connect::connect_port, Steps};
use crate::probe::pairing::PairSecrets;
use crate::snapshot::{
    BackupServiceObs, Failure, FailureKind, LockdownError, LockdownObs, Management, Outcome,
    ServiceRefusal, SessionObs, TlsFailure, LOCKDOWN_NORMAL_MODE,
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
    /// The backup service's handshake, run on its own connection while the
    /// session's values are read on this one.
    pub backup_service: Outcome<BackupServiceObs>,
}

/// What the lockdown stage needs to know about the phone and the run.
pub struct Target<'a> {
    pub endpoint: &'a crate::platform::mux_address::MuxEndpoint,
    pub device_id: u32,
    pub udid: &'a str,
    pub request_trust: bool,
    /// usbmuxd's BUID, used as SystemBUID in a new pair record.
    pub daemon_buid: Option<&'a str>,
    /// Whether another program is backing up (see `DeviceStage`); None in
    /// tests that have no host probe.
    pub backing_up: Option<&'a tokio::sync::watch::Receiver<Option<Option<String>>>>,
}

/// Runs the lockdown conversation. `pairing` (the pair-record lookup) runs
/// while the connection opens and the pre-session values are read, since
/// only `StartSession` needs the record.
pub async fn probe(
    t: &Target<'_>,
    pairing: impl Future<Output = Option<PairSecrets>>,
    steps: Steps,
) -> LockdownRun {
    let started = Instant::now();
    let mut obs = LockdownObs::default();
    let opening = open(t, &mut obs, steps);
    let (opened, secrets) = tokio::join!(opening, pairing);
    let failed = |failure: Failure, why: &str| LockdownRun {
        obs: Outcome::Failed {
            duration_ms: started.elapsed().as_millis() as u64,
            failure,
        },
        backup_service: Outcome::skipped(why),
    };
    let mut s = match opened {
        Ok(Some(s)) => s,
        Ok(None) => {
            let why = format!(
                "the phone's lockdown port answers as {:?}, not in normal mode",
                obs.query_type.as_deref().unwrap_or("")
            );
            return LockdownRun {
                obs: Outcome::Ok {
                    duration_ms: started.elapsed().as_millis() as u64,
                    value: obs,
                },
                backup_service: Outcome::skipped(why),
            };
        }
        Err(Opening::Unreachable(f)) => return failed(f, "lockdownd could not be reached"),
        Err(Opening::Silent(f)) => return failed(f, "lockdownd did not answer"),
    };
    let mut secrets = secrets;
    let service = match converse(t, &mut s, &mut obs, &mut secrets, steps).await {
        Ok(service) => service,
        Err(Stop::Broken(f)) => {
            let why = format!("the lockdown conversation broke off: {}", f.message);
            obs.aborted = Some(f);
            Outcome::skipped(why)
        }
        Err(Stop::Done(b)) => backup_service::probe(t.endpoint, t.device_id, b, None, steps).await,
    };
    if matches!(obs.session, SessionObs::TlsFailed { .. }) && obs.product_version.is_none() {
        // The failed TLS connection is unusable; the phone's model and iOS
        // version (which say, for one, whether it wants TLS 1.0) come from
        // a fresh one.
        if let Err(f) = reread_pre_session(t, &mut obs, steps).await {
            tracing::debug!(
                kind = f.kind.as_str(),
                "pre-session values after TLS failure"
            );
        }
    }
    // `secrets` is dropped here: keys never outlive the phone's probe.
    LockdownRun {
        obs: Outcome::Ok {
            duration_ms: started.elapsed().as_millis() as u64,
            value: obs,
        },
        backup_service: service,
    }
}

enum Opening {
    /// No connection to port 62078.
    Unreachable(Failure),
    /// Connected, but lockdownd never answered QueryType.
    Silent(Failure),
}

/// Connects, asks QueryType and the pre-session values. `Ok(None)`: the port
/// answers as another service (restore mode), so nothing more is asked.
async fn open(
    t: &Target<'_>,
    obs: &mut LockdownObs,
    steps: Steps,
) -> Result<Option<PlistStream>, Opening> {
    let stream = connect_port(t.endpoint, t.device_id, LOCKDOWN_PORT, steps.op())
        .await
        .map_err(Opening::Unreachable)?;
    greet(PlistStream::new(stream), obs, steps)
        .await
        .map_err(Opening::Silent)
}

/// QueryType and the pre-session values on an open connection.
async fn greet(
    mut s: PlistStream,
    obs: &mut LockdownObs,
    steps: Steps,
) -> Result<Option<PlistStream>, Failure> {
    let reply = ask(&mut s, obs, "QueryType", Dictionary::new(), steps).await?;
    let query_type = values::string(&reply, "Type").unwrap_or_default();
    obs.query_type = Some(query_type.clone());
    // Anything else on the lockdown port (restored in restore mode) is not
    // a phone in normal mode: nothing more to ask it.
    if !query_type.is_empty() && query_type != LOCKDOWN_NORMAL_MODE {
        return Ok(None);
    }
    Ok(Some(s))
}

async fn reread_pre_session(
    t: &Target<'_>,
    obs: &mut LockdownObs,
    steps: Steps,
) -> Result<(), Failure> {
    let stream = connect_port(t.endpoint, t.device_id, LOCKDOWN_PORT, steps.op()).await?;
    let mut s = PlistStream::new(stream);
    ask(&mut s, obs, "QueryType", Dictionary::new(), steps).await?;
    pre_session_values(&mut s, obs, steps).await
}

/// The values any host may read before a session (model, iOS version). Read
/// only when there will be no session, or it was refused: a trusted session
/// gives them all, one round trip sooner.
async fn pre_session_values(
    s: &mut PlistStream,
    obs: &mut LockdownObs,
    steps: Steps,
) -> Result<(), Failure> {
    let reply = ask(s, obs, "GetValue", Dictionary::new(), steps).await?;
    match (reply.get("Value"), error_of(&reply)) {
        (Some(Value::Dictionary(d)), _) => values::apply_root(obs, d, false),
        (_, Some(e)) => obs.unreadable.push(format!("pre-session values: {e}")),
        _ => obs.unreadable.push("pre-session values: no Value".into()),
    }
    host_minimums(s, obs, steps).await
}

/// The oldest macOS and iTunes the phone accepts (`com.apple.mobile.iTunes`,
/// which lockdownd answers with or without a session).
async fn host_minimums(
    s: &mut PlistStream,
    obs: &mut LockdownObs,
    steps: Steps,
) -> Result<(), Failure> {
    if let Some(d) = domain(s, obs, "com.apple.mobile.iTunes", steps).await? {
        let m = crate::snapshot::HostMinimums {
            min_macos: values::string(&d, "MinMacOSVersion"),
            min_itunes: values::string(&d, "MinITunesVersion"),
        };
        if m.min_macos.is_some() || m.min_itunes.is_some() {
            obs.host_minimums = Some(m);
        }
    }
    Ok(())
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
) -> Result<Outcome<BackupServiceObs>, Stop> {
    if secrets.is_none() {
        pre_session_values(s, obs, steps).await?;
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
        pre_session_values(s, obs, steps).await?;
        obs.unreadable
            .push("the pair record has no HostID: StartSession not sent".into());
        return Err(Stop::Done(BackupStart::NotAsked(
            "the pair record has no HostID".into(),
        )));
    };

    // A record idevice cannot load could never finish the TLS handshake:
    // say so now, instead of opening a session that must fail.
    if record.pairing_file().is_none() {
        pre_session_values(s, obs, steps).await?;
        obs.unreadable.push(
            "the pair record's keys or certificates cannot be loaded here: StartSession not sent"
                .into(),
        );
        return Err(Stop::Done(BackupStart::NotAsked(
            "the pair record cannot be used for TLS here".into(),
        )));
    }
    let mut fields = Dictionary::new();
    fields.insert("HostID".into(), host_id.into());
    if let Some(buid) = record.system_buid() {
        fields.insert("SystemBUID".into(), buid.into());
    }
    let reply = ask(s, obs, "StartSession", fields, steps).await?;
    if let Some(raw) = error_of(&reply) {
        let reason = LockdownError::parse(&raw);
        if reason.is_management() {
            obs.management
                .get_or_insert_with(Management::default)
                .refusals
                .push(raw.clone());
        }
        obs.session = SessionObs::Refused { reason, raw };
        pre_session_values(s, obs, steps).await?;
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
                kind: TlsFailure::UnusableRecord,
            };
            return Err(Stop::Done(BackupStart::NotAsked(
                "no secure session".into(),
            )));
        };
        let plain = s.take();
        match tls(plain, pf, steps).await {
            Ok(secure) => *s = secure,
            Err((kind, message)) => {
                obs.session = SessionObs::TlsFailed { message, kind };
                return Err(Stop::Done(BackupStart::NotAsked(
                    "no secure session".into(),
                )));
            }
        }
    }
    obs.session = SessionObs::Trusted;

    // Never touch the backup service while another program backs up: `watch`
    // and `devices` probe again and again, and a backup must not be disturbed.
    if let Some(tool) = backup_elsewhere(t, steps).await {
        let why = format!("{tool} is backing up: the backup service was left alone");
        let (service, read) = tokio::join!(
            backup_service::probe(
                t.endpoint,
                t.device_id,
                BackupStart::NotAsked(why),
                None,
                steps
            ),
            session_values(s, obs, session_id, steps)
        );
        if let Err(f) = read {
            obs.aborted = Some(f);
        }
        return Ok(service);
    }

    // The backup service first: its own connection and handshake then run
    // while this session's values are read.
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
    let start = match ask(s, obs, "StartService", fields, steps).await {
        Ok(reply) => start_service_answer(&reply, obs),
        Err(f) => return Err(Stop::Broken(f)),
    };
    let service = backup_service::probe(t.endpoint, t.device_id, start, Some(record), steps);
    let (service, read) = tokio::join!(service, session_values(s, obs, session_id, steps));
    if let Err(f) = read {
        obs.aborted = Some(f);
    }
    Ok(service)
}

/// The program backing up right now, if the host probe saw one; waits for
/// the host probe at most until the next step's deadline.
async fn backup_elsewhere(t: &Target<'_>, steps: Steps) -> Option<String> {
    let mut rx = t.backing_up?.clone();
    let known = tokio::time::timeout_at(steps.op().instant(), rx.wait_for(Option::is_some)).await;
    match known {
        Ok(Ok(v)) => v.clone().flatten(),
        _ => None,
    }
}

/// Everything else in the one session: the values, the domains, then
/// `StopSession`.
async fn session_values(
    s: &mut PlistStream,
    obs: &mut LockdownObs,
    session_id: Option<String>,
    steps: Steps,
) -> Result<(), Failure> {
    let reply = ask(s, obs, "GetValue", Dictionary::new(), steps).await?;
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
    host_minimums(s, obs, steps).await?;
    if let Some(d) = domain(s, obs, "com.apple.purplebuddy", steps).await? {
        obs.setup_done = values::boolean(&d, "SetupDone");
    }
    if let Some(d) = domain(s, obs, "com.apple.mobile.chaperone", steps).await? {
        obs.management
            .get_or_insert_with(Management::default)
            .supervised = values::boolean(&d, "DeviceIsChaperoned");
    }
    // Read-only, like every GetValue; a phone that refuses the domain
    // (MissingValue, GetProhibited) is noted in `unreadable` by `domain`.
    if let Some(d) = domain(s, obs, "com.apple.mobile.restriction", steps).await? {
        obs.management
            .get_or_insert_with(Management::default)
            .restrictions = Some(values::restrictions(&d));
    }
    let mut fields = Dictionary::new();
    if let Some(id) = session_id {
        fields.insert("SessionID".into(), id.into());
    }
    if let Err(f) = ask(s, obs, "StopSession", fields, steps).await {
        tracing::debug!(kind = f.kind.as_str(), "StopSession failed");
    }
    Ok(())
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
    let reply = ask(s, obs, "GetValue", fields, steps).await?;
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

/// [`call`], with the time the phone took to answer kept as evidence (a
/// healthy phone answers in a few milliseconds).
async fn ask(
    s: &mut PlistStream,
    obs: &mut LockdownObs,
    request: &str,
    fields: Dictionary,
    steps: Steps,
) -> Result<Dictionary, Failure> {
    let sent = Instant::now();
    let reply = call(s, request, fields, steps).await?;
    obs.reply_ms.push(sent.elapsed().as_millis() as u64);
    Ok(reply)
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
/// through idevice (its logging silenced: it would print the handshake). The
/// handshake runs in its own task, so a panic inside idevice (an `unwrap` on
/// a key it cannot load) is a failure of this phone, not a lost probe.
pub async fn tls(
    plain: PlistStream,
    pf: &idevice::pairing_file::PairingFile,
    steps: Steps,
) -> Result<PlistStream, (TlsFailure, String)> {
    use tracing::instrument::WithSubscriber;
    let mut dev = idevice::Idevice::new(plain.into_inner(), LABEL);
    let pf = pf.clone();
    let handshake = tokio::spawn(
        async move {
            let r = dev.start_session(&pf, false).await;
            (dev, r)
        }
        .with_subscriber(tracing::subscriber::NoSubscriber::default()),
    );
    match tokio::time::timeout_at(steps.op().instant(), handshake).await {
        Ok(Ok((dev, Ok(())))) => match dev.get_socket() {
            Some(sock) => Ok(PlistStream::new(sock)),
            None => Err((TlsFailure::Closed, "the TLS connection was lost".into())),
        },
        Ok(Ok((_, Err(e)))) => Err((tls_failure(&e), format!("TLS handshake failed: {e}"))),
        Ok(Err(_)) => Err((
            TlsFailure::Crashed,
            "the TLS code (idevice) crashed on this pair record's keys".into(),
        )),
        Err(_) => Err((
            TlsFailure::TimedOut,
            "TLS handshake: no answer before the deadline".into(),
        )),
    }
}

/// What kind of TLS failure idevice reported: the phone closing the
/// connection is told apart from an alert or a local error.
fn tls_failure(e: &idevice::IdeviceError) -> TlsFailure {
    let text = e.to_string().to_ascii_lowercase();
    match e {
        idevice::IdeviceError::Socket(io) => match io.kind() {
            std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::BrokenPipe => TlsFailure::Closed,
            _ if text.contains("alert") => TlsFailure::Alert,
            _ => TlsFailure::Other,
        },
        _ if text.contains("alert") => TlsFailure::Alert,
        _ if text.contains("eof") || text.contains("closed") || text.contains("reset") => {
            TlsFailure::Closed
        }
        _ => TlsFailure::Other,
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

    /// The conversation after the connection opened, as `probe` runs it.
    async fn talk(
        endpoint: &MuxEndpoint,
        s: PlistStream,
        obs: &mut LockdownObs,
    ) -> Result<Result<Outcome<BackupServiceObs>, Stop>, Failure> {
        let steps = Steps::new(
            Deadline::after(Duration::from_secs(5)),
            Duration::from_secs(2),
        );
        let Some(mut s) = greet(s, obs, steps).await? else {
            return Ok(Err(Stop::Done(BackupStart::NotAsked(
                "not normal mode".into(),
            ))));
        };
        Ok(converse(&target(endpoint), &mut s, obs, &mut None, steps).await)
    }

    fn target(endpoint: &MuxEndpoint) -> Target<'_> {
        Target {
            endpoint,
            device_id: 1,
            udid: "X",
            request_trust: false,
            daemon_buid: None,
            backing_up: None,
        }
    }

    #[tokio::test]
    async fn garbage_mid_conversation_is_recorded_not_a_panic() {
        let endpoint = MuxEndpoint::Unix("/nonexistent".into());
        let s = scripted(vec![
            reply(&[("Type", "com.apple.mobile.lockdown".into())]),
            vec![0xff, 0xff, 0xff, 0xf0],
        ])
        .await;
        let mut obs = LockdownObs::default();
        let r = talk(&endpoint, s, &mut obs)
            .await
            .expect("QueryType answered");
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
        let mut itunes = Dictionary::new();
        itunes.insert("MinMacOSVersion".into(), "10.15".into());
        let s = scripted(vec![
            reply(&[("Type", "com.apple.mobile.lockdown".into())]),
            reply(&[("Value", Value::Dictionary(pre))]),
            reply(&[("Value", Value::Dictionary(itunes))]),
        ])
        .await;
        let mut obs = LockdownObs::default();
        let r = talk(&endpoint, s, &mut obs).await.expect("answered");
        assert!(matches!(r, Err(Stop::Done(BackupStart::NotAsked(_)))));
        assert_eq!(obs.reply_ms.len(), 3, "each answer's time is kept");
        assert_eq!(
            obs.host_minimums
                .as_ref()
                .and_then(|m| m.min_macos.as_deref()),
            Some("10.15"),
            "com.apple.mobile.iTunes is read before a session"
        );
        assert_eq!(obs.product_version.as_deref(), Some("16.7.2"));
        assert_eq!(obs.session, SessionObs::NotAttempted);
    }

    #[tokio::test]
    async fn a_phone_not_in_normal_mode_is_asked_nothing_more() {
        // Only QueryType is answered: a second request would find no reply.
        let s = scripted(vec![reply(&[("Type", "com.apple.mobile.restored".into())])]).await;
        let mut obs = LockdownObs::default();
        let steps = Steps::new(
            Deadline::after(Duration::from_secs(5)),
            Duration::from_secs(2),
        );
        let r = greet(s, &mut obs, steps).await.expect("QueryType answered");
        assert!(r.is_none(), "stops after QueryType");
        assert_eq!(obs.reply_ms.len(), 1);
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
