//! Where usbmuxd listens: `--usbmuxd`, else `USBMUXD_SOCKET_ADDRESS`, else
//! the platform default. Parsed here, not by the idevice crate, whose own
//! parser reads the environment itself and cannot read `UNIX:/path`.

use std::path::PathBuf;

use crate::platform::HostEnv;
use crate::snapshot::{MuxAddress, MuxAddressSource, OsFamily};

/// A usbmuxd endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MuxEndpoint {
    Unix(PathBuf),
    /// `host:port`, host kept as given (a name or an IP literal).
    Tcp {
        host: String,
        port: u16,
    },
}

impl MuxEndpoint {
    pub fn display(&self) -> String {
        match self {
            Self::Unix(p) => format!("unix:{}", p.display()),
            Self::Tcp { host, port } if host.contains(':') => format!("tcp:[{host}]:{port}"),
            Self::Tcp { host, port } => format!("tcp:{host}:{port}"),
        }
    }
}

/// Why an address could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{given}' is not a usbmuxd address ({why}); use UNIX:/path, /path or host:port")]
pub struct BadMuxAddress {
    pub given: String,
    pub why: &'static str,
}

/// A usbmuxd address setting that cannot be used, and which setting it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {error}")]
pub struct UnusableMuxSetting {
    pub setting: &'static str,
    pub error: BadMuxAddress,
}

/// Parses the forms libusbmuxd and the idevice crate accept:
/// `UNIX:/path` (any case), a bare path, `host:port`, `[v6]:port`.
pub fn parse_mux_address(given: &str) -> Result<MuxEndpoint, BadMuxAddress> {
    let bad = |why| BadMuxAddress {
        given: given.to_string(),
        why,
    };
    let s = given.trim();
    if s.is_empty() {
        return Err(bad("empty"));
    }
    // `get`, not `s[..5]`: byte 5 may fall inside a multi-byte character.
    if let Some(path) = s
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("unix:"))
        .map(|_| &s[5..])
    {
        if path.is_empty() {
            return Err(bad("no path after UNIX:"));
        }
        return Ok(MuxEndpoint::Unix(PathBuf::from(path)));
    }
    if s.starts_with('/') || s.starts_with('.') || !s.contains(':') {
        return Ok(MuxEndpoint::Unix(PathBuf::from(s)));
    }
    let s = s
        .strip_prefix("tcp:")
        .or_else(|| s.strip_prefix("TCP:"))
        .unwrap_or(s);
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| bad("no closing ]"))?;
        let port = after
            .strip_prefix(':')
            .ok_or_else(|| bad("no port after ]"))?;
        (host, port)
    } else {
        s.rsplit_once(':').ok_or_else(|| bad("no port"))?
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let port: u16 = port
        .parse()
        .map_err(|_| bad("port is not a number from 1 to 65535"))?;
    if port == 0 {
        return Err(bad("port 0"));
    }
    Ok(MuxEndpoint::Tcp {
        host: host.to_string(),
        port,
    })
}

/// The platform's default endpoint.
pub fn default_endpoint(os: OsFamily) -> MuxEndpoint {
    match os {
        OsFamily::Windows => MuxEndpoint::Tcp {
            host: "127.0.0.1".into(),
            port: 27015,
        },
        _ => MuxEndpoint::Unix(PathBuf::from("/var/run/usbmuxd")),
    }
}

/// Chooses the endpoint from the flag, the environment, or the default, and
/// says where it came from.
pub fn resolve(
    flag: Option<&str>,
    env: &HostEnv,
) -> Result<(MuxEndpoint, MuxAddress), UnusableMuxSetting> {
    let (endpoint, source) = if let Some(f) = flag {
        let endpoint = parse_mux_address(f).map_err(|e| UnusableMuxSetting {
            setting: "--usbmuxd",
            error: e,
        })?;
        (endpoint, MuxAddressSource::Flag)
    } else if let Some(v) = env.var("USBMUXD_SOCKET_ADDRESS") {
        let endpoint = parse_mux_address(v).map_err(|e| UnusableMuxSetting {
            setting: "USBMUXD_SOCKET_ADDRESS",
            error: e,
        })?;
        (endpoint, MuxAddressSource::Env)
    } else {
        (default_endpoint(env.os), MuxAddressSource::Default)
    };
    let address = MuxAddress {
        display: endpoint.display(),
        source,
    };
    Ok((endpoint, address))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(p: &str) -> MuxEndpoint {
        MuxEndpoint::Unix(PathBuf::from(p))
    }

    fn tcp(h: &str, port: u16) -> MuxEndpoint {
        MuxEndpoint::Tcp {
            host: h.into(),
            port,
        }
    }

    #[test]
    fn every_accepted_form() {
        let cases = [
            ("UNIX:/tmp/mux", unix("/tmp/mux")),
            ("unix:/var/run/usbmuxd", unix("/var/run/usbmuxd")),
            ("/var/run/usbmuxd", unix("/var/run/usbmuxd")),
            ("./sock", unix("./sock")),
            ("sock", unix("sock")),
            ("127.0.0.1:27015", tcp("127.0.0.1", 27015)),
            ("localhost:27015", tcp("localhost", 27015)),
            ("[::1]:27015", tcp("::1", 27015)),
            ("tcp:127.0.0.1:5000", tcp("127.0.0.1", 5000)),
        ];
        for (given, want) in cases {
            assert_eq!(parse_mux_address(given), Ok(want), "{given}");
        }
    }

    #[test]
    fn multi_byte_characters_near_the_prefix_do_not_panic() {
        // 'é' spans bytes 4 and 5: slicing at 5 used to panic.
        assert_eq!(parse_mux_address("abcdé:1"), Ok(tcp("abcdé", 1)));
        assert_eq!(parse_mux_address("unixé"), Ok(unix("unixé")));
    }

    #[test]
    fn rejects_nonsense_with_a_reason() {
        for bad in [
            "",
            "UNIX:",
            "host:notaport",
            "host:0",
            "host:70000",
            ":27015",
            "[::1]27015",
        ] {
            let err = parse_mux_address(bad).unwrap_err();
            assert!(!err.why.is_empty(), "{bad}");
        }
    }

    #[test]
    fn flag_beats_env_beats_default() {
        let mut env = HostEnv {
            os: OsFamily::Linux,
            ..Default::default()
        };
        let (_, a) = resolve(None, &env).unwrap();
        assert_eq!(
            (a.display.as_str(), a.source),
            ("unix:/var/run/usbmuxd", MuxAddressSource::Default)
        );
        env.vars
            .insert("USBMUXD_SOCKET_ADDRESS".into(), "UNIX:/tmp/x".into());
        let (_, a) = resolve(None, &env).unwrap();
        assert_eq!(
            (a.display.as_str(), a.source),
            ("unix:/tmp/x", MuxAddressSource::Env)
        );
        let (_, a) = resolve(Some("127.0.0.1:1"), &env).unwrap();
        assert_eq!(
            (a.display.as_str(), a.source),
            ("tcp:127.0.0.1:1", MuxAddressSource::Flag)
        );
    }

    #[test]
    fn windows_default_is_tcp_27015() {
        assert_eq!(default_endpoint(OsFamily::Windows), tcp("127.0.0.1", 27015));
    }
}
