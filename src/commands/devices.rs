//! `devices`: probe this computer and show what each layer sees of each
//! phone, side by side.

use std::io::Write;

use crate::cli::DevicesArgs;
use crate::env::HostEnv;
use crate::exit::ExitStatus;

pub fn run(
    args: DevicesArgs,
    env: &HostEnv,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<ExitStatus> {
    let Some(snapshot) = super::live::probe_now(&args.probe, env, false, err)? else {
        return Ok(ExitStatus::CouldNotRun);
    };
    crate::report::devices::render(&snapshot, args.json, out)?;
    Ok(if snapshot.interrupted {
        ExitStatus::Interrupted
    } else if !crate::report::devices::unread_layers(&snapshot).is_empty() {
        // The list may be missing phones: never the "printed, all seen" 0.
        ExitStatus::Incomplete
    } else {
        ExitStatus::Ready
    })
}
