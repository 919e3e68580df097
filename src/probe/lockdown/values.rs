//! Turning lockdownd's dictionaries into the snapshot's typed fields. Pure;
//! every value is optional and a value of the wrong type is simply absent.

use plist::{Dictionary, Value};

use crate::snapshot::{
    lockdown_flag, BackupDomain, Battery, DiskUsage, HostMinimums, LockdownObs, Restrictions,
};

/// Root-domain values, through the core's one mapping of lockdown keys to
/// the snapshot (`LockdownObs::apply_root_values`, which the importers of
/// pasted values use too); `PasswordProtected` only counts inside a session.
pub fn apply_root(obs: &mut LockdownObs, d: &Dictionary, in_session: bool) {
    obs.apply_root_values(&|k| string(d, k), &|k| boolean(d, k), in_session);
}

/// Domain `com.apple.mobile.iTunes`: the oldest macOS and iTunes the phone
/// accepts; None when it names neither.
pub fn host_minimums(d: &Dictionary) -> Option<HostMinimums> {
    let m = HostMinimums {
        min_macos: string(d, "MinMacOSVersion"),
        min_itunes: string(d, "MinITunesVersion"),
    };
    (m.min_macos.is_some() || m.min_itunes.is_some()).then_some(m)
}

pub fn backup_domain(d: &Dictionary) -> BackupDomain {
    BackupDomain {
        will_encrypt: boolean(d, "WillEncrypt"),
        requires_encryption: boolean(d, "RequiresEncryption"),
        cloud_backup_enabled: boolean(d, "CloudBackupEnabled"),
        last_itunes_backup_date: date(d, "LastiTunesBackupDate"),
        last_cloud_backup_date: date(d, "LastCloudBackupDate"),
    }
}

pub fn disk_usage(d: &Dictionary) -> DiskUsage {
    DiskUsage {
        total_data_capacity: unsigned(d, "TotalDataCapacity"),
        total_data_available: unsigned(d, "TotalDataAvailable"),
        amount_data_available: unsigned(d, "AmountDataAvailable"),
        total_disk_capacity: unsigned(d, "TotalDiskCapacity"),
    }
}

pub fn battery(d: &Dictionary) -> Battery {
    Battery {
        current_capacity: unsigned(d, "BatteryCurrentCapacity"),
        is_charging: boolean(d, "BatteryIsCharging"),
        external_connected: boolean(d, "ExternalConnected"),
        external_charge_capable: boolean(d, "ExternalChargeCapable"),
    }
}

/// The most other keys of `com.apple.mobile.restriction` kept: the domain is
/// a handful of switches, and a phone sending hundreds is not believed.
const MAX_OTHER_RESTRICTIONS: usize = 32;
/// The longest key name kept.
const MAX_KEY_LEN: usize = 64;

/// Domain `com.apple.mobile.restriction`: the two keys it is known to carry,
/// and any other yes/no key by name (never other values: nothing is known of
/// them, so nothing of them is kept).
pub fn restrictions(d: &Dictionary) -> Restrictions {
    const KNOWN: [&str; 2] = ["ProhibitAppInstall", "ProhibitAppRemove"];
    let other = d
        .keys()
        .filter(|k| !KNOWN.contains(&k.as_str()) && k.len() <= MAX_KEY_LEN)
        .filter(|k| {
            k.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        })
        .filter(|k| {
            matches!(
                d.get(k.as_str()),
                Some(Value::Boolean(_) | Value::Integer(_))
            )
        })
        .filter_map(|k| Some((k.clone(), boolean(d, k)?)))
        .take(MAX_OTHER_RESTRICTIONS)
        .collect();
    Restrictions {
        prohibit_app_install: boolean(d, "ProhibitAppInstall"),
        prohibit_app_remove: boolean(d, "ProhibitAppRemove"),
        other,
    }
}

pub fn string(d: &Dictionary, k: &str) -> Option<String> {
    d.get(k).and_then(Value::as_string).map(str::to_string)
}

/// Booleans as phones send them: true/false, or 0/1 (RequiresEncryption).
pub fn boolean(d: &Dictionary, k: &str) -> Option<bool> {
    match d.get(k)? {
        Value::Boolean(b) => Some(*b),
        Value::Integer(i) => i.as_signed().map(|n| n != 0),
        Value::String(s) => lockdown_flag(s),
        _ => None,
    }
}

pub fn unsigned(d: &Dictionary, k: &str) -> Option<u64> {
    match d.get(k)? {
        Value::Integer(i) => i.as_unsigned(),
        Value::Real(r) if r.is_finite() && *r >= 0.0 => Some(*r as u64),
        _ => None,
    }
}

/// A date as the phone sent it: a plist date in RFC 3339, or seconds since
/// 2001-01-01 (Apple's reference date) converted to RFC 3339.
pub fn date(d: &Dictionary, k: &str) -> Option<String> {
    const APPLE_EPOCH: i64 = 978_307_200;
    let secs = match d.get(k)? {
        Value::Date(date) => return Some(date.to_xml_format()),
        Value::Integer(i) => i.as_signed()?,
        Value::Real(r) if r.is_finite() => *r as i64,
        Value::String(s) => return Some(s.clone()),
        _ => return None,
    };
    let unix = u64::try_from(secs.checked_add(APPLE_EPOCH)?).ok()?;
    let t = std::time::UNIX_EPOCH.checked_add(std::time::Duration::from_secs(unix))?;
    Some(humantime::format_rfc3339_seconds(t).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict(xml: &str) -> Dictionary {
        plist::from_bytes(format!(r#"<plist version="1.0"><dict>{xml}</dict></plist>"#).as_bytes())
            .unwrap()
    }

    // Values as an iOS 15/16 phone sends them, from a published ideviceinfo
    // capture: https://github.com/libimobiledevice/libimobiledevice/issues/1344
    #[test]
    fn backup_domain_as_ios_16_sends_it() {
        let b = backup_domain(&dict(
            "<key>CloudBackupEnabled</key><false/><key>LastiTunesBackupDate</key>\
             <integer>681028961</integer><key>RequiresEncryption</key><integer>0</integer>\
             <key>WillEncrypt</key><true/>",
        ));
        assert_eq!(b.will_encrypt, Some(true));
        assert_eq!(b.requires_encryption, Some(false));
        assert_eq!(b.cloud_backup_enabled, Some(false));
        assert_eq!(
            b.last_itunes_backup_date.as_deref(),
            Some("2022-08-01T06:42:41Z")
        );
        assert_eq!(b.last_cloud_backup_date, None);
    }

    #[test]
    fn wrong_types_are_absent_not_errors() {
        let d = dict(
            "<key>TotalDataAvailable</key><string>lots</string>\
             <key>AmountDataAvailable</key><integer>-5</integer>\
             <key>BatteryCurrentCapacity</key><real>12.0</real>",
        );
        assert_eq!(disk_usage(&d), DiskUsage::default());
        assert_eq!(battery(&d).current_capacity, Some(12));
        assert_eq!(date(&d, "TotalDataAvailable").as_deref(), Some("lots"));
        let huge = dict("<key>D</key><integer>-9223372036854775808</integer>");
        assert_eq!(date(&huge, "D"), None);
    }

    // The keys as the reverse-engineered MobileDevice headers name them
    // (https://github.com/samdmarshall/SDMMobileDevice, SDMMD_Keys.h); no
    // public capture of a whole answer exists.
    #[test]
    fn restriction_domain_keeps_switches_only() {
        let r = restrictions(&dict(
            "<key>ProhibitAppInstall</key><true/><key>ProhibitAppRemove</key><false/>\
             <key>SomethingNew</key><integer>1</integer><key>Name</key><string>x</string>\
             <key>bad key!</key><true/>",
        ));
        assert_eq!(r.prohibit_app_install, Some(true));
        assert_eq!(r.prohibit_app_remove, Some(false));
        assert_eq!(r.other.len(), 1, "{:?}", r.other);
        assert_eq!(r.other.get("SomethingNew"), Some(&true));
        assert_eq!(r.on(), ["ProhibitAppInstall", "SomethingNew"]);
        assert_eq!(restrictions(&Dictionary::new()), Restrictions::default());
    }

    #[test]
    fn password_protected_only_in_session() {
        let d = dict(
            "<key>PasswordProtected</key><true/><key>ProductType</key><string>iPhone10,3</string>",
        );
        let mut obs = LockdownObs::default();
        apply_root(&mut obs, &d, false);
        assert_eq!(obs.password_protected, None);
        assert_eq!(obs.product_type.as_deref(), Some("iPhone10,3"));
        apply_root(&mut obs, &Dictionary::new(), true);
        assert_eq!(obs.product_type.as_deref(), Some("iPhone10,3"), "kept");
        apply_root(&mut obs, &d, true);
        assert_eq!(obs.password_protected, Some(true));
    }
}
