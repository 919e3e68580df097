//! What the host probe saw: the computer's OS, the backup folder and the
//! volume it lives on, and backup tools already running.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostObs {
    pub os: HostOs,
    pub backup_dir: BackupDirObs,
    /// Backup or sync programs running while we looked.
    #[serde(default)]
    pub running_tools: Vec<RunningTool>,
    /// The lockdown folder and usbmuxd's account (Linux).
    #[serde(default)]
    pub lockdown_dir: Option<super::LockdownDirObs>,
}

/// The computer's operating system.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostOs {
    pub family: OsFamily,
    /// Human name, e.g. "macOS", "Windows", "Debian GNU/Linux".
    pub name: Option<String>,
    /// Version as the OS reports it, e.g. "14.6.1", "10 (19045)", "12".
    pub version: Option<String>,
    pub kernel: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OsFamily {
    Macos,
    Windows,
    Linux,
    #[default]
    Other,
}

impl HostOs {
    /// The one name the reports give this OS: "macOS 14.6.1" whatever the
    /// probe called it (Darwin, Mac OS X), "Windows 10 (19045)", "Debian
    /// GNU/Linux 12".
    pub fn describe(&self) -> String {
        let name = match (self.family, self.name.as_deref()) {
            (OsFamily::Macos, _) | (_, None) => self.family.label(),
            (_, Some(n)) => n,
        };
        match self.version.as_deref() {
            Some(v) => format!("{name} {v}"),
            None => name.to_string(),
        }
    }
}

impl OsFamily {
    /// The OS this binary was built for (a compile-time fact, not a probe).
    pub const fn current() -> Self {
        if cfg!(target_os = "macos") {
            Self::Macos
        } else if cfg!(windows) {
            Self::Windows
        } else if cfg!(target_os = "linux") {
            Self::Linux
        } else {
            Self::Other
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Macos => "macOS",
            Self::Windows => "Windows",
            Self::Linux => "Linux",
            Self::Other => "this OS",
        }
    }
}

/// Where the backup folder is, how it was chosen, and what state it is in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupDirObs {
    /// The folder examined (None where no default exists and none was given).
    pub path: Option<String>,
    pub source: BackupDirSource,
    /// Every default location considered for this OS, in order.
    #[serde(default)]
    pub candidates: Vec<String>,
    pub exists: bool,
    pub is_dir: bool,
    /// None when the folder does not exist.
    pub readable: Option<bool>,
    pub writable: Option<bool>,
    /// The folder (or one of its parents) is a symlink or junction.
    pub is_link: bool,
    pub link_target: Option<String>,
    pub target_exists: Option<bool>,
    /// Why it could not be examined, verbatim from the OS (e.g. permission denied).
    pub error: Option<String>,
    /// The volume holding the folder (or its nearest existing parent), after
    /// resolving links.
    pub volume: Option<Volume>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackupDirSource {
    /// `--backup-dir`.
    Flag,
    /// The platform default.
    #[default]
    Default,
    /// No default exists on this platform and none was given.
    None,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    pub mount_point: String,
    pub name: Option<String>,
    pub file_system: Option<String>,
    /// Free bytes as the file system states them (statvfs `f_bavail`, or
    /// `GetDiskFreeSpaceExW` on Windows): the figure idevicebackup2 gives
    /// the phone. On APFS it leaves out purgeable space.
    pub free_bytes: u64,
    pub total_bytes: u64,
    pub read_only: bool,
    /// macOS only: the volume's "available capacity for important usage"
    /// (`NSURLVolumeAvailableCapacityForImportantUsageKey`), which counts
    /// the purgeable space macOS frees on demand (local Time Machine
    /// snapshots, caches, iCloud files it can download again): the free
    /// figure Finder shows. None where not measured or not macOS.
    #[serde(default)]
    pub important_free_bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningTool {
    /// Process name as the OS lists it.
    pub process: String,
    /// What it is, for people: "Finder backup agent", "iTunes", ...
    pub tool: String,
    pub pid: u32,
    /// Whether its command line says it is backing up or restoring right
    /// now (pymobiledevice3's `backup2 backup`), for tools that also do
    /// other things; the command line itself is never kept (it can hold a
    /// backup password).
    #[serde(default)]
    pub backing_up: bool,
}
