//! Reading a snapshot file back, with errors a person can act on.

use std::io::Read;
use std::path::Path;

use super::{Snapshot, SCHEMA_VERSION};

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

/// Reads and validates a snapshot written by `record` (or by hand).
pub fn load(path: &Path) -> Result<Snapshot, LoadError> {
    let shown = path.display().to_string();
    let read_err = |source| LoadError::Read {
        path: shown.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let meta = file.metadata().map_err(read_err)?;
    if meta.is_dir() {
        return Err(LoadError::Invalid {
            path: shown,
            reason: "it is a folder".into(),
        });
    }
    let mut bytes = Vec::new();
    file.take(MAX_SNAPSHOT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_SNAPSHOT_BYTES {
        return Err(LoadError::TooLarge {
            path: shown,
            size: meta.len().max(bytes.len() as u64),
        });
    }
    parse(&bytes).map_err(|e| match e {
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

enum ParseError {
    TooNew(u64),
    Invalid(String),
}

fn parse(bytes: &[u8]) -> Result<Snapshot, ParseError> {
    // Look at the version first, so a newer file gets "upgrade", not a
    // confusing field error.
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ParseError::Invalid(e.to_string()))?;
    let version = value
        .get("schema_version")
        .ok_or_else(|| ParseError::Invalid("no schema_version field".into()))?
        .as_u64()
        .ok_or_else(|| ParseError::Invalid("schema_version is not a number".into()))?;
    if version > u64::from(SCHEMA_VERSION) {
        return Err(ParseError::TooNew(version));
    }
    if version == 0 {
        return Err(ParseError::Invalid("schema_version 0 does not exist".into()));
    }
    serde_json::from_value(value).map_err(|e| ParseError::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Provenance;

    #[test]
    fn round_trips() {
        let s = Snapshot::new(Provenance::default());
        let bytes = serde_json::to_vec(&s).unwrap();
        assert_eq!(parse(&bytes).ok(), Some(s));
    }

    #[test]
    fn refuses_newer_schema() {
        assert!(matches!(
            parse(br#"{"schema_version": 99}"#),
            Err(ParseError::TooNew(99))
        ));
    }

    #[test]
    fn refuses_truncated_and_wrong_types() {
        let s = serde_json::to_string(&Snapshot::new(Provenance::default())).unwrap();
        assert!(matches!(
            parse(&s.as_bytes()[..s.len() / 2]),
            Err(ParseError::Invalid(_))
        ));
        assert!(matches!(
            parse(br#"{"schema_version": "1"}"#),
            Err(ParseError::Invalid(_))
        ));
        assert!(matches!(parse(b"[]"), Err(ParseError::Invalid(_))));
    }
}
