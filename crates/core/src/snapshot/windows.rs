//! What Windows itself says about the Apple pieces a backup needs: Apple
//! Mobile Device Service from the Service Control Manager, and the Apple
//! software installed. Recorded only on Windows (`probes.windows`).

use serde::{Deserialize, Serialize};

/// What Windows itself says about the Apple pieces a backup needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowsHostObs {
    /// Apple Mobile Device Service (usbmuxd on Windows), from the Service
    /// Control Manager.
    pub mobile_device_service: ServiceObs,
    /// iTunes, the Apple Devices app and Apple Mobile Device Support, from
    /// the installers' uninstall entries and the user's Store packages.
    #[serde(default)]
    pub apple_software: Vec<AppleSoftware>,
    /// Why the installed software could not be listed (registry errors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_error: Option<String>,
}

/// One Windows service as the Service Control Manager reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceObs {
    pub name: String,
    pub state: ServiceState,
    /// None when not installed, or when the configuration could not be read.
    #[serde(default)]
    pub start_type: Option<ServiceStartType>,
    /// Why the SCM could not be asked (access denied, ...), verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ServiceObs {
    /// For people: "not installed", "running", "stopped, disabled",
    /// "stopped, starts manually", ...
    pub fn describe(&self) -> String {
        let state = match self.state {
            ServiceState::NotInstalled => return "not installed".into(),
            ServiceState::Unknown => {
                return match &self.error {
                    Some(e) => format!("state unknown ({e})"),
                    None => "state unknown".into(),
                }
            }
            ServiceState::Stopped => "stopped",
            ServiceState::StartPending => "starting",
            ServiceState::StopPending => "stopping",
            ServiceState::Running => "running",
            ServiceState::ContinuePending => "resuming",
            ServiceState::PausePending => "pausing",
            ServiceState::Paused => "paused",
        };
        match self.start_type {
            Some(ServiceStartType::Disabled) => format!("{state}, disabled"),
            Some(ServiceStartType::Manual) if self.state != ServiceState::Running => {
                format!("{state}, starts manually")
            }
            _ => state.to_string(),
        }
    }

    /// Installed, not running and set so that it never starts.
    pub fn is_disabled(&self) -> bool {
        self.start_type == Some(ServiceStartType::Disabled)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceState {
    /// The SCM has no service of that name.
    NotInstalled,
    Stopped,
    StartPending,
    StopPending,
    Running,
    ContinuePending,
    PausePending,
    Paused,
    /// The SCM could not be asked, or answered a state not listed here.
    #[default]
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceStartType {
    Boot,
    System,
    Automatic,
    Manual,
    Disabled,
}

/// An Apple program that talks to iPhones, as installed on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppleSoftware {
    pub product: AppleProduct,
    pub source: AppSource,
    /// As the installer or package states it (Store packages carry their
    /// package version, e.g. "12131.4.46001.0").
    #[serde(default)]
    pub version: Option<String>,
}

impl AppleSoftware {
    pub fn describe(&self) -> String {
        let mut s = self.product.label().to_string();
        if let Some(v) = &self.version {
            s.push(' ');
            s.push_str(v);
        }
        if self.source == AppSource::MicrosoftStore {
            s.push_str(" (Microsoft Store)");
        }
        s
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppleProduct {
    Itunes,
    AppleDevices,
    /// The driver package with Apple Mobile Device Service in it (iTunes
    /// from Apple's site installs it beside iTunes).
    MobileDeviceSupport,
}

impl AppleProduct {
    pub fn label(self) -> &'static str {
        match self {
            Self::Itunes => "iTunes",
            Self::AppleDevices => "Apple Devices",
            Self::MobileDeviceSupport => "Apple Mobile Device Support",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppSource {
    /// Apple's own installer (an uninstall entry).
    AppleInstaller,
    MicrosoftStore,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(state: ServiceState, start: Option<ServiceStartType>) -> ServiceObs {
        ServiceObs {
            name: "Apple Mobile Device Service".into(),
            state,
            start_type: start,
            error: None,
        }
    }

    #[test]
    fn service_states_read_as_people_say_them() {
        assert_eq!(
            svc(ServiceState::NotInstalled, None).describe(),
            "not installed"
        );
        assert_eq!(
            svc(ServiceState::Stopped, Some(ServiceStartType::Disabled)).describe(),
            "stopped, disabled"
        );
        assert_eq!(
            svc(ServiceState::Stopped, Some(ServiceStartType::Manual)).describe(),
            "stopped, starts manually"
        );
        assert_eq!(
            svc(ServiceState::Running, Some(ServiceStartType::Automatic)).describe(),
            "running"
        );
        let mut denied = svc(ServiceState::Unknown, None);
        denied.error = Some("Access is denied. (os error 5)".into());
        assert_eq!(
            denied.describe(),
            "state unknown (Access is denied. (os error 5))"
        );
        assert!(svc(ServiceState::Stopped, Some(ServiceStartType::Disabled)).is_disabled());
    }

    #[test]
    fn snapshots_without_windows_facts_load_and_stay_without() {
        let s = crate::snapshot::Snapshot::new(Default::default());
        let json = serde_json::to_value(&s).unwrap();
        assert!(json["probes"].get("windows").is_none(), "{json}");
        let back: crate::snapshot::Snapshot = serde_json::from_value(json).unwrap();
        assert!(back.windows().is_none());
    }

    #[test]
    fn windows_facts_round_trip() {
        let obs = WindowsHostObs {
            mobile_device_service: svc(ServiceState::Stopped, Some(ServiceStartType::Disabled)),
            apple_software: vec![AppleSoftware {
                product: AppleProduct::AppleDevices,
                source: AppSource::MicrosoftStore,
                version: Some("1.2405.9.0".into()),
            }],
            software_error: None,
        };
        let json = serde_json::to_value(&obs).unwrap();
        assert_eq!(json["mobile_device_service"]["state"], "stopped");
        assert_eq!(json["mobile_device_service"]["start_type"], "disabled");
        assert_eq!(json["apple_software"][0]["product"], "apple-devices");
        assert_eq!(json["apple_software"][0]["source"], "microsoft-store");
        let back: WindowsHostObs = serde_json::from_value(json).unwrap();
        assert_eq!(back, obs);
        assert_eq!(
            back.apple_software[0].describe(),
            "Apple Devices 1.2405.9.0 (Microsoft Store)"
        );
    }
}
