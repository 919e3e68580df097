//! Project tasks that are not part of the tool: updating golden files,
//! making fixtures and benchmark data. `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! One way to make fixtures: every generator lives here, and the tests of
//! this crate check that the committed fixtures are what it makes.

mod backup_fixtures;
mod bless;
mod dist;
mod synth;
mod synthetic_backup;
mod umockdev_fixtures;
mod usb_fixtures;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>
  bless                        update golden files, docs/rules.md and docs/rule-ids.txt; review with git diff
  dist [--target TRIPLE...]    build every release archive, the .debs, SHA256SUMS and recipes into target/dist/
  dist sums                    SHA256SUMS, recipes and install scripts over what target/dist/ holds
  fixtures usb                 rewrite fixtures/usb-*.json from their recorded buses
  fixtures umockdev            rewrite fixtures/umockdev/ (USB buses for umockdev-run) from the real captures
  fixtures backups REALDATA    rebuild fixtures/backup-folders/ and fixtures/backups-*.json
  synthetic-backup DIR FILES   write a FILES-file backup into DIR (scripts/bench-backups.sh)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let result: Result<(), Box<dyn std::error::Error>> = match args.as_slice() {
        ["bless"] => bless::run(&repo),
        ["dist", rest @ ..] => dist::run(&repo, rest),
        ["fixtures", "usb"] => usb_fixtures::write(&repo).map_err(Into::into),
        ["fixtures", "umockdev"] => umockdev_fixtures::write(&repo).map_err(Into::into),
        ["fixtures", "backups", realdata] => {
            // Paths in the fixtures are relative to the repository.
            std::env::set_current_dir(&repo)
                .map_err(Into::into)
                .and_then(|()| backup_fixtures::run(&PathBuf::from(realdata)))
        }
        ["synthetic-backup", dir, files] => files
            .parse::<u64>()
            .map_err(Into::into)
            .and_then(|n| synthetic_backup::run(Path::new(dir), n)),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
