//! # taccuino-sync-client
//!
//! The device side of sync: a WebSocket (tokio-tungstenite) carrying the
//! frames of `crdt_sync::sync::Session`. The session decides everything;
//! this crate only moves bytes, adds the credential to the upgrade request,
//! and reports what happened.
//!
//! TLS and certificate pinning come with the hub's TLS support; today the
//! client speaks `ws://` (loopback and trusted networks only).

mod backoff;

pub use backoff::{Attempt, Backoff};

use std::collections::BTreeMap;
use std::time::Duration;

use crdt_sync::sync::{
    EnrollError, EnrollRequest, EnrollResponse, Enrolled, Fatal, Frame, MAX_FRAME, Refusal, Session, Stats,
};
use crdt_sync::{DocRef, Store};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};

/// What can go wrong talking to the hub.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The hub could not be reached, or the connection broke.
    #[error("cannot reach the hub: {0}")]
    Network(#[from] tungstenite::Error),
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
}

/// What a finished sync did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Counters.
    pub stats: Stats,
    /// Documents the hub refused, and why.
    pub refused: BTreeMap<DocRef, Refusal>,
}

/// How long the client waits for the hub before giving up.
const STALL: Duration = Duration::from_secs(30);

/// How long connecting may take: on a network that drops packets a TCP
/// connect can hang for minutes, and the app's register waits meanwhile.
const CONNECT: Duration = Duration::from_secs(10);

/// Redeems a pairing code at `base` (`ws://host:port`).
pub async fn enroll(base: &str, code: &str, name: &str) -> Result<Enrolled, ClientError> {
    let (mut ws, _) =
        tokio::time::timeout(CONNECT, tokio_tungstenite::connect_async(format!("{base}/enroll")))
            .await
            .map_err(|_| ClientError::Stalled(CONNECT))??;
    let req = EnrollRequest { code: code.into(), name: name.into() };
    let json = serde_json::to_string(&req).map_err(|e| ClientError::Protocol(e.to_string()))?;
    ws.send(Message::Text(json.into())).await?;
    let answer = tokio::time::timeout(STALL, ws.next()).await.map_err(|_| ClientError::Stalled(STALL))?;
    let Some(Ok(Message::Text(text))) = answer else {
        return Err(ClientError::Protocol("no answer to the pairing code".into()));
    };
    match serde_json::from_str(&text).map_err(|e| ClientError::Protocol(e.to_string()))? {
        EnrollResponse::Enrolled(e) => Ok(e),
        EnrollResponse::Refused(e) => Err(ClientError::Enroll(e)),
    }
}

/// One sync with the hub at `base`: connects, exchanges until every
/// document is settled, and disconnects.
pub async fn sync_once(store: &mut Store, base: &str, token: &str) -> Result<Report, ClientError> {
    let mut request = format!("{base}/sync").into_client_request()?;
    let bearer = format!("Bearer {token}")
        .parse()
        .map_err(|_| ClientError::Protocol("the credential is not valid header text".into()))?;
    request.headers_mut().insert("authorization", bearer);
    let config = WebSocketConfig::default().max_message_size(Some(MAX_FRAME)).max_frame_size(Some(MAX_FRAME));
    let connect = tokio_tungstenite::connect_async_with_config(request, Some(config), true);
    let connected =
        tokio::time::timeout(CONNECT, connect).await.map_err(|_| ClientError::Stalled(CONNECT))?;
    let (mut ws, _) = match connected {
        Ok(ok) => ok,
        Err(tungstenite::Error::Http(resp)) if resp.status() == 401 => return Err(ClientError::Unauthorized),
        Err(e) => return Err(e.into()),
    };
    let mut session = Session::device();
    ws.send(Message::Binary(session.hello(store)?.encode().into())).await?;
    loop {
        let next = tokio::time::timeout(STALL, ws.next()).await.map_err(|_| ClientError::Stalled(STALL))?;
        let bytes = match next {
            Some(Ok(Message::Binary(b))) => b,
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
            Some(Ok(Message::Text(_))) => return Err(ClientError::Protocol("text frame".into())),
            Some(Ok(Message::Close(_))) | None => {
                return Err(ClientError::Protocol("the hub closed the connection".into()));
            }
            Some(Err(e)) => return Err(e.into()),
        };
        let frame = Frame::decode(&bytes).map_err(|e| ClientError::Protocol(e.to_string()))?;
        let out = session.receive(store, frame)?;
        match session.closed() {
            Some(Fatal::Revoked) => return Err(ClientError::Revoked),
            Some(other) => return Err(ClientError::Closed(other)),
            None => {}
        }
        for f in &out {
            ws.send(Message::Binary(f.encode().into())).await?;
        }
        if out.is_empty() && session.is_settled(store)? {
            break;
        }
    }
    let _ = ws.close(None).await;
    Ok(Report { stats: session.stats(), refused: session.refused().clone() })
}
