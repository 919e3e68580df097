//! Platform knowledge as small pure functions of the environment, so the
//! macOS and Windows logic is tested on Linux too.

pub mod backup_dirs;
mod host_env;
pub mod known_tools;
pub mod lockdown_dir;
pub mod mux_address;
pub mod windows;

pub use host_env::HostEnv;
