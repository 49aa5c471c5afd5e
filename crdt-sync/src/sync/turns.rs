//! One connection run to quiescence in one process, in turns: every frame
//! the device has goes to the hub, every answer comes back, and so on. Each
//! frame is encoded and decoded as on the wire. Round trips are counted
//! exactly (a network can hide one behind another). For simulations, tests
//! and benchmarks; the network drivers are the hub's server and
//! `taccuino-sync-client`.

use super::{Frame, Grant, Session};
use crate::domain::DirectoryEntry as Entry;
use crate::error::{Error, Result};
use crate::store::Replication;
use crate::store::Store;

/// What a connection run in turns did.
#[derive(Debug)]
pub struct Turns {
    /// Round trips (device → hub → device).
    pub round_trips: usize,
    /// The device's session at the end (counters, refusals).
    pub device: Session,
    /// Every frame the hub sent.
    pub from_hub: Vec<Frame>,
}

/// The most round trips before a connection is taken not to settle.
const MAX_ROUND_TRIPS: usize = 50;

/// Runs one connection between `hub` (serving a device with `grant`) and
/// `device` until neither has anything to say. Like the hub's server, it
/// first records the device in the hub's directory (enrolled with `grant`,
/// not revoked), so that the hub takes its changes as the device's own.
pub fn in_turns(hub: &mut Store, grant: Grant, device: &mut Store) -> Result<Turns> {
    let id = device.device();
    hub.reconcile_directory(&[(id, Entry { grant, revoked: false })])?;
    let mut hub_session = Session::hub(id, grant);
    let mut dev_session = Session::device();
    let mut to_hub = vec![dev_session.hello(device)?];
    to_hub.extend(dev_session.outgoing(device)?);
    let mut from_hub = Vec::new();
    let mut round_trips = 0;
    while !to_hub.is_empty() {
        round_trips += 1;
        if round_trips > MAX_ROUND_TRIPS {
            return Err(Error::Internal(format!("sync did not settle in {MAX_ROUND_TRIPS} round trips")));
        }
        let mut to_device = Vec::new();
        for f in to_hub.drain(..) {
            to_device.extend(hub_session.receive(hub, wire(&f)?)?);
        }
        for f in &to_device {
            to_hub.extend(dev_session.receive(device, wire(f)?)?);
        }
        from_hub.extend(to_device);
        to_hub.extend(dev_session.outgoing(device)?);
    }
    // Settled: the device keeps its sync points and tells the hub, which
    // keeps its own (decision 0023). Not a round trip: nothing comes back.
    if dev_session.is_settled(device)? {
        let done = dev_session.done(device)?;
        hub_session.receive(hub, wire(&done)?)?;
    }
    Ok(Turns { round_trips, device: dev_session, from_hub })
}

/// A frame as the other side decodes it.
fn wire(f: &Frame) -> Result<Frame> {
    Frame::decode(&f.encode()).map_err(|e| Error::Internal(format!("a frame did not survive encoding: {e}")))
}
