//! Rule ids that no longer fire, and what replaced them. Scripts key on ids,
//! so an id never vanishes silently: renaming or retiring one adds a row here
//! (as clippy's `deprecated_lints.rs` does), `explain <old id>` says what
//! became of it, and `tests/catalogue.rs` checks `docs/rule-ids.txt`, the
//! list of every id ever published, against `RULES` and this table.

/// One id that was published and is no longer a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retired {
    pub id: &'static str,
    /// The rule that now reports the same cause, if any.
    pub replaced_by: Option<&'static str>,
    /// The version in which it stopped firing.
    pub since: &'static str,
    pub why: &'static str,
}

/// Empty so far: every id published since 0.1.0 is still a rule.
pub static RETIRED: &[Retired] = &[];

/// The row for a retired id.
pub fn retired(id: &str) -> Option<&'static Retired> {
    RETIRED.iter().find(|r| r.id == id)
}
