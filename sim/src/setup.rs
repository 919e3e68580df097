//! Helpers that create the broken-socket set-ups a diagnosis must recognise.
//!
//! - socket missing: just point the client at a path that does not exist;
//! - stale socket: [`make_stale_socket`] leaves a socket file nobody listens on (connecting
//!   gives `ECONNREFUSED`, like a crashed usbmuxd);
//! - no permission: [`set_socket_mode`] with `0o000` (note: root bypasses the mode, so the
//!   check only bites when tests run as an ordinary user).

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Creates a UNIX socket file at `path` with nobody listening on it.
pub fn make_stale_socket(path: &Path) -> io::Result<()> {
    let listener = std::os::unix::net::UnixListener::bind(path)?;
    drop(listener);
    Ok(())
}

/// Changes the permission bits of a socket (or any) file.
pub fn set_socket_mode(path: &Path, mode: u32) -> io::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// True when this process runs as root (effective uid 0, read from `/proc/self/status`),
/// which bypasses socket permissions: a mode-000 socket is still usable then.
pub fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}
