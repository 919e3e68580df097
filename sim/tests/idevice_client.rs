//! The product's own client stack (idevice 0.1.68, rustls/aws-lc) against the simulator:
//! exactly the calls a diagnosis makes.
#![cfg(unix)]

mod common;

use std::time::Duration;

use common::*;
use idevice::lockdown::LockdownClient;
use idevice::mobilebackup2::MobileBackup2Client;
use idevice::usbmuxd::{Connection, UsbmuxdAddr};
use idevice::{IdeviceError, IdeviceService};

const HEALTHY_UDID: &str = "c28d82f1df2580e648ad0225461d5592b8558bf7";

fn addr(r: &Running) -> UsbmuxdAddr {
    UsbmuxdAddr::UnixSocket(r.socket().display().to_string())
}

async fn within<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("idevice call finished in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_read_only_diagnosis_flow() {
    // Started from inside a tokio runtime on purpose.
    let r = start("healthy");
    let a = addr(&r);
    let mut mux = within(a.connect(0)).await.unwrap();
    let devices = within(mux.get_devices()).await.unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].udid, HEALTHY_UDID);
    assert_eq!(devices[0].connection_type, Connection::Usb);
    let buid = within(mux.get_buid()).await.unwrap();
    assert_eq!(buid, r.sim.buid());
    let pairing = within(mux.get_pair_record(HEALTHY_UDID)).await.unwrap();
    assert_eq!(Some(pairing.host_id.clone()), r.sim.host_id(HEALTHY_UDID));

    let idev = within(a.connect(1).await.unwrap().connect_to_device(
        devices[0].device_id,
        62078,
        "test",
    ))
    .await
    .unwrap();
    let mut ld = LockdownClient::new(idev);
    let pre = within(ld.get_value(Some("ProductVersion"), None))
        .await
        .unwrap();
    assert_eq!(pre.as_string(), Some("16.7.2"));
    within(ld.start_session(&pairing)).await.unwrap();
    let backup = within(ld.get_value(None, Some("com.apple.mobile.backup")))
        .await
        .unwrap();
    let backup = backup.as_dictionary().unwrap();
    assert_eq!(backup["WillEncrypt"].as_boolean(), Some(false));
    assert_eq!(backup["CloudBackupEnabled"].as_boolean(), Some(false));
    let disk = within(ld.get_value(None, Some("com.apple.disk_usage")))
        .await
        .unwrap();
    assert_eq!(
        disk.as_dictionary().unwrap()["TotalDataCapacity"].as_unsigned_integer(),
        Some(15_715_639_296)
    );
    let battery = within(ld.get_value(
        Some("BatteryCurrentCapacity"),
        Some("com.apple.mobile.battery"),
    ))
    .await
    .unwrap();
    assert_eq!(battery.as_unsigned_integer(), Some(87));
    let locked = within(ld.get_value(Some("PasswordProtected"), None))
        .await
        .unwrap();
    assert_eq!(locked.as_boolean(), Some(false));
    let missing = within(ld.get_value(Some("NoSuchKey"), None)).await;
    assert!(missing.is_err());

    // diagnostics_relay inside the same session: IORegistry AppleSmartBattery.
    let (port, ssl) = within(ld.start_service("com.apple.mobile.diagnostics_relay"))
        .await
        .unwrap();
    assert!(!ssl);
    let mut diag = within(a.connect(2).await.unwrap().connect_to_device(
        devices[0].device_id,
        port,
        "diag",
    ))
    .await
    .unwrap();
    let mut req = plist::Dictionary::new();
    req.insert("Request".into(), "IORegistry".into());
    req.insert("EntryClass".into(), "AppleSmartBattery".into());
    let mut body = Vec::new();
    plist::Value::Dictionary(req)
        .to_writer_xml(&mut body)
        .unwrap();
    let mut frame = (body.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(&body);
    within(diag.send_raw(&frame)).await.unwrap();
    let len = within(diag.read_raw(4)).await.unwrap();
    let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
    assert!(len < 1 << 20);
    let answer: plist::Dictionary =
        plist::from_bytes(&within(diag.read_raw(len)).await.unwrap()).unwrap();
    assert_eq!(answer["Status"].as_string(), Some("Success"));
    let ioreg = answer["Diagnostics"].as_dictionary().unwrap()["IORegistry"]
        .as_dictionary()
        .unwrap();
    assert_eq!(ioreg["CurrentCapacity"].as_unsigned_integer(), Some(87));

    // mobilebackup2: the provider path (StartSession, StartService, Connect, version
    // exchange, Hello) that IdeviceService::connect takes.
    let provider = devices[0].to_provider(a.clone(), "test");
    let mb2 = within(MobileBackup2Client::connect(&provider))
        .await
        .unwrap();
    assert_eq!(mb2.protocol_version, 2.1);
    drop(mb2);
    drop(ld);

    let audit = r.sim.audit();
    let names: Vec<&str> = audit.iter().map(|e| e.request.as_str()).collect();
    for expected in [
        "ListDevices",
        "ReadBUID",
        "ReadPairRecord",
        "StartSession",
        "TLSHandshake",
        "GetValue",
        "StartService",
        "DLMessageVersionExchange",
        "Hello",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    let tls = audit.iter().find(|e| e.request == "TLSHandshake").unwrap();
    assert_eq!(
        tls.detail.as_deref(),
        Some("client presented HostCertificate")
    );
    assert!(
        r.sim.writes().is_empty(),
        "read-only flow wrote: {:?}",
        r.sim.writes()
    );
    assert_eq!(r.sim.panics(), 0);
    // The session id the phone handed out is a secret too.
    assert!(r
        .sim
        .secrets()
        .iter()
        .any(|s| s.len() == 36 && s.contains('-')));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_ssl_path_works() {
    let mut sc = iphone_sim::Scenario::by_name("healthy").unwrap();
    sc.devices[0].services.service_ssl = true;
    let r = start_scenario(sc);
    let a = addr(&r);
    let dev = within(a.connect(0).await.unwrap().get_devices())
        .await
        .unwrap()[0]
        .clone();
    let mb2 = within(MobileBackup2Client::connect(&dev.to_provider(a, "t")))
        .await
        .unwrap();
    assert_eq!(mb2.protocol_version, 2.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trust_refusals_arrive_typed() {
    let r = start("trust_reset");
    let a = addr(&r);
    let mut mux = within(a.connect(0)).await.unwrap();
    let pairing = within(mux.get_pair_record(HEALTHY_UDID)).await.unwrap();
    let idev = within(a.connect(1).await.unwrap().connect_to_device(1, 62078, "t"))
        .await
        .unwrap();
    let mut ld = LockdownClient::new(idev);
    let err = within(ld.start_session(&pairing)).await.unwrap_err();
    assert!(matches!(err, IdeviceError::InvalidHostID), "{err:?}");

    let r = start("no_pair_record");
    let mut mux = within(addr(&r).connect(0)).await.unwrap();
    assert!(within(mux.get_pair_record(HEALTHY_UDID)).await.is_err());

    let r = start("user_denied");
    let idev = within(
        addr(&r)
            .connect(1)
            .await
            .unwrap()
            .connect_to_device(1, 62078, "t"),
    )
    .await
    .unwrap();
    let mut ld = LockdownClient::new(idev);
    // idevice generates an RSA 2048 key with the pure-Rust `rsa` crate before sending Pair:
    // seconds in a debug build, much more on a loaded machine, hence the long deadline.
    let pair = ld.pair_once("00000000-0000-4000-A000-000000000000", "BUID", None);
    let err = tokio::time::timeout(Duration::from_secs(180), pair)
        .await
        .expect("pair_once finished in time")
        .unwrap_err();
    assert!(matches!(err, IdeviceError::UserDeniedPairing), "{err:?}");
    assert_eq!(r.sim.writes().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_service_refusal_and_old_devicelink_version() {
    let r = start("backup_service_refused");
    let a = addr(&r);
    let dev = within(a.connect(0).await.unwrap().get_devices())
        .await
        .unwrap()[0]
        .clone();
    let res = within(MobileBackup2Client::connect(&dev.to_provider(a, "t"))).await;
    assert!(
        res.is_err(),
        "Hello with ErrorCode 1 must fail the handshake"
    );
    let dl = r
        .sim
        .audit()
        .into_iter()
        .find(|e| e.request == "DLMessageVersionExchange")
        .unwrap();
    assert!(dl.detail.unwrap().starts_with("DLVersionsOk"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wifi_device_is_typed_network() {
    let r = start("wifi_only");
    let devs = within(addr(&r).connect(0).await.unwrap().get_devices())
        .await
        .unwrap();
    assert_eq!(
        devs[0].connection_type,
        Connection::Network("192.168.1.23".parse().unwrap())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_sees_unplug_and_replug_with_a_new_id() {
    use futures_util::StreamExt;
    use idevice::usbmuxd::UsbmuxdListenEvent;
    let r = start("detach_reattach");
    let mut mux = within(addr(&r).connect(0)).await.unwrap();
    let mut events = within(mux.listen()).await.unwrap();
    let mut seen = Vec::new();
    while seen.len() < 3 {
        match within(events.next()).await {
            Some(Ok(UsbmuxdListenEvent::Connected(d))) => {
                seen.push(format!("+{}:{}", d.device_id, d.udid))
            }
            Some(Ok(UsbmuxdListenEvent::Disconnected(id))) => seen.push(format!("-{id}")),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(
        seen,
        [
            format!("+1:{HEALTHY_UDID}"),
            "-1".to_string(),
            format!("+2:{HEALTHY_UDID}")
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_phones_each_have_their_own_record() {
    let r = start("two_phones");
    let a = addr(&r);
    let mut mux = within(a.connect(0)).await.unwrap();
    let devices = within(mux.get_devices()).await.unwrap();
    assert_eq!(devices.len(), 2);
    for d in &devices {
        let pairing = within(mux.get_pair_record(&d.udid)).await.unwrap();
        let idev = within(
            a.connect(1)
                .await
                .unwrap()
                .connect_to_device(d.device_id, 62078, "t"),
        )
        .await
        .unwrap();
        let mut ld = LockdownClient::new(idev);
        within(ld.start_session(&pairing)).await.unwrap();
        let udid = within(ld.get_value(Some("UniqueDeviceID"), None))
            .await
            .unwrap();
        assert_eq!(udid.as_string(), Some(d.udid.as_str()));
    }
    assert_ne!(
        r.sim.host_id(&devices[0].udid),
        r.sim.host_id(&devices[1].udid)
    );
}
