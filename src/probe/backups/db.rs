//! Manifest.db, opened read-only and immutable: SQLite then takes no lock
//! and creates no journal, WAL or shared-memory file beside it.

use std::fs;
use std::path::Path;
use std::time::Instant;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::mbfile::mbfile_size;
use super::read_file_state;
use crate::snapshot::{FileState, ManifestDbObs};

/// At most this many quick_check lines are kept.
const MAX_CHECK_LINES: usize = 10;

/// A `file:` URI for SQLite that opens `path` read-only and immutable.
pub fn sqlite_uri(path: &Path) -> Option<String> {
    let text = path.to_str()?;
    let text = if cfg!(windows) {
        text.replace('\\', "/")
    } else {
        text.to_string()
    };
    let mut out = String::from("file:");
    // A Windows drive path becomes file:///C:/...
    if text.as_bytes().get(1) == Some(&b':') {
        out.push_str("///");
    } else if text.starts_with("//") {
        out.push_str("//");
    }
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out.push_str("?mode=ro&immutable=1");
    Some(out)
}

/// A Manifest.db is a file from outside (a backup copied from someone
/// else's computer): it may define `Files` as a view that computes a
/// gigabyte, recurse forever, or nest expressions to exhaust the stack.
/// These caps are far above what a phone writes (an MBFile record is a few
/// kilobytes) and far below what would hurt this computer.
const MAX_VALUE_BYTES: i32 = 4 << 20;
const MAX_SQL_BYTES: i32 = 64 << 10;
const MAX_EXPR_DEPTH: i32 = 64;
const MAX_COLUMNS: i32 = 64;
const MAX_COMPOUND_SELECT: i32 = 4;
const MAX_FUNCTION_ARGS: i32 = 8;
const MAX_TRIGGER_DEPTH: i32 = 1;
/// SQLite's heap for the whole process (only Manifest.db uses SQLite): a
/// statement that needs more fails with "out of memory" instead of growing
/// the tool.
const HEAP_LIMIT_BYTES: i64 = 24 << 20;
/// The tables this probe reads. Each must be a plain table, not a view, a
/// virtual table or one with generated columns.
const TABLES_READ: &[&str] = &["Files"];

/// Why a Manifest.db was refused before any query ran: it is not one a
/// phone writes.
pub const REFUSED: &str = "the backup's database is not one a phone writes";

/// Why a Manifest.db could not be opened for reading.
#[derive(Debug)]
pub enum OpenError {
    /// The file could not be opened (path, permissions, I/O).
    Unreadable(String),
    /// It opened, and is not a database a phone writes (see [`REFUSED`]).
    Refused(String),
    /// It is not a database, or a damaged one.
    Damaged(String),
    /// The deadline stopped SQLite while it read the schema.
    Interrupted,
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Unreadable(m) | OpenError::Refused(m) | OpenError::Damaged(m) => {
                f.write_str(m)
            }
            OpenError::Interrupted => f.write_str("the deadline passed while SQLite read it"),
        }
    }
}

/// Opens Manifest.db read-only and immutable, as untrusted input: the schema
/// is not trusted, values and statements are capped, SQLite's heap is
/// bounded, every statement stops at `deadline`, and the tables this probe
/// reads must be plain tables.
pub fn open(path: &Path, deadline: Option<Instant>) -> Result<Connection, OpenError> {
    let uri = sqlite_uri(path).ok_or_else(|| {
        OpenError::Unreadable("its path is not valid UTF-8, which SQLite needs".into())
    })?;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(uri, flags)
        .map_err(|e| OpenError::Unreadable(e.to_string()))?;
    harden(&conn).map_err(|e| OpenError::Unreadable(format!("cannot restrict SQLite: {e}")))?;
    if let Some(deadline) = deadline {
        conn.progress_handler(1_000, Some(move || Instant::now() >= deadline))
            .map_err(|e| OpenError::Unreadable(e.to_string()))?;
    }
    check_schema(&conn)?;
    Ok(conn)
}

/// The connection's caps: no trusted schema, defensive mode, no triggers or
/// views run for us, and limits on values, statements and recursion.
fn harden(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::config::DbConfig;
    use rusqlite::limits::Limit;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_VIEW, false)?;
    for (limit, value) in [
        (Limit::SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES),
        (Limit::SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES),
        (Limit::SQLITE_LIMIT_EXPR_DEPTH, MAX_EXPR_DEPTH),
        (Limit::SQLITE_LIMIT_COLUMN, MAX_COLUMNS),
        (Limit::SQLITE_LIMIT_COMPOUND_SELECT, MAX_COMPOUND_SELECT),
        (Limit::SQLITE_LIMIT_FUNCTION_ARG, MAX_FUNCTION_ARGS),
        (Limit::SQLITE_LIMIT_TRIGGER_DEPTH, MAX_TRIGGER_DEPTH),
        (Limit::SQLITE_LIMIT_ATTACHED, 0),
        (Limit::SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 64),
        (Limit::SQLITE_LIMIT_VARIABLE_NUMBER, 8),
        (Limit::SQLITE_LIMIT_WORKER_THREADS, 0),
    ] {
        conn.set_limit(limit, value)?;
    }
    // The heap limit is SQLite's, for the whole process; only this probe
    // uses SQLite. No memory map: a file from outside is read, not mapped.
    conn.execute_batch(&format!(
        "PRAGMA hard_heap_limit = {HEAP_LIMIT_BYTES}; PRAGMA mmap_size = 0; \
         PRAGMA cell_size_check = ON; PRAGMA query_only = 1;"
    ))
}

/// Refuses a database whose tables this probe reads are views, virtual
/// tables or tables with generated columns: reading those runs SQL the file
/// carries. A missing table is left for the query to report.
fn check_schema(conn: &Connection) -> Result<(), OpenError> {
    let refuse = |why: String| OpenError::Refused(format!("{REFUSED}: {why}"));
    let unreadable = |e: rusqlite::Error| match e.sqlite_error_code() {
        _ if interrupted(&e) => OpenError::Interrupted,
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied | ErrorCode::SystemIoFailure) => {
            OpenError::Unreadable(e.to_string())
        }
        // Not a database, or a damaged one: said as SQLite says it.
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            OpenError::Damaged(e.to_string())
        }
        _ => OpenError::Refused(format!("{REFUSED}: {e}")),
    };
    for name in TABLES_READ {
        let mut st = conn
            .prepare(
                "SELECT type, coalesce(sql, '') FROM sqlite_schema WHERE name = ?1 COLLATE NOCASE",
            )
            .map_err(unreadable)?;
        let rows: Vec<(String, String)> = st
            .query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(unreadable)?;
        for (kind, sql) in &rows {
            if kind != "table" {
                return Err(refuse(format!("{name} is a {kind}, not a table")));
            }
            let head: String = sql
                .chars()
                .take(40)
                .collect::<String>()
                .to_ascii_uppercase();
            if head.split_whitespace().take(2).collect::<Vec<_>>() == ["CREATE", "VIRTUAL"] {
                return Err(refuse(format!("{name} is a virtual table")));
            }
        }
        if rows.is_empty() {
            continue;
        }
        let computed: i64 = conn
            .query_row(
                "SELECT count(*) FROM pragma_table_xinfo(?1) WHERE hidden IN (2, 3)",
                [name],
                |r| r.get(0),
            )
            .map_err(unreadable)?;
        if computed > 0 {
            return Err(refuse(format!("{name} has computed columns")));
        }
    }
    Ok(())
}

/// What went wrong, in the state vocabulary of the snapshot: the file could
/// not be read, or it was read and is not a usable Manifest.db (not a
/// database, damaged, or without the `Files` table).
fn classify(e: &rusqlite::Error) -> (FileState, String) {
    match e.sqlite_error_code() {
        Some(
            ErrorCode::CannotOpen
            | ErrorCode::PermissionDenied
            | ErrorCode::SystemIoFailure
            | ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked,
        ) => (FileState::Unreadable, e.to_string()),
        // Past the caps above: nothing a phone writes gets there.
        Some(ErrorCode::OutOfMemory) => (
            FileState::Unparseable,
            format!(
                "{REFUSED}: reading it needs more than the {} MiB SQLite may use here",
                HEAP_LIMIT_BYTES >> 20
            ),
        ),
        Some(ErrorCode::TooBig) => (FileState::Unparseable, format!("{REFUSED}: {e}")),
        _ => (FileState::Unparseable, e.to_string()),
    }
}

/// Whether SQLite stopped because the deadline passed.
pub fn interrupted(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::OperationInterrupted)
}

/// Manifest.db of an encrypted backup: whether it is there, readable and
/// how big, without opening it. Since iOS 10.2 it is AES-encrypted as a
/// whole (libimobiledevice's peers pymobiledevice3 and iOSbackup decrypt it
/// with the key `ManifestKey` wraps), so SQLite would only say "file is not
/// a database"; the keys stay unread.
pub fn presence(path: &Path) -> ManifestDbObs {
    ManifestDbObs {
        file: read_file_state(path),
        encrypted: true,
        wal_present: fs::metadata(path.with_file_name("Manifest.db-wal"))
            .is_ok_and(|m| m.len() > 0),
        ..Default::default()
    }
}

/// The database's state, quick_check and file counts. Returns true when the
/// deadline stopped it.
pub fn check(path: &Path, deadline: Option<Instant>) -> (ManifestDbObs, bool) {
    let mut obs = ManifestDbObs {
        file: read_file_state(path),
        wal_present: fs::metadata(path.with_file_name("Manifest.db-wal"))
            .is_ok_and(|m| m.len() > 0),
        ..Default::default()
    };
    if obs.file.state != FileState::Present {
        return (obs, false);
    }
    let conn = match open(path, deadline) {
        Ok(c) => c,
        Err(OpenError::Interrupted) => return (obs, true),
        Err(e) => {
            obs.file.state = match e {
                OpenError::Refused(_) | OpenError::Damaged(_) => FileState::Unparseable,
                _ => FileState::Unreadable,
            };
            obs.file.error = Some(e.to_string());
            return (obs, false);
        }
    };
    let fail = |obs: &mut ManifestDbObs, e: rusqlite::Error| -> bool {
        if interrupted(&e) {
            return true;
        }
        let (state, message) = classify(&e);
        obs.file.state = state;
        obs.file.error = Some(message);
        false
    };
    // quick_check first: it says whether the file is a database at all.
    let lines: rusqlite::Result<Vec<String>> = conn
        .prepare(&format!("PRAGMA quick_check({MAX_CHECK_LINES})"))
        .and_then(|mut st| st.query_map([], |r| r.get::<_, String>(0))?.collect());
    match lines {
        Ok(lines) => obs.quick_check = Some(lines),
        Err(e) => {
            let cut = fail(&mut obs, e);
            return (obs, cut);
        }
    }
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
    match count("SELECT count(*) FROM Files") {
        Ok(n) => obs.record_count = u64::try_from(n).ok(),
        Err(e) => {
            let cut = fail(&mut obs, e);
            return (obs, cut);
        }
    }
    match count("SELECT count(*) FROM Files WHERE flags = 1") {
        Ok(n) => obs.file_count = u64::try_from(n).ok(),
        Err(e) => {
            let cut = fail(&mut obs, e);
            return (obs, cut);
        }
    }
    (obs, false)
}

/// A file Manifest.db lists (or the walk found), compactly: the first 8
/// bytes of its fileID (a SHA-1, so 64 bits tell a million files apart) and
/// its size (u64::MAX when the record could not be decoded). 16 bytes, so a
/// million files take 16 MB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Listed {
    pub key: u64,
    pub size: u64,
}

/// The sort key of a fileID.
pub fn key_of(id: &[u8; 20]) -> u64 {
    id[..8].iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b))
}

pub const UNKNOWN_SIZE: u64 = u64::MAX;

/// Parses a 40-digit hex fileID.
pub fn parse_id(text: &[u8]) -> Option<[u8; 20]> {
    if text.len() != 40 {
        return None;
    }
    let mut out = [0u8; 20];
    for (i, pair) in text.chunks_exact(2).enumerate() {
        let hi = hex(pair[0])?;
        let lo = hex(pair[1])?;
        out[i] = hi << 4 | lo;
    }
    Some(out)
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Every regular file Manifest.db lists, streamed in table order.
/// `odd` receives rows whose fileID is not 40 hex digits (checked by path).
/// `tick` is called every few thousand rows; returning false stops the scan
/// (deadline). Returns whether the scan reached the end.
pub fn list_files(
    conn: &Connection,
    out: &mut Vec<Listed>,
    odd: &mut dyn FnMut(&str, u64),
    tick: &mut dyn FnMut(u64) -> bool,
) -> Result<bool, rusqlite::Error> {
    let mut st = conn.prepare("SELECT fileID, flags, file FROM Files")?;
    let mut rows = st.query([])?;
    let mut n: u64 = 0;
    loop {
        let row = match rows.next() {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) if interrupted(&e) => return Ok(false),
            Err(e) => return Err(e),
        };
        n += 1;
        if n % 4096 == 0 && !tick(n) {
            return Ok(false);
        }
        if row.get_ref(1)?.as_i64_or_null()? != Some(1) {
            continue;
        }
        let size = match row.get_ref(2)?.as_blob_or_null()? {
            Some(blob) => mbfile_size(blob).unwrap_or(UNKNOWN_SIZE),
            None => UNKNOWN_SIZE,
        };
        let id_ref = row.get_ref(0)?;
        let id_bytes = match id_ref {
            rusqlite::types::ValueRef::Text(t) => t,
            _ => b"",
        };
        match parse_id(id_bytes) {
            Some(id) => out.push(Listed {
                key: key_of(&id),
                size,
            }),
            None => odd(&String::from_utf8_lossy(id_bytes), size),
        }
    }
    tick(n);
    Ok(true)
}

/// The full fileID and domain of the file whose key is `key`, for evidence.
pub fn describe(conn: &Connection, key: u64) -> (String, Option<String>) {
    let prefix = format!("{key:016x}");
    for p in [prefix.clone(), prefix.to_uppercase()] {
        // A range on the primary key, so SQLite uses its index.
        let upper = format!("{p}g");
        let found = conn.query_row(
            "SELECT fileID, domain FROM Files WHERE fileID >= ?1 AND fileID < ?2 LIMIT 1",
            [&p, &upper],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
        );
        if let Ok(found) = found {
            return found;
        }
    }
    (prefix, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_escapes_what_sqlite_would_read_as_syntax() {
        let uri = sqlite_uri(Path::new("/tmp/a b?c#d%e/é/Manifest.db")).expect("utf-8");
        assert_eq!(
            uri,
            "file:/tmp/a%20b%3Fc%23d%25e/%C3%A9/Manifest.db?mode=ro&immutable=1"
        );
    }

    #[test]
    fn hex_ids_parse_and_key() {
        let id = parse_id(b"E41D74A1B3680375ab2055a45a09053f646d1cc6").expect("hex");
        assert_eq!(key_of(&id), 0xe41d_74a1_b368_0375);
        assert!(parse_id(b"e41d74a1").is_none());
        assert!(parse_id(b"g41d74a1b3680375ab2055a45a09053f646d1cc6").is_none());
    }
}
