//! `diagnose`: probe this computer (or read `--from`), judge, report.

use std::io::Write;
use std::path::Path;

use crate::cli::DiagnoseArgs;
use crate::env::HostEnv;
use crate::exit::ExitStatus;
use crate::report::human::{Layout, Verbosity};
use crate::report::{self, Report};
use crate::rules;
use crate::snapshot::redact::redact;

pub fn run(
    args: DiagnoseArgs,
    env: &HostEnv,
    verbosity: Verbosity,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<ExitStatus> {
    let snapshot = if args.from.is_empty() {
        let progress = !args.json && verbosity != Verbosity::Quiet && env.stderr_is_tty;
        match super::live::probe_now(&args.probe, env, progress, err)? {
            Some(s) => s,
            None => return Ok(ExitStatus::CouldNotRun),
        }
    } else {
        super::paste_hint::paste_hint(&args.from, env, err)?;
        match super::evidence_file::load_all(
            &args.from,
            std::time::Duration::from_secs_f64(args.probe.timeout),
        ) {
            Ok(s) => s,
            Err(e) => {
                writeln!(err, "iphone-backup-check: {e}")?;
                return Ok(ExitStatus::CouldNotRun);
            }
        }
    };
    let snapshot = if args.redact {
        redact(&snapshot, env.home.as_deref().and_then(Path::to_str))
    } else {
        snapshot
    };
    let diagnosis = rules::diagnose(&snapshot, args.probe.udid.as_deref());
    let status = if snapshot.interrupted {
        ExitStatus::Interrupted
    } else {
        ExitStatus::from(diagnosis.verdict)
    };
    let report = Report::new(
        &snapshot,
        &diagnosis,
        status as u8,
        crate::build_info::tool(),
    );
    let rendered = if args.json {
        report::json::render(&report, out)
    } else {
        let width = env.terminal_width.filter(|_| env.stdout_is_tty);
        report::human::render(&report, &Layout::new(verbosity, width), out)
    };
    match rendered {
        // `diagnose | head` still tells the script the verdict.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(status),
        Err(e) => Err(e),
        Ok(()) => Ok(status),
    }
}
