//! Sync bundles: documents on a USB stick, for labs with no network.
//!
//! A bundle is `MAGIC`, a postcard body (who made it, for which lab, and
//! each document's full save), and an HMAC-SHA-256 tag over both, keyed
//! with the lab's bundle key (given to the lab's devices at enrolment; the
//! hub holds every lab's). A forged or altered file fails the tag and is
//! refused whole before anything is applied. Importing is a merge like any
//! other, so importing the same bundle twice changes nothing.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::doc::{DocKind, DocRef};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, LabId};
use crate::store::{Applied, Store, WriteCheck};

const MAGIC: &[u8; 16] = b"TACCUINO-BUNDLE1";
const TAG: usize = 32;
/// Largest bundle accepted (a whole lab's five years is about 3 MiB).
pub const MAX_BUNDLE: usize = 256 * 1024 * 1024;

/// A lab's 256-bit bundle key.
#[derive(Clone, PartialEq, Eq)]
pub struct BundleKey(pub [u8; 32]);

impl std::fmt::Debug for BundleKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BundleKey(..)")
    }
}

#[derive(Serialize, Deserialize)]
struct Body {
    lab: LabId,
    device: DeviceId,
    created_ms: i64,
    docs: Vec<(DocRef, Vec<u8>)>,
}

/// What a verified bundle says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleInfo {
    /// The lab whose key signed it.
    pub lab: LabId,
    /// The device that made it.
    pub device: DeviceId,
    /// When (ms since the epoch).
    pub created_ms: i64,
    /// The documents it carries.
    pub docs: Vec<DocRef>,
}

/// What importing a bundle did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Documents that brought new changes.
    pub changed: Vec<DocRef>,
    /// Documents already up to date.
    pub unchanged: Vec<DocRef>,
    /// Documents skipped because this side may not take them.
    pub skipped: Vec<DocRef>,
    /// Documents whose bytes were refused, and why (corrupt, or a household
    /// that would leave the bundle's lab).
    pub refused: Vec<(DocRef, String)>,
}

fn mac(key: &BundleKey) -> Hmac<Sha256> {
    // HMAC takes keys of any length; 32 bytes cannot fail.
    <Hmac<Sha256> as KeyInit>::new_from_slice(&key.0)
        .unwrap_or_else(|_| unreachable!("HMAC accepts 32-byte keys"))
}

fn bad(reason: impl Into<String>) -> Error {
    Error::RejectedBytes { doc: "bundle".into(), reason: reason.into() }
}

/// Writes a bundle of `docs` from `store`, signed with `lab`'s key.
pub fn export(
    store: &mut Store,
    lab: LabId,
    key: &BundleKey,
    docs: &[DocRef],
    created_ms: i64,
) -> Result<Vec<u8>> {
    let mut docs = docs.to_vec();
    // Lab documents before households, so an importer sees a new family
    // listed before it meets the family's document.
    docs.sort();
    docs.dedup();
    let mut body = Body { lab, device: store.device(), created_ms, docs: Vec::with_capacity(docs.len()) };
    for doc in &docs {
        // An erased family's document is gone; the lab document carries
        // its tombstone instead.
        if store.erased_doc(*doc)?.is_some() {
            continue;
        }
        body.docs.push((*doc, store.export_doc(*doc)?));
    }
    let body = postcard::to_stdvec(&body).map_err(|e| Error::Internal(e.to_string()))?;
    let mut out = Vec::with_capacity(MAGIC.len() + body.len() + TAG);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&body);
    let mut m = mac(key);
    m.update(&out);
    out.extend_from_slice(&m.finalize().into_bytes());
    Ok(out)
}

/// Reads which lab a bundle claims, without trusting it: the caller picks
/// that lab's key and calls [`verify`].
pub fn claimed_lab(bytes: &[u8]) -> Result<LabId> {
    Ok(parse_body(bytes)?.lab)
}

fn parse_body(bytes: &[u8]) -> Result<Body> {
    if bytes.len() > MAX_BUNDLE {
        return Err(bad("the bundle is too large"));
    }
    if bytes.len() < MAGIC.len() + TAG || &bytes[..MAGIC.len()] != MAGIC {
        return Err(bad("not a Taccuino sync bundle"));
    }
    let body = &bytes[MAGIC.len()..bytes.len() - TAG];
    postcard::from_bytes(body).map_err(|_| bad("the bundle is damaged"))
}

/// Checks the bundle's tag with `key` and returns what it carries.
pub fn verify(bytes: &[u8], key: &BundleKey) -> Result<BundleInfo> {
    if bytes.len() < MAGIC.len() + TAG {
        return Err(bad("not a Taccuino sync bundle"));
    }
    let (signed, tag) = bytes.split_at(bytes.len() - TAG);
    let mut m = mac(key);
    m.update(signed);
    m.verify_slice(tag).map_err(|_| bad("the bundle was altered or not made for this lab"))?;
    let body = parse_body(bytes)?;
    Ok(BundleInfo {
        lab: body.lab,
        device: body.device,
        created_ms: body.created_ms,
        docs: body.docs.iter().map(|(d, _)| *d).collect(),
    })
}

/// Verifies the bundle, then merges each document `allow` accepts (the
/// caller's authorisation: the hub's access policy, or a device's own
/// lab), under the [`WriteCheck`] it returns (`None`: skip the document).
/// Nothing is applied unless the whole file verifies; each document is
/// applied through the store's strict path, and one whose bytes are
/// refused (corrupt, or failing its check) is listed in
/// [`Imported::refused`] while the others go in.
pub fn import(
    store: &mut Store,
    bytes: &[u8],
    key: &BundleKey,
    mut allow: impl FnMut(&mut Store, DocRef) -> Result<Option<WriteCheck>>,
) -> Result<Imported> {
    verify(bytes, key)?;
    let body = parse_body(bytes)?;
    let mut out = Imported::default();
    for (doc, save) in body.docs {
        let Some(check) = allow(store, doc)? else {
            out.skipped.push(doc);
            continue;
        };
        match store.apply_bytes_checked(doc, &save, check) {
            Ok(Applied::Changed) => out.changed.push(doc),
            Ok(Applied::Unchanged) => out.unchanged.push(doc),
            Err(Error::RejectedBytes { reason, .. } | Error::TooLarge { reason, .. }) => {
                out.refused.push((doc, reason))
            }
            Err(e @ (Error::Erased { .. } | Error::ErasureRefused { .. })) => {
                out.refused.push((doc, e.to_string()))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Imports a bundle with the rights of its lab's devices: each document is
/// merged only if a lead of `lab` may write it ([`super::access`]), so a
/// bundle can never carry changes its lab could not sync. The hub's
/// `import` command and a device of the same lab both use this.
/// A household, new or known, must stay a household of `lab`, as in sync.
/// Like a lead's sync, the lab document may add erasure requests but no
/// tombstone: a bundle signed with a lab's key cannot erase a family (only a
/// coordinator can, through the hub). Erased families are refused.
///
/// A *device* importing a bundle that may carry its lab document with
/// tombstones it received from the hub uses [`import_as_device`].
pub fn import_as_lab(store: &mut Store, bytes: &[u8], key: &BundleKey, lab: LabId) -> Result<Imported> {
    import_with(store, bytes, key, lab, WriteCheck::NoErasure { may_request: true })
}

/// Imports a bundle on a device of `lab` (from another device of the lab,
/// or made by the hub): like [`import_as_lab`], except that tombstones in the
/// lab document are obeyed, and the families they name are erased here in
/// the same transaction. The device cannot check who wrote a tombstone (the
/// hub refuses any not written by a coordinator, so a device's lab document
/// only carries real ones unless the lab's key itself was abused).
pub fn import_as_device(store: &mut Store, bytes: &[u8], key: &BundleKey, lab: LabId) -> Result<Imported> {
    import_with(store, bytes, key, lab, WriteCheck::None)
}

fn import_with(
    store: &mut Store,
    bytes: &[u8],
    key: &BundleKey,
    lab: LabId,
    lab_check: WriteCheck,
) -> Result<Imported> {
    let grant = super::Grant { role: super::DeviceRole::Lead, lab: Some(lab) };
    import(store, bytes, key, |store, doc| {
        let access = super::access(grant, doc, &store.doc_facts(doc)?);
        Ok(match access {
            _ if store.erased_doc(doc)?.is_some() => Some(WriteCheck::None), // refused by the store
            _ if !access.can_write() => None,
            _ if doc.kind == DocKind::Household => Some(WriteCheck::HouseholdOfLab(lab)),
            _ if doc.kind == DocKind::Lab => Some(lab_check),
            _ => Some(WriteCheck::None),
        })
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use uuid::Uuid;

    use super::*;
    use crate::codes::CodeRange;
    use crate::domain::{Contacts, NewHousehold, NewLab, NewMember};
    use crate::env::SeededEnv;
    use crate::ids::ProjectId;
    use crate::store::DeviceConfig;

    fn store(n: u128) -> Store {
        let config = DeviceConfig {
            device: DeviceId(Uuid::from_u128(n)),
            project: ProjectId(Uuid::from_u128(1)),
            codes: CodeRange::new(1 + 100 * n as u32, 99 + 100 * n as u32).expect("range"),
        };
        Store::in_memory(config, Box::new(SeededEnv::with_seed(n as u64))).expect("store")
    }

    fn setup() -> (Store, Store, LabId, Vec<DocRef>) {
        let mut a = store(1);
        let mut b = store(2);
        let lab = a
            .create_lab(NewLab {
                number: 4,
                name: "Lab".into(),
                address: "Pavia".into(),
                partner: "Coop".into(),
            })
            .expect("lab");
        for doc in a.doc_refs().expect("docs") {
            let bytes = a.export_doc(doc).expect("export");
            b.apply_bytes(doc, &bytes).expect("apply");
        }
        a.create_household(NewHousehold {
            lab,
            reference: NewMember { first_name: "Ettore".into(), last_name: "Galli".into(), birth_year: None },
            others: vec![],
            contacts: Contacts::default(),
            areas: BTreeSet::new(),
            referral: None,
            consent: crate::domain::NewConsent::given(
                chrono::NaiveDate::from_ymd_opt(2026, 1, 15).expect("date"),
                "2026-01",
                crate::ids::PersonId(uuid::Uuid::from_u128(0xC0)),
            ),
        })
        .expect("household");
        let docs = a.doc_refs().expect("docs");
        (a, b, lab, docs)
    }

    #[test]
    fn a_bundle_carries_a_lab_to_another_device_once() {
        let (mut a, mut b, lab, docs) = setup();
        let key = BundleKey([5; 32]);
        let bundle = export(&mut a, lab, &key, &docs, 0).expect("export");
        assert_eq!(claimed_lab(&bundle).expect("lab"), lab);
        let first = import(&mut b, &bundle, &key, |_, _| Ok(Some(WriteCheck::None))).expect("import");
        assert!(!first.changed.is_empty());
        assert_eq!(b.search_households("ettore", 5).expect("search").len(), 1);
        let again = import(&mut b, &bundle, &key, |_, _| Ok(Some(WriteCheck::None))).expect("import again");
        assert!(again.changed.is_empty(), "importing twice changes nothing");
        assert_eq!(a.fingerprint(&docs).expect("fp"), b.fingerprint(&docs).expect("fp"));
    }

    #[test]
    fn altered_or_foreign_bundles_are_refused_whole() {
        let (mut a, mut b, lab, docs) = setup();
        let key = BundleKey([5; 32]);
        let bundle = export(&mut a, lab, &key, &docs, 0).expect("export");
        let before = b.projection_dump().expect("dump");
        for i in (0..bundle.len()).step_by(97) {
            let mut bad = bundle.clone();
            bad[i] ^= 0x01;
            assert!(
                import(&mut b, &bad, &key, |_, _| Ok(Some(WriteCheck::None))).is_err(),
                "flip at {i} accepted"
            );
        }
        assert!(
            import(&mut b, &bundle, &BundleKey([6; 32]), |_, _| Ok(Some(WriteCheck::None))).is_err(),
            "wrong lab key"
        );
        assert!(
            import(&mut b, &bundle[..bundle.len() - 1], &key, |_, _| Ok(Some(WriteCheck::None))).is_err()
        );
        assert!(import(&mut b, b"hello", &key, |_, _| Ok(Some(WriteCheck::None))).is_err());
        assert_eq!(b.projection_dump().expect("dump"), before, "nothing applied");
        let partial = import(&mut b, &bundle, &key, |_, d| {
            Ok((d.kind != crate::DocKind::Household).then_some(WriteCheck::None))
        })
        .expect("import");
        assert_eq!(partial.skipped.len(), 1);
        assert!(b.search_households("ettore", 5).expect("search").is_empty());
    }

    #[test]
    fn a_household_that_fails_its_check_is_refused_and_the_rest_goes_in() {
        let (mut a, mut b, lab, docs) = setup();
        let key = BundleKey([5; 32]);
        let bundle = export(&mut a, lab, &key, &docs, 0).expect("export");
        let elsewhere = LabId(Uuid::from_u128(99));
        let done = import(&mut b, &bundle, &key, |_, d| {
            Ok(Some(if d.kind == crate::DocKind::Household {
                WriteCheck::HouseholdOfLab(elsewhere)
            } else {
                WriteCheck::None
            }))
        })
        .expect("import");
        assert_eq!(done.refused.len(), 1, "{done:?}");
        assert!(done.refused[0].1.contains("not a household of lab"), "{done:?}");
        assert!(b.search_households("ettore", 5).expect("search").is_empty(), "nothing of it stored");
        assert!(!done.changed.is_empty(), "the lab document went in");
        let right = import_as_lab(&mut b, &bundle, &key, lab).expect("import as the lab");
        assert!(right.refused.is_empty(), "{right:?}");
        assert_eq!(b.search_households("ettore", 5).expect("search").len(), 1);
    }
}
