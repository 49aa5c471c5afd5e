//! New versions from the hub: `GET /update` (is there a release for this
//! laptop?) and the package's download, over the same pinned TLS as a
//! sync, with the device's credential. Plain HTTP/1.1 (hyper's client
//! connection) rather than a WebSocket: a package is one long body.
//!
//! Nothing here is believed: the caller checks the offer's signature
//! (`taccuino_updates::SignedRelease::verify`) before asking for the
//! package, and [`download`] feeds every byte to a
//! [`PackageCheck`] before writing it, so a package longer than signed
//! stops at the first extra byte.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::header;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use taccuino_updates::{PackageCheck, PackageFormat, UpdateInfo};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::transport::{self, Trust};
use crate::{CONNECT, ClientError, Endpoint, STALL};

/// The longest `GET /update` answer read (a real one is about 1 KB).
const MAX_INFO: usize = 64 * 1024;

type Sender = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

/// Opens a pinned connection and sends `GET path` with the credential.
async fn get(
    hub: &Endpoint,
    token: &str,
    path: &str,
) -> Result<hyper::Response<hyper::body::Incoming>, ClientError> {
    let connect = async {
        let (stream, _) = transport::open(hub, Trust::Pinned).await?;
        let (sender, conn): (Sender, _) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(http)?;
        // The connection runs beside the request and ends with it.
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok::<_, ClientError>(sender)
    };
    let mut sender =
        tokio::time::timeout(CONNECT, connect).await.map_err(|_| ClientError::Stalled(CONNECT))??;
    let request = Request::get(path)
        .header(header::HOST, hub.authority())
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::USER_AGENT, concat!("taccuino/", env!("CARGO_PKG_VERSION")))
        .body(Empty::new())
        .map_err(|e| ClientError::Protocol(format!("request: {e}")))?;
    let response = tokio::time::timeout(STALL, sender.send_request(request))
        .await
        .map_err(|_| ClientError::Stalled(STALL))?;
    let response = response.map_err(http)?;
    match response.status() {
        StatusCode::OK => Ok(response),
        StatusCode::UNAUTHORIZED => Err(ClientError::Unauthorized),
        // Over the device's limits (one download at a time, a few a day):
        // as a sync the hub cut for its budget, try later.
        StatusCode::TOO_MANY_REQUESTS => Err(ClientError::Closed(crdt_sync::sync::Fatal::Busy)),
        StatusCode::NOT_FOUND => Err(ClientError::Protocol(format!("the hub has nothing at {path}"))),
        other => Err(ClientError::Protocol(format!("the hub answered {other} at {path}"))),
    }
}

fn http(e: hyper::Error) -> ClientError {
    ClientError::Io(std::io::Error::other(e))
}

/// Asks `hub` whether a release is offered to this laptop, installed from
/// a `format` package (`None`: not installed from one) at `version`.
pub async fn update_info(
    hub: &Endpoint,
    token: &str,
    format: Option<PackageFormat>,
    version: &semver::Version,
) -> Result<UpdateInfo, ClientError> {
    let mut path = format!("/update?version={version}");
    if let Some(f) = format {
        path.push_str(&format!("&format={f}"));
    }
    let mut body = get(hub, token, &path).await?.into_body();
    let mut bytes = Vec::new();
    while let Some(frame) =
        tokio::time::timeout(STALL, body.frame()).await.map_err(|_| ClientError::Stalled(STALL))?
    {
        if let Ok(data) = frame.map_err(http)?.into_data() {
            if bytes.len() + data.len() > MAX_INFO {
                return Err(ClientError::Protocol("the hub's update answer is too long".into()));
            }
            bytes.extend_from_slice(&data);
        }
    }
    serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol(format!("update answer: {e}")))
}

/// Downloads the package at `path` on `hub` into `out`, each chunk checked
/// by `check` before it is written; `progress` hears the bytes so far. The
/// caller calls `check.finish()` and keeps the file only if it says yes.
pub async fn download<W: AsyncWrite + Unpin>(
    hub: &Endpoint,
    token: &str,
    path: &str,
    check: &mut PackageCheck,
    out: &mut W,
    mut progress: impl FnMut(u64, u64),
) -> Result<(), ClientError> {
    let mut body = get(hub, token, path).await?.into_body();
    while let Some(frame) =
        tokio::time::timeout(STALL, body.frame()).await.map_err(|_| ClientError::Stalled(STALL))?
    {
        if let Ok(data) = frame.map_err(http)?.into_data() {
            check.update(&data).map_err(ClientError::Update)?;
            out.write_all(&data).await?;
            progress(check.received(), check.expected());
        }
    }
    out.flush().await?;
    Ok(())
}
