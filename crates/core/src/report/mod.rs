//! Reports: the diagnosis rendered for people (text) or for programs (JSON).
//! Renderers only render: everything they print is already decided in the
//! snapshot and the diagnosis.

pub mod catalogue;
pub mod chain;
pub mod checklist;
pub mod devices;
pub mod explain;
pub mod html;
pub mod human;
pub mod json;
pub mod markdown;
pub mod names;
pub mod space;
pub mod style;
pub mod timeline;
pub mod view;
pub mod watch;

use serde::Serialize;

use crate::rules::{Diagnosis, Finding, NotChecked, Summary, Suppressed, Verdict};
use crate::snapshot::{MuxConnection, Snapshot, SCHEMA_VERSION};

/// The report's JSON contract (`docs/report.schema.json`). Adding a field
/// keeps `schema_version`; changing a field's meaning bumps it.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub schema_version: u32,
    pub tool: Tool,
    pub verdict: Verdict,
    pub exit_code: u8,
    pub summary: Summary,
    pub devices: Vec<DeviceSummary>,
    pub findings: Vec<RankedFinding<'a>>,
    pub suppressed: &'a [Suppressed],
    /// The layers that matter and did not finish (out of time, Ctrl-C);
    /// not empty with no blocker makes the verdict `incomplete`.
    pub not_checked: &'a [NotChecked],
    /// Findings not listed because the report lists at most
    /// `rules::MAX_FINDINGS` (and `rules::MAX_FINDINGS_PER_PHONE` per
    /// phone); `summary` counts them. Absent when every finding is listed.
    #[serde(skip_serializing_if = "is_zero")]
    pub more_findings: usize,
    pub snapshot: &'a Snapshot,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Which build wrote the report: the binary knows its commit, build date and
/// target (its build script); the core, built once for every binary, does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
    /// Abbreviated git commit; null when built from a tree that did not say.
    pub commit: Option<&'static str>,
    /// UTC day of the build, `YYYY-MM-DD`.
    pub build_date: Option<&'static str>,
    /// The Rust target triple the binary was built for.
    pub target: Option<&'static str>,
}

/// A build that says only its name and version: what the core's own tests
/// render with.
#[cfg(test)]
pub(crate) const TEST_TOOL: Tool = Tool {
    name: "iphone-backup-check",
    version: "0",
    commit: None,
    build_date: None,
    target: None,
};

/// One phone as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceSummary {
    pub udid: String,
    /// The name its owner gave it ("Alice's iPhone"), when lockdownd told it
    /// (masked by `--redact`).
    pub name: Option<String>,
    /// The marketing model ("iPhone 15 Pro"), when the product type is known.
    pub model: Option<String>,
    pub product_type: Option<String>,
    pub ios_version: Option<String>,
    /// usb, network or other.
    pub connection: &'static str,
}

#[derive(Debug, Serialize)]
pub struct RankedFinding<'a> {
    pub rank: usize,
    #[serde(flatten)]
    pub finding: &'a Finding,
    /// The command that prints the rule's full documentation.
    pub docs: String,
}

impl<'a> Report<'a> {
    pub fn new(
        snapshot: &'a Snapshot,
        diagnosis: &'a Diagnosis,
        exit_code: u8,
        tool: Tool,
    ) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            tool,
            verdict: diagnosis.verdict,
            exit_code,
            summary: diagnosis.summary,
            devices: devices(snapshot),
            findings: diagnosis
                .findings
                .iter()
                .enumerate()
                .map(|(i, f)| RankedFinding {
                    rank: i + 1,
                    finding: f,
                    docs: format!("iphone-backup-check explain {}", f.id),
                })
                .collect(),
            suppressed: &diagnosis.suppressed,
            not_checked: &diagnosis.not_checked,
            more_findings: diagnosis.more_findings,
            snapshot,
        }
    }
}

/// The phones usbmuxd listed, with what lockdownd told about them.
pub fn devices(snapshot: &Snapshot) -> Vec<DeviceSummary> {
    let mut out: Vec<DeviceSummary> = Vec::new();
    // By comparable UDID, so thousands of phones are not compared pair by
    // pair (issue 30); the first of a spelling wins, as a search would.
    let mut seen = std::collections::HashSet::new();
    let mut probed = std::collections::HashMap::new();
    for o in &snapshot.probes.devices {
        probed
            .entry(crate::snapshot::udid_key(&o.udid))
            .or_insert(o);
    }
    for d in snapshot.mux_devices() {
        let key = crate::snapshot::udid_key(&d.udid);
        if d.udid.is_empty() || !seen.insert(key.clone()) {
            continue;
        }
        let lockdown = probed.get(&key).and_then(|o| o.lockdown.value());
        let product_type = lockdown.and_then(|l| l.product_type.as_deref());
        out.push(DeviceSummary {
            udid: d.udid.clone(),
            name: lockdown.and_then(|l| l.device_name.clone()),
            model: product_type
                .and_then(crate::knowledge::models::model)
                .map(|m| m.name.to_string()),
            product_type: lockdown.and_then(|l| l.product_type.clone()),
            ios_version: lockdown.and_then(|l| l.product_version.clone()),
            connection: match d.connection {
                MuxConnection::Usb => "usb",
                MuxConnection::Network => "network",
                MuxConnection::Other => "other",
            },
        });
    }
    out
}

impl DeviceSummary {
    /// How a person knows the phone: "Alice's iPhone (iPhone 15 Pro)", else
    /// the model, else "iPhone <UDID>".
    pub fn label(&self) -> String {
        match (&self.name, &self.model) {
            (Some(n), Some(m)) if n != m => format!("{n} ({m})"),
            (Some(n), _) => n.clone(),
            (None, Some(m)) => m.clone(),
            (None, None) => format!("iPhone {}", self.udid),
        }
    }
}
