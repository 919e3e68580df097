use crate::knowledge::host_requirements::host_requirement;
use crate::rules::prelude::*;
use crate::version::{compare_versions, major};

declare_rule! {
    /// ## What it means
    /// The computer's operating system is older than the oldest one Apple
    /// lists as able to sync and back up a phone on this iOS.
    ///
    /// ## Why the backup fails
    /// Finder, iTunes and Apple Devices learn each new iOS through system
    /// updates. On an older system the phone is not recognised, or Finder
    /// and iTunes ask for an update ("the software required to communicate
    /// with iPhone is not installed", "this iPhone requires a newer version
    /// of iTunes").
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// On a Mac, first what the phone itself states: `MinMacOSVersion` in
    /// domain `com.apple.mobile.iTunes`, which lockdownd answers even before
    /// a session
    /// (<https://github.com/libimobiledevice/libimobiledevice/issues/1199>).
    /// Otherwise the host OS version against the phone's ProductVersion and
    /// the table in `knowledge/host_requirements.rs` (the minimum macOS and
    /// Windows per iOS major, from Apple's tech-specs pages), which knows
    /// only the iOS versions it lists.
    ///
    /// ## Known limitations
    /// The table is a floor: a computer above it may still need its latest
    /// updates. Linux has no such table; there the libimobiledevice version
    /// matters and is not checked.
    pub static RULE = {
        id: RuleId::HostOsOutdated,
        title: "This computer's OS is too old for the iPhone's iOS",
        layer: Layer::Host,
        severity: Severity::Blocker,
        steps: &[
            texts::UPDATE_MAC,
            texts::UPDATE_WINDOWS,
            Fix::any("If this computer cannot be updated far enough, back up on a newer computer or to iCloud."),
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
    let Some(host) = s.host() else {
        return;
    };
    let Some(host_version) = host.os.version.as_deref() else {
        return;
    };
    for dev in &s.probes.devices {
        let stated = dev
            .lockdown()
            .and_then(|l| l.host_minimums.as_ref())
            .and_then(|m| m.min_macos.as_deref())
            .filter(|_| host.os.family == OsFamily::Macos);
        if let Some(min) = stated {
            if compare_versions(host_version, min).is_lt() {
                out.push(
                    Finding::new(&RULE)
                        .device(dev.udid.clone())
                        .evidence(format!("this computer runs macOS {host_version}"))
                        .evidence(format!(
                            "the iPhone states it needs macOS {min} or later (MinMacOSVersion, com.apple.mobile.iTunes)"
                        )),
                );
            }
            // The phone's own word beats the table either way.
            continue;
        }
        let Some(ios) = dev
            .lockdown
            .value()
            .and_then(|l| l.product_version.as_deref())
        else {
            continue;
        };
        let Some(req) = major(ios).and_then(host_requirement) else {
            continue;
        };
        let minimum = match host.os.family {
            OsFamily::Macos => req.macos_min,
            OsFamily::Windows => req.windows_min,
            _ => None,
        };
        let Some(minimum) = minimum else {
            continue;
        };
        // Windows reports "10 (19045)": compare the marketing version only.
        let comparable = match host.os.family {
            OsFamily::Windows => host_version
                .split_whitespace()
                .next()
                .unwrap_or(host_version),
            _ => host_version,
        };
        if compare_versions(comparable, minimum).is_lt() {
            out.push(
                Finding::new(&RULE)
                    .device(dev.udid.clone())
                    .evidence(format!(
                        "this computer runs {} {host_version}",
                        host.os.family.label()
                    ))
                    .evidence(format!(
                        "the iPhone runs iOS {ios}, which needs {} {minimum} or later ({})",
                        host.os.family.label(),
                        req.note
                    )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn the_phones_own_minimum_comes_first_even_for_an_ios_the_table_does_not_know() {
        let phone = |min: &str| {
            let min = min.to_string();
            world()
                .os(OsFamily::Macos, "14.6.1")
                .phone()
                .lockdown(move |l| {
                    l.product_version = Some("27.0".into());
                    l.host_minimums = Some(HostMinimums {
                        min_macos: Some(min),
                        min_itunes: None,
                    });
                })
                .build()
        };
        let f = only(&phone("15.4"), &RULE);
        assert!(f.says("MinMacOSVersion"), "{:?}", f.evidence);
        assert!(fired(&phone("13.0"), &RULE).is_empty());
    }

    fn with_phone(w: World, ios: &str) -> Snapshot {
        let mut s = w.mux_ok(vec![usb_phone("A", 1)]).build();
        s.probes.devices.push(DeviceObs {
            udid: "A".into(),
            lockdown: Outcome::Ok {
                duration_ms: 1,
                value: LockdownObs {
                    product_version: Some(ios.into()),
                    ..Default::default()
                },
            },
            ..Default::default()
        });
        s
    }

    #[test]
    fn old_macos_for_ios_18_fires() {
        let s = with_phone(world().os(OsFamily::Macos, "10.12.6"), "18.1");
        let f = only(&s, &RULE);
        assert!(f.says("macOS 10.13"), "{:?}", f.evidence);
        assert_eq!(f.device.as_deref(), Some("A"));
    }

    #[test]
    fn windows_7_for_ios_18_fires_and_10_does_not() {
        assert_eq!(
            fired(
                &with_phone(world().os(OsFamily::Windows, "7 (7601)"), "18.0"),
                &RULE
            )
            .len(),
            1
        );
        assert!(fired(
            &with_phone(world().os(OsFamily::Windows, "10 (19045)"), "18.0"),
            &RULE
        )
        .is_empty());
    }

    #[test]
    fn current_mac_and_linux_are_silent() {
        assert!(fired(
            &with_phone(world().os(OsFamily::Macos, "15.1"), "27.0.1"),
            &RULE
        )
        .is_empty());
        assert!(fired(&with_phone(world(), "27.0.1"), &RULE).is_empty());
    }
}
