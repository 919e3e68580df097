use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone answers, but slowly: lockdownd took hundreds of
    /// milliseconds or more per request, where a phone on a cable answers
    /// in a few. The link or the computer is struggling: a hub or dock
    /// that shares its bandwidth, a worn cable retrying, a USB port in
    /// power-saving, an overloaded computer, or a weak Wi-Fi connection.
    ///
    /// ## Why the backup fails
    /// A backup sends every file through this link. What takes the check
    /// seconds takes a backup hours, and a link this slow is the kind that
    /// stalls at some percentage or drops half-way.
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause, quoted with its file and line.
    ///
    /// The time each lockdownd request took to be answered during the
    /// check (its median, and the slowest), compared with 500 ms over USB
    /// and 2 s over Wi-Fi.
    ///
    /// ## Known limitations
    /// A phone that is busy right after starting, restoring from iCloud or
    /// indexing answers slowly too; run the check again after a few minutes.
    pub static RULE = {
        id: RuleId::ConnectionSlowReplies,
        title: "The iPhone answers far slower than a phone should",
        layer: Layer::Connection,
        severity: Severity::Warning,
        steps: &[
            texts::PORT_DIRECT,
            texts::CABLE,
            Fix::any("Quit programs that keep the computer busy (a virtual machine, a large copy, another phone manager) and run the check again."),
            texts::WIFI,
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

/// A phone on a cable answers lockdownd requests in a few milliseconds.
const SLOW_OVER_USB_MS: u64 = 500;
/// Wi-Fi adds its own round trips; only far slower is a sign.
const SLOW_OVER_WIFI_MS: u64 = 2_000;
/// Fewer answers than this say nothing about a pattern.
const MIN_ANSWERS: usize = 3;

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
    for (d, l) in s.answered_phones() {
        if l.reply_ms.len() < MIN_ANSWERS {
            continue;
        }
        let mut sorted = l.reply_ms.clone();
        sorted.sort_unstable();
        let median = sorted[sorted.len() / 2];
        let slowest = sorted[sorted.len() - 1];
        let (limit, link) = match d.connection {
            Some(MuxConnection::Network) => (SLOW_OVER_WIFI_MS, "over Wi-Fi"),
            _ => (SLOW_OVER_USB_MS, "on a cable"),
        };
        if median < limit {
            continue;
        }
        out.push(
            Finding::new(&RULE)
                .device(&d.udid)
                .confidence(Confidence::Likely)
                .evidence(format!(
                    "lockdownd answered {} requests in a median {} (slowest {}); a phone {link} answers in a few milliseconds",
                    sorted.len(),
                    fmt::secs(median),
                    fmt::secs(slowest)
                )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    fn answering(ms: &[u64]) -> Snapshot {
        world()
            .phone()
            .lockdown(|l| l.reply_ms = ms.to_vec())
            .build()
    }

    #[test]
    fn two_second_answers_are_a_warning_that_names_the_time() {
        let f = only(&answering(&[2004, 2001, 2003, 2002, 2010]), &RULE);
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.says("median 2 s"), "{:?}", f.evidence);
    }

    #[test]
    fn a_quick_phone_or_one_slow_answer_is_not_a_pattern() {
        assert!(fired(&answering(&[1, 2, 1, 3, 2, 1]), &RULE).is_empty());
        assert!(fired(&answering(&[1, 2, 3000, 1, 2]), &RULE).is_empty());
        assert!(fired(&answering(&[3000, 3000]), &RULE).is_empty());
    }
}
