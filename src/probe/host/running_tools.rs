//! Which backup and sync programs are running, and which account usbmuxd
//! runs as.

use sysinfo::{ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind};

use crate::platform::known_tools::{is_backing_up, known_by_command, known_tool};
use crate::snapshot::RunningTool;

pub struct Processes {
    pub tools: Vec<RunningTool>,
    /// The user id of a running `usbmuxd`, where the OS says (Linux).
    pub usbmuxd_uid: Option<u32>,
}

pub fn scan() -> Processes {
    let mut sys = System::new();
    sys.refresh_processes_specifics(
        ProcessesToUpdate::All,
        true,
        // Command lines, for tools that run in an interpreter
        // (pymobiledevice3 in Python); they are matched, never kept.
        ProcessRefreshKind::nothing()
            .with_user(UpdateKind::OnlyIfNotSet)
            .with_cmd(UpdateKind::OnlyIfNotSet),
    );
    let usbmuxd_uid = sys
        .processes()
        .values()
        .find(|p| p.name() == "usbmuxd")
        .and_then(|p| p.user_id())
        .and_then(|u| u.to_string().parse().ok());
    let mut found: Vec<RunningTool> = sys
        .processes()
        .values()
        .filter_map(|p| {
            let process = p.name().to_string_lossy().to_string();
            let args: Vec<String> = p
                .cmd()
                .iter()
                .map(|a| a.to_string_lossy().to_string())
                .collect();
            let (tool, backing_up) = match known_by_command(&process, &args) {
                Some(known) => known,
                None => {
                    let tool = known_tool(&process)?;
                    (tool, is_backing_up(&process))
                }
            };
            Some(RunningTool {
                process,
                tool: tool.to_string(),
                pid: p.pid().as_u32(),
                backing_up,
            })
        })
        .collect();
    found.sort_by(|a, b| a.process.cmp(&b.process).then(a.pid.cmp(&b.pid)));
    Processes {
        tools: found,
        usbmuxd_uid,
    }
}
