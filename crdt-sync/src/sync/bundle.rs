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

use crate::authz::authors::AuthorCheck;
use crate::authz::{DeviceRole, Grant, WriteCheck, access};
use crate::doc::{DocKind, DocRef};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, LabId};
use crate::store::{Applied, Store};

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
    // What this device wrote so far leaves it in the bundle.
    store.rotate_actor();
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
/// lab), under the [`WriteCheck`] it returns (`None`: skip the document),
/// with the authors of its changes checked by `authors`. Nothing is applied
/// unless the whole file verifies; each document is applied through the
/// store's strict path, and one whose bytes are refused (corrupt, or
/// failing a check) is listed in [`Imported::refused`] while the others go
/// in.
pub fn import(
    store: &mut Store,
    bytes: &[u8],
    key: &BundleKey,
    authors: AuthorCheck<'_>,
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
        match store.apply_bytes_checked(doc, &save, check, authors) {
            Ok(Applied::Changed) => out.changed.push(doc),
            Ok(Applied::Unchanged) => out.unchanged.push(doc),
            Err(Error::RejectedBytes { reason, .. } | Error::TooLarge { reason, .. }) => {
                out.refused.push((doc, reason))
            }
            Err(e @ (Error::Erased { .. } | Error::ErasureRefused { .. } | Error::WrongAuthor { .. })) => {
                out.refused.push((doc, e.to_string()))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Imports a bundle with the rights of the device that made it, as the hub
/// does (`taccuino-hub import`): the maker must be a device of `lab` the
/// hub's directory lists and did not revoke, each document is merged only
/// if that device could have synced it ([`crate::authz::access`],
/// [`WriteCheck::for_device`]), and its changes are the maker's own or
/// those of its lab's devices ([`AuthorCheck::Sender`]). A bundle signed
/// with a lab's key therefore cannot erase a family (only a coordinator
/// can, through the hub). Erased families are refused.
///
/// A *device* importing a bundle that may carry its lab document with
/// tombstones it received from the hub uses [`import_as_device`].
pub fn import_as_lab(store: &mut Store, bytes: &[u8], key: &BundleKey, lab: LabId) -> Result<Imported> {
    let info = verify(bytes, key)?;
    let directory = store.directory()?;
    let grant = match directory.devices.get(&info.device) {
        Some(e) if e.revoked => return Err(bad("the bundle was made by a revoked device")),
        Some(e) if e.grant.lab == Some(lab) && !e.grant.is_coordinator() => e.grant,
        _ => return Err(bad("the bundle was made by a device this hub did not enrol in this lab")),
    };
    let authors = AuthorCheck::Sender { device: info.device, grant, directory: &directory };
    import_with(store, bytes, key, grant, authors)
}

/// Imports a bundle on a device of `lab` (from another device of the lab):
/// like [`import_as_lab`] with a lead's rights, except that tombstones in
/// the lab document are obeyed, and the families they name are erased here
/// in the same transaction, when the directory the hub wrote into the
/// project document says their authors may erase
/// ([`AuthorCheck::Privileged`], strict: an author it does not know may
/// not). A bundle made by a device the directory says was revoked is
/// refused whole.
pub fn import_as_device(store: &mut Store, bytes: &[u8], key: &BundleKey, lab: LabId) -> Result<Imported> {
    let info = verify(bytes, key)?;
    let directory = store.directory()?;
    if directory.devices.get(&info.device).is_some_and(|e| e.revoked) {
        return Err(bad("the bundle was made by a revoked device"));
    }
    let grant = Grant { role: DeviceRole::Lead, lab: Some(lab) };
    let authors = AuthorCheck::Privileged { directory: &directory, strict: true };
    import_with(store, bytes, key, grant, authors)
}

fn import_with(
    store: &mut Store,
    bytes: &[u8],
    key: &BundleKey,
    grant: Grant,
    authors: AuthorCheck<'_>,
) -> Result<Imported> {
    let device_side = matches!(authors, AuthorCheck::Privileged { .. });
    import(store, bytes, key, authors, |store, doc| {
        let access = access(grant, doc, &store.doc_facts(doc)?);
        Ok(match access {
            _ if store.erased_doc(doc)?.is_some() => Some(WriteCheck::None), // refused by the store
            _ if !access.can_write() => None,
            // On a device, the lab document's tombstones are checked by author.
            _ if device_side && doc.kind == DocKind::Lab => Some(WriteCheck::None),
            a => Some(WriteCheck::for_device(grant, doc, a)),
        })
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use uuid::Uuid;

    use super::*;
    use crate::authz::authors::Entry;
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
        let first = import(&mut b, &bundle, &key, AuthorCheck::None, |_, _| Ok(Some(WriteCheck::None)))
            .expect("import");
        assert!(!first.changed.is_empty());
        assert_eq!(b.search_households("ettore", 5).expect("search").len(), 1);
        let again = import(&mut b, &bundle, &key, AuthorCheck::None, |_, _| Ok(Some(WriteCheck::None)))
            .expect("import again");
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
                import(&mut b, &bad, &key, AuthorCheck::None, |_, _| Ok(Some(WriteCheck::None))).is_err(),
                "flip at {i} accepted"
            );
        }
        assert!(
            import(&mut b, &bundle, &BundleKey([6; 32]), AuthorCheck::None, |_, _| Ok(Some(
                WriteCheck::None
            )))
            .is_err(),
            "wrong lab key"
        );
        assert!(
            import(&mut b, &bundle[..bundle.len() - 1], &key, AuthorCheck::None, |_, _| Ok(Some(
                WriteCheck::None
            )))
            .is_err()
        );
        assert!(
            import(&mut b, b"hello", &key, AuthorCheck::None, |_, _| Ok(Some(WriteCheck::None))).is_err()
        );
        assert_eq!(b.projection_dump().expect("dump"), before, "nothing applied");
        let partial = import(&mut b, &bundle, &key, AuthorCheck::None, |_, d| {
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
        let done = import(&mut b, &bundle, &key, AuthorCheck::None, |_, d| {
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
        // The hub imports only what the device that made the bundle could
        // have synced: it must be one of the lab's, in its directory.
        let lead = Entry { grant: Grant { role: DeviceRole::Lead, lab: Some(lab) }, revoked: false };
        b.reconcile_directory(&[(a.device(), lead)]).expect("directory");
        let right = import_as_lab(&mut b, &bundle, &key, lab).expect("import as the lab");
        assert!(right.refused.is_empty(), "{right:?}");
        assert_eq!(b.search_households("ettore", 5).expect("search").len(), 1);
    }
}
