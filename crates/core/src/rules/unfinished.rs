//! What the check did not finish: a layer that matters whose probe ran out
//! of time or was cut short by Ctrl-C. A verdict that rests on such a
//! snapshot is `incomplete`, never "ready": nobody may read "nothing wrong"
//! into what was never looked at.

use serde::Serialize;

use crate::snapshot::{FailureKind, Outcome, Snapshot};

/// One part of the check that did not finish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotChecked {
    /// What was not checked, in words: "the backup service of iPhone <udid>".
    pub what: String,
    /// Why: "no answer before the deadline", "interrupted (Ctrl-C)".
    pub why: String,
    /// The phone it concerns, None for the computer.
    pub device: Option<String>,
}

/// Why an outcome did not finish, or None when it finished (or was not
/// meant to run: a pasted capture that lacks a layer is not unfinished).
fn cut_short<T>(o: &Outcome<T>) -> Option<String> {
    match o {
        Outcome::Failed { failure, .. } => match failure.kind {
            FailureKind::TimedOut => Some("no answer before the deadline (--timeout)".into()),
            FailureKind::Interrupted => Some("interrupted (Ctrl-C)".into()),
            FailureKind::DescriptorLimit => {
                Some("this computer's limit of open files was reached".into())
            }
            _ => None,
        },
        Outcome::Skipped { because }
            if because.starts_with("interrupted") || because.contains("did not finish") =>
        {
            Some(because.clone())
        }
        Outcome::Ok { .. } | Outcome::Skipped { .. } => None,
    }
}

/// The layers that matter for a backup and did not finish, lowest first.
pub fn not_checked(s: &Snapshot) -> Vec<NotChecked> {
    let mut out = Vec::new();
    fn add(out: &mut Vec<NotChecked>, what: String, why: Option<String>, device: Option<&str>) {
        if let Some(why) = why {
            out.push(NotChecked {
                what,
                why,
                device: device.map(str::to_string),
            });
        }
    }
    // The bus matters only when usbmuxd did not list a phone: it is what
    // would show a phone in recovery mode or a cable carrying no data.
    if s.mux_devices().is_empty() {
        add(
            &mut out,
            "the USB bus".into(),
            cut_short(&s.probes.usb),
            None,
        );
    }
    add(
        &mut out,
        "usbmuxd (the phones connected)".into(),
        cut_short(&s.probes.usbmuxd),
        None,
    );
    for d in &s.probes.devices {
        let u = d.udid.as_str();
        add(
            &mut out,
            format!("the pair record of iPhone {u}"),
            cut_short(&d.pairing),
            Some(u),
        );
        let lockdown = cut_short(&d.lockdown).or_else(|| {
            d.lockdown()
                .and_then(|l| l.aborted.as_ref())
                .and_then(|f| match f.kind {
                    FailureKind::TimedOut => {
                        Some("the phone stopped answering before the deadline".to_string())
                    }
                    FailureKind::Interrupted => Some("interrupted (Ctrl-C)".to_string()),
                    _ => None,
                })
        });
        add(
            &mut out,
            format!("iPhone {u} itself (lockdownd)"),
            lockdown,
            Some(u),
        );
        add(
            &mut out,
            format!("the backup service of iPhone {u}"),
            cut_short(&d.backup_service),
            Some(u),
        );
    }
    add(
        &mut out,
        "this computer (OS, backup folder, free space)".into(),
        cut_short(&s.probes.host),
        None,
    );
    add(
        &mut out,
        "the previous backups".into(),
        cut_short(&s.probes.backups),
        None,
    );
    // The probe finished, but not with every backup: the deadline came
    // first, or the folder held more subfolders than it reads (issue 30).
    if let Some(b) = s.backups().filter(|b| b.cut_short || b.not_read > 0) {
        let what = match b.not_read {
            0 => "all of the previous backups".to_string(),
            n => format!(
                "{} of the backup folder",
                crate::format::plural(n as usize, "subfolder", "subfolders")
            ),
        };
        let why = match b.limit {
            Some(max) if !b.cut_short => format!(
                "the folder holds more than {max} subfolders and the check reads the first {max} by name (point --backup-dir at the folder of one computer's backups)"
            ),
            _ => "the deadline (--timeout) came before they were read".to_string(),
        };
        add(&mut out, what, Some(why), None);
    }
    if s.interrupted && out.is_empty() {
        add(
            &mut out,
            "the rest of the check".into(),
            Some("interrupted (Ctrl-C)".into()),
            None,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::snapshot::Failure;

    #[test]
    fn a_finished_check_has_nothing_unchecked() {
        let s = world().usb_ok(vec![]).mux_ok(vec![]).build();
        assert!(not_checked(&s).is_empty());
    }

    #[test]
    fn a_backup_service_out_of_time_is_named_with_its_phone() {
        let s = world()
            .phone()
            .device(|d| {
                d.backup_service = Outcome::Failed {
                    duration_ms: 10_000,
                    failure: Failure::new(FailureKind::TimedOut, "no answer"),
                }
            })
            .build();
        let n = not_checked(&s);
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(n[0].what.starts_with("the backup service of iPhone"));
        assert!(n[0].why.contains("deadline"));
        assert!(n[0].device.is_some());
    }

    #[test]
    fn interrupted_probes_are_unchecked_and_a_paste_missing_a_layer_is_not() {
        let mut s = world().mux_failed(FailureKind::Interrupted).build();
        s.interrupted = true;
        s.probes.backups = Outcome::skipped("interrupted (Ctrl-C) before it finished");
        let whats: Vec<_> = not_checked(&s).into_iter().map(|n| n.what).collect();
        assert!(whats.iter().any(|w| w.starts_with("usbmuxd")), "{whats:?}");
        assert!(whats.iter().any(|w| w.contains("previous backups")));

        let mut paste = world().build();
        paste.probes.backups = Outcome::skipped("not in the capture");
        assert!(not_checked(&paste).is_empty());
    }
}
