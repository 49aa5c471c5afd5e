//! `GET /update` and `GET /update/package/{version}/{format}`: what a laptop
//! asks of its hub about new versions, with its device credential, over
//! the TLS it has pinned.
//!
//! These answers are frozen JSON ([`UpdateInfo`]) and do not depend on the
//! sync protocol: a laptop too old to sync with its hub still learns of
//! the release that lets it sync again, and a laptop newer than its hub
//! learns that it must wait.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use taccuino_updates::{PackageFormat, UpdateInfo, UpdateOffer};

use crate::error::HubError;
use crate::server::{AppState, AuthDevice};

/// `GET /update`'s query: what the laptop is.
#[derive(Debug, Deserialize)]
pub(crate) struct Asked {
    /// How it was installed (`deb`, `rpm`, `nsis`, `dmg`); none for a
    /// build that was not installed from a package (it is offered nothing).
    format: Option<String>,
    /// Its version.
    version: String,
}

pub(crate) async fn update(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    Query(asked): Query<Asked>,
) -> Result<Response, HubError> {
    // Charged as a frame of the device's budget, like each sync frame.
    if let crate::Verdict::Wait(wait) | crate::Verdict::Over(wait) =
        state.limits().charge(device.id, crate::Cost::frame(0), std::time::Instant::now())
    {
        return Ok(too_many(wait, "over the device's budget of requests"));
    }
    let current = semver::Version::parse(&asked.version)
        .map_err(|_| HubError::Usage(format!("version {:?} is not a version", asked.version)))?;
    let offer = match (asked.format.as_deref().and_then(PackageFormat::parse), state.data_root()) {
        (Some(format), Some(root)) => state
            .with_registry(|r| super::offer_for(&root, r, device.lab, format, &current))
            .await?
            .map(|(published, _)| UpdateOffer {
                path: format!("/update/package/{}/{}", published.version, published.format),
                release: published.signed,
            }),
        _ => None,
    };
    Ok(Json(UpdateInfo {
        hub_version: taccuino_updates::this_version().to_string(),
        protocol: crdt_sync::sync::PROTOCOL_VERSION,
        offer,
    })
    .into_response())
}

/// `429 Too Many Requests`, with when to ask again.
fn too_many(wait: std::time::Duration, why: &'static str) -> Response {
    let retry = wait.as_secs().max(1).to_string();
    (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, retry)], why).into_response()
}

pub(crate) async fn package(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    Path((version, format)): Path<(String, String)>,
) -> Result<Response, HubError> {
    let not_found = || (StatusCode::NOT_FOUND, "no such release for this laptop").into_response();
    let (Ok(version), Some(format), Some(root)) =
        (semver::Version::parse(&version), PackageFormat::parse(&format), state.data_root())
    else {
        return Ok(not_found());
    };
    let Some((path, size)) =
        state.with_registry(|r| super::package_for(&root, r, device.lab, &version, format)).await?
    else {
        return Ok(not_found());
    };
    // One download at a time per device, and a few a day: each is
    // megabytes the hub sends (limits.rs).
    let slot = match state.limits().start_download(device.id, std::time::Instant::now()) {
        Ok(slot) => slot,
        Err(wait) => {
            tracing::warn!(device = %device.id, %version, "a release download refused: over the device's limit");
            return Ok(too_many(wait, "one download at a time, and a few a day"));
        }
    };
    let file =
        tokio::fs::File::open(&path).await.map_err(|source| HubError::Io { path: path.clone(), source })?;
    tracing::info!(device = %device.id, %version, %format, "a laptop downloads a release");
    // The slot lives as long as the body: until the last byte is sent or
    // the laptop goes away.
    let body = tokio_util::io::ReaderStream::new(file).map(move |chunk| {
        let _held = &slot;
        chunk
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_LENGTH, size.to_string()),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
