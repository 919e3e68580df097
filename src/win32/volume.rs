//! Free space of the volume that holds a folder, asked of the file system
//! about that folder (`GetDiskFreeSpaceExW`), as Apple's host code and
//! idevice's do: a mount list cannot be matched against the `\\?\` paths
//! `canonicalize` returns, and quotas are only seen this way.

use std::ffi::OsStr;
use std::path::Path;

use windows_sys::Win32::Storage::FileSystem::{
    GetDiskFreeSpaceExW, GetVolumeInformationW, GetVolumePathNameW,
};
use windows_sys::Win32::System::SystemServices::FILE_READ_ONLY_VOLUME;

use super::{from_wide, last_error, wide};
use crate::platform::windows::strip_verbatim;
use crate::snapshot::Volume;

/// Longest path the wide APIs take with a `\\?\` prefix, in UTF-16 units.
const MAX_WIDE_PATH: usize = 32_768;

/// The volume of `folder`, an existing folder with links already resolved.
/// The free figure is what this user may use (quotas included): what the
/// phone is told when it asks the computer for space.
pub fn volume_of(folder: &Path) -> Result<Volume, std::io::Error> {
    let path = wide(folder.as_os_str()).ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path holds a NUL")
    })?;
    let mut free_to_caller = 0u64;
    let mut total = 0u64;
    let mut free_total = 0u64;
    // SAFETY: `path` is NUL-terminated UTF-16 that outlives the call; the
    // three out-pointers are valid, aligned u64s on this stack frame.
    let ok = unsafe {
        GetDiskFreeSpaceExW(
            path.as_ptr(),
            &mut free_to_caller,
            &mut total,
            &mut free_total,
        )
    };
    if ok == 0 {
        return Err(last_error());
    }
    let root = volume_root(&path).unwrap_or_else(|| folder.display().to_string());
    let (name, file_system, read_only) = volume_information(&root);
    Ok(Volume {
        mount_point: strip_verbatim(&root),
        name,
        file_system,
        free_bytes: free_to_caller,
        total_bytes: total,
        read_only,
        important_free_bytes: None,
    })
}

/// `C:\` for any path on C:, or the mounted folder of a mounted volume.
fn volume_root(path: &[u16]) -> Option<String> {
    let mut buf = vec![0u16; MAX_WIDE_PATH];
    // SAFETY: `path` is NUL-terminated; `buf` is writable for the length
    // passed, which the call never exceeds.
    let ok = unsafe { GetVolumePathNameW(path.as_ptr(), buf.as_mut_ptr(), buf.len() as u32) };
    if ok == 0 {
        tracing::debug!(error = %last_error(), "GetVolumePathNameW failed");
        return None;
    }
    Some(from_wide(&buf)).filter(|s| !s.is_empty())
}

/// Label, file system and read-only flag of the volume at `root`.
fn volume_information(root: &str) -> (Option<String>, Option<String>, bool) {
    let Some(root_w) = wide(OsStr::new(root)) else {
        return (None, None, false);
    };
    let mut label = [0u16; 261];
    let mut fs = [0u16; 261];
    let mut flags = 0u32;
    // SAFETY: `root_w` is NUL-terminated; the label and file-system buffers
    // are writable for the lengths passed; the serial, component-length and
    // flags pointers are valid or null (null is allowed for the first two).
    let ok = unsafe {
        GetVolumeInformationW(
            root_w.as_ptr(),
            label.as_mut_ptr(),
            label.len() as u32,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut flags,
            fs.as_mut_ptr(),
            fs.len() as u32,
        )
    };
    if ok == 0 {
        tracing::debug!(error = %last_error(), root, "GetVolumeInformationW failed");
        return (None, None, false);
    }
    let nonempty = |s: String| Some(s).filter(|s| !s.is_empty());
    (
        nonempty(from_wide(&label)),
        nonempty(from_wide(&fs)),
        flags & FILE_READ_ONLY_VOLUME != 0,
    )
}
