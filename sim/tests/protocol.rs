//! Wire-level behaviour of the usbmuxd and lockdownd sides, checked with a raw client.
#![cfg(unix)]

mod common;

use std::io::Write;
use std::time::Duration;

use common::*;
use iphone_sim::Layer;

const HEALTHY_UDID: &str = "c28d82f1df2580e648ad0225461d5592b8558bf7";

#[test]
fn list_devices_has_usbmuxd_properties() {
    let r = start("healthy");
    let mut s = r.connect();
    let reply = roundtrip(&mut s, 3, &request("ListDevices", &[]));
    assert_eq!((reply.version, reply.message, reply.tag), (1, 8, 3));
    let d = reply.dict();
    let list = d["DeviceList"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    let dev = list[0].as_dictionary().unwrap();
    assert_eq!(dev["MessageType"].as_string(), Some("Attached"));
    assert_eq!(dev["DeviceID"].as_unsigned_integer(), Some(1));
    let p = dev["Properties"].as_dictionary().unwrap();
    assert_eq!(p["ConnectionType"].as_string(), Some("USB"));
    assert_eq!(
        p["ConnectionSpeed"].as_unsigned_integer(),
        Some(480_000_000)
    );
    assert_eq!(p["ProductID"].as_unsigned_integer(), Some(0x12a8));
    assert_eq!(p["LocationID"].as_unsigned_integer(), Some(0x30006));
    assert_eq!(p["SerialNumber"].as_string(), Some(HEALTHY_UDID));
}

#[test]
fn slow_link_reports_full_speed() {
    let r = start("slow_link");
    let mut s = r.connect();
    let d = roundtrip(&mut s, 1, &request("ListDevices", &[])).dict();
    let p = d["DeviceList"].as_array().unwrap()[0]
        .as_dictionary()
        .unwrap()["Properties"]
        .as_dictionary()
        .unwrap()
        .clone();
    assert_eq!(p["ConnectionSpeed"].as_unsigned_integer(), Some(12_000_000));
}

#[test]
fn network_device_has_network_address() {
    let r = start("wifi_only");
    let mut s = r.connect();
    let d = roundtrip(&mut s, 1, &request("ListDevices", &[])).dict();
    let p = d["DeviceList"].as_array().unwrap()[0]
        .as_dictionary()
        .unwrap()["Properties"]
        .as_dictionary()
        .unwrap()
        .clone();
    assert_eq!(p["ConnectionType"].as_string(), Some("Network"));
    assert!(p["EscapedFullServiceName"]
        .as_string()
        .unwrap()
        .ends_with("._apple-mobdev2._tcp.local."));
    let addr = p["NetworkAddress"].as_data().unwrap();
    assert_eq!(addr.len(), 16);
    assert_eq!(&addr[..2], &[2, 0], "AF_INET, little-endian family");
    assert_eq!(&addr[4..8], &[192, 168, 1, 23]);
    assert!(!p.contains_key("ProductID"));
}

#[test]
fn no_device_lists_nothing() {
    let r = start("no_device");
    let mut s = r.connect();
    let d = roundtrip(&mut s, 1, &request("ListDevices", &[])).dict();
    assert!(d["DeviceList"].as_array().unwrap().is_empty());
}

#[test]
fn read_pair_record_and_buid() {
    let r = start("healthy");
    let mut s = r.connect();
    let reply = roundtrip(
        &mut s,
        4,
        &request("ReadPairRecord", &[("PairRecordID", s_(HEALTHY_UDID))]),
    );
    let data = reply.dict()["PairRecordData"].as_data().unwrap().to_vec();
    let rec: plist::Dictionary = plist::from_bytes(&data).unwrap();
    for k in [
        "DeviceCertificate",
        "HostCertificate",
        "HostPrivateKey",
        "RootCertificate",
        "RootPrivateKey",
        "EscrowBag",
    ] {
        assert!(rec[k].as_data().is_some(), "{k} is <data>");
    }
    let host_key = String::from_utf8(rec["HostPrivateKey"].as_data().unwrap().to_vec()).unwrap();
    assert!(host_key.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    assert_eq!(
        rec["HostID"].as_string().map(str::to_string),
        r.sim.host_id(HEALTHY_UDID)
    );
    assert!(r.sim.secrets().contains(&host_key));
    let buid = roundtrip(&mut s, 5, &request("ReadBUID", &[])).dict();
    assert_eq!(buid["BUID"].as_string(), Some(r.sim.buid()));
    assert_eq!(rec["SystemBUID"].as_string(), Some(r.sim.buid()));
}

#[test]
fn pair_record_is_stable_per_scenario_and_missing_gives_result_2() {
    let a = start("healthy");
    let b = start("healthy");
    assert_eq!(a.sim.host_id(HEALTHY_UDID), b.sim.host_id(HEALTHY_UDID));
    assert_eq!(a.sim.buid(), b.sim.buid());
    let c = start("no_pair_record");
    assert_ne!(a.sim.host_id(HEALTHY_UDID), c.sim.host_id(HEALTHY_UDID));
    let mut s = c.connect();
    let reply = roundtrip(
        &mut s,
        9,
        &request("ReadPairRecord", &[("PairRecordID", s_(HEALTHY_UDID))]),
    );
    assert_eq!(reply.number(), Some(2));
    assert_eq!(reply.tag, 9);
}

#[test]
fn connect_results_follow_usbmuxd() {
    let r = start("healthy");
    let mut s = r.connect();
    let connect = |id: u64, port: u16| {
        request(
            "Connect",
            &[
                ("DeviceID", plist::Value::Integer(id.into())),
                (
                    "PortNumber",
                    plist::Value::Integer(u64::from(port.to_be()).into()),
                ),
            ],
        )
    };
    assert_eq!(roundtrip(&mut s, 1, &connect(99, 62078)).number(), Some(2));
    assert_eq!(roundtrip(&mut s, 2, &connect(1, 1234)).number(), Some(3));
    let rec = start("recovery_absent");
    let mut s2 = rec.connect();
    assert_eq!(roundtrip(&mut s2, 1, &connect(1, 62078)).number(), Some(3));
}

#[test]
fn unknown_message_binary_plist_and_bad_version() {
    let r = start("healthy");
    let mut s = r.connect();
    assert_eq!(
        roundtrip(&mut s, 1, &request("Frobnicate", &[])).number(),
        Some(1)
    );
    // A binary plist request: usbmuxd 1.1.1 parses XML only and answers nothing.
    let mut bin = Vec::new();
    plist::Value::Dictionary(request("ListDevices", &[]))
        .to_writer_binary(&mut bin)
        .unwrap();
    s.write_all(&packet(1, 8, 2, &bin)).unwrap();
    assert!(silent_for(&mut s, Duration::from_millis(400)));
    // The connection still works afterwards.
    assert!(roundtrip(&mut s, 3, &request("ListDevices", &[]))
        .dict()
        .contains_key("DeviceList"));
    // Version 2: Result 6 (BADVERSION).
    s.write_all(&packet(2, 8, 4, b"")).unwrap();
    let reply = read_reply(&mut s).unwrap();
    assert_eq!(reply.number(), Some(6));
    let names = r.requests();
    assert!(names.contains(&"Frobnicate".to_string()));
    assert!(names.contains(&"<binary-plist>".to_string()));
    assert!(names.contains(&"<bad-version>".to_string()));
}

#[test]
fn binary_protocol_result_before_any_plist() {
    let r = start("healthy");
    let mut s = r.connect();
    // Unknown binary message 9 on a fresh connection: binary Result 1.
    s.write_all(&packet(0, 9, 5, b"")).unwrap();
    let reply = read_reply(&mut s).unwrap();
    assert_eq!((reply.version, reply.message, reply.tag), (0, 1, 5));
    assert_eq!(reply.body, 1u32.to_le_bytes());
}

#[test]
fn save_and_delete_pair_record_are_answered_and_logged_as_writes() {
    let r = start("healthy");
    let mut s = r.connect();
    let save = request(
        "SavePairRecord",
        &[
            ("PairRecordID", s_(HEALTHY_UDID)),
            ("PairRecordData", plist::Value::Data(b"<plist/>".to_vec())),
        ],
    );
    assert_eq!(roundtrip(&mut s, 1, &save).number(), Some(0));
    let del = request("DeletePairRecord", &[("PairRecordID", s_(HEALTHY_UDID))]);
    assert_eq!(roundtrip(&mut s, 2, &del).number(), Some(0));
    let writes: Vec<String> = r.sim.writes().into_iter().map(|e| e.request).collect();
    assert_eq!(writes, ["SavePairRecord", "DeletePairRecord"]);
    assert!(r.sim.writes().iter().all(|e| e.layer == Layer::Usbmuxd));
    // After DeletePairRecord the record is gone.
    let read = request("ReadPairRecord", &[("PairRecordID", s_(HEALTHY_UDID))]);
    assert_eq!(roundtrip(&mut s, 3, &read).number(), Some(2));
}

#[test]
fn listen_reports_scripted_detach_and_reattach_with_new_id() {
    let r = start("detach_reattach");
    let mut s = r.connect();
    let ok = roundtrip(&mut s, 1, &request("Listen", &[]));
    assert_eq!(ok.number(), Some(0));
    let first = read_reply(&mut s).unwrap().dict();
    assert_eq!(first["MessageType"].as_string(), Some("Attached"));
    assert_eq!(first["DeviceID"].as_unsigned_integer(), Some(1));
    let gone = read_reply(&mut s).unwrap().dict();
    assert_eq!(gone["MessageType"].as_string(), Some("Detached"));
    assert_eq!(gone["DeviceID"].as_unsigned_integer(), Some(1));
    let back = read_reply(&mut s).unwrap().dict();
    assert_eq!(back["MessageType"].as_string(), Some("Attached"));
    assert_eq!(back["DeviceID"].as_unsigned_integer(), Some(2));
    let p = back["Properties"].as_dictionary().unwrap();
    assert_eq!(p["SerialNumber"].as_string(), Some(HEALTHY_UDID));
}

#[test]
fn handle_detach_and_attach_drive_listen() {
    let r = start("two_phones");
    let mut s = r.connect();
    assert_eq!(
        roundtrip(&mut s, 1, &request("Listen", &[])).number(),
        Some(0)
    );
    assert_eq!(
        read_reply(&mut s).unwrap().dict()["DeviceID"].as_unsigned_integer(),
        Some(1)
    );
    assert_eq!(
        read_reply(&mut s).unwrap().dict()["DeviceID"].as_unsigned_integer(),
        Some(2)
    );
    assert!(r.sim.detach("84c683bc86525fc6648d4d14d3e06ed7200b29d2"));
    assert!(!r.sim.detach("84c683bc86525fc6648d4d14d3e06ed7200b29d2"));
    let d = read_reply(&mut s).unwrap().dict();
    assert_eq!(d["MessageType"].as_string(), Some("Detached"));
    assert_eq!(d["DeviceID"].as_unsigned_integer(), Some(2));
    assert!(r.sim.attach("84c683bc86525fc6648d4d14d3e06ed7200b29d2"));
    let d = read_reply(&mut s).unwrap().dict();
    assert_eq!(d["DeviceID"].as_unsigned_integer(), Some(3));
}

#[test]
fn lockdown_pre_session_whitelist() {
    let r = start("healthy");
    let mut s = connect_lockdown(&r, 1);
    let q = lockdown(&mut s, &[("Request", s_("QueryType"))]);
    assert_eq!(q["Type"].as_string(), Some("com.apple.mobile.lockdown"));
    assert_eq!(q["Request"].as_string(), Some("QueryType"));
    let v = lockdown(
        &mut s,
        &[("Request", s_("GetValue")), ("Key", s_("ProductType"))],
    );
    assert_eq!(v["Value"].as_string(), Some("iPhone10,3"));
    assert_eq!(v["Key"].as_string(), Some("ProductType"));
    let v = lockdown(
        &mut s,
        &[("Request", s_("GetValue")), ("Key", s_("SerialNumber"))],
    );
    assert_eq!(v["Error"].as_string(), Some("GetProhibited"));
    let v = lockdown(
        &mut s,
        &[
            ("Request", s_("GetValue")),
            ("Domain", s_("com.apple.mobile.backup")),
        ],
    );
    assert_eq!(v["Error"].as_string(), Some("GetProhibited"));
    let all = lockdown(&mut s, &[("Request", s_("GetValue"))]);
    let all = all["Value"].as_dictionary().unwrap();
    assert!(all.contains_key("BuildVersion") && all.contains_key("UniqueDeviceID"));
    assert!(!all.contains_key("SerialNumber") && !all.contains_key("PasswordProtected"));
    let pk = lockdown(
        &mut s,
        &[("Request", s_("GetValue")), ("Key", s_("DevicePublicKey"))],
    );
    let pem = String::from_utf8(pk["Value"].as_data().unwrap().to_vec()).unwrap();
    assert!(pem.starts_with("-----BEGIN RSA PUBLIC KEY-----"));
}

#[test]
fn lockdown_refusals_use_real_error_strings() {
    let cases = [
        ("trust_reset", "StartSession", "InvalidHostID"),
        (
            "trust_dialog_pending",
            "Pair",
            "PairingDialogResponsePending",
        ),
        ("user_denied", "Pair", "UserDeniedPairing"),
        ("locked_not_paired", "Pair", "PasswordProtected"),
    ];
    for (scenario, request_name, error) in cases {
        let r = start(scenario);
        let host_id = r.sim.host_id(HEALTHY_UDID).unwrap();
        let mut s = connect_lockdown(&r, 1);
        let mut rec = plist::Dictionary::new();
        rec.insert("HostID".into(), host_id.clone().into());
        let reply = lockdown(
            &mut s,
            &[
                ("Request", s_(request_name)),
                ("HostID", s_(&host_id)),
                ("PairRecord", plist::Value::Dictionary(rec)),
            ],
        );
        assert_eq!(reply["Error"].as_string(), Some(error), "{scenario}");
        assert_eq!(reply["Request"].as_string(), Some(request_name));
        if request_name == "Pair" {
            assert_eq!(
                r.sim.writes().len(),
                1,
                "{scenario}: Pair is logged as a write"
            );
        }
    }
}

#[test]
fn lockdown_write_requests_are_refused_and_logged() {
    let r = start("healthy");
    let mut s = connect_lockdown(&r, 1);
    for (req, err) in [
        ("SetValue", "SetProhibited"),
        ("RemoveValue", "RemoveProhibited"),
        ("EnterRecovery", "NotAllowedBySimulator"),
    ] {
        let a = lockdown(&mut s, &[("Request", s_(req)), ("Key", s_("DeviceName"))]);
        assert_eq!(a["Error"].as_string(), Some(err));
    }
    let writes: Vec<String> = r.sim.writes().into_iter().map(|e| e.request).collect();
    assert_eq!(writes, ["SetValue", "RemoveValue", "EnterRecovery"]);
    // StartService needs a session.
    let a = lockdown(
        &mut s,
        &[
            ("Request", s_("StartService")),
            ("Service", s_("com.apple.mobilebackup2")),
        ],
    );
    assert_eq!(a["Error"].as_string(), Some("SessionInactive"));
}

#[test]
fn tcp_listener_serves_the_same_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let sim = iphone_sim::Simulator::start(iphone_sim::SimConfig {
        socket: dir.path().join("mux"),
        tcp_port: Some(0),
        scenario: iphone_sim::Scenario::by_name("healthy").unwrap(),
    })
    .unwrap();
    let port = sim.tcp_port().expect("bound port");
    let mut t = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    t.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    t.write_all(&plist_packet(1, &request("ListDevices", &[])))
        .unwrap();
    let mut h = [0u8; 16];
    std::io::Read::read_exact(&mut t, &mut h).unwrap();
    let len = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
    assert!(len > 16 && len < 65536);
    assert_eq!(sim.audit()[0].request, "ListDevices");
    let log = std::fs::read_to_string(sim.audit_log_path()).unwrap();
    assert!(log.lines().next().unwrap().contains("\"ListDevices\""));
}

fn s_(v: &str) -> plist::Value {
    s(v)
}
