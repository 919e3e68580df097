//! One remediation step and where it applies.

use serde::Serialize;

use super::Platforms;
use crate::snapshot::OsFamily;

/// One thing to do, least destructive first in any list of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub text: &'static str,
    pub platforms: Platforms,
}

impl Fix {
    pub const fn new(platforms: Platforms, text: &'static str) -> Fix {
        Fix { text, platforms }
    }

    /// A step for every computer and the phone alike.
    pub const fn any(text: &'static str) -> Fix {
        Fix::new(Platforms::ALL, text)
    }

    /// The text as a person at a computer running `os` reads it, or None
    /// when it is for another system. On an unknown system the text keeps
    /// its label ("On Windows: ...").
    pub fn text_for(&self, os: OsFamily) -> Option<String> {
        if !self.platforms.applies_on(os) {
            None
        } else if os == OsFamily::Other {
            Some(self.labelled())
        } else {
            Some(self.text.to_string())
        }
    }

    /// The text with its platform label, for docs and `explain`.
    pub fn labelled(&self) -> String {
        format!("{}{}", self.platforms.label(), self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_for_another_system_is_left_out_and_unknown_systems_see_labels() {
        let win = Fix::new(Platforms::WINDOWS, "Restart the service.");
        assert_eq!(win.text_for(OsFamily::Linux), None);
        assert_eq!(
            win.text_for(OsFamily::Windows).as_deref(),
            Some("Restart the service.")
        );
        assert_eq!(
            win.text_for(OsFamily::Other).as_deref(),
            Some("On Windows: Restart the service.")
        );
        assert_eq!(
            Fix::any("Try again.").text_for(OsFamily::Macos).as_deref(),
            Some("Try again.")
        );
    }
}
