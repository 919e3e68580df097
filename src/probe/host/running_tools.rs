//! Which backup and sync programs are running.

use sysinfo::{ProcessRefreshKind, ProcessesToUpdate, System};

use crate::platform::known_tools::known_tool;
use crate::snapshot::RunningTool;

pub fn running_tools() -> Vec<RunningTool> {
    let mut sys = System::new();
    sys.refresh_processes_specifics(ProcessesToUpdate::All, true, ProcessRefreshKind::nothing());
    let mut found: Vec<RunningTool> = sys
        .processes()
        .values()
        .filter_map(|p| {
            let process = p.name().to_string_lossy().to_string();
            let tool = known_tool(&process)?;
            Some(RunningTool {
                process,
                tool: tool.to_string(),
                pid: p.pid().as_u32(),
            })
        })
        .collect();
    found.sort_by(|a, b| a.process.cmp(&b.process).then(a.pid.cmp(&b.pid)));
    found
}
