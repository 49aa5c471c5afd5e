//! TLS for the hub: its certificate (one it is given, or a self-signed one
//! generated in the data directory) and a listener that hands axum
//! connections already through the TLS handshake.
//!
//! Devices do not check the certificate against any authority: they pin its
//! SHA-256 fingerprint, which they learn at enrolment and verify against the
//! check at the end of the pairing code (`crdt_sync::sync::pairing`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crdt_sync::sync::CertFingerprint;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::conn::{Addresses, Guarded};
use crate::error::{HubError, Result};
use crate::limits::Limits;

/// Finished handshakes waiting for axum to take them.
const BACKLOG: usize = 256;

/// The hub's certificate chain and key.
pub struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity").field("fingerprint", &self.fingerprint()).finish_non_exhaustive()
    }
}

/// Where the certificate and its key are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertPaths {
    /// PEM certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

impl Identity {
    /// Reads a PEM chain and key.
    pub fn load(paths: &CertPaths) -> Result<Identity> {
        let bad = |path: &Path, what: &str, e: rustls::pki_types::pem::Error| {
            HubError::Usage(format!("{}: not a PEM {what}: {e}", path.display()))
        };
        let chain = CertificateDer::pem_file_iter(&paths.cert)
            .map_err(|e| bad(&paths.cert, "certificate", e))?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| bad(&paths.cert, "certificate", e))?;
        if chain.is_empty() {
            return Err(HubError::Usage(format!("{}: no certificate in it", paths.cert.display())));
        }
        let key = PrivateKeyDer::from_pem_file(&paths.key).map_err(|e| bad(&paths.key, "private key", e))?;
        Ok(Identity { chain, key })
    }

    /// Generates a self-signed certificate (ECDSA P-256, valid until 4096:
    /// devices pin it, so it must never need renewing) and writes it to
    /// `paths`, the key readable by the owner only. Refuses to overwrite.
    pub fn generate(paths: &CertPaths) -> Result<Identity> {
        let names = vec!["taccuino-hub".to_owned(), "localhost".to_owned()];
        let made = rcgen::generate_simple_self_signed(names)
            .map_err(|e| HubError::Internal(format!("cannot generate a certificate: {e}")))?;
        for path in [&paths.cert, &paths.key] {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|source| HubError::Io { path: parent.to_owned(), source })?;
            }
        }
        write_new(&paths.key, made.signing_key.serialize_pem().as_bytes(), 0o600)?;
        write_new(&paths.cert, made.cert.pem().as_bytes(), 0o644)?;
        Identity::load(paths)
    }

    /// The fingerprint devices pin: SHA-256 of the leaf certificate.
    pub fn fingerprint(&self) -> CertFingerprint {
        CertFingerprint::of(self.chain.first().map(|c| c.as_ref()).unwrap_or_default())
    }

    /// A rustls server configuration (ring provider, TLS 1.2 and 1.3,
    /// HTTP/1.1 only: the WebSocket upgrade needs it).
    pub fn server_config(&self) -> Result<Arc<ServerConfig>> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| HubError::Internal(format!("TLS: {e}")))?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .map_err(|e| HubError::Usage(format!("the certificate and key do not go together: {e}")))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    use std::io::Write;
    let io = |source| HubError::Io { path: path.to_owned(), source };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = options.open(path).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)
}

/// A listener for `axum::serve` whose connections have finished the TLS
/// handshake. Handshakes run in their own tasks, so a slow or silent client
/// holds up nobody else; those that fail or time out are logged and dropped.
/// Each connection first claims a place for its address (`conn.rs`): over
/// the limit it is closed before any TLS work.
pub struct TlsListener {
    ready: mpsc::Receiver<(Guarded<TlsStream<TcpStream>>, SocketAddr)>,
    local: SocketAddr,
    accept_task: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    /// Wraps a bound TCP listener, with the default limits.
    pub fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> std::io::Result<TlsListener> {
        TlsListener::with_limits(tcp, config, &Limits::default())
    }

    /// Wraps a bound TCP listener: `limits.handshake` for the TLS
    /// handshake, `limits.connections_per_address` at once per address,
    /// `limits.request` for a connection to become a WebSocket.
    pub fn with_limits(
        tcp: TcpListener,
        config: Arc<ServerConfig>,
        limits: &Limits,
    ) -> std::io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let acceptor = TlsAcceptor::from(config);
        let (tx, ready) = mpsc::channel(BACKLOG);
        let addresses = Addresses::new(limits.connections_per_address);
        let (handshake, request) = (limits.handshake, limits.request);
        let accept_task = tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(ok) => ok,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, as
                        // axum's own TCP listener does.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let Some(slot) = addresses.claim(peer.ip()) else {
                    tracing::warn!(%peer, "too many connections from this address: closed");
                    continue;
                };
                // Frames are small and answered: without this, a write that
                // follows another waited for the peer's delayed
                // acknowledgement (Nagle), up to 40 ms a step.
                let _ = stream.set_nodelay(true);
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(handshake, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((Guarded::new(tls, peer, slot, request), peer)).await;
                        }
                        Ok(Err(e)) => tracing::info!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::info!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { ready, local, accept_task })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = Guarded<TlsStream<TcpStream>>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(next) => next,
            // The accept task only ends when this listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_certificate_loads_back_with_the_same_fingerprint() {
        let dir = tempfile::tempdir().expect("dir");
        let paths = CertPaths { cert: dir.path().join("tls/cert.pem"), key: dir.path().join("tls/key.pem") };
        let made = Identity::generate(&paths).expect("generate");
        let loaded = Identity::load(&paths).expect("load");
        assert_eq!(made.fingerprint(), loaded.fingerprint());
        assert!(loaded.server_config().is_ok());
        assert!(Identity::generate(&paths).is_err(), "never overwrites a certificate devices pinned");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&paths.key).expect("key").permissions().mode();
            assert_eq!(mode & 0o077, 0, "the key is the owner's only");
        }
    }

    #[test]
    fn files_that_are_not_pem_get_a_clear_error() {
        let dir = tempfile::tempdir().expect("dir");
        let paths = CertPaths { cert: dir.path().join("cert.pem"), key: dir.path().join("key.pem") };
        std::fs::write(&paths.cert, "not a certificate").expect("write");
        std::fs::write(&paths.key, "not a key").expect("write");
        let e = Identity::load(&paths).expect_err("garbage");
        assert!(e.to_string().contains("cert.pem"), "{e}");
    }
}
