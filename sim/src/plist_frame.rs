//! Device-side framing used by lockdownd and its services: a 4-byte big-endian length
//! followed by a plist (XML from lockdownd and diagnostics_relay, binary from the
//! DeviceLink services such as mobilebackup2).

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Largest message accepted from a client. `Pair` requests carry a few certificates
/// (under 10 KiB); anything near this cap is garbage.
pub const MAX_MESSAGE: u32 = 1 << 20;

/// What reading one message produced.
#[derive(Debug)]
pub enum Frame {
    Message(plist::Value),
    /// A length above [`MAX_MESSAGE`].
    TooLong(u32),
    /// A payload that is not a plist.
    Unparseable,
    /// A TLS record arrived on a plaintext connection (first bytes 0x15/0x16/0x17 0x03).
    TlsRecord([u8; 4]),
    Closed,
    TimedOut,
}

/// Reads one length-prefixed plist. `idle` bounds the wait for the length, `body` the payload.
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R, idle: Duration, body: Duration) -> Frame {
    let mut len = [0u8; 4];
    match tokio::time::timeout(idle, r.read_exact(&mut len)).await {
        Err(_) => return Frame::TimedOut,
        Ok(Err(_)) => return Frame::Closed,
        Ok(Ok(_)) => {}
    }
    if matches!(len[0], 0x15..=0x17) && len[1] == 0x03 {
        return Frame::TlsRecord(len);
    }
    let n = u32::from_be_bytes(len);
    if n > MAX_MESSAGE {
        return Frame::TooLong(n);
    }
    let mut buf = vec![0u8; n as usize];
    match tokio::time::timeout(body, r.read_exact(&mut buf)).await {
        Err(_) => return Frame::TimedOut,
        Ok(Err(_)) => return Frame::Closed,
        Ok(Ok(_)) => {}
    }
    match plist::from_bytes::<plist::Value>(&buf) {
        Ok(v) => Frame::Message(v),
        Err(_) => Frame::Unparseable,
    }
}

/// Writes one length-prefixed XML plist.
pub async fn write_xml<W: AsyncWrite + Unpin>(w: &mut W, v: &plist::Value) -> std::io::Result<()> {
    let mut body = Vec::new();
    v.to_writer_xml(&mut body)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    write_raw(w, &body).await
}

/// Writes one length-prefixed binary plist.
pub async fn write_binary<W: AsyncWrite + Unpin>(
    w: &mut W,
    v: &plist::Value,
) -> std::io::Result<()> {
    let mut body = Vec::new();
    v.to_writer_binary(&mut body)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    write_raw(w, &body).await
}

async fn write_raw<W: AsyncWrite + Unpin>(w: &mut W, body: &[u8]) -> std::io::Result<()> {
    let mut out = Vec::with_capacity(4 + body.len());
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(body);
    let write = async {
        w.write_all(&out).await?;
        w.flush().await
    };
    match tokio::time::timeout(WRITE_DEADLINE, write).await {
        Ok(r) => r,
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "peer stopped reading",
        )),
    }
}

/// How long one answer may take to be written.
const WRITE_DEADLINE: Duration = Duration::from_secs(10);

/// Skips the rest of a small TLS record whose first four bytes were already read (used right
/// after `StopSession`, when a client may still send its close_notify alert). False for a
/// record too large to be an alert, or on a read failure.
pub async fn skip_tls_record<R: AsyncRead + Unpin>(
    r: &mut R,
    first4: [u8; 4],
    deadline: Duration,
) -> bool {
    // Record header: type(1) version(2) length(2); we have type, version and the first
    // length byte.
    let mut last = [0u8; 1];
    if tokio::time::timeout(deadline, r.read_exact(&mut last))
        .await
        .map(|r| r.is_err())
        .unwrap_or(true)
    {
        return false;
    }
    let len = u16::from_be_bytes([first4[3], last[0]]) as usize;
    // A close_notify is a few dozen bytes even encrypted; anything larger is application
    // data sent after StopSession, which the phone treats as garbage.
    if len > 64 {
        return false;
    }
    let mut buf = vec![0u8; len];
    tokio::time::timeout(deadline, r.read_exact(&mut buf))
        .await
        .map(|r| r.is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_are_capped_and_checked() {
        let d = Duration::from_secs(1);
        let mut huge: &[u8] = &[0xff, 0xff, 0xff, 0xf0];
        assert!(matches!(
            read_frame(&mut huge, d, d).await,
            Frame::TooLong(_)
        ));
        let mut tls: &[u8] = &[0x17, 0x03, 0x03, 0x00, 0x10];
        assert!(matches!(
            read_frame(&mut tls, d, d).await,
            Frame::TlsRecord(_)
        ));
        let mut junk: &[u8] = &[0, 0, 0, 2, b'h', b'i'];
        assert!(matches!(
            read_frame(&mut junk, d, d).await,
            Frame::Unparseable
        ));
        let mut buf = Vec::new();
        write_binary(
            &mut buf,
            &plist::Value::Array(vec!["DLMessageDeviceReady".into()]),
        )
        .await
        .unwrap();
        let mut r: &[u8] = &buf;
        match read_frame(&mut r, d, d).await {
            Frame::Message(v) => assert_eq!(v.as_array().unwrap().len(), 1),
            other => panic!("{other:?}"),
        }
    }
}
