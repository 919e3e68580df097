//! lockdownd's root-domain keys and the snapshot field each one fills: the
//! one mapping shared by the live probe (its `GetValue` answers) and the
//! importers of values people paste (`ideviceinfo`, `ideviceinfo -x`,
//! pymobiledevice3, idb), so a key read either way lands in the same field
//! with the same meaning.

use super::LockdownObs;

impl LockdownObs {
    /// Fills the root-domain values: `text` gives a key's value as text,
    /// `flag` as a yes/no; a key it does not give keeps what was there (the
    /// session's answer adds to the pre-session one). `PasswordProtected`
    /// counts only inside a session: before one the phone does not say
    /// whether it is locked.
    pub fn apply_root_values(
        &mut self,
        text: &dyn Fn(&str) -> Option<String>,
        flag: &dyn Fn(&str) -> Option<bool>,
        in_session: bool,
    ) {
        let keep = |key: &str, old: &mut Option<String>| text(key).or(old.take());
        self.product_type = keep("ProductType", &mut self.product_type);
        self.product_version = keep("ProductVersion", &mut self.product_version);
        self.build_version = keep("BuildVersion", &mut self.build_version);
        self.device_class = keep("DeviceClass", &mut self.device_class);
        self.device_name = keep("DeviceName", &mut self.device_name);
        self.activation_state = keep("ActivationState", &mut self.activation_state);
        if in_session {
            self.password_protected = flag("PasswordProtected").or(self.password_protected);
        }
    }
}

/// A yes/no as lockdown values are written: a plist boolean printed as
/// `true`/`false`, NeXTSTEP's `YES`/`NO`, or `1`/`0` (`RequiresEncryption`,
/// idb's descriptions).
pub fn lockdown_flag(s: &str) -> Option<bool> {
    match s {
        "true" | "YES" | "1" => Some(true),
        "false" | "NO" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_answer_adds_to_the_pre_session_one() {
        let mut obs = LockdownObs::default();
        let pre = |k: &str| (k == "ProductType").then(|| "iPhone10,3".to_string());
        obs.apply_root_values(&pre, &|_| Some(true), false);
        assert_eq!(obs.product_type.as_deref(), Some("iPhone10,3"));
        assert_eq!(obs.password_protected, None, "not before a session");
        obs.apply_root_values(&|_| None, &|_| Some(true), true);
        assert_eq!(obs.product_type.as_deref(), Some("iPhone10,3"), "kept");
        assert_eq!(obs.password_protected, Some(true));
        assert_eq!(lockdown_flag("NO"), Some(false));
        assert_eq!(lockdown_flag("maybe"), None);
    }
}
