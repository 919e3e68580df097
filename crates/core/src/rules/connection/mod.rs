//! Rules about the link to the phone: one that comes and goes, or crawls.

mod drops;
pub mod slow_replies;
pub mod unstable;
