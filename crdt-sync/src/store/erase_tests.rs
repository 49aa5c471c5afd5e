//! Erasure on one store: what goes, what stays, what is refused, and that
//! the bytes leave the encrypted file (issue 6).

use crate::store::AuditLog;
use crate::store::Erasure;
use crate::store::Families;
use crate::store::Maintenance;
use crate::store::Replication;
use std::collections::BTreeSet;

use uuid::Uuid;

use super::{Key, Store, WriteCheck};
use crate::authz::authors::AuthorCheck;
use crate::doc::{self, DocRef};
use crate::domain::{Contacts, ErasureReason, HouseholdPatch, NewHousehold, NewMember};
use crate::env::SeededEnv;
use crate::error::{ErasureRefusal, Error};
use crate::ids::HouseholdId;
use crate::testing::d;
use crate::testing::one_family::{
    NAME, PHONE, SURNAME, attend, config, copy_all, family, forged_tombstone, lab, store,
};

#[test]
fn erasing_drops_the_family_keeps_its_code_and_refuses_it_afterwards() {
    let mut s = store(1);
    let l = lab(&mut s, 3);
    let h = family(&mut s, l);
    let other = family(&mut s, l);
    let old_bytes = s.export_doc(DocRef::household(h)).expect("export");
    let code = s.household(h).expect("household").code;

    let t = s.erase_household(h, ErasureReason::Request, None).expect("erase");
    assert_eq!(t.len(), 1);
    assert_eq!((t[0].household, t[0].code.as_str(), t[0].reason), (h, code.as_str(), ErasureReason::Request));

    assert!(!s.has_doc(DocRef::household(h)).expect("has"));
    assert!(
        matches!(s.household(h), Err(Error::Erased { household, code: c }) if household == h && c == code)
    );
    assert_eq!(s.search_households(SURNAME, 10).expect("search").len(), 1, "only the other family");
    assert_eq!(s.search_households(SURNAME, 10).expect("search")[0].id, other);
    let erased = s.erased_households(Some(l)).expect("erased");
    assert_eq!(erased.len(), 1);
    assert_eq!((erased[0].id, erased[0].code.as_str()), (h, code.as_str()));
    assert_eq!(s.tombstone(h).expect("tombstone").map(|t| t.household), Some(h));
    // Code only, in the lab's index; nothing of the family in the projection.
    let dump = s.projection_dump().expect("dump").join("\n");
    assert!(dump.contains(&code));
    // The other family's: two member rows and its search row's two names.
    assert_eq!(dump.matches(SURNAME).count(), 4);
    for table in ["households", "members", "pathways"] {
        let n: i64 = s
            .conn()
            .query_row(
                &format!(
                    "SELECT count(*) FROM {table} WHERE {} = ?1",
                    if table == "households" { "id" } else { "household_id" }
                ),
                [h.to_string()],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(n, 0, "{table}");
    }

    // Refused from anywhere, edited by no one.
    assert!(matches!(s.apply_bytes(DocRef::household(h), &old_bytes), Err(Error::Erased { .. })));
    assert!(matches!(
        s.update_household(h, HouseholdPatch { contacts: Some(Contacts::default()), ..Default::default() }),
        Err(Error::Erased { .. })
    ));
    assert!(matches!(s.request_erasure(h, ErasureReason::Request, None), Err(Error::Erased { .. })));
    let mut state = automerge::sync::State::new();
    assert_eq!(s.generate_sync_message(DocRef::household(h), &mut state).expect("generate"), None);

    // The audit log says who, what and why, without personal data.
    let log = s.audit_log(10).expect("audit");
    let entries: Vec<_> = log.iter().filter(|e| e.action == "erasure").collect();
    assert_eq!(entries.len(), 1);
    let details = entries[0].details.to_string();
    assert!(details.contains(&code) && details.contains(&h.to_string()) && details.contains("request"));
    for secret in [NAME, SURNAME, "8812605", "Xylofonte"] {
        assert!(!details.contains(secret), "{secret} in {details}");
    }

    // Twice: the same tombstone, nothing new.
    let again = s.erase_household(h, ErasureReason::Other, None).expect("again");
    assert_eq!(again, t);
    assert_eq!(s.audit_log(10).expect("audit").iter().filter(|e| e.action == "erasure").count(), 1);

    // Unknown: a clear error.
    let unknown = HouseholdId(Uuid::from_u128(424242));
    assert!(matches!(
        s.erase_household(unknown, ErasureReason::Request, None),
        Err(Error::NotFound { what: "household", .. })
    ));

    // Rebuilding the projection brings nothing back.
    s.rebuild_projection().expect("rebuild");
    assert!(matches!(s.household(h), Err(Error::Erased { .. })));
    assert_eq!(s.search_households(NAME, 10).expect("search").len(), 1);
}

#[test]
fn a_request_is_copied_into_the_tombstone_and_then_closed() {
    let mut s = store(1);
    let l = lab(&mut s, 3);
    let h = family(&mut s, l);
    let lead = crate::ids::PersonId(Uuid::from_u128(77));
    let coordinator = crate::ids::PersonId(Uuid::from_u128(78));
    let r = s.request_erasure(h, ErasureReason::Withdrawal, Some(lead)).expect("request");
    assert_eq!(s.erasure_requests(None).expect("requests"), vec![r]);
    let t = s.erase_household(h, ErasureReason::Withdrawal, Some(coordinator)).expect("erase");
    assert_eq!((t[0].requested_by, t[0].confirmed_by), (Some(lead), Some(coordinator)));
    assert!(s.erasure_requests(None).expect("requests").is_empty());
}

#[test]
fn an_unconfirmed_duplicate_blocks_the_erasure_of_its_family() {
    let (mut a, f) = crate::testing::register::build();
    assert!(matches!(a.erase_household(f.f2, ErasureReason::Request, None), Err(Error::Merge(_))));
    assert!(a.household(f.f2).is_ok(), "nothing erased");
}

#[test]
fn tombstones_from_a_device_that_is_not_a_coordinators_are_refused() {
    let mut volunteer = store(1);
    let mut hub = store(2);
    let l = lab(&mut volunteer, 3);
    let h = family(&mut volunteer, l);
    copy_all(&mut volunteer, &mut hub);
    let changes = forged_tombstone(&mut volunteer, l, h);
    for check in [WriteCheck::NoErasure { may_request: false }, WriteCheck::NoErasure { may_request: true }] {
        let got = hub.apply_bytes_checked(DocRef::lab(l), &changes, check, AuthorCheck::None);
        assert!(
            matches!(got, Err(Error::ErasureRefused { refusal: ErasureRefusal::NotCoordinator, .. })),
            "{got:?}"
        );
    }
    assert!(hub.household(h).is_ok(), "nothing erased on the hub");
    // A coordinator's (no constraint) goes in and erases.
    hub.apply_bytes_checked(DocRef::lab(l), &changes, WriteCheck::None, AuthorCheck::None)
        .expect("coordinator");
    assert!(matches!(hub.household(h), Err(Error::Erased { .. })));

    // Requests: a lead's go in, a volunteer's do not.
    let mut lead = store(3);
    let mut hub = store(4);
    let l = lab(&mut lead, 3);
    let h = family(&mut lead, l);
    copy_all(&mut lead, &mut hub);
    let heads = lead.heads(DocRef::lab(l)).expect("heads");
    lead.request_erasure(h, ErasureReason::Request, None).expect("request");
    let changes = lead.export_since(DocRef::lab(l), &heads).expect("changes");
    let got = hub.apply_bytes_checked(
        DocRef::lab(l),
        &changes,
        WriteCheck::NoErasure { may_request: false },
        AuthorCheck::None,
    );
    assert!(matches!(got, Err(Error::ErasureRefused { refusal: ErasureRefusal::RequestNotAllowed, .. })));
    hub.apply_bytes_checked(
        DocRef::lab(l),
        &changes,
        WriteCheck::NoErasure { may_request: true },
        AuthorCheck::None,
    )
    .expect("lead");
    assert_eq!(hub.erasure_requests(Some(l)).expect("requests").len(), 1);
    assert!(hub.household(h).is_ok(), "a request erases nothing");
}

#[test]
fn a_tombstone_for_a_family_the_lab_does_not_list_is_refused_from_anyone() {
    let mut coordinator = store(1);
    let mut hub = store(2);
    let l3 = lab(&mut coordinator, 3);
    let l4 = lab(&mut coordinator, 4);
    let theirs = family(&mut coordinator, l4);
    copy_all(&mut coordinator, &mut hub);
    // Lab 3's document erasing lab 4's family.
    let changes = forged_tombstone(&mut coordinator, l3, theirs);
    for check in [WriteCheck::None, WriteCheck::NoErasure { may_request: true }] {
        let got = hub.apply_bytes_checked(DocRef::lab(l3), &changes, check, AuthorCheck::None);
        assert!(
            matches!(got, Err(Error::ErasureRefused { refusal: ErasureRefusal::NotInLab { household }, .. }) if household == theirs),
            "{got:?}"
        );
    }
    assert!(hub.household(theirs).is_ok());
    // The local write, on the other hand, went through the store's own
    // path: `erase_household` never writes such a tombstone, but one written
    // by hand names a family this store then treats as erased.
}

#[test]
fn two_coordinators_erasing_offline_both_take_effect_everywhere() {
    let mut a = store(1);
    let l = lab(&mut a, 3);
    let h1 = family(&mut a, l);
    let h2 = family(&mut a, l);
    let mut b = store(2);
    let mut c = store(3);
    copy_all(&mut a, &mut b);
    copy_all(&mut a, &mut c);
    // Each creates the `erased` map: rival maps after the merge.
    a.erase_household(h1, ErasureReason::Request, None).expect("erase on a");
    b.erase_household(h2, ErasureReason::Request, None).expect("erase on b");
    let from_b = b.export_doc(DocRef::lab(l)).expect("export");
    a.apply_bytes(DocRef::lab(l), &from_b).expect("merge into a");
    let from_a = a.export_doc(DocRef::lab(l)).expect("export");
    b.apply_bytes(DocRef::lab(l), &from_a).expect("merge into b");
    c.apply_bytes(DocRef::lab(l), &from_a).expect("merge into c");
    assert!(doc::lab::erased_in_conflict(a.doc(DocRef::lab(l)).expect("doc")));
    for s in [&mut a, &mut b, &mut c] {
        for h in [h1, h2] {
            assert!(matches!(s.household(h), Err(Error::Erased { .. })), "{h}");
            assert!(!s.has_doc(DocRef::household(h)).expect("has"));
        }
    }
}

/// Every page of the database file, decrypted by SQLCipher (free pages
/// included), plus the raw bytes of any `-wal` or `-shm` file beside it; in
/// lower case, since the full-text index stores words folded.
fn all_bytes(path: &std::path::Path, key: &Key) -> Vec<u8> {
    let mut conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch(&key.pragma()).expect("key");
    let pages = conn.serialize(rusqlite::MAIN_DB).expect("serialize");
    let mut out = pages.to_vec();
    drop(pages);
    conn.close().map_err(|(_, e)| e).expect("close");
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        if let Ok(bytes) = std::fs::read(std::path::PathBuf::from(p)) {
            out.extend(bytes);
        }
    }
    out.to_ascii_lowercase()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.to_ascii_lowercase();
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn erased_bytes_leave_the_encrypted_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("taccuino.db");
    let key = Key::from_bytes([7; 32]);
    let mut s = Store::create(&path, &key, config(1), Box::new(SeededEnv::with_seed(1))).expect("create");
    let l = lab(&mut s, 3);
    let h = family(&mut s, l);
    attend(&mut s, l, h, d(2025, 1, 20));
    // Some edits, so the family's data is in several chunks and row versions.
    s.update_household(
        h,
        HouseholdPatch {
            contacts: Some(Contacts {
                phone: PHONE.into(),
                email: "quirinaldo@example.it".into(),
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .expect("edit");
    let neighbour = {
        let other = s
            .create_household(NewHousehold {
                lab: l,
                reference: NewMember {
                    first_name: "Anna".into(),
                    last_name: "Rossi".into(),
                    birth_year: None,
                },
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
            .expect("other");
        s.household(other).expect("other").code
    };
    drop(s);
    let secrets = [NAME, SURNAME, "8812605", "Xylofonte", "quirinaldo@example"];
    let before = all_bytes(&path, &key);
    for secret in secrets {
        assert!(contains(&before, secret), "control: {secret} is in the file before erasure");
    }

    let mut s = Store::open(&path, &key, Box::new(SeededEnv::with_seed(2))).expect("open");
    s.erase_household(h, ErasureReason::Request, None).expect("erase");
    assert_eq!(s.integrity_check().expect("integrity"), "ok");
    drop(s);
    let after = all_bytes(&path, &key);
    for secret in secrets {
        assert!(!contains(&after, secret), "{secret} is still in the file");
    }
    assert!(contains(&after, "rossi"), "the other family is still there");
    assert!(contains(&after, &neighbour));
    // And the store opens and works.
    let s = Store::open(&path, &key, Box::new(SeededEnv::with_seed(3))).expect("reopen");
    assert_eq!(s.erased_households(None).expect("erased").len(), 1);
    assert_eq!(s.search_households("rossi", 5).expect("search").len(), 1);
}
