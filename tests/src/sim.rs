//! Sync without a network: a hub store and a device store exchange real
//! encoded frames through `crdt_sync::sync::Session` in turns, so that round
//! trips are counted exactly (a network run can hide one behind another).

use crdt_sync::Store;
use crdt_sync::sync::{Frame, Grant, Session, Stats};

/// Runs one connection to quiescence. Returns the number of round trips
/// (device → hub → device) and the device's counters and session.
pub fn settle(hub: &mut Store, grant: Grant, device: &mut Store) -> (usize, Stats, Session) {
    let mut hub_session = Session::hub(grant);
    let mut dev_session = Session::device();
    let mut to_hub = vec![dev_session.hello(device).expect("hello")];
    let mut round_trips = 0;
    while !to_hub.is_empty() {
        round_trips += 1;
        assert!(round_trips < 50, "sync does not settle");
        let mut to_device = Vec::new();
        for f in to_hub.drain(..) {
            let f = Frame::decode(&f.encode()).expect("wire");
            to_device.extend(hub_session.receive(hub, f).expect("hub"));
        }
        for f in to_device {
            let f = Frame::decode(&f.encode()).expect("wire");
            to_hub.extend(dev_session.receive(device, f).expect("device"));
        }
        to_hub.extend(dev_session.outgoing(device).expect("outgoing"));
    }
    (round_trips, dev_session.stats(), dev_session)
}
