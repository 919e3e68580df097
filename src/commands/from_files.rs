//! `--from` as `diagnose` and `record` take it: the paste hint when standard
//! input is a terminal, then every file read and merged within `--timeout`
//! ([`super::evidence_file::load_all`]), or the reason they could not be
//! read, said once on stderr.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use crate::env::HostEnv;
use crate::snapshot::Snapshot;

/// The snapshot of the files; None when they could not be read (the
/// command then exits with "could not run").
pub fn load(
    from: &[PathBuf],
    timeout_secs: f64,
    env: &HostEnv,
    err: &mut dyn Write,
) -> io::Result<Option<Snapshot>> {
    super::paste_hint::paste_hint(from, env, err)?;
    match super::evidence_file::load_all(from, Duration::from_secs_f64(timeout_secs)) {
        Ok(s) => Ok(Some(s)),
        Err(e) => {
            writeln!(err, "iphone-backup-check: {e}")?;
            Ok(None)
        }
    }
}
