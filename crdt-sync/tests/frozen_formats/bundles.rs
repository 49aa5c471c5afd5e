//! Sync bundles (format 2, encrypted: decision 0016): a bundle of the
//! register's documents made with a fixed lab key
//! (`fixtures/bundles/lab.bundle`). A stick written by one build is read by
//! another: a committed bundle must still open with its key and import the
//! same register. Bundles carry a fresh random nonce, so today's bundle is
//! compared by its clear header, its size and what it imports, not byte for byte.

use crdt_sync::authz::authors::AuthorCheck;
use crdt_sync::sync::bundle::{self, BundleKey};
use crdt_sync::{DocRef, Erasure, Families, Maintenance, ProjectSettings, Replication, Store, WriteCheck};

use crate::fixture;
use crate::register;

/// The lab key of the committed bundle (a test key).
fn key() -> BundleKey {
    BundleKey(std::array::from_fn(|i| 0x5b ^ (i as u8).wrapping_mul(7)))
}

/// When the bundle says it was made (2026-11-02 10:00 UTC).
const CREATED_MS: i64 = 1_793_613_600_000;

/// Where the clear header ends and the random nonce begins: magic (16),
/// lab (16), key id (8).
const CLEAR: usize = 40;

/// A store of another device of the project, with only its genesis documents.
fn other() -> Store {
    let config = crdt_sync::DeviceConfig {
        device: crdt_sync::DeviceId(uuid::Uuid::from_u128(0xd3)),
        ..register::config()
    };
    Store::in_memory(config, Box::new(crdt_sync::SeededEnv::with_seed(3))).expect("store")
}

/// Imports `bytes` into another device's store, and returns the store.
fn import(bytes: &[u8], what: &str) -> Store {
    let mut s = other();
    // Every document allowed, authors unchecked: this freezes the format;
    // who may import what is the authorisation tests' business.
    let everything = |_: &mut Store, _| Ok(Some(WriteCheck::None));
    let done = bundle::import(&mut s, bytes, &key(), AuthorCheck::None, everything).unwrap_or_else(|e| {
        panic!("{what} no longer imports ({e}): bundles on the labs' sticks would be lost. {ADVICE}")
    });
    assert!(done.refused.is_empty() && done.skipped.is_empty(), "{what}: {done:?}");
    s
}

const ADVICE: &str = "A change of the bundle format needs a new magic (TACCUINO-BUNDLE3) and a clear refusal of \
     the older one (crdt-sync/src/sync/bundle.rs, decision 0016); then update the fixture on purpose.";

#[test]
fn a_committed_bundle_opens_and_imports_the_register() {
    let mut s = register::store();
    let made = register::fill(&mut s);
    let docs: Vec<DocRef> = made.docs().iter().map(|(_, r)| *r).collect();
    let today = bundle::export(&mut s, made.lab, &key(), &docs, CREATED_MS).expect("export");
    // Each export draws a new nonce: the committed bundle is rewritten only
    // when its clear header or size no longer match, so that regenerating
    // the other fixtures leaves it as it is.
    let path = fixture::path("bundles/lab.bundle");
    let matches = std::fs::read(&path).is_ok_and(|c| c.len() == today.len() && c[..CLEAR] == today[..CLEAR]);
    if fixture::updating() && !matches {
        fixture::write("bundles/lab.bundle", &today);
    }
    let committed = fixture::read("bundles/lab.bundle");

    // The committed bundle, read by today's code.
    let info = bundle::verify(&committed, &key()).unwrap_or_else(|e| {
        panic!("fixture bundles/lab.bundle no longer opens with its key ({e}). {ADVICE}")
    });
    assert_eq!(bundle::claimed_lab(&committed).expect("lab"), info.lab);
    assert_eq!(bundle::claimed_key_id(&committed).expect("key id"), key().id());
    assert_eq!((info.device, info.created_ms), (register::config().device, CREATED_MS));
    let mut kinds: Vec<&str> = info.docs.iter().map(|d| d.kind.as_str()).collect();
    kinds.sort();
    assert_eq!(kinds, ["household", "lab", "person", "project", "training"]);
    let mut old = import(&committed, "fixture bundles/lab.bundle");
    let hits = old.search_households("anna rossi", 5).expect("search");
    assert_eq!(hits.len(), 1, "the Rossi family came in");
    assert_eq!(old.household(hits[0].id).expect("Rossi").members.len(), 2);
    assert_eq!(old.labs().expect("labs")[0].name, "Laboratorio Crosione");
    assert_eq!(old.erased_households(None).expect("erased").len(), 1, "the Bianchi's tombstone");

    // Today's bundle: the same clear header and size, the same register.
    assert!(
        committed.len() == today.len() && committed[..CLEAR] == today[..CLEAR],
        "today's bundle differs from fixture {} in its clear header or its size ({} bytes committed, {} today). \
         {ADVICE} If only the register of tests/frozen_formats/register.rs changed, rewrite it with `{}`",
        fixture::path("bundles/lab.bundle").display(),
        committed.len(),
        today.len(),
        fixture::REGENERATE
    );
    assert_eq!(bundle::verify(&today, &key()).expect("today's opens"), info);
    let mut new = import(&today, "today's bundle");
    assert_eq!(new.fingerprint(&docs).expect("fp"), old.fingerprint(&docs).expect("fp"), "the same changes");
    assert!(
        new.projection_dump().expect("dump") == old.projection_dump().expect("dump"),
        "the same register"
    );
}
