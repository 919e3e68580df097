//! `man`: the tool's man page, one command's, or all of them written to a
//! folder (clap_mangen: every option of every command, from the same
//! definition `--help` prints).

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{Cli, ManArgs};
use crate::exit::ExitStatus;

pub fn run(args: ManArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<ExitStatus> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    if let Some(dir) = args.dir {
        if let Err(e) = clap_mangen::generate_to(Cli::command(), &dir) {
            writeln!(
                err,
                "iphone-backup-check: cannot write man pages to {}: {e}",
                dir.display()
            )?;
            return Ok(ExitStatus::CouldNotRun);
        }
        writeln!(err, "Man pages written to {}", dir.display())?;
        return Ok(ExitStatus::Ready);
    }
    let page = match args.command.as_deref() {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
                writeln!(
                    err,
                    "iphone-backup-check: no command '{name}'; man pages exist for: {}",
                    names.join(", ")
                )?;
                return Ok(ExitStatus::CouldNotRun);
            }
        },
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page).render(&mut roff)?;
    out.write_all(&roff)?;
    Ok(ExitStatus::Ready)
}
