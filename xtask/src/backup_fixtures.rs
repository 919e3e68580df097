//! Builds the backup-folder fixtures in `fixtures/backup-folders/<case>/`
//! from the captures in `../shared/realdata/` (the real torn Status.plist and
//! the finished one derived from it, the Manifest.db schema) plus described
//! cases, then records what the probe sees in `fixtures/backups-<case>.json`.
//!
//! cargo xtask fixtures backups REALDATA_DIR
//!
//! Every identifier is made up; the Status.plist bytes are the captured ones.

use std::fs;
use std::path::{Path, PathBuf};

use crate::synth::{file_id, write_manifest_db, Row};
use iphone_backup_check::probe::backups::{probe, BackupsProbeOptions};
use iphone_backup_check::snapshot::*;
use plist::{Dictionary, Value};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Made-up UDIDs in the two shapes phones use.
const UDID_NEW: &str = "00008110-001A2B3C4D5E6F70";
const UDID_OLD: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

/// fileIDs from `manifest_db_schema_iOS14.2_bigsur.txt` (SHA-1 of domain and
/// path, not device identifiers), then made-up ones.
const REAL_ROWS: &[(&str, &str, &str, i64)] = &[
    (
        "aa500a604b1acbfc35306db49185824d974b58f4",
        "AppDomainPlugin-com.apple.quicklook.extension.previewUI",
        "Library",
        2,
    ),
    (
        "e41d74a1b3680375ab2055a45a09053f646d1cc6",
        "MediaDomain",
        "Media/Recordings/20190704 231625.m4a",
        1,
    ),
    (
        "7c7fba66680ef796b916b067077cc246adacf01d",
        "AppDomainGroup-group.net.whatsapp.WhatsApp.shared",
        "ChatStorage.sqlite",
        1,
    ),
];

struct Phone {
    udid: &'static str,
    name: &'static str,
    product_type: &'static str,
    version: &'static str,
    build: &'static str,
    date: &'static str,
}

const PHONE_NEW: Phone = Phone {
    udid: UDID_NEW,
    name: "Sam's iPhone",
    product_type: "iPhone15,2",
    version: "17.5.1",
    build: "21F90",
    date: "2026-08-27T01:52:12Z",
};
const PHONE_OLD: Phone = Phone {
    udid: UDID_OLD,
    name: "Old iPhone",
    product_type: "iPhone10,4",
    version: "16.7.10",
    build: "20H350",
    date: "2025-03-02T09:15:40Z",
};

fn s(v: &str) -> Value {
    Value::String(v.into())
}

fn date(v: &str) -> Res<Value> {
    Ok(Value::Date(plist::Date::from_xml_format(v)?))
}

/// Info.plist as Finder writes it (XML), including the fields the probe must
/// never keep (IMEI, ICCID, phone number, iTunes files).
fn write_info(dir: &Path, p: &Phone) -> Res<()> {
    let mut d = Dictionary::new();
    d.insert("Build Version".into(), s(p.build));
    d.insert("Device Name".into(), s(p.name));
    d.insert("Display Name".into(), s(p.name));
    d.insert("GUID".into(), s("5B2C0E3AF1D94C7A8E6B1D2C3F4A5B6C"));
    d.insert("ICCID".into(), s("89014103211118510720"));
    d.insert("IMEI".into(), s("356938035643809"));
    d.insert("Phone Number".into(), s("+1 (555) 010-0199"));
    d.insert("Last Backup Date".into(), date(p.date)?);
    d.insert("Product Type".into(), s(p.product_type));
    d.insert("Product Version".into(), s(p.version));
    d.insert("Serial Number".into(), s("F2LXK0AAHG7F"));
    d.insert("Target Identifier".into(), s(p.udid));
    d.insert("Target Type".into(), s("Device"));
    d.insert("Unique Identifier".into(), s(&p.udid.to_uppercase()));
    let mut itunes = Dictionary::new();
    itunes.insert(
        "IC-Info.sidv".into(),
        Value::Data(b"SECRET-ITUNES-FILE".to_vec()),
    );
    d.insert("iTunes Files".into(), Value::Dictionary(itunes));
    d.insert("iTunes Version".into(), s("12.13.2.3"));
    Value::Dictionary(d).to_file_xml(dir.join("Info.plist"))?;
    Ok(())
}

/// Manifest.plist (binary), with a key bag and manifest key the probe must
/// never read into the snapshot.
fn write_manifest(dir: &Path, p: &Phone, encrypted: bool) -> Res<()> {
    let mut lockdown = Dictionary::new();
    lockdown.insert("BuildVersion".into(), s(p.build));
    lockdown.insert("DeviceName".into(), s(p.name));
    lockdown.insert("ProductType".into(), s(p.product_type));
    lockdown.insert("ProductVersion".into(), s(p.version));
    lockdown.insert("SerialNumber".into(), s("F2LXK0AAHG7F"));
    lockdown.insert("UniqueDeviceID".into(), s(p.udid));
    let mut d = Dictionary::new();
    d.insert(
        "BackupKeyBag".into(),
        Value::Data(b"VERS\x00\x00\x00\x04SECRET-KEYBAG".to_vec()),
    );
    if encrypted {
        // The shape iOS 10.2 and later write: a 4-byte little-endian
        // protection class, then the 40-byte AES-wrapped key of Manifest.db
        // (how pymobiledevice3 and iOSbackup unpack it). The bytes are made
        // up, with a marker the tests look for in every output.
        let mut key = 4u32.to_le_bytes().to_vec();
        key.extend_from_slice(b"SECRET-MANIFEST-KEY");
        key.extend(pseudo_random(0x6d61_6e69, 40 - 19));
        d.insert("ManifestKey".into(), Value::Data(key));
    }
    d.insert("Date".into(), date(p.date)?);
    d.insert("IsEncrypted".into(), Value::Boolean(encrypted));
    d.insert("Lockdown".into(), Value::Dictionary(lockdown));
    d.insert("SystemDomainsVersion".into(), s("24.0"));
    d.insert("Version".into(), s("10.0"));
    d.insert("WasPasscodeSet".into(), Value::Boolean(true));
    Value::Dictionary(d).to_file_binary(dir.join("Manifest.plist"))?;
    Ok(())
}

/// The rows of a small backup: the three real fileIDs and made-up ones.
fn rows(n: u64) -> Vec<(String, String, String, i64, u64)> {
    let mut out: Vec<_> = REAL_ROWS
        .iter()
        .enumerate()
        .map(|(i, (id, dom, path, flags))| {
            (
                id.to_string(),
                dom.to_string(),
                path.to_string(),
                *flags,
                if *flags == 1 { 100 + i as u64 * 37 } else { 0 },
            )
        })
        .collect();
    for i in 0..n {
        out.push((
            file_id(i),
            "HomeDomain".into(),
            format!("Library/Preferences/file{i}.plist"),
            1,
            10 + i * 13,
        ));
    }
    out
}

/// Deterministic bytes that look like ciphertext (splitmix64).
fn pseudo_random(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Writes the blobs under `xx/` (padded to 16 bytes when encrypted) and
/// Manifest.db listing them. An encrypted backup's Manifest.db is, since
/// iOS 10.2, the SQLite file encrypted whole with AES-CBC and no padding
/// (pymobiledevice3 `_encrypt_backup_manifest_db`, iOSbackup
/// `getManifestDB`): bytes that are no SQLite database, as long as the
/// database they hide. It is written here as pseudo-random bytes of the
/// length the plain database has.
fn write_files_and_db(dir: &Path, n: u64, encrypted: bool) -> Res<()> {
    let rows = rows(n);
    for (id, _, _, flags, size) in &rows {
        if *flags != 1 {
            continue;
        }
        let sub = dir.join(&id[..2]);
        fs::create_dir_all(&sub)?;
        let len = if encrypted {
            (size / 16 + 1) * 16
        } else {
            *size
        };
        fs::write(sub.join(id), vec![0x5a; len as usize])?;
    }
    let db = dir.join("Manifest.db");
    write_manifest_db(
        &db,
        rows.into_iter()
            .map(|(file_id, domain, relative_path, flags, size)| Row {
                file_id,
                domain,
                relative_path,
                flags,
                size,
            }),
    )?;
    if encrypted {
        let len = usize::try_from(fs::metadata(&db)?.len())?;
        fs::write(&db, pseudo_random(0x4d61_6e69_6665_7374, len))?;
    }
    Ok(())
}

/// A first backup Finder is still writing: its backup agent runs, the
/// phone's real `uploading` Status.plist is there, and Manifest.db holds
/// only its first pages (what an immutable read of a file being written
/// can see).
fn being_written(dir: &Path, p: &Phone, realdata: &Path) -> Res<()> {
    torn(dir, p, realdata)?;
    write_manifest(dir, p, false)?;
    let tmp = dir.join("Manifest.db.full");
    write_manifest_db(
        &tmp,
        rows(400)
            .into_iter()
            .map(|(file_id, domain, relative_path, flags, size)| Row {
                file_id,
                domain,
                relative_path,
                flags,
                size,
            }),
    )?;
    let full = fs::read(&tmp)?;
    fs::remove_file(&tmp)?;
    // SQLite pages are 4096 bytes here: keep the first half of them.
    let keep = (full.len() / 4096 / 2).max(1) * 4096;
    fs::write(dir.join("Manifest.db"), &full[..keep])?;
    Ok(())
}

fn status_bytes(realdata: &Path, name: &str) -> Res<Vec<u8>> {
    let text = fs::read_to_string(realdata.join(name))?;
    Ok(base64_decode(text.trim()).ok_or("bad base64")?)
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
    {
        let v = A.iter().position(|a| *a == c)? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A complete finished backup of `p`.
fn finished(dir: &Path, p: &Phone, realdata: &Path, encrypted: bool) -> Res<()> {
    fs::create_dir_all(dir)?;
    write_info(dir, p)?;
    write_manifest(dir, p, encrypted)?;
    fs::write(
        dir.join("Status.plist"),
        status_bytes(
            realdata,
            "Status_plist_finished_DERIVED_from_torn_2026.bplist.b64.txt",
        )?,
    )?;
    write_files_and_db(dir, 12, encrypted)
}

/// A backup torn mid-upload, as the real capture describes it: Info.plist
/// and blobs, the real `uploading` Status.plist, no Manifest.db.
fn torn(dir: &Path, p: &Phone, realdata: &Path) -> Res<()> {
    fs::create_dir_all(dir)?;
    write_info(dir, p)?;
    fs::write(
        dir.join("Status.plist"),
        status_bytes(
            realdata,
            "Status_plist_torn_uploading_empty_real_2026.bplist.b64.txt",
        )?,
    )?;
    for i in 0..6 {
        let id = file_id(1000 + i);
        fs::create_dir_all(dir.join(&id[..2]))?;
        fs::write(dir.join(&id[..2]).join(&id), vec![0x5a; 64])?;
    }
    Ok(())
}

struct Case {
    name: &'static str,
    source: &'static str,
    notes: &'static str,
    connected: &'static [&'static str],
    deep: bool,
    /// Backup programs the host probe saw running: (process, tool, pid).
    running: &'static [(&'static str, &'static str, u32)],
}

const CASES: &[Case] = &[
    Case { name: "finished", source: "fixtures/realdata/Status_plist_finished_DERIVED_from_torn_2026.bplist.b64.txt (exact bytes); Manifest.db schema and three fileIDs from fixtures/realdata/manifest_db_schema_iOS14.2_bigsur.txt", notes: "described: a healthy finished backup of the connected phone; Info.plist and Manifest.plist built with the key lists of fixtures/realdata/backup_metadata_measured_keys_sizes_iPad_iPhone_2026.json, identifiers made up", connected: &[UDID_NEW], deep: false, running: &[] },
    Case { name: "torn", source: "fixtures/realdata/Status_plist_torn_uploading_empty_real_2026.bplist.b64.txt (exact bytes: SnapshotState uploading, BackupState empty)", notes: "derived: the real interrupted backup had Info.plist, blobs and no Manifest.db; six blobs stand in for its 41,097", connected: &[UDID_NEW], deep: false, running: &[] },
    Case { name: "empty-manifest-plist", source: "fixtures/realdata/Status_plist_finished_DERIVED_from_torn_2026.bplist.b64.txt", notes: "described: a finished backup whose Manifest.plist is 0 bytes (disk full or unplugged while it was written)", connected: &[UDID_NEW], deep: false, running: &[] },
    Case { name: "zero-byte-manifest-db", source: "fixtures/realdata/Status_plist_finished_DERIVED_from_torn_2026.bplist.b64.txt", notes: "described: a finished backup whose Manifest.db is 0 bytes", connected: &[UDID_NEW], deep: false, running: &[] },
    Case { name: "encrypted", source: "fixtures/realdata/Status_plist_finished_DERIVED_from_torn_2026.bplist.b64.txt; fixtures/realdata/manifest_db_schema_iOS14.2_bigsur.txt", notes: "described: a finished encrypted backup as iOS 10.2 and later write it: Manifest.plist IsEncrypted true with a ManifestKey (4-byte class + 40-byte wrapped key, made-up bytes) and a BackupKeyBag, Manifest.db encrypted whole (pseudo-random bytes as long as the plain database; AES-CBC as pymobiledevice3 and iOSbackup read it), files padded to 16 bytes; checked with --deep", connected: &[UDID_NEW], deep: true, running: &[] },
    Case { name: "being-written", source: "fixtures/realdata/Status_plist_torn_uploading_empty_real_2026.bplist.b64.txt (exact bytes: SnapshotState uploading)", notes: "described: a first backup still being written while Finder's backup agent runs; Manifest.db holds only its first pages, as an immutable read of a file being written sees it", connected: &[UDID_NEW], deep: false, running: &[("AppleMobileBackup", "Finder's backup agent", 812)] },
    Case { name: "two-phones", source: "fixtures/realdata/Status_plist_torn_uploading_empty_real_2026.bplist.b64.txt and Status_plist_finished_DERIVED_from_torn_2026.bplist.b64.txt", notes: "described: backups of two phones; the connected old iPhone's last backup is torn, the other phone's is finished and not judged", connected: &[UDID_OLD], deep: false, running: &[] },
    Case { name: "deep-missing-files", source: "fixtures/realdata/Status_plist_finished_DERIVED_from_torn_2026.bplist.b64.txt; fixtures/realdata/manifest_db_schema_iOS14.2_bigsur.txt", notes: "described: a finished backup, checked with --deep, where two listed files are gone and one was cut short", connected: &[UDID_NEW], deep: true, running: &[] },
];

fn build(case: &str, root: &Path, realdata: &Path) -> Res<()> {
    match case {
        "finished" => finished(&root.join(UDID_NEW), &PHONE_NEW, realdata, false),
        "torn" => torn(&root.join(UDID_NEW), &PHONE_NEW, realdata),
        "empty-manifest-plist" => {
            finished(&root.join(UDID_NEW), &PHONE_NEW, realdata, false)?;
            Ok(fs::write(root.join(UDID_NEW).join("Manifest.plist"), b"")?)
        }
        "zero-byte-manifest-db" => {
            finished(&root.join(UDID_NEW), &PHONE_NEW, realdata, false)?;
            Ok(fs::write(root.join(UDID_NEW).join("Manifest.db"), b"")?)
        }
        "encrypted" => finished(&root.join(UDID_NEW), &PHONE_NEW, realdata, true),
        "being-written" => being_written(&root.join(UDID_NEW), &PHONE_NEW, realdata),
        "two-phones" => {
            finished(&root.join(UDID_NEW), &PHONE_NEW, realdata, false)?;
            torn(&root.join(UDID_OLD), &PHONE_OLD, realdata)
        }
        "deep-missing-files" => {
            let dir = root.join(UDID_NEW);
            finished(&dir, &PHONE_NEW, realdata, false)?;
            for i in [2u64, 5] {
                let id = file_id(i);
                fs::remove_file(dir.join(&id[..2]).join(&id))?;
            }
            let id = file_id(7);
            Ok(fs::write(dir.join(&id[..2]).join(&id), b"cut")?)
        }
        other => Err(format!("unknown case {other}").into()),
    }
}

fn snapshot(case: &Case, obs: Outcome<BackupsObs>) -> Snapshot {
    let mut snap = Snapshot::new(Provenance {
        kind: ProvenanceKind::Derived,
        source: Some(case.source.into()),
        notes: Some(format!("{}; backup folder tree in fixtures/backup-folders/{}/, probed by tests/backups_probe.rs; every identifier is made up", case.notes, case.name)),
        redacted: false,
    });
    snap.options.timeout_ms = 10_000;
    snap.options.deep = case.deep;
    let address = MuxAddress {
        display: "unix:/var/run/usbmuxd".into(),
        source: MuxAddressSource::Default,
    };
    snap.probes.usb = Outcome::skipped("not part of this described situation");
    snap.probes.usbmuxd_address = Some(address.clone());
    snap.probes.usbmuxd = Outcome::Ok {
        duration_ms: 2,
        value: MuxObs {
            address,
            buid: Some("0E8B7C8A-6C0D-4E7D-9B7D-2B1C1D2E3F40".into()),
            devices: case
                .connected
                .iter()
                .enumerate()
                .map(|(i, u)| MuxDevice {
                    device_id: i as u32 + 1,
                    udid: (*u).into(),
                    connection: MuxConnection::Usb,
                    product_id: Some(0x12a8),
                    location_id: Some(0x0110_0000),
                    connection_speed: Some(480_000_000),
                })
                .collect(),
            quote: None,
        },
    };
    let dir = format!("fixtures/backup-folders/{}", case.name);
    snap.probes.host = Outcome::Ok {
        duration_ms: 3,
        value: HostObs {
            os: HostOs {
                family: OsFamily::Linux,
                name: Some("Debian GNU/Linux".into()),
                version: Some("12".into()),
                kernel: None,
            },
            backup_dir: BackupDirObs {
                path: Some(dir),
                source: BackupDirSource::Flag,
                candidates: vec![],
                exists: true,
                is_dir: true,
                readable: Some(true),
                writable: Some(true),
                is_link: false,
                link_target: None,
                target_exists: None,
                error: None,
                volume: Some(Volume {
                    mount_point: "/".into(),
                    name: None,
                    file_system: Some("ext4".into()),
                    free_bytes: 180_000_000_000,
                    total_bytes: 250_000_000_000,
                    read_only: false,
                    important_free_bytes: None,
                }),
            },
            running_tools: case
                .running
                .iter()
                .map(|(process, tool, pid)| RunningTool {
                    process: (*process).into(),
                    tool: (*tool).into(),
                    pid: *pid,
                    backing_up: false,
                })
                .collect(),
            lockdown_dir: None,
        },
    };
    snap.probes.backups = obs;
    snap
}

/// The observation as a fixture records it: the folder relative to the
/// repository and a fixed duration.
pub fn normalise(obs: Outcome<BackupsObs>, dir: &str) -> Outcome<BackupsObs> {
    match obs {
        Outcome::Ok { mut value, .. } => {
            value.dir = dir.into();
            Outcome::Ok {
                duration_ms: 0,
                value,
            }
        }
        other => other,
    }
}

pub fn run(realdata: &Path) -> Res<()> {
    for case in CASES {
        let root = PathBuf::from("fixtures/backup-folders").join(case.name);
        if root.exists() {
            fs::remove_dir_all(&root)?;
        }
        fs::create_dir_all(&root)?;
        build(case.name, &root, realdata)?;
        let obs = probe(
            &root,
            &BackupsProbeOptions {
                deep: case.deep,
                ..Default::default()
            },
        );
        let obs = normalise(obs, &format!("fixtures/backup-folders/{}", case.name));
        let snap = snapshot(case, obs);
        let text = serde_json::to_string_pretty(&snap)? + "\n";
        fs::write(format!("fixtures/backups-{}.json", case.name), text)?;
        println!("{}", case.name);
    }
    Ok(())
}
