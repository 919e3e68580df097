//! `--request-trust`: the one place that sends `Pair`, to make the phone show
//! its "Trust This Computer?" prompt. A record is saved (usbmuxd
//! `SavePairRecord`) only when the phone accepted, i.e. the user tapped Trust.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use plist::{Dictionary, Value};
use tracing::instrument::WithSubscriber;

use super::bounded::BoundedFrames;
use super::Target;
use crate::probe::transport::{Budget, MuxClient, PairSecrets, PlistStream, LABEL};
use crate::snapshot::{Failure, FailureKind, LockdownError, PairRequestObs};

/// Keep this much of the overall deadline for the session that follows.
const LEAVE_FOR_SESSION: Duration = Duration::from_secs(2);

/// Sends `Pair` and, while the prompt is pending, again every second until
/// the deadline. Returns the connection, the phone's answer (None when the
/// conversation broke first) and, when it
/// accepted, the new record.
pub async fn request_trust(
    t: &Target<'_>,
    s: PlistStream,
    budget: Budget,
) -> (
    Result<PlistStream, Failure>,
    Option<PairRequestObs>,
    Option<PairSecrets>,
) {
    let host_id = new_host_id();
    let buid = t.daemon_buid.unwrap_or("").to_string();
    // idevice reads these frames itself: guard their lengths until the
    // conversation is handed back (TLS may follow, which is not framed).
    let (guard, guarding) = BoundedFrames::new(s.into_inner());
    let dev = idevice::Idevice::new(Box::new(guard), LABEL);
    let mut client = idevice::services::lockdown::LockdownClient::new(dev);
    let answer = loop {
        // idevice generates the RSA keys inside `pair_once`, synchronously:
        // CPU work that would hold a runtime worker (two phones pairing at
        // once would stall both workers). So each attempt runs on a blocking
        // thread, which drives the conversation through the runtime's
        // handle under its own deadline, and a panic inside idevice becomes
        // a failure, not a lost phone. idevice logs the Pair request, keys
        // included: silence it.
        let (h, b) = (host_id.clone(), buid.clone());
        let op = budget.op().instant();
        let handle = tokio::runtime::Handle::current();
        let attempt = tokio::task::spawn_blocking(move || {
            handle.block_on(
                async move {
                    let r = tokio::time::timeout_at(op, client.pair_once(h, b, None)).await;
                    (client, r)
                }
                .with_subscriber(tracing::subscriber::NoSubscriber::default()),
            )
        });
        let (back, result) = match attempt.await {
            Ok((back, Ok(result))) => (back, result),
            Ok((_, Err(_))) => {
                let f = Failure::new(
                    FailureKind::TimedOut,
                    "no answer to Pair before the deadline",
                );
                return (Err(f), None, None);
            }
            Err(_) => {
                let f = Failure::new(
                    FailureKind::Io,
                    "the Pair request failed inside idevice (it panicked); nothing was saved",
                );
                return (Err(f), None, None);
            }
        };
        client = back;
        match result {
            Ok(record) => break Ok(record),
            Err(idevice::IdeviceError::PairingDialogResponsePending) => {
                if budget.overall_remaining() <= LEAVE_FOR_SESSION + Duration::from_secs(1) {
                    break Err(PairRequestObs::DialogPending);
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(idevice::IdeviceError::UserDeniedPairing) => break Err(PairRequestObs::Denied),
            Err(idevice::IdeviceError::PasswordProtected) => {
                break Err(PairRequestObs::PasswordProtected)
            }
            Err(idevice::IdeviceError::UnknownErrorType(raw)) => {
                break Err(PairRequestObs::Refused {
                    reason: LockdownError::parse(&raw),
                    raw,
                })
            }
            Err(e) => {
                let f = Failure::new(classify(&e), format!("Pair failed: {e}"));
                return (Err(f), None, None);
            }
        }
    };
    guarding.store(false, std::sync::atomic::Ordering::Relaxed);
    let back = client
        .idevice
        .get_socket()
        .map(PlistStream::new)
        .ok_or_else(|| Failure::new(FailureKind::Closed, "the lockdown connection was lost"));
    match answer {
        Err(obs) => (back, Some(obs), None),
        Ok(record) => {
            let Some((secrets, bytes)) = PairSecrets::from_pairing_file(record) else {
                return (back, Some(PairRequestObs::Paired { saved: false }), None);
            };
            let saved = save_record(t, &bytes, budget).await;
            (back, Some(PairRequestObs::Paired { saved }), Some(secrets))
        }
    }
}

/// usbmuxd `SavePairRecord`, only after the user tapped Trust.
async fn save_record(t: &Target<'_>, bytes: &[u8], budget: Budget) -> bool {
    let Ok(mut conn) = MuxClient::connect(t.endpoint, budget.op()).await else {
        return false;
    };
    let mut fields = Dictionary::new();
    fields.insert("PairRecordID".into(), t.udid.into());
    fields.insert("PairRecordData".into(), Value::Data(bytes.to_vec()));
    fields.insert(
        "DeviceID".into(),
        Value::Integer(u64::from(t.device_id).into()),
    );
    match conn.request("SavePairRecord", fields, budget.op()).await {
        Ok(reply) => reply.get("Number").and_then(Value::as_unsigned_integer) == Some(0),
        Err(_) => false,
    }
}

fn classify(e: &idevice::IdeviceError) -> FailureKind {
    match e {
        idevice::IdeviceError::Socket(io) => match io.kind() {
            std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::BrokenPipe => FailureKind::Closed,
            _ => FailureKind::Io,
        },
        idevice::IdeviceError::Plist(_) | idevice::IdeviceError::UnexpectedResponse(_) => {
            FailureKind::ProtocolError
        }
        _ => FailureKind::Io,
    }
}

/// A random UUID (version 4 layout) for a new record's HostID.
fn new_host_id() -> String {
    let word = || {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        h.finish()
    };
    let (a, b) = (word(), word());
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    format!(
        "{:08X}-{:04X}-{:04X}-{:04X}-{:012X}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_ids_are_uuids_and_differ() {
        let a = new_host_id();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, new_host_id());
    }
}
