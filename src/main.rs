//! Entry point: parse the command line, run, exit with the verdict.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use iphone_backup_check::{app, cli::Cli, env, exit::ExitStatus};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            let _ = e.print();
            return ExitCode::from(ExitStatus::Ready.code());
        }
        Err(e) => {
            // clap's own words: what was wrong, a similar command or value
            // when one exists, the missing arguments, the usage line (and
            // the short help for a bare invocation); the exit status is
            // ours, 3, so a script tells bad arguments from a blocker.
            let _ = e.print();
            let _ = std::io::stderr().flush();
            return ExitCode::from(ExitStatus::CouldNotRun.code());
        }
    };
    init_logging(cli.verbose);
    let env = env::capture();
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr();
    let status = app::run(
        cli,
        &env,
        app::Io {
            stdout: &mut stdout,
            stderr: &mut stderr,
        },
    );
    let _ = stdout.flush();
    ExitCode::from(status.code())
}

/// Logs go to stderr: warnings by default, debug with -vv.
fn init_logging(verbose: u8) {
    let level = if verbose >= 2 { "debug" } else { "warn" };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::new(format!(
            "iphone_backup_check={level},idevice={level}"
        )))
        .without_time()
        .try_init();
}
