//! Builds snapshots for rule tests: tests say which world they need, not how
//! to build it. Each layer may add its own `impl World` block in its rule
//! files' test modules or here.

use crate::rules::{Finding, Findings, Rule};
use crate::snapshot::*;

/// A healthy computer: Linux, backup folder present and writable with plenty
/// of space, USB readable and empty, usbmuxd not probed.
pub fn world() -> World {
    let mut s = Snapshot::new(Provenance {
        kind: ProvenanceKind::HandBuilt,
        ..Default::default()
    });
    s.probes.host = Outcome::Ok {
        duration_ms: 1,
        value: HostObs {
            os: HostOs {
                family: OsFamily::Linux,
                name: Some("Debian GNU/Linux".into()),
                version: Some("12".into()),
                kernel: None,
            },
            backup_dir: BackupDirObs {
                path: Some("/home/user/Backup".into()),
                source: BackupDirSource::Default,
                candidates: vec![],
                exists: true,
                is_dir: true,
                readable: Some(true),
                writable: Some(true),
                is_link: false,
                link_target: None,
                target_exists: None,
                error: None,
                volume: Some(Volume {
                    mount_point: "/".into(),
                    name: Some("root".into()),
                    file_system: Some("ext4".into()),
                    free_bytes: 200_000_000_000,
                    total_bytes: 500_000_000_000,
                    read_only: false,
                    important_free_bytes: None,
                }),
            },
            running_tools: vec![],
            lockdown_dir: None,
        },
    };
    World(s)
}

pub struct World(pub Snapshot);

impl World {
    pub fn build(self) -> Snapshot {
        self.0
    }

    pub fn usb_ok(mut self, devices: Vec<UsbDevice>) -> Self {
        self.0.probes.usb = Outcome::Ok {
            duration_ms: 1,
            value: UsbObs {
                os: OsFamily::Linux,
                devices,
                ..Default::default()
            },
        };
        self
    }

    pub fn usb_failed(mut self, kind: FailureKind) -> Self {
        self.0.probes.usb = failed(kind);
        self
    }

    pub fn mux_ok(mut self, devices: Vec<MuxDevice>) -> Self {
        self.0.probes.usbmuxd_address = Some(default_addr());
        self.0.probes.usbmuxd = Outcome::Ok {
            duration_ms: 1,
            value: MuxObs {
                address: default_addr(),
                buid: Some("BUID".into()),
                devices,
                quote: None,
            },
        };
        self
    }

    pub fn mux_missing(self) -> Self {
        self.mux_failed(FailureKind::NotFound)
    }

    pub fn mux_failed(self, kind: FailureKind) -> Self {
        self.mux_failed_at(kind, "unix:/var/run/usbmuxd", MuxAddressSource::Default)
    }

    pub fn mux_failed_at(
        mut self,
        kind: FailureKind,
        display: &str,
        source: MuxAddressSource,
    ) -> Self {
        self.0.probes.usbmuxd_address = Some(MuxAddress {
            display: display.into(),
            source,
        });
        self.0.probes.usbmuxd = failed(kind);
        self
    }

    pub fn os(mut self, family: OsFamily, version: &str) -> Self {
        if let Some(h) = self.0.probes.host.value_mut() {
            h.os.family = family;
            h.os.version = Some(version.into());
        }
        self
    }

    pub fn backup_dir(mut self, edit: impl FnOnce(&mut BackupDirObs)) -> Self {
        if let Some(h) = self.0.probes.host.value_mut() {
            edit(&mut h.backup_dir);
        }
        self
    }

    pub fn free_space(self, free: u64, total: u64) -> Self {
        self.backup_dir(|d| {
            if let Some(v) = d.volume.as_mut() {
                v.free_bytes = free;
                v.total_bytes = total;
            }
        })
    }

    /// Edits the host observation.
    pub fn host(mut self, f: impl FnOnce(&mut HostObs)) -> Self {
        if let Some(h) = self.0.probes.host.value_mut() {
            f(h);
        }
        self
    }

    pub fn running(mut self, tools: &[(&str, &str, u32)]) -> Self {
        if let Some(h) = self.0.probes.host.value_mut() {
            h.running_tools = tools
                .iter()
                .map(|(process, tool, pid)| RunningTool {
                    process: (*process).into(),
                    tool: (*tool).into(),
                    pid: *pid,
                    backing_up: false,
                })
                .collect();
        }
        self
    }
}

pub fn default_addr() -> MuxAddress {
    MuxAddress {
        display: "unix:/var/run/usbmuxd".into(),
        source: MuxAddressSource::Default,
    }
}

pub fn failed<T>(kind: FailureKind) -> Outcome<T> {
    Outcome::Failed {
        duration_ms: 1,
        failure: Failure::new(kind, format!("simulated {}", kind.as_str())),
    }
}

/// A phone usbmuxd lists over USB.
pub fn usb_phone(udid: &str, device_id: u32) -> MuxDevice {
    MuxDevice {
        device_id,
        udid: udid.into(),
        connection: MuxConnection::Usb,
        product_id: Some(0x12a8),
        location_id: Some(0x0110_0000),
        connection_speed: Some(480_000_000),
    }
}

/// The findings one rule makes on a snapshot.
pub fn fired(s: &Snapshot, rule: &'static Rule) -> Vec<Finding> {
    let mut out = Findings::new(s);
    (rule.check)(s, &mut out);
    let found = out.into_vec();
    for f in &found {
        assert!(
            rule.declares_title(&f.title),
            "{} made a finding titled {:?}, which is neither its title nor a declared variant",
            rule.id,
            f.title
        );
    }
    found
}

/// The one finding a rule makes; panics with the list otherwise.
pub fn only(s: &Snapshot, rule: &'static Rule) -> Finding {
    let mut all = fired(s, rule);
    assert_eq!(
        all.len(),
        1,
        "expected one {} finding, got {all:#?}",
        rule.id
    );
    all.remove(0)
}
