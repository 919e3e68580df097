//! The host probe: the computer's OS, the backup folder and its volume, and
//! backup tools already running. Blocking; run it on a blocking thread.

mod backup_dir;
mod lockdown_dir;
mod running_tools;
mod volume;

use std::path::PathBuf;
use std::time::Instant;

pub use backup_dir::examine_backup_dir;
pub use volume::volume_for;

use crate::env::HostEnv;
use crate::platform::backup_dirs::default_backup_dirs;
use crate::snapshot::{BackupDirSource, HostObs, HostOs, Outcome};

/// Looks at the host. `backup_dir` is `--backup-dir` when given.
pub fn probe(env: &HostEnv, backup_dir: Option<PathBuf>) -> Outcome<HostObs> {
    let started = Instant::now();
    let os = HostOs {
        family: env.os,
        name: sysinfo::System::name(),
        version: sysinfo::System::os_version(),
        kernel: sysinfo::System::kernel_version(),
    };
    let candidates = default_backup_dirs(env);
    let (path, source) = match backup_dir {
        Some(p) => (Some(p), BackupDirSource::Flag),
        None => match candidates
            .iter()
            .find(|p| p.exists())
            .or(candidates.first())
        {
            Some(p) => (Some(p.clone()), BackupDirSource::Default),
            None => (None, BackupDirSource::None),
        },
    };
    let mut dir = examine_backup_dir(path.as_deref(), source);
    dir.candidates = candidates.iter().map(|p| p.display().to_string()).collect();
    let processes = running_tools::scan();
    // Only Linux's usbmuxd keeps its records in a folder this check can
    // judge by owner and mode; macOS's is root-only by design.
    let lockdown_dir = match env.os {
        crate::snapshot::OsFamily::Linux => crate::platform::lockdown_dir::lockdown_dir(env)
            .map(|d| lockdown_dir::examine(&d, processes.usbmuxd_uid)),
        _ => None,
    };
    let value = HostObs {
        os,
        backup_dir: dir,
        running_tools: processes.tools,
        lockdown_dir,
    };
    Outcome::Ok {
        duration_ms: started.elapsed().as_millis() as u64,
        value,
    }
}
