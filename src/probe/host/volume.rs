//! Free and total space of the volume that holds a path.

use std::path::{Path, PathBuf};

use crate::snapshot::Volume;

/// The volume holding `path` (or its nearest existing parent), after
/// resolving links: on Windows the backup folder is often a junction to
/// another drive, and the free space that matters is that drive's. None
/// when the file system could not say (never a made-up "0 bytes free").
pub fn volume_for(path: &Path) -> Option<Volume> {
    let existing = nearest_existing(path)?;
    let resolved = std::fs::canonicalize(&existing).unwrap_or(existing);
    measure(&resolved)
}

/// Windows: the file system itself, about this folder (`GetDiskFreeSpaceExW`).
#[cfg(windows)]
fn measure(resolved: &Path) -> Option<Volume> {
    match crate::win32::volume_of(resolved) {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::warn!(path = %resolved.display(), error = %e, "free space unknown");
            None
        }
    }
}

/// Elsewhere: the mount list names the volume; statvfs on the very path
/// gives the figures the backup tools (and so the phone) get, including in
/// containers where the mount list lacks the root volume.
#[cfg(not(windows))]
fn measure(resolved: &Path) -> Option<Volume> {
    let disks = sysinfo::Disks::new_with_refreshed_list();
    let mounts: Vec<Volume> = disks
        .list()
        .iter()
        .map(|d| Volume {
            mount_point: d.mount_point().display().to_string(),
            name: Some(d.name().to_string_lossy().to_string()).filter(|n| !n.is_empty()),
            file_system: Some(d.file_system().to_string_lossy().to_string()),
            free_bytes: d.available_space(),
            total_bytes: d.total_space(),
            read_only: d.is_read_only(),
            important_free_bytes: None,
        })
        .collect();
    #[allow(unused_mut)] // only statvfs (unix) corrects the figures
    let mut vol = pick_mount(resolved, &mounts)
        .cloned()
        .unwrap_or_else(|| Volume {
            mount_point: resolved.display().to_string(),
            ..Default::default()
        });
    #[cfg(unix)]
    if let Ok(st) = rustix::fs::statvfs(resolved) {
        let frsize = st.f_frsize.max(1);
        vol.free_bytes = st.f_bavail.saturating_mul(frsize);
        vol.total_bytes = st.f_blocks.saturating_mul(frsize);
    }
    // macOS: the figure counting purgeable space too (Finder's), beside
    // statvfs's; which one the backup can use is for the rules to say.
    #[cfg(target_os = "macos")]
    {
        vol.important_free_bytes =
            super::important_space::read(std::path::Path::new(&vol.mount_point));
    }
    // A volume of no size is one nobody measured.
    (vol.total_bytes > 0).then_some(vol)
}

fn nearest_existing(path: &Path) -> Option<PathBuf> {
    let mut p = Some(path);
    while let Some(cur) = p {
        if cur.exists() {
            return Some(cur.to_path_buf());
        }
        p = cur.parent().filter(|q| !q.as_os_str().is_empty());
    }
    None
}

/// The mount whose mount point is the longest prefix of `path`.
#[cfg_attr(windows, allow(dead_code))]
pub fn pick_mount<'m>(path: &Path, mounts: &'m [Volume]) -> Option<&'m Volume> {
    mounts
        .iter()
        .filter(|m| path.starts_with(&m.mount_point))
        .max_by_key(|m| m.mount_point.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vol(mount: &str) -> Volume {
        Volume {
            mount_point: mount.into(),
            ..Default::default()
        }
    }

    #[test]
    fn longest_prefix_wins() {
        let mounts = [vol("/"), vol("/home"), vol("/home/ann/ext"), vol("/ho")];
        let got = pick_mount(Path::new("/home/ann/Backup"), &mounts).unwrap();
        assert_eq!(got.mount_point, "/home");
        let got = pick_mount(Path::new("/home/ann/ext/Backup"), &mounts).unwrap();
        assert_eq!(got.mount_point, "/home/ann/ext");
    }

    #[test]
    fn missing_folder_measures_its_parent() {
        let dir = tempfile::tempdir().unwrap();
        let v = volume_for(&dir.path().join("not/yet/there")).unwrap();
        assert!(v.total_bytes > 0);
    }
}
