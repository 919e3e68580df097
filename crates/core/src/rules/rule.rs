//! A rule describes itself: id, title, layer, severity, docs, remediation and
//! the pure check that turns a snapshot into findings.

use serde::Serialize;

use super::{Findings, RuleId};
use crate::remedy::Fix;
use crate::snapshot::{OsFamily, Snapshot};

/// One diagnosis the tool can make. Declared with [`declare_rule!`] so its
/// docs are the doc comment written above it.
pub struct Rule {
    /// Stable `layer.slug` id; scripts key on it, never rename it.
    pub id: RuleId,
    /// The problem stated as a fact, sentence case, no trailing period.
    pub title: &'static str,
    /// Titles a finding carries instead of `title` in named circumstances,
    /// so `rules`, `explain` and `docs/rules.md` show every title a user can
    /// see.
    pub variants: &'static [Title],
    pub layer: Layer,
    /// The severity it has when it fires; a finding may lower it, never raise it.
    pub severity: Severity,
    /// What its findings rest on, for ranking (a finding may say otherwise:
    /// `Finding::basis`). See `docs/ranking.md`.
    pub basis: Basis,
    /// Findings this one makes redundant when both concern the same phone
    /// (or when this one concerns the whole computer).
    pub hides: &'static [RuleId],
    /// Whether it stands behind the errors other tools reported whose cause
    /// it is ([`Findings::reported_for`]). An error whose cause is a rule
    /// without it is shown by `reported.error` instead. Only rules that can
    /// block or warn: an error is never a note.
    pub reads_reported_errors: bool,
    /// Remediation, least destructive first; platform steps are filtered by
    /// the host OS in the snapshot.
    pub steps: &'static [Fix],
    /// The version that introduced the rule.
    pub since: &'static str,
    /// Markdown, from the doc comment.
    pub docs: &'static str,
    /// The file that declares it, relative to the workspace root, so the
    /// catalogue links each rule to its code, docs and tests.
    pub source: &'static str,
    /// Reads the snapshot and reports findings. Pure: no I/O, clock or env.
    pub check: fn(&Snapshot, &mut Findings),
}

impl Rule {
    /// The optional fields' defaults, for [`declare_rule!`]: no variants, no
    /// hides, no steps. The required fields here are never used.
    pub const DEFAULTS: Rule = Rule {
        id: RuleId::ReportedError,
        title: "",
        variants: &[],
        layer: Layer::Host,
        severity: Severity::Info,
        basis: Basis::Evidence,
        hides: &[],
        reads_reported_errors: false,
        steps: &[],
        since: "",
        docs: "",
        source: "",
        check: |_, _| {},
    };

    /// Whether a finding's title is this rule's title or one of its declared
    /// variants.
    pub fn declares_title(&self, title: &str) -> bool {
        title == self.title || self.variants.iter().any(|v| v.matches(title))
    }

    /// The docs with the one leading space rustdoc keeps on each line removed.
    pub fn docs_markdown(&self) -> String {
        self.docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }

    /// The steps that apply on `os`, as text. On an unknown OS every step is
    /// kept, labelled with its platform.
    pub fn steps_for(&self, os: OsFamily) -> Vec<String> {
        self.steps.iter().filter_map(|s| s.text_for(os)).collect()
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("id", &self.id).finish()
    }
}

/// A title a finding may carry instead of its rule's. `{name}` marks a value
/// filled in when the finding is made ([`Title::fill`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Title {
    /// When the finding carries it, e.g. "on Windows".
    pub when: &'static str,
    pub text: &'static str,
}

impl Title {
    /// The text with each `{name}` replaced by its value.
    pub fn fill(&self, values: &[(&str, &str)]) -> String {
        let mut out = self.text.to_string();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// Whether `title` is this text with some value in each placeholder.
    pub fn matches(&self, title: &str) -> bool {
        let mut literals = Vec::new();
        let mut rest = self.text;
        while let Some(open) = rest.find('{') {
            literals.push(&rest[..open]);
            rest = rest[open..]
                .find('}')
                .map_or("", |close| &rest[open + close + 1..]);
        }
        literals.push(rest);
        if literals.len() == 1 {
            return title == self.text;
        }
        let (first, last) = (literals[0], literals[literals.len() - 1]);
        let Some(mut tail) = title.strip_prefix(first) else {
            return false;
        };
        for middle in &literals[1..literals.len() - 1] {
            match tail.find(middle) {
                Some(i) if i > 0 => tail = &tail[i + middle.len()..],
                _ => return false,
            }
        }
        tail.len() > last.len() && tail.ends_with(last)
    }
}

/// The layer between computer and phone a rule is about; also the tie-break
/// order of findings, lowest layer first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    Usb,
    Usbmuxd,
    Connection,
    Trust,
    Device,
    BackupService,
    Host,
    Backup,
    Icloud,
}

impl Layer {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Usb => "usb",
            Self::Usbmuxd => "usbmuxd",
            Self::Connection => "connection",
            Self::Trust => "trust",
            Self::Device => "device",
            Self::BackupService => "backup-service",
            Self::Host => "host",
            Self::Backup => "backup",
            Self::Icloud => "icloud",
        }
    }
}

/// How much a finding stands in the way of a backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; does not stop a backup.
    Info,
    /// May make a backup fail or stall.
    Warning,
    /// A backup cannot succeed until it is fixed.
    Blocker,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Blocker => "blocker",
        }
    }
}

/// What a finding rests on. Among findings of one severity the ranking puts
/// evidence first, then advice, then coverage (`docs/ranking.md`): what this
/// check saw go wrong with this phone, its backups or this computer is a
/// likelier cause of a failing backup than advice that holds for every phone
/// in the same state, and both say more than what the check could not see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// Something seen in this check that stands in the way of this phone's
    /// backup, or that its own backups show went wrong: a refusal, a
    /// missing daemon, a torn or damaged previous backup, the space the
    /// next backup needs, the phone locked right now.
    Evidence,
    /// General advice: true of any phone or computer in this state (an iOS
    /// update exists, iOS asks for the passcode at every backup, backups are
    /// encrypted, iCloud Backup is on, the phone is supervised). Worth
    /// acting on; not a fault seen here.
    Advice,
    /// A limit of this check on this machine (no USB bus in a container):
    /// says what could not be looked at, nothing about the phone.
    Coverage,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Evidence => "evidence",
            Self::Advice => "advice",
            Self::Coverage => "coverage",
        }
    }
}

/// How directly the evidence shows the cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Inferred from indirect signs.
    Possible,
    /// Strongly suggested, not directly seen.
    Likely,
    /// Seen directly.
    Certain,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Possible => "possible",
            Self::Likely => "likely",
            Self::Certain => "certain",
        }
    }
}

/// Declares a rule; the doc comment above it becomes its docs. `variants`,
/// `basis` (evidence), `hides` and `steps` may be left out (none), and
/// `reads_reported_errors` (false).
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $name:ident = {
            id: $id:expr,
            title: $title:expr,
            $(variants: $variants:expr,)?
            layer: $layer:expr,
            severity: $severity:expr,
            $(basis: $basis:expr,)?
            $(hides: $hides:expr,)?
            $(steps: $steps:expr,)?
            $(reads_reported_errors: $reads:expr,)?
            since: $since:expr,
            check $(: $check:expr)? $(,)?
        }
    ) => {
        #[allow(clippy::needless_update)]
        $vis static $name: $crate::rules::Rule = $crate::rules::Rule {
            id: $id,
            title: $title,
            layer: $layer,
            severity: $severity,
            since: $since,
            docs: concat!($($doc, "\n"),*),
            source: file!(),
            check $(: $check)?,
            $(variants: $variants,)?
            $(basis: $basis,)?
            $(hides: $hides,)?
            $(steps: $steps,)?
            $(reads_reported_errors: $reads,)?
            ..$crate::rules::Rule::DEFAULTS
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    const DROPPED: Title = Title {
        when: "the phone left more than once",
        text: "The iPhone dropped off {times} {when}",
    };

    #[test]
    fn a_title_variant_fills_and_matches_its_placeholders() {
        let t = DROPPED.fill(&[("times", "3 times"), ("when", "while watched")]);
        assert_eq!(t, "The iPhone dropped off 3 times while watched");
        assert!(DROPPED.matches(&t));
        assert!(!DROPPED.matches("The iPhone dropped off  "));
        assert!(!DROPPED.matches("The iPad dropped off 3 times while watched"));
        let fixed = Title {
            when: "on Windows",
            text: "Apple Mobile Device Service is not running",
        };
        assert!(fixed.matches(fixed.text) && !fixed.matches("usbmuxd is not running"));
    }
}
