//! Rules about this computer: OS, backup folder, disk, other tools.

pub mod backup_dir_unusable;
pub mod backup_dir_volatile;
pub mod backup_in_progress;
pub mod backup_need;
pub mod descriptor_limit;
pub mod disk_space;
pub mod lockdown_dir_unusable;
pub mod os_outdated;
pub mod usable_space;
