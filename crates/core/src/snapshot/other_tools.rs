//! What other tools said, read from their output by an importer: errors in
//! their own words and codes, each with the line it came from, so a finding
//! can quote it and a person can find it again in their file.

use serde::{Deserialize, Serialize};

/// One line of a file given to `--from`, as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The file's name as the user gave it (`standard input` for a paste).
    pub file: String,
    /// 1-based line number in that file.
    pub line: u64,
    /// The line, cut to a length a report can show.
    pub text: String,
}

impl Quote {
    /// `usbmuxd.log:14: <the line>`, the form evidence lines use.
    pub fn cite(&self) -> String {
        format!("{}:{}: {}", self.file, self.line, self.text)
    }
}

/// An error another tool reported: who said it, its code in that tool's
/// numbering, and its message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedError {
    /// The tool that printed it: `idevicebackup2`, `usbmuxd`, `pymobiledevice3`,
    /// `Finder`...
    pub tool: String,
    /// The numbering the code belongs to, as `knowledge::Domain::name` spells
    /// it (`mberrordomain`, `lockdownd`, `mobilebackup2`...); absent when the
    /// tool gave a message only.
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub code: Option<i64>,
    /// The message as printed (what the knowledge base matches phrases in).
    pub message: String,
    pub quote: Quote,
    /// The UDID the line names, when it names one ("on the screen of device
    /// <UDID>"): under this field name `--redact` masks it in the quote too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub udid: Option<String>,
    /// A later line of the same capture where the same tool went on to
    /// succeed ("SUCCESS: Paired with device"): the error is history, not
    /// the state the capture ends in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overcome: Option<Quote>,
}
