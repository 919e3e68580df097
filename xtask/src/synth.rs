//! Builds backup files the way a phone writes them (Manifest.db with its
//! NSKeyedArchiver `file` records), for the fixtures, the benchmark and the
//! backups probe's tests (which include this file). Not part of the tool.

use std::path::Path;

use plist::{Dictionary, Uid, Value};

/// The `file` column of a Manifest.db row: an NSKeyedArchiver binary plist
/// of an MBFile, as iOS 10 and later write it.
pub fn mbfile_blob(size: u64, relative_path: &str) -> Vec<u8> {
    let mut file = Dictionary::new();
    file.insert("$class".into(), Value::Uid(Uid::new(3)));
    file.insert("Birth".into(), Value::Integer(1_600_000_000.into()));
    file.insert("Flags".into(), Value::Integer(0.into()));
    file.insert("GroupID".into(), Value::Integer(501.into()));
    file.insert("InodeNumber".into(), Value::Integer(123_456.into()));
    file.insert("LastModified".into(), Value::Integer(1_600_000_000.into()));
    file.insert(
        "LastStatusChange".into(),
        Value::Integer(1_600_000_000.into()),
    );
    file.insert("Mode".into(), Value::Integer(33188.into()));
    file.insert("ProtectionClass".into(), Value::Integer(3.into()));
    file.insert("RelativePath".into(), Value::Uid(Uid::new(2)));
    file.insert("Size".into(), Value::Integer(size.into()));
    file.insert("UserID".into(), Value::Integer(501.into()));
    let mut class = Dictionary::new();
    class.insert(
        "$classes".into(),
        Value::Array(vec![
            Value::String("MBFile".into()),
            Value::String("NSObject".into()),
        ]),
    );
    class.insert("$classname".into(), Value::String("MBFile".into()));
    let mut top = Dictionary::new();
    top.insert("root".into(), Value::Uid(Uid::new(1)));
    let mut archive = Dictionary::new();
    archive.insert("$archiver".into(), Value::String("NSKeyedArchiver".into()));
    archive.insert(
        "$objects".into(),
        Value::Array(vec![
            Value::String("$null".into()),
            Value::Dictionary(file),
            Value::String(relative_path.into()),
            Value::Dictionary(class),
        ]),
    );
    archive.insert("$top".into(), Value::Dictionary(top));
    archive.insert("$version".into(), Value::Integer(100_000.into()));
    let mut out = Vec::new();
    // Writing a Value built here into a Vec cannot fail.
    let _ = Value::Dictionary(archive).to_writer_binary(&mut out);
    out
}

/// The schema of Manifest.db (iOS 10 and later; see
/// `fixtures/realdata/manifest_db_schema_iOS14.2_bigsur.txt`).
pub const MANIFEST_DB_SCHEMA: &str = "
CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB);
CREATE INDEX FilesDomainIdx ON Files(domain);
CREATE INDEX FilesRelativePathIdx ON Files(relativePath);
CREATE INDEX FilesFlagsIdx ON Files(flags);
CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);
";

/// One row of Manifest.db's `Files` table.
pub struct Row {
    pub file_id: String,
    pub domain: String,
    pub relative_path: String,
    /// 1 file, 2 folder, 4 symbolic link.
    pub flags: i64,
    pub size: u64,
}

/// Writes a Manifest.db with `rows` (in rollback-journal mode, as the phone
/// leaves it).
pub fn write_manifest_db(path: &Path, rows: impl IntoIterator<Item = Row>) -> rusqlite::Result<()> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.execute_batch("PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF;")?;
    conn.execute_batch(MANIFEST_DB_SCHEMA)?;
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO Files (fileID, domain, relativePath, flags, file) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for r in rows {
            let blob = mbfile_blob(r.size, &r.relative_path);
            insert.execute(rusqlite::params![
                r.file_id,
                r.domain,
                r.relative_path,
                r.flags,
                blob
            ])?;
        }
    }
    tx.commit()?;
    conn.close().map_err(|(_, e)| e)
}

/// A fileID as the phone makes it: SHA-1 of "domain-relativePath". Here a
/// deterministic stand-in with the same shape (40 lowercase hex digits).
pub fn file_id(n: u64) -> String {
    // splitmix64, twice, for 160 well-spread bits.
    let mut x = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut out = String::with_capacity(40);
    for _ in 0..3 {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        out.push_str(&format!("{z:016x}"));
    }
    out.truncate(40);
    out
}
