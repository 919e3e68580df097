//! The only place that reads environment variables or asks whether a stream
//! is a terminal; the result is plain data ([`HostEnv`]) passed down.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

pub use iphone_backup_core::platform::HostEnv;
use iphone_backup_core::snapshot::OsFamily;

/// Reads the real process environment.
pub fn capture() -> HostEnv {
    let vars: BTreeMap<String, String> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let home = vars
        .get(if cfg!(windows) { "USERPROFILE" } else { "HOME" })
        .map(PathBuf::from);
    HostEnv {
        vars,
        home,
        os: OsFamily::current(),
        stdout_is_tty: std::io::stdout().is_terminal(),
        stderr_is_tty: std::io::stderr().is_terminal(),
        stdin_is_tty: std::io::stdin().is_terminal(),
        terminal_width: terminal_size::terminal_size_of(std::io::stdout())
            .map(|(w, _)| usize::from(w.0)),
    }
}
