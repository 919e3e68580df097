//! `iphone-sim --socket PATH [--tcp-port N] --scenario FILE|NAME [--log FILE]`
//!
//! Serves until SIGTERM or SIGINT; the audit log is JSON lines in `--log`
//! (default `<socket>.audit.jsonl`).

//!
//! Unix only (it serves a UNIX socket); on Windows the binary says so.

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    unix::main()
}

#[cfg(not(unix))]
fn main() -> std::process::ExitCode {
    eprintln!("iphone-sim runs on Unix only; run the Linux build (it can also listen on TCP with --tcp-port)");
    std::process::ExitCode::from(2)
}

#[cfg(unix)]
mod unix {
    use std::path::PathBuf;
    use std::process::ExitCode;

    use clap::Parser;
    use iphone_sim::{default_log_path, Scenario, SimConfig, Simulator};

    #[derive(Parser)]
    #[command(
        name = "iphone-sim",
        version,
        about = "A usbmuxd + iPhone simulator speaking the real wire protocol"
    )]
    struct Args {
        /// UNIX socket to serve usbmuxd on.
        #[arg(long)]
        socket: PathBuf,
        /// Also serve on 127.0.0.1:N.
        #[arg(long)]
        tcp_port: Option<u16>,
        /// Scenario file, or the name of a bundled scenario (see sim/scenarios/).
        #[arg(long)]
        scenario: String,
        /// Audit log (JSON lines).
        #[arg(long)]
        log: Option<PathBuf>,
    }

    pub fn main() -> ExitCode {
        let args = Args::parse();
        let path = PathBuf::from(&args.scenario);
        let scenario = if path.is_file() {
            Scenario::load(&path)
        } else {
            Scenario::by_name(&args.scenario)
        };
        let scenario = match scenario {
            Ok(s) => s,
            Err(e) => {
                eprintln!("iphone-sim: {e}");
                eprintln!(
                    "bundled scenarios: {}",
                    Scenario::bundled_names().join(", ")
                );
                return ExitCode::from(2);
            }
        };
        let log = args.log.unwrap_or_else(|| default_log_path(&args.socket));
        let name = scenario.name.clone();
        let handle = match Simulator::start_with_log(
            SimConfig {
                socket: args.socket.clone(),
                tcp_port: args.tcp_port,
                scenario,
            },
            &log,
        ) {
            Ok(h) => h,
            Err(e) => {
                eprintln!("iphone-sim: {e}");
                return ExitCode::from(1);
            }
        };
        eprintln!(
            "iphone-sim: scenario {name} on {}{} (audit log {})",
            args.socket.display(),
            handle
                .tcp_port()
                .map(|p| format!(" and 127.0.0.1:{p}"))
                .unwrap_or_default(),
            log.display()
        );
        let rt = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("iphone-sim: {e}");
                return ExitCode::from(1);
            }
        };
        rt.block_on(async {
            use tokio::signal::unix::{signal, SignalKind};
            let (Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                return;
            };
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        });
        handle.stop();
        eprintln!("iphone-sim: stopped");
        ExitCode::SUCCESS
    }
}
