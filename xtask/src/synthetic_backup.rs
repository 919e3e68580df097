//! Writes a synthetic backup for the benchmark: N files in the 256 `xx/`
//! subfolders, a Manifest.db listing them (with NSKeyedArchiver `file`
//! records holding their sizes), and the three plists.
//!
//! cargo xtask synthetic-backup DIR FILES

use std::fs;
use std::path::Path;

use crate::synth::{file_id, write_manifest_db, Row};

const UDID: &str = "00008101-000A1B2C3D4E5F60";

pub fn run(dir: &Path, n: u64) -> Result<(), Box<dyn std::error::Error>> {
    let root = dir.join(UDID);
    for i in 0..256 {
        fs::create_dir_all(root.join(format!("{i:02x}")))?;
    }
    // Small files of varied sizes: a backup is mostly small files.
    let size_of = |i: u64| (i * 37) % 2048;
    let buf = vec![0u8; 2048];
    for i in 0..n {
        let id = file_id(i);
        fs::write(root.join(&id[..2]).join(&id), &buf[..size_of(i) as usize])?;
    }
    write_manifest_db(
        &root.join("Manifest.db"),
        (0..n).map(|i| Row {
            file_id: file_id(i),
            domain: format!("AppDomain-com.example.app{}", i % 500),
            relative_path: format!("Library/Caches/file{i}.dat"),
            flags: 1,
            size: size_of(i),
        }),
    )?;
    let info = plist::Dictionary::from_iter([
        (
            "Device Name".to_string(),
            plist::Value::String("Bench iPhone".into()),
        ),
        (
            "Product Type".to_string(),
            plist::Value::String("iPhone13,2".into()),
        ),
        (
            "Product Version".to_string(),
            plist::Value::String("17.5".into()),
        ),
        (
            "Unique Identifier".to_string(),
            plist::Value::String(UDID.into()),
        ),
    ]);
    plist::Value::Dictionary(info).to_file_xml(root.join("Info.plist"))?;
    let status = plist::Dictionary::from_iter([
        (
            "SnapshotState".to_string(),
            plist::Value::String("finished".into()),
        ),
        (
            "BackupState".to_string(),
            plist::Value::String("new".into()),
        ),
        ("IsFullBackup".to_string(), plist::Value::Boolean(false)),
        ("Version".to_string(), plist::Value::String("3.3".into())),
    ]);
    plist::Value::Dictionary(status).to_file_binary(root.join("Status.plist"))?;
    let manifest = plist::Dictionary::from_iter([
        ("IsEncrypted".to_string(), plist::Value::Boolean(false)),
        ("Version".to_string(), plist::Value::String("10.0".into())),
    ]);
    plist::Value::Dictionary(manifest).to_file_binary(root.join("Manifest.plist"))?;
    Ok(())
}
