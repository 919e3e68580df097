//! Space, for the shared reports: what the phone holds beside what this
//! computer has free, with the estimate of the next backup's size, all on
//! one scale. The estimate is `host.disk-space`'s own, so the picture and
//! the finding agree.

use super::{names, Report};
use crate::rules::host::backup_need::{next_backup, Estimate};

/// The figures for one phone (or for none, when only the computer is known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Space {
    /// The phone as people know it; None when no phone was found.
    pub phone: Option<String>,
    /// User data on the phone (`com.apple.disk_usage`).
    pub phone_used: Option<u64>,
    /// Free on the volume of the backup folder (statvfs).
    pub free_now: Option<u64>,
    /// Purgeable space on top of it that macOS frees when asked (0 elsewhere).
    pub purgeable: u64,
    /// The volume's size.
    pub volume_total: Option<u64>,
    /// What the next backup may need.
    pub estimate: Option<Estimate>,
}

impl Space {
    /// The largest figure: the end of the shared scale (at least 1).
    pub fn scale(&self) -> u64 {
        [
            self.phone_used.unwrap_or(0),
            self.free_now.unwrap_or(0).saturating_add(self.purgeable),
            self.estimate.as_ref().map_or(0, |e| e.high),
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
        .max(1)
    }

    /// Whether there is anything to draw.
    pub fn is_known(&self) -> bool {
        self.phone_used.is_some() || self.free_now.is_some()
    }
}

/// One entry per phone the report is about, or one for the computer alone.
pub fn spaces(report: &Report) -> Vec<Space> {
    let s = report.snapshot;
    let volume = s.host().and_then(|h| h.backup_dir.volume.as_ref());
    let free_now = volume.map(|v| v.free_bytes);
    let purgeable = volume
        .and_then(|v| {
            v.important_free_bytes
                .map(|i| i.saturating_sub(v.free_bytes))
        })
        .unwrap_or(0);
    let base = Space {
        phone: None,
        phone_used: None,
        free_now,
        purgeable,
        volume_total: volume.map(|v| v.total_bytes),
        estimate: None,
    };
    let phones = names::phones(s);
    if phones.is_empty() {
        return vec![base];
    }
    phones
        .iter()
        .map(|u| Space {
            phone: Some(names::phone(s, u)),
            phone_used: s.phone_data_used(u),
            estimate: next_backup(s, u),
            ..base.clone()
        })
        .collect()
}
