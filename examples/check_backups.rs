//! Runs the previous-backups probe on a folder and prints what it saw as
//! JSON. Used by `scripts/bench-backups.sh` until `diagnose --deep` exists.
//!
//! cargo run --release --example check_backups -- DIR [--deep] [--progress] [--timeout SECS]

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use iphone_backup_check::probe::backups::{probe, BackupsProbeOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut opts = BackupsProbeOptions::default();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--deep" => opts.deep = true,
            "--progress" => opts.progress = std::io::stderr().is_terminal(),
            "--timeout" => {
                let secs: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(60.0);
                opts.deadline = Some(Instant::now() + Duration::from_secs_f64(secs));
            }
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: check_backups DIR [--deep] [--progress] [--timeout SECS]");
        std::process::exit(3);
    };
    let outcome = probe(&dir, &opts);
    match serde_json::to_string_pretty(&outcome) {
        Ok(text) => {
            use std::io::Write;
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = writeln!(std::io::stdout(), "{text}");
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(3);
        }
    }
}
