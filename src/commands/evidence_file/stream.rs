//! Reading what `--from` names on a thread of its own, under the deadline:
//! a FIFO whose writer never comes, a pipe that never ends (`yes`,
//! `/dev/zero`, a daemon's log) or a stalled terminal cannot hold the tool.
//! A stream (standard input, a pipe, a FIFO, a device) is read up to
//! [`MAX_STREAM_BYTES`]; a regular file is read whole (its holes skipped,
//! its middle not kept: see the parent module), but also only until the
//! deadline.

use std::io::{self, Read};
use std::sync::mpsc;
use std::time::Instant;

/// The most read from a stream: four times what is kept of a file's
/// beginning and end, and far more than any tool prints about one backup.
pub const MAX_STREAM_BYTES: u64 = 64 * 1024 * 1024;

/// Bytes handed over at a time.
const CHUNK: usize = 1024 * 1024;

/// Why reading stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The input ended.
    Eof,
    /// `MAX_STREAM_BYTES` (or the caller's cap) were read; the rest was not.
    Cap,
    /// The deadline came first.
    Deadline,
}

/// Opens and reads on a helper thread, handing each chunk to `sink` here,
/// until the input ends, `cap` bytes were read, or `deadline` passes. The
/// helper, if still blocked in `open` or `read` at the deadline, is left
/// behind: it holds nothing but its descriptor, and the process ends soon.
pub fn read_bounded<R, O>(
    open: O,
    cap: Option<u64>,
    deadline: Instant,
    sink: &mut dyn FnMut(&[u8]),
) -> io::Result<End>
where
    R: Read,
    O: FnOnce() -> io::Result<R> + Send + 'static,
{
    // Two chunks in flight at most: memory stays bounded however fast the
    // writer is.
    let (tx, rx) = mpsc::sync_channel::<io::Result<Vec<u8>>>(2);
    std::thread::Builder::new()
        .name("read --from".into())
        .spawn(move || {
            let mut r = match open() {
                Ok(r) => r,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            loop {
                let mut chunk = vec![0u8; CHUNK];
                let n = match r.read(&mut chunk) {
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                };
                chunk.truncate(n);
                // The reader went away (cap, deadline): stop.
                if tx.send(Ok(chunk)).is_err() || n == 0 {
                    return;
                }
            }
        })?;
    let mut total: u64 = 0;
    loop {
        let wait = deadline.saturating_duration_since(Instant::now());
        let chunk = match rx.recv_timeout(wait) {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return Err(e),
            Err(mpsc::RecvTimeoutError::Timeout) => return Ok(End::Deadline),
            Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(End::Eof),
        };
        if chunk.is_empty() {
            return Ok(End::Eof);
        }
        let room = cap.map_or(u64::MAX, |c| c - total);
        let take = usize::try_from(room).unwrap_or(usize::MAX).min(chunk.len());
        sink(&chunk[..take]);
        total += take as u64;
        if cap.is_some_and(|c| total >= c) {
            return Ok(End::Cap);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn collect(r: impl Read + Send + 'static, cap: Option<u64>, within: Duration) -> (End, u64) {
        let mut n = 0u64;
        let end = read_bounded(move || Ok(r), cap, Instant::now() + within, &mut |b| {
            n += b.len() as u64
        })
        .unwrap();
        (end, n)
    }

    #[test]
    fn an_endless_stream_stops_at_the_cap() {
        let (end, n) = collect(io::repeat(b'y'), Some(5 << 20), Duration::from_secs(600));
        assert_eq!((end, n), (End::Cap, 5 << 20));
    }

    #[test]
    fn a_short_input_is_read_whole() {
        let (end, n) = collect(&b"one\ntwo\n"[..], Some(1 << 20), Duration::from_secs(600));
        assert_eq!((end, n), (End::Eof, 8));
    }

    /// A reader that never answers: the deadline ends the wait.
    struct Never;
    impl Read for Never {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            std::thread::sleep(Duration::from_secs(3600));
            Ok(0)
        }
    }

    #[test]
    fn a_silent_writer_ends_at_the_deadline() {
        let (end, n) = collect(Never, None, Duration::from_millis(50));
        assert_eq!((end, n), (End::Deadline, 0));
    }

    #[test]
    fn an_open_that_fails_is_the_error() {
        let r = read_bounded::<&[u8], _>(
            || Err(io::Error::from(io::ErrorKind::PermissionDenied)),
            None,
            Instant::now() + Duration::from_secs(600),
            &mut |_| {},
        );
        assert_eq!(r.unwrap_err().kind(), io::ErrorKind::PermissionDenied);
    }
}
