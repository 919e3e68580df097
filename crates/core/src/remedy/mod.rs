//! What to do about a cause: one vocabulary for the steps a finding prints
//! and the fixes `explain` lists, so the same cause reads the same in
//! `diagnose`, `explain <rule id>` and `explain <error code>`.
//!
//! A fix is a sentence and the places it applies to (a computer's OS, or the
//! iPhone itself). Texts used by more than one rule or entry live once, in
//! [`texts`].

mod fix;
mod platforms;
pub mod texts;

pub use fix::Fix;
pub use platforms::Platforms;
