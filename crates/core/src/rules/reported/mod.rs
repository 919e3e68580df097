//! Errors other tools reported that no rule of a layer takes as its cause.

pub mod error;
