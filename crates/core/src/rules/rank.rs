//! Puts the most likely cause first and hides what merely follows from it.
//!
//! "Most likely cause first" means: the finding that, fixed, most likely
//! lets this phone's next backup through comes first. The order is a
//! sequence of keys, each deciding only among findings the keys before it
//! left tied (the model, with examples, is in `docs/ranking.md`):
//!
//! 1. Severity: a blocker (the backup cannot succeed until it is fixed)
//!    before a warning (it may fail or stall) before a note.
//! 2. Basis ([`Basis`]): evidence before advice before coverage. Evidence is
//!    what this check saw about this phone, its backups or this computer
//!    (a refusal, a torn or damaged previous backup, the space the next
//!    backup needs, the phone locked right now); advice holds for every
//!    phone in the same state (an iOS update exists, iOS asks for the
//!    passcode at each backup, backups are encrypted); coverage is what the
//!    check could not look at on this machine (no USB bus in a container),
//!    which says nothing about the phone. So a torn previous backup of this
//!    phone ranks above "an iOS update is available" at the same severity,
//!    and a healthy phone's first line is its own note, not the machine's.
//! 3. Confidence: seen directly before strongly suggested before inferred.
//! 4. Layer: the lowest layer between computer and phone first (USB,
//!    usbmuxd, connection, trust, device, backup service, host, backups,
//!    iCloud): a broken lower layer explains trouble above it.
//! 5. Id, then device: a stable order for equal findings.
//!
//! A finding hides the ids its rule lists in `hides` for the same phone; a
//! computer-wide finding (no device) hides them for every phone. Merging
//! happens in the rules, not here: a locked phone whose session works is
//! evidence inside `device.passcode-prompt`, not a finding of its own.

use std::collections::HashMap;

use serde::Serialize;

#[cfg(doc)]
use super::Basis;
use super::Finding;
use super::RuleId;

/// A finding left out of the report because a root cause explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppressed {
    pub id: RuleId,
    pub device: Option<String>,
    pub hidden_by: RuleId,
}

/// Sorts findings by rank and splits off the ones a root cause hides.
pub fn rank(mut findings: Vec<Finding>) -> (Vec<Finding>, Vec<Suppressed>) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.basis.cmp(&b.basis))
            .then(b.confidence.cmp(&a.confidence))
            .then(a.layer.cmp(&b.layer))
            .then(a.id.cmp(&b.id))
            .then(a.device.cmp(&b.device))
    });
    // Who hides what, indexed once: (hidden id, device) -> the first hider
    // in rank order, device None for a computer-wide hider. A lookup per
    // finding keeps ranking linear in thousands of findings (issue 30).
    let mut hiders: HashMap<(RuleId, Option<&str>), &Finding> = HashMap::new();
    for h in &findings {
        for hidden in h.hides.iter().filter(|id| **id != h.id) {
            hiders.entry((*hidden, h.device.as_deref())).or_insert(h);
        }
    }
    let position = |f: &Finding| findings.iter().position(|x| std::ptr::eq(x, f));
    let hidden_by: Vec<Option<RuleId>> = findings
        .iter()
        .map(|f| {
            let for_all = hiders.get(&(f.id, None)).copied();
            let for_phone = f
                .device
                .as_deref()
                .and_then(|d| hiders.get(&(f.id, Some(d))).copied());
            // The first in rank order, as a search of the sorted list finds it.
            let hider = match (for_all, for_phone) {
                (Some(a), Some(b)) => Some(if position(a) <= position(b) { a } else { b }),
                (a, b) => a.or(b),
            };
            hider.map(|h| h.id)
        })
        .collect();
    drop(hiders);
    // Moved, not copied: thousands of findings are held once (issue 30).
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut suppressed = Vec::new();
    for (f, hider) in findings.into_iter().zip(hidden_by) {
        match hider {
            Some(h) => suppressed.push(Suppressed {
                id: f.id,
                device: f.device,
                hidden_by: h,
            }),
            None => kept.push(f),
        }
    }
    kept.dedup_by(|a, b| a.id == b.id && a.device == b.device && a.evidence == b.evidence);
    (kept, suppressed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Basis, Confidence, Severity, RULES};

    fn finding(id: RuleId, severity: Severity, device: Option<&str>) -> Finding {
        let rule = RULES.iter().find(|r| r.id == id).expect("registered id");
        let mut f = Finding::new(rule).at_most(severity);
        f.device = device.map(str::to_string);
        f
    }

    #[test]
    fn blockers_before_warnings_before_info() {
        let (kept, _) = rank(vec![
            finding(RuleId::UsbUnavailable, Severity::Info, None),
            finding(RuleId::HostDiskSpace, Severity::Warning, None),
            finding(RuleId::UsbmuxdNotRunning, Severity::Blocker, None),
        ]);
        let ids: Vec<_> = kept.iter().map(|f| f.id).collect();
        assert_eq!(
            ids,
            [
                RuleId::UsbmuxdNotRunning,
                RuleId::HostDiskSpace,
                RuleId::UsbUnavailable
            ]
        );
    }

    #[test]
    fn certain_before_possible_at_same_severity() {
        let a = finding(RuleId::HostDiskSpace, Severity::Warning, None)
            .confidence(Confidence::Possible);
        let b = finding(RuleId::HostBackupInProgress, Severity::Warning, None);
        let (kept, _) = rank(vec![a, b]);
        assert_eq!(kept[0].id, RuleId::HostBackupInProgress);
    }

    fn ids(kept: &[Finding]) -> Vec<RuleId> {
        kept.iter().map(|f| f.id).collect()
    }

    #[test]
    fn this_phones_backups_come_before_general_advice() {
        // The order the issue saw with a torn previous backup: an iOS update
        // (a warning a major version behind) and the lock sorted first by
        // layer. Evidence about the phone's backups now leads.
        let (kept, _) = rank(vec![
            finding(RuleId::DeviceIosOutdated, Severity::Warning, Some("A")),
            finding(RuleId::BackupUnfinished, Severity::Warning, Some("A")),
            finding(RuleId::HostDiskSpace, Severity::Warning, Some("A"))
                .confidence(Confidence::Possible),
            finding(RuleId::DevicePasscodePrompt, Severity::Info, Some("A")),
        ]);
        assert_eq!(
            ids(&kept),
            [
                RuleId::BackupUnfinished,
                RuleId::HostDiskSpace,
                RuleId::DeviceIosOutdated,
                RuleId::DevicePasscodePrompt
            ]
        );
    }

    #[test]
    fn severity_still_comes_before_basis() {
        let (kept, _) = rank(vec![
            finding(RuleId::BackupUnfinished, Severity::Warning, Some("A")),
            finding(RuleId::HostOsOutdated, Severity::Blocker, None),
            finding(RuleId::DeviceIosOutdated, Severity::Warning, Some("A")),
        ]);
        assert_eq!(
            ids(&kept),
            [
                RuleId::HostOsOutdated,
                RuleId::BackupUnfinished,
                RuleId::DeviceIosOutdated
            ]
        );
    }

    #[test]
    fn a_note_about_this_machine_ranks_below_the_phones_own_notes() {
        let (kept, _) = rank(vec![
            finding(RuleId::UsbUnavailable, Severity::Info, None).basis(Basis::Coverage),
            finding(RuleId::DevicePasscodePrompt, Severity::Info, Some("A")),
            finding(RuleId::DeviceIosOutdated, Severity::Info, Some("A")),
        ]);
        assert_eq!(
            ids(&kept),
            [
                RuleId::DeviceIosOutdated,
                RuleId::DevicePasscodePrompt,
                RuleId::UsbUnavailable
            ]
        );
        // A reminder that rests on what was seen (the phone is locked now)
        // comes before the general ones.
        let (kept, _) = rank(vec![
            finding(RuleId::DeviceIosOutdated, Severity::Info, Some("A")),
            finding(RuleId::DevicePasscodePrompt, Severity::Info, Some("A")).basis(Basis::Evidence),
        ]);
        assert_eq!(
            ids(&kept),
            [RuleId::DevicePasscodePrompt, RuleId::DeviceIosOutdated]
        );
    }

    #[test]
    fn within_evidence_confidence_then_the_lowest_layer_lead() {
        let (kept, _) = rank(vec![
            finding(RuleId::BackupUnfinished, Severity::Warning, Some("A")),
            finding(RuleId::UsbHub, Severity::Warning, Some("A")),
            finding(RuleId::HostDiskSpace, Severity::Warning, None)
                .confidence(Confidence::Possible),
        ]);
        assert_eq!(
            ids(&kept),
            [
                RuleId::UsbHub,
                RuleId::BackupUnfinished,
                RuleId::HostDiskSpace
            ]
        );
    }

    #[test]
    fn root_cause_hides_consequence_for_same_device_only() {
        let (kept, hidden) = rank(vec![
            finding(RuleId::TrustResetOnDevice, Severity::Blocker, Some("A")),
            finding(RuleId::BackupServiceRefused, Severity::Blocker, Some("A")),
            finding(RuleId::BackupServiceRefused, Severity::Blocker, Some("B")),
        ]);
        assert_eq!(kept.len(), 2);
        assert_eq!(hidden.len(), 1);
        assert_eq!(hidden[0].device.as_deref(), Some("A"));
        assert_eq!(hidden[0].hidden_by, RuleId::TrustResetOnDevice);
    }
}
