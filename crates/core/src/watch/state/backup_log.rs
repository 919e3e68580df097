//! `watch` following each trusted phone's own backup log: which phones to
//! follow, the `backup` and `backup-stall` lines it prints, and the
//! re-diagnosis an important event asks for (so `host.disk-space` names the
//! phone's own figure the moment the agent logs it). The raw lines of backup
//! processes are printed as `phone-log` only when asked (`-v`).

use super::WatchState;
use crate::phone_log::BackupLogTracker;
use crate::snapshot::{BackupEvent, BackupLogSource};
use crate::watch::{WatchEvent, WatchEventKind};

/// A raw line shown with `-v` is cut here.
const MAX_SHOWN: usize = 300;

impl WatchState {
    /// How long a running backup may log nothing before it is a stall.
    pub fn with_stall_ms(mut self, ms: u64) -> Self {
        self.stall_ms = ms.max(1);
        self
    }

    /// Connected, trusted phones whose log nobody follows yet, with their
    /// DeviceID; they count as followed from now on.
    pub fn logs_to_follow(&mut self) -> Vec<(String, u32)> {
        let mut out = Vec::new();
        for (udid, p) in &mut self.phones {
            if p.connected
                && !p.following
                && !p.follow_held
                && p.trust.as_deref() == Some("trusted")
            {
                if let Some(id) = p.device_id {
                    p.following = true;
                    out.push((udid.clone(), id));
                }
            }
        }
        out
    }

    /// Whether the phone's log should still be followed.
    pub fn is_following(&self, udid: &str) -> bool {
        self.phones.get(udid).is_some_and(|p| p.following)
    }

    /// Backup lines from the phone's relay, received at `at_ms`; `skipped`
    /// lines of other processes were left out by the reader, `cut` were cut
    /// or not text. Raw lines become `phone-log` lines when `verbose`.
    pub fn on_phone_log(
        &mut self,
        udid: &str,
        lines: &[String],
        skipped: u64,
        cut: u64,
        at_ms: u64,
        verbose: bool,
    ) -> Vec<WatchEvent> {
        let stall_ms = self.stall_ms;
        let Some(p) = self.phones.get_mut(udid) else {
            return Vec::new();
        };
        let t = p
            .log
            .get_or_insert_with(|| BackupLogTracker::new(BackupLogSource::Relay, stall_ms));
        t.add_read(skipped);
        t.add_cut(cut);
        let mut out = Vec::new();
        let mut rediagnose = false;
        for text in lines {
            let read = t.line(text, Some(at_ms), None);
            if verbose && read.backup {
                let shown: String = text
                    .lines()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(MAX_SHOWN)
                    .collect();
                out.push(WatchEvent {
                    at_ms,
                    kind: WatchEventKind::PhoneLog {
                        udid: udid.to_string(),
                        line: shown,
                    },
                });
            }
            if let Some(e) = read.event {
                rediagnose |= asks_for_diagnosis(&e.event);
                out.push(WatchEvent {
                    at_ms,
                    kind: WatchEventKind::Backup {
                        udid: udid.to_string(),
                        event: e,
                    },
                });
            }
        }
        if rediagnose {
            p.generation += 1;
            p.last_event_ms = at_ms;
            p.settle_pending = true;
        }
        out
    }

    /// The follower stopped (relay closed, refused, phone gone; the binary
    /// logs why). It is started again after the next diagnosis that finds
    /// the phone trusted.
    pub fn on_phone_log_ended(&mut self, udid: &str) {
        if let Some(p) = self.phones.get_mut(udid) {
            p.following = false;
            p.follow_held = true;
        }
    }

    /// `backup-stall` lines for backups that went quiet by `now_ms`; each
    /// also asks for a diagnosis, which then carries `backup.stalled`.
    pub fn stalls(&mut self, now_ms: u64) -> Vec<WatchEvent> {
        let mut out = Vec::new();
        for (udid, p) in &mut self.phones {
            let Some(t) = p.log.as_mut() else {
                continue;
            };
            let Some(stall) = t.check_stall(now_ms) else {
                continue;
            };
            p.generation += 1;
            p.last_event_ms = now_ms;
            p.settle_pending = p.connected;
            out.push(WatchEvent {
                at_ms: now_ms,
                kind: WatchEventKind::BackupStall {
                    udid: udid.clone(),
                    stall,
                },
            });
        }
        out
    }

    /// When the next stall may be due.
    pub(super) fn next_stall(&self) -> Option<u64> {
        self.phones
            .values()
            .filter_map(|p| p.log.as_ref()?.stall_due_at())
            .min()
    }
}

/// Events a diagnosis has something to say about.
fn asks_for_diagnosis(e: &BackupEvent) -> bool {
    matches!(
        e,
        BackupEvent::NeedsHostSpace { .. }
            | BackupEvent::Failed { .. }
            | BackupEvent::Crashed
            | BackupEvent::PasscodeWaiting
            | BackupEvent::SyncLockHeld
            | BackupEvent::Finished { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::watch::{data, type_name};
    use crate::snapshot::{MuxConnection, MuxDevice, Snapshot};
    use crate::watch::state::Timing;

    fn trusted_watch() -> WatchState {
        use crate::rules::testing_device::healthy_device;
        let mut w = WatchState::new(
            None,
            Timing {
                settle_ms: 1000,
                recheck_ms: 0,
            },
        )
        .with_stall_ms(30_000);
        let phone = MuxDevice {
            device_id: 3,
            udid: "U".into(),
            connection: MuxConnection::Usb,
            ..Default::default()
        };
        w.on_connected(&[phone], 0);
        let due = w.due(1000);
        let mut s = Snapshot::new(Default::default());
        s.probes.devices.push(healthy_device("U", 3));
        w.on_diagnosis(&due[0].0, due[0].1, false, s, 1100);
        w
    }

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(|l| l.trim().to_string()).collect()
    }

    #[test]
    fn a_trusted_phone_is_followed_once() {
        let mut w = trusted_watch();
        assert_eq!(w.logs_to_follow(), [("U".to_string(), 3)]);
        assert!(w.logs_to_follow().is_empty());
        assert!(w.is_following("U"));
        w.on_phone_log_ended("U");
        assert!(!w.is_following("U"));
        // Not again at once: only after the next diagnosis.
        assert!(w.logs_to_follow().is_empty());
        w.on_message(crate::watch::ListenMessage::Paired { device_id: 3 }, 5000);
        let due = w.due(6000);
        let mut s = Snapshot::new(Default::default());
        s.probes
            .devices
            .push(crate::rules::testing_device::healthy_device("U", 3));
        w.on_diagnosis(&due[0].0, due[0].1, false, s, 6100);
        assert_eq!(w.logs_to_follow().len(), 1);
    }

    #[test]
    fn need_space_prints_an_event_and_the_diagnosis_names_the_phones_figure() {
        use crate::rules::testing_device::healthy_device;
        let mut w = trusted_watch();
        w.logs_to_follow();
        let out = w.on_phone_log(
            "U",
            &lines(
                "Nov 30 05:33:32 iPhone BackupAgent2[4308] <Notice>: Free disk space on drive: 4664553472 (4.66 GB)
                 Nov 30 05:33:32 iPhone BackupAgent2[4308] <Notice>: Need extra space on host: 12265029274. Requesting host to purge now",
            ),
            10,
            0,
            2000,
            false,
        );
        assert_eq!(out.len(), 2);
        assert_eq!(type_name(&out[1].kind), "backup");
        assert_eq!(data(&out[1].kind)["event"], "needs-host-space");
        assert_eq!(data(&out[1].kind)["extra_bytes"], 12_265_029_274u64);
        assert_eq!(data(&out[1].kind)["host_free_bytes"], 4_664_553_472u64);
        // It asks for a diagnosis once settled; the finding carries the figure.
        let due = w.due(3000);
        assert_eq!(due.len(), 1);
        let mut s = Snapshot::new(Default::default());
        s.probes.devices.push(healthy_device("U", 3));
        let d = w.on_diagnosis(&due[0].0, due[0].1, false, s, 3100);
        let diag = d
            .iter()
            .find(|l| type_name(&l.kind) == "diagnosis")
            .expect("a diagnosis");
        assert_eq!(data(&diag.kind)["top"]["id"], "host.disk-space");
        let evidence = data(&diag.kind)["top"]["evidence"].to_string();
        assert!(evidence.contains("12265029274"), "{evidence}");
    }

    #[test]
    fn raw_lines_only_when_verbose_and_a_quiet_backup_stalls() {
        let mut w = trusted_watch();
        let start = lines("Jan 21 02:17:34 unknown BackupAgent2[142] <Warning>: WARNING: Starting backup
                           Jan 21 02:17:34 unknown BackupAgent2[142] <Warning>: INFO: Creating keybag");
        let quiet = w.on_phone_log("U", &start, 0, 0, 2000, false);
        assert_eq!(
            quiet.iter().map(|l| type_name(&l.kind)).collect::<Vec<_>>(),
            ["backup"]
        );
        let loud = w.on_phone_log("U", &start, 0, 0, 2100, true);
        assert_eq!(
            loud.iter().map(|l| type_name(&l.kind)).collect::<Vec<_>>(),
            ["phone-log", "backup", "phone-log"]
        );
        assert_eq!(w.next_wakeup(), Some(32_100));
        assert!(w.stalls(32_000).is_empty());
        let s = w.stalls(32_100);
        assert_eq!(s.len(), 1);
        assert_eq!(type_name(&s[0].kind), "backup-stall");
        assert_eq!(data(&s[0].kind)["seconds"], 30);
        assert!(w.stalls(40_000).is_empty(), "once");
    }
}
