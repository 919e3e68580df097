//! The host's pair record for one phone: usbmuxd's `ReadPairRecord`, then the
//! host lockdown folder. The snapshot keeps where it was found, HostID and
//! SystemBUID; the keys and certificates stay in [`PairSecrets`], in memory,
//! for this run's session only.

use std::path::Path;
use std::time::Instant;

use plist::{Dictionary, Value};

use crate::platform::mux_address::MuxEndpoint;
use crate::probe::transport::{Deadline, MuxClient, PairSecrets};
use crate::snapshot::{
    Failure, Outcome, PairRecordSource, PairRecordState, PairingObs, RecordLookup,
};

/// A pair record file larger than this is not read (real ones are ~5 kB).
const MAX_RECORD_BYTES: u64 = 256 * 1024;

/// Fields a session needs: the ones idevice's pair-record parser requires
/// (idevice 0.1.68 `pairing_file.rs`, `RawPairingFile`), so a record this
/// tool cannot use is named by what it lacks before any request is sent.
const REQUIRED: &[&str] = &[
    "HostID",
    "SystemBUID",
    "HostCertificate",
    "HostPrivateKey",
    "RootCertificate",
    "RootPrivateKey",
    "DeviceCertificate",
    "WiFiMACAddress",
];

/// Looks for the record through usbmuxd, then in `folder_file`.
pub async fn probe(
    endpoint: &MuxEndpoint,
    udid: &str,
    folder_file: Option<&Path>,
    deadline: Deadline,
) -> (Outcome<PairingObs>, Option<PairSecrets>) {
    let started = Instant::now();
    let mux = read_from_usbmuxd(endpoint, udid, deadline).await;
    let (folder, folder_bytes) = match folder_file {
        Some(path) => read_from_folder(path),
        None => (None, None),
    };
    let (usbmuxd, mux_bytes) = match mux {
        Ok(r) => r,
        // usbmuxd did not answer (gone, too slow, garbage) and the folder
        // has nothing either: that says nothing about pairing.
        Err(failure) if folder_bytes.is_none() => {
            return (
                Outcome::Failed {
                    duration_ms: started.elapsed().as_millis() as u64,
                    failure,
                },
                None,
            )
        }
        Err(failure) => (
            RecordLookup {
                path: None,
                state: PairRecordState::Unreadable,
                detail: Some(failure.message),
            },
            None,
        ),
    };
    let mut obs = PairingObs {
        usbmuxd: Some(usbmuxd.clone()),
        folder: folder.clone(),
        ..Default::default()
    };
    let chosen = mux_bytes
        .map(|b| (PairRecordSource::Usbmuxd, b))
        .or_else(|| folder_bytes.map(|b| (PairRecordSource::LockdownFolder, b)));
    let mut secrets = None;
    match chosen {
        Some((source, bytes)) => {
            obs.source = Some(source);
            match PairSecrets::parse(&bytes) {
                Some(s) => {
                    obs.record = PairRecordState::Present;
                    obs.host_id = s.host_id().map(str::to_string);
                    obs.system_buid = s.system_buid().map(str::to_string);
                    obs.missing_fields = s.missing_fields(REQUIRED);
                    obs.usable_here = Some(s.pairing_file().is_some());
                    secrets = Some(s);
                }
                None => {
                    obs.record = PairRecordState::Unreadable;
                }
            }
        }
        None => {
            let folder_unreadable = folder
                .as_ref()
                .is_some_and(|f| f.state == PairRecordState::Unreadable);
            obs.record = match usbmuxd.state {
                // usbmuxd reads the lockdown folder itself, as root: its
                // "no record" is the answer even when we may not look.
                PairRecordState::Absent => PairRecordState::Absent,
                PairRecordState::Unreadable => PairRecordState::Unreadable,
                PairRecordState::Present if folder_unreadable => PairRecordState::Unreadable,
                PairRecordState::Present => PairRecordState::Absent,
            };
        }
    }
    (
        Outcome::Ok {
            duration_ms: started.elapsed().as_millis() as u64,
            value: obs,
        },
        secrets,
    )
}

/// `ReadPairRecord`: the record's bytes, or why there are none.
async fn read_from_usbmuxd(
    endpoint: &MuxEndpoint,
    udid: &str,
    deadline: Deadline,
) -> Result<(RecordLookup, Option<Vec<u8>>), Failure> {
    let mut conn = MuxClient::connect(endpoint, deadline).await?;
    let mut fields = Dictionary::new();
    fields.insert("PairRecordID".into(), udid.into());
    let reply = conn.request("ReadPairRecord", fields, deadline).await?;
    Ok(classify_reply(&reply))
}

fn classify_reply(reply: &Dictionary) -> (RecordLookup, Option<Vec<u8>>) {
    if let Some(data) = reply.get("PairRecordData").and_then(Value::as_data) {
        return (
            RecordLookup {
                path: None,
                state: PairRecordState::Present,
                detail: None,
            },
            Some(data.to_vec()),
        );
    }
    let lookup = match reply.get("Number").and_then(Value::as_unsigned_integer) {
        // libusbmuxd: 2 = ENOENT, no record for this UDID.
        Some(2) => RecordLookup {
            path: None,
            state: PairRecordState::Absent,
            detail: Some("usbmuxd has no pair record for this phone (Result 2)".into()),
        },
        Some(code) => RecordLookup {
            path: None,
            state: PairRecordState::Unreadable,
            detail: Some(format!(
                "usbmuxd answered ReadPairRecord with Result {code}"
            )),
        },
        None => RecordLookup {
            path: None,
            state: PairRecordState::Unreadable,
            detail: Some("usbmuxd's answer to ReadPairRecord has no record and no result".into()),
        },
    };
    (lookup, None)
}

/// Reads `<UDID>.plist` in the lockdown folder, bounded in size. Permission
/// denied (macOS's `/var/db/lockdown` is root-only) is `unreadable`.
fn read_from_folder(path: &Path) -> (Option<RecordLookup>, Option<Vec<u8>>) {
    let shown = Some(path.display().to_string());
    let lookup = |state, detail: Option<String>| RecordLookup {
        path: shown.clone(),
        state,
        detail,
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return (Some(lookup(PairRecordState::Absent, None)), None)
        }
        Err(e) => {
            return (
                Some(lookup(PairRecordState::Unreadable, Some(io_detail(&e)))),
                None,
            )
        }
    };
    if !meta.is_file() || meta.len() > MAX_RECORD_BYTES {
        return (
            Some(lookup(
                PairRecordState::Unreadable,
                Some(format!("not a pair record file ({} bytes)", meta.len())),
            )),
            None,
        );
    }
    match std::fs::read(path) {
        Ok(bytes) => (Some(lookup(PairRecordState::Present, None)), Some(bytes)),
        Err(e) => (
            Some(lookup(PairRecordState::Unreadable, Some(io_detail(&e)))),
            None,
        ),
    }
}

fn io_detail(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied (root only)".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_2_is_absent_other_codes_unreadable() {
        let mut d = Dictionary::new();
        d.insert("Number".into(), Value::Integer(2u64.into()));
        assert_eq!(classify_reply(&d).0.state, PairRecordState::Absent);
        d.insert("Number".into(), Value::Integer(5u64.into()));
        assert_eq!(classify_reply(&d).0.state, PairRecordState::Unreadable);
        let mut ok = Dictionary::new();
        ok.insert("PairRecordData".into(), Value::Data(vec![1, 2]));
        let (l, bytes) = classify_reply(&ok);
        assert_eq!(l.state, PairRecordState::Present);
        assert_eq!(bytes.unwrap(), vec![1, 2]);
    }

    #[test]
    fn folder_absent_present_and_oversized() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("X.plist");
        assert_eq!(
            read_from_folder(&missing).0.unwrap().state,
            PairRecordState::Absent
        );
        std::fs::write(&missing, b"<plist/>").unwrap();
        let (l, b) = read_from_folder(&missing);
        assert_eq!(l.unwrap().state, PairRecordState::Present);
        assert!(b.is_some());
        std::fs::write(&missing, vec![b' '; 300 * 1024]).unwrap();
        assert_eq!(
            read_from_folder(&missing).0.unwrap().state,
            PairRecordState::Unreadable
        );
        // A folder where a file should be.
        assert_eq!(
            read_from_folder(dir.path()).0.unwrap().state,
            PairRecordState::Unreadable
        );
    }

    #[cfg(unix)]
    #[test]
    fn permission_denied_is_unreadable_not_absent() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read_dir(&locked).is_ok() {
            // root reads anything; nothing to observe here
            std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
            return;
        }
        let (l, _) = read_from_folder(&locked.join("X.plist"));
        let l = l.unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(l.state, PairRecordState::Unreadable);
        assert!(l.detail.unwrap().contains("permission denied"));
    }
}
