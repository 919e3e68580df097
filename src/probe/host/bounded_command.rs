//! Running a read-only system tool with a deadline: its standard output
//! (at most a few KiB) or why there is none. The tool is killed when the
//! deadline passes, so a hung helper never holds up the host probe.

// Only macOS runs a helper today; the runner is built and tested everywhere.
#![cfg_attr(not(target_os = "macos"), allow(dead_code))]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The most output kept: the helpers this runs print one number or one
/// short line.
const MAX_OUTPUT: u64 = 4096;
/// How often the child is polled for having exited.
const POLL: Duration = Duration::from_millis(10);

/// Runs `program` with `args`, no stdin and stderr discarded, and returns
/// its stdout when it exits with status 0 before `timeout`.
pub fn run(program: &str, args: &[&str], timeout: Duration) -> Result<Vec<u8>, String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{program} could not be started: {e}"))?;
    // Read on another thread, so a child that writes more than a pipe holds
    // still exits (or is killed) instead of blocking on its write.
    let reader = child.stdout.take().map(|out| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let mut out = out;
            let _ = (&mut out).take(MAX_OUTPUT).read_to_end(&mut buf);
            // Drain the rest, so the child is not stopped by a closed pipe.
            let _ = std::io::copy(&mut out, &mut std::io::sink());
            buf
        })
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{program} gave no answer within {} ms and was stopped",
                    timeout.as_millis()
                ));
            }
            Ok(None) => std::thread::sleep(POLL),
            Err(e) => return Err(format!("{program}: {e}")),
        }
    };
    let out = reader.and_then(|r| r.join().ok()).unwrap_or_default();
    if !status.success() {
        return Err(format!("{program} failed ({status})"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_what_the_tool_prints() {
        let out = run("/bin/sh", &["-c", "echo 123"], Duration::from_secs(5)).unwrap();
        assert_eq!(out, b"123\n");
    }

    #[test]
    fn a_hung_tool_is_stopped_at_the_deadline() {
        let started = Instant::now();
        let e = run("/bin/sh", &["-c", "sleep 10"], Duration::from_millis(200)).unwrap_err();
        assert!(e.contains("no answer within 200 ms"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn failures_are_errors_not_output() {
        assert!(run("/bin/sh", &["-c", "echo 1; exit 3"], Duration::from_secs(5)).is_err());
        assert!(run("/nonexistent/tool", &[], Duration::from_secs(5)).is_err());
    }

    #[test]
    fn output_is_bounded() {
        let out = run(
            "/bin/sh",
            &["-c", "head -c 100000 /dev/zero"],
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(out.len() as u64, MAX_OUTPUT);
    }
}
