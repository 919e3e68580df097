//! The Linux lockdown folder: its owner and mode, the pair records' and
//! `SystemConfiguration.plist`'s, and the account the running usbmuxd uses
//! (its process's user, named from `/etc/passwd`, with its `/etc/group`
//! groups). Reads metadata only, plus the one `SystemBUID` value; never a
//! pair record's contents.

use std::path::Path;

use crate::snapshot::{Account, FileMode, LockdownDirObs, LockdownFile};

/// More files than a host with many phones has; the rest are not listed.
const MAX_FILES: usize = 256;

/// `daemon_uid`: the user of the running usbmuxd process, if one runs.
pub fn examine(dir: &Path, daemon_uid: Option<u32>) -> LockdownDirObs {
    let mut obs = LockdownDirObs {
        path: dir.display().to_string(),
        daemon: daemon_uid.and_then(|uid| {
            account(
                uid,
                &read_small(Path::new("/etc/passwd")),
                &read_small(Path::new("/etc/group")),
            )
        }),
        ..Default::default()
    };
    let Ok(meta) = std::fs::metadata(dir) else {
        return obs;
    };
    obs.exists = meta.is_dir();
    obs.mode = mode_of(&meta);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return obs;
    };
    for entry in entries.flatten().take(MAX_FILES) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".plist") else {
            continue;
        };
        let Some(mode) = entry.metadata().ok().as_ref().and_then(mode_of) else {
            continue;
        };
        if stem == "SystemConfiguration" {
            obs.system_buid = system_buid(&entry.path());
            obs.files.push(LockdownFile { udid: None, mode });
        } else {
            obs.files.push(LockdownFile {
                udid: Some(stem.to_string()),
                mode,
            });
        }
    }
    obs
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> Option<FileMode> {
    use std::os::unix::fs::MetadataExt;
    Some(FileMode {
        uid: meta.uid(),
        gid: meta.gid(),
        mode: meta.mode() & 0o7777,
    })
}

#[cfg(not(unix))]
fn mode_of(_meta: &std::fs::Metadata) -> Option<FileMode> {
    None
}

/// The account with this uid in `passwd`, with its groups from `group`.
fn account(uid: u32, passwd: &str, group: &str) -> Option<Account> {
    let mut account = passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() < 4 || f[2].parse::<u32>().ok()? != uid {
            return None;
        }
        Some(Account {
            name: f[0].to_string(),
            uid,
            gid: f[3].parse().ok()?,
            groups: Vec::new(),
        })
    })?;
    for line in group.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() >= 4 && f[3].split(',').any(|m| m == account.name) {
            if let Ok(gid) = f[2].parse() {
                account.groups.push(gid);
            }
        }
    }
    Some(account)
}

/// `SystemBUID` from `SystemConfiguration.plist` (not a secret: usbmuxd
/// hands it to any client as `ReadBUID`).
fn system_buid(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok().filter(|b| b.len() <= 64 * 1024)?;
    let d = crate::plist_bounded::parse_plist_dict(&bytes).ok()?;
    d.get("SystemBUID")?.as_string().map(str::to_string)
}

fn read_small(path: &Path) -> String {
    std::fs::read(path)
        .ok()
        .filter(|b| b.len() <= 1024 * 1024)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daemon_account_and_its_groups_come_from_passwd_and_group() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\nusbmux:x:102:46:usbmux daemon,,,:/var/lib/usbmux:/usr/sbin/nologin\n";
        let group = "root:x:0:\nplugdev:x:46:usbmux\nlockdown:x:900:ann,usbmux\n";
        let a = account(102, passwd, group).expect("usbmux");
        assert_eq!((a.name.as_str(), a.gid), ("usbmux", 46));
        assert_eq!(a.groups, [46, 900]);
        assert!(account(102, "root:x:0:0::/:/bin/sh\n", "").is_none());
        assert!(account(102, "usbmux:x:notanumber:46::/:/bin/sh\n", "").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn lists_records_and_the_system_configuration_with_their_modes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("00008110-001A2B3C4D5E6F70.plist");
        std::fs::write(&record, b"not read").unwrap();
        std::fs::set_permissions(&record, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut conf = plist::Dictionary::new();
        conf.insert(
            "SystemBUID".into(),
            "5A1E1C4D-0000-4000-8000-000000000001".into(),
        );
        plist::Value::Dictionary(conf)
            .to_file_xml(dir.path().join("SystemConfiguration.plist"))
            .unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"ignored").unwrap();
        let obs = examine(dir.path(), None);
        assert!(obs.exists);
        assert_eq!(obs.files.len(), 2);
        let rec = obs.files.iter().find(|f| f.udid.is_some()).unwrap();
        assert_eq!(rec.udid.as_deref(), Some("00008110-001A2B3C4D5E6F70"));
        assert_eq!(rec.mode.mode, 0o600);
        assert_eq!(
            obs.system_buid.as_deref(),
            Some("5A1E1C4D-0000-4000-8000-000000000001")
        );
        assert!(!examine(&dir.path().join("missing"), None).exists);
    }
}
