use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// This computer holds no pair record for the phone: neither usbmuxd
    /// (`ReadPairRecord`) nor the host lockdown folder has one. The phone has
    /// never trusted this computer, or the record was deleted here (a
    /// reinstall of iTunes or Apple Devices, a new user account, a wiped
    /// `/var/lib/lockdown`).
    ///
    /// ## Why the backup fails
    /// Every backup tool needs a trusted lockdown session, and a session
    /// needs the record's keys. Without one the tool must first ask the
    /// phone to trust this computer, which only happens with the phone
    /// unlocked and somebody tapping Trust.
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// usbmuxd's answer to `ReadPairRecord` (Result 2: no record), the
    /// lockdown folder's `<UDID>.plist`, and, with `--request-trust`, the
    /// phone's answer to `Pair`.
    ///
    /// ## Known limitations
    /// When the record exists but this user may not read it (macOS keeps
    /// `/var/db/lockdown` root-only) and usbmuxd does not answer
    /// `ReadPairRecord`, the finding says the record is unreadable instead.
    pub static RULE = {
        id: RuleId::TrustNotPaired,
        title: "This computer has no pairing record for the iPhone",
        variants: &[UNREADABLE, USB_ONLY],
        layer: Layer::Trust,
        severity: Severity::Blocker,
        hides: hides::NEEDS_TRUST,
        steps: &[
            texts::TAP_TRUST,
            texts::TRUST_MAC,
            texts::TRUST_WINDOWS,
            texts::TRUST_LINUX,
            Fix::any("Or let this tool ask: iphone-backup-check diagnose --request-trust (the only option that may change anything: the record is saved only if you tap Trust)."),
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

/// `PairingProhibitedOverThisConnection`: the phone pairs only over USB
/// (libimobiledevice: LOCKDOWN_E_PAIRING_PROHIBITED_OVER_THIS_CONNECTION),
/// so a Wi-Fi connection can never start the trust.
const USB_ONLY: Title = Title {
    when: "Pair over Wi-Fi was answered PairingProhibitedOverThisConnection",
    text: "The iPhone can be paired only over a USB cable",
};
const USB_ONLY_STEPS: &[Fix] = &[
    Fix::any("Connect the iPhone with a USB cable and unlock it: pairing over Wi-Fi is not allowed, only syncing after it. Then trust it as below, or run the check again with --request-trust."),
    texts::TRUST_MAC,
    texts::TRUST_WINDOWS,
    texts::TRUST_LINUX,
    texts::CABLE,
];

const UNREADABLE: Title = Title {
    when: "the record exists but this check cannot read it",
    text: "This computer's pairing record for the iPhone cannot be read",
};

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
    for d in &s.probes.devices {
        let Some(p) = d.pairing.value() else {
            continue;
        };
        if p.record == PairRecordState::Present {
            continue;
        }
        let asked = d.lockdown().and_then(|l| l.pair_request.as_ref());
        if let Some(PairRequestObs::Refused {
            reason: LockdownError::PairingProhibitedOverThisConnection,
            raw,
        }) = asked
        {
            let via = match d.connection {
                Some(MuxConnection::Network) => " over the Wi-Fi connection",
                _ => "",
            };
            out.push(
                Finding::new(&RULE)
                    .device(&d.udid)
                    .title(&USB_ONLY)
                    .steps(USB_ONLY_STEPS)
                    .evidence(format!("Pair{via} was answered with {raw}")),
            );
            continue;
        }
        // The phone's other answers to Pair have their own findings (or paired).
        if asked.is_some() {
            continue;
        }
        let mut f = Finding::new(&RULE)
            .device(&d.udid)
            .evidence("a pairing record is made when you tap Trust on the iPhone, and none is on this computer for this one");
        if let Some(l) = &p.usbmuxd {
            f = f.evidence(format!(
                "usbmuxd: {}",
                l.detail.as_deref().unwrap_or(state_word(l.state))
            ));
        }
        if let Some(l) = &p.folder {
            f = f.evidence(format!(
                "{}: {}{}",
                l.path.as_deref().unwrap_or("lockdown folder"),
                state_word(l.state),
                l.detail
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            ));
        }
        if p.record == PairRecordState::Unreadable {
            f = f
                .title(&UNREADABLE)
                .confidence(Confidence::Likely)
                .step("Run the check with sudo once to see whether the record exists (macOS keeps /var/db/lockdown root-only).");
        }
        out.push(f);
    }
}

fn state_word(s: PairRecordState) -> &'static str {
    match s {
        PairRecordState::Present => "present",
        PairRecordState::Absent => "no record",
        PairRecordState::Unreadable => "unreadable",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_without_a_record_names_the_phone() {
        let s = world().phone().no_record().build();
        let f = only(&s, &RULE);
        assert_eq!(
            f.device.as_deref(),
            Some(crate::rules::testing_device::UDID)
        );
        assert_eq!(f.severity, Severity::Blocker);
        assert!(f.remediation.iter().any(|r| r.contains("idevicepair pair")));
    }

    #[test]
    fn pairing_prohibited_over_this_connection_means_use_a_cable() {
        let s = world()
            .phone()
            .no_record()
            .lockdown(|l| {
                l.pair_request = Some(PairRequestObs::Refused {
                    reason: LockdownError::PairingProhibitedOverThisConnection,
                    raw: "PairingProhibitedOverThisConnection".into(),
                })
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.title, USB_ONLY.text);
        assert!(
            f.remediation[0].contains("USB cable"),
            "{:?}",
            f.remediation
        );
        assert!(fired(&s, &crate::rules::device::restricted::RULE).is_empty());
    }

    #[test]
    fn silent_when_paired_or_when_trust_was_requested() {
        assert!(fired(&world().phone().build(), &RULE).is_empty());
        let asked = world()
            .phone()
            .no_record()
            .lockdown(|l| l.pair_request = Some(PairRequestObs::DialogPending))
            .build();
        assert!(fired(&asked, &RULE).is_empty());
    }

    #[test]
    fn unreadable_record_is_said_so() {
        let s = world()
            .phone()
            .no_record()
            .device(|d| {
                if let Some(p) = d.pairing.value_mut() {
                    p.record = PairRecordState::Unreadable;
                }
            })
            .build();
        let f = only(&s, &RULE);
        assert!(f.title.contains("cannot be read"));
        assert_eq!(f.confidence, Confidence::Likely);
    }
}
