//! The pair record's keys and certificates, held in memory for one run.
//!
//! No `Debug`, `Display` or `Serialize` shows them: the only ways out are the
//! HostID and SystemBUID (which the snapshot keeps) and the TLS client
//! configuration idevice builds from [`PairSecrets::pairing_file`].

use plist::{Dictionary, Value};

use idevice::pairing_file::PairingFile;

pub struct PairSecrets {
    fields: Dictionary,
    pairing_file: Option<PairingFile>,
}

impl std::fmt::Debug for PairSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PairSecrets(<hidden>)")
    }
}

impl PairSecrets {
    /// Parses a record; None when it is not a plist dictionary. Keys that
    /// cannot be used for TLS leave `pairing_file` empty (the phone may
    /// still accept the HostID; the TLS handshake then cannot happen).
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        // Bounded first: idevice's own parse below would recurse through
        // whatever nesting the file has.
        let fields = crate::plist_bounded::parse_plist_dict(bytes).ok()?;
        // idevice logs parse failures with their details; keep it quiet.
        let pairing_file =
            tracing::subscriber::with_default(tracing::subscriber::NoSubscriber::default(), || {
                PairingFile::from_bytes(bytes).ok()
            });
        Some(Self {
            fields,
            pairing_file,
        })
    }

    /// A record idevice generated after the user tapped Trust.
    pub fn from_pairing_file(pf: PairingFile) -> Option<(Self, Vec<u8>)> {
        let bytes = tracing::subscriber::with_default(
            tracing::subscriber::NoSubscriber::default(),
            || pf.serialize().ok(),
        )?;
        let s = Self::parse(&bytes)?;
        Some((s, bytes))
    }

    pub fn host_id(&self) -> Option<&str> {
        self.fields.get("HostID").and_then(Value::as_string)
    }

    pub fn system_buid(&self) -> Option<&str> {
        self.fields.get("SystemBUID").and_then(Value::as_string)
    }

    /// The names of `required` fields the record lacks.
    pub fn missing_fields(&self, required: &[&str]) -> Vec<String> {
        required
            .iter()
            .filter(|k| !self.fields.contains_key(k))
            .map(|k| (*k).to_string())
            .collect()
    }

    /// The escrow bag Pair gave this host, for `StartService` of the backup
    /// service only: it goes to the phone and nowhere else.
    pub fn escrow_bag(&self) -> Option<&[u8]> {
        self.fields.get("EscrowBag").and_then(Value::as_data)
    }

    /// The record as idevice's TLS code wants it, when its keys parse.
    pub fn pairing_file(&self) -> Option<&PairingFile> {
        self.pairing_file.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deeply_nested_record_is_refused_not_overflowed() {
        let levels = 15_000; // under the 256 KiB file cap
        let xml = format!(
            "<plist version=\"1.0\"><dict><key>HostID</key>{}{}</dict></plist>",
            "<array>".repeat(levels),
            "</array>".repeat(levels)
        );
        assert!(PairSecrets::parse(xml.as_bytes()).is_none());
    }

    #[test]
    fn debug_hides_everything() {
        let mut d = Dictionary::new();
        d.insert("HostID".into(), "HOST-1".into());
        d.insert("HostPrivateKey".into(), Value::Data(b"SECRET-KEY".to_vec()));
        let mut bytes = Vec::new();
        plist::to_writer_xml(&mut bytes, &d).unwrap();
        let s = PairSecrets::parse(&bytes).unwrap();
        assert_eq!(s.host_id(), Some("HOST-1"));
        assert!(s.pairing_file().is_none(), "no certificates: no TLS config");
        assert_eq!(format!("{s:?}"), "PairSecrets(<hidden>)");
        assert_eq!(
            s.missing_fields(&["HostID", "HostCertificate"]),
            vec!["HostCertificate".to_string()]
        );
        assert!(PairSecrets::parse(b"garbage").is_none());
    }
}
