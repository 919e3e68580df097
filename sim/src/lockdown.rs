//! lockdownd on port 62078: 4-byte big-endian length + XML plist, TLS after `StartSession`.
//!
//! Answers use the iOS 5+ form libimobiledevice and idevice both check: the `Request` name
//! echoed, the payload keys, and `Error` with the real error string on refusal.

use std::sync::Arc;

use plist::{Dictionary, Value};

use crate::audit::{AuditEntry, Layer};
use crate::device_stream::{fail_tls_handshake, DevStream, Io};
use crate::plist_frame::{self, Frame};
use crate::scenario::{map_to_dict, PairResponse};
use crate::state::{DeviceView, ServiceKind, Shared, BODY, HANDSHAKE, IDLE};

/// Keys a phone answers without a session: exactly the keys of a real `ideviceinfo -s`
/// (no session) on iOS 14.7.1 (`realdata/idevicebackup2_version_exchange_err1_plus_
/// ideviceinfo_simple_iPhone11-2_iOS14.7.1.txt`), plus `DevicePublicKey`, which pairing
/// clients read before `Pair`.
pub const PRE_SESSION_KEYS: &[&str] = &[
    "BasebandCertId",
    "BasebandKeyHashInformation",
    "BasebandSerialNumber",
    "BasebandVersion",
    "BoardId",
    "BuildVersion",
    "CPUArchitecture",
    "ChipID",
    "DeviceClass",
    "DeviceColor",
    "DeviceName",
    "DieID",
    "HardwareModel",
    "HasSiDP",
    "PartitionType",
    "ProductName",
    "ProductType",
    "ProductVersion",
    "ProductionSOC",
    "ProtocolVersion",
    "SupportedDeviceFamilies",
    "TelephonyCapability",
    "UniqueChipID",
    "UniqueDeviceID",
    "WiFiAddress",
];

/// Domains a phone answers without a session (`ideviceinfo -s -q com.apple.mobile.iTunes`
/// works on an unpaired phone, libimobiledevice issue #1199). Other domains before a session
/// are refused with `GetProhibited` (an assumption: no capture shows the exact answer).
pub const PRE_SESSION_DOMAINS: &[&str] = &["com.apple.mobile.iTunes"];

/// Services the simulated phone can start.
pub fn service_kind(name: &str) -> Option<ServiceKind> {
    match name {
        "com.apple.mobilebackup2" => Some(ServiceKind::MobileBackup2),
        "com.apple.mobile.diagnostics_relay" | "com.apple.iosdiagnostics.relay" => {
            Some(ServiceKind::DiagnosticsRelay)
        }
        "com.apple.syslog_relay" => Some(ServiceKind::SyslogRelay),
        _ => None,
    }
}

/// Serves one lockdownd connection until the client leaves or the phone is unplugged.
pub async fn serve(shared: Arc<Shared>, view: DeviceView, stream: Box<dyn Io>) {
    let mut present = view.present.clone();
    tokio::select! {
        _ = run(&shared, &view, stream) => {}
        _ = present.wait_for(|p| !*p) => {}
    }
}

struct Conn<'a> {
    shared: &'a Shared,
    view: &'a DeviceView,
    session: Option<String>,
}

fn answer(request: &str) -> Dictionary {
    let mut d = Dictionary::new();
    d.insert("Request".into(), request.into());
    d
}

fn error(request: &str, err: &str) -> Dictionary {
    let mut d = answer(request);
    d.insert("Error".into(), err.into());
    d
}

async fn run(shared: &Shared, view: &DeviceView, stream: Box<dyn Io>) {
    let mut s = DevStream::Plain(stream);
    let mut c = Conn {
        shared,
        view,
        session: None,
    };
    let udid = view.device.udid.as_str();
    let mut after_stop = false;
    loop {
        let req = match plist_frame::read_frame(&mut s, IDLE, BODY).await {
            Frame::Message(Value::Dictionary(d)) => d,
            Frame::Message(_) => {
                c.log("<non-dictionary-plist>", None, None, None);
                if plist_frame::write_xml(&mut s, &Value::Dictionary(error("", "InvalidRequest")))
                    .await
                    .is_err()
                {
                    return;
                }
                continue;
            }
            Frame::TlsRecord(first) if !s.is_tls() => {
                // A client's close_notify right after StopSession (an alert record, or an
                // application-data record under TLS 1.3); anything else is a protocol error
                // and the phone drops the connection.
                if after_stop && plist_frame::skip_tls_record(&mut s, first, BODY).await {
                    after_stop = false;
                    continue;
                }
                c.log("<tls-record-without-session>", None, None, None);
                return;
            }
            Frame::TlsRecord(_) | Frame::Unparseable => {
                c.log("<unparseable-plist>", None, None, None);
                return;
            }
            Frame::TooLong(n) => {
                c.log(
                    "<oversized-length>",
                    None,
                    None,
                    Some(format!("length {n:#x}")),
                );
                return;
            }
            Frame::Closed | Frame::TimedOut => return,
        };
        after_stop = false;
        let name = req
            .get("Request")
            .and_then(|v| v.as_string())
            .unwrap_or("<missing-Request>")
            .to_string();
        let key = req.get("Key").and_then(|v| v.as_string());
        let domain = req.get("Domain").and_then(|v| v.as_string());
        let service = req.get("Service").and_then(|v| v.as_string());
        let host_id = req.get("HostID").and_then(|v| v.as_string()).or_else(|| {
            req.get("PairRecord")
                .and_then(|v| v.as_dictionary())
                .and_then(|d| d.get("HostID"))
                .and_then(|v| v.as_string())
        });
        let detail = match (service, host_id) {
            (Some(s), _) => Some(format!("Service {s}")),
            (None, Some(h)) => Some(format!("HostID {h}")),
            (None, None) => None,
        };
        c.log(&name, key, domain, detail);
        if view.device.unplug_on_request.as_deref() == Some(name.as_str()) {
            shared.detach(udid);
            return;
        }
        shared.delay().await;
        let reply = match name.as_str() {
            "QueryType" => {
                let mut d = answer(&name);
                d.insert("Type".into(), "com.apple.mobile.lockdown".into());
                d
            }
            "GetValue" => c.get_value(key, domain),
            "StartSession" => {
                let host_id = req.get("HostID").and_then(|v| v.as_string()).unwrap_or("");
                match c.start_session(host_id) {
                    Err(d) => d,
                    Ok(d) => {
                        if plist_frame::write_xml(&mut s, &Value::Dictionary(d))
                            .await
                            .is_err()
                        {
                            return;
                        }
                        if view.device.tls_close {
                            c.log(
                                "TLSHandshake",
                                None,
                                None,
                                Some("closed: scenario tls_close".into()),
                            );
                            return;
                        }
                        if view.device.tls_fault {
                            fail_tls_handshake(&mut s).await;
                            c.log(
                                "TLSHandshake",
                                None,
                                None,
                                Some("refused: scenario tls_fault".into()),
                            );
                            return;
                        }
                        s = match s.accept_tls(view.material.server_config(), HANDSHAKE).await {
                            Ok(t) => t,
                            Err(e) => {
                                c.log("TLSHandshake", None, None, Some(e));
                                return;
                            }
                        };
                        let who = view.material.identify_client_cert(s.peer_cert().as_deref());
                        c.log("TLSHandshake", None, None, Some(who.to_string()));
                        continue;
                    }
                }
            }
            "StopSession" => {
                if c.session.take().is_none() {
                    error(&name, "SessionInactive")
                } else {
                    if plist_frame::write_xml(&mut s, &Value::Dictionary(answer(&name)))
                        .await
                        .is_err()
                    {
                        return;
                    }
                    s = s.downgrade().await;
                    after_stop = true;
                    continue;
                }
            }
            "ValidatePair" => {
                let host_id = req
                    .get("PairRecord")
                    .and_then(|v| v.as_dictionary())
                    .and_then(|d| d.get("HostID"))
                    .and_then(|v| v.as_string())
                    .unwrap_or("");
                if shared.knows_host(view.index, host_id) {
                    answer(&name)
                } else {
                    error(&name, "InvalidHostID")
                }
            }
            "Pair" => c.pair(&req),
            "StartService" => c.start_service(service, &req),
            "SetValue" => error(&name, "SetProhibited"),
            "RemoveValue" => error(&name, "RemoveProhibited"),
            "Unpair" | "EnterRecovery" | "Activate" | "Deactivate" => {
                error(&name, "NotAllowedBySimulator")
            }
            "Goodbye" => {
                let mut d = answer(&name);
                d.insert("Result".into(), "Success".into());
                let _ = plist_frame::write_xml(&mut s, &Value::Dictionary(d)).await;
                return;
            }
            _ => error(&name, "InvalidRequest"),
        };
        if plist_frame::write_xml(&mut s, &Value::Dictionary(reply))
            .await
            .is_err()
        {
            return;
        }
    }
}

impl Conn<'_> {
    fn log(&self, name: &str, key: Option<&str>, domain: Option<&str>, detail: Option<String>) {
        let mut e = AuditEntry::new(Layer::Lockdownd, name)
            .device(Some(&self.view.device.udid))
            .key(key)
            .domain(domain);
        if let Some(d) = detail {
            e = e.detail(d);
        }
        self.shared.audit.record(e);
    }

    /// A root-domain value, including the ones derived from the pair material.
    fn root_value(&self, key: &str) -> Option<Value> {
        let d = &self.view.device;
        if let Some(v) = d.values.get(key) {
            return Some(crate::scenario::json_to_plist(v));
        }
        match key {
            "UniqueDeviceID" => Some(d.udid.clone().into()),
            "WiFiAddress" => Some(self.view.material.wifi_mac.clone().into()),
            "DevicePublicKey" => Some(Value::Data(
                self.view.material.device_public_key_pem.as_bytes().to_vec(),
            )),
            _ => None,
        }
    }

    fn root_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.view.device.values.keys().cloned().collect();
        for k in ["UniqueDeviceID", "WiFiAddress"] {
            if !keys.iter().any(|x| x == k) {
                keys.push(k.to_string());
            }
        }
        keys.sort();
        keys
    }

    fn get_value(&self, key: Option<&str>, domain: Option<&str>) -> Dictionary {
        let name = "GetValue";
        let mut d = answer(name);
        if let Some(k) = key {
            d.insert("Key".into(), k.into());
        }
        if let Some(dm) = domain {
            d.insert("Domain".into(), dm.into());
        }
        let in_session = self.session.is_some();
        let value: Result<Value, &str> = match (domain, key) {
            (None, None) => {
                let dict: Dictionary = self
                    .root_keys()
                    .into_iter()
                    .filter(|k| in_session || PRE_SESSION_KEYS.contains(&k.as_str()))
                    .filter_map(|k| Some((k.clone(), self.root_value(&k)?)))
                    .collect();
                Ok(Value::Dictionary(dict))
            }
            (None, Some(k)) => {
                if !in_session && !PRE_SESSION_KEYS.contains(&k) && k != "DevicePublicKey" {
                    Err("GetProhibited")
                } else {
                    self.root_value(k).ok_or("MissingValue")
                }
            }
            (Some(dm), _) if !in_session && !PRE_SESSION_DOMAINS.contains(&dm) => {
                Err("GetProhibited")
            }
            (Some(dm), k) => match self.view.device.domains.get(dm) {
                None => Err("MissingValue"),
                Some(map) => match k {
                    None => Ok(Value::Dictionary(map_to_dict(map))),
                    Some(k) => map
                        .get(k)
                        .map(crate::scenario::json_to_plist)
                        .ok_or("MissingValue"),
                },
            },
        };
        match value {
            Ok(v) => {
                d.insert("Value".into(), v);
            }
            Err(e) => {
                d.insert("Error".into(), e.into());
            }
        }
        d
    }

    fn start_session(&mut self, host_id: &str) -> Result<Dictionary, Dictionary> {
        let name = "StartSession";
        if let Some(e) = &self.view.device.trust.start_session_error {
            return Err(error(name, e));
        }
        if host_id.is_empty() {
            return Err(error(name, "MissingHostID"));
        }
        if !self.shared.knows_host(self.view.index, host_id) {
            return Err(error(name, "InvalidHostID"));
        }
        if self.session.is_some() {
            return Err(error(name, "SessionActive"));
        }
        let id = self.shared.new_session_id();
        self.session = Some(id.clone());
        let mut d = answer(name);
        d.insert("EnableSessionSSL".into(), true.into());
        d.insert("SessionID".into(), id.into());
        Ok(d)
    }

    fn pair(&self, req: &Dictionary) -> Dictionary {
        let name = "Pair";
        // iOS pairs only over USB; over Wi-Fi lockdownd refuses (libimobiledevice
        // maps the string to LOCKDOWN_E_PAIRING_PROHIBITED_OVER_THIS_CONNECTION).
        if self.view.device.connection == crate::scenario::ConnectionKind::Network {
            return error(name, "PairingProhibitedOverThisConnection");
        }
        match self.view.device.trust.pair_response {
            PairResponse::Pending => error(name, "PairingDialogResponsePending"),
            PairResponse::Denied => error(name, "UserDeniedPairing"),
            PairResponse::PasswordProtected => error(name, "PasswordProtected"),
            PairResponse::Accept => {
                let host_id = req
                    .get("PairRecord")
                    .and_then(|v| v.as_dictionary())
                    .and_then(|d| d.get("HostID"))
                    .and_then(|v| v.as_string());
                match host_id {
                    None => error(name, "InvalidPairRecord"),
                    Some(h) => {
                        self.shared.accept_host(self.view.index, h);
                        let mut d = answer(name);
                        d.insert(
                            "EscrowBag".into(),
                            Value::Data(self.view.material.escrow_bag.clone()),
                        );
                        d
                    }
                }
            }
        }
    }

    fn start_service(&self, service: Option<&str>, req: &Dictionary) -> Dictionary {
        let name = "StartService";
        let Some(service) = service else {
            return error(name, "MissingService");
        };
        if self.session.is_none() {
            return error(name, "SessionInactive");
        }
        let Some(kind) = service_kind(service) else {
            return error(name, "InvalidService");
        };
        if kind == ServiceKind::MobileBackup2 {
            if let Some(e) = &self.view.device.services.mobilebackup2.start_service_error {
                return error(name, e);
            }
            // A phone with a passcode starts its backup service only for a
            // host that sends the escrow bag Pair gave it (idevicebackup2:
            // lockdownd_start_service_with_escrow_bag; pymobiledevice3:
            // start_lockdown_service(..., include_escrow_bag=True)); without
            // it lockdownd answers PasswordProtected while the phone is locked.
            let sent = req.get("EscrowBag").and_then(Value::as_data);
            let locked = self
                .view
                .device
                .values
                .get("PasswordProtected")
                .and_then(serde_json::Value::as_bool)
                == Some(true);
            if locked && sent != Some(self.view.material.escrow_bag.as_slice()) {
                return error(name, "PasswordProtected");
            }
        }
        let port = self.shared.register_service(self.view.device_id, kind);
        let mut d = answer(name);
        d.insert("Service".into(), service.into());
        d.insert("Port".into(), Value::Integer(u64::from(port).into()));
        // Over USB phones usually leave the key out when SSL is off.
        if self.view.device.services.service_ssl {
            d.insert("EnableServiceSSL".into(), true.into());
        }
        d
    }
}
