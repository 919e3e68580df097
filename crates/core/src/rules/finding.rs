//! A finding: one rule firing for one phone (or for the whole computer), with
//! what it saw and what fixes it.

use serde::{Serialize, Serializer};

use super::{Basis, Confidence, Layer, Rule, RuleId, Severity, Title};
use crate::remedy::Fix;
use crate::snapshot::{Quote, Snapshot};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: RuleId,
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
    /// What it rests on, in order. The JSON report prints each as its
    /// text, then the line it quotes (`file:line: text`).
    #[serde(serialize_with = "evidence_lines")]
    pub evidence: Vec<Evidence>,
    pub remediation: Vec<String>,
    #[serde(skip)]
    pub hides: &'static [RuleId],
    /// Steps specific to this finding, shown before the rule's own.
    #[serde(skip)]
    specific_steps: Vec<String>,
    /// Steps specific to this finding that delete or reset something,
    /// shown after the rule's own, safer ones.
    #[serde(skip)]
    last_resort_steps: Vec<String>,
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
            last_resort_steps: Vec::new(),
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
        self.evidence.push(Evidence {
            text: line.into(),
            quote: None,
        });
        self
    }

    /// The line of an imported file the evidence was read from
    /// (`info.txt:3: ActivationState: Unactivated`); nothing when it was
    /// probed live. It belongs to the evidence added just before, unless
    /// that one already quotes a line.
    pub fn quoting(mut self, quote: Option<&Quote>) -> Self {
        let Some(q) = quote else { return self };
        match self.evidence.last_mut() {
            Some(last) if last.quote.is_none() => last.quote = Some(q.clone()),
            _ => self.evidence.push(Evidence {
                text: String::new(),
                quote: Some(q.clone()),
            }),
        }
        self
    }

    /// A line of an imported file that is evidence by itself (an error
    /// another tool printed), quoted as it stands.
    pub fn quoted(mut self, quote: &Quote) -> Self {
        self.evidence.push(Evidence {
            text: String::new(),
            quote: Some(quote.clone()),
        });
        self
    }

    /// Every evidence line as a report prints it, in order.
    pub fn evidence_lines(&self) -> Vec<String> {
        self.evidence.iter().flat_map(Evidence::lines).collect()
    }

    /// Whether any evidence (its text or the line it quotes) contains
    /// `needle`: what a test asks, whatever the order of the evidence.
    pub fn says(&self, needle: &str) -> bool {
        self.evidence
            .iter()
            .any(|e| e.lines().any(|l| l.contains(needle)))
    }

    /// Whether some evidence's text is exactly `text`.
    pub fn states(&self, text: &str) -> bool {
        self.evidence.iter().any(|e| e.text == text)
    }

    /// The lines of imported files this finding quotes.
    pub fn quotes(&self) -> impl Iterator<Item = &Quote> {
        self.evidence.iter().filter_map(|e| e.quote.as_ref())
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

    /// A step specific to what was seen that deletes or resets something:
    /// shown after every safer step, so a person tries those first.
    pub fn last_resort_step(mut self, text: impl Into<String>) -> Self {
        self.last_resort_steps.push(text.into());
        self
    }
}

/// One thing a finding rests on: what was seen, and the line of an
/// imported file it was read from (none when it was probed live).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// Empty when the quoted line says it all.
    pub text: String,
    pub quote: Option<Quote>,
}

impl Evidence {
    /// The text (when there is one), then the quoted line.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        let text = (!self.text.is_empty()).then(|| self.text.clone());
        text.into_iter().chain(self.quote.iter().map(Quote::cite))
    }
}

fn evidence_lines<S: Serializer>(evidence: &[Evidence], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(evidence.iter().flat_map(Evidence::lines))
}

/// A finding keeps at most this many pieces of evidence, the last saying
/// how many more there were (issue 30: a report of bounded size).
pub const MAX_EVIDENCE: usize = 20;

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
        // A person reads a few lines of evidence; a rule that lists what it
        // saw of thousands of events or files says how many more there were.
        if finding.evidence.len() > MAX_EVIDENCE {
            let more = finding.evidence.len() - (MAX_EVIDENCE - 1);
            finding.evidence.truncate(MAX_EVIDENCE - 1);
            finding.evidence.push(Evidence {
                text: format!("and {more} more lines of evidence"),
                quote: None,
            });
        }
        let os = self.snapshot.os_family();
        let mut steps = std::mem::take(&mut finding.specific_steps);
        steps.extend(finding.rule_steps.iter().filter_map(|s| s.text_for(os)));
        steps.append(&mut finding.last_resort_steps);
        finding.remediation = steps;
        self.list.push(finding);
    }

    pub fn into_vec(self) -> Vec<Finding> {
        self.list
    }
}
