//! Probes: all the tool's I/O, each returning an outcome.

pub mod usb;
