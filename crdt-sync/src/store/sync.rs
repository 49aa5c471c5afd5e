//! The store's side of the automerge sync protocol: generating messages
//! from, and receiving them into, stored documents, through the same
//! strict, transactional path as any other bytes from elsewhere.

use crate::authz::authors::{AuthorCheck, NewChanges};
use crate::doc::DocRef;
use automerge::Automerge;
use automerge::sync::Message;

use crate::error::{Error, Result};

/// Checks the authors of the changes that took a document from `before`
/// (`live`, or nothing when it is new here) to `next`. The genesis of a new
/// document is the same on every replica and has no author to check.
pub(super) fn verify_authors(
    authors: AuthorCheck<'_>,
    r: DocRef,
    live: Option<&Automerge>,
    before: &[automerge::ChangeHash],
    next: &Automerge,
) -> Result<()> {
    if matches!(authors, AuthorCheck::None) {
        return Ok(());
    }
    // A new document's genesis is the same on every replica: no author.
    // It is built (a twentieth of a first download) only for a check that
    // needs it set apart (`AuthorCheck::refuses_unknown`), and for a replay.
    let genesis = |needed: bool| if live.is_none() && needed { r.genesis().get_heads() } else { Vec::new() };
    let skip = genesis(authors.refuses_unknown());
    let actors = next
        .get_changes_meta(before)
        .into_iter()
        .filter(|m| !skip.contains(&m.hash))
        .map(|m| m.actor.into_owned())
        .collect();
    let changes = || {
        let skip = genesis(true);
        let mut new = next.get_changes(before);
        new.retain(|c| !skip.contains(&c.hash()));
        new
    };
    let new = NewChanges { actors, changes: &changes };
    authors.verify(r, live, &new, next).map_err(|refusal| Error::WrongAuthor { doc: r.to_string(), refusal })
}

/// The most `have` summaries a message may carry (automerge sends one at most).
const MAX_HAVES: usize = 8;
/// Bounds of a Bloom filter's parameters (automerge uses 10 bits per entry and 7 probes).
const MAX_BITS_PER_ENTRY: u64 = 64;
const MAX_PROBES: u64 = 64;

/// Refuses `have` summaries that automerge would trust, unchecked, the next
/// time it generates a message for this peer: a filter with entries but no
/// bits makes every probe `% 0` (a panic), a huge probe count allocates and
/// loops that often per change, and many filters multiply the work for
/// every change. automerge itself never sends any of these.
pub(super) fn check_haves(message: &Message) -> std::result::Result<(), String> {
    if message.have.len() > MAX_HAVES {
        return Err(format!("{} Bloom filters (at most {MAX_HAVES})", message.have.len()));
    }
    for have in &message.have {
        // Entries, bits per entry, probes (LEB128), then the bits; nothing
        // at all for a filter without entries, which is never probed.
        let bytes = have.bloom.to_bytes();
        let mut input = bytes.as_slice();
        if input.is_empty() {
            continue;
        }
        let mut field = || {
            let mut value = 0u64;
            for (i, b) in input.iter().take(10).enumerate() {
                value |= u64::from(b & 0x7f) << (7 * i);
                if b & 0x80 == 0 {
                    input = &input[i + 1..];
                    return value;
                }
            }
            u64::MAX
        };
        let (_entries, bits, probes) = (field(), field(), field());
        if !(1..=MAX_BITS_PER_ENTRY).contains(&bits) || !(1..=MAX_PROBES).contains(&probes) {
            return Err(format!("a Bloom filter with {bits} bits per entry and {probes} probes"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use automerge::sync::{self, BloomFilter, ChunkList, Have, Message, MessageVersion};

    use super::*;
    use crate::store::{ProjectSettings, Replication};
    use crate::{Applied, Store, WriteCheck};

    fn store(n: u128) -> Store {
        crate::testing::store(n, 2, 1..=99)
    }

    /// A change can arrive before the change it depends on (the sender
    /// skips changes its peer's Bloom filter seems to hold, and about 1 in
    /// 100 it is wrong). Such a change waited in a copy of the document that
    /// was then dropped; the sender, which counts it as sent, never sent it
    /// again, and the sync went round in circles until the hub cut it off.
    #[test]
    fn a_change_that_arrives_before_its_dependency_is_kept_until_that_arrives() {
        let mut a = store(1);
        let mut b = store(3);
        let doc = DocRef::project(a.project());
        let h0 = a.heads(doc).expect("heads");
        a.set_targets(crate::domain::Targets { families: 1, ..Default::default() }).expect("edit");
        let x = a.export_since(doc, &h0).expect("x");
        let h1 = a.heads(doc).expect("heads");
        a.set_targets(crate::domain::Targets { families: 2, ..Default::default() }).expect("edit");
        let y = a.export_since(doc, &h1).expect("y");
        let h2 = a.heads(doc).expect("heads");
        let message = |change: &[u8]| {
            Message {
                heads: h2.clone(),
                need: vec![],
                have: vec![],
                changes: ChunkList::from(change.to_vec()),
                flags: None,
                version: MessageVersion::V1,
            }
            .encode()
        };
        let mut state = sync::State::new();
        let got = b
            .receive_sync_message(doc, &mut state, &message(&y), WriteCheck::None, AuthorCheck::None)
            .expect("y");
        assert_eq!(got, Applied::Unchanged, "y waits for x");
        let got = b
            .receive_sync_message(doc, &mut state, &message(&x), WriteCheck::None, AuthorCheck::None)
            .expect("x");
        assert_eq!(got, Applied::Changed);
        assert_eq!(b.heads(doc).expect("heads"), h2, "x, and y with it");
        assert_eq!(b.targets().expect("targets").families, 2);
    }

    /// A peer's `have` used to reach automerge unchecked, and the next
    /// message generated for that peer divided by zero (a filter with
    /// entries but no bits) or allocated and looped per probe (a million).
    #[test]
    fn bloom_filters_automerge_never_sends_are_refused_not_trusted() {
        let mut store = store(1);
        let doc = DocRef::project(store.project());
        let heads = store.heads(doc).expect("heads");
        let message = |haves: Vec<&[u8]>| {
            Message {
                heads: heads.clone(),
                need: vec![],
                have: haves
                    .into_iter()
                    .map(|b| Have { last_sync: vec![], bloom: BloomFilter::try_from(b).expect("bloom") })
                    .collect(),
                changes: ChunkList::empty(),
                flags: None,
                version: MessageVersion::V1,
            }
            .encode()
        };
        let normal: &[u8] = &[1, 10, 7, 0xff, 0xff];
        for (haves, ok) in [
            (vec![normal], true),
            (vec![&[][..]], true),
            (vec![&[1, 0, 7][..]], false),
            (vec![&[1, 10, 0x80, 0x80, 0x40, 0xff, 0xff][..]], false),
            (vec![normal; MAX_HAVES + 1], false),
        ] {
            let mut state = sync::State::new();
            let got = store.receive_sync_message(
                doc,
                &mut state,
                &message(haves.clone()),
                WriteCheck::None,
                AuthorCheck::None,
            );
            match got {
                Ok(Applied::Unchanged) if ok => {}
                Err(Error::RejectedBytes { .. }) if !ok => {}
                other => panic!("{haves:?}: {other:?}"),
            }
            store.generate_sync_message(doc, &mut state).expect("a message, not a panic");
        }
    }
}
