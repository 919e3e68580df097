//! The device orchestrator: after usbmuxd has listed the phones, each phone
//! (or the one `--udid` names) is probed, phones concurrently. This is the
//! one place that decides the order of the phone's conversations and which
//! of them overlap; the services (pairing, lockdown, the backup service,
//! the log relay) each speak their own protocol over the transport and know
//! nothing of each other. Every request runs under the overall deadline and
//! its own per-request limit, whichever comes first ([`Budget`]).
//!
//! The sequence of one diagnosis, per phone (`∥`: at the same time):
//!
//! ```text
//! 1. pair record (usbmuxd ReadPairRecord, else the lockdown folder)
//!      ∥ lockdownd: Connect 62078, QueryType
//!        (a slow Connect, a link in trouble: two more Connects beside QueryType)
//!    not in normal mode -> stop; unreachable or silent -> stop
//! 2. no record: pre-session values (GetValue, com.apple.mobile.iTunes);
//!    with --request-trust: Pair (the one request that writes, on demand)
//! 3. StartSession with the record (+ TLS when the phone asks)
//!      ∥ the same on the extra connections, if any;
//!    refused -> pre-session values, stop
//! 4. another program backing up? -> session values only, backup service left alone
//! 5. StartService com.apple.mobilebackup2 (+ the escrow bag)
//! 6. backup service: Connect, version exchange, Hello, disconnect
//!      ∥ session values: GetValue root and seven domains, StopSession
//!        (on a slow link shared out: root and backup on this session,
//!        three domains on each extra one, every session then StopSession,
//!        sent without waiting for its answer; the answers are applied in
//!        one order whoever read them)
//! 7. TLS failed and no model known -> pre-session values on a fresh connection
//! 8. a trusted phone and a listen window -> its backup log (syslog_relay)
//! after every phone: ListDevices again (presence: who dropped off)
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use plist::Dictionary;

use crate::platform::mux_address::MuxEndpoint;
use crate::probe::lockdown::{
    self, session_reads, BackupStart, Opening, Read, Reading, SessionStart, Stop,
};
use crate::probe::transport::{open_service, Budget, MuxClient, PairSecrets, PlistStream};
use crate::probe::usbmuxd::parse_device_list;
use crate::probe::{backup_service, pairing, syslog};
use crate::snapshot::{
    same_udid, udid_key, BackupServiceObs, DeviceObs, Failure, FailureKind, LockdownObs,
    MuxConnection, MuxDevice, Outcome, PresenceObs, SessionObs,
};

/// What the device stage needs from the request.
#[derive(Debug, Clone)]
pub struct DeviceStage {
    pub endpoint: MuxEndpoint,
    pub request_trust: bool,
    pub daemon_buid: Option<String>,
    /// `<UDID>.plist` in the host lockdown folder, per phone.
    pub record_files: BTreeMap<String, PathBuf>,
    /// The host probe's answer to "is another program backing up?": None
    /// until it is known, then the program's name if one is.
    pub backing_up: tokio::sync::watch::Receiver<Option<Option<String>>>,
    /// Read a trusted phone's backup log for this long (None: never; zero:
    /// only while another program backs up, for `syslog::window::WHILE_BACKING_UP`).
    pub phone_log: Option<Duration>,
}

/// The phones to probe: one entry per UDID (USB preferred over Wi-Fi when a
/// phone is listed both ways), only the `--udid` one when given.
pub fn targets(listed: &[MuxDevice], udid: Option<&str>) -> Vec<MuxDevice> {
    let mut by_udid: BTreeMap<String, &MuxDevice> = BTreeMap::new();
    for d in listed {
        if udid.is_some_and(|u| !same_udid(u, &d.udid)) {
            continue;
        }
        let key = udid_key(&d.udid);
        let better = match by_udid.get(&key) {
            None => true,
            Some(seen) => {
                seen.connection != MuxConnection::Usb && d.connection == MuxConnection::Usb
            }
        };
        if better {
            by_udid.insert(key, d);
        }
    }
    by_udid.into_values().cloned().collect()
}

/// One phone's diagnosis, in the order drawn at the top of this file.
pub async fn probe_one(stage: &DeviceStage, dev: &MuxDevice, budget: Budget) -> DeviceObs {
    let mut obs = DeviceObs {
        udid: dev.udid.clone(),
        device_id: Some(dev.device_id),
        connection: Some(dev.connection),
        ..Default::default()
    };
    let file = stage.record_files.get(&dev.udid).map(PathBuf::as_path);
    let started = Instant::now();
    let mut lockdown = LockdownObs::default();
    // 1. Only StartSession needs the pair record: look it up while the
    //    lockdown port is opened and greeted.
    let ((pairing, secrets), (opened, extras)) = tokio::join!(
        pairing::probe(&stage.endpoint, &dev.udid, file, budget.op()),
        open_lockdown(&stage.endpoint, dev.device_id, &mut lockdown, budget),
    );
    obs.pairing = pairing;
    let lockdown_failed = |failure: Failure| Outcome::Failed {
        duration_ms: started.elapsed().as_millis() as u64,
        failure,
    };
    let service = match opened {
        Ok(Some(mut s)) => {
            converse(stage, dev, &mut s, extras, &mut lockdown, secrets, budget).await
        }
        Ok(None) => Outcome::skipped(format!(
            "the phone's lockdown port answers as {:?}, not in normal mode",
            lockdown.query_type.as_deref().unwrap_or("")
        )),
        Err(Opening::Unreachable(f)) => {
            obs.lockdown = lockdown_failed(f);
            obs.backup_service = Outcome::skipped("lockdownd could not be reached");
            return obs;
        }
        Err(Opening::Silent(f)) => {
            obs.lockdown = lockdown_failed(f);
            obs.backup_service = Outcome::skipped("lockdownd did not answer");
            return obs;
        }
    };
    // 7. The failed TLS connection is unusable; the phone's model and iOS
    //    version (which say, for one, whether it wants TLS 1.0) come from a
    //    fresh one.
    if matches!(lockdown.session, SessionObs::TlsFailed { .. })
        && lockdown.product_version.is_none()
    {
        if let Err(f) =
            lockdown::reread_pre_session(&stage.endpoint, dev.device_id, &mut lockdown, budget)
                .await
        {
            tracing::debug!(
                kind = f.kind.as_str(),
                "pre-session values after TLS failure"
            );
        }
    }
    obs.lockdown = Outcome::Ok {
        duration_ms: started.elapsed().as_millis() as u64,
        value: lockdown,
    };
    obs.backup_service = service;
    // 8. The phone's backup log.
    if let Some(window) = log_window(stage, &obs) {
        let open = open_phone_log(&stage.endpoint, dev.device_id, &dev.udid, file, budget);
        obs.backup_log = Some(syslog::window::read(open, window, budget).await);
    }
    obs
}

/// Steps 2 to 6 on the greeted lockdown connection; the backup service's
/// outcome. The pair record's keys are dropped when this returns: they
/// never outlive the phone's conversation.
async fn converse(
    stage: &DeviceStage,
    dev: &MuxDevice,
    s: &mut PlistStream,
    extras: Vec<PlistStream>,
    l: &mut LockdownObs,
    secrets: Option<PairSecrets>,
    budget: Budget,
) -> Outcome<BackupServiceObs> {
    let broken = |l: &mut LockdownObs, f: Failure| {
        let why = format!("the lockdown conversation broke off: {}", f.message);
        l.aborted = Some(f);
        Outcome::skipped(why)
    };
    let mut secrets = secrets;
    // 2. Without a record: what any host may read, then Pair if asked.
    if secrets.is_none() {
        if let Err(f) = lockdown::pre_session_values(s, l, budget).await {
            return broken(l, f);
        }
        if stage.request_trust {
            let target = lockdown::Target {
                endpoint: &stage.endpoint,
                device_id: dev.device_id,
                udid: &dev.udid,
                daemon_buid: stage.daemon_buid.as_deref(),
            };
            let (back, answer, new_secrets) =
                lockdown::request_trust(&target, s.take(), budget).await;
            l.pair_request = answer;
            secrets = new_secrets;
            match back {
                Ok(stream) => *s = stream,
                Err(f) => return broken(l, f),
            }
        }
    }
    let Some(record) = secrets.as_ref() else {
        return Outcome::skipped("this computer has no pair record for the phone");
    };
    // 3. The session (and, on a slow link, the extra ones beside it).
    let (main, extras) = tokio::join!(
        lockdown::start_session(s, l, record, budget),
        extra_sessions(extras, record, budget),
    );
    let session_id = match main {
        Ok(SessionStart::Trusted { session_id }) => session_id,
        Ok(SessionStart::NotOpened(why)) => {
            stop_all(extras, budget).await;
            return Outcome::skipped(why);
        }
        Err(f) => {
            stop_all(extras, budget).await;
            return broken(l, f);
        }
    };
    // 4. Never touch the backup service while another program backs up:
    //    `watch` and `devices` probe again and again, and a backup must not
    //    be disturbed.
    if let Some(tool) = backup_elsewhere(&stage.backing_up, budget).await {
        let (read, ()) = tokio::join!(
            lockdown::session_values(s, l, session_id, budget),
            stop_all(extras, budget),
        );
        if let Err(f) = read {
            l.aborted = Some(f);
        }
        return Outcome::skipped(format!(
            "{tool} is backing up: the backup service was left alone"
        ));
    }
    // 5. The backup service first, so that 6. its handshake, on its own
    //    connection, runs while this session's values are read; the extra
    //    sessions read their share meanwhile.
    let shares = session_reads::share(&session_reads::ALL, MAIN_READS, extras.len());
    // On a slow link (extra sessions open) no session waits for its
    // StopSession's answer: presence's ListDevices goes out a round trip
    // sooner.
    let stop = if extras.is_empty() {
        Stop::Answered
    } else {
        Stop::Sent
    };
    let (main_reads, extra_reads): (&[Read], &[Vec<Read>]) = match shares.split_first() {
        Some((main, rest)) => (main, rest),
        None => (&session_reads::ALL, &[]),
    };
    let main = async {
        let start = lockdown::start_backup_service(s, l, record, budget).await?;
        let service = backup_service_stage(&stage.endpoint, dev.device_id, start, record, budget);
        let (service, reading) = tokio::join!(
            service,
            lockdown::read_session(s, main_reads, session_id, stop, budget)
        );
        Ok::<_, Failure>((service, reading))
    };
    let (main, others) = tokio::join!(main, read_extras(extras, extra_reads, stop, budget));
    let mut answers = Vec::new();
    let (service, mut broke, stop_ms) = match main {
        Ok((service, reading)) => {
            answers.extend(reading.answers);
            (Some(service), reading.broke, reading.stop_ms)
        }
        Err(f) => (None, Some(f), None),
    };
    for r in others {
        answers.extend(r.answers);
        broke = broke.or(r.broke);
    }
    // In one order, whichever session read them (their reply times too).
    session_reads::apply(l, answers);
    l.reply_ms.extend(stop_ms);
    match (service, broke) {
        (Some(service), broke) => {
            if let Some(f) = broke {
                l.aborted = Some(f);
            }
            service
        }
        (None, Some(f)) => broken(l, f),
        (None, None) => Outcome::skipped("the lockdown conversation broke off"),
    }
}

/// The reads of a trusted session that stay on the main one (the root
/// values and the backup domain) when extra sessions share the rest.
const MAIN_READS: usize = 2;
/// A lockdownd `Connect` slower than this is a slow link (a phone answers
/// in milliseconds): the session's reads are then shared over this many
/// more sessions, opened while the first is greeted. The dependencies allow
/// it: a read needs nothing but a trusted session.
const SLOW_CONNECT: Duration = Duration::from_millis(1000);

/// Step 1's lockdown side: Connect and QueryType; on a slow link, two more
/// connections opened beside QueryType for the extra sessions.
async fn open_lockdown(
    endpoint: &MuxEndpoint,
    device_id: u32,
    l: &mut LockdownObs,
    budget: Budget,
) -> (Result<Option<PlistStream>, Opening>, Vec<PlistStream>) {
    let started = Instant::now();
    let main = match lockdown::connect(endpoint, device_id, budget).await {
        Ok(s) => s,
        Err(f) => return (Err(Opening::Unreachable(f)), Vec::new()),
    };
    if started.elapsed() < SLOW_CONNECT {
        let greeted = lockdown::greet(main, l, budget).await;
        return (greeted.map_err(Opening::Silent), Vec::new());
    }
    let (greeted, a, b) = tokio::join!(
        lockdown::greet(main, l, budget),
        lockdown::connect(endpoint, device_id, budget),
        lockdown::connect(endpoint, device_id, budget),
    );
    let extras = [a, b].into_iter().filter_map(Result::ok).collect();
    (greeted.map_err(Opening::Silent), extras)
}

/// StartSession (+ TLS) on each extra connection; the ones that failed are
/// dropped (their share of the reads goes back to the main session).
async fn extra_sessions(
    extras: Vec<PlistStream>,
    record: &PairSecrets,
    budget: Budget,
) -> Vec<(PlistStream, Option<String>)> {
    let mut set = Vec::new();
    for s in extras {
        set.push(lockdown::open_session(s, record, budget));
    }
    let mut out = Vec::new();
    // At most two: joined by hand, without a futures dependency.
    let mut it = set.into_iter();
    match (it.next(), it.next()) {
        (Some(a), Some(b)) => {
            let (a, b) = tokio::join!(a, b);
            out.extend(a.ok());
            out.extend(b.ok());
        }
        (Some(a), None) => out.extend(a.await.ok()),
        _ => {}
    }
    out
}

/// Each extra session reads its share, then `StopSession`.
async fn read_extras(
    extras: Vec<(PlistStream, Option<String>)>,
    shares: &[Vec<Read>],
    stop: Stop,
    budget: Budget,
) -> Vec<Reading> {
    let mut jobs = extras
        .into_iter()
        .zip(shares)
        .map(|((mut s, id), reads)| async move {
            lockdown::read_session(&mut s, reads, id, stop, budget).await
        });
    match (jobs.next(), jobs.next()) {
        (Some(a), Some(b)) => {
            let (a, b) = tokio::join!(a, b);
            vec![a, b]
        }
        (Some(a), None) => vec![a.await],
        _ => Vec::new(),
    }
}

/// The extra sessions, ended without reading (the main one was refused, or
/// another program backs up).
async fn stop_all(extras: Vec<(PlistStream, Option<String>)>, budget: Budget) {
    read_extras(extras, &[Vec::new(), Vec::new()], Stop::Sent, budget).await;
}

/// What lockdownd said about the backup service, and its handshake when it
/// started.
async fn backup_service_stage(
    endpoint: &MuxEndpoint,
    device_id: u32,
    start: BackupStart,
    record: &PairSecrets,
    budget: Budget,
) -> Outcome<BackupServiceObs> {
    match start {
        BackupStart::NotAsked(why) => Outcome::skipped(why),
        BackupStart::Failed(failure) => Outcome::Failed {
            duration_ms: 0,
            failure,
        },
        BackupStart::Refused(r) => Outcome::Ok {
            duration_ms: 0,
            value: BackupServiceObs {
                refused: Some(r),
                ..Default::default()
            },
        },
        BackupStart::Started(ticket) => {
            backup_service::probe(endpoint, device_id, ticket, Some(record), budget).await
        }
    }
}

/// The program backing up right now, if the host probe saw one; waits for
/// the host probe at most until the next request's deadline.
async fn backup_elsewhere(
    backing_up: &tokio::sync::watch::Receiver<Option<Option<String>>>,
    budget: Budget,
) -> Option<String> {
    let mut rx = backing_up.clone();
    let known = tokio::time::timeout_at(budget.op().instant(), rx.wait_for(Option::is_some)).await;
    match known {
        Ok(Ok(v)) => v.clone().flatten(),
        _ => None,
    }
}

/// The phone's live log relay: the pair record, a short session that starts
/// `com.apple.syslog_relay`, and a connection to it (TLS when the phone
/// says so). Keys stay in memory and are dropped when this returns.
pub async fn open_phone_log(
    endpoint: &MuxEndpoint,
    device_id: u32,
    udid: &str,
    record_file: Option<&Path>,
    budget: Budget,
) -> Result<syslog::Relay, Failure> {
    let (_, secrets) = pairing::probe(endpoint, udid, record_file, budget.op()).await;
    let secrets = secrets.ok_or_else(|| {
        Failure::new(
            FailureKind::NotFound,
            "no usable pair record for the phone: its log is not readable",
        )
    })?;
    let ticket =
        lockdown::start_service(endpoint, device_id, &secrets, syslog::SERVICE, budget).await?;
    let s = open_service(
        endpoint,
        device_id,
        ticket,
        Some(&secrets),
        "the relay",
        budget,
    )
    .await?;
    Ok(syslog::Relay::new(s.into_inner()))
}

/// How long to read the phone's backup log, if at all: only a trusted
/// phone, for the listen window asked for, or briefly while another program
/// backs up.
fn log_window(stage: &DeviceStage, obs: &DeviceObs) -> Option<Duration> {
    let asked = stage.phone_log?;
    if !obs.trusted() {
        return None;
    }
    if !asked.is_zero() {
        return Some(asked);
    }
    let backing_up = stage.backing_up.borrow().clone().flatten().is_some();
    backing_up.then_some(syslog::window::WHILE_BACKING_UP)
}

/// Lists the phones again after probing, to see who vanished or re-enumerated
/// (a new DeviceID means the phone dropped off the bus and came back).
pub async fn presence(
    endpoint: &MuxEndpoint,
    udids: &[String],
    budget: Budget,
) -> Vec<Outcome<PresenceObs>> {
    let started = Instant::now();
    let listed = async {
        let mut conn = MuxClient::connect(endpoint, budget.op()).await?;
        let reply = conn
            .request("ListDevices", Dictionary::new(), budget.op())
            .await?;
        parse_device_list(&reply)
    }
    .await;
    let duration_ms = started.elapsed().as_millis() as u64;
    udids
        .iter()
        .map(|u| match &listed {
            Ok(list) => {
                let found = targets(list, Some(u));
                Outcome::Ok {
                    duration_ms,
                    value: PresenceObs {
                        still_listed: !found.is_empty(),
                        device_id_after: found.first().map(|d| d.device_id),
                    },
                }
            }
            Err(f) => Outcome::Failed {
                duration_ms,
                failure: f.clone(),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(udid: &str, id: u32, connection: MuxConnection) -> MuxDevice {
        MuxDevice {
            device_id: id,
            udid: udid.into(),
            connection,
            ..Default::default()
        }
    }

    #[test]
    fn one_target_per_phone_usb_preferred_and_filtered() {
        let listed = [
            dev("A", 7, MuxConnection::Network),
            dev("A", 3, MuxConnection::Usb),
            dev("B", 9, MuxConnection::Network),
        ];
        let t = targets(&listed, None);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].device_id, 3);
        assert_eq!(t[1].connection, MuxConnection::Network);
        let only_b = targets(&listed, Some("b"));
        assert_eq!(only_b.len(), 1);
        assert!(targets(&listed, Some("C")).is_empty());
    }

    #[test]
    fn udid_option_matches_a_phone_listed_without_its_dash() {
        // Apple's usbmuxd lists new-style UDIDs without the dash.
        let listed = [
            dev("00008130001A2B3C4D5E801E", 4, MuxConnection::Usb),
            dev("00008130-001A2B3C4D5E801E", 9, MuxConnection::Network),
        ];
        let t = targets(&listed, Some("00008130-001a2b3c4d5e801e"));
        assert_eq!(t.len(), 1, "one phone, listed twice: {t:?}");
        assert_eq!(t[0].device_id, 4);
    }
}
