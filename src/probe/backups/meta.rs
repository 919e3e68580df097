//! Info.plist, Status.plist and Manifest.plist: read, parsed from the event
//! stream, and only the listed fields kept.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use crate::plist_bounded::{get, is_one_of, scan, Found, Scalar, Seg};
use crate::snapshot::{FileState, InfoPlistObs, ManifestPlistObs, MetaFile, StatusPlistObs};

/// Info.plist of an iPhone with many apps reaches 10 MB; nothing real comes
/// near this.
const MAX_PLIST_BYTES: u64 = 256 * 1024 * 1024;

/// Reads a metadata file: its state and, when it has content, its bytes.
pub fn read_file(path: &Path, max: u64) -> (MetaFile, Option<Vec<u8>>) {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return (MetaFile::default(), None),
        Err(e) => {
            return (
                state(FileState::Unreadable, None, Some(e.to_string())),
                None,
            )
        }
    };
    if !meta.is_file() {
        return (state(FileState::NotAFile, None, None), None);
    }
    let len = meta.len();
    if len == 0 {
        return (state(FileState::Empty, Some(0), None), None);
    }
    if len > max {
        let msg = format!("{len} bytes, more than the {max} this check reads");
        return (state(FileState::Unparseable, Some(len), Some(msg)), None);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    let read = fs::File::open(path).and_then(|f| f.take(max).read_to_end(&mut bytes));
    match read {
        Ok(0) => (state(FileState::Empty, Some(0), None), None),
        Ok(_) => (state(FileState::Present, Some(len), None), Some(bytes)),
        Err(e) => (
            state(FileState::Unreadable, Some(len), Some(e.to_string())),
            None,
        ),
    }
}

fn state(state: FileState, bytes: Option<u64>, error: Option<String>) -> MetaFile {
    MetaFile {
        state,
        bytes,
        error,
    }
}

/// Reads and scans a plist; on a parse error the file is marked unparseable.
fn read_plist(path: &Path, wanted: &[&[&str]]) -> (MetaFile, Found) {
    let (mut file, bytes) = read_file(path, MAX_PLIST_BYTES);
    let Some(bytes) = bytes else {
        return (file, Found::new());
    };
    let want = |p: &[Seg]| is_one_of(p, wanted);
    match scan(&bytes, &want) {
        Ok(found) => (file, found),
        Err(e) => {
            file.state = FileState::Unparseable;
            file.error = Some(e.to_string());
            (file, Found::new())
        }
    }
}

fn string(found: &Found, keys: &[&str]) -> Option<String> {
    get(found, keys)
        .and_then(Scalar::as_str)
        .map(str::to_string)
}

fn boolean(found: &Found, keys: &[&str]) -> Option<bool> {
    get(found, keys).and_then(Scalar::as_bool)
}

fn date(found: &Found, keys: &[&str]) -> Option<String> {
    get(found, keys).and_then(Scalar::as_date)
}

pub fn info(path: &Path) -> InfoPlistObs {
    let (file, f) = read_plist(
        path,
        &[
            &["Device Name"],
            &["Product Type"],
            &["Product Version"],
            &["Unique Identifier"],
            &["Target Identifier"],
            &["Serial Number"],
            &["Last Backup Date"],
        ],
    );
    InfoPlistObs {
        device_name: string(&f, &["Device Name"]),
        product_type: string(&f, &["Product Type"]),
        product_version: string(&f, &["Product Version"]),
        udid: string(&f, &["Unique Identifier"]).or_else(|| string(&f, &["Target Identifier"])),
        serial_number: string(&f, &["Serial Number"]),
        last_backup_date: date(&f, &["Last Backup Date"]),
        file,
    }
}

pub fn status(path: &Path) -> StatusPlistObs {
    let (file, f) = read_plist(
        path,
        &[
            &["SnapshotState"],
            &["BackupState"],
            &["IsFullBackup"],
            &["Date"],
            &["UUID"],
            &["Version"],
        ],
    );
    StatusPlistObs {
        snapshot_state: string(&f, &["SnapshotState"]),
        backup_state: string(&f, &["BackupState"]),
        is_full_backup: boolean(&f, &["IsFullBackup"]),
        date: date(&f, &["Date"]),
        uuid: string(&f, &["UUID"]),
        version: string(&f, &["Version"]),
        file,
        quote: None,
    }
}

/// Manifest.plist. `BackupKeyBag` and `ManifestKey` are never kept: the
/// scanner drops every value not on the list below, and of those two only
/// whether they are there is recorded (their data is not copied out of the
/// parser's event stream).
pub fn manifest(path: &Path) -> ManifestPlistObs {
    let (file, f) = read_plist(
        path,
        &[
            &["IsEncrypted"],
            &["Version"],
            &["Date"],
            &["WasPasscodeSet"],
            &["Lockdown", "ProductVersion"],
            &["Lockdown", "ProductType"],
            &["Lockdown", "BuildVersion"],
            &["ManifestKey"],
            &["BackupKeyBag"],
        ],
    );
    let parsed = file.is_present();
    let present = |key: &str| parsed.then(|| get(&f, &[key]).is_some());
    ManifestPlistObs {
        is_encrypted: boolean(&f, &["IsEncrypted"]),
        version: string(&f, &["Version"]),
        date: date(&f, &["Date"]),
        was_passcode_set: boolean(&f, &["WasPasscodeSet"]),
        product_version: string(&f, &["Lockdown", "ProductVersion"]),
        product_type: string(&f, &["Lockdown", "ProductType"]),
        build_version: string(&f, &["Lockdown", "BuildVersion"]),
        has_manifest_key: present("ManifestKey"),
        has_key_bag: present("BackupKeyBag"),
        file,
    }
}
