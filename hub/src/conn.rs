//! One TCP connection's hygiene below HTTP: how many an address may hold
//! at once, and how long one may stay plain HTTP.
//!
//! Every accepted connection claims a place for its address (an IPv4
//! address, or an IPv6 /64: what one household or one attacker usually
//! has) before anything else, the TLS handshake included; over the limit it
//! is closed at once. Its stream is then wrapped in [`Guarded`], which
//! fails every read and write once [`Limits::request`](crate::limits::Limits)
//! has passed, unless a handler has turned the connection into a WebSocket
//! ([`Peer::upgraded`]): a client that completes TLS and then sends no
//! request, or a request and never reads the answer, or keeps an idle
//! keep-alive connection, is closed instead of holding a task. A WebSocket
//! has its own deadlines in the socket loop.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Sleep;

/// Open connections per address, shared by the listener's accept loop.
#[derive(Clone, Debug)]
pub struct Addresses {
    max: u32,
    open: Arc<Mutex<HashMap<IpAddr, u32>>>,
}

/// An address's claim on one connection; dropping it frees the place.
#[derive(Debug)]
pub struct AddressSlot {
    key: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, u32>>>,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                // Only addresses with open connections are kept.
                open.remove(&self.key);
            }
        }
    }
}

/// The address a limit counts: IPv4 as it is (an IPv4-mapped IPv6 address
/// as its IPv4), IPv6 by its /64.
fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
    }
}

impl Addresses {
    /// At most `max` connections per address.
    pub fn new(max: u32) -> Self {
        Addresses { max, open: Arc::new(Mutex::new(HashMap::new())) }
    }

    /// Claims a place for a connection from `ip`, or `None` if its address
    /// already holds the most it may.
    pub fn claim(&self, ip: IpAddr) -> Option<AddressSlot> {
        let key = key(ip);
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = open.entry(key).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(AddressSlot { key, open: self.open.clone() })
    }
}

/// What the handlers know of a connection (`ConnectInfo<Peer>`).
#[derive(Clone, Debug)]
pub struct Peer {
    /// The client's address.
    pub addr: SocketAddr,
    upgraded: Arc<AtomicBool>,
}

impl Peer {
    /// Lifts the plain-HTTP deadline: the connection is becoming a
    /// WebSocket, whose loop has deadlines of its own.
    pub fn upgraded(&self) {
        self.upgraded.store(true, Ordering::Relaxed);
    }
}

/// A stream that fails once its deadline passes, unless upgraded.
pub struct Guarded<IO> {
    io: IO,
    addr: SocketAddr,
    upgraded: Arc<AtomicBool>,
    deadline: Pin<Box<Sleep>>,
    _slot: AddressSlot,
}

impl<IO> Guarded<IO> {
    /// Wraps `io` from `addr`, holding its address's place, with `request`
    /// to become a WebSocket.
    pub fn new(io: IO, addr: SocketAddr, slot: AddressSlot, request: Duration) -> Self {
        Guarded {
            io,
            addr,
            upgraded: Arc::new(AtomicBool::new(false)),
            deadline: Box::pin(tokio::time::sleep(request)),
            _slot: slot,
        }
    }

    fn peer(&self) -> Peer {
        Peer { addr: self.addr, upgraded: self.upgraded.clone() }
    }

    /// Whether the deadline passed on a connection still plain HTTP; when
    /// not, the deadline's timer is registered to wake the task.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        !self.upgraded.load(Ordering::Relaxed) && self.deadline.as_mut().poll(cx).is_ready()
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "no WebSocket within the request deadline")
}

impl<IO: AsyncRead + Unpin> AsyncRead for Guarded<IO> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.expired(cx) {
            return Poll::Ready(Err(timed_out()));
        }
        Pin::new(&mut this.io).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Guarded<IO> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.expired(cx) {
            return Poll::Ready(Err(timed_out()));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.expired(cx) {
            return Poll::Ready(Err(timed_out()));
        }
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.expired(cx) {
            return Poll::Ready(Err(timed_out()));
        }
        Pin::new(&mut this.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

/// A plain TCP listener with the same per-address limit and request
/// deadline as the TLS one: for in-process tests on loopback.
pub struct PlainListener {
    tcp: TcpListener,
    addresses: Addresses,
    request: Duration,
}

impl PlainListener {
    /// Wraps `tcp`.
    pub fn new(tcp: TcpListener, addresses: Addresses, request: Duration) -> Self {
        PlainListener { tcp, addresses, request }
    }
}

impl axum::serve::Listener for PlainListener {
    type Io = Guarded<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.tcp.accept().await {
                Ok((stream, peer)) => match self.addresses.claim(peer.ip()) {
                    Some(slot) => {
                        // As the TLS listener (`tls.rs`): no Nagle delay.
                        let _ = stream.set_nodelay(true);
                        return (Guarded::new(stream, peer, slot, self.request), peer);
                    }
                    None => tracing::warn!(%peer, "too many connections from this address: closed"),
                },
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

impl Connected<IncomingStream<'_, PlainListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, PlainListener>) -> Self {
        stream.io().peer()
    }
}

impl Connected<IncomingStream<'_, crate::tls::TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, crate::tls::TlsListener>) -> Self {
        stream.io().peer()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_counted_by_host_and_ipv6_by_64() {
        let a = Addresses::new(2);
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        let one = a.claim(ip("192.0.2.1")).expect("first");
        let _two = a.claim(ip("::ffff:192.0.2.1")).expect("the same host, mapped");
        assert!(a.claim(ip("192.0.2.1")).is_none(), "a third from the same host");
        assert!(a.claim(ip("192.0.2.2")).is_some(), "another host");
        drop(one);
        assert!(a.claim(ip("192.0.2.1")).is_some(), "a place was freed");
        let _v6a = a.claim(ip("2001:db8::1")).expect("v6");
        let _v6b = a.claim(ip("2001:db8::ffff:2")).expect("same /64");
        assert!(a.claim(ip("2001:db8::3")).is_none(), "the /64 is full");
        assert!(a.claim(ip("2001:db8:0:1::1")).is_some(), "another /64");
    }

    #[tokio::test]
    async fn a_plain_connection_fails_at_its_deadline_unless_upgraded() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut client = TcpStream::connect(addr).await.expect("connect");
        let mut lasting = TcpStream::connect(addr).await.expect("connect");
        let a = Addresses::new(8);
        let accept = || async {
            let (s, peer) = listener.accept().await.expect("accept");
            Guarded::new(s, peer, a.claim(peer.ip()).expect("slot"), Duration::from_millis(200))
        };
        let mut silent = accept().await;
        let mut upgraded = accept().await;
        upgraded.peer().upgraded();
        let mut buf = [0u8; 8];
        let started = std::time::Instant::now();
        let e = silent.read(&mut buf).await.expect_err("the deadline");
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert!(silent.write_all(b"late").await.is_err(), "writes fail too");
        // The upgraded one goes on after the deadline.
        lasting.write_all(b"hello").await.expect("write");
        let n = upgraded.read(&mut buf).await.expect("read");
        assert_eq!(&buf[..n], b"hello");
        drop(client.write_all(b"x").await);
    }
}
