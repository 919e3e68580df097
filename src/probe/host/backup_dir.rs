//! The state of the backup folder, looked at without writing anything.

use std::path::Path;

use super::volume::volume_for;
use crate::snapshot::{BackupDirObs, BackupDirSource};

/// Examines the folder: exists, folder or file, link and target, readable,
/// writable (by asking the OS, never by writing), and its volume.
pub fn examine_backup_dir(path: Option<&Path>, source: BackupDirSource) -> BackupDirObs {
    let mut obs = BackupDirObs {
        source,
        ..Default::default()
    };
    let Some(path) = path else {
        return obs;
    };
    obs.path = Some(path.display().to_string());
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        obs.is_link = meta.file_type().is_symlink() || is_junction(&meta);
    }
    if obs.is_link {
        obs.link_target = std::fs::read_link(path)
            .ok()
            .map(|t| shown(&t.display().to_string()));
        obs.target_exists = Some(path.exists());
    }
    match std::fs::metadata(path) {
        Ok(meta) => {
            obs.exists = true;
            obs.is_dir = meta.is_dir();
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            obs.exists = true;
            obs.error = Some(e.to_string());
        }
    }
    if obs.exists && obs.is_dir {
        match std::fs::read_dir(path) {
            Ok(_) => obs.readable = Some(true),
            Err(e) => {
                obs.readable = Some(false);
                obs.error = Some(e.to_string());
            }
        }
        obs.writable = Some(may_write(path));
    }
    obs.volume = volume_for(path);
    obs
}

/// A junction's target as people write it (`D:\x`, not `\\?\D:\x`).
#[cfg(windows)]
fn shown(path: &str) -> String {
    crate::platform::windows::strip_verbatim(path)
}

#[cfg(not(windows))]
fn shown(path: &str) -> String {
    path.to_string()
}

#[cfg(unix)]
fn may_write(path: &Path) -> bool {
    rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_ok()
}

#[cfg(not(unix))]
fn may_write(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.permissions().readonly())
}

#[cfg(windows)]
fn is_junction(meta: &std::fs::Metadata) -> bool {
    use std::os::windows::fs::MetadataExt;
    const FILE_ATTRIBUTE_REPARSE_POINT: u32 = 0x400;
    meta.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0
}

#[cfg(not(windows))]
fn is_junction(_: &std::fs::Metadata) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_folder() {
        let dir = tempfile::tempdir().unwrap();
        let obs = examine_backup_dir(Some(dir.path()), BackupDirSource::Flag);
        assert!(obs.exists && obs.is_dir && !obs.is_link);
        assert_eq!(obs.readable, Some(true));
        assert!(obs.volume.is_some_and(|v| v.total_bytes > 0));
    }

    #[cfg(unix)]
    #[test]
    fn dangling_link() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("Backup");
        std::os::unix::fs::symlink(dir.path().join("gone"), &link).unwrap();
        let obs = examine_backup_dir(Some(&link), BackupDirSource::Default);
        assert!(obs.is_link && !obs.exists);
        assert_eq!(obs.target_exists, Some(false));
        assert!(obs.link_target.unwrap().ends_with("gone"));
    }

    #[test]
    fn file_instead_of_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Backup");
        std::fs::write(&file, b"x").unwrap();
        let obs = examine_backup_dir(Some(&file), BackupDirSource::Flag);
        assert!(obs.exists && !obs.is_dir);
        assert_eq!(obs.readable, None);
    }

    #[test]
    fn no_folder_at_all() {
        let obs = examine_backup_dir(None, BackupDirSource::None);
        assert!(obs.path.is_none() && !obs.exists);
    }
}
