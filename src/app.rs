//! Runs one command: environment in, exit status out. The seam between the
//! command line and the pipeline (probes -> snapshot -> rules -> report).

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::cli::{Cli, ColorWhen, Command, DiagnoseArgs, ProbeArgs, RecordArgs};
use crate::env::HostEnv;
use crate::exit::ExitStatus;
use crate::platform::mux_address;
use crate::probe::{self, ProbeRequest};
use crate::report::{self, human::Verbosity, Report};
use crate::rules;
use crate::snapshot::{redact::redact, ProvenanceKind, Snapshot};

/// Where output goes; tests hand in buffers.
pub struct Io<'a> {
    /// `'static` content so colour can be stripped with anstream's adapter.
    pub stdout: &'a mut (dyn Write + 'static),
    pub stderr: &'a mut dyn Write,
}

pub fn run(cli: Cli, env: &HostEnv, io: Io) -> ExitStatus {
    let verbosity = if cli.quiet {
        Verbosity::Quiet
    } else if cli.verbose > 0 {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let mut plain;
    let stdout: &mut (dyn Write + '_) = if use_color(cli.color, env) {
        io.stdout
    } else {
        plain = anstream::StripStream::new(io.stdout);
        &mut plain
    };
    let stderr = io.stderr;
    let result = match cli.command {
        Command::Diagnose(args) => diagnose(args, env, verbosity, stdout, stderr),
        Command::Record(args) => record(args, env, stdout, stderr),
        Command::Devices(args) => devices(args, env, stdout, stderr),
        Command::Rules(args) if args.markdown => stdout
            .write_all(crate::commands::rules_doc::markdown().as_bytes())
            .map(|()| ExitStatus::Ready),
        Command::Rules(args) => crate::commands::rules::run(args.json, stdout),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            // Into a buffer first: the generator panics on a closed pipe.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "iphone-backup-check", &mut script);
            stdout.write_all(&script).map(|()| ExitStatus::Ready)
        }
        Command::Man => clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
            .render(stdout)
            .map(|()| ExitStatus::Ready),
        Command::Watch(args) => crate::commands::watch::run(
            crate::commands::watch::WatchOptions {
                usbmuxd: args.usbmuxd,
                udid: args.udid,
                backup_dir: args.backup_dir,
                timeout: Duration::from_secs_f64(args.timeout),
                json: args.json,
                duration: args.duration.map(Duration::from_secs_f64),
                timing: crate::commands::watch::state::Timing {
                    settle_ms: (args.settle * 1000.0) as u64,
                    recheck_ms: (args.recheck * 1000.0) as u64,
                },
            },
            env,
            stdout,
            stderr,
        ),
        Command::Explain(args) => {
            crate::commands::explain::run(&args.topic.join(" "), args.json, stdout, stderr)
        }
    };
    match result {
        Ok(status) => status,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitStatus::Ready,
        Err(e) => {
            let _ = writeln!(stderr, "iphone-backup-check: cannot write output: {e}");
            ExitStatus::CouldNotRun
        }
    }
}

/// Whether stdout gets colour: `--color`, then `NO_COLOR`, then
/// `CLICOLOR_FORCE`, then whether stdout is a terminal (and TERM is not dumb).
pub fn use_color(when: ColorWhen, env: &HostEnv) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            if env.var("NO_COLOR").is_some() {
                false
            } else if env.var("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                true
            } else {
                env.stdout_is_tty && env.var("TERM") != Some("dumb")
            }
        }
    }
}

fn diagnose(
    args: DiagnoseArgs,
    env: &HostEnv,
    verbosity: Verbosity,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<ExitStatus> {
    let snapshot = match &args.from {
        Some(path) => match crate::commands::snapshot_file::load(path) {
            Ok(s) => s,
            Err(e) => {
                writeln!(err, "iphone-backup-check: {e}")?;
                return Ok(ExitStatus::CouldNotRun);
            }
        },
        None => match probe_now(&args.probe, env, !args.json && env.stderr_is_tty, err)? {
            Some(s) => s,
            None => return Ok(ExitStatus::CouldNotRun),
        },
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
    let report = Report::new(&snapshot, &diagnosis, status as u8);
    let rendered = if args.json {
        report::json::render(&report, out)
    } else {
        report::human::render(&report, verbosity, out)
    };
    match rendered {
        // `diagnose | head` still tells the script the verdict.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(status),
        Err(e) => Err(e),
        Ok(()) => Ok(status),
    }
}

fn record(
    args: RecordArgs,
    env: &HostEnv,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<ExitStatus> {
    let Some(mut snapshot) = probe_now(&args.probe, env, env.stderr_is_tty, err)? else {
        return Ok(ExitStatus::CouldNotRun);
    };
    snapshot.provenance.kind = ProvenanceKind::Recorded;
    if !args.no_redact {
        snapshot = redact(&snapshot, env.home.as_deref().and_then(Path::to_str));
    }
    let mut text = serde_json::to_string_pretty(&snapshot).map_err(std::io::Error::other)?;
    text.push('\n');
    if args.output.as_os_str() == "-" {
        out.write_all(text.as_bytes())?;
        return Ok(ExitStatus::Ready);
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
    Ok(ExitStatus::Ready)
}

fn devices(
    args: crate::cli::DevicesArgs,
    env: &HostEnv,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<ExitStatus> {
    let Some(snapshot) = probe_now(&args.probe, env, false, err)? else {
        return Ok(ExitStatus::CouldNotRun);
    };
    crate::commands::devices::run(&snapshot, args.json, out)?;
    Ok(if snapshot.interrupted {
        ExitStatus::Interrupted
    } else {
        ExitStatus::Ready
    })
}

/// Probes this computer; None (after one line on stderr) when the options
/// themselves are unusable.
fn probe_now(
    args: &ProbeArgs,
    env: &HostEnv,
    progress: bool,
    err: &mut dyn Write,
) -> std::io::Result<Option<Snapshot>> {
    let (endpoint, address) = match mux_address::resolve(args.usbmuxd.as_deref(), env) {
        Ok(r) => r,
        Err(e) => {
            writeln!(err, "iphone-backup-check: {e}")?;
            return Ok(None);
        }
    };
    let req = ProbeRequest {
        endpoint,
        address,
        backup_dir: args.backup_dir.clone(),
        udid: args.udid.clone(),
        timeout: Duration::from_secs_f64(args.timeout),
        request_trust: args.request_trust,
        deep: args.deep,
        progress,
        min_listen: Duration::from_secs_f64(args.listen),
    };
    let rt = match crate::probe::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            writeln!(
                err,
                "iphone-backup-check: cannot start the async runtime: {e}"
            )?;
            return Ok(None);
        }
    };
    let snapshot = rt.block_on(probe::run_all(env, &req, async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }));
    // Blocking probes that overran the deadline are abandoned, not awaited.
    rt.shutdown_background();
    Ok(Some(snapshot))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(tty: bool, vars: &[(&str, &str)]) -> HostEnv {
        HostEnv {
            stdout_is_tty: tty,
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn colour_precedence() {
        assert!(use_color(ColorWhen::Auto, &env(true, &[])));
        assert!(!use_color(ColorWhen::Auto, &env(false, &[])));
        assert!(!use_color(
            ColorWhen::Auto,
            &env(true, &[("NO_COLOR", "1")])
        ));
        assert!(use_color(
            ColorWhen::Auto,
            &env(false, &[("CLICOLOR_FORCE", "1")])
        ));
        assert!(!use_color(ColorWhen::Auto, &env(true, &[("TERM", "dumb")])));
        assert!(use_color(
            ColorWhen::Always,
            &env(false, &[("NO_COLOR", "1")])
        ));
        assert!(!use_color(ColorWhen::Never, &env(true, &[])));
    }
}
