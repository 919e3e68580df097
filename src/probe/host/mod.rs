//! The host probe: the computer's OS, the backup folder and its volume, and
//! backup tools already running. Blocking; run it on a blocking thread.

mod backup_dir;
#[cfg(unix)]
mod bounded_command;
#[cfg(unix)]
mod important_space;
mod lockdown_dir;
mod running_tools;
mod volume;
#[cfg(windows)]
pub mod windows;

use std::path::{Path, PathBuf};
use std::time::Instant;

pub use backup_dir::examine_backup_dir;
pub use volume::volume_for;

use crate::env::HostEnv;
use crate::platform::backup_dirs::{choose_backup_dir, default_backup_dirs, CandidateState};
use crate::snapshot::{BackupDirSource, HostObs, HostOs, Outcome};

/// The OS as Windows itself reports it (`RtlGetVersion`): sysinfo reads
/// `CurrentMajorVersionNumber` from the registry, absent before Windows 10
/// and under Wine ("Windows 0"), and cannot tell Windows 11 from 10.
#[cfg(windows)]
fn host_os(env: &HostEnv) -> HostOs {
    match crate::win32::os_version() {
        Some(v) => HostOs {
            family: env.os,
            name: Some("Windows".into()),
            version: Some(v.label()),
            kernel: Some(v.kernel()),
        },
        None => HostOs {
            family: env.os,
            name: Some("Windows".into()),
            version: None,
            kernel: sysinfo::System::kernel_version(),
        },
    }
}

#[cfg(not(windows))]
fn host_os(env: &HostEnv) -> HostOs {
    HostOs {
        family: env.os,
        name: sysinfo::System::name(),
        version: sysinfo::System::os_version(),
        kernel: sysinfo::System::kernel_version(),
    }
}

/// Whether a default folder exists and holds a backup (a sub-folder); reads
/// only the folder's listing, and at most a few hundred entries of it.
fn candidate(path: &Path) -> CandidateState {
    let Ok(entries) = std::fs::read_dir(path) else {
        return CandidateState {
            exists: path.exists(),
            has_backups: false,
        };
    };
    let has_backups = entries
        .take(512)
        .flatten()
        .any(|e| e.file_type().is_ok_and(|t| t.is_dir()));
    CandidateState {
        exists: true,
        has_backups,
    }
}

/// Looks at the host. `backup_dir` is `--backup-dir` when given.
pub fn probe(env: &HostEnv, backup_dir: Option<PathBuf>) -> Outcome<HostObs> {
    let started = Instant::now();
    let os = host_os(env);
    let candidates = default_backup_dirs(env);
    let (path, source) = match backup_dir {
        Some(p) => (Some(p), BackupDirSource::Flag),
        None => {
            let states: Vec<CandidateState> = candidates.iter().map(|p| candidate(p)).collect();
            match choose_backup_dir(&states).and_then(|i| candidates.get(i)) {
                Some(p) => (Some(p.clone()), BackupDirSource::Default),
                None => (None, BackupDirSource::None),
            }
        }
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
