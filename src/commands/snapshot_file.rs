//! Reading a snapshot file for `diagnose --from`, bounded, with errors a
//! person can act on; parsing is the core's.

use std::io::Read;
use std::path::Path;

use crate::snapshot::{parse_snapshot_bytes, ParseError, Snapshot, SCHEMA_VERSION};

/// Larger files are refused before parsing: a real snapshot is a few kB.
pub const MAX_SNAPSHOT_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is {size} bytes; a snapshot is at most {MAX_SNAPSHOT_BYTES} bytes")]
    TooLarge { path: String, size: u64 },
    #[error("{path} is not a snapshot: {reason}")]
    Invalid { path: String, reason: String },
    #[error("{path} has schema_version {found}; this build reads up to {SCHEMA_VERSION} (upgrade iphone-backup-check)")]
    TooNew { path: String, found: u64 },
}

/// Reads and validates a snapshot written by `record` (or by hand), or
/// another tool's output that an importer recognises.
pub fn load(path: &Path) -> Result<Snapshot, LoadError> {
    let shown = path.display().to_string();
    let read_err = |source| LoadError::Read {
        path: shown.clone(),
        source,
    };
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(MAX_SNAPSHOT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read_err)?;
        if bytes.len() as u64 > MAX_SNAPSHOT_BYTES {
            return Err(LoadError::TooLarge {
                path: "standard input".into(),
                size: bytes.len() as u64,
            });
        }
        return parse(&bytes, "standard input", "standard input");
    }
    let file = std::fs::File::open(path).map_err(read_err)?;
    let meta = file.metadata().map_err(read_err)?;
    if meta.is_dir() {
        return Err(LoadError::Invalid {
            path: shown,
            reason: "it is a folder".into(),
        });
    }
    // Refused on its size alone: a 1 GiB (or sparse) file is never read.
    if meta.len() > MAX_SNAPSHOT_BYTES {
        return Err(LoadError::TooLarge {
            path: shown,
            size: meta.len(),
        });
    }
    let mut bytes = Vec::new();
    // Still bounded: a pipe or a growing file reports a small size.
    file.take(MAX_SNAPSHOT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_SNAPSHOT_BYTES {
        return Err(LoadError::TooLarge {
            path: shown,
            size: meta.len().max(bytes.len() as u64),
        });
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    parse(&bytes, &shown, &name)
}

/// A snapshot (JSON), or another tool's output an importer recognises.
fn parse(bytes: &[u8], shown: &str, name: &str) -> Result<Snapshot, LoadError> {
    let shown = shown.to_string();
    let json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if !json {
        let text = String::from_utf8_lossy(bytes);
        return crate::import::import(&text, name).ok_or_else(|| LoadError::Invalid {
            path: shown.clone(),
            reason: format!(
                "nothing in it is recognised; --from reads {}",
                crate::import::READABLE
            ),
        });
    }
    parse_snapshot_bytes(bytes).map_err(|e| match e {
        ParseError::TooNew(found) => LoadError::TooNew {
            path: shown.clone(),
            found,
        },
        ParseError::Invalid(reason) => LoadError::Invalid {
            path: shown.clone(),
            reason,
        },
    })
}
