//! What `explain` knows: error codes and messages people paste from Finder,
//! iTunes, the Apple Devices app, libimobiledevice and pymobiledevice3, what
//! they mean, the rule ids that cover their causes, and the fixes per platform.
//!
//! ```
//! use iphone_backup_core::knowledge::lookup;
//! let found = lookup("MBErrorDomain error 208");
//! assert_eq!(found.best().unwrap().entry.key, "mb-208-device-locked");
//! ```

pub mod entries;
pub mod entry;
pub mod explain_reported;
pub mod host_requirements;
pub mod lookup;
pub mod models;
pub mod seeds;

pub use entries::all;
pub use entry::{Causes, Code, Domain, Entry, Fix, Platforms};
pub use explain_reported::{explain_reported, Explained};
pub use lookup::{lookup, normalize, Lookup, Match, Reason};
pub use seeds::SEED_CAUSES;

/// The entry with this key.
pub fn by_key(key: &str) -> Option<&'static Entry> {
    all().iter().find(|e| e.key == key)
}

#[cfg(test)]
mod tests;
