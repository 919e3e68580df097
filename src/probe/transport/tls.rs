//! TLS with the pair record's keys, for a lockdown session or a service,
//! through idevice (its logging silenced: it would print the handshake), and
//! what kind of failure a failed handshake was.

use super::budget::Budget;
use super::plist_stream::PlistStream;
use super::LABEL;
use crate::snapshot::TlsFailure;

/// Upgrades a lockdown or service connection to TLS with the pair record.
/// The handshake runs in its own task, so a panic inside idevice (an
/// `unwrap` on a key it cannot load) is a failure of this phone, not a lost
/// probe.
pub async fn upgrade(
    plain: PlistStream,
    pf: &idevice::pairing_file::PairingFile,
    budget: Budget,
) -> Result<PlistStream, (TlsFailure, String)> {
    use tracing::instrument::WithSubscriber;
    let mut dev = idevice::Idevice::new(plain.into_inner(), LABEL);
    let pf = pf.clone();
    let handshake = tokio::spawn(
        async move {
            let r = dev.start_session(&pf, false).await;
            (dev, r)
        }
        .with_subscriber(tracing::subscriber::NoSubscriber::default()),
    );
    match tokio::time::timeout_at(budget.op().instant(), handshake).await {
        Ok(Ok((dev, Ok(())))) => match dev.get_socket() {
            Some(sock) => Ok(PlistStream::new(sock)),
            None => Err((TlsFailure::Closed, "the TLS connection was lost".into())),
        },
        Ok(Ok((_, Err(e)))) => Err((failure_kind(&e), format!("TLS handshake failed: {e}"))),
        Ok(Err(_)) => Err((
            TlsFailure::Crashed,
            "the TLS code (idevice) crashed on this pair record's keys".into(),
        )),
        Err(_) => Err((
            TlsFailure::TimedOut,
            "TLS handshake: no answer before the deadline".into(),
        )),
    }
}

/// What kind of TLS failure idevice reported: the phone closing the
/// connection is told apart from an alert or a local error.
fn failure_kind(e: &idevice::IdeviceError) -> TlsFailure {
    let text = e.to_string().to_ascii_lowercase();
    match e {
        idevice::IdeviceError::Socket(io) => match io.kind() {
            std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::BrokenPipe => TlsFailure::Closed,
            _ if text.contains("alert") => TlsFailure::Alert,
            _ => TlsFailure::Other,
        },
        _ if text.contains("alert") => TlsFailure::Alert,
        _ if text.contains("eof") || text.contains("closed") || text.contains("reset") => {
            TlsFailure::Closed
        }
        _ => TlsFailure::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_socket_is_told_apart_from_other_failures() {
        let closed =
            idevice::IdeviceError::Socket(std::io::Error::from(std::io::ErrorKind::UnexpectedEof));
        assert_eq!(failure_kind(&closed), TlsFailure::Closed);
        let other =
            idevice::IdeviceError::Socket(std::io::Error::from(std::io::ErrorKind::InvalidData));
        assert_eq!(failure_kind(&other), TlsFailure::Other);
    }
}
