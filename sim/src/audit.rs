//! The audit log: every request the simulator receives, in order.
//!
//! Tests use it to prove that a diagnosis sent nothing that writes (`Pair`, `SetValue`,
//! `SavePairRecord`, a backup start, ...). The same entries are appended as JSON lines to
//! the log file.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use serde::{Deserialize, Serialize};

/// Which protocol layer received the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// The usbmuxd socket (`ListDevices`, `Connect`, `ReadPairRecord`, ...).
    Usbmuxd,
    /// lockdownd on port 62078 (`QueryType`, `GetValue`, `StartSession`, ...).
    Lockdownd,
    /// A service started through lockdownd (mobilebackup2, diagnostics_relay).
    Service,
}

/// One received request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the log, from 0.
    pub seq: u64,
    /// Milliseconds since the simulator started.
    pub elapsed_ms: u64,
    pub layer: Layer,
    /// The request name: `ListDevices`, `GetValue`, `Pair`, `Hello`, ... Malformed input is
    /// logged with a name in angle brackets (`<binary-plist>`, `<oversized-header>`).
    pub request: String,
    /// UDID of the device the request went to, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Extra facts (service name, port, outcome). Never secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// True for requests that would change the phone or the host (see [`is_write`]).
    pub write: bool,
}

impl AuditEntry {
    /// A new entry; `seq` and `elapsed_ms` are filled in by [`Audit::record`].
    pub fn new(layer: Layer, request: impl Into<String>) -> AuditEntry {
        let request = request.into();
        AuditEntry {
            seq: 0,
            elapsed_ms: 0,
            write: is_write(layer, &request),
            layer,
            request,
            device: None,
            key: None,
            domain: None,
            detail: None,
        }
    }
    pub fn device(mut self, udid: Option<&str>) -> Self {
        self.device = udid.map(str::to_string);
        self
    }
    pub fn key(mut self, key: Option<&str>) -> Self {
        self.key = key.map(str::to_string);
        self
    }
    pub fn domain(mut self, domain: Option<&str>) -> Self {
        self.domain = domain.map(str::to_string);
        self
    }
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// Requests that change state on the phone or the host, which a diagnosis must never send.
pub fn is_write(layer: Layer, request: &str) -> bool {
    match layer {
        Layer::Usbmuxd => matches!(request, "SavePairRecord" | "DeletePairRecord"),
        Layer::Lockdownd => matches!(
            request,
            "Pair"
                | "Unpair"
                | "SetValue"
                | "RemoveValue"
                | "EnterRecovery"
                | "Activate"
                | "Deactivate"
        ),
        Layer::Service => matches!(
            request,
            "Backup"
                | "Restore"
                | "ChangePassword"
                | "EraseDevice"
                | "Restart"
                | "Shutdown"
                | "Sleep"
        ),
    }
}

/// The in-memory log plus its JSON-lines file.
#[derive(Debug)]
pub struct Audit {
    start: Instant,
    entries: Mutex<Vec<AuditEntry>>,
    file: Mutex<Option<std::fs::File>>,
    path: PathBuf,
}

impl Audit {
    /// Creates (truncates) the log file at `path`. If the file cannot be created the log is
    /// kept in memory only.
    pub fn new(path: &Path) -> Audit {
        let file = std::fs::File::create(path).ok();
        Audit {
            start: Instant::now(),
            entries: Mutex::new(Vec::new()),
            file: Mutex::new(file),
            path: path.to_path_buf(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn record(&self, mut entry: AuditEntry) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entry.seq = entries.len() as u64;
        entry.elapsed_ms = self.start.elapsed().as_millis() as u64;
        if let Ok(mut line) = serde_json::to_string(&entry) {
            line.push('\n');
            let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(f) = file.as_mut() {
                let _ = f.write_all(line.as_bytes());
                let _ = f.flush();
            }
        }
        entries.push(entry);
    }

    pub fn entries(&self) -> Vec<AuditEntry> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
