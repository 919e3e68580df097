//! A finding: one rule firing for one phone (or for the whole computer), with
//! what it saw and what fixes it.

use serde::Serialize;

use super::{Basis, Confidence, Layer, Rule, Severity, Title};
use crate::remedy::Fix;
use crate::snapshot::{Quote, Snapshot};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub layer: Layer,
    /// What it rests on, for ranking; not part of the JSON report (its order
    /// and `rank` are).
    #[serde(skip)]
    pub basis: Basis,
    pub title: String,
    /// The phone's UDID, or None when it concerns the computer.
    pub device: Option<String>,
    pub evidence: Vec<String>,
    pub remediation: Vec<String>,
    #[serde(skip)]
    pub hides: &'static [&'static str],
    /// Steps specific to this finding, shown before the rule's own.
    #[serde(skip)]
    specific_steps: Vec<String>,
    #[serde(skip)]
    rule_steps: &'static [Fix],
}

impl Finding {
    pub fn new(rule: &'static Rule) -> Self {
        Self {
            id: rule.id,
            severity: rule.severity,
            confidence: Confidence::Certain,
            layer: rule.layer,
            basis: rule.basis,
            title: rule.title.to_string(),
            device: None,
            evidence: Vec::new(),
            remediation: Vec::new(),
            hides: rule.hides,
            specific_steps: Vec::new(),
            rule_steps: rule.steps,
        }
    }

    pub fn device(mut self, udid: impl Into<String>) -> Self {
        self.device = Some(udid.into());
        self
    }

    pub fn confidence(mut self, c: Confidence) -> Self {
        self.confidence = c;
        self
    }

    /// What this finding rests on, when it differs from its rule's.
    pub fn basis(mut self, b: Basis) -> Self {
        self.basis = b;
        self
    }

    /// Lowers the severity (a finding may never raise it above its rule's).
    pub fn at_most(mut self, s: Severity) -> Self {
        self.severity = self.severity.min(s);
        self
    }

    /// One of the rule's declared [`Title`] variants, instead of its title.
    pub fn title(self, t: &Title) -> Self {
        self.titled(t.text.to_string())
    }

    /// A variant's text with its placeholders filled ([`Title::fill`]).
    pub fn titled(mut self, text: String) -> Self {
        self.title = text;
        self
    }

    pub fn evidence(mut self, line: impl Into<String>) -> Self {
        self.evidence.push(line.into());
        self
    }

    /// The line of an imported file the evidence was read from
    /// (`info.txt:3: ActivationState: Unactivated`); nothing when it was
    /// probed live.
    pub fn quoting(mut self, quote: Option<&Quote>) -> Self {
        if let Some(q) = quote {
            self.evidence.push(q.cite());
        }
        self
    }

    /// Steps for this cause instead of the rule's own (declared beside the
    /// rule): for a cause whose fix differs from the rule's usual one.
    pub fn steps(mut self, steps: &'static [Fix]) -> Self {
        self.rule_steps = steps;
        self
    }

    /// A remediation step specific to what was seen, shown first.
    pub fn step(mut self, text: impl Into<String>) -> Self {
        self.specific_steps.push(text.into());
        self
    }
}

/// Collects the findings of every rule for one snapshot.
pub struct Findings<'s> {
    snapshot: &'s Snapshot,
    list: Vec<Finding>,
    /// The reported errors with their `explain` entries, looked up once
    /// for every rule that asks (`Findings::reported`).
    reported: std::cell::OnceCell<Vec<super::from_reported::Reported<'s>>>,
}

impl<'s> Findings<'s> {
    pub fn new(snapshot: &'s Snapshot) -> Self {
        Self {
            snapshot,
            list: Vec::new(),
            reported: std::cell::OnceCell::new(),
        }
    }

    /// The snapshot the rules read.
    pub fn snapshot(&self) -> &'s Snapshot {
        self.snapshot
    }

    pub(super) fn reported_cache(
        &self,
    ) -> &std::cell::OnceCell<Vec<super::from_reported::Reported<'s>>> {
        &self.reported
    }

    /// Adds a finding; the rule's steps for the host OS follow its own.
    pub fn push(&mut self, mut finding: Finding) {
        let os = self.snapshot.os_family();
        let mut steps = std::mem::take(&mut finding.specific_steps);
        steps.extend(finding.rule_steps.iter().filter_map(|s| s.text_for(os)));
        finding.remediation = steps;
        self.list.push(finding);
    }

    pub fn into_vec(self) -> Vec<Finding> {
        self.list
    }
}
