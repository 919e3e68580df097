//! lockdownd on port 62078: what the phone says before a session, whether it
//! accepts this computer's pair record, and what it says inside a session
//! (device values, backup, disk-usage and battery domains, supervision and
//! restrictions, and where the backup service listens). Sends only
//! QueryType, GetValue, StartSession, StartService and StopSession; `Pair`
//! only under `--request-trust`.
//!
//! Each function here is one stretch of the conversation, with its requests
//! in the order the protocol needs; when each runs, and beside what, is the
//! device orchestrator's decision (`probe::device`). One request and its
//! answer are [`protocol`]'s; the reads of a trusted session, as data that
//! several sessions can share, are [`session_reads`]'s; a short session
//! beside the main one is `service_session`'s; the wire (framing, TLS and
//! what kind of failure a handshake was) is the transport's.

mod bounded;
mod pair;
mod protocol;
mod service_session;
pub mod session_reads;
mod values;

use plist::{Dictionary, Value};

pub use pair::request_trust;
pub use service_session::{open_session, start_service};
pub use session_reads::{Read, Reading};

use self::protocol::{ask, domain, error_of, refusal, ticket};
use crate::platform::mux_address::MuxEndpoint;
use crate::probe::transport::{connect_port, tls, Budget, PairSecrets, PlistStream, LOCKDOWN_PORT};
use crate::snapshot::{
    Failure, FailureKind, LockdownObs, ServiceRefusal, SessionObs, LOCKDOWN_NORMAL_MODE,
};

pub use crate::probe::transport::ServiceTicket;

const BACKUP_SERVICE: &str = "com.apple.mobilebackup2";

/// What lockdownd said about the backup service.
#[derive(Debug)]
pub enum BackupStart {
    /// No trusted session, so the service was not asked for.
    NotAsked(String),
    Started(ServiceTicket),
    Refused(ServiceRefusal),
    Failed(Failure),
}

/// The phone, as `Pair` needs to know it.
pub struct Target<'a> {
    pub endpoint: &'a MuxEndpoint,
    pub device_id: u32,
    pub udid: &'a str,
    /// usbmuxd's BUID, used as SystemBUID in a new pair record.
    pub daemon_buid: Option<&'a str>,
}

/// Why the conversation could not begin.
#[derive(Debug)]
pub enum Opening {
    /// No connection to port 62078.
    Unreachable(Failure),
    /// Connected, but lockdownd never answered QueryType.
    Silent(Failure),
}

/// Connects and asks QueryType. `Ok(None)`: the port answers as another
/// service (restore mode), so nothing more is asked.
pub async fn open(
    endpoint: &MuxEndpoint,
    device_id: u32,
    obs: &mut LockdownObs,
    budget: Budget,
) -> Result<Option<PlistStream>, Opening> {
    let stream = connect(endpoint, device_id, budget)
        .await
        .map_err(Opening::Unreachable)?;
    greet(stream, obs, budget).await.map_err(Opening::Silent)
}

/// A connection to lockdownd's port, nothing asked yet.
pub async fn connect(
    endpoint: &MuxEndpoint,
    device_id: u32,
    budget: Budget,
) -> Result<PlistStream, Failure> {
    let stream = connect_port(endpoint, device_id, LOCKDOWN_PORT, budget.op()).await?;
    Ok(PlistStream::new(stream))
}

/// QueryType on an open connection.
pub async fn greet(
    mut s: PlistStream,
    obs: &mut LockdownObs,
    budget: Budget,
) -> Result<Option<PlistStream>, Failure> {
    let reply = ask(&mut s, obs, "QueryType", Dictionary::new(), budget).await?;
    let query_type = values::string(&reply, "Type").unwrap_or_default();
    obs.query_type = Some(query_type.clone());
    // Anything else on the lockdown port (restored in restore mode) is not
    // a phone in normal mode: nothing more to ask it.
    if !query_type.is_empty() && query_type != LOCKDOWN_NORMAL_MODE {
        return Ok(None);
    }
    Ok(Some(s))
}

/// The pre-session values again, on a fresh connection (after a failed TLS
/// handshake left the first one unusable).
pub async fn reread_pre_session(
    endpoint: &MuxEndpoint,
    device_id: u32,
    obs: &mut LockdownObs,
    budget: Budget,
) -> Result<(), Failure> {
    let stream = connect_port(endpoint, device_id, LOCKDOWN_PORT, budget.op()).await?;
    let mut s = PlistStream::new(stream);
    ask(&mut s, obs, "QueryType", Dictionary::new(), budget).await?;
    pre_session_values(&mut s, obs, budget).await
}

/// The values any host may read before a session (model, iOS version). Read
/// only when there will be no session, or it was refused: a trusted session
/// gives them all, one round trip sooner.
pub async fn pre_session_values(
    s: &mut PlistStream,
    obs: &mut LockdownObs,
    budget: Budget,
) -> Result<(), Failure> {
    let reply = ask(s, obs, "GetValue", Dictionary::new(), budget).await?;
    match (reply.get("Value"), error_of(&reply)) {
        (Some(Value::Dictionary(d)), _) => values::apply_root(obs, d, false),
        (_, Some(e)) => obs.unreadable.push(format!("pre-session values: {e}")),
        _ => obs.unreadable.push("pre-session values: no Value".into()),
    }
    host_minimums(s, obs, budget).await
}

/// The oldest macOS and iTunes the phone accepts (`com.apple.mobile.iTunes`,
/// which lockdownd answers with or without a session).
async fn host_minimums(
    s: &mut PlistStream,
    obs: &mut LockdownObs,
    budget: Budget,
) -> Result<(), Failure> {
    if let Some(d) = domain(s, obs, session_reads::ITUNES, budget).await? {
        if let Some(m) = values::host_minimums(&d) {
            obs.host_minimums = Some(m);
        }
    }
    Ok(())
}

/// What came of asking for a session.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionStart {
    /// Trusted (over TLS when the phone asked); the id ends it politely and
    /// is kept in memory only.
    Trusted { session_id: Option<String> },
    /// No session, and why (the pre-session values were read instead, where
    /// the phone still talks).
    NotOpened(String),
}

/// StartSession with the pair record, then TLS when the phone asks. A
/// record that cannot work is named before anything is sent; a refusal is
/// recorded with the phone's words.
pub async fn start_session(
    s: &mut PlistStream,
    obs: &mut LockdownObs,
    record: &PairSecrets,
    budget: Budget,
) -> Result<SessionStart, Failure> {
    let Some(host_id) = record.host_id() else {
        pre_session_values(s, obs, budget).await?;
        obs.unreadable
            .push("the pair record has no HostID: StartSession not sent".into());
        return Ok(SessionStart::NotOpened(
            "the pair record has no HostID".into(),
        ));
    };
    // A record idevice cannot load could never finish the TLS handshake:
    // say so now, instead of opening a session that must fail.
    let Some(pf) = record.pairing_file() else {
        pre_session_values(s, obs, budget).await?;
        obs.unreadable.push(
            "the pair record's keys or certificates cannot be loaded here: StartSession not sent"
                .into(),
        );
        return Ok(SessionStart::NotOpened(
            "the pair record cannot be used for TLS here".into(),
        ));
    };
    let mut fields = Dictionary::new();
    fields.insert("HostID".into(), host_id.into());
    if let Some(buid) = record.system_buid() {
        fields.insert("SystemBUID".into(), buid.into());
    }
    let reply = ask(s, obs, "StartSession", fields, budget).await?;
    if let Some(raw) = error_of(&reply) {
        let reason = refusal(&raw, obs);
        obs.session = SessionObs::Refused { reason, raw };
        pre_session_values(s, obs, budget).await?;
        return Ok(SessionStart::NotOpened(
            "the phone refused the session".into(),
        ));
    }
    let session_id = values::string(&reply, "SessionID");
    if values::boolean(&reply, "EnableSessionSSL") == Some(true) {
        let plain = s.take();
        match tls::upgrade(plain, pf, budget).await {
            Ok(secure) => *s = secure,
            Err((kind, message)) => {
                obs.session = SessionObs::TlsFailed { message, kind };
                return Ok(SessionStart::NotOpened("no secure session".into()));
            }
        }
    }
    obs.session = SessionObs::Trusted;
    Ok(SessionStart::Trusted { session_id })
}

/// StartService `com.apple.mobilebackup2` in a trusted session. As
/// idevicebackup2 and pymobiledevice3 do, the pair record's escrow bag goes
/// with it: a locked phone with a passcode starts its backup service only
/// for a host that sends it.
pub async fn start_backup_service(
    s: &mut PlistStream,
    obs: &mut LockdownObs,
    record: &PairSecrets,
    budget: Budget,
) -> Result<BackupStart, Failure> {
    let mut fields = Dictionary::new();
    fields.insert("Service".into(), BACKUP_SERVICE.into());
    let escrow_bag = record.escrow_bag();
    obs.escrow_bag_sent = Some(escrow_bag.is_some());
    if let Some(bag) = escrow_bag {
        fields.insert("EscrowBag".into(), Value::Data(bag.to_vec()));
    }
    let reply = ask(s, obs, "StartService", fields, budget).await?;
    Ok(start_service_answer(&reply, obs))
}

fn start_service_answer(reply: &Dictionary, obs: &mut LockdownObs) -> BackupStart {
    if let Some(raw) = error_of(reply) {
        let reason = refusal(&raw, obs);
        return BackupStart::Refused(ServiceRefusal { reason, raw });
    }
    match ticket(reply) {
        Some(t) => BackupStart::Started(t),
        None => BackupStart::Failed(Failure::new(
            FailureKind::ProtocolError,
            "the answer to StartService has no usable Port",
        )),
    }
}

/// Everything else in a trusted session, on this one session: the values,
/// the domains, then `StopSession`.
pub async fn session_values(
    s: &mut PlistStream,
    obs: &mut LockdownObs,
    session_id: Option<String>,
    budget: Budget,
) -> Result<(), Failure> {
    let reading = read_session(s, &session_reads::ALL, session_id, Stop::Answered, budget).await;
    session_reads::apply(obs, reading.answers);
    obs.reply_ms.extend(reading.stop_ms);
    match reading.broke {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

/// `reads` in turn on one trusted session, then `StopSession` (unless the
/// conversation broke). The answers are applied by the caller, in one
/// order whichever session read them ([`session_reads::apply`]).
pub async fn read_session(
    s: &mut PlistStream,
    reads: &[Read],
    session_id: Option<String>,
    stop: Stop,
    budget: Budget,
) -> Reading {
    let mut reading = session_reads::ask_in_turn(s, reads, budget).await;
    if reading.broke.is_none() {
        match stop {
            Stop::Answered => {
                let sent = std::time::Instant::now();
                if protocol::stop_session(s, session_id, budget).await {
                    reading.stop_ms = Some(sent.elapsed().as_millis() as u64);
                }
            }
            Stop::Sent => protocol::send_stop_session(s, session_id, budget).await,
        }
    }
    reading
}

/// How a session ends once its reads are done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// `StopSession`, its answer awaited (and timed).
    Answered,
    /// `StopSession` sent, its answer not awaited (a slow link).
    Sent,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::transport::plist_stream::encode;
    use crate::probe::transport::Deadline;
    use crate::snapshot::LockdownError;
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
        encode(&Value::Dictionary(d), false).unwrap()
    }

    fn budget() -> Budget {
        Budget::new(
            Deadline::after(Duration::from_secs(5)),
            Duration::from_secs(2),
        )
    }

    #[tokio::test]
    async fn garbage_mid_conversation_is_recorded_not_a_panic() {
        let s = scripted(vec![
            reply(&[("Type", "com.apple.mobile.lockdown".into())]),
            vec![0xff, 0xff, 0xff, 0xf0],
        ])
        .await;
        let mut obs = LockdownObs::default();
        let mut s = greet(s, &mut obs, budget())
            .await
            .expect("QueryType answered")
            .expect("normal mode");
        let f = pre_session_values(&mut s, &mut obs, budget())
            .await
            .expect_err("garbage breaks the conversation");
        assert_eq!(f.kind, FailureKind::ProtocolError);
        assert_eq!(obs.query_type.as_deref(), Some("com.apple.mobile.lockdown"));
    }

    #[tokio::test]
    async fn the_values_any_host_may_read_before_a_session() {
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
        let mut s = greet(s, &mut obs, budget()).await.unwrap().unwrap();
        pre_session_values(&mut s, &mut obs, budget())
            .await
            .unwrap();
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
        let r = greet(s, &mut obs, budget())
            .await
            .expect("QueryType answered");
        assert!(r.is_none(), "stops after QueryType");
        assert_eq!(obs.reply_ms.len(), 1);
        assert_eq!(obs.query_type.as_deref(), Some("com.apple.mobile.restored"));
        assert_eq!(obs.session, SessionObs::NotAttempted);
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
