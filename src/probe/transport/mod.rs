//! The transport leaf: what every conversation with the phone needs and
//! nothing about any one service. Reaching usbmuxd and asking it one thing
//! ([`MuxClient`], its frame), tunnelling to a port on the phone
//! ([`port::connect_port`], [`port::open_service`]), lockdownd's plist
//! framing ([`PlistStream`]), TLS with the pair record ([`tls`],
//! [`PairSecrets`]), and the time all of it may take ([`Deadline`],
//! [`Budget`]).
//!
//! It imports nothing else from `probe`: lockdown, the backup service, the
//! log relay, pairing and usbmuxd build on it, and only the device
//! orchestrator (`probe::device`) puts them in order.

pub mod budget;
pub mod deadline;
pub mod mux_client;
pub mod pair_secrets;
pub mod plist_stream;
pub mod port;
pub mod read_full;
pub mod tls;
pub mod usbmux_frame;

pub use budget::{per_request, Budget};
pub use deadline::{io_failure, Deadline};
pub use mux_client::MuxClient;
pub use pair_secrets::PairSecrets;
pub use plist_stream::{DeviceStream, PlistStream};
pub use port::{connect_port, open_service, ServiceTicket, LOCKDOWN_PORT};

/// How this tool names itself to lockdownd and in the TLS session.
pub const LABEL: &str = "iphone-backup-check";
