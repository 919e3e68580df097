//! Pair records and TLS material.
//!
//! A pair record is what a host keeps after the phone trusted it (libimobiledevice and
//! usbmuxd format): a plist with `DeviceCertificate`, `HostCertificate`, `HostPrivateKey`,
//! `RootCertificate`, `RootPrivateKey` (PEM text as `<data>`), `HostID`, `SystemBUID`,
//! `EscrowBag` and `WiFiMACAddress`. The phone's side of the session is the device key; its
//! certificate (`DeviceCertificate`, signed by the host's root) is what it presents in TLS.
//!
//! Keys are RSA 2048 as in real records, generated with aws-lc (fast even in debug builds).
//! Key generation cannot be seeded, so keys are generated once per process and device (UDID)
//! and shared by the scenarios that have that device; certificates and every identifier
//! (HostID, SystemBUID, EscrowBag, Wi-Fi MAC) are per scenario, derived from its name and
//! therefore stable across runs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SerialNumber, PKCS_RSA_SHA256,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Everything a simulated pairing needs.
#[derive(Debug)]
pub struct PairMaterial {
    pub root_cert_pem: String,
    pub root_key_pem: String,
    pub host_cert_pem: String,
    pub host_key_pem: String,
    pub device_cert_pem: String,
    pub device_key_pem: String,
    /// `DevicePublicKey` as lockdownd reports it: PKCS#1 `RSA PUBLIC KEY` PEM.
    pub device_public_key_pem: String,
    pub host_id: String,
    pub system_buid: String,
    pub escrow_bag: Vec<u8>,
    pub wifi_mac: String,
    root_cert_der: Vec<u8>,
    host_cert_der: Vec<u8>,
    device_cert_der: Vec<u8>,
    device_key_pkcs8: Vec<u8>,
    server_config: OnceLock<Arc<rustls::ServerConfig>>,
}

#[derive(Debug, thiserror::Error)]
#[error("generating pair record material failed: {0}")]
pub struct MaterialError(String);

fn cache() -> &'static Mutex<HashMap<String, Arc<PairMaterial>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<PairMaterial>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// SHA-256 of a seed string.
pub fn digest(seed: &str) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, seed.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// A stable upper-case UUID derived from a seed (the format of HostID and SystemBUID).
pub fn stable_uuid(seed: &str) -> String {
    let d = digest(seed);
    let h: String = d[..16].iter().map(|b| format!("{b:02X}")).collect();
    format!(
        "{}-{}-4{}-A{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// Material for one device of one scenario, generated once per process.
pub fn material_for(
    scenario: &str,
    udid: &str,
    wifi_mac: Option<&str>,
) -> Result<Arc<PairMaterial>, MaterialError> {
    let key = format!("{scenario}\u{0}{udid}");
    if let Some(m) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(m.clone());
    }
    let m = Arc::new(generate(scenario, udid, wifi_mac)?);
    cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key)
        .or_insert(m.clone());
    Ok(m)
}

fn err(e: impl std::fmt::Display) -> MaterialError {
    MaterialError(e.to_string())
}

/// An RSA 2048 key for `label` (`<udid>/<role>`), generated once per process and shared by
/// every scenario that has this device: generation is the slow part of starting.
fn rsa_key(label: &str) -> Result<KeyPair, MaterialError> {
    static KEYS: OnceLock<Mutex<HashMap<String, Vec<u8>>>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| Mutex::new(HashMap::new()));
    let cached = keys
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(label)
        .cloned();
    let der = match cached {
        Some(der) => der,
        None => {
            let k = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
                .map_err(err)?;
            let der = k.serialize_der();
            keys.lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(label.to_string())
                .or_insert(der)
                .clone()
        }
    };
    KeyPair::from_pkcs8_der_and_sign_algo(
        &rustls::pki_types::PrivatePkcs8KeyDer::from(der),
        &PKCS_RSA_SHA256,
    )
    .map_err(err)
}

fn leaf_params(serial: u8) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = DistinguishedName::new();
    p.not_before = rcgen::date_time_ymd(2020, 1, 1);
    p.not_after = rcgen::date_time_ymd(2045, 1, 1);
    p.serial_number = Some(SerialNumber::from_slice(&[serial]));
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    p
}

fn generate(
    scenario: &str,
    udid: &str,
    wifi_mac: Option<&str>,
) -> Result<PairMaterial, MaterialError> {
    let seed = format!("{scenario}/{udid}");
    let root_key = rsa_key(&format!("{udid}/root"))?;
    let host_key = rsa_key(&format!("{udid}/host"))?;
    let device_key = rsa_key(&format!("{udid}/device"))?;

    let mut root_params = CertificateParams::default();
    root_params.distinguished_name = DistinguishedName::new();
    root_params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    root_params.not_after = rcgen::date_time_ymd(2045, 1, 1);
    root_params.serial_number = Some(SerialNumber::from_slice(&[1]));
    root_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let root_cert = root_params.self_signed(&root_key).map_err(err)?;
    let issuer = Issuer::new(root_params, &root_key);
    let host_cert = leaf_params(2).signed_by(&host_key, &issuer).map_err(err)?;
    let device_cert = leaf_params(3)
        .signed_by(&device_key, &issuer)
        .map_err(err)?;

    let mut escrow_bag = Vec::new();
    let mut block = digest(&format!("{seed}/escrow"));
    while escrow_bag.len() < 420 {
        escrow_bag.extend_from_slice(&block);
        block = digest(&base64::engine::general_purpose::STANDARD.encode(block));
    }
    escrow_bag.truncate(420);

    let wifi_mac = wifi_mac.map(str::to_string).unwrap_or_else(|| {
        let d = digest(&format!("{seed}/wifi"));
        format!(
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            (d[0] & 0xfe) | 0x02,
            d[1],
            d[2],
            d[3],
            d[4],
            d[5]
        )
    });

    Ok(PairMaterial {
        root_cert_pem: root_cert.pem(),
        root_key_pem: pkcs1_pem(&root_key)?,
        host_cert_pem: host_cert.pem(),
        host_key_pem: pkcs1_pem(&host_key)?,
        device_cert_pem: device_cert.pem(),
        device_key_pem: pkcs1_pem(&device_key)?,
        device_public_key_pem: pem("RSA PUBLIC KEY", device_key.public_key_raw()),
        host_id: stable_uuid(&format!("{seed}/HostID")),
        system_buid: stable_uuid(&format!("{scenario}/SystemBUID")),
        escrow_bag,
        wifi_mac,
        root_cert_der: root_cert.der().to_vec(),
        host_cert_der: host_cert.der().to_vec(),
        device_cert_der: device_cert.der().to_vec(),
        device_key_pkcs8: device_key.serialize_der(),
        server_config: OnceLock::new(),
    })
}

/// PEM armour with 64-character lines.
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The base64 body of a PEM text, without armour or line breaks.
pub fn pem_body(pem_text: &str) -> String {
    pem_text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>()
}

/// An RSA private key as PKCS#1 `RSA PRIVATE KEY` PEM (what libimobiledevice writes).
fn pkcs1_pem(key: &KeyPair) -> Result<String, MaterialError> {
    let pkcs1 = pkcs8_inner_key(key.serialized_der()).ok_or_else(|| err("bad PKCS#8"))?;
    Ok(pem("RSA PRIVATE KEY", pkcs1))
}

/// Reads one DER TLV at the start of `b`: (tag, content, rest).
fn der_tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let first = *b.get(1)? as usize;
    let (len, hdr) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *b.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let content = b.get(hdr..hdr.checked_add(len)?)?;
    Some((tag, content, &b[hdr + len..]))
}

/// PKCS#8 PrivateKeyInfo = SEQUENCE { INTEGER version, SEQUENCE algorithm, OCTET STRING key }.
fn pkcs8_inner_key(pkcs8: &[u8]) -> Option<&[u8]> {
    let (tag, seq, _) = der_tlv(pkcs8)?;
    if tag != 0x30 {
        return None;
    }
    let (_, _, rest) = der_tlv(seq)?; // version
    let (_, _, rest) = der_tlv(rest)?; // algorithm
    let (tag, key, _) = der_tlv(rest)?;
    (tag == 0x04).then_some(key)
}

impl PairMaterial {
    /// The pair record as usbmuxd hands it out in `PairRecordData` (XML plist bytes).
    pub fn pair_record_plist(&self) -> Vec<u8> {
        let mut d = plist::Dictionary::new();
        let data = |s: &str| plist::Value::Data(s.as_bytes().to_vec());
        d.insert("DeviceCertificate".into(), data(&self.device_cert_pem));
        d.insert(
            "EscrowBag".into(),
            plist::Value::Data(self.escrow_bag.clone()),
        );
        d.insert("HostCertificate".into(), data(&self.host_cert_pem));
        d.insert("HostID".into(), self.host_id.clone().into());
        d.insert("HostPrivateKey".into(), data(&self.host_key_pem));
        d.insert("RootCertificate".into(), data(&self.root_cert_pem));
        d.insert("RootPrivateKey".into(), data(&self.root_key_pem));
        d.insert("SystemBUID".into(), self.system_buid.clone().into());
        d.insert("WiFiMACAddress".into(), self.wifi_mac.clone().into());
        let mut out = Vec::new();
        let _ = plist::Value::Dictionary(d).to_writer_xml(&mut out);
        out
    }

    /// Every secret string of the record: key and certificate PEMs, their base64 bodies and
    /// the escrow bag in base64.
    pub fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in [
            &self.root_key_pem,
            &self.host_key_pem,
            &self.device_key_pem,
            &self.root_cert_pem,
            &self.host_cert_pem,
            &self.device_cert_pem,
        ] {
            out.push(p.clone());
            out.push(pem_body(p));
        }
        out.push(base64::engine::general_purpose::STANDARD.encode(&self.escrow_bag));
        out
    }

    /// Which certificate of this record a TLS client presented.
    pub fn identify_client_cert(&self, der: Option<&[u8]>) -> &'static str {
        match der {
            None => "no client certificate",
            Some(d) if d == self.host_cert_der.as_slice() => "client presented HostCertificate",
            Some(d) if d == self.root_cert_der.as_slice() => "client presented RootCertificate",
            Some(_) => "client presented a certificate not in this pair record",
        }
    }

    /// The phone's TLS server configuration: DeviceCertificate + device key, requesting (but
    /// not verifying) a client certificate, as the phone does.
    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        self.server_config
            .get_or_init(|| {
                let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
                let verifier = Arc::new(AnyClientCert {
                    provider: provider.clone(),
                });
                let cfg = rustls::ServerConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .expect("aws-lc provider supports the default TLS versions")
                    .with_client_cert_verifier(verifier)
                    .with_single_cert(
                        vec![CertificateDer::from(self.device_cert_der.clone())],
                        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                            self.device_key_pkcs8.clone(),
                        )),
                    )
                    .expect("generated device key matches its certificate");
                Arc::new(cfg)
            })
            .clone()
    }
}

/// Accepts any client certificate; the simulator records which one it was instead.
#[derive(Debug)]
struct AnyClientCert {
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::server::danger::ClientCertVerifier for AnyClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }
    fn client_auth_mandatory(&self) -> bool {
        false
    }
    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        &[]
    }
    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::server::danger::ClientCertVerified, rustls::Error> {
        Ok(rustls::server::danger::ClientCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_uuid_format() {
        let a = stable_uuid("x");
        assert_eq!(a, stable_uuid("x"));
        assert_ne!(a, stable_uuid("y"));
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
        assert!(a
            .chars()
            .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
    }

    #[test]
    fn material_is_cached_and_pem_shaped() {
        let m = material_for("unit-test", "udid", None).unwrap();
        let again = material_for("unit-test", "udid", None).unwrap();
        assert!(Arc::ptr_eq(&m, &again));
        assert!(m
            .host_key_pem
            .starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        assert!(m.root_cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(m
            .device_public_key_pem
            .starts_with("-----BEGIN RSA PUBLIC KEY-----"));
        // PKCS#1 RSAPrivateKey is itself a SEQUENCE.
        let der = base64::engine::general_purpose::STANDARD
            .decode(pem_body(&m.host_key_pem))
            .unwrap();
        assert_eq!(der[0], 0x30);
        assert!(m.secrets().contains(&pem_body(&m.device_key_pem)));
        let rec: plist::Dictionary = plist::from_bytes(&m.pair_record_plist()).unwrap();
        assert_eq!(rec["HostID"].as_string(), Some(m.host_id.as_str()));
        assert_eq!(m.identify_client_cert(None), "no client certificate");
        let _ = m.server_config();
    }

    #[test]
    fn der_reader_rejects_truncation() {
        assert!(pkcs8_inner_key(&[0x30, 0x82, 0x01]).is_none());
        assert!(pkcs8_inner_key(&[]).is_none());
        assert!(der_tlv(&[0x04, 0x85, 1, 1, 1, 1, 1]).is_none());
    }
}
