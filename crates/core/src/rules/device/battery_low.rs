use crate::rules::prelude::*;

/// Percent at or below which a backup is at risk when not charging.
const LOW_PERCENT: u64 = 20;

declare_rule! {
    /// ## What it means
    /// The phone's battery is low and it is not charging from this port
    /// (`BatteryIsCharging` false, or no external power).
    ///
    /// ## Why the backup fails
    /// A first backup can take hours. A phone that runs down, or enters Low
    /// Power Mode, pauses or drops the transfer; a port that cannot charge
    /// it also often supplies too little power for a stable link.
    ///
    /// ## Evidence used
    /// `com.apple.mobile.battery`: BatteryCurrentCapacity,
    /// BatteryIsCharging, ExternalConnected, ExternalChargeCapable.
    pub static RULE = {
        id: RuleId::DeviceBatteryLow,
        title: "The iPhone's battery is low and not charging",
        layer: Layer::Device,
        severity: Severity::Warning,
        steps: &[
            texts::CHARGE,
            Fix::any("Check that the battery icon shows the charging bolt before starting the backup."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    for (d, l) in s.answered_phones() {
        let Some(b) = l.battery.as_ref() else {
            continue;
        };
        let Some(level) = b.current_capacity else {
            continue;
        };
        let charging = b.is_charging == Some(true);
        if level > LOW_PERCENT || charging {
            continue;
        }
        let mut f = Finding::new(&RULE)
            .device(&d.udid)
            .evidence(format!("battery at {level} %, not charging"));
        if b.external_connected == Some(false) {
            f = f.evidence("no external power on this port (ExternalConnected: false)");
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    fn battery(level: u64, charging: bool) -> Snapshot {
        world()
            .phone()
            .lockdown(|l| {
                l.battery = Some(Battery {
                    current_capacity: Some(level),
                    is_charging: Some(charging),
                    external_connected: Some(charging),
                    external_charge_capable: Some(true),
                })
            })
            .build()
    }

    #[test]
    fn fires_low_and_not_charging() {
        let f = only(&battery(7, false), &RULE);
        assert!(f.states("battery at 7 %, not charging"), "{:?}", f.evidence);
        assert_eq!(f.evidence_lines().len(), 2);
    }

    #[test]
    fn silent_when_charging_or_full_enough() {
        assert!(fired(&battery(7, true), &RULE).is_empty());
        assert!(fired(&battery(60, false), &RULE).is_empty());
        assert!(fired(&world().phone().build(), &RULE).is_empty());
    }
}
