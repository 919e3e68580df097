//! The pure parts of `watch`: what it knows about each phone and the lines
//! it prints when that changes. The binary crate feeds it events and the
//! time; nothing here waits or reads a clock.

mod event_tracker;
mod listen_message;
pub mod state;

pub use event_tracker::EventTracker;
pub use listen_message::{ListenMessage, UsbNotice};
