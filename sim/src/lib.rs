//! `iphone-sim`: a usbmuxd + iPhone peer speaking the real wire protocols, for
//! iphone-backup-check's end-to-end tests (issue 4).
//!
//! ```no_run
//! use iphone_sim::{Scenario, SimConfig, Simulator};
//! let dir = tempfile::tempdir().unwrap();
//! let sim = Simulator::start(SimConfig {
//!     socket: dir.path().join("usbmuxd"),
//!     tcp_port: None,
//!     scenario: Scenario::by_name("healthy").unwrap(),
//! })
//! .unwrap();
//! // point the client at USBMUXD_SOCKET_ADDRESS=UNIX:<socket> (sim.usbmuxd_socket_address())
//! assert!(sim.writes().is_empty()); // nothing that writes was sent
//! ```
//!
//! Layout: [`usbmux_frame`] (16-byte header framing), [`usbmuxd`] (the daemon),
//! [`lockdown`] (lockdownd), [`services`] (mobilebackup2, diagnostics_relay),
//! [`pair_record`] (certificates, keys, TLS config), [`scenario`], [`audit`], [`state`]
//! (run-time world), [`server`] (start/stop), [`setup`] (broken-socket helpers).
//!
//! Unix only: on other systems the crate is empty.
#![cfg(unix)]

pub mod audit;
pub mod device_stream;
pub mod lockdown;
pub mod pair_record;
pub mod plist_frame;
pub mod scenario;
pub mod server;
pub mod services;
pub mod setup;
pub mod state;
pub mod usbmux_frame;
pub mod usbmuxd;

pub use audit::{AuditEntry, Layer};
pub use scenario::{Scenario, ScenarioError};
pub use server::{default_log_path, SimConfig, SimError, SimHandle, Simulator};
pub use setup::{make_stale_socket, running_as_root, set_socket_mode};
