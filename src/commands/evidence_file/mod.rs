//! Reading the files given to `--from`: a snapshot written by `record`, or
//! another tool's output for the importers. Reading is bounded whatever the
//! file is: a snapshot is refused past 16 MiB, and of a huge log only its
//! beginning and end are kept (where a tool prints how it started and how it
//! failed), with the lines between counted so quoted line numbers stay true.

mod holes;

use std::io::Read;
use std::path::Path;

use crate::import::{self, Capture};
use crate::snapshot::{
    looks_like_snapshot, parse_snapshot_bytes, ParseError, Snapshot, SCHEMA_VERSION,
};

/// Larger snapshots are refused: a real one is a few kB.
pub const MAX_SNAPSHOT_BYTES: u64 = 16 * 1024 * 1024;
/// Of a text file, this much of the beginning is kept...
const HEAD_BYTES: usize = 16 * 1024 * 1024;
/// ...and this much of the end.
const TAIL_BYTES: usize = 4 * 1024 * 1024;
const CHUNK: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is {size} bytes; a snapshot is at most {MAX_SNAPSHOT_BYTES} bytes")]
    TooLarge { path: String, size: u64 },
    #[error("{path} is not a valid snapshot: {reason}")]
    Invalid { path: String, reason: String },
    #[error("{path}: {reason}")]
    NotEvidence { path: String, reason: &'static str },
    #[error("{path}: nothing in it is recognised; --from reads {readable}")]
    Unrecognised { path: String, readable: String },
    #[error("{path} has schema_version {found}; this build reads up to {SCHEMA_VERSION} (upgrade iphone-backup-check)")]
    TooNew { path: String, found: u64 },
}

/// Every file, read and merged into one snapshot (`-` is standard input).
pub fn load_all(paths: &[impl AsRef<Path>]) -> Result<Snapshot, LoadError> {
    let mut parts = Vec::with_capacity(paths.len());
    for path in paths {
        parts.push(load(path.as_ref())?);
    }
    Ok(import::merge(parts).unwrap_or_else(|| Snapshot::new(Default::default())))
}

/// One file: a snapshot, or what the importers recognise in it.
pub fn load(path: &Path) -> Result<Snapshot, LoadError> {
    let stdin = path == Path::new("-");
    let shown = if stdin {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    let read_err = |source| LoadError::Read {
        path: shown.clone(),
        source,
    };
    let kept = if stdin {
        keep_ends(std::io::stdin().lock()).map_err(read_err)?
    } else {
        let file = std::fs::File::open(path).map_err(read_err)?;
        if file.metadata().map_err(read_err)?.is_dir() {
            return Err(LoadError::NotEvidence {
                path: shown,
                reason: "it is a folder",
            });
        }
        keep_ends(holes::HoleSkipping::new(file)).map_err(read_err)?
    };
    let name = if stdin {
        shown.clone()
    } else {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| shown.clone())
    };
    if kept.total == 0 {
        return Err(LoadError::NotEvidence {
            path: shown,
            reason: "it is empty",
        });
    }
    if looks_like_snapshot(&kept.head) {
        if kept.total > MAX_SNAPSHOT_BYTES {
            return Err(LoadError::TooLarge {
                path: shown,
                size: kept.total,
            });
        }
        return parse_snapshot_bytes(&kept.head).map_err(|e| match e {
            ParseError::TooNew(found) => LoadError::TooNew { path: shown, found },
            ParseError::Invalid(reason) => LoadError::Invalid {
                path: shown,
                reason,
            },
        });
    }
    let capture = Capture::from_parts(name, &kept.head, kept.skipped_lines, &kept.tail);
    let mut snapshot = import::import(&capture).ok_or_else(|| LoadError::Unrecognised {
        path: shown.clone(),
        readable: import::readable(),
    })?;
    if kept.skipped_lines > 0 {
        let note = format!(
            "{shown} is {} bytes: its first {} MiB and last {} MiB were read, {} lines between them were not",
            kept.total,
            HEAD_BYTES >> 20,
            TAIL_BYTES >> 20,
            kept.skipped_lines
        );
        let notes = &mut snapshot.provenance.notes;
        *notes = Some(match notes.take() {
            Some(n) => format!("{n}; {note}"),
            None => note,
        });
    }
    Ok(snapshot)
}

/// The beginning and end of a stream, and what lay between.
struct Kept {
    head: Vec<u8>,
    tail: Vec<u8>,
    /// Line breaks in the bytes that were not kept.
    skipped_lines: u64,
    total: u64,
    /// Bytes were dropped before `tail`, the last of them not a line break.
    cut_mid_line: Option<bool>,
}

impl Kept {
    /// Drops the start of `tail` so at most `keep` bytes remain.
    fn trim_tail(&mut self, keep: usize) {
        if self.tail.len() <= keep {
            return;
        }
        let drop = self.tail.len() - keep;
        self.skipped_lines += newlines(&self.tail[..drop]);
        self.cut_mid_line = Some(self.tail[drop - 1] != b'\n');
        self.tail.drain(..drop);
    }
}

/// Reads `r` to its end in chunks, keeping at most `HEAD_BYTES` of its
/// beginning and `TAIL_BYTES` of its end: memory stays bounded for a file of
/// any size, a pipe, or a single line without end.
fn keep_ends(mut r: impl Read) -> std::io::Result<Kept> {
    let mut kept = Kept {
        head: Vec::new(),
        tail: Vec::new(),
        skipped_lines: 0,
        total: 0,
        cut_mid_line: None,
    };
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = match r.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        kept.total += n as u64;
        let mut bytes = &chunk[..n];
        let room = HEAD_BYTES - kept.head.len();
        if room > 0 {
            let take = room.min(bytes.len());
            kept.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        kept.tail.extend_from_slice(bytes);
        if kept.tail.len() > 2 * TAIL_BYTES {
            kept.trim_tail(TAIL_BYTES);
        }
    }
    kept.trim_tail(TAIL_BYTES);
    // The tail starts on a line of its own: the rest of a line cut in two is
    // skipped too.
    if kept.cut_mid_line == Some(true) {
        match kept.tail.iter().position(|&b| b == b'\n') {
            Some(i) => {
                kept.skipped_lines += 1;
                kept.tail.drain(..=i);
            }
            None => kept.tail.clear(),
        }
    }
    Ok(kept)
}

fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_stream_keeps_its_ends_and_counts_the_lines_between() {
        let line = "x".repeat(99) + "\n";
        let lines = (HEAD_BYTES + TAIL_BYTES) / 100 * 3;
        let mut text = line.repeat(lines);
        text.push_str("the last line\n");
        let kept = keep_ends(text.as_bytes()).unwrap();
        assert_eq!(kept.head.len(), HEAD_BYTES);
        assert!(kept.tail.len() <= TAIL_BYTES);
        let c = Capture::from_parts("big", &kept.head, kept.skipped_lines, &kept.tail);
        let last = c.lines().last().unwrap();
        assert_eq!(
            (last.number, last.text),
            (lines as u64 + 1, "the last line")
        );
        let numbers: Vec<u64> = c.lines().map(|l| l.number).collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "numbers only grow");
    }

    #[test]
    fn a_small_stream_is_kept_whole() {
        let kept = keep_ends(&b"a\nb\n"[..]).unwrap();
        assert_eq!(
            (kept.head.as_slice(), kept.tail.len(), kept.skipped_lines),
            (&b"a\nb\n"[..], 0, 0)
        );
    }
}
