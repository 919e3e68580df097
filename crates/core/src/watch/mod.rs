//! The pure parts of `watch`: what it knows about each phone and what it
//! tells when that changes (typed events; `report::watch` renders them). The
//! binary crate feeds it events and the time; nothing here waits or reads a
//! clock.

mod event;
mod event_tracker;
mod listen_message;
pub mod state;

pub use event::{PhoneSummary, WatchEvent, WatchEventKind, WatchSummary};
pub use event_tracker::EventTracker;
pub use listen_message::{ListenMessage, UsbNotice};
