//! The byte stream under the WebSocket: TCP, with TLS whose certificate is
//! checked against a pin (every sync) or a pairing code (enrolment), never
//! against certificate authorities.

use std::sync::{Arc, Mutex};

use crdt_sync::sync::{CertFingerprint, PairingCode};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::{ClientError, Endpoint};

/// A connection to the hub, plain or TLS.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// What `open` returns.
pub type Transport = Box<dyn Io>;

/// Which certificate the hub must present.
#[derive(Clone, Debug)]
pub(crate) enum Trust {
    /// The endpoint's pin.
    Pinned,
    /// Whatever passes the pairing code's check (enrolment).
    Code(PairingCode),
}

/// Connects to `endpoint` and, for `wss`, completes a TLS handshake that
/// succeeds only if the hub's certificate is the trusted one. Returns the
/// stream and the fingerprint of the certificate the hub presented.
pub(crate) async fn open(
    endpoint: &Endpoint,
    trust: Trust,
) -> Result<(Transport, Option<CertFingerprint>), ClientError> {
    let tcp = TcpStream::connect(endpoint.authority()).await?;
    let _ = tcp.set_nodelay(true);
    if !endpoint.is_tls() {
        return Ok((Box::new(tcp), None));
    }
    let expect = match trust {
        Trust::Pinned => Expect::Pin(endpoint.pin().ok_or(ClientError::NotPinned)?),
        Trust::Code(code) if code.check.is_some() => Expect::Code(code),
        Trust::Code(_) => return Err(ClientError::CodeIncomplete),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(PinVerifier {
        expect,
        seen: Mutex::new(None),
        algorithms: provider.signature_verification_algorithms,
    });
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Protocol(format!("TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let name = ServerName::try_from(endpoint.host().to_owned())
        .map_err(|_| ClientError::Protocol(format!("{:?} is not a host name", endpoint.host())))?;
    let handshake = TlsConnector::from(Arc::new(config)).connect(name, tcp).await;
    let seen = verifier.seen.lock().map(|s| *s).unwrap_or(None);
    match handshake {
        Ok(tls) => Ok((Box::new(tls), seen)),
        Err(e) if verifier.rejected() => {
            tracing::warn!(error = %e, presented = ?seen, "the hub's certificate was refused");
            Err(match verifier.expect {
                Expect::Pin(_) => ClientError::CertificateChanged,
                Expect::Code(_) => ClientError::CodeMismatch,
            })
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug)]
enum Expect {
    Pin(CertFingerprint),
    Code(PairingCode),
}

/// Accepts exactly the expected certificate. The handshake signature is
/// still verified with the certificate's key, so a copy of the certificate
/// without its key gets nowhere.
#[derive(Debug)]
struct PinVerifier {
    expect: Expect,
    seen: Mutex<Option<CertFingerprint>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinVerifier {
    fn rejected(&self) -> bool {
        self.seen.lock().ok().and_then(|s| *s).is_some_and(|fp| !self.accepts(&fp))
    }

    fn accepts(&self, fp: &CertFingerprint) -> bool {
        match &self.expect {
            Expect::Pin(pin) => pin == fp,
            Expect::Code(code) => code.matches(fp),
        }
    }
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let fp = CertFingerprint::of(end_entity.as_ref());
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(fp);
        }
        if self.accepts(&fp) {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
