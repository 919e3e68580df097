//! Where each platform keeps the host's pair records (the lockdown folder).

use std::path::PathBuf;

use crate::platform::HostEnv;
use crate::snapshot::OsFamily;

/// The lockdown folder for the environment's OS:
///
/// - Linux (usbmuxd from libimobiledevice): `/var/lib/lockdown`.
/// - macOS: `/var/db/lockdown`, readable by root only; usbmuxd's
///   `ReadPairRecord` is the way in for everyone else.
/// - Windows: `%ProgramData%\Apple\Lockdown` (`C:\ProgramData` when unset).
pub fn lockdown_dir(env: &HostEnv) -> Option<PathBuf> {
    match env.os {
        OsFamily::Linux => Some(PathBuf::from("/var/lib/lockdown")),
        OsFamily::Macos => Some(PathBuf::from("/var/db/lockdown")),
        OsFamily::Windows => {
            let base = env.var("ProgramData").or_else(|| env.var("PROGRAMDATA"));
            let base = base
                .unwrap_or(r"C:\ProgramData")
                .trim_end_matches(['\\', '/']);
            Some(PathBuf::from(format!(r"{base}\Apple\Lockdown")))
        }
        OsFamily::Other => None,
    }
}

/// The pair record file for one phone in that folder.
pub fn pair_record_file(env: &HostEnv, udid: &str) -> Option<PathBuf> {
    // A UDID is hex and dashes; anything else never becomes a path.
    if udid.is_empty() || !udid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let dir = lockdown_dir(env)?;
    if env.os == OsFamily::Windows {
        let mut s = dir.to_string_lossy().into_owned();
        s.push('\\');
        s.push_str(udid);
        s.push_str(".plist");
        return Some(PathBuf::from(s));
    }
    Some(dir.join(format!("{udid}.plist")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(os: OsFamily, vars: &[(&str, &str)]) -> HostEnv {
        HostEnv {
            os,
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn folder_per_platform() {
        assert_eq!(
            pair_record_file(&env(OsFamily::Linux, &[]), "abc-123").unwrap(),
            PathBuf::from("/var/lib/lockdown/abc-123.plist")
        );
        assert_eq!(
            lockdown_dir(&env(OsFamily::Macos, &[])).unwrap(),
            PathBuf::from("/var/db/lockdown")
        );
        assert_eq!(
            pair_record_file(&env(OsFamily::Windows, &[("ProgramData", r"D:\PD\")]), "X1")
                .unwrap()
                .to_string_lossy(),
            r"D:\PD\Apple\Lockdown\X1.plist"
        );
        assert_eq!(
            lockdown_dir(&env(OsFamily::Windows, &[]))
                .unwrap()
                .to_string_lossy(),
            r"C:\ProgramData\Apple\Lockdown"
        );
        assert!(lockdown_dir(&env(OsFamily::Other, &[])).is_none());
    }

    #[test]
    fn odd_udids_never_become_paths() {
        let e = env(OsFamily::Linux, &[]);
        assert!(pair_record_file(&e, "../etc/passwd").is_none());
        assert!(pair_record_file(&e, "").is_none());
    }
}
