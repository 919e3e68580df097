//! The Linux lockdown folder as usbmuxd's own account meets it.
//!
//! libimobiledevice's usbmuxd starts as root, creates `/var/lib/lockdown`
//! (mode 02775), hands it to the account it then runs as (`--user usbmux`
//! on Debian and Ubuntu), and from then on reads and writes the pair records
//! and `SystemConfiguration.plist` as that account. Any read failure is
//! answered to `ReadPairRecord` as Result 2, the same as "no record"
//! (usbmuxd `conf.c`, `config_get_device_record`), so the folder's owners
//! and modes are the evidence that tells the two apart.

use serde::{Deserialize, Serialize};

/// Who owns a file and its permission bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMode {
    pub uid: u32,
    pub gid: u32,
    /// The permission bits (`st_mode & 0o7777`).
    pub mode: u32,
}

/// A local account: the one usbmuxd runs as.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    /// Supplementary groups (`/etc/group` members).
    #[serde(default)]
    pub groups: Vec<u32>,
}

/// What an account wants to do with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    /// For a folder: create and replace files in it (write and search).
    Write,
}

impl Account {
    /// Whether the Unix permission bits let this account do `want`.
    pub fn may(&self, file: &FileMode, want: Access, is_dir: bool) -> bool {
        if self.uid == 0 {
            return true;
        }
        let shift = if file.uid == self.uid {
            6
        } else if file.gid == self.gid || self.groups.contains(&file.gid) {
            3
        } else {
            0
        };
        let bits = (file.mode >> shift) & 0o7;
        match (want, is_dir) {
            (Access::Read, false) => bits & 0o4 != 0,
            (Access::Read, true) => bits & 0o5 == 0o5,
            (Access::Write, false) => bits & 0o2 != 0,
            (Access::Write, true) => bits & 0o3 == 0o3,
        }
    }
}

/// One file in the lockdown folder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LockdownFile {
    /// The phone a pair record belongs to (its file name); None for
    /// `SystemConfiguration.plist`.
    pub udid: Option<String>,
    pub mode: FileMode,
}

/// `/var/lib/lockdown` and the account that uses it (Linux only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LockdownDirObs {
    pub path: String,
    pub exists: bool,
    /// The folder's own owner and mode.
    pub mode: Option<FileMode>,
    /// The account the running usbmuxd process uses; None when no usbmuxd
    /// runs (it fixes the folder's owner itself when it starts).
    pub daemon: Option<Account>,
    /// The pair records and `SystemConfiguration.plist`.
    #[serde(default)]
    pub files: Vec<LockdownFile>,
    /// `SystemBUID` from `SystemConfiguration.plist`, when this check could
    /// read it.
    pub system_buid: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usbmux() -> Account {
        Account {
            name: "usbmux".into(),
            uid: 102,
            gid: 46,
            groups: vec![],
        }
    }

    #[test]
    fn the_daemon_account_reads_and_writes_by_owner_group_or_other_bits() {
        let own = FileMode {
            uid: 102,
            gid: 46,
            mode: 0o2775,
        };
        let roots = FileMode {
            uid: 0,
            gid: 0,
            mode: 0o755,
        };
        let group = FileMode {
            uid: 0,
            gid: 46,
            mode: 0o2775,
        };
        let a = usbmux();
        assert!(a.may(&own, Access::Write, true));
        assert!(!a.may(&roots, Access::Write, true));
        assert!(a.may(&roots, Access::Read, true));
        assert!(a.may(&group, Access::Write, true));
        let record = FileMode {
            uid: 0,
            gid: 0,
            mode: 0o600,
        };
        assert!(!a.may(&record, Access::Read, false));
        let root = Account { uid: 0, ..usbmux() };
        assert!(root.may(&record, Access::Read, false));
    }
}
