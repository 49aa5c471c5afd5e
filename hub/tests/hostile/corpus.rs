//! Real frames, captured from syncs between local stores, to build hostile
//! messages on.

use super::*;
use crdt_sync::{Families, Meetings, ProjectSettings, Replication, Staff};

/// Real frames, captured from syncs between local stores, to build on.
pub(crate) struct Corpus {
    /// Both directions of a first sync of a fresh lab-1 device: everything
    /// in them is already at the hub.
    pub(crate) honest: Vec<Frame>,
    /// `Sync` frames carrying changes the hub lacks, to lab 1's documents.
    pub(crate) forged_lab: Vec<Frame>,
    /// `Sync` frames carrying changes the hub lacks, to the project document.
    pub(crate) forged_project: Vec<Frame>,
    /// The hub's heads of its documents, as a captured message gave them.
    pub(crate) heads: Vec<ChangeHash>,
    pub(crate) project: DocRef,
    pub(crate) training: DocRef,
    /// Lab 1's documents: its lab document, families and staff.
    pub(crate) lab1: Vec<DocRef>,
    /// Lab 2's, likewise.
    pub(crate) lab2: Vec<DocRef>,
}

impl Corpus {
    /// Frames `who` may send mutated: for the insider only those whose
    /// changes the hub already has.
    pub(crate) fn frames(&self, who: Who, rng: &mut StdRng) -> &Frame {
        let pools: &[&Vec<Frame>] = match who {
            Who::Insider => &[&self.honest],
            Who::Intruder => &[&self.honest, &self.forged_lab, &self.forged_project],
        };
        pools.choose(rng).and_then(|p| p.choose(rng)).expect("frames")
    }

    /// A `Sync` frame with changes that `who` may send damaged.
    pub(crate) fn with_changes(&self, who: Who, rng: &mut StdRng) -> (DocRef, Vec<u8>) {
        let pool: Vec<&Frame> = match who {
            Who::Insider => self.honest.iter().collect(),
            Who::Intruder => self.honest.iter().chain(&self.forged_lab).chain(&self.forged_project).collect(),
        };
        let with: Vec<(DocRef, &Vec<u8>)> = pool
            .into_iter()
            .filter_map(|f| match f {
                Frame::Sync { doc, message } if has_changes(message) => Some((*doc, message)),
                _ => None,
            })
            .collect();
        let (doc, message) = with.choose(rng).expect("frames with changes");
        (*doc, (*message).clone())
    }

    /// Any captured automerge message.
    pub(crate) fn message(&self, rng: &mut StdRng) -> Vec<u8> {
        let all: Vec<&Vec<u8>> = self
            .honest
            .iter()
            .filter_map(|f| if let Frame::Sync { message, .. } = f { Some(message) } else { None })
            .collect();
        (*all.choose(rng).expect("messages")).clone()
    }

    /// Documents `who` may read.
    pub(crate) fn readable(&self, who: Who) -> BTreeSet<DocRef> {
        let own = if who == Who::Insider { &self.lab1 } else { &self.lab2 };
        own.iter().copied().chain([self.project, self.training]).collect()
    }

    /// Documents the hub holds that `who` may neither read nor learn of. (A
    /// document the hub does not hold gives nothing away: the hub may echo
    /// one that a device offered, as an empty document to sync.)
    pub(crate) fn forbidden(&self, who: Who) -> BTreeSet<DocRef> {
        self.foreign(who).iter().copied().collect()
    }

    /// Documents of the lab that is not `who`'s.
    pub(crate) fn foreign(&self, who: Who) -> &[DocRef] {
        if who == Who::Insider { &self.lab2 } else { &self.lab1 }
    }
}

/// frame that crossed (each after a round trip through its bytes).
pub(crate) fn capture(hub: &mut Store, grant: Grant, device: &mut Store) -> Vec<Frame> {
    let id = device.device();
    let entry = crdt_sync::DirectoryEntry { grant, revoked: false };
    hub.reconcile_directory(&[(id, entry)]).expect("directory");
    let mut hub_session = Session::hub(id, grant);
    let mut device_session = Session::device();
    let mut log = Vec::new();
    let mut to_hub = vec![device_session.hello(device).expect("hello")];
    while !to_hub.is_empty() {
        assert!(log.len() < 10_000, "the local sync does not settle");
        let mut to_device = Vec::new();
        for f in to_hub.drain(..) {
            let f = Frame::decode(&f.encode()).expect("wire");
            log.push(f.clone());
            to_device.extend(hub_session.receive(hub, f).expect("hub side"));
        }
        for f in to_device {
            let f = Frame::decode(&f.encode()).expect("wire");
            log.push(f.clone());
            to_hub.extend(device_session.receive(device, f).expect("device side"));
        }
        to_hub.extend(device_session.outgoing(device).expect("outgoing"));
    }
    log
}

/// A local store holding copies of `docs` from `from`.
pub(crate) fn copy(from: &mut Store, docs: &[DocRef], n: u128) -> Store {
    let first = 900_000 + 1000 * n as u32;
    let config = DeviceConfig {
        device: DeviceId(Uuid::from_u128(0x5eed_0000 + n)),
        project: from.project(),
        codes: CodeRange::new(first, first + 999).expect("range"),
    };
    let mut to = Store::in_memory(config, Box::new(SeededEnv::with_seed(n as u64))).expect("local store");
    for d in docs {
        let bytes = from.export_doc(*d).expect("export");
        to.apply_bytes(*d, &bytes).expect("copy");
    }
    to
}

/// Builds the corpus from the coordinator's register (which holds everything).
pub(crate) fn corpus(coordinator: &mut Store, labs: &[LabId]) -> Corpus {
    let all = coordinator.doc_refs().expect("docs");
    let p = coordinator.project();
    let of = |lab: LabId, store: &mut Store| -> Vec<DocRef> {
        let mut docs = vec![DocRef::lab(lab)];
        for d in store.doc_refs().expect("docs") {
            let of_lab = match d.kind {
                DocKind::Household => {
                    store.household(crdt_sync::HouseholdId(d.id)).expect("family").lab == lab
                }
                DocKind::Person => {
                    store.person(crdt_sync::PersonId(d.id)).expect("person").labs.contains(&lab)
                }
                _ => false,
            };
            if of_lab {
                docs.push(d);
            }
        }
        docs
    };
    let lab1 = of(labs[0], coordinator);
    let lab2 = of(labs[1], coordinator);
    let volunteer = Grant { role: DeviceRole::Volunteer, lab: Some(labs[0]), organisation: None };

    // A fresh lab-1 device's first sync against a copy of the hub.
    let mut mirror = copy(coordinator, &all, 1);
    let mut fresh = copy(coordinator, &[], 2);
    let honest = capture(&mut mirror, volunteer, &mut fresh);
    let heads = honest
        .iter()
        .find_map(|f| match f {
            Frame::Sync { doc, message } if *doc == DocRef::lab(labs[0]) => {
                SyncMessage::decode(message).ok().map(|m| m.heads).filter(|h| !h.is_empty())
            }
            _ => None,
        })
        .expect("the hub's heads of lab 1");

    // A copy that makes changes the hub does not have, synced as a coordinator.
    let mut forger = copy(coordinator, &all, 3);
    forger.create_meeting(meeting(labs[0])).expect("forged meeting");
    forger.create_household(family(labs[0], "Falso")).expect("forged family");
    let h = lab1.iter().find(|d| d.kind == DocKind::Household).expect("a lab 1 family");
    let patch = HouseholdPatch { areas: Some(BTreeSet::new()), ..HouseholdPatch::default() };
    forger.update_household(crdt_sync::HouseholdId(h.id), patch).expect("forged edit");
    forger.set_targets(Targets { families: 1, ..Targets::default() }).expect("forged targets");
    let mut mirror = copy(coordinator, &all, 4);
    let coordinator_grant = Grant { role: DeviceRole::Coordinator, lab: None, organisation: None };
    let forged: Vec<Frame> = capture(&mut mirror, coordinator_grant, &mut forger)
        .into_iter()
        .filter(|f| matches!(f, Frame::Sync { message, .. } if has_changes(message)))
        .collect();
    let (forged_project, forged_lab): (Vec<Frame>, Vec<Frame>) =
        forged.into_iter().partition(|f| matches!(f, Frame::Sync { doc, .. } if *doc == DocRef::project(p)));
    assert!(!forged_project.is_empty() && forged_lab.len() >= 2, "forged frames were captured");
    Corpus {
        honest,
        forged_lab,
        forged_project,
        heads,
        project: DocRef::project(p),
        training: DocRef::training(p),
        lab1,
        lab2,
    }
}
