//! A guard for the one conversation we leave to the idevice crate (`Pair`
//! under `--request-trust`): idevice allocates whatever length a frame
//! announces. This wrapper reads the 4-byte big-endian length of each frame
//! first and fails the read when it is over the limit, so an absurd length
//! never reaches idevice.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::probe::transport::plist_stream::{DeviceStream, MAX_MESSAGE_BYTES};

pub struct BoundedFrames {
    inner: DeviceStream,
    /// Header bytes read but not yet checked.
    header: Vec<u8>,
    /// Checked bytes not yet handed to the reader.
    out: Vec<u8>,
    /// Body bytes of the current frame still to come.
    body_left: usize,
    /// Cleared once the framed part is over (TLS follows `StartSession`).
    active: Arc<AtomicBool>,
}

impl std::fmt::Debug for BoundedFrames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BoundedFrames")
    }
}

impl BoundedFrames {
    /// The guard, and the switch that turns it into a plain pass-through.
    pub fn new(inner: DeviceStream) -> (Self, Arc<AtomicBool>) {
        let active = Arc::new(AtomicBool::new(true));
        let guard = Self {
            inner,
            header: Vec::with_capacity(4),
            out: Vec::new(),
            body_left: 0,
            active: active.clone(),
        };
        (guard, active)
    }
}

impl AsyncRead for BoundedFrames {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        loop {
            if !this.active.load(Ordering::Relaxed) && this.out.is_empty() {
                return Pin::new(&mut this.inner).poll_read(cx, buf);
            }
            if !this.out.is_empty() {
                let n = buf.remaining().min(this.out.len());
                buf.put_slice(&this.out[..n]);
                this.out.drain(..n);
                return Poll::Ready(Ok(()));
            }
            if buf.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            let want = if this.body_left > 0 {
                this.body_left.min(64 * 1024)
            } else {
                4 - this.header.len()
            };
            let mut tmp = vec![0u8; want];
            let mut rb = ReadBuf::new(&mut tmp);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut rb))?;
            let got = rb.filled();
            if got.is_empty() {
                return Poll::Ready(Ok(())); // end of stream
            }
            if this.body_left > 0 {
                this.body_left -= got.len();
                this.out.extend_from_slice(got);
                continue;
            }
            this.header.extend_from_slice(got);
            if this.header.len() == 4 {
                let len = u32::from_be_bytes([
                    this.header[0],
                    this.header[1],
                    this.header[2],
                    this.header[3],
                ]);
                if len > MAX_MESSAGE_BYTES {
                    return Poll::Ready(Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("a frame announces {len} bytes; refusing anything over {MAX_MESSAGE_BYTES}"),
                    )));
                }
                this.body_left = len as usize;
                this.out.append(&mut this.header);
            }
        }
    }
}

impl AsyncWrite for BoundedFrames {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, data)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn through(bytes: Vec<u8>) -> std::io::Result<Vec<u8>> {
        let (client, mut server) = tokio::io::duplex(64);
        tokio::spawn(async move {
            // Small pieces, to split headers across reads.
            for chunk in bytes.chunks(3) {
                let _ = server.write_all(chunk).await;
            }
        });
        let (mut b, _switch) = BoundedFrames::new(Box::new(client));
        let mut got = Vec::new();
        b.read_to_end(&mut got).await?;
        Ok(got)
    }

    #[tokio::test]
    async fn passes_frames_through_unchanged() {
        let frame = [&[0u8, 0, 0, 5][..], b"hello", &[0, 0, 0, 2], b"ok"].concat();
        assert_eq!(through(frame.clone()).await.unwrap(), frame);
    }

    #[tokio::test]
    async fn switched_off_it_passes_anything() {
        let (client, mut server) = tokio::io::duplex(64);
        let (mut b, switch) = BoundedFrames::new(Box::new(client));
        switch.store(false, Ordering::Relaxed);
        server
            .write_all(&[0x16, 0x03, 0x03, 0x00, 0x7a])
            .await
            .unwrap();
        drop(server);
        let mut got = Vec::new();
        b.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, [0x16, 0x03, 0x03, 0x00, 0x7a]);
    }

    #[tokio::test]
    async fn refuses_an_absurd_length_before_anyone_allocates_it() {
        let frame = [&[0u8, 0, 0, 2][..], b"ok", &[0xff, 0xff, 0xff, 0xf0]].concat();
        let err = through(frame).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    }
}
