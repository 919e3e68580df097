//! Rules about the phone's backup service.

pub mod refused;
