//! Test builders for the per-phone layers: a trusted, healthy phone that
//! each test then breaks in the one way it needs.

use super::testing::{usb_phone, World};
use crate::snapshot::*;

pub const UDID: &str = "00008101-000A1B2C3D4E5F60";

/// A trusted iPhone X on iOS 16.7.2 with room, charge and a working backup
/// service (values as in fixtures/realdata/pmd3_backup2_info_iPhone10-3_iOS16.7.2_partial.txt
/// and ideviceinfo_q_mobile_backup_iOS15-16.txt).
pub fn healthy_device(udid: &str, device_id: u32) -> DeviceObs {
    DeviceObs {
        udid: udid.into(),
        device_id: Some(device_id),
        connection: Some(MuxConnection::Usb),
        pairing: ok(PairingObs {
            record: PairRecordState::Present,
            source: Some(PairRecordSource::Usbmuxd),
            usbmuxd: Some(RecordLookup {
                path: None,
                state: PairRecordState::Present,
                detail: None,
            }),
            folder: None,
            host_id: Some("2087B64F-F47A-472F-A97B-103847CE1B60".into()),
            system_buid: Some("208048BA-DDF1-4482-ABFE-B90B2C928ADA".into()),
            missing_fields: vec![],
            usable_here: Some(true),
        }),
        lockdown: ok(LockdownObs {
            query_type: Some("com.apple.mobile.lockdown".into()),
            product_type: Some("iPhone10,3".into()),
            product_version: Some("16.7.2".into()),
            build_version: Some("20H115".into()),
            device_class: Some("iPhone".into()),
            device_name: Some("iPhone".into()),
            session: SessionObs::Trusted,
            password_protected: Some(false),
            backup: Some(BackupDomain {
                will_encrypt: Some(false),
                requires_encryption: Some(false),
                cloud_backup_enabled: Some(false),
                last_itunes_backup_date: Some("2022-08-01T06:42:41Z".into()),
                last_cloud_backup_date: None,
            }),
            disk_usage: Some(DiskUsage {
                total_data_capacity: Some(15_715_639_296),
                total_data_available: Some(15_678_640_128),
                amount_data_available: Some(15_510_867_968),
                total_disk_capacity: Some(16_239_927_296),
            }),
            battery: Some(Battery {
                current_capacity: Some(87),
                is_charging: Some(true),
                external_connected: Some(true),
                external_charge_capable: Some(true),
            }),
            ..Default::default()
        }),
        backup_service: ok(BackupServiceObs {
            refused: None,
            device_link_version: Some(400),
            protocol_version: Some("2.1".into()),
            hello_error: None,
        }),
        presence: ok(PresenceObs {
            still_listed: true,
            device_id_after: Some(device_id),
        }),
        backup_log: None,
    }
}

fn ok<T>(value: T) -> Outcome<T> {
    Outcome::Ok {
        duration_ms: 1,
        value,
    }
}

impl World {
    /// One healthy trusted phone on USB, listed by usbmuxd.
    pub fn phone(self) -> Self {
        self.phone_with(UDID, 3)
    }

    /// Another healthy trusted phone on USB.
    pub fn phone_with(mut self, udid: &str, device_id: u32) -> Self {
        let mut listed = self.0.mux_devices().to_vec();
        listed.push(usb_phone(udid, device_id));
        self = self.mux_ok(listed);
        self.0.probes.devices.push(healthy_device(udid, device_id));
        self
    }

    /// Edits the (first) phone's observation.
    pub fn device(mut self, edit: impl FnOnce(&mut DeviceObs)) -> Self {
        if let Some(d) = self.0.probes.devices.first_mut() {
            edit(d);
        }
        self
    }

    /// Edits the first phone's lockdown observation.
    pub fn lockdown(self, edit: impl FnOnce(&mut LockdownObs)) -> Self {
        self.device(|d| {
            if let Some(l) = d.lockdown.value_mut() {
                edit(l);
            }
        })
    }

    /// The first phone's StartSession was refused with `raw`; nothing after it.
    /// The phone answers `StartService com.apple.mobilebackup2` with `raw`.
    pub fn service_refused(self, raw: &str) -> Self {
        let raw = raw.to_string();
        self.device(move |d| {
            d.backup_service = Outcome::Ok {
                duration_ms: 1,
                value: BackupServiceObs {
                    refused: Some(ServiceRefusal {
                        reason: LockdownError::parse(&raw),
                        raw,
                    }),
                    ..Default::default()
                },
            }
        })
    }

    pub fn refused(self, raw: &str) -> Self {
        self.lockdown(|l| {
            l.session = SessionObs::Refused {
                reason: LockdownError::parse(raw),
                raw: raw.into(),
            };
            l.password_protected = None;
            l.backup = None;
            l.disk_usage = None;
            l.battery = None;
        })
        .device(|d| d.backup_service = Outcome::skipped("the phone refused the session"))
    }

    /// This computer has no pair record for the first phone.
    pub fn no_record(self) -> Self {
        self.device(|d| {
            if let Some(p) = d.pairing.value_mut() {
                p.record = PairRecordState::Absent;
                p.source = None;
                p.host_id = None;
                p.system_buid = None;
            }
        })
        .lockdown(|l| l.session = SessionObs::NotAttempted)
        .device(|d| d.backup_service = Outcome::skipped("no pair record"))
    }
}

impl World {
    /// The first phone's backup log, read from `text` (syslog lines) as the
    /// live relay reads it, one line a second.
    pub fn phone_log(self, text: &str) -> Self {
        use crate::phone_log::{BackupLogTracker, DEFAULT_STALL_MS};
        let mut t = BackupLogTracker::new(BackupLogSource::Relay, DEFAULT_STALL_MS);
        for (i, l) in text.lines().enumerate() {
            t.line(l.trim_start(), Some(i as u64 * 1000), None);
        }
        let obs = t.into_obs();
        self.device(|d| {
            d.backup_log = Some(Outcome::Ok {
                duration_ms: 1,
                value: obs,
            })
        })
    }
}
