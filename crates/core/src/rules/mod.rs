//! Rules: pure functions from a snapshot to findings.
//!
//! Each rule lives in its own file under its layer's folder, with its docs
//! (the doc comment), remediation steps and tests beside its check. `RULES`
//! is the one registry; `tests/catalogue.rs` fails when a rule file is not
//! in it, and `docs/rules.md` is generated from it.

pub mod backup;
pub mod backup_service;
pub mod connection;
pub mod device;
mod diagnosis;
mod finding;
pub mod from_reported;
pub mod hides;
pub mod host;
pub mod icloud;
pub mod ids;
mod rank;
pub mod reported;
mod retired;
mod rule;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod testing_backups;
#[cfg(test)]
pub(crate) mod testing_device;
#[cfg(test)]
mod testing_usb;
pub mod trust;
mod unfinished;
pub mod usb;
pub mod usbmuxd;

pub use diagnosis::{diagnose, Diagnosis, Summary, Verdict, MAX_FINDINGS, MAX_FINDINGS_PER_PHONE};
pub use finding::{Evidence, Finding, Findings};
pub use ids::RuleId;
pub use rank::{rank, Suppressed};
pub use retired::{retired, Retired, RETIRED};
pub use rule::{Basis, Confidence, Layer, Rule, Severity, Title};
pub use unfinished::{not_checked, NotChecked};

use crate::snapshot::Snapshot;

/// What rule files import.
pub(crate) mod prelude {
    pub use super::{hides, Basis, Confidence, Finding, Findings, Layer, RuleId, Severity, Title};
    pub use crate::declare_rule;
    pub use crate::format as fmt;
    pub use crate::remedy::{texts, Fix, Platforms};
    pub use crate::snapshot::*;
}

/// Every rule, sorted by id.
pub static RULES: &[&Rule] = &[
    &backup_service::refused::RULE,
    &backup::agent_failed::RULE,
    &backup::corrupt::RULE,
    &backup::encrypted::RULE,
    &backup::encryption_required::RULE,
    &backup::password_rejected::RULE,
    &backup::stalled::RULE,
    &backup::unfinished::RULE,
    &backup::very_large::RULE,
    &connection::slow_replies::RULE,
    &connection::unstable::RULE,
    &device::battery_low::RULE,
    &device::ios_outdated::RULE,
    &device::lockdown_unreachable::RULE,
    &device::locked::RULE,
    &device::passcode_prompt::RULE,
    &device::restricted::RULE,
    &device::setup_incomplete::RULE,
    &device::storage_full::RULE,
    &host::backup_dir_unusable::RULE,
    &host::backup_dir_volatile::RULE,
    &host::backup_in_progress::RULE,
    &host::descriptor_limit::RULE,
    &host::disk_space::RULE,
    &host::lockdown_dir_unusable::RULE,
    &host::os_outdated::RULE,
    &icloud::backup_enabled::RULE,
    &icloud::backup_stale::RULE,
    &reported::error::RULE,
    &trust::denied::RULE,
    &trust::dialog_pending::RULE,
    &trust::not_paired::RULE,
    &trust::reset_on_device::RULE,
    &trust::session_failed::RULE,
    &usb::access_denied::RULE,
    &usb::dfu_mode::RULE,
    &usb::hub::RULE,
    &usb::no_device::RULE,
    &usb::recovery_mode::RULE,
    &usb::slow_link::RULE,
    &usb::unavailable::RULE,
    &usbmuxd::access_denied::RULE,
    &usbmuxd::device_not_listed::RULE,
    &usbmuxd::not_running::RULE,
    &usbmuxd::protocol_error::RULE,
    &usbmuxd::stale_socket::RULE,
    &usbmuxd::unresponsive::RULE,
    &usbmuxd::wifi_only::RULE,
];

/// Looks a rule up by the text of its stable id (what a user types).
pub fn by_id(id: &str) -> Option<&'static Rule> {
    RuleId::parse(id).map(RuleId::rule)
}

/// Runs every rule over the snapshot, unranked.
pub fn evaluate(snapshot: &Snapshot) -> Vec<Finding> {
    let mut out = Findings::new(snapshot);
    for rule in RULES {
        (rule.check)(snapshot, &mut out);
    }
    out.into_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_and_unique() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }

    #[test]
    fn every_rule_has_docs_with_the_required_headings() {
        for r in RULES {
            let docs = r.docs_markdown();
            for heading in [
                "## What it means",
                "## Why the backup fails",
                "## Evidence used",
            ] {
                assert!(docs.contains(heading), "{} lacks {heading}", r.id);
            }
            assert!(!r.title.ends_with('.'), "{} title ends with a period", r.id);
            // Sentence case; Apple's own names ("iCloud", "iPhone", "usbmuxd") keep theirs.
            let first_word = r.title.split(' ').next().unwrap_or("");
            let sentence_case = first_word.chars().next().is_some_and(char::is_uppercase)
                || ["iCloud", "iPhone", "usbmuxd"].contains(&first_word);
            assert!(sentence_case, "{} title is not sentence case", r.id);
        }
    }

    #[test]
    fn hides_names_registered_ids() {
        for r in RULES {
            for h in r.hides {
                assert!(
                    RULES.iter().any(|x| x.id == *h),
                    "{} hides unknown id {h}",
                    r.id
                );
            }
        }
    }
}
