//! The environment, captured once in `main` and passed down: the only place
//! that reads environment variables or asks whether a stream is a terminal.
//! Everything else takes this struct, so tests can give any environment.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use crate::snapshot::OsFamily;

#[derive(Debug, Clone, Default)]
pub struct HostEnv {
    /// Environment variables that are set and not empty.
    pub vars: BTreeMap<String, String>,
    pub home: Option<PathBuf>,
    pub os: OsFamily,
    pub stdout_is_tty: bool,
    pub stderr_is_tty: bool,
}

impl HostEnv {
    /// Reads the real process environment.
    pub fn capture() -> Self {
        let vars: BTreeMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let home = vars
            .get(if cfg!(windows) { "USERPROFILE" } else { "HOME" })
            .map(PathBuf::from);
        Self {
            vars,
            home,
            os: current_os(),
            stdout_is_tty: std::io::stdout().is_terminal(),
            stderr_is_tty: std::io::stderr().is_terminal(),
        }
    }

    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }
}

/// The OS this binary was built for.
pub fn current_os() -> OsFamily {
    if cfg!(target_os = "macos") {
        OsFamily::Macos
    } else if cfg!(windows) {
        OsFamily::Windows
    } else if cfg!(target_os = "linux") {
        OsFamily::Linux
    } else {
        OsFamily::Other
    }
}
