//! Puts root causes first and hides what merely follows from them.
//!
//! Order: severity (blockers first), then confidence (direct evidence before
//! inference), then layer (the lowest broken layer is the likeliest root
//! cause), then id and device for a stable order. A finding hides the ids
//! its rule lists in `hides` for the same phone; a computer-wide finding
//! (no device) hides them for every phone.

use serde::Serialize;

use super::Finding;

/// A finding left out of the report because a root cause explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppressed {
    pub id: &'static str,
    pub device: Option<String>,
    pub hidden_by: &'static str,
}

/// Sorts findings by rank and splits off the ones a root cause hides.
pub fn rank(mut findings: Vec<Finding>) -> (Vec<Finding>, Vec<Suppressed>) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.confidence.cmp(&a.confidence))
            .then(a.layer.cmp(&b.layer))
            .then(a.id.cmp(b.id))
            .then(a.device.cmp(&b.device))
    });
    let mut kept: Vec<Finding> = Vec::new();
    let mut suppressed = Vec::new();
    for f in &findings {
        let hider = findings.iter().find(|h| {
            h.id != f.id && h.hides.contains(&f.id) && (h.device.is_none() || h.device == f.device)
        });
        match hider {
            Some(h) => suppressed.push(Suppressed {
                id: f.id,
                device: f.device.clone(),
                hidden_by: h.id,
            }),
            None => kept.push(f.clone()),
        }
    }
    kept.dedup_by(|a, b| a.id == b.id && a.device == b.device && a.evidence == b.evidence);
    (kept, suppressed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Confidence, Severity, RULES};

    fn finding(id: &str, severity: Severity, device: Option<&str>) -> Finding {
        let rule = RULES.iter().find(|r| r.id == id).expect("registered id");
        let mut f = Finding::new(rule).at_most(severity);
        f.device = device.map(str::to_string);
        f
    }

    #[test]
    fn blockers_before_warnings_before_info() {
        let (kept, _) = rank(vec![
            finding("usb.unavailable", Severity::Info, None),
            finding("host.disk-space", Severity::Warning, None),
            finding("usbmuxd.not-running", Severity::Blocker, None),
        ]);
        let ids: Vec<_> = kept.iter().map(|f| f.id).collect();
        assert_eq!(
            ids,
            ["usbmuxd.not-running", "host.disk-space", "usb.unavailable"]
        );
    }

    #[test]
    fn certain_before_possible_at_same_severity() {
        let a =
            finding("host.disk-space", Severity::Warning, None).confidence(Confidence::Possible);
        let b = finding("host.backup-in-progress", Severity::Warning, None);
        let (kept, _) = rank(vec![a, b]);
        assert_eq!(kept[0].id, "host.backup-in-progress");
    }

    #[test]
    fn root_cause_hides_consequence_for_same_device_only() {
        let (kept, hidden) = rank(vec![
            finding("trust.reset-on-device", Severity::Blocker, Some("A")),
            finding("backup-service.refused", Severity::Blocker, Some("A")),
            finding("backup-service.refused", Severity::Blocker, Some("B")),
        ]);
        assert_eq!(kept.len(), 2);
        assert_eq!(hidden.len(), 1);
        assert_eq!(hidden[0].device.as_deref(), Some("A"));
        assert_eq!(hidden[0].hidden_by, "trust.reset-on-device");
    }
}
