//! `record`: probe this computer (or read `--from`) and write the snapshot
//! (redacted unless `--no-redact`), for a fixture or a bug report.

use std::io::Write;
use std::path::Path;

use crate::cli::RecordArgs;
use crate::env::HostEnv;
use crate::exit::ExitStatus;
use crate::snapshot::{redact::redact_owned, ProvenanceKind};

pub fn run(
    args: RecordArgs,
    env: &HostEnv,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<ExitStatus> {
    let mut snapshot = if args.from.is_empty() {
        let Some(mut s) = super::live::probe_now(&args.probe, env, env.stderr_is_tty, err)? else {
            return Ok(ExitStatus::CouldNotRun);
        };
        s.provenance.kind = ProvenanceKind::Recorded;
        s
    } else {
        // Imported evidence keeps saying so: a reader of the snapshot must
        // know it was not probed.
        match super::from_files::load(&args.from, args.probe.timeout, env, err)? {
            Some(s) => s,
            None => return Ok(ExitStatus::CouldNotRun),
        }
    };
    if !args.no_redact {
        snapshot = redact_owned(snapshot, env.home.as_deref().and_then(Path::to_str));
    }
    let mut text = serde_json::to_string_pretty(&snapshot).map_err(std::io::Error::other)?;
    text.push('\n');
    // Ctrl-C during the probes: what was seen is still written, and the
    // status says it was interrupted.
    let done = if snapshot.interrupted {
        ExitStatus::Interrupted
    } else {
        ExitStatus::Ready
    };
    if args.output.as_os_str() == "-" {
        out.write_all(text.as_bytes())?;
        return Ok(done);
    }
    if let Err(e) = std::fs::write(&args.output, text) {
        writeln!(
            err,
            "iphone-backup-check: cannot write {}: {e}",
            args.output.display()
        )?;
        return Ok(ExitStatus::CouldNotRun);
    }
    writeln!(
        err,
        "Snapshot written to {}{}. Replay it with: iphone-backup-check diagnose --from {}",
        args.output.display(),
        if args.no_redact {
            ""
        } else {
            " (identifiers masked)"
        },
        args.output.display()
    )?;
    Ok(done)
}
