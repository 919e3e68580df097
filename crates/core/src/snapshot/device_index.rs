//! A lookup of the probed phones by UDID, built on first use: rules and
//! reports ask `Snapshot::device` once per phone, and a search of the list
//! each time made a snapshot of thousands of phones quadratic (issue 30:
//! 9,687 phones took 9 s in rules and rendering).
//!
//! It is a cache, never data: not serialised, equal to any other, empty
//! when cloned, and checked against the list at every lookup, so a list
//! changed after the first lookup (tests build snapshots step by step)
//! falls back to the search.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::udid::{same_udid, udid_key};
use super::DeviceObs;

#[derive(Default)]
pub struct DeviceIndex(OnceLock<(usize, HashMap<String, usize>)>);

impl DeviceIndex {
    /// The first phone in `devices` whose UDID is `udid` in any spelling.
    pub fn find<'a>(&self, devices: &'a [DeviceObs], udid: &str) -> Option<&'a DeviceObs> {
        let search = || devices.iter().find(|d| same_udid(&d.udid, udid));
        if udid.is_empty() {
            return search();
        }
        let (len, index) = self.0.get_or_init(|| {
            let mut index = HashMap::with_capacity(devices.len());
            for (i, d) in devices
                .iter()
                .enumerate()
                .filter(|(_, d)| !d.udid.is_empty())
            {
                index.entry(udid_key(&d.udid)).or_insert(i);
            }
            (devices.len(), index)
        });
        if *len != devices.len() {
            return search();
        }
        match index.get(&udid_key(udid)).and_then(|&i| devices.get(i)) {
            Some(d) if same_udid(&d.udid, udid) => Some(d),
            // Not indexed, or the list changed under the index.
            _ => search(),
        }
    }
}

impl Clone for DeviceIndex {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl PartialEq for DeviceIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for DeviceIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceIndex")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(udid: &str) -> DeviceObs {
        DeviceObs {
            udid: udid.into(),
            ..Default::default()
        }
    }

    #[test]
    fn finds_any_spelling_and_survives_a_changed_list() {
        let index = DeviceIndex::default();
        let mut list = vec![phone("00008110-00AA"), phone("BB"), phone("bb")];
        assert_eq!(
            index.find(&list, "0000811000aa").unwrap().udid,
            "00008110-00AA"
        );
        assert_eq!(index.find(&list, "bB").unwrap().udid, "BB");
        assert!(index.find(&list, "cc").is_none());
        // Changed after the index was built: the search answers.
        list[1] = phone("dd");
        assert_eq!(index.find(&list, "bb").unwrap().udid, "bb");
        list.push(phone("ee"));
        assert_eq!(index.find(&list, "EE").unwrap().udid, "ee");
    }
}
