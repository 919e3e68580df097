//! World builders for the previous-backups rules.

use super::testing::{usb_phone, World};
use crate::snapshot::*;

pub const UDID_A: &str = "00008101-000A1B2C3D4E5F60";
pub const UDID_B: &str = "0123456789abcdef0123456789abcdef01234567";

fn present(bytes: u64) -> MetaFile {
    MetaFile {
        state: FileState::Present,
        bytes: Some(bytes),
        error: None,
    }
}

/// A finished, healthy, unencrypted backup of `udid` made at `date`.
pub fn finished_backup(udid: &str, date: &str) -> BackupObs {
    BackupObs {
        folder: udid.into(),
        udid: Some(udid.into()),
        is_link: false,
        info: InfoPlistObs {
            file: present(4096),
            device_name: Some("Test iPhone".into()),
            product_type: Some("iPhone13,2".into()),
            product_version: Some("17.5".into()),
            udid: Some(udid.into()),
            serial_number: Some("F00XX0XXXX00".into()),
            last_backup_date: Some(date.into()),
        },
        status: StatusPlistObs {
            file: present(189),
            snapshot_state: Some("finished".into()),
            backup_state: Some("new".into()),
            is_full_backup: Some(false),
            date: Some(date.into()),
            uuid: Some("1ED9CA2E-D535-4B04-8B23-A7D3BE3B4A0D".into()),
            version: Some("3.3".into()),
            quote: None,
        },
        manifest: ManifestPlistObs {
            file: present(300_000),
            is_encrypted: Some(false),
            version: Some("10.0".into()),
            date: Some(date.into()),
            was_passcode_set: Some(true),
            product_version: Some("17.5".into()),
            product_type: Some("iPhone13,2".into()),
            build_version: Some("21F79".into()),
            has_manifest_key: Some(false),
            has_key_bag: Some(true),
        },
        manifest_db: ManifestDbObs {
            file: present(80_000_000),
            quick_check: Some(vec!["ok".into()]),
            file_count: Some(100_000),
            record_count: Some(120_000),
            wal_present: false,
            encrypted: false,
        },
        size_bytes: Some(30_000_000_000),
        files_on_disk: Some(100_004),
        size_incomplete: false,
        snapshot_dir: false,
        deep: None,
        changed_during_check: false,
    }
}

/// `finished_backup`, encrypted as iOS 10.2 and later write it: Manifest.plist
/// `IsEncrypted` with a manifest key, Manifest.db encrypted (not opened).
pub fn encrypted_backup(udid: &str, date: &str) -> BackupObs {
    let mut b = finished_backup(udid, date);
    b.manifest.is_encrypted = Some(true);
    b.manifest.has_manifest_key = Some(true);
    b.manifest_db = ManifestDbObs {
        file: present(80_000_000),
        encrypted: true,
        ..Default::default()
    };
    b
}

impl World {
    /// The backup probe saw these backups.
    pub fn backups(mut self, backups: Vec<BackupObs>) -> Self {
        self.0.probes.backups = Outcome::Ok {
            duration_ms: 1,
            value: BackupsObs {
                dir: "/home/user/Backup".into(),
                backups,
                deep: false,
                cut_short: false,
                ..Default::default()
            },
        };
        self
    }

    /// One backup of `UDID_A`, edited.
    pub fn backup(self, edit: impl FnOnce(&mut BackupObs)) -> Self {
        let mut b = finished_backup(UDID_A, "2026-08-27T01:52:12Z");
        edit(&mut b);
        self.backups(vec![b])
    }

    /// These phones are connected over USB.
    pub fn phones(self, udids: &[&str]) -> Self {
        let devices = udids
            .iter()
            .enumerate()
            .map(|(i, u)| usb_phone(u, i as u32 + 1))
            .collect();
        self.mux_ok(devices)
    }
}
