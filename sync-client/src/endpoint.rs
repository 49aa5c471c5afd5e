//! Where the hub is, and which certificate it must present.

use std::net::IpAddr;

use crdt_sync::sync::CertFingerprint;
use tokio_tungstenite::tungstenite::http::Uri;

/// The hub's port when an address names none.
pub const DEFAULT_PORT: u16 = 7878;

/// The hub as a device reaches it: `wss://host:port` with the fingerprint
/// of the certificate pinned at enrolment, or `ws://` on loopback (in-process
/// tests and a hub on the same machine; the credential never crosses a
/// network in the clear).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    tls: bool,
    host: String,
    port: u16,
    pin: Option<CertFingerprint>,
}

/// An address that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Not an address at all.
    #[error("{0:?} is not a hub address: write it as hub.example.org:7878 or wss://hub.example.org:7878")]
    Malformed(String),
    /// A scheme other than wss/https/ws/http.
    #[error("{0:?}: the hub is reached with wss:// (or ws:// on this computer only)")]
    Scheme(String),
    /// `ws://` to another machine.
    #[error("{0:?}: without TLS the device's credential would cross the network in the clear; use wss://")]
    Insecure(String),
}

impl Endpoint {
    /// Reads an address as a person types it: `hub.example.org`,
    /// `hub.example.org:7878`, `wss://…`, `https://…` (all TLS), or `ws://`
    /// / `http://` for a hub on this computer. A trailing `/` is ignored.
    pub fn parse(text: &str) -> Result<Endpoint, EndpointError> {
        let trimmed = text.trim();
        let malformed = || EndpointError::Malformed(trimmed.to_owned());
        let with_scheme = match trimmed.split_once("://") {
            Some((scheme, rest)) => format!("{scheme}://{}", rest.trim_end_matches('/')),
            None => format!("wss://{}", trimmed.trim_end_matches('/')),
        };
        if with_scheme.ends_with(':') {
            return Err(malformed());
        }
        let uri: Uri = with_scheme.parse().map_err(|_| malformed())?;
        let tls = match uri.scheme_str() {
            Some("wss" | "https") => true,
            Some("ws" | "http") => false,
            _ => return Err(EndpointError::Scheme(trimmed.to_owned())),
        };
        if uri.path_and_query().is_some_and(|p| p.as_str() != "/" && !p.as_str().is_empty()) {
            return Err(malformed());
        }
        let host = uri.host().filter(|h| !h.is_empty()).ok_or_else(malformed)?;
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        let endpoint = Endpoint { tls, host, port: uri.port_u16().unwrap_or(DEFAULT_PORT), pin: None };
        if !tls && !endpoint.is_loopback() {
            return Err(EndpointError::Insecure(trimmed.to_owned()));
        }
        Ok(endpoint)
    }

    /// The same hub, whose certificate must have `pin` as fingerprint.
    pub fn pinned(mut self, pin: CertFingerprint) -> Endpoint {
        self.pin = Some(pin);
        self
    }

    /// The pinned fingerprint, if any.
    pub fn pin(&self) -> Option<CertFingerprint> {
        self.pin
    }

    /// Whether the connection is TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Host name or address (without brackets for IPv6).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `host:port`, for a TCP connect.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The WebSocket URL of `path` (`/sync`, `/enroll`).
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{path}", if self.tls { "wss" } else { "ws" }, self.authority())
    }

    fn is_loopback(&self) -> bool {
        self.host.eq_ignore_ascii_case("localhost")
            || self.host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

impl std::fmt::Display for Endpoint {
    /// The address as it is stored and shown: `wss://host:port`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_as_people_type_them() {
        let e = Endpoint::parse(" hub.example.org ").expect("bare host");
        assert_eq!(e.to_string(), "wss://hub.example.org:7878");
        assert!(e.is_tls());
        assert_eq!(
            Endpoint::parse("https://hub.example.org:9000/").expect("https").url("/sync"),
            "wss://hub.example.org:9000/sync"
        );
        assert_eq!(
            Endpoint::parse("ws://127.0.0.1:4000").expect("loopback").url("/sync"),
            "ws://127.0.0.1:4000/sync"
        );
        assert_eq!(Endpoint::parse("ws://[::1]:4000").expect("v6 loopback").authority(), "[::1]:4000");
        assert_eq!(Endpoint::parse("wss://10.0.0.2").expect("ip").authority(), "10.0.0.2:7878");
        assert_eq!(Endpoint::parse("ws://localhost:1").expect("localhost").host(), "localhost");
    }

    #[test]
    fn addresses_that_cannot_be_used_are_refused_with_a_reason() {
        assert!(matches!(Endpoint::parse("ws://hub.example.org"), Err(EndpointError::Insecure(_))));
        assert!(matches!(Endpoint::parse("http://192.168.1.4:7878"), Err(EndpointError::Insecure(_))));
        assert!(matches!(Endpoint::parse("ftp://hub"), Err(EndpointError::Scheme(_))));
        assert!(matches!(Endpoint::parse(""), Err(EndpointError::Malformed(_))));
        assert!(matches!(Endpoint::parse("wss://hub/sync"), Err(EndpointError::Malformed(_))));
        assert!(matches!(Endpoint::parse("wss://"), Err(EndpointError::Malformed(_))));
        assert!(matches!(Endpoint::parse("hub example"), Err(EndpointError::Malformed(_))));
    }

    #[test]
    fn a_pin_travels_with_the_address() {
        let pin = CertFingerprint([7; 32]);
        let e = Endpoint::parse("hub:1").expect("hub").pinned(pin);
        assert_eq!(e.pin(), Some(pin));
        assert_eq!(e.to_string(), "wss://hub:1", "the pin is stored apart");
    }
}
