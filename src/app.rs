//! Runs one command: environment in, exit status out. Sets up the output
//! (colour or not) and dispatches; each command lives in `commands/`.

use std::io::Write;
use std::time::Duration;

use crate::cli::{Cli, ColorWhen, Command};
use crate::commands;
use crate::env::HostEnv;
use crate::exit::ExitStatus;
use crate::inert::InertWriter;
use crate::report::human::Verbosity;

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
    let coloured: &mut (dyn Write + '_) = if use_color(cli.color, env) {
        io.stdout
    } else {
        plain = anstream::StripStream::new(io.stdout);
        &mut plain
    };
    // Our own generated scripts go out as they are; everything else, which
    // may quote a phone, a daemon, a file or a paste, passes the inert
    // stream: only the report's colour codes reach the terminal.
    if let Command::Completions { .. } | Command::Man(_) = cli.command {
        return finish(
            run_command(cli, verbosity, env, coloured, io.stderr),
            io.stderr,
        );
    }
    let mut stdout = InertWriter::new(coloured);
    let mut stderr = InertWriter::new(&mut *io.stderr);
    let result = run_command(cli, verbosity, env, &mut stdout, &mut stderr).and_then(|status| {
        match stdout.flush() {
            // The reader went away: the command's own status stands.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(status),
            r => r.map(|()| status),
        }
    });
    let status = finish(result, &mut stderr);
    let _ = stderr.flush();
    status
}

/// The exit status of a command's result: a reader that went away is not
/// an error of ours.
fn finish(result: std::io::Result<ExitStatus>, stderr: &mut dyn Write) -> ExitStatus {
    match result {
        Ok(status) => status,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitStatus::Ready,
        Err(e) => {
            let _ = writeln!(stderr, "iphone-backup-check: cannot write output: {e}");
            ExitStatus::CouldNotRun
        }
    }
}

fn run_command(
    cli: Cli,
    verbosity: Verbosity,
    env: &HostEnv,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> std::io::Result<ExitStatus> {
    match cli.command {
        Command::Diagnose(args) => commands::diagnose::run(args, env, verbosity, stdout, stderr),
        Command::Record(args) => commands::record::run(args, env, stdout, stderr),
        Command::Devices(args) => commands::devices::run(args, env, stdout, stderr),
        Command::Rules(args) if args.markdown => stdout
            .write_all(crate::report::catalogue::markdown().as_bytes())
            .map(|()| ExitStatus::Ready),
        Command::Rules(args) => crate::commands::rules::run(args.json, stdout),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            // Into a buffer first: the generator panics on a closed pipe.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "iphone-backup-check", &mut script);
            stdout.write_all(&script).map(|()| ExitStatus::Ready)
        }
        Command::Man(args) => crate::commands::man::run(args, stdout, stderr),
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
                stall: Duration::from_secs_f64(args.stall),
                verbose: verbosity == Verbosity::Verbose,
            },
            env,
            stdout,
            stderr,
        ),
        Command::Explain(args) => {
            let format = if args.json {
                crate::commands::explain::Format::Json
            } else if args.markdown {
                crate::commands::explain::Format::Markdown
            } else {
                crate::commands::explain::Format::Terminal {
                    width: env
                        .terminal_width
                        .filter(|_| env.stdout_is_tty)
                        .map_or(crate::report::human::DEFAULT_WIDTH, |w| w.clamp(40, 160)),
                }
            };
            crate::commands::explain::run(&args.topic.join(" "), format, stdout, stderr)
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
