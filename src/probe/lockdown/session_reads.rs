//! The reads of a trusted session: the root values and seven domains. Each
//! depends on nothing but a session, so one session can ask them in turn
//! and several can share them out (the device orchestrator decides). Their
//! answers are applied to the snapshot in one fixed order, whoever asked.

use std::time::Instant;

use plist::{Dictionary, Value};

use super::protocol::{call, error_of};
use super::values;
use crate::probe::transport::{Budget, PlistStream};
use crate::snapshot::{LockdownObs, Management};

/// The domain lockdownd answers with or without a session: the oldest macOS
/// and iTunes the phone accepts.
pub const ITUNES: &str = "com.apple.mobile.iTunes";

/// One read inside a trusted session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// Every root value (model, iOS version, PasswordProtected, ...).
    Root,
    /// One domain's dictionary.
    Domain(&'static str),
}

/// Every read of a trusted session, in the order their answers are applied.
/// Read-only, like every GetValue; a phone that refuses a domain
/// (MissingValue, GetProhibited) is noted in `unreadable`.
pub const ALL: [Read; 8] = [
    Read::Root,
    Read::Domain("com.apple.mobile.backup"),
    Read::Domain("com.apple.disk_usage"),
    Read::Domain("com.apple.mobile.battery"),
    Read::Domain(ITUNES),
    Read::Domain("com.apple.purplebuddy"),
    Read::Domain("com.apple.mobile.chaperone"),
    Read::Domain("com.apple.mobile.restriction"),
];

/// One answer, with the time the phone took to give it.
#[derive(Debug)]
pub struct Answer {
    read: Read,
    reply: Dictionary,
    ms: u64,
}

impl Answer {
    pub fn read(&self) -> Read {
        self.read
    }
}

/// What one session read: the answers, the failure that ended it early,
/// and how long its `StopSession` took to be answered.
#[derive(Debug, Default)]
pub struct Reading {
    pub answers: Vec<Answer>,
    pub broke: Option<crate::snapshot::Failure>,
    pub stop_ms: Option<u64>,
}

/// Asks `reads` in turn on one session.
pub async fn ask_in_turn(s: &mut PlistStream, reads: &[Read], budget: Budget) -> Reading {
    let mut out = Reading::default();
    for &read in reads {
        let mut fields = Dictionary::new();
        if let Read::Domain(name) = read {
            fields.insert("Domain".into(), name.into());
        }
        let sent = Instant::now();
        match call(s, "GetValue", fields, budget).await {
            Ok(reply) => out.answers.push(Answer {
                read,
                reply,
                ms: sent.elapsed().as_millis() as u64,
            }),
            Err(f) => {
                out.broke = Some(f);
                break;
            }
        }
    }
    out
}

/// Applies answers in [`ALL`]'s order: each reply's time, the values it
/// carries, or why it carried none.
pub fn apply(obs: &mut LockdownObs, mut answers: Vec<Answer>) {
    answers.sort_by_key(|a| ALL.iter().position(|r| *r == a.read));
    for a in answers {
        obs.reply_ms.push(a.ms);
        let d = match (a.reply.get("Value"), error_of(&a.reply)) {
            (Some(Value::Dictionary(d)), _) => d,
            (_, e) => {
                let what = match a.read {
                    Read::Root => "session values",
                    Read::Domain(name) => name,
                };
                let why = e.unwrap_or_else(|| "no Value".into());
                obs.unreadable.push(format!("{what}: {why}"));
                continue;
            }
        };
        match a.read {
            Read::Root => values::apply_root(obs, d, true),
            Read::Domain(name) => apply_domain(obs, name, d),
        }
    }
}

fn apply_domain(obs: &mut LockdownObs, name: &str, d: &Dictionary) {
    match name {
        "com.apple.mobile.backup" => obs.backup = Some(values::backup_domain(d)),
        "com.apple.disk_usage" => obs.disk_usage = Some(values::disk_usage(d)),
        "com.apple.mobile.battery" => obs.battery = Some(values::battery(d)),
        ITUNES => {
            if let Some(m) = values::host_minimums(d) {
                obs.host_minimums = Some(m);
            }
        }
        "com.apple.purplebuddy" => obs.setup_done = values::boolean(d, "SetupDone"),
        "com.apple.mobile.chaperone" => {
            obs.management
                .get_or_insert_with(Management::default)
                .supervised = values::boolean(d, "DeviceIsChaperoned");
        }
        "com.apple.mobile.restriction" => {
            obs.management
                .get_or_insert_with(Management::default)
                .restrictions = Some(values::restrictions(d));
        }
        _ => {}
    }
}

/// `reads` shared out: the first `first` to one session, the rest in turn
/// over `others` more (the orchestrator gives the session that also starts
/// the backup service fewer).
pub fn share(reads: &[Read], first: usize, others: usize) -> Vec<Vec<Read>> {
    let first = first.min(reads.len());
    let mut out = vec![reads[..first].to_vec()];
    let rest = &reads[first..];
    if others == 0 {
        out[0].extend_from_slice(rest);
        return out;
    }
    let per = rest.len().div_ceil(others);
    out.extend(rest.chunks(per.max(1)).map(<[Read]>::to_vec));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(read: Read, reply: Dictionary, ms: u64) -> Answer {
        Answer { read, reply, ms }
    }

    fn value(pairs: &[(&str, Value)]) -> Dictionary {
        let d: Dictionary = pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        let mut r = Dictionary::new();
        r.insert("Value".into(), Value::Dictionary(d));
        r
    }

    #[test]
    fn answers_apply_in_one_order_whoever_asked() {
        let mut refused = Dictionary::new();
        refused.insert("Error".into(), "MissingValue".into());
        // As three sessions would hand them back: out of order.
        let answers = vec![
            answer(Read::Domain("com.apple.mobile.restriction"), refused, 30),
            answer(
                Read::Domain("com.apple.disk_usage"),
                value(&[("AmountDataAvailable", Value::Integer(5u64.into()))]),
                20,
            ),
            answer(
                Read::Root,
                value(&[
                    ("ProductType", "iPhone10,3".into()),
                    ("PasswordProtected", true.into()),
                ]),
                10,
            ),
            answer(
                Read::Domain(ITUNES),
                value(&[("MinMacOSVersion", "10.15".into())]),
                40,
            ),
        ];
        let mut obs = LockdownObs::default();
        apply(&mut obs, answers);
        assert_eq!(obs.reply_ms, [10, 20, 40, 30], "in ALL's order");
        assert_eq!(obs.product_type.as_deref(), Some("iPhone10,3"));
        assert_eq!(obs.password_protected, Some(true), "read in a session");
        assert_eq!(
            obs.disk_usage.and_then(|d| d.amount_data_available),
            Some(5)
        );
        assert_eq!(
            obs.host_minimums.and_then(|m| m.min_macos).as_deref(),
            Some("10.15")
        );
        assert_eq!(
            obs.unreadable,
            ["com.apple.mobile.restriction: MissingValue"]
        );
        assert!(obs.management.is_none(), "a refused domain sets nothing");
    }

    #[test]
    fn an_answer_without_a_value_is_unreadable() {
        let mut obs = LockdownObs::default();
        apply(&mut obs, vec![answer(Read::Root, Dictionary::new(), 1)]);
        assert_eq!(obs.unreadable, ["session values: no Value"]);
    }

    #[test]
    fn reads_are_shared_out_whole() {
        let shares = share(&ALL, 2, 2);
        assert_eq!(shares.len(), 3);
        assert_eq!(shares[0], [Read::Root, ALL[1]]);
        assert_eq!(shares[1].len() + shares[2].len(), 6);
        let mut all: Vec<Read> = shares.concat();
        all.sort_by_key(|r| ALL.iter().position(|a| a == r));
        assert_eq!(all, ALL);
        assert_eq!(share(&ALL, 2, 0), [ALL.to_vec()]);
        assert_eq!(share(&ALL, 20, 2)[0], ALL.to_vec());
    }
}
