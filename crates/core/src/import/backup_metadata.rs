//! A previous backup as someone showed it: its Status.plist, Info.plist or
//! Manifest.plist (XML, binary as base64, or decoded to JSON), a listing of
//! its folder, its Manifest.db schema, or `pymobiledevice3 backup2 info`
//! (`<MBStatus: ... snapshotState=finished ...>`). It becomes one backup in
//! `probes.backups`, so the backup rules judge it as they judge a folder
//! the probe read: a torn one says `SnapshotState` = `uploading`.
//!
//! A file the capture does not show is `NotSeen`, never `Missing`: a pasted
//! Status.plist says nothing about the Manifest.db beside it. Plists are
//! read only with the bounded walker (`plist_bounded::scan`).

use serde_json::Value;

use super::imported::imported;
use super::tool_errors::{plain, DOCUMENT_WINDOW, MAX_LINES};
use super::{Capture, UNNAMED_PHONE};
use crate::plist_bounded::{scan, Scalar, Seg};
use crate::snapshot::{
    BackupObs, BackupsObs, FileState, InfoPlistObs, ManifestDbObs, ManifestPlistObs, MetaFile,
    Outcome, Snapshot, StatusPlistObs,
};

/// The folder of a backup known only from a capture: the capture does not
/// say where it is, and evidence lines print this in its place.
pub const FOLDER: &str = "(unknown: not in the capture)";
/// Longer values are cut: nothing the rules read is longer.
const MAX_VALUE: usize = 256;
/// A base64 plist longer than this is not a backup's metadata file.
const MAX_BASE64: usize = 64 * 1024;

const STATUS_KEYS: &[&str] = &[
    "SnapshotState",
    "BackupState",
    "IsFullBackup",
    "Date",
    "UUID",
    "Version",
];
const INFO_KEYS: &[&str] = &[
    "Device Name",
    "Product Type",
    "Product Version",
    "Unique Identifier",
    "Target Identifier",
    "Serial Number",
    "Last Backup Date",
];
const MANIFEST_KEYS: &[&str] = &["IsEncrypted", "Version", "Date", "WasPasscodeSet"];
const MANIFEST_LOCKDOWN: &[&str] = &["ProductVersion", "ProductType", "BuildVersion"];

pub fn import(capture: &Capture) -> Option<Snapshot> {
    let opening = capture.opening(DOCUMENT_WINDOW);
    let document = opening.contains("<plist") || document_at(&opening, is_base64_plist).is_some();
    let json = document_at(&opening, |t| t.starts_with('{')).is_some();
    let (backup, how) = document
        .then(|| from_plist(capture.head()))
        .flatten()
        .map(|b| (b, "a backup metadata plist"))
        .or_else(|| {
            json.then(|| from_json(capture.head()))
                .flatten()
                .map(|b| (b, "backup metadata as JSON"))
        })
        .or_else(|| from_lines(capture).map(|b| (b, "a backup's folder or its MBStatus")))?;
    let mut backup = backup;
    // Whose backup: the UDID its Info.plist names, else the phone the
    // capture is about, so findings name the same phone as other files'.
    backup.udid = backup
        .info
        .udid
        .clone()
        .or_else(|| Some(UNNAMED_PHONE.into()));
    if backup.status.snapshot_state.is_some() {
        // The line naming the state (a binary plist's base64 is one line).
        let line = capture
            .lines()
            .find(|l| l.text.to_ascii_lowercase().contains("snapshotstate"))
            .or_else(|| capture.lines().find(|l| is_base64_plist(l.text.trim())))
            .or_else(|| capture.lines().find(|l| !l.text.trim().is_empty()));
        backup.status.quote = line.map(|l| capture.quote(l));
    }
    let mut s = imported(
        how,
        &capture.name,
        Some("one backup, with only the files the capture shows".into()),
    );
    s.probes.backups = Outcome::Ok {
        duration_ms: 0,
        value: BackupsObs {
            dir: String::new(),
            backups: vec![backup],
            deep: false,
            cut_short: false,
            ..Default::default()
        },
    };
    Some(s)
}

/// A backup of which nothing is known yet.
fn unseen() -> BackupObs {
    let not_seen = || MetaFile {
        state: FileState::NotSeen,
        bytes: None,
        error: None,
    };
    BackupObs {
        folder: FOLDER.into(),
        info: InfoPlistObs {
            file: not_seen(),
            ..Default::default()
        },
        status: StatusPlistObs {
            file: not_seen(),
            ..Default::default()
        },
        manifest: ManifestPlistObs {
            file: not_seen(),
            ..Default::default()
        },
        manifest_db: ManifestDbObs {
            file: not_seen(),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn present(bytes: Option<u64>) -> MetaFile {
    MetaFile {
        state: FileState::Present,
        bytes,
        error: None,
    }
}

fn cut(s: &str) -> String {
    s.chars().take(MAX_VALUE).collect()
}

// --- plists --------------------------------------------------------------

/// An XML plist in the text (possibly after other lines), or a base64
/// binary plist that is the whole capture.
fn from_plist(head: &str) -> Option<BackupObs> {
    let bytes = match head.find("<plist") {
        Some(at) => {
            let start = head.get(..at)?.rfind("<?xml").unwrap_or(at);
            let end = head
                .get(at..)?
                .find("</plist>")
                .map_or(head.len(), |e| at + e + "</plist>".len());
            head.get(start..end)?.as_bytes().to_vec()
        }
        None => base64_plist(head)?,
    };
    let wanted = |p: &[Seg]| match p {
        [Seg::Key(k)] => {
            STATUS_KEYS.contains(&k.as_str())
                || INFO_KEYS.contains(&k.as_str())
                || MANIFEST_KEYS.contains(&k.as_str())
        }
        [Seg::Key(l), Seg::Key(k)] => l == "Lockdown" && MANIFEST_LOCKDOWN.contains(&k.as_str()),
        _ => false,
    };
    let found = scan(&bytes, &wanted).ok()?;
    let get = |key: &str| {
        found
            .iter()
            .find(|(p, _)| matches!(p.as_slice(), [Seg::Key(k)] if k == key))
            .map(|(_, v)| v)
    };
    let text = |key: &str| get(key).and_then(Scalar::as_str).map(cut);
    let size = Some(bytes.len() as u64);
    let mut b = unseen();
    if get("SnapshotState").is_some() || get("BackupState").is_some() {
        b.status = StatusPlistObs {
            file: present(size),
            snapshot_state: text("SnapshotState"),
            backup_state: text("BackupState"),
            is_full_backup: get("IsFullBackup").and_then(Scalar::as_bool),
            date: get("Date").and_then(Scalar::as_date).map(|d| cut(&d)),
            uuid: text("UUID"),
            version: text("Version"),
            quote: None,
        };
        return Some(b);
    }
    if get("Unique Identifier").is_some() || get("Target Identifier").is_some() {
        b.info = InfoPlistObs {
            file: present(size),
            device_name: text("Device Name"),
            product_type: text("Product Type"),
            product_version: text("Product Version"),
            udid: text("Unique Identifier").or_else(|| text("Target Identifier")),
            serial_number: text("Serial Number"),
            last_backup_date: get("Last Backup Date")
                .and_then(Scalar::as_date)
                .map(|d| cut(&d)),
        };
        b.udid.clone_from(&b.info.udid);
        return Some(b);
    }
    if get("IsEncrypted").is_some() {
        let lockdown = |key: &str| {
            found
                .iter()
                .find(|(p, _)| matches!(p.as_slice(), [Seg::Key(l), Seg::Key(k)] if l == "Lockdown" && k == key))
                .and_then(|(_, v)| v.as_str())
                .map(cut)
        };
        b.manifest = ManifestPlistObs {
            file: present(size),
            is_encrypted: get("IsEncrypted").and_then(Scalar::as_bool),
            version: text("Version"),
            date: get("Date").and_then(Scalar::as_date).map(|d| cut(&d)),
            was_passcode_set: get("WasPasscodeSet").and_then(Scalar::as_bool),
            product_version: lockdown("ProductVersion"),
            product_type: lockdown("ProductType"),
            build_version: lockdown("BuildVersion"),
            has_manifest_key: None,
            has_key_bag: None,
        };
        return Some(b);
    }
    None
}

/// Where a document that `opens` recognises begins in `text`: the start of
/// the first line that opens it, so a heading or prose pasted before it (a
/// forum post, a fenced block in an issue) is skipped.
fn document_at(text: &str, opens: impl Fn(&str) -> bool) -> Option<&str> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if opens(t) {
            return text.get(offset + line.len() - t.len()..);
        }
        offset += line.len();
    }
    None
}

/// "bplist00" in base64 (its last character also holds the next byte).
fn is_base64_plist(t: &str) -> bool {
    t.starts_with("YnBsaXN0MD")
}

/// A base64 token that decodes to a binary plist, on its own lines (one,
/// or wrapped over several) wherever it starts in the text.
fn base64_plist(head: &str) -> Option<Vec<u8>> {
    let from = document_at(head, is_base64_plist)?;
    let base64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=');
    let mut token = String::new();
    for line in from.lines().map(str::trim) {
        if line.is_empty() || !line.chars().all(base64) {
            break;
        }
        if token.len() + line.len() > MAX_BASE64 {
            return None;
        }
        token.push_str(line);
    }
    decode_base64(&token)
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        acc = (acc << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

// --- JSON ----------------------------------------------------------------

/// A Status.plist decoded to JSON (at the top, or under `plist`), or the
/// key lists and sizes measured on backups.
fn from_json(head: &str) -> Option<BackupObs> {
    // The first JSON value from the line that opens it; prose after it is
    // not part of it.
    let t = document_at(head, |t| t.starts_with('{'))?;
    let v: Value = serde_json::Deserializer::from_str(t)
        .into_iter::<Value>()
        .next()?
        .ok()?;
    let plist = v.get("plist").unwrap_or(&v);
    let text = |k: &str| plist.get(k).and_then(Value::as_str).map(cut);
    let mut b = unseen();
    if plist.get("SnapshotState").is_some() {
        b.status = StatusPlistObs {
            file: present(v.get("bytes").and_then(Value::as_u64)),
            snapshot_state: text("SnapshotState"),
            backup_state: text("BackupState"),
            is_full_backup: plist.get("IsFullBackup").and_then(Value::as_bool),
            date: text("Date"),
            uuid: text("UUID"),
            version: text("Version"),
            quote: None,
        };
        return Some(b);
    }
    // Sizes of the metadata files of a backup, measured: they are there.
    let files = v.get("files")?.as_object()?;
    let size = |name: &str| {
        files.get(name).map(|f| {
            let bytes = f.as_object().and_then(|o| {
                o.iter()
                    .find(|(k, _)| k.ends_with("_bytes"))
                    .and_then(|(_, n)| n.as_u64())
            });
            present(bytes)
        })
    };
    let status = size("Status.plist")?;
    b.status.file = status;
    if let Some(f) = size("Info.plist") {
        b.info.file = f;
    }
    if let Some(f) = size("Manifest.plist") {
        b.manifest.file = f;
    }
    if v.get("Manifest.db_schema").is_some() {
        b.manifest_db.file = present(None);
    }
    Some(b)
}

// --- lines ---------------------------------------------------------------

const METADATA: &[&str] = &[
    "Info.plist",
    "Manifest.plist",
    "Manifest.db",
    "Status.plist",
];

/// A listing of the backup's folder (`ls`), the schema of its Manifest.db
/// (`sqlite3 .schema`), or `<MBStatus: ...>` / `<MBDriveProperties: ...>`.
fn from_lines(capture: &Capture) -> Option<BackupObs> {
    let mut b = unseen();
    let mut seen = false;
    for line in capture.lines().take(MAX_LINES) {
        let t = plain(line.text);
        if let Some(rest) = t.strip_prefix("<MBStatus: ") {
            let field = |k: &str| mb_field(rest, k);
            b.status = StatusPlistObs {
                file: present(None),
                snapshot_state: field("snapshotState"),
                backup_state: field("backupState"),
                is_full_backup: field("fullBackup").map(|v| v == "1"),
                date: field("date"),
                uuid: None,
                version: field("version"),
                quote: None,
            };
            seen = true;
        } else if let Some(rest) = t.strip_prefix("<MBDriveProperties: ") {
            let quoted = |k: &str| {
                let at = rest.find(&format!("{k}: \""))? + k.len() + 3;
                let value = rest.get(at..)?;
                value.find('"').and_then(|e| value.get(..e)).map(cut)
            };
            b.manifest = ManifestPlistObs {
                file: present(None),
                is_encrypted: mb_field(rest, "encrypted").map(|v| v == "1"),
                was_passcode_set: mb_field(rest, "passcodeSet").map(|v| v == "1"),
                version: mb_field(rest, "version"),
                product_version: quoted("ProductVersion"),
                product_type: quoted("ProductType"),
                build_version: quoted("BuildVersion"),
                ..Default::default()
            };
            seen = true;
        } else if t.starts_with("CREATE TABLE Files") {
            b.manifest_db.file = present(None);
            seen = true;
        } else {
            let names: Vec<&str> = t.split_whitespace().collect();
            let listed = METADATA.iter().filter(|m| names.contains(m)).count();
            // A listing names two or more of the four on one line.
            if listed >= 2 && names.iter().all(|n| n.contains('.') || n.ends_with(':')) {
                let state = |name: &str| {
                    if names.contains(&name) {
                        present(None)
                    } else {
                        MetaFile {
                            state: FileState::Missing,
                            bytes: None,
                            error: None,
                        }
                    }
                };
                b.info.file = state("Info.plist");
                b.manifest.file = state("Manifest.plist");
                b.manifest_db.file = state("Manifest.db");
                b.status.file = state("Status.plist");
                seen = true;
            }
        }
    }
    seen.then_some(b)
}

/// `key=value` in an MB description, up to the next `,` or `>`.
fn mb_field(rest: &str, key: &str) -> Option<String> {
    let pat = format!("{key}=");
    let mut from = 0;
    // The key must start a field (", key=" or at the start).
    while let Some(at) = rest.get(from..)?.find(&pat) {
        let abs = from + at;
        let starts = abs == 0 || rest.get(..abs).is_some_and(|b| b.ends_with(' '));
        if starts {
            let value = rest.get(abs + pat.len()..)?;
            let end = value.find([',', '>']).unwrap_or(value.len());
            return value.get(..end).map(|v| cut(v.trim_matches('"')));
        }
        from = abs + pat.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plist_bounded::hostile;
    use crate::rules::RuleId;

    fn read(text: &str) -> Option<Snapshot> {
        import(&Capture::new("paste.txt", text.as_bytes()))
    }

    fn encode(bytes: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |a, (i, b)| a | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    fn backup(s: &Snapshot) -> &BackupObs {
        &s.backups().expect("backups").backups[0]
    }

    const TORN: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n<key>BackupState</key><string>empty</string>\n<key>IsFullBackup</key><true/>\n<key>SnapshotState</key><string>uploading</string>\n</dict>\n</plist>\n";

    #[test]
    fn a_torn_status_plist_is_an_unfinished_backup() {
        let s = read(TORN).unwrap();
        let b = backup(&s);
        assert_eq!(b.status.snapshot_state.as_deref(), Some("uploading"));
        assert_eq!(b.manifest_db.file.state, FileState::NotSeen);
        let d = crate::rules::diagnose(&s, None);
        assert_eq!(
            d.findings[0].id,
            RuleId::BackupUnfinished,
            "{:?}",
            d.findings
        );
    }

    /// A Status.plist as JSON or base64 inside a forum post: a sentence
    /// before it, a fence around it, a question after it; base64 wrapped.
    #[test]
    fn a_document_with_prose_around_it_is_read() {
        let json = "{\"plist\": {\"SnapshotState\": \"uploading\", \"BackupState\": \"new\"}}";
        let base64 = "YnBsaXN0MDDRAQJdU25hcHNob3RTdGF0ZVhmaW5pc2hlZAgLGQAAAAAAAAEB\nAAAAAAAAAAMAAAAAAAAAAAAAAAAAAAAi";
        for (text, state) in [
            (
                format!("Here is my Status.plist:\n\n```json\n{json}\n```\n\nWhat does it mean?\n"),
                "uploading",
            ),
            (
                format!("Status.plist, decoded:\n    {json}\nthanks\n"),
                "uploading",
            ),
            (
                format!("base64 of the file:\n```\n{base64}\n```\nAny idea?\n"),
                "finished",
            ),
        ] {
            let s = read(&text).unwrap_or_else(|| panic!("not read: {text}"));
            assert_eq!(
                backup(&s).status.snapshot_state.as_deref(),
                Some(state),
                "{text}"
            );
        }
        assert!(read("I have a {question} about my backup\n").is_none());
    }

    #[test]
    fn json_base64_listing_and_mbstatus() {
        let s = read("{\"bytes\": 192, \"plist\": {\"SnapshotState\": \"finished\", \"BackupState\": \"new\"}}").unwrap();
        assert_eq!(backup(&s).status.file.bytes, Some(192));
        let s = read("YnBsaXN0MDDRAQJdU25hcHNob3RTdGF0ZVhmaW5pc2hlZAgLGQAAAAAAAAEBAAAAAAAAAAMAAAAAAAAAAAAAAAAAAAAi").unwrap();
        assert_eq!(
            backup(&s).status.snapshot_state.as_deref(),
            Some("finished")
        );
        let s = read("$ ls *.*\nInfo.plist      Manifest.db     Manifest.db-shm Manifest.plist  Status.plist\n").unwrap();
        assert!(backup(&s).manifest_db.file.is_present());
        let s = read("<MBStatus: version=3.3, date=2024-06-05 18:32:09 +0000, backupState=new, snapshotState=finished, fullBackup=0>\n<MBDriveProperties: version=10.0, encrypted=0, passcodeSet=0, ProductVersion: \"16.7.2\", c").unwrap();
        let b = backup(&s);
        assert_eq!(b.status.snapshot_state.as_deref(), Some("finished"));
        assert_eq!(b.status.version.as_deref(), Some("3.3"));
        assert_eq!(b.manifest.is_encrypted, Some(false));
        assert_eq!(b.manifest.product_version.as_deref(), Some("16.7.2"));
    }

    #[test]
    fn an_info_plist_names_the_phone_and_a_manifest_plist_its_encryption() {
        let s = read("<plist version=\"1.0\"><dict><key>Device Name</key><string>iPhone</string><key>Product Version</key><string>17.1</string><key>Unique Identifier</key><string>00008101-000A12345678901E</string><key>IMEI</key><string>35</string></dict></plist>").unwrap();
        let b = backup(&s);
        assert_eq!(b.udid.as_deref(), Some("00008101-000A12345678901E"));
        assert_eq!(b.info.product_version.as_deref(), Some("17.1"));
        assert_eq!(b.status.file.state, FileState::NotSeen);
        let s = read("<plist><dict><key>IsEncrypted</key><true/><key>Lockdown</key><dict><key>ProductVersion</key><string>16.0</string></dict></dict></plist>").unwrap();
        let m = &backup(&s).manifest;
        assert_eq!(
            (m.is_encrypted, m.product_version.as_deref()),
            (Some(true), Some("16.0"))
        );
    }

    #[test]
    fn hostile_plists_and_text_are_refused_without_panic() {
        assert!(read("").is_none());
        assert!(read("just words\n").is_none());
        // Truncated plist.
        assert!(read(&TORN[..TORN.len() / 2]).is_none());
        // A plist bomb inside an XML dump.
        let bomb = String::from_utf8_lossy(&hostile::nested_xml(100_000)).to_string();
        assert!(read(&format!("received\n{bomb}\n")).is_none());
        let shared = hostile::shared_object_bomb(40);
        let b64 = encode(&shared);
        assert!(b64.starts_with("YnBsaXN0MD"));
        assert!(read(&b64).is_none());
        assert!(read("YnBsaXN0MDD!!!").is_none());
        assert!(read("{\"plist\": [1, 2]}").is_none());
        assert!(read(&"[".repeat(100_000)).is_none());
        assert!(read("<MBStatus: snapshotState=").is_some());
    }
}
