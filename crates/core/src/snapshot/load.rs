//! Parsing a snapshot written by `record` (or by hand), with errors a person
//! can act on. Reading the file is the binary crate's job.

use super::{Snapshot, SCHEMA_VERSION};

/// Parses snapshot bytes as `--from` does (the fuzz target's entry point);
/// the error is the reason `--from` would print.
pub fn parse_snapshot(bytes: &[u8]) -> Result<Snapshot, String> {
    parse(bytes).map_err(|e| match e {
        ParseError::TooNew(found) => format!("schema_version {found} is newer than this build"),
        ParseError::Invalid(reason) => reason,
    })
}

/// Whether bytes are meant as a snapshot (a JSON object naming
/// `schema_version` or `probes` near its start), so a broken one is reported
/// as a broken snapshot rather than handed to the importers as some other
/// tool's output.
pub fn looks_like_snapshot(bytes: &[u8]) -> bool {
    let start = &bytes[..bytes.len().min(64 * 1024)];
    let object = start.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let names = |key: &[u8]| start.windows(key.len()).any(|w| w == key);
    object && (names(b"\"schema_version\"") || names(b"\"probes\""))
}

/// Why snapshot bytes were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// A newer tool wrote it.
    TooNew(u64),
    Invalid(String),
}

/// Parses and validates snapshot bytes.
pub fn parse(bytes: &[u8]) -> Result<Snapshot, ParseError> {
    // Look at the version first, so a newer file gets "upgrade", not a
    // confusing field error.
    // Only that field is built (the rest is skipped, not held as a JSON
    // tree ten times the file's size), then the snapshot straight from the
    // bytes (issue 30: memory of a snapshot of thousands of phones).
    #[derive(serde::Deserialize)]
    struct Version {
        schema_version: Option<serde_json::Value>,
    }
    let head: Version =
        serde_json::from_slice(bytes).map_err(|e| ParseError::Invalid(e.to_string()))?;
    let version = head
        .schema_version
        .ok_or_else(|| ParseError::Invalid("no schema_version field".into()))?
        .as_u64()
        .ok_or_else(|| ParseError::Invalid("schema_version is not a number".into()))?;
    if version > u64::from(SCHEMA_VERSION) {
        return Err(ParseError::TooNew(version));
    }
    if version == 0 {
        return Err(ParseError::Invalid(
            "schema_version 0 does not exist".into(),
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| ParseError::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Provenance;

    #[test]
    fn a_snapshot_is_told_from_other_json_by_its_keys() {
        assert!(looks_like_snapshot(b"  {\"schema_version\": 1"));
        assert!(looks_like_snapshot(b"{\"probes\": {}}"));
        assert!(!looks_like_snapshot(b"{\"ProductType\": \"iPhone9,1\"}"));
        assert!(!looks_like_snapshot(b"schema_version: 1"));
    }

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
