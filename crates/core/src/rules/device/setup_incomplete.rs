use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone has not finished Setup Assistant, or is not activated: it
    /// answers lockdownd, even trusts this computer, but has not reached its
    /// Home Screen as a set-up phone.
    ///
    /// ## Why the backup fails
    /// The phone's backup agent refuses with MBErrorDomain 212, "Unable to
    /// backup until Setup is finished"
    /// (<https://github.com/libimobiledevice/libimobiledevice/issues/187>);
    /// Finder and iTunes say only that the backup failed.
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// `ActivationState` (anything but `Activated` or `FactoryActivated`,
    /// e.g. `Unactivated` as `ideviceinfo` prints it on a new phone) and
    /// `SetupDone` in domain `com.apple.purplebuddy` (Setup Assistant's own
    /// preferences, which `ideviceinfo -q com.apple.purplebuddy` reads), both
    /// read in the trusted session.
    ///
    /// ## Known limitations
    /// That `ActivationState` predicts error 212 is an inference from the
    /// error's wording; `SetupDone: false` is the direct sign.
    pub static RULE = {
        id: RuleId::DeviceSetupIncomplete,
        title: "The iPhone has not finished its setup",
        layer: Layer::Device,
        severity: Severity::Blocker,
        hides: &[RuleId::BackupServiceRefused, RuleId::DevicePasscodePrompt, RuleId::DeviceIosOutdated],
        steps: &[texts::FINISH_SETUP],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

/// States of a phone that may back up.
const ACTIVATED: &[&str] = &["Activated", "FactoryActivated"];

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
    for (d, l) in s.answered_phones() {
        let mut f = Finding::new(&RULE).device(&d.udid);
        let mut seen = false;
        if l.setup_done == Some(false) {
            f = f.evidence(
                "SetupDone: false (com.apple.purplebuddy): Setup Assistant has not finished",
            );
            seen = true;
        }
        if let Some(state) = l.activation_state.as_deref() {
            if !ACTIVATED.contains(&state) {
                f = f
                    .evidence(format!("ActivationState: {state}"))
                    .quoting(l.quote("ActivationState"));
                seen = true;
            }
        }
        if seen {
            if l.setup_done != Some(false) {
                f = f.confidence(Confidence::Likely);
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_setup_not_done_or_not_activated() {
        let s = world()
            .phone()
            .lockdown(|l| l.setup_done = Some(false))
            .build();
        let f = only(&s, &RULE);
        assert_eq!(
            (f.severity, f.confidence),
            (Severity::Blocker, Confidence::Certain)
        );
        let s = world()
            .phone()
            .lockdown(|l| l.activation_state = Some("Unactivated".into()))
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.confidence, Confidence::Likely);
        assert!(f.says("Unactivated"));
    }

    #[test]
    fn silent_on_an_activated_set_up_phone_or_when_nothing_was_read() {
        let s = world()
            .phone()
            .lockdown(|l| {
                l.activation_state = Some("Activated".into());
                l.setup_done = Some(true);
            })
            .build();
        assert!(fired(&s, &RULE).is_empty());
        assert!(fired(&world().phone().build(), &RULE).is_empty());
    }
}
