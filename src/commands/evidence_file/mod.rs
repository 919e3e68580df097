//! Reading the files given to `--from`: a snapshot written by `record`, or
//! another tool's output for the importers. Reading is bounded whatever the
//! file is: a snapshot is refused past 8 MiB, a stream is read up to 64 MiB, all
//! within `--timeout`, and of a huge log only its beginning and end are kept (where a tool prints how it started and how it
//! failed), with the lines between counted so quoted line numbers stay true.

mod holes;
mod stream;

use std::path::Path;
use std::time::{Duration, Instant};

pub use stream::MAX_STREAM_BYTES;

use crate::import::{self, Capture, Stop};
use crate::snapshot::{
    looks_like_snapshot, parse_snapshot_bytes, ParseError, Snapshot, SCHEMA_VERSION,
};

/// Larger snapshots are refused: a real one is a few kB. It is the part of
/// a file that is kept ([`HEAD_BYTES`]): a snapshot between the two was cut
/// there and refused as broken JSON (issue 30).
pub const MAX_SNAPSHOT_BYTES: u64 = HEAD_BYTES as u64;
/// Of a text file or stream, this much of the beginning is kept...
/// (what the importers then build from it takes a few times as much: 8 + 2
/// MiB keep the whole run under 64 MiB for any bytes, noise included)
const HEAD_BYTES: usize = 8 * 1024 * 1024;
/// ...and this much of the end.
const TAIL_BYTES: usize = 2 * 1024 * 1024;

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
    #[error("{path}: nothing arrived before the deadline (--timeout); a FIFO or pipe needs a program writing to it")]
    NothingArrived { path: String },
    #[error("{path}: nothing in it is recognised; --from reads {readable}")]
    Unrecognised { path: String, readable: String },
    #[error("{path} has schema_version {found}; this build reads up to {SCHEMA_VERSION} (upgrade iphone-backup-check)")]
    TooNew { path: String, found: u64 },
}

/// Every file, read and merged into one snapshot (`-` is standard input),
/// all of them within `timeout`.
pub fn load_all(paths: &[impl AsRef<Path>], timeout: Duration) -> Result<Snapshot, LoadError> {
    let deadline = Instant::now() + timeout;
    let stop = stop_at(deadline);
    let mut parts = Vec::with_capacity(paths.len());
    for path in paths {
        parts.push(load(path.as_ref(), deadline, &stop)?);
    }
    let cut: Vec<String> = parts.iter().filter_map(|p| p.input_cut.clone()).collect();
    let mut merged = import::merge(parts).unwrap_or_else(|| Snapshot::new(Default::default()));
    if !cut.is_empty() {
        merged.input_cut = Some(cut.join("; "));
    }
    Ok(merged)
}

/// A [`Stop`] set at `deadline` by a thread of its own: the importers (pure,
/// without a clock) end their reading there, so a paste of noise that
/// arrived in time is not read past the deadline. The thread sleeps until
/// then and holds nothing else; the process may end before it wakes.
fn stop_at(deadline: Instant) -> Stop {
    let stop = Stop::default();
    let timer = stop.clone();
    let spawned = std::thread::Builder::new()
        .name("--from deadline".into())
        .spawn(move || {
            std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
            timer.set();
        });
    if spawned.is_err() {
        // No thread to keep the time: read nothing rather than past it.
        stop.set();
    }
    stop
}

/// One file: a snapshot, or what the importers recognise in it, read until
/// `deadline` (`stop` is set then).
fn load(path: &Path, deadline: Instant, stop: &Stop) -> Result<Snapshot, LoadError> {
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
    // A regular file is read whole (holes skipped, its middle not kept); a
    // stream (standard input, a pipe, a FIFO, a device) up to its cap. Both
    // within the deadline, on a thread of their own: opening a FIFO waits
    // for a writer.
    let mut keep = KeepEnds::default();
    let end = if stdin {
        stream::read_bounded(
            || Ok(std::io::stdin()),
            Some(MAX_STREAM_BYTES),
            deadline,
            &mut |b| keep.push(b),
        )
    } else {
        // stat does not open, so it does not wait for a FIFO's writer.
        let meta = std::fs::metadata(path).map_err(read_err)?;
        if meta.is_dir() {
            return Err(LoadError::NotEvidence {
                path: shown,
                reason: "it is a folder",
            });
        }
        let owned = path.to_path_buf();
        if meta.is_file() {
            stream::read_bounded(
                move || std::fs::File::open(owned).map(holes::HoleSkipping::new),
                None,
                deadline,
                &mut |b| keep.push(b),
            )
        } else {
            stream::read_bounded(
                move || std::fs::File::open(owned),
                Some(MAX_STREAM_BYTES),
                deadline,
                &mut |b| keep.push(b),
            )
        }
    }
    .map_err(read_err)?;
    let kept = keep.finish();
    let input_cut = match end {
        stream::End::Eof => None,
        stream::End::Deadline if kept.total == 0 => {
            return Err(LoadError::NothingArrived { path: shown });
        }
        stream::End::Deadline => Some(format!(
            "{shown}: the deadline (--timeout) came after {} bytes; what came later was not read",
            kept.total
        )),
        stream::End::Cap => Some(format!(
            "{shown} was read up to its first {} MiB (the most read from a stream); the rest was not read",
            MAX_STREAM_BYTES >> 20
        )),
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
        if input_cut.is_some() {
            return Err(LoadError::Invalid {
                path: shown,
                reason: input_cut.unwrap_or_default(),
            });
        }
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
    // The importers read the capture's text; it lets the raw bytes go.
    let (total, skipped_lines) = (kept.total, kept.skipped_lines);
    let capture =
        Capture::from_parts_until(name, kept.head, skipped_lines, kept.tail, stop.clone());
    let imported = import::import(&capture);
    let late = stop.is_set();
    drop(capture);
    let mut snapshot = imported.ok_or_else(|| LoadError::Unrecognised {
        path: match (&input_cut, late) {
            // An endless stream of nothing known: say it was cut, too.
            (Some(_), false) => format!("{shown} (the first {total} bytes)"),
            (Some(_), true) => format!(
                "{shown} (the first {total} bytes; the deadline (--timeout) came before they were all read)"
            ),
            (None, true) => {
                format!("{shown} (the deadline (--timeout) came before it was all read)")
            }
            (None, false) => shown.clone(),
        },
        readable: import::readable(),
    })?;
    let late = late.then(|| {
        format!("{shown}: the deadline (--timeout) came while its lines were read; the lines after were not read")
    });
    snapshot.input_cut = match (input_cut, late) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    };
    if skipped_lines > 0 {
        let note = format!(
            "{shown} is {total} bytes: its first {} MiB and last {} MiB were read, {skipped_lines} lines between them were not",
            HEAD_BYTES >> 20,
            TAIL_BYTES >> 20,
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
#[derive(Default)]
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

/// Keeps at most `HEAD_BYTES` of a stream's beginning and `TAIL_BYTES` of
/// its end, fed chunk by chunk: memory stays bounded for a file of any size,
/// a pipe, or a single line without end.
#[derive(Default)]
struct KeepEnds {
    kept: Kept,
}

impl KeepEnds {
    fn push(&mut self, mut bytes: &[u8]) {
        let kept = &mut self.kept;
        kept.total += bytes.len() as u64;
        let room = HEAD_BYTES - kept.head.len();
        if room > 0 {
            let take = room.min(bytes.len());
            kept.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        // Grown exactly: the tail's buffer stays near 2 * TAIL_BYTES plus
        // one chunk rather than doubling past it.
        kept.tail.reserve_exact(bytes.len());
        kept.tail.extend_from_slice(bytes);
        if kept.tail.len() > 2 * TAIL_BYTES {
            kept.trim_tail(TAIL_BYTES);
        }
    }

    fn finish(self) -> Kept {
        let mut kept = self.kept;
        kept.trim_tail(TAIL_BYTES);
        kept.tail.shrink_to_fit();
        // The tail starts on a line of its own: the rest of a line cut in
        // two is skipped too.
        if kept.cut_mid_line == Some(true) {
            match kept.tail.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    kept.skipped_lines += 1;
                    kept.tail.drain(..=i);
                }
                None => kept.tail.clear(),
            }
        }
        kept
    }
}

fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Feeds `r` through `KeepEnds` the way `load` does.
    fn keep_ends(mut r: impl Read) -> std::io::Result<Kept> {
        let mut keep = KeepEnds::default();
        let mut chunk = vec![0u8; 1 << 20];
        loop {
            match r.read(&mut chunk)? {
                0 => return Ok(keep.finish()),
                n => keep.push(&chunk[..n]),
            }
        }
    }

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
