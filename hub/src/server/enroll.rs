//! `GET /enroll`: a WebSocket of JSON on which a new device redeems its
//! pairing code (hub-wide throttled after wrong codes).

use axum::Extension;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::response::IntoResponse;
use crdt_sync::sync::{EnrollError, EnrollRequest, EnrollResponse};

use super::{AppState, upgrading};
use crate::conn::Peer;
use crate::drain::Joined;

pub(super) async fn enroll(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<Peer>>>,
    ws: WebSocketUpgrade,
) -> impl IntoResponse {
    upgrading(peer);
    // Counted from here, before the upgrade: a stopping hub waits for it.
    let joined = state.drain.join();
    // Messages of at most 4 KiB: a read buffer of that size, not
    // tungstenite's 128 KiB per socket (a thousand laptops pair at once).
    ws.read_buffer_size(4096)
        .max_message_size(4096)
        .on_upgrade(move |socket| enroll_socket(socket, state, joined))
}

async fn enroll_socket(mut socket: WebSocket, state: AppState, mut joined: Joined) {
    let first = tokio::select! {
        first = tokio::time::timeout(state.limits.limits().first_frame, socket.recv()) => first,
        // The hub is stopping: the device asks again, its code unused.
        () = joined.cut() => return,
    };
    let Ok(Some(Ok(Message::Text(text)))) = first else { return };
    if joined.is_cut() {
        return;
    }
    let now = std::time::Instant::now();
    let allowed = state.enrol_failures.lock().map(|mut t| t.allows(now)).unwrap_or(false);
    let response = match serde_json::from_str::<EnrollRequest>(&text) {
        _ if !allowed => {
            tracing::warn!("enrolment attempt refused: too many wrong pairing codes this minute");
            EnrollResponse::Refused(EnrollError::RateLimited)
        }
        Ok(req) => {
            let result = state.with_registry(|r| r.redeem(&req.code, &req.name, state.project)).await;
            match result {
                Ok(Ok(enrolled)) => {
                    tracing::info!(device = %enrolled.device, role = enrolled.role.as_str(), "device enrolled");
                    EnrollResponse::Enrolled(enrolled)
                }
                Ok(Err(e)) => {
                    tracing::warn!(reason = %e, "pairing code refused");
                    if let Ok(mut t) = state.enrol_failures.lock() {
                        t.failed(now);
                    }
                    EnrollResponse::Refused(e)
                }
                Err(e) => {
                    tracing::error!(error = %e, "enrolment failed");
                    return;
                }
            }
        }
        Err(_) => EnrollResponse::Refused(EnrollError::Unknown),
    };
    state.metrics.enrolment(&response);
    if let Ok(json) = serde_json::to_string(&response) {
        let _ = socket.send(Message::Text(json.into())).await;
    }
    let _ = socket.send(Message::Close(None)).await;
}
