//! A rule describes itself: id, title, layer, severity, docs, remediation and
//! the pure check that turns a snapshot into findings.

use serde::Serialize;

use super::Findings;
use crate::snapshot::{OsFamily, Snapshot};

/// One diagnosis the tool can make. Declared with [`declare_rule!`] so its
/// docs are the doc comment written above it.
pub struct Rule {
    /// Stable `layer.slug` id; scripts key on it, never rename it.
    pub id: &'static str,
    /// The problem stated as a fact, sentence case, no trailing period.
    pub title: &'static str,
    pub layer: Layer,
    /// The severity it has when it fires; a finding may lower it, never raise it.
    pub severity: Severity,
    /// Findings this one makes redundant when both concern the same phone
    /// (or when this one concerns the whole computer).
    pub hides: &'static [&'static str],
    /// Remediation, least destructive first; platform steps are filtered by
    /// the host OS in the snapshot.
    pub steps: &'static [Step],
    /// The version that introduced the rule.
    pub since: &'static str,
    /// Markdown, from the doc comment.
    pub docs: &'static str,
    /// Reads the snapshot and reports findings. Pure: no I/O, clock or env.
    pub check: fn(&Snapshot, &mut Findings),
}

impl Rule {
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

/// A set of host platforms a remediation step applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Platforms(u8);

impl Platforms {
    pub const MACOS: Self = Self(1);
    pub const WINDOWS: Self = Self(2);
    pub const LINUX: Self = Self(4);
    pub const ANY: Self = Self(7);

    pub const fn or(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    pub fn contains(self, os: OsFamily) -> bool {
        match os {
            OsFamily::Macos => self.0 & 1 != 0,
            OsFamily::Windows => self.0 & 2 != 0,
            OsFamily::Linux => self.0 & 4 != 0,
            OsFamily::Other => true,
        }
    }

    /// "On macOS: " style label for docs and for unknown hosts; empty for ANY.
    pub fn label(self) -> String {
        if self == Self::ANY {
            return String::new();
        }
        let names: Vec<&str> = [(1, "macOS"), (2, "Windows"), (4, "Linux")]
            .iter()
            .filter(|(bit, _)| self.0 & bit != 0)
            .map(|(_, n)| *n)
            .collect();
        format!("On {}: ", names.join(" or "))
    }
}

/// One remediation step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub text: &'static str,
    pub on: Platforms,
}

impl Step {
    pub fn text_for(&self, os: OsFamily) -> Option<String> {
        if !self.on.contains(os) {
            None
        } else if os == OsFamily::Other {
            Some(format!("{}{}", self.on.label(), self.text))
        } else {
            Some(self.text.to_string())
        }
    }
}

/// A step for every platform.
pub const fn step(text: &'static str) -> Step {
    Step {
        text,
        on: Platforms::ANY,
    }
}

/// A step for some platforms only.
pub const fn step_on(on: Platforms, text: &'static str) -> Step {
    Step { text, on }
}

/// Declares a rule; the doc comment above it becomes its docs.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $name:ident = {
            $($field:ident $(: $value:expr)?),* $(,)?
        }
    ) => {
        $vis static $name: $crate::rules::Rule = $crate::rules::Rule {
            docs: concat!($($doc, "\n"),*),
            $($field $(: $value)?),*
        };
    };
}
