//! Reading exactly a frame's worth of bytes from a peer, with a peer that
//! hangs up mid-frame reported as `closed` in the caller's words.

use tokio::io::{AsyncRead, AsyncReadExt};

use super::deadline::io_failure;
use crate::snapshot::{Failure, FailureKind};

/// Fills `buf`. When the peer closes first, `closed(filled)` words the
/// failure; other read errors are mapped with `context`.
pub async fn read_full(
    stream: &mut (impl AsyncRead + Unpin + ?Sized),
    buf: &mut [u8],
    context: &str,
    closed: impl FnOnce(usize) -> String,
) -> Result<(), Failure> {
    let mut filled = 0;
    while filled < buf.len() {
        match stream.read(&mut buf[filled..]).await {
            Ok(0) => return Err(Failure::new(FailureKind::Closed, closed(filled))),
            Ok(n) => filled += n,
            Err(e) => return Err(io_failure(context, &e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn reports_how_far_it_got() {
        let (mut client, mut server) = tokio::io::duplex(64);
        server.write_all(b"abc").await.unwrap();
        drop(server);
        let mut buf = [0u8; 8];
        let f = read_full(&mut client, &mut buf, "read", |n| {
            format!("closed after {n}")
        })
        .await
        .unwrap_err();
        assert_eq!(
            (f.kind, f.message.as_str()),
            (FailureKind::Closed, "closed after 3")
        );
    }

    #[tokio::test]
    async fn fills_across_short_reads() {
        let (mut client, mut server) = tokio::io::duplex(2);
        tokio::spawn(async move { server.write_all(b"abcdef").await });
        let mut buf = [0u8; 6];
        read_full(&mut client, &mut buf, "read", |_| String::new())
            .await
            .unwrap();
        assert_eq!(&buf, b"abcdef");
    }
}
