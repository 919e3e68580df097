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
    w.write_all(&out).await?;
    w.flush().await
}

/// Skips the rest of a TLS record whose first four bytes were already read (used after
/// `StopSession`, when a client may still send its close_notify alert).
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
    let mut buf = vec![0u8; len.min(1 << 15)];
    tokio::time::timeout(deadline, r.read_exact(&mut buf))
        .await
        .map(|r| r.is_ok())
        .unwrap_or(false)
}
