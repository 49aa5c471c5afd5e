//! `GET /sync`: an authenticated device's WebSocket of binary frames, its
//! session with the hub's store taken in turns, paced by its budgets.

use std::time::{Duration, Instant};

use axum::Extension;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::response::IntoResponse;
use crdt_sync::sync::{Fatal, Frame, MAX_FRAME, Session};
use futures_util::FutureExt;

use super::{AppState, AuthDevice, turns, upgrading};
use crate::conn::Peer;
use crate::drain::Joined;
use crate::limits::{Cost, DeviceSlot, Verdict};
use crate::metrics::Metrics;
use crate::registry::Device;

/// The app version a device says it runs, from `User-Agent: taccuino/X.Y.Z`
/// (what the sync client sends): kept only if it looks like a version, and
/// shown to coordinators as the device's word, never used to decide.
fn app_version(headers: &axum::http::HeaderMap) -> Option<String> {
    let agent = headers.get(axum::http::header::USER_AGENT)?.to_str().ok()?;
    let version = agent.strip_prefix("taccuino/")?;
    let plausible = !version.is_empty()
        && version.len() <= 32
        && version.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
    plausible.then(|| version.to_owned())
}

pub(super) async fn sync(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<Peer>>>,
    AuthDevice(device): AuthDevice,
    headers: axum::http::HeaderMap,
    ws: WebSocketUpgrade,
) -> impl IntoResponse {
    let version = app_version(&headers);
    upgrading(peer);
    // Claimed before the upgrade, so that a device cannot open more
    // sockets than its limit while earlier ones are still upgrading.
    let slot = state.limits.connect(device.id);
    // Counted from here, before the upgrade, as the slot: a stopping hub
    // waits for the sync (a refused one is not waited for).
    let joined = slot.as_ref().map(|_| state.drain.join());
    // A read buffer of 16 KiB, not tungstenite's 128 KiB allocated up
    // front for each socket: a thousand devices at once are a thousand
    // buffers (a larger frame still arrives whole, read in steps).
    let ws = ws.read_buffer_size(READ_BUFFER).max_message_size(MAX_FRAME).max_frame_size(MAX_FRAME);
    ws.on_upgrade(move |socket| async move {
        match (slot, joined) {
            (Some(slot), Some(joined)) => sync_socket(socket, state, device, slot, joined, version).await,
            _ => too_many(socket, state, device).await,
        }
    })
}

/// Sends `frames`; false if the device is gone or reads nothing for the
/// idle timeout (a device that stops reading must not hold the task).
async fn send(socket: &mut WebSocket, metrics: &Metrics, frames: Vec<Frame>, idle: Duration) -> bool {
    for f in frames {
        metrics.sending(&f);
        let bytes = f.encode();
        let len = bytes.len();
        match tokio::time::timeout(idle, socket.send(Message::Binary(bytes.into()))).await {
            Ok(Ok(())) => metrics.frame_out(len),
            Ok(Err(_)) | Err(_) => return false,
        }
    }
    true
}

/// One connection more than its device may hold: its `Hello` is read
/// first (closing with bytes unread would reset the connection and could
/// lose the frame that says why), then it is told `Busy`.
async fn too_many(mut socket: WebSocket, state: AppState, device: Device) {
    let limits = state.limits.limits();
    tracing::warn!(
        device = %device.id,
        limit = limits.connections_per_device,
        "refused a connection: the device holds as many as it may"
    );
    if let Ok(Some(Ok(msg))) = tokio::time::timeout(limits.first_frame, socket.recv()).await {
        // Charged like any frame: refused connections are no free way in.
        let _ = state.limits.charge(device.id, Cost::frame(msg.into_data().len()), Instant::now());
    }
    send(&mut socket, &state.metrics, vec![Frame::Close { reason: Fatal::Busy }], limits.idle).await;
}

/// How long a sync cut by a stopping hub may take to be told why.
const CUT_SEND: Duration = Duration::from_secs(1);

/// Closes a sync because the hub is stopping. `Busy` is the closest of the
/// protocol's reasons: devices take it as "sync again later", and what the
/// hub stored of the sync so far stays stored (each turn was committed, in
/// its group: `turns.rs`).
async fn cut(socket: &mut WebSocket, metrics: &Metrics, id: crdt_sync::DeviceId) {
    tracing::info!(device = %id, "the hub is stopping: closing the sync");
    send(socket, metrics, vec![Frame::Close { reason: Fatal::Busy }], CUT_SEND).await;
}

async fn sync_socket(
    mut socket: WebSocket,
    state: AppState,
    device: Device,
    _slot: DeviceSlot,
    mut joined: Joined,
    version: Option<String>,
) {
    let id = device.id;
    let _timer = state.metrics.sync_started();
    tracing::info!(device = %id, role = device.role.as_str(), "sync connected");
    let limits = state.limits.limits().clone();
    // How long this connection waited for its turn at the store, and held it.
    let mut store_time = StoreTime::default();
    // The registry's facts about devices, into the register, before any
    // change of this device is judged by them. The store first, then the
    // registry: the registry's devices are read in turn, so no reconcile
    // with an older reading can follow a newer one.
    let reconciled = {
        let asked = Instant::now();
        let mut turn = state.turn.lock().await;
        let got = Instant::now();
        if joined.is_cut() {
            drop(turn);
            cut(&mut socket, &state.metrics, id).await;
            return;
        }
        let reconciled = tokio::task::block_in_place(|| {
            let mut store = state.store()?;
            let registry = state.registry()?;
            turn.reconcile(&mut store, &registry)
        });
        store_time.add(asked, got);
        reconciled
    };
    if let Err(e) = reconciled {
        tracing::error!(device = %id, error = %e, "cannot record the device directory");
        send(&mut socket, &state.metrics, vec![Frame::Close { reason: Fatal::Storage }], limits.idle).await;
        return;
    }
    let mut session = Session::hub(id, device.grant());
    let mut revoked = state.upkeep.revoked(&state.registry, &state.failure);
    if revoked.borrow_and_update().closes(id) {
        tracing::warn!(device = %id, "revoked: closing its connection");
        send(&mut socket, &state.metrics, vec![Frame::Close { reason: Fatal::Revoked }], limits.idle).await;
        return;
    }
    // No frame before this instant: the first frame's deadline, then the
    // idle timeout from each time the hub is ready to read again.
    let mut deadline = tokio::time::Instant::now() + limits.first_frame;
    // How long the device made the hub wait for its first frame, and the
    // longest for any later one (logged, to check the deadlines against
    // honest syncs).
    let (mut ready_since, mut longest_wait) = (Instant::now(), Duration::ZERO);
    let mut first_frame = None;
    // A message read while gathering frames that is not one: handled next.
    let mut pending = None;
    loop {
        let msg = match pending.take() {
            Some(msg) => msg,
            None => tokio::select! {
                msg = socket.recv() => msg,
                () = tokio::time::sleep_until(deadline) => {
                    tracing::warn!(device = %id, greeted = session.stats().frames_in > 0, "no frame in time: closing");
                    let close = vec![Frame::Close { reason: Fatal::Idle }];
                    send(&mut socket, &state.metrics, close, limits.idle).await;
                    break;
                }
                () = joined.cut() => {
                    cut(&mut socket, &state.metrics, id).await;
                    break;
                }
                changed = revoked.changed() => {
                    // No more news (the hub is stopping): as when the registry
                    // does not answer, the connection closes.
                    if changed.is_err() || revoked.borrow_and_update().closes(id) {
                        tracing::warn!(device = %id, "revoked: closing its connection");
                        let close = vec![Frame::Close { reason: Fatal::Revoked }];
                        send(&mut socket, &state.metrics, close, limits.idle).await;
                        break;
                    }
                    continue;
                }
            },
        };
        let bytes = match msg {
            Some(Ok(Message::Binary(b))) => b,
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
            Some(Ok(Message::Ping(b) | Message::Pong(b))) => {
                // Charged like any frame, and not a sign of life: a device
                // cannot hold its socket open with pings alone.
                if !pace(&state, &mut socket, id, Cost::frame(b.len())).await {
                    break;
                }
                continue;
            }
            Some(Ok(Message::Text(_))) => {
                tracing::warn!(device = %id, "text frame on the sync socket");
                send(
                    &mut socket,
                    &state.metrics,
                    vec![Frame::Close { reason: Fatal::Protocol }],
                    limits.idle,
                )
                .await;
                break;
            }
        };
        match first_frame {
            None => first_frame = Some(ready_since.elapsed()),
            Some(_) => longest_wait = longest_wait.max(ready_since.elapsed()),
        }
        // This frame, and those the device sent after it that are already
        // here: each judged as it would be alone, then all handled in one
        // turn at the store. A device sends a frame per document at each
        // step; a turn each made it queue behind every other device as many
        // times.
        let mut frames = Vec::new();
        let mut stop = None;
        let mut next = Some(bytes);
        let mut gathered = 0;
        while let Some(bytes) = next.take() {
            gathered += bytes.len();
            match admit(&state, id, &bytes).await {
                Ok(frame) => frames.push(frame),
                Err(refusal) => {
                    stop = Some(refusal);
                    break;
                }
            }
            if frames.len() >= TURN_FRAMES || gathered >= TURN_BYTES {
                break;
            }
            match socket.recv().now_or_never() {
                Some(Some(Ok(Message::Binary(b)))) => next = Some(b),
                Some(other) => pending = Some(other),
                None => {}
            }
            if pending.is_some() {
                break;
            }
        }
        let (outs, failed) = if frames.is_empty() {
            (Vec::new(), false)
        } else {
            // In a group with other devices' turns (`turns.rs`); the session
            // is lent for the turn and given back.
            let Some(ended) = turns::take_turn(&state, &joined, id, session, frames).await else {
                tracing::error!(device = %id, "a turn at the store was lost: closing");
                let close = vec![Frame::Close { reason: Fatal::Storage }];
                send(&mut socket, &state.metrics, close, limits.idle).await;
                return;
            };
            session = ended.session;
            store_time.wait += ended.wait;
            store_time.held += ended.held;
            match ended.outcome {
                turns::Outcome::Answered(outs) => (outs, false),
                turns::Outcome::Failed => (Vec::new(), true),
                turns::Outcome::Cut => {
                    cut(&mut socket, &state.metrics, id).await;
                    break;
                }
            }
        };
        let mut out = Vec::new();
        for (hello, mut frame_out) in outs {
            if hello && session.closed().is_none() {
                bundle_key_first(&state, &device, &mut frame_out).await;
            }
            out.extend(frame_out);
        }
        if failed {
            out.push(Frame::Close { reason: Fatal::Storage });
        }
        // Every refusal, as it is sent (the session's map of refused
        // documents holds only some of them, and in document order).
        for f in &out {
            if let Frame::Refused { doc, reason } = f {
                tracing::warn!(device = %id, doc = %doc, reason = ?reason, "refused");
            }
        }
        let closing = out.iter().any(|f| matches!(f, Frame::Close { .. }));
        let over = closing || session.closed().is_some() || session.finished();
        if !send(&mut socket, &state.metrics, out, limits.idle).await || over {
            break;
        }
        if let Some(reason) = stop {
            send(&mut socket, &state.metrics, vec![Frame::Close { reason }], limits.idle).await;
            break;
        }
        deadline = tokio::time::Instant::now() + limits.idle;
        ready_since = Instant::now();
    }
    state.upkeep.finished(id, version);
    let longest_wait_ms = longest_wait.as_millis() as u64;
    let first_frame_ms = first_frame.unwrap_or_default().as_millis() as u64;
    let (store_wait_us, store_held_us) =
        (store_time.wait.as_micros() as u64, store_time.held.as_micros() as u64);
    tracing::info!(
        device = %id,
        stats = ?session.stats(),
        first_frame_ms,
        longest_wait_ms,
        store_wait_us,
        store_held_us,
        "sync disconnected"
    );
}

/// Each sync socket's read buffer.
const READ_BUFFER: usize = 16 * 1024;

/// The most frames, and bytes of frames, handled in one turn at the store:
/// a device's step is a frame per document in the session, and a turn
/// stays short for those waiting.
const TURN_FRAMES: usize = 32;
const TURN_BYTES: usize = 1 << 20;

/// A frame's checks before the store (charged to its device, decoded, its
/// automerge work charged): the frame, or why the connection closes.
async fn admit(state: &AppState, id: crdt_sync::DeviceId, bytes: &[u8]) -> Result<Frame, Fatal> {
    state.metrics.frame_in(bytes.len());
    if !charge(state, id, Cost::frame(bytes.len())).await {
        return Err(Fatal::Busy);
    }
    let frame = Frame::decode(bytes).map_err(|e| {
        tracing::warn!(device = %id, error = %e, "malformed frame");
        Fatal::Protocol
    })?;
    // The automerge work a message asks for, measured on its bytes
    // alone (bounded, before any lock), charged to the device across
    // its connections.
    if let Frame::Sync { message, .. } = &frame
        && let Ok(work) = crdt_sync::sync::Cost::of_sync_message(message)
        && !charge(state, id, Cost::changes(work.changes, work.ops)).await
    {
        return Err(Fatal::Busy);
    }
    Ok(frame)
}

/// How long a connection waited for its turns at the store and held them
/// (logged at its end: the figures that show whether syncs queue).
#[derive(Debug, Default)]
struct StoreTime {
    wait: Duration,
    held: Duration,
}

impl StoreTime {
    /// A turn asked for at `asked`, taken at `got`, ended now.
    fn add(&mut self, asked: Instant, got: Instant) {
        self.wait += got - asked;
        self.held += got.elapsed();
    }
}

/// Charges a frame to its device and waits as its budget says; false if
/// the device is so far over budget that its connection was closed.
async fn pace(state: &AppState, socket: &mut WebSocket, device: crdt_sync::DeviceId, cost: Cost) -> bool {
    if charge(state, device, cost).await {
        return true;
    }
    let idle = state.limits.limits().idle;
    send(socket, &state.metrics, vec![Frame::Close { reason: Fatal::Busy }], idle).await;
    false
}

/// Charges `cost` to `device` and waits as its budget says; false if the
/// device is so far over budget that its connection must close (`Busy`).
async fn charge(state: &AppState, device: crdt_sync::DeviceId, cost: Cost) -> bool {
    match state.limits.charge(device, cost, Instant::now()) {
        Verdict::Go => true,
        Verdict::Wait(wait) => {
            tracing::debug!(%device, ?wait, "pacing a device over its budget");
            tokio::time::sleep(wait).await;
            true
        }
        Verdict::Over(wait) => {
            tracing::warn!(%device, ?wait, "a device far over its budget: closing its connection");
            false
        }
    }
}

/// A lab device's answer to its `Hello` starts with its lab's current
/// bundle key (v4), before the `Catalog` after which the device may find
/// itself settled: that is how the lab's devices learn the key that
/// replaced one a revoked device held (decision 0016).
async fn bundle_key_first(state: &AppState, device: &Device, out: &mut Vec<Frame>) {
    let Some(lab) = device.lab else { return };
    match state.with_registry(|r| r.lab_key(lab)).await {
        Ok(key) => out.insert(0, Frame::BundleKey { key }),
        Err(e) => {
            tracing::error!(device = %device.id, error = %e, "reading the lab's bundle key failed");
            *out = vec![Frame::Close { reason: Fatal::Storage }];
        }
    }
}
