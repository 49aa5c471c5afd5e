//! Sync bundles: documents on a USB stick, for labs with no network.
//!
//! A bundle is encrypted and authenticated with the lab's bundle key
//! (given to the lab's devices at enrolment and at each sync; the hub holds
//! every lab's) under XChaCha20-Poly1305, so a lost stick reveals nothing
//! but which lab it is for and roughly how much it carries:
//!
//! ```text
//! magic "TACCUINO-BUNDLE2" (16) | lab id (16) | key id (8) | nonce (24) | ciphertext | tag (16)
//! ```
//!
//! The header (everything before the ciphertext) is the associated data:
//! changing the lab, the key id or the nonce fails the tag like changing a
//! byte of the ciphertext. The plaintext is postcard: who made the bundle,
//! when, and each document's full save. The lab and key id in the clear let
//! the reader pick the key ([`claimed_lab`], [`claimed_key_id`]) without
//! trusting them: a wrong pick only fails to open. A forged, altered or
//! truncated file is refused whole before anything is applied; a bundle of
//! the first, signed-only format (`TACCUINO-BUNDLE1`) is refused with a
//! message saying to make it again. Importing is a merge like any other, so
//! importing the same bundle twice changes nothing. Decision 0016.

use chacha20poly1305::aead::AeadInOut;
use chacha20poly1305::{KeyInit, Tag, XChaCha20Poly1305, XNonce};
use rand::TryRngCore;
use serde::{Deserialize, Serialize};

pub use crate::credentials::{BundleKey, KeyId};

use crate::authz::authors::AuthorCheck;
use crate::authz::{DeviceRole, Grant, WriteCheck, access};
use crate::credentials::KEY_ID_LEN;
use crate::doc::{DocKind, DocRef};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, LabId};
use crate::store::Replication;
use crate::store::{Applied, Store};

const MAGIC: &[u8; 16] = b"TACCUINO-BUNDLE2";
/// The first format: signed with HMAC-SHA-256, not encrypted.
const MAGIC_V1: &[u8; 16] = b"TACCUINO-BUNDLE1";
const LAB_LEN: usize = 16;
/// Length of a [`KeyId`].
const NONCE_LEN: usize = 24;
const HEADER: usize = MAGIC.len() + LAB_LEN + KEY_ID_LEN + NONCE_LEN;
const TAG: usize = 16;
/// Largest bundle accepted (a whole lab's five years is about 3 MiB).
pub const MAX_BUNDLE: usize = 256 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct Body {
    device: DeviceId,
    created_ms: i64,
    docs: Vec<(DocRef, Vec<u8>)>,
}

/// What an opened bundle says about itself (all of it authenticated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleInfo {
    /// The lab whose key it was made with.
    pub lab: LabId,
    /// The device that made it.
    pub device: DeviceId,
    /// When (ms since the epoch).
    pub created_ms: i64,
    /// The documents it carries.
    pub docs: Vec<DocRef>,
}

/// A bundle whose whole file authenticated: what it says, and its
/// documents, ready to apply ([`Opened::apply`] and the like). The caller
/// may look at [`Opened::info`] first (the hub refuses a revoked device's).
pub struct Opened {
    info: BundleInfo,
    docs: Vec<(DocRef, Vec<u8>)>,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened").field("info", &self.info).finish_non_exhaustive()
    }
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

fn bad(reason: impl Into<String>) -> Error {
    Error::RejectedBytes { doc: "bundle".into(), reason: reason.into() }
}

fn cipher(key: &BundleKey) -> Result<XChaCha20Poly1305> {
    XChaCha20Poly1305::new_from_slice(&key.0)
        .map_err(|_| Error::Internal("XChaCha20-Poly1305 refused a 32-byte key".into()))
}

/// Writes a bundle of `docs` from `store`, encrypted with `lab`'s key under
/// a fresh random nonce.
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
    let mut body = Body { device: store.device(), created_ms, docs: Vec::with_capacity(docs.len()) };
    for doc in &docs {
        // An erased family's document is gone; the lab document carries
        // its tombstone instead.
        if store.erased_doc(*doc)?.is_some() {
            continue;
        }
        body.docs.push((*doc, store.export_doc(*doc)?));
    }
    let mut nonce = [0u8; NONCE_LEN];
    // 192 random bits: no two bundles of a key share a nonce in practice.
    rand::rngs::OsRng
        .try_fill_bytes(&mut nonce)
        .map_err(|e| Error::Internal(format!("no randomness for the bundle's nonce: {e}")))?;
    let plain = postcard::to_stdvec(&body).map_err(|e| Error::Internal(e.to_string()))?;
    drop(body);
    // What this device wrote so far leaves it in the bundle.
    store.renew_actor();
    let mut out = Vec::with_capacity(HEADER + plain.len() + TAG);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(lab.0.as_bytes());
    out.extend_from_slice(&key.id());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&plain);
    drop(plain);
    let (header, text) = out.split_at_mut(HEADER);
    let tag = cipher(key)?
        .encrypt_inout_detached(&XNonce::from(nonce), header, text.into())
        .map_err(|_| Error::Internal("XChaCha20-Poly1305 refused to seal the bundle".into()))?;
    out.extend_from_slice(tag.as_slice());
    Ok(out)
}

/// The clear header of a bundle of the current format, checked for shape
/// only (nothing in it is trusted until the file opens).
struct Header<'a> {
    lab: LabId,
    key_id: KeyId,
    nonce: [u8; NONCE_LEN],
    ad: &'a [u8],
    sealed: &'a [u8],
}

fn header(bytes: &[u8]) -> Result<Header<'_>> {
    if bytes.len() > MAX_BUNDLE {
        return Err(bad("the bundle is too large"));
    }
    if bytes.starts_with(MAGIC_V1) {
        return Err(bad(
            "this bundle was made by an older version of Taccuino (signed, not encrypted): make it again \
             with the current version",
        ));
    }
    if bytes.len() < HEADER + TAG || &bytes[..MAGIC.len()] != MAGIC {
        return Err(bad("not a Taccuino sync bundle"));
    }
    let (ad, sealed) = bytes.split_at(HEADER);
    let mut lab = [0u8; LAB_LEN];
    lab.copy_from_slice(&ad[MAGIC.len()..MAGIC.len() + LAB_LEN]);
    let mut key_id = [0u8; KEY_ID_LEN];
    key_id.copy_from_slice(&ad[MAGIC.len() + LAB_LEN..MAGIC.len() + LAB_LEN + KEY_ID_LEN]);
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&ad[HEADER - NONCE_LEN..]);
    Ok(Header { lab: LabId(uuid::Uuid::from_bytes(lab)), key_id, nonce, ad, sealed })
}

/// Reads which lab a bundle claims, without trusting it: the caller picks
/// that lab's key and calls [`open`] (or [`verify`]).
pub fn claimed_lab(bytes: &[u8]) -> Result<LabId> {
    Ok(header(bytes)?.lab)
}

/// Reads which key a bundle claims to be made with, without trusting it:
/// a reader holding several keys of a lab (the hub keeps retired ones to
/// recognise their bundles) compares it with [`BundleKey::id`].
pub fn claimed_key_id(bytes: &[u8]) -> Result<KeyId> {
    Ok(header(bytes)?.key_id)
}

/// Decrypts and authenticates the whole bundle with `key`. Nothing is
/// returned unless every byte of the file authenticates.
pub fn open(bytes: &[u8], key: &BundleKey) -> Result<Opened> {
    let h = header(bytes)?;
    if h.key_id != key.id() {
        return Err(bad(
            "the bundle was made with another key of its lab (a device of the lab was revoked since, or \
             this laptop has not synced the lab's new key yet) or for another lab: sync with the hub, \
             then make the bundle again",
        ));
    }
    let (text, tag) = h.sealed.split_at(h.sealed.len() - TAG);
    let mut tag_bytes = [0u8; TAG];
    tag_bytes.copy_from_slice(tag);
    let mut plain = text.to_vec();
    cipher(key)?
        .decrypt_inout_detached(
            &XNonce::from(h.nonce),
            h.ad,
            plain.as_mut_slice().into(),
            &Tag::from(tag_bytes),
        )
        .map_err(|_| bad("the bundle was altered or not made for this lab"))?;
    // Authenticated, so made by a holder of the key: still parsed without
    // trusting it (a lab key can leak), and bounded by the file's size.
    let body: Body = postcard::from_bytes(&plain).map_err(|_| bad("the bundle is damaged"))?;
    let info = BundleInfo {
        lab: h.lab,
        device: body.device,
        created_ms: body.created_ms,
        docs: body.docs.iter().map(|(d, _)| *d).collect(),
    };
    Ok(Opened { info, docs: body.docs })
}

/// Checks the whole bundle with `key` and returns what it carries.
pub fn verify(bytes: &[u8], key: &BundleKey) -> Result<BundleInfo> {
    Ok(open(bytes, key)?.info)
}

/// Opens the bundle, then merges each document `allow` accepts, with the
/// authors of its changes checked by `authors` (see [`Opened::apply`]).
pub fn import(
    store: &mut Store,
    bytes: &[u8],
    key: &BundleKey,
    authors: AuthorCheck<'_>,
    allow: impl FnMut(&mut Store, DocRef) -> Result<Option<WriteCheck>>,
) -> Result<Imported> {
    open(bytes, key)?.apply(store, authors, allow)
}

/// Opens the bundle and imports it with the rights of the device that made
/// it: see [`Opened::apply_as_lab`].
pub fn import_as_lab(store: &mut Store, bytes: &[u8], key: &BundleKey, lab: LabId) -> Result<Imported> {
    open(bytes, key)?.apply_as_lab(store, lab)
}

/// Opens the bundle and imports it on a device of `lab`: see
/// [`Opened::apply_as_device`].
pub fn import_as_device(store: &mut Store, bytes: &[u8], key: &BundleKey, lab: LabId) -> Result<Imported> {
    open(bytes, key)?.apply_as_device(store, lab)
}

impl Opened {
    /// What the bundle says about itself.
    pub fn info(&self) -> &BundleInfo {
        &self.info
    }

    /// Merges each document `allow` accepts (the caller's authorisation:
    /// the hub's access policy, or a device's own lab), under the
    /// [`WriteCheck`] it returns (`None`: skip the document), with the
    /// authors of its changes checked by `authors`. Each document is
    /// applied through the store's strict path, and one whose bytes are
    /// refused (corrupt, too large, or failing a check) is listed in
    /// [`Imported::refused`] while the others go in.
    pub fn apply(
        self,
        store: &mut Store,
        authors: AuthorCheck<'_>,
        mut allow: impl FnMut(&mut Store, DocRef) -> Result<Option<WriteCheck>>,
    ) -> Result<Imported> {
        let mut out = Imported::default();
        for (doc, save) in self.docs {
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
                Err(
                    e @ (Error::Erased { .. }
                    | Error::VolunteerErased { .. }
                    | Error::ErasureRefused { .. }
                    | Error::WrongAuthor { .. }),
                ) => out.refused.push((doc, e.to_string())),
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Imports with the rights of the device that made the bundle, as the
    /// hub does (`taccuino-hub import`): the maker must be a device of
    /// `lab` the hub's directory lists and did not revoke, each document is
    /// merged only if that device could have synced it
    /// ([`crate::authz::access`], [`WriteCheck::for_device`]), and its
    /// changes are the maker's own or those of its lab's devices
    /// ([`AuthorCheck::Sender`]). A bundle made with a lab's key therefore
    /// cannot erase a family (only a coordinator can, through the hub).
    /// Erased families are refused; a bundle made for another lab is
    /// refused whole.
    ///
    /// A *device* importing a bundle that may carry its lab document with
    /// tombstones it received from the hub uses [`Opened::apply_as_device`].
    pub fn apply_as_lab(self, store: &mut Store, lab: LabId) -> Result<Imported> {
        self.check_lab(lab)?;
        let directory = store.directory()?;
        let grant = match directory.devices.get(&self.info.device) {
            Some(e) if e.revoked => return Err(bad("the bundle was made by a revoked device")),
            Some(e) if e.grant.lab == Some(lab) && !e.grant.is_coordinator() => e.grant,
            _ => return Err(bad("the bundle was made by a device this hub did not enrol in this lab")),
        };
        let authors = AuthorCheck::Sender { device: self.info.device, grant, directory: &directory };
        self.apply_with(store, grant, authors)
    }

    /// Imports on a device of `lab` (from another device of the lab): like
    /// [`Opened::apply_as_lab`] with a lead's rights, except that
    /// tombstones in the lab document are obeyed, and the families they
    /// name are erased here in the same transaction, when the directory the
    /// hub wrote into the project document says their authors may erase
    /// ([`AuthorCheck::Privileged`], strict: an author it does not know may
    /// not). A bundle made by a device the directory says was revoked is
    /// refused whole.
    pub fn apply_as_device(self, store: &mut Store, lab: LabId) -> Result<Imported> {
        self.check_lab(lab)?;
        let directory = store.directory()?;
        if directory.devices.get(&self.info.device).is_some_and(|e| e.revoked) {
            return Err(bad("the bundle was made by a revoked device"));
        }
        let grant = Grant { role: DeviceRole::Lead, lab: Some(lab), organisation: None };
        let authors = AuthorCheck::Privileged { directory: &directory, strict: true };
        self.apply_with(store, grant, authors)
    }

    fn check_lab(&self, lab: LabId) -> Result<()> {
        if self.info.lab != lab {
            return Err(bad("the bundle was made for another lab"));
        }
        Ok(())
    }

    fn apply_with(self, store: &mut Store, grant: Grant, authors: AuthorCheck<'_>) -> Result<Imported> {
        let device_side = matches!(authors, AuthorCheck::Privileged { .. });
        self.apply(store, authors, |store, doc| {
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
}

#[cfg(test)]
mod tests {
    use crate::store::Families;
    use crate::store::Maintenance;
    use crate::store::ProjectSettings;
    use std::collections::BTreeSet;

    use uuid::Uuid;

    use super::*;
    use crate::domain::DirectoryEntry as Entry;
    use crate::domain::{Contacts, NewHousehold, NewLab, NewMember};
    use crate::testing::one_family::copy_all;
    use crate::testing::store;

    fn setup() -> (Store, Store, LabId, Vec<DocRef>) {
        // Codes 101..=199 and 201..=299: two devices of project 1.
        let mut a = store(1, 1, 101..=199);
        let mut b = store(2, 1, 201..=299);
        let lab = a
            .create_lab(NewLab {
                number: 4,
                name: "Lab".into(),
                address: "Pavia".into(),
                partner: "Coop".into(),
            })
            .expect("lab");
        copy_all(&mut a, &mut b);
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
        let lead = Entry {
            grant: Grant { role: DeviceRole::Lead, lab: Some(lab), organisation: None },
            revoked: false,
        };
        b.reconcile_directory(&[(a.device(), lead)]).expect("directory");
        let right = import_as_lab(&mut b, &bundle, &key, lab).expect("import as the lab");
        assert!(right.refused.is_empty(), "{right:?}");
        assert_eq!(b.search_households("ettore", 5).expect("search").len(), 1);
    }

    #[test]
    fn a_lost_bundle_reveals_no_name_and_opens_only_with_its_key() {
        let (mut a, _, lab, docs) = setup();
        let key = BundleKey([5; 32]);
        let bundle = export(&mut a, lab, &key, &docs, 0).expect("export");
        for name in ["Ettore", "Galli", "Pavia", "Coop"] {
            let found = bundle.windows(name.len()).any(|w| w == name.as_bytes());
            assert!(!found, "{name} reads out of the bundle");
        }
        assert_eq!(&bundle[..16], b"TACCUINO-BUNDLE2");
        assert_eq!(claimed_key_id(&bundle).expect("key id"), key.id());
        let again = export(&mut a, lab, &key, &docs, 0).expect("export again");
        assert_ne!(bundle[40..64], again[40..64], "a fresh nonce each time");
        let info = verify(&bundle, &key).expect("verify");
        assert_eq!((info.lab, info.device, info.docs.len()), (lab, a.device(), docs.len()));
    }

    #[test]
    fn the_header_is_authenticated_and_other_keys_are_told_apart() {
        let (mut a, mut b, lab, docs) = setup();
        let key = BundleKey([5; 32]);
        let bundle = export(&mut a, lab, &key, &docs, 0).expect("export");
        // Another lab written into the clear header: the tag fails.
        let mut moved = bundle.clone();
        moved[16..32].copy_from_slice(Uuid::from_u128(77).as_bytes());
        let e = import_as_device(&mut b, &moved, &key, LabId(Uuid::from_u128(77))).expect_err("moved");
        assert!(e.to_string().contains("altered"), "{e}");
        let e = verify(&bundle, &BundleKey([6; 32])).expect_err("another key");
        assert!(e.to_string().contains("another key of its lab"), "{e}");
        let e = import_as_lab(&mut b, &bundle, &key, LabId(Uuid::from_u128(77))).expect_err("other lab");
        assert!(e.to_string().contains("another lab"), "{e}");
        assert!(b.search_households("ettore", 5).expect("search").is_empty());
    }

    #[test]
    fn a_bundle_of_the_first_format_is_refused_with_a_clear_message() {
        let (_, mut b, lab, _) = setup();
        let key = BundleKey([5; 32]);
        // The first format: magic, a postcard body, an HMAC tag.
        let mut old = b"TACCUINO-BUNDLE1".to_vec();
        old.extend_from_slice(&[0u8; 80]);
        for e in [
            import_as_device(&mut b, &old, &key, lab).expect_err("old format"),
            claimed_lab(&old).expect_err("old format"),
        ] {
            assert!(e.to_string().contains("older version of Taccuino"), "{e}");
            assert!(e.to_string().contains("make it again"), "{e}");
        }
    }
}
