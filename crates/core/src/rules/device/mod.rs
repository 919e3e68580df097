//! Rules about the phone itself: lock, storage, battery, iOS, restrictions.

pub mod battery_low;
pub mod ios_outdated;
pub mod lockdown_unreachable;
pub mod locked;
pub mod passcode_prompt;
pub mod restricted;
pub mod setup_incomplete;
pub mod storage_full;
