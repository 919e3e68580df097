//! Where each platform keeps iPhone backups.

use std::path::PathBuf;

use crate::platform::HostEnv;
use crate::snapshot::OsFamily;

/// Default backup folders for the environment's OS, most likely first.
///
/// - macOS: `~/Library/Application Support/MobileSync/Backup` (Finder and iTunes).
/// - Windows: `%APPDATA%\Apple Computer\MobileSync\Backup` (iTunes from Apple's
///   site), then `%USERPROFILE%\Apple\MobileSync\Backup` (Microsoft Store iTunes
///   and the Apple Devices app).
/// - Linux and others: none; idevicebackup2 takes a folder, so `--backup-dir`.
pub fn default_backup_dirs(env: &HostEnv) -> Vec<PathBuf> {
    match env.os {
        OsFamily::Macos => env
            .home
            .iter()
            .map(|h| h.join("Library/Application Support/MobileSync/Backup"))
            .collect(),
        OsFamily::Windows => {
            let mut dirs = Vec::new();
            if let Some(appdata) = env.var("APPDATA") {
                dirs.push(win_join(
                    appdata,
                    &["Apple Computer", "MobileSync", "Backup"],
                ));
            }
            let profile = env
                .var("USERPROFILE")
                .map(str::to_string)
                .or_else(|| env.home.as_ref().map(|h| h.display().to_string()));
            if let Some(profile) = profile {
                dirs.push(win_join(&profile, &["Apple", "MobileSync", "Backup"]));
            }
            dirs
        }
        OsFamily::Linux | OsFamily::Other => Vec::new(),
    }
}

/// Joins with backslashes whatever OS runs the code, so Windows paths come
/// out right when tested on Linux.
fn win_join(base: &str, parts: &[&str]) -> PathBuf {
    let mut s = base.trim_end_matches(['\\', '/']).to_string();
    for p in parts {
        s.push('\\');
        s.push_str(p);
    }
    PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(os: OsFamily, home: &str, vars: &[(&str, &str)]) -> HostEnv {
        HostEnv {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            home: Some(PathBuf::from(home)),
            os,
            ..Default::default()
        }
    }

    #[test]
    fn macos_uses_mobilesync_in_library() {
        let dirs = default_backup_dirs(&env(OsFamily::Macos, "/Users/ann", &[]));
        assert_eq!(
            dirs,
            [PathBuf::from(
                "/Users/ann/Library/Application Support/MobileSync/Backup"
            )]
        );
    }

    #[test]
    fn windows_lists_itunes_then_store_location() {
        let e = env(
            OsFamily::Windows,
            "C:\\Users\\ann",
            &[
                ("APPDATA", "C:\\Users\\ann\\AppData\\Roaming"),
                ("USERPROFILE", "C:\\Users\\ann"),
            ],
        );
        let dirs: Vec<String> = default_backup_dirs(&e)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(
            dirs,
            [
                "C:\\Users\\ann\\AppData\\Roaming\\Apple Computer\\MobileSync\\Backup",
                "C:\\Users\\ann\\Apple\\MobileSync\\Backup",
            ]
        );
    }

    #[test]
    fn windows_without_appdata_still_has_profile_location() {
        let e = env(OsFamily::Windows, "C:\\Users\\bob", &[]);
        let dirs = default_backup_dirs(&e);
        assert_eq!(
            dirs,
            [PathBuf::from("C:\\Users\\bob\\Apple\\MobileSync\\Backup")]
        );
    }

    #[test]
    fn linux_has_no_default() {
        assert!(default_backup_dirs(&env(OsFamily::Linux, "/home/ann", &[])).is_empty());
    }
}
