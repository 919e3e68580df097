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

/// What the host probe found at one default location.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CandidateState {
    pub exists: bool,
    /// It holds at least one sub-folder (a backup is one folder per phone).
    pub has_backups: bool,
}

/// Which default folder to examine, by index into the candidates: the first
/// that holds backups, else the first that exists, else the first (to say
/// it is missing). On Windows both folders often exist after a move from
/// iTunes to the Apple Devices app, the old one empty.
pub fn choose_backup_dir(states: &[CandidateState]) -> Option<usize> {
    states
        .iter()
        .position(|s| s.exists && s.has_backups)
        .or_else(|| states.iter().position(|s| s.exists))
        .or(if states.is_empty() { None } else { Some(0) })
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
    fn the_folder_with_backups_wins_then_the_one_that_exists() {
        let none = CandidateState::default();
        let empty = CandidateState {
            exists: true,
            has_backups: false,
        };
        let full = CandidateState {
            exists: true,
            has_backups: true,
        };
        // An empty iTunes folder left behind, the Apple Devices app's in use.
        assert_eq!(choose_backup_dir(&[empty, full]), Some(1));
        assert_eq!(choose_backup_dir(&[full, full]), Some(0));
        assert_eq!(choose_backup_dir(&[none, empty]), Some(1));
        assert_eq!(choose_backup_dir(&[empty, none]), Some(0));
        // Neither exists: the first, so the report says where iTunes looks.
        assert_eq!(choose_backup_dir(&[none, none]), Some(0));
        assert_eq!(choose_backup_dir(&[]), None);
    }

    #[test]
    fn linux_has_no_default() {
        assert!(default_backup_dirs(&env(OsFamily::Linux, "/home/ann", &[])).is_empty());
    }
}
