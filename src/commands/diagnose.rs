//! `diagnose`: probe this computer (or read `--from`), judge, report: as
//! text, JSON, Markdown or HTML, on standard output or into a file (`-o`).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{DiagnoseArgs, ReportFormat};
use crate::env::HostEnv;
use crate::exit::ExitStatus;
use crate::report::human::{Layout, Verbosity};
use crate::report::{self, Report};
use crate::rules;
use crate::snapshot::redact::redact_owned;

pub fn run(
    args: DiagnoseArgs,
    env: &HostEnv,
    verbosity: Verbosity,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<ExitStatus> {
    // `-o -` is standard output.
    let file: Option<PathBuf> = args.output.clone().filter(|p| p.as_os_str() != "-");
    let format = match (args.json, args.format) {
        (true, _) => ReportFormat::Json,
        (false, Some(f)) => f,
        (false, None) => file
            .as_deref()
            .and_then(ReportFormat::from_extension)
            .unwrap_or(ReportFormat::Text),
    };
    let show_progress =
        format != ReportFormat::Json && verbosity != Verbosity::Quiet && env.stderr_is_tty;
    let snapshot = if args.from.is_empty() {
        match super::live::probe_now(&args.probe, env, show_progress, err)? {
            Some(s) => s,
            None => return Ok(ExitStatus::CouldNotRun),
        }
    } else {
        match super::from_files::load(&args.from, args.probe.timeout, env, err)? {
            Some(s) => s,
            None => return Ok(ExitStatus::CouldNotRun),
        }
    };
    // A shareable report written to a file is private unless asked otherwise.
    let shared = file.is_some() && matches!(format, ReportFormat::Markdown | ReportFormat::Html);
    let snapshot = if args.redact || (shared && !args.no_redact) {
        redact_owned(snapshot, env.home.as_deref().and_then(Path::to_str))
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
    let Some(path) = file else {
        let width = env.terminal_width.filter(|_| env.stdout_is_tty);
        return match render(&report, format, &Layout::new(verbosity, width), out) {
            // `diagnose | head` still tells the script the verdict.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(status),
            Err(e) => Err(e),
            Ok(()) => Ok(status),
        };
    };
    // A file never gets colour, and its text is not cut to a terminal.
    let mut bytes = Vec::new();
    render(
        &report,
        format,
        &Layout::new(verbosity, None),
        &mut anstream::StripStream::new(&mut bytes),
    )?;
    match std::fs::write(&path, &bytes) {
        Ok(()) => Ok(status),
        Err(e) => {
            writeln!(
                err,
                "iphone-backup-check: cannot write {}: {e}",
                path.display()
            )?;
            Ok(ExitStatus::CouldNotRun)
        }
    }
}

fn render(
    report: &Report,
    format: ReportFormat,
    layout: &Layout,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        ReportFormat::Json => report::json::render(report, out),
        ReportFormat::Text => report::human::render(report, layout, out),
        ReportFormat::Markdown => {
            let written = report::markdown::Written { date: Some(now()) };
            out.write_all(report::markdown::render(report, &written).as_bytes())
        }
        ReportFormat::Html => {
            let written = report::markdown::Written { date: Some(now()) };
            out.write_all(report::html::render(report, &written).as_bytes())
        }
    }
}

/// This computer's clock, in the form the shared reports print
/// ("2026-12-07 17:20 UTC"); the core reads no clock.
fn now() -> String {
    let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    format!(
        "{} UTC",
        stamp.get(..16).unwrap_or(&stamp).replace('T', " ")
    )
}
