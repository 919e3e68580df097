//! The byte stream between a client and a simulated phone after usbmuxd `Connect`: plain at
//! first, TLS after `StartSession` (or for SSL services), plain again after `StopSession`.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

/// Anything a client connection can be (UNIX or TCP socket).
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Io for T {}

/// Plain or TLS.
pub enum DevStream {
    Plain(Box<dyn Io>),
    Tls(Box<tokio_rustls::server::TlsStream<Box<dyn Io>>>),
}

impl DevStream {
    pub fn is_tls(&self) -> bool {
        matches!(self, DevStream::Tls(_))
    }

    /// Which certificate the TLS client presented (DER), if any.
    pub fn peer_cert(&self) -> Option<Vec<u8>> {
        match self {
            DevStream::Tls(t) => t
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|c| c.first())
                .map(|c| c.to_vec()),
            DevStream::Plain(_) => None,
        }
    }

    /// Runs the server side of a TLS handshake on a plain stream.
    pub async fn accept_tls(
        self,
        config: std::sync::Arc<rustls::ServerConfig>,
        deadline: Duration,
    ) -> Result<DevStream, String> {
        let plain = match self {
            DevStream::Plain(p) => p,
            tls @ DevStream::Tls(_) => return Ok(tls),
        };
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        match tokio::time::timeout(deadline, acceptor.accept(plain)).await {
            Err(_) => Err("TLS handshake timed out".into()),
            Ok(Err(e)) => Err(format!("TLS handshake failed: {e}")),
            Ok(Ok(t)) => Ok(DevStream::Tls(Box::new(t))),
        }
    }

    /// Ends TLS (close_notify) and returns to the plain stream, as the phone does after
    /// `StopSession`.
    pub async fn downgrade(self) -> DevStream {
        match self {
            DevStream::Tls(mut t) => {
                t.get_mut().1.send_close_notify();
                let _ = tokio::time::timeout(Duration::from_secs(2), t.flush()).await;
                DevStream::Plain(t.into_inner().0)
            }
            plain => plain,
        }
    }
}

/// Makes the phone refuse a TLS handshake: waits for the ClientHello, answers with a fatal
/// `handshake_failure` alert and closes.
pub async fn fail_tls_handshake(stream: &mut DevStream) {
    let mut buf = [0u8; 512];
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await;
    let _ = stream
        .write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])
        .await;
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}

impl AsyncRead for DevStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            DevStream::Plain(p) => Pin::new(p).poll_read(cx, buf),
            DevStream::Tls(t) => Pin::new(t).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for DevStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            DevStream::Plain(p) => Pin::new(p).poll_write(cx, buf),
            DevStream::Tls(t) => Pin::new(t).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            DevStream::Plain(p) => Pin::new(p).poll_flush(cx),
            DevStream::Tls(t) => Pin::new(t).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            DevStream::Plain(p) => Pin::new(p).poll_shutdown(cx),
            DevStream::Tls(t) => Pin::new(t).poll_shutdown(cx),
        }
    }
}
