//! Probing this computer now: the options of the command line turned into a
//! probe request, run on the async runtime until done or Ctrl-C.

use std::io::Write;
use std::time::Duration;

use crate::cli::ProbeArgs;
use crate::env::HostEnv;
use crate::platform::mux_address;
use crate::probe::{self, ProbeRequest};
use crate::snapshot::Snapshot;

/// Probes this computer; None (after one line on stderr) when the options
/// themselves are unusable. `progress`: stderr is a terminal that may show
/// what the check is waiting for.
pub fn probe_now(
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
        phone_log: true,
    };
    let Some(rt) = runtime(err)? else {
        return Ok(None);
    };
    // The deep check draws its own bar; two on one line would garble it.
    let waiting = super::waiting::Waiting::start(
        progress && !args.deep,
        req.timeout.max(req.min_listen),
        args.request_trust,
    );
    let snapshot = rt.block_on(probe::run_all(env, &req, async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }));
    waiting.finish();
    // Blocking probes that overran the deadline are abandoned, not awaited.
    rt.shutdown_background();
    exit_on_ctrl_c();
    Ok(Some(snapshot))
}

/// Ctrl-C after the probes (while the rules run and the report is written)
/// still ends the run with 130. tokio's handler, once installed, stays for
/// the life of the process, so without this SIGINT was ignored in that phase
/// (issue 30: three of them for 30 s). What was probed is in the report
/// being written; the line says it was cut.
fn exit_on_ctrl_c() {
    let spawned = std::thread::Builder::new()
        .name("ctrl-c after the probes".into())
        .spawn(|| {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if tokio::signal::ctrl_c().await.is_ok() {
                    eprintln!("iphone-backup-check: interrupted (Ctrl-C) after the probes, before the report was complete");
                    std::process::exit(crate::exit::ExitStatus::Interrupted as i32);
                }
            });
        });
    if let Err(e) = spawned {
        tracing::debug!(error = %e, "no thread to honour Ctrl-C after the probes");
    }
}

/// The probes' runtime, or None after one line on stderr saying why not.
pub fn runtime(err: &mut dyn Write) -> std::io::Result<Option<tokio::runtime::Runtime>> {
    match probe::runtime() {
        Ok(rt) => Ok(Some(rt)),
        Err(e) => {
            writeln!(
                err,
                "iphone-backup-check: cannot start the async runtime: {e}"
            )?;
            Ok(None)
        }
    }
}
