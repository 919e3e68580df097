//! Rules about a connection that comes and goes.

pub mod unstable;
