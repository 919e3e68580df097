//! The environment as plain data. The binary crate captures it once in
//! `main`; everything else takes this struct, so the macOS and Windows
//! logic is tested on any machine with any environment.

use std::collections::BTreeMap;
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
    /// Whether standard input is a terminal: `--from -` then says how to
    /// end the paste.
    pub stdin_is_tty: bool,
    /// The terminal's width in columns when stdout is a terminal; reports
    /// wrap to it (80 otherwise).
    pub terminal_width: Option<usize>,
}

impl HostEnv {
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }
}
