//! Rules about a connection that comes and goes.

pub mod history;
pub mod unstable;
