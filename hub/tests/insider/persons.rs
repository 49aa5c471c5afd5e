//! Person documents: who may read and write an operator's or volunteer's
//! name, phone and e-mail. A lab writes its own roster (`lab_roster`), so a
//! roster entry must give it no right to another lab's person: her document
//! is never sent to it, answered exactly like an unknown id (`NotAllowed`),
//! and not writable. Person documents are in the *forbidden set* of every
//! device of another lab. And the honest path: a lead's new operator syncs
//! on the first sync.

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use crdt_sync::{Replication, Staff};

use super::*;

/// Lab 2's volunteer `x` lists lab 1's operator on lab 2's roster: one
/// automerge change to its own lab document (the roster's layout, as in
/// `doc/lab.rs`: `roster.<person_id> = true`), put in its own register.
fn poison_roster(w: &mut World) {
    let lab2 = DocRef::lab(w.labs[1]);
    let mut am = load_as(&mut w.x.store, lab2, actor(w.x.enrolled.device));
    let operator = w.operator.to_string();
    let bytes = change(&mut am, |tx| {
        let roster = match tx.get(ROOT, "roster").expect("read") {
            Some((automerge::Value::Object(automerge::ObjType::Map), id)) => id,
            _ => tx.put_object(ROOT, "roster", automerge::ObjType::Map).expect("roster"),
        };
        tx.put(&roster, operator.as_str(), true).expect("roster entry");
    });
    w.x.store.apply_bytes(lab2, &bytes).expect("the insider's own register takes it");
}

/// Whatever `x` then does, the hub never sends it the operator's document.
fn assert_not_leaked(w: &mut World, answer: &Answer, when: &str) {
    let person = DocRef::person(w.operator);
    assert!(!answer.shown.contains(&person), "{when}: the hub showed lab 1's operator to lab 2");
    assert!(!w.x.store.has_doc(person).expect("has_doc"), "{when}: lab 2's insider holds lab 1's operator");
    assert!(w.x.store.person(w.operator).is_err(), "{when}: lab 2's insider reads lab 1's operator");
}

/// Issue 11, finding 1 (read): with lab 1's operator on lab 2's roster, the
/// lab-2 volunteer's next sync brought her name, phone and e-mail. Now it
/// does not, and a raw connection offering her id is answered exactly as
/// one offering an id nobody has.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roster_entry_does_not_show_another_labs_person() {
    let mut w = world().await;
    poison_roster(&mut w);
    let url = w.hub.url.clone();
    // The insider's syncs may refuse the roster entry or take it: either
    // way, the person must not come back (the second sync is the one that
    // starts with the roster at the hub).
    for i in 1..=2 {
        let report = w.x.sync(&url).await.expect("the insider's sync ends");
        println!("insider sync {i} with the poisoned roster: refused {:?}", report.refused);
    }
    let answer = Answer::default();
    assert_not_leaked(&mut w, &answer, "after a sync with the poisoned roster");

    // Offered in a `Hello` and asked for in a `Sync`: answered as an
    // unknown person is.
    let person = DocRef::person(w.operator);
    let unknown = unknown_person(&mut w.rng);
    let barrier = unknown_person(&mut w.rng);
    let asks = vec![
        Frame::Sync { doc: person, message: sync_message(vec![], vec![]) },
        Frame::Sync { doc: unknown, message: sync_message(vec![], vec![]) },
    ];
    let answer = attack(&url, &w.x.enrolled.token, vec![person, unknown], asks, barrier).await;
    println!("insider asks for lab 1's operator: {}", answer.summary());
    assert_not_leaked(&mut w, &answer, "on a raw connection");
    let about = |doc: DocRef| -> Vec<String> {
        let mut out: Vec<String> =
            answer.refused.iter().filter(|(d, _)| *d == doc).map(|(_, r)| format!("{r:?}")).collect();
        if answer.shown.contains(&doc) {
            out.push("shown".into());
        }
        out
    };
    assert_eq!(about(person), about(unknown), "the answers tell her id from an unknown one: {answer:?}");
    // Refused as a document the device may not read (`NotAllowed`), or as
    // one its lab does not list (`NotListed`, which a person offered before
    // her lab's roster reached the hub also gets): either says nothing
    // about other labs, as long as both ids get the same.
    let unknown_answers = about(unknown);
    assert!(
        !unknown_answers.is_empty() && unknown_answers.iter().all(|r| r == "NotAllowed" || r == "NotListed"),
        "an unknown person is answered {unknown_answers:?}"
    );
    assert!(answer.close.is_none() && answer.cut.is_none(), "{answer:?}");
    w.honest_round("after the roster attack").await;
    w.finish("roster read");
}

/// Issue 11, finding 1 (write): through the poisoned roster the lab-2
/// volunteer edited lab 1's operator's phone, and the edit reached lab 1.
/// Now a `Sync` with that change (made on her document as the hub holds
/// it, which a modified client might have learnt) is refused and lab 1
/// never sees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roster_entry_does_not_let_another_lab_edit_a_person() {
    let mut w = world().await;
    poison_roster(&mut w);
    let url = w.hub.url.clone();
    let _ = w.x.sync(&url).await.expect("the insider's sync ends");
    let person = DocRef::person(w.operator);
    let phone_before = w.a.store.person(w.operator).expect("lab 1 holds its operator").phone;
    let mut am = load_as(&mut w.coordinator.store, person, actor(w.x.enrolled.device));
    let edit = change(&mut am, |tx| {
        tx.put(ROOT, "phone", "+39 333 6666666").expect("phone");
        tx.put(ROOT, "email", "insider@example.org").expect("e-mail");
    });
    let frames = vec![Frame::Sync { doc: person, message: sync_message(am.get_heads(), vec![edit]) }];
    let barrier = unknown_person(&mut w.rng);
    let answer = attack(&url, &w.x.enrolled.token, vec![person], frames, barrier).await;
    println!("insider edits lab 1's operator: {}", answer.summary());
    assert!(answer.refused(person), "the edit was not refused: {answer:?}");
    assert!(!answer.shown.contains(&person), "the hub showed her document: {answer:?}");

    w.honest_round("after the edit").await;
    for d in [&mut w.a, &mut w.coordinator] {
        let p = d.store.person(w.operator).expect("the operator");
        assert_eq!(p.phone, phone_before, "{}: the insider's edit arrived", d.name);
        assert_eq!(p.email, "maria.esposito@example.org", "{}: the insider's edit arrived", d.name);
    }
    w.finish("roster write");
}

/// Issue 11, finding 5: a lead who registers a new operator
/// (`Store::create_person`, which also lists her on the lab's roster) had
/// her document refused `NotAllowed` on the first sync, and it went through
/// only on the next one. It must go through on the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_operator_syncs_on_the_first_sync() {
    let mut w = world().await;
    let url = w.hub.url.clone();
    let mut new = operator_of(w.labs[0]);
    new.first_name = "Chiara".into();
    let id = w.a.store.create_person(new).expect("a new operator");
    let report = w.a.sync(&url).await.expect("the lead syncs");
    println!("lead's first sync with a new operator: refused {:?}", report.refused);
    assert!(report.refused.is_empty(), "refused on the first sync: {:?}", report.refused);
    for d in [&mut w.coordinator, &mut w.b] {
        d.sync_ok(&url).await;
        let p = d.store.person(id).unwrap_or_else(|e| panic!("{} lacks the new operator: {e}", d.name));
        assert_eq!(p.first_name, "Chiara");
    }
    // Lab 2 learns nothing of her.
    w.x.sync_ok(&url).await;
    assert!(!w.x.store.has_doc(DocRef::person(id)).expect("has_doc"), "lab 2 received lab 1's new operator");
    w.finish("new operator");
}
