//! The Windows API calls, through `windows-sys`: the only module of the
//! workspace that may use `unsafe`, one small block per call, each with the
//! reason it is sound. What the answers mean is decided by pure functions in
//! the core crate (`platform::windows`), tested on every platform.
//!
//! Everything here only reads: free space, the OS version, a service's
//! state and configuration, registry values. Nothing is opened for writing.
#![allow(unsafe_code)]

mod registry;
mod service;
mod version;
mod volume;

use std::ffi::OsStr;
use std::os::windows::ffi::OsStrExt;

pub use registry::apple_software;
pub use service::query_service;
pub use version::os_version;
pub use volume::volume_of;

/// A NUL-terminated UTF-16 copy of `s`, or None when `s` holds a NUL (the
/// API would read a shorter string than the one meant).
fn wide(s: &OsStr) -> Option<Vec<u16>> {
    let mut v: Vec<u16> = s.encode_wide().collect();
    if v.contains(&0) {
        return None;
    }
    v.push(0);
    Some(v)
}

/// The text before the first NUL of a UTF-16 buffer.
fn from_wide(buf: &[u16]) -> String {
    let end = buf.iter().position(|&c| c == 0).unwrap_or(buf.len());
    String::from_utf16_lossy(&buf[..end])
}

/// The calling thread's last error, as std words it.
fn last_error() -> std::io::Error {
    std::io::Error::last_os_error()
}
