use std::cmp::Ordering;

use crate::knowledge::models::{self, IosMax};
use crate::rules::prelude::*;
use crate::version;

declare_rule! {
    /// ## What it means
    /// The phone runs an older iOS than the newest its model can install.
    ///
    /// ## Why the backup fails
    /// Usually it does not, by itself: but backup bugs are fixed in iOS
    /// updates, and a phone a whole major version behind may not be
    /// understood by a newer Finder, iTunes or Apple Devices (and the
    /// reverse: see `host.os-outdated`). A backup also cannot be restored
    /// onto a phone running an older iOS than the one that made it.
    ///
    /// ## Evidence used
    /// ProductType and ProductVersion from lockdownd, against the model
    /// table in `crates/core/src/knowledge/models.rs` (latest iOS per
    /// model, with sources).
    /// Always a note: an update available does not stand in the way of
    /// today's backup (a computer too old for the phone's iOS is
    /// `host.os-outdated`).
    ///
    /// ## Known limitations
    /// The table is as of the tool's release; a newer iOS may exist since.
    /// Models the table does not know are not judged.
    pub static RULE = {
        id: RuleId::DeviceIosOutdated,
        title: "The iPhone runs an older iOS than it can get",
        layer: Layer::Device,
        severity: Severity::Info,
        basis: Basis::Advice,
        steps: &[
            Fix::any("Back up first if you can, then on the iPhone open Settings > General > Software Update and install the update."),
            Fix::new(Platforms::PHONE, "If the update does not fit, free space first (Settings > General > iPhone Storage)."),
            Fix::new(Platforms::MACOS, "Or update from this Mac: select the iPhone in Finder's sidebar, then General > Check for Update."),
            Fix::new(Platforms::WINDOWS, "Or update from this PC: in the Apple Devices app (or iTunes) select the iPhone, then Check for Update."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    for d in &s.probes.devices {
        let (Some(pt), Some(v)) = (d.product_type(), d.ios_version()) else {
            continue;
        };
        let Some(model) = models::model(pt) else {
            continue;
        };
        let max = model.max_ios.version();
        if version::compare_versions(v, max) != Ordering::Less {
            continue;
        }
        let quote = |key| d.lockdown().and_then(|l| l.quote(key));
        let mut f = Finding::new(&RULE)
            .device(&d.udid)
            .evidence(format!(
                "{} ({pt}) runs iOS {v}; it can install iOS {max}",
                model.name
            ))
            .quoting(quote("ProductType"))
            .quoting(quote("ProductVersion"));
        if let IosMax::Frozen(_) = model.max_ios {
            f = f.evidence(format!(
                "iOS {max} is the last release for this model (newer majors dropped it)"
            ));
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    fn on(pt: &str, v: &str) -> Snapshot {
        world()
            .phone()
            .lockdown(|l| {
                l.product_type = Some(pt.into());
                l.product_version = Some(v.into());
            })
            .build()
    }

    #[test]
    fn an_update_available_is_a_note_however_far_behind() {
        // The simulator's old_ios: an iPhone 7 on iOS 13.3.1
        // (realdata/ideviceinfo_iPhone9-1_iOS13.3.1.txt).
        let f = only(&on("iPhone9,1", "13.3.1"), &RULE);
        assert_eq!(f.severity, Severity::Info);
        assert!(f.says("iPhone 7 (iPhone9,1) runs iOS 13.3.1; it can install iOS 15.8.8"));
        let f = only(&on("iPhone10,3", "16.7.2"), &RULE);
        assert_eq!(f.severity, Severity::Info);
    }

    #[test]
    fn silent_when_current_or_unknown() {
        assert!(fired(&on("iPhone10,3", "16.7.16"), &RULE).is_empty());
        assert!(fired(&on("iPhone99,9", "1.0"), &RULE).is_empty());
        assert!(fired(&on("iPhone9,1", "garbage"), &RULE).len() <= 1);
    }
}
