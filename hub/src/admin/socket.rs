//! The running hub's administration socket: a Unix socket, `admin.sock` in
//! the data directory, through which the command line hands the running hub
//! a [`Request`] to carry out in its own turn at the store.
//!
//! Only the hub's own user (or root) gets in: the data directory is 0700,
//! the socket 0600, and each connection's peer credentials are checked
//! against the directory's owner before a byte is read. The hub holds the
//! directory's lock while it serves, so a socket file left by a killed hub is
//! replaced safely at the next start.
//!
//! On the socket: one line of JSON (an [`Envelope`]), then the payload's
//! bytes (a bundle), then one line of JSON back (a [`Reply`]). Every read is
//! bounded in size and time.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

use super::{Outcome, Request, execute};
use crate::error::{HubError, Result};
use crate::server::AppState;

/// The socket's name in the data directory.
pub const SOCKET_NAME: &str = "admin.sock";

/// The longest request line.
const MAX_LINE: u64 = 64 * 1024;
/// How long a client may take to send its request and payload.
const READ_WITHIN: Duration = Duration::from_secs(60);
/// How long the command line waits for the hub's answer: an import of a
/// whole lab's years waits for its turn, then for its own work.
const ANSWER_WITHIN: Duration = Duration::from_secs(30 * 60);

/// A request and the length of the payload after it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Envelope {
    /// The command.
    pub request: Request,
    /// Bytes that follow the line.
    pub payload: u64,
}

/// The hub's answer.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    /// Carried out.
    Done(Outcome),
    /// Refused or failed, and why (the same message the command line prints
    /// when it runs the command itself).
    Failed(String),
}

/// The bound socket of a serving hub; the file is removed when it is
/// dropped.
#[derive(Debug)]
pub struct AdminSocket {
    listener: std::os::unix::net::UnixListener,
    path: PathBuf,
    owner: u32,
}

impl AdminSocket {
    /// Binds `admin.sock` in `dir`, replacing a file a killed hub left
    /// there. The caller holds the data directory's lock.
    pub fn bind(dir: &Path) -> Result<AdminSocket> {
        let path = dir.join(SOCKET_NAME);
        let io = |source| HubError::Io { path: path.clone(), source };
        let owner =
            std::fs::metadata(dir).map_err(|source| HubError::Io { path: dir.to_owned(), source })?.uid();
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
        let listener = std::os::unix::net::UnixListener::bind(&path).map_err(io)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        listener.set_nonblocking(true).map_err(io)?;
        Ok(AdminSocket { listener, path, owner })
    }

    /// Where the socket is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for AdminSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Answers administration requests on `socket` until the task is dropped
/// (with the runtime, when the hub stops).
pub async fn serve(socket: AdminSocket, state: AppState) -> Result<()> {
    let listener = tokio::net::UnixListener::from_std(
        socket.listener.try_clone().map_err(|source| HubError::Io { path: socket.path.clone(), source })?,
    )
    .map_err(|source| HubError::Io { path: socket.path.clone(), source })?;
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(error = %e, "administration socket: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let (state, owner) = (state.clone(), socket.owner);
        tokio::spawn(async move {
            if let Err(e) = answer(stream, state, owner).await {
                tracing::warn!(error = %e, "administration request failed");
            }
        });
    }
}

async fn answer(stream: tokio::net::UnixStream, state: AppState, owner: u32) -> std::io::Result<()> {
    let uid = stream.peer_cred()?.uid();
    let mut stream = tokio::io::BufReader::new(stream);
    if uid != owner && uid != 0 {
        tracing::warn!(uid, "administration socket: refused a process of another user");
        return reply(&mut stream, &Reply::Failed("only the hub's own user may administer it".into())).await;
    }
    let read = tokio::time::timeout(READ_WITHIN, read_request(&mut stream)).await;
    let (envelope, payload) = match read {
        Ok(Ok(read)) => read,
        Ok(Err(e)) => return reply(&mut stream, &Reply::Failed(format!("bad request: {e}"))).await,
        Err(_) => {
            return reply(&mut stream, &Reply::Failed("the request took too long to arrive".into())).await;
        }
    };
    let command = name(&envelope.request);
    tracing::info!(command, uid, "administration request");
    let today = chrono::Utc::now().date_naive();
    let request = envelope.request;
    let done = state
        .in_admin_turn(|store, registry, reconciler| {
            execute(&request, &payload, store, registry, reconciler, today)
        })
        .await;
    let answer = match done {
        Ok(outcome) => {
            tracing::info!(command, "administration request carried out");
            Reply::Done(outcome)
        }
        Err(e) => {
            tracing::warn!(command, error = %e, "administration request refused");
            Reply::Failed(e.to_string())
        }
    };
    reply(&mut stream, &answer).await
}

async fn read_request(
    stream: &mut tokio::io::BufReader<tokio::net::UnixStream>,
) -> std::io::Result<(Envelope, Vec<u8>)> {
    let mut line = String::new();
    (&mut *stream).take(MAX_LINE).read_line(&mut line).await?;
    if !line.ends_with('\n') {
        return Err(std::io::Error::other("no complete request line"));
    }
    let envelope: Envelope = serde_json::from_str(&line).map_err(std::io::Error::other)?;
    let wanted = match envelope.request {
        Request::Import { .. } => crdt_sync::sync::bundle::MAX_BUNDLE as u64,
        _ => 0,
    };
    if envelope.payload > wanted {
        return Err(std::io::Error::other(format!(
            "a payload of {} bytes is more than allowed",
            envelope.payload
        )));
    }
    let mut payload = vec![0; envelope.payload as usize];
    stream.read_exact(&mut payload).await?;
    Ok((envelope, payload))
}

async fn reply(
    stream: &mut tokio::io::BufReader<tokio::net::UnixStream>,
    reply: &Reply,
) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(reply).map_err(std::io::Error::other)?;
    line.push(b'\n');
    let stream = stream.get_mut();
    stream.write_all(&line).await?;
    stream.shutdown().await
}

fn name(request: &Request) -> &'static str {
    match request {
        Request::AddLab { .. } => "add-lab",
        Request::AddOrganisation { .. } => "add-organisation",
        Request::Import { .. } => "import",
        Request::Erase { .. } => "retention --erase",
    }
}

/// Hands `request` to the hub serving `dir` and waits for its answer: what
/// the command line does when the directory's lock is taken.
pub fn send(dir: &Path, request: Request, payload: &[u8]) -> Result<Outcome> {
    let path = dir.join(SOCKET_NAME);
    let unreachable = |e: std::io::Error| {
        HubError::Usage(format!(
            "the hub serving {} does not answer on {}: {e} (is it an older version? stop it and run the \
             command again)",
            dir.display(),
            path.display()
        ))
    };
    let mut stream = std::os::unix::net::UnixStream::connect(&path).map_err(unreachable)?;
    stream.set_read_timeout(Some(ANSWER_WITHIN)).map_err(unreachable)?;
    let mut line = serde_json::to_vec(&Envelope { request, payload: payload.len() as u64 })
        .map_err(|e| HubError::Internal(e.to_string()))?;
    line.push(b'\n');
    stream.write_all(&line).map_err(unreachable)?;
    stream.write_all(payload).map_err(unreachable)?;
    stream.flush().map_err(unreachable)?;
    let mut answer = String::new();
    BufReader::new(stream.take(MAX_LINE * 16)).read_line(&mut answer).map_err(unreachable)?;
    match serde_json::from_str::<Reply>(&answer) {
        Ok(Reply::Done(outcome)) => Ok(outcome),
        Ok(Reply::Failed(why)) => Err(HubError::Usage(why)),
        Err(_) if answer.is_empty() => Err(HubError::Usage(format!(
            "the hub serving {} closed the administration socket without an answer: see its log",
            dir.display()
        ))),
        Err(e) => Err(HubError::Internal(format!("the hub's answer is not understood: {e}"))),
    }
}
