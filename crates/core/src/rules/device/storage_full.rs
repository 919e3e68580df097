use crate::rules::prelude::*;

/// Below this the phone cannot even stage a backup snapshot.
const CRITICAL: u64 = 1_000_000_000;
/// Below this (or 5 % of the data volume) a backup may stop half-way.
const LOW: u64 = 3_000_000_000;

declare_rule! {
    /// ## What it means
    /// The phone reports little free space on its data volume
    /// (`com.apple.disk_usage` AmountDataAvailable).
    ///
    /// ## Why the backup fails
    /// The phone prepares a snapshot of its data before sending it and
    /// needs working room to do so; nearly full phones stall, fail with
    /// "not enough free space", or stop half-way (idevicebackup2 error 105
    /// when the device side runs out).
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// `AmountDataAvailable` (else `TotalDataAvailable`) against
    /// `TotalDataCapacity`: under 1 GB blocks, under 3 GB or 5 % warns.
    ///
    /// ## Known limitations
    /// iOS counts purgeable space (caches, offloadable apps) as used here
    /// while Settings may count it as free, so the phone may be able to
    /// free some on its own.
    pub static RULE = {
        id: RuleId::DeviceStorageFull,
        title: "The iPhone is almost out of storage",
        layer: Layer::Device,
        severity: Severity::Blocker,
        steps: &[
            Fix::any("On the iPhone open Settings > General > iPhone Storage and follow its recommendations (Offload Unused Apps, review large attachments)."),
            Fix::any("Delete large videos or move them to the computer, then empty Photos > Albums > Recently Deleted."),
            Fix::any("Restart the iPhone to let it purge caches, then run this check again."),
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
    for (d, l) in s.answered_phones() {
        let Some(u) = l.disk_usage.as_ref() else {
            continue;
        };
        let Some(free) = u.available() else { continue };
        let total = u.total_data_capacity.filter(|t| *t > 0);
        let low_share = total.is_some_and(|t| free.saturating_mul(20) < t);
        let f = Finding::new(&RULE).device(&d.udid);
        let f = if free < CRITICAL {
            f
        } else if free < LOW || low_share {
            f.at_most(Severity::Warning)
        } else {
            continue;
        };
        let of = total
            .map(|t| format!(" of {}", fmt::bytes(t)))
            .unwrap_or_default();
        out.push(f.evidence(format!("{} free{of} on the phone", fmt::bytes(free))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    fn with_free(free: u64) -> Snapshot {
        world()
            .phone()
            .lockdown(|l| {
                if let Some(u) = l.disk_usage.as_mut() {
                    u.amount_data_available = Some(free);
                }
            })
            .build()
    }

    #[test]
    fn almost_full_blocks_low_warns() {
        // 32 MiB free, as in the simulator's storage_full scenario.
        let f = only(&with_free(33_554_432), &RULE);
        assert_eq!(f.severity, Severity::Blocker);
        assert!(
            f.states("33.6 MB free of 15.7 GB on the phone"),
            "{:?}",
            f.evidence
        );
        assert_eq!(
            only(&with_free(2_000_000_000), &RULE).severity,
            Severity::Warning
        );
        // 10 GB free is under 5 % of a 512 GB phone.
        let big = world()
            .phone()
            .lockdown(|l| {
                l.disk_usage = Some(DiskUsage {
                    total_data_capacity: Some(512_000_000_000),
                    amount_data_available: Some(10_000_000_000),
                    ..Default::default()
                })
            })
            .build();
        assert_eq!(only(&big, &RULE).severity, Severity::Warning);
    }

    #[test]
    fn silent_with_room_or_without_data() {
        assert!(fired(&world().phone().build(), &RULE).is_empty());
        let s = world().phone().lockdown(|l| l.disk_usage = None).build();
        assert!(fired(&s, &RULE).is_empty());
    }
}
