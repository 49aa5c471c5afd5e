//! # taccuino-sync-client
//!
//! The device side of sync: a WebSocket (tokio-tungstenite) carrying the
//! frames of `crdt_sync::sync::Session`. The session decides everything;
//! this crate only moves bytes, adds the credential to the upgrade request,
//! and reports what happened.
//!
//! The connection is TLS (rustls, ring) to a pinned certificate: at
//! enrolment the hub's certificate must pass the check at the end of the
//! pairing code, and its fingerprint is then pinned for every sync
//! (`crdt_sync::sync::pairing`). `ws://` is accepted on loopback only.

mod access;
mod backoff;
mod endpoint;
mod transport;
mod update;

pub use access::StoreAccess;
pub use backoff::{Attempt, Backoff};
pub use endpoint::{DEFAULT_PORT, Endpoint, EndpointError};
pub use transport::{Io, Transport};
pub use update::{download, update_info};

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crdt_sync::sync::bundle::BundleKey;
use crdt_sync::sync::manage::{ManageRequest, ManageResponse};
use crdt_sync::sync::{
    EnrollError, EnrollRequest, EnrollResponse, Enrolled, Fatal, Frame, MAX_FRAME, PairingCode, Refusal,
    Session, Stats,
};
use crdt_sync::{DocRef, Replication, Store};
use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::transport::Trust;

/// What can go wrong talking to the hub.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The hub could not be reached, or the connection broke.
    #[error("cannot reach the hub: {0}")]
    Network(#[from] tungstenite::Error),
    /// Connecting failed (no route, refused, TLS handshake).
    #[error("cannot reach the hub: {0}")]
    Io(#[from] std::io::Error),
    /// The address cannot be used.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// A `wss://` address with no pinned certificate: the device was not
    /// enrolled through this client.
    #[error("no certificate is pinned for this hub: pair the device again")]
    NotPinned,
    /// The pairing code lacks its last five characters (the certificate check).
    #[error("the pairing code is incomplete: it has three groups of five characters, as the hub printed it")]
    CodeIncomplete,
    /// The certificate presented at enrolment fails the code's check.
    #[error(
        "the hub's certificate does not match the pairing code: check its last five characters; if \
         they are right, the connection is being intercepted: do not pair on this network"
    )]
    CodeMismatch,
    /// The certificate is not the one pinned at enrolment.
    #[error(
        "the hub presented a certificate other than the one this device was paired with: the \
         connection may be intercepted; ask the coordinator before syncing"
    )]
    CertificateChanged,
    /// The hub refused the credential (unknown or revoked device).
    #[error("the hub does not accept this device: ask the coordinator to enrol it again")]
    Unauthorized,
    /// The device was revoked during the sync.
    #[error("this device was revoked by the coordinator: ask them before syncing again")]
    Revoked,
    /// The pairing code was refused.
    #[error("{0}")]
    Enroll(EnrollError),
    /// The hub closed the session.
    #[error("the hub closed the sync: {0:?}")]
    Closed(Fatal),
    /// The hub's answer made no sense.
    #[error("unexpected answer from the hub: {0}")]
    Protocol(String),
    /// Storing what arrived failed.
    #[error(transparent)]
    Store(#[from] crdt_sync::Error),
    /// No progress for too long.
    #[error("the sync stalled for {0:?}")]
    Stalled(Duration),
    /// The store went away between two steps of the sync (the register was
    /// locked): the sync ended there, with every step before it complete.
    #[error("the register was locked during the sync: unlock it and sync again")]
    StoreClosed,
    /// A release or its package failed a check.
    #[error(transparent)]
    Update(taccuino_updates::UpdateError),
}

/// What a finished sync did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Counters.
    pub stats: Stats,
    /// Documents the hub refused, and why (not erasures: see `erased`).
    pub refused: BTreeMap<DocRef, Refusal>,
    /// Families' documents that are erased: the hub will not take them, and
    /// this device dropped (or is about to drop) its copy. Not a failure.
    pub erased: BTreeSet<DocRef>,
    /// Times the device sent and then waited for the hub.
    pub round_trips: u32,
    /// Bytes of every frame sent (WebSocket payloads: the handshake too,
    /// not only the automerge messages that `stats` counts).
    pub wire_out: u64,
    /// Bytes of every frame received.
    pub wire_in: u64,
    /// The lab's current bundle key, as the hub sent it (lab devices only;
    /// already kept in the store's hub link when the store has one).
    pub bundle_key: Option<BundleKey>,
}

/// The most frames applied in one transaction: bounds how long the
/// register is held at once while a first sync pours in.
const BATCH: usize = 64;

/// The bytes of a WebSocket message that carries a frame; `None` for the
/// control messages the socket answers itself.
fn binary(
    msg: Option<Result<Message, tungstenite::Error>>,
) -> Result<Option<tungstenite::Bytes>, ClientError> {
    match msg {
        Some(Ok(Message::Binary(b))) => Ok(Some(b)),
        Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => Ok(None),
        Some(Ok(Message::Text(_))) => Err(ClientError::Protocol("text frame".into())),
        Some(Ok(Message::Close(_))) | None => {
            Err(ClientError::Protocol("the hub closed the connection".into()))
        }
        Some(Err(e)) => Err(e.into()),
    }
}

/// How long the client waits for the hub before giving up.
const STALL: Duration = Duration::from_secs(30);

/// How long connecting may take: on a network that drops packets a TCP
/// connect can hang for minutes, and the app's register waits meanwhile.
const CONNECT: Duration = Duration::from_secs(10);

/// What enrolment returns: the identity for the device's store, and the
/// hub's address with its certificate pinned, to keep for every sync.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paired {
    /// What the hub gave.
    pub enrolled: Enrolled,
    /// The hub, pinned (for `wss`).
    pub hub: Endpoint,
}

/// Redeems a pairing code at `hub`. Over TLS, nothing is sent before the
/// hub's certificate has passed the code's check.
pub async fn enroll(hub: &Endpoint, code: &str, name: &str) -> Result<Paired, ClientError> {
    let trust = Trust::Code(PairingCode::parse(code));
    let (mut ws, seen) = websocket(hub, "/enroll", trust, None).await?;
    let req = EnrollRequest { code: code.into(), name: name.into() };
    let json = serde_json::to_string(&req).map_err(|e| ClientError::Protocol(e.to_string()))?;
    ws.send(Message::Text(json.into())).await?;
    let answer = tokio::time::timeout(STALL, ws.next()).await.map_err(|_| ClientError::Stalled(STALL))?;
    let Some(Ok(Message::Text(text))) = answer else {
        return Err(ClientError::Protocol("no answer to the pairing code".into()));
    };
    match serde_json::from_str(&text).map_err(|e| ClientError::Protocol(e.to_string()))? {
        EnrollResponse::Enrolled(enrolled) => {
            let hub = match seen {
                Some(cert) => hub.clone().pinned(cert),
                None => hub.clone(),
            };
            Ok(Paired { enrolled, hub })
        }
        EnrollResponse::Refused(e) => Err(ClientError::Enroll(e)),
    }
}

/// Asks the hub to manage devices (`/devices`), as the device whose
/// credential is `token`: one request, one answer. The hub decides from the
/// role it holds for the credential; a refusal is an answer
/// ([`ManageResponse::Refused`]), not an error.
pub async fn manage(
    hub: &Endpoint,
    token: &str,
    request: &ManageRequest,
) -> Result<ManageResponse, ClientError> {
    let (mut ws, _) = websocket(hub, "/devices", Trust::Pinned, Some(token)).await?;
    let json = serde_json::to_string(request).map_err(|e| ClientError::Protocol(e.to_string()))?;
    ws.send(Message::Text(json.into())).await?;
    let answer = tokio::time::timeout(STALL, ws.next()).await.map_err(|_| ClientError::Stalled(STALL))?;
    let Some(Ok(Message::Text(text))) = answer else {
        return Err(ClientError::Protocol("no answer from the hub's device management".into()));
    };
    let _ = ws.close(None).await;
    serde_json::from_str(&text).map_err(|e| ClientError::Protocol(e.to_string()))
}

/// Opens the WebSocket at `path` on `hub`: TCP and TLS within [`CONNECT`],
/// `Authorization: Bearer` with `token`, the protocol's frame limit.
/// Returns the socket and the certificate the hub presented.
async fn websocket(
    hub: &Endpoint,
    path: &str,
    trust: Trust,
    token: Option<&str>,
) -> Result<(WebSocketStream<Transport>, Option<crdt_sync::sync::CertFingerprint>), ClientError> {
    let config = WebSocketConfig::default().max_message_size(Some(MAX_FRAME)).max_frame_size(Some(MAX_FRAME));
    let connect = async {
        let (stream, seen) = transport::open(hub, trust).await?;
        let mut request = hub.url(path).into_client_request()?;
        if let Some(token) = token {
            let bearer = format!("Bearer {token}")
                .parse()
                .map_err(|_| ClientError::Protocol("the credential is not valid header text".into()))?;
            request.headers_mut().insert("authorization", bearer);
        }
        // The app's version, which the hub shows its coordinators (all of
        // Taccuino's crates share the workspace's version).
        let agent = concat!("taccuino/", env!("CARGO_PKG_VERSION"));
        request.headers_mut().insert("user-agent", tungstenite::http::HeaderValue::from_static(agent));
        match tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await {
            Ok((ws, _)) => Ok((ws, seen)),
            Err(tungstenite::Error::Http(resp)) if resp.status() == 401 => Err(ClientError::Unauthorized),
            Err(e) => Err(e.into()),
        }
    };
    tokio::time::timeout(CONNECT, connect).await.map_err(|_| ClientError::Stalled(CONNECT))?
}

/// A raw `/sync` WebSocket to a pinned hub, with no frame limit of its own:
/// for tests that speak the protocol by hand (or break it on purpose).
pub async fn connect_raw(
    hub: &Endpoint,
    token: Option<&str>,
) -> Result<WebSocketStream<Transport>, ClientError> {
    let (stream, _) = transport::open(hub, Trust::Pinned).await?;
    let mut request = hub.url("/sync").into_client_request()?;
    if let Some(token) = token {
        let bearer = format!("Bearer {token}")
            .parse()
            .map_err(|_| ClientError::Protocol("the credential is not valid header text".into()))?;
        request.headers_mut().insert("authorization", bearer);
    }
    let config = WebSocketConfig::default().max_message_size(None).max_frame_size(None);
    match tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await {
        Ok((ws, _)) => Ok(ws),
        Err(tungstenite::Error::Http(resp)) if resp.status() == 401 => Err(ClientError::Unauthorized),
        Err(e) => Err(e.into()),
    }
}

/// A byte stream to a pinned hub (TLS done), for a plain HTTP request such
/// as `GET /health`.
pub async fn open_stream(hub: &Endpoint) -> Result<Transport, ClientError> {
    Ok(transport::open(hub, Trust::Pinned).await?.0)
}

/// One sync with `hub` (pinned, for `wss`): connects, exchanges until
/// every document is settled, and disconnects. The store is held for the
/// whole sync: a caller that shares it uses [`sync_with`].
pub async fn sync_once(store: &mut Store, hub: &Endpoint, token: &str) -> Result<Report, ClientError> {
    sync_with(store, hub, token).await
}

/// One sync with `hub`, taking the store through `access` only to compute
/// and to apply: connecting and every wait for the hub happen with the
/// store free, so the register keeps taking saves during a sync with a
/// slow or stalled hub. What was saved meanwhile is carried by this
/// session when its document is part of it (the next message compares
/// heads), or else by the next sync (a document created after the
/// `Hello`). If `access` answers [`ClientError::StoreClosed`] the sync
/// ends there with nothing half-applied: each step is one store call.
pub async fn sync_with<A: StoreAccess>(
    access: &mut A,
    hub: &Endpoint,
    token: &str,
) -> Result<Report, ClientError> {
    let (mut ws, _) = websocket(hub, "/sync", Trust::Pinned, Some(token)).await?;
    let mut session = Session::device();
    let hello = access.with_store(|s| session.hello(s)).await??.encode();
    let (mut wire_out, mut wire_in) = (hello.len() as u64, 0u64);
    ws.send(Message::Binary(hello.into())).await?;
    // A round trip: the device sent something, then had to wait for the
    // hub (frames already buffered are not a new trip).
    let (mut round_trips, mut sent) = (0u32, true);
    let mut bundle_key = None;
    loop {
        let next = match ws.next().now_or_never() {
            Some(ready) => ready,
            None => {
                // About to wait for the hub. Saves made since the last step
                // may have something to say first (a document the hub
                // reported in step, or one whose exchange had ended, would
                // otherwise wait for a hub that owes nothing); and a session
                // with nothing to say that is settled is done. Settled means
                // the hub's last message named our heads: every change either
                // side sent was acknowledged, and the hub sends what it has
                // to say about a message (refusals, newly listed families)
                // before its acknowledgement, so nothing more is owed. (An
                // acknowledgement just sent gets no answer: waiting for one
                // stalled the sync for the full timeout.)
                let (out, settled) = access
                    .with_store(|s| -> crdt_sync::Result<_> {
                        let out = session.outgoing(s)?;
                        let settled = out.is_empty() && session.is_settled(s)?;
                        Ok((out, settled))
                    })
                    .await??;
                if settled {
                    // The sync points this session leaves, kept here, and
                    // their digest for the hub (decision 0023).
                    let done = access.with_store(|s| session.done(s)).await??.encode();
                    wire_out += done.len() as u64;
                    ws.send(Message::Binary(done.into())).await?;
                    break;
                }
                if !out.is_empty() {
                    for f in &out {
                        let bytes = f.encode();
                        wire_out += bytes.len() as u64;
                        ws.send(Message::Binary(bytes.into())).await?;
                    }
                    sent = true;
                    continue;
                }
                if std::mem::take(&mut sent) {
                    round_trips += 1;
                }
                tokio::time::timeout(STALL, ws.next()).await.map_err(|_| ClientError::Stalled(STALL))?
            }
        };
        // This frame and every one already arrived, up to a batch: applied
        // in one transaction (one write to disk for a first sync's
        // thousands of documents, not one each).
        let mut frames = Vec::new();
        // A connection that broke after frames arrived: those are applied
        // first (the hub's `Close` says why it hung up), then this error.
        let mut broken = None;
        let mut next = Some(next);
        while let Some(msg) = next.take() {
            match binary(msg) {
                Ok(Some(bytes)) => {
                    wire_in += bytes.len() as u64;
                    frames.push(Frame::decode(&bytes).map_err(|e| ClientError::Protocol(e.to_string()))?);
                }
                Ok(None) => {}
                Err(e) if frames.is_empty() => return Err(e),
                Err(e) => {
                    broken = Some(e);
                    break;
                }
            }
            if frames.len() < BATCH {
                next = ws.next().now_or_never();
            }
        }
        let keys: Vec<BundleKey> = frames
            .iter()
            .filter_map(|f| match f {
                Frame::BundleKey { key } => Some(key.clone()),
                _ => None,
            })
            .collect();
        let out = access
            .with_store(|s| -> crdt_sync::Result<_> {
                // Kept at once, before and outside the batch's transaction:
                // the key is what lets this laptop read the lab's bundles
                // made after a revocation, whatever the rest of the sync does.
                for key in &keys {
                    s.set_bundle_key(key)?;
                }
                s.in_one_transaction(|s| -> crdt_sync::Result<_> {
                    let mut out = Vec::new();
                    for frame in frames {
                        out.extend(session.receive(s, frame)?);
                        if session.closed().is_some() {
                            break;
                        }
                    }
                    Ok(out)
                })
            })
            .await??;
        if let Some(key) = keys.into_iter().last() {
            bundle_key = Some(key);
        }
        match session.closed() {
            Some(Fatal::Revoked) => return Err(ClientError::Revoked),
            Some(other) => return Err(ClientError::Closed(other)),
            None => {}
        }
        if let Some(e) = broken {
            return Err(e);
        }
        for f in &out {
            let bytes = f.encode();
            wire_out += bytes.len() as u64;
            ws.send(Message::Binary(bytes.into())).await?;
            sent = true;
        }
    }
    let _ = ws.close(None).await;
    let (erased, refused): (BTreeMap<_, _>, BTreeMap<_, _>) =
        session.refused().iter().map(|(d, r)| (*d, *r)).partition(|(_, r)| *r == Refusal::Erased);
    Ok(Report {
        stats: session.stats(),
        refused,
        erased: erased.into_keys().collect(),
        round_trips,
        wire_out,
        wire_in,
        bundle_key,
    })
}
