//! Bytes from a peer that ask for too much work are refused before
//! automerge parses them, through every entry (sync messages, bytes,
//! bundles), and change nothing; changes waiting for a dependency are
//! bounded; the hub's memory stays flat on a bomb at the frame limit.

use crate::authz::authors::AuthorCheck;
use crate::store::ProjectSettings;
use crate::store::Replication;
use automerge::sync::{self, ChunkList, Message, MessageVersion};
use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};

use super::{Applied, Store, WriteCheck};
use crate::doc::DocRef;
use crate::doc::limits::{MAX_OPS_PER_CHANGE, MAX_OPS_PER_MESSAGE, MAX_WAITING_CHANGES};
use crate::error::Error;
use crate::sync::MAX_FRAME;
use crate::testing::chunks::{chunk_with, document_with_one_deflated_column, zeros_bomb};

/// Device 1 of project 2, with a target set (a change of its own).
fn store() -> Store {
    let mut s = crate::testing::store(1, 2, 1..=99);
    s.set_targets(crate::domain::Targets { families: 1, ..Default::default() }).expect("edit");
    s
}

fn message(heads: Vec<automerge::ChangeHash>, chunks: Vec<Vec<u8>>) -> Vec<u8> {
    Message {
        heads,
        need: vec![],
        have: vec![],
        changes: ChunkList::from(chunks),
        flags: None,
        version: MessageVersion::V1,
    }
    .encode()
}

/// A compressed change chunk of zeros about `size` bytes long (it would
/// inflate to about a thousand times that).
fn change_bomb(size: usize) -> Vec<u8> {
    chunk_with(2, &zeros_bomb(size, u64::MAX), 1, b"whatever")
}

/// A document chunk with one DEFLATE-compressed op column of zeros.
fn document_bomb(size: usize) -> Vec<u8> {
    document_with_one_deflated_column(&zeros_bomb(size, u64::MAX))
}

#[test]
fn bombs_through_sync_and_bytes_are_refused_and_change_nothing() {
    let mut s = store();
    let doc = DocRef::project(s.project());
    let heads = s.heads(doc).expect("heads");
    let saved = s.export_doc(doc).expect("save");
    for bomb in [change_bomb(1 << 20), document_bomb(1 << 20)] {
        let mut state = sync::State::new();
        let before = state.encode();
        let got = receive(&mut s, doc, &mut state, &message(heads.clone(), vec![bomb.clone()]));
        assert!(matches!(got, Err(Error::TooLarge { .. })), "{got:?}");
        assert_eq!(state.encode(), before, "the sync state did not move");
        let got = s.apply_bytes(doc, &bomb);
        assert!(matches!(got, Err(Error::TooLarge { .. })), "{got:?}");
        assert_eq!(s.heads(doc).expect("heads"), heads);
        assert_eq!(s.export_doc(doc).expect("save"), saved);
    }
}

/// Changes that wait for a change they depend on are kept (an honest
/// sync needs it: see `store::sync`'s tests), but only so many: beyond
/// [`MAX_WAITING_CHANGES`] the message is refused, and what waited still
/// applies once the dependency arrives.
#[test]
fn changes_waiting_for_a_dependency_are_bounded() {
    let mut s = store();
    let doc = DocRef::project(s.project());
    let mut a = Automerge::load(&s.export_doc(doc).expect("save")).expect("load");
    let h0 = a.get_heads();
    a.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "x", 0).map(drop)).expect("x");
    let x = a.save_after(&h0);
    let h1 = a.get_heads();
    let per_message = 64usize;
    let messages = (MAX_WAITING_CHANGES as usize) / per_message + 1;
    let mut batches = Vec::new();
    for _ in 0..messages {
        let mut chunks = Vec::new();
        for i in 0..per_message {
            let h = a.get_heads();
            a.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "y", i as i64).map(drop))
                .expect("y");
            chunks.push(a.save_after(&h));
        }
        batches.push(chunks);
    }
    let last = batches.pop().expect("a batch over the limit");
    let mut state = sync::State::new();
    for chunks in batches {
        let got = receive(&mut s, doc, &mut state, &message(a.get_heads(), chunks));
        assert_eq!(got.expect("waits"), Applied::Unchanged);
    }
    let got = receive(&mut s, doc, &mut state, &message(a.get_heads(), last.clone()));
    assert!(matches!(got, Err(Error::TooLarge { .. })), "{got:?}");
    assert!(s.heads(doc).expect("heads") != h1);
    let got = receive(&mut s, doc, &mut state, &message(a.get_heads(), vec![x]));
    assert_eq!(got.expect("x"), Applied::Changed);
    assert!(s.heads(doc).expect("heads") != h1, "what waited applied with x");
    // The refused batch, sent again now that it waits for nothing, applies.
    let got = receive(&mut s, doc, &mut state, &message(a.get_heads(), last));
    assert_eq!(got.expect("the rest"), Applied::Changed);
    assert_eq!(s.heads(doc).expect("heads"), a.get_heads());
    // The tally starts again: a new waiting message is kept.
    let h = a.get_heads();
    a.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "z", 1).map(drop)).expect("z");
    let z1 = a.save_after(&h);
    let h = a.get_heads();
    a.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "z", 2).map(drop)).expect("z");
    let z2 = a.save_after(&h);
    let got = receive(&mut s, doc, &mut state, &message(a.get_heads(), vec![z2]));
    assert_eq!(got.expect("waits"), Applied::Unchanged);
    let got = receive(&mut s, doc, &mut state, &message(a.get_heads(), vec![z1]));
    assert_eq!(got.expect("z1"), Applied::Changed);
    assert_eq!(s.heads(doc).expect("heads"), a.get_heads());
}

fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

const CHILD: &str = "TACCUINO_PEAK_MEMORY_CHILD";

/// The peak memory of receiving a bomb at the frame limit, and of the
/// largest honest message the limits let through: each run in a child
/// process (this test, again, with [`CHILD`] set) so that the figure is that
/// work's own and not the other tests'.
#[test]
fn a_bomb_at_the_frame_limit_keeps_memory_flat() {
    if let Some(which) = std::env::var_os(CHILD) {
        let mut s = store();
        let doc = DocRef::project(s.project());
        let heads = s.heads(doc).expect("heads");
        let honest = which == "honest";
        let bytes = if honest {
            message(heads, honest_at_the_limits(&mut s))
        } else {
            let bomb = if which == "document" {
                document_bomb(MAX_FRAME - 4096)
            } else {
                change_bomb(MAX_FRAME - 4096)
            };
            let bytes = message(heads, vec![bomb]);
            assert!(bytes.len() > MAX_FRAME - 8192 && bytes.len() < MAX_FRAME);
            bytes
        };
        let before = vm_hwm_kib();
        let start = std::time::Instant::now();
        let got =
            s.receive_sync_message(doc, &mut sync::State::new(), &bytes, WriteCheck::None, AuthorCheck::None);
        if honest {
            assert_eq!(got.expect("honest"), Applied::Changed);
        } else {
            assert!(matches!(got, Err(Error::TooLarge { .. })), "{got:?}");
        }
        let after = vm_hwm_kib();
        println!("PEAK {} {before} {after} {}", bytes.len(), start.elapsed().as_millis());
        return;
    }
    for which in ["change", "document", "honest"] {
        let exe = std::env::current_exe().expect("test binary");
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "store::bounded_tests::a_bomb_at_the_frame_limit_keeps_memory_flat",
                "--nocapture",
            ])
            .env(CHILD, which)
            .output()
            .expect("child");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "child failed: {text}{}", String::from_utf8_lossy(&out.stderr));
        let line = text.lines().find_map(|l| l.strip_prefix("PEAK ")).unwrap_or_else(|| panic!("{text}"));
        let f: Vec<u64> = line.split(' ').map(|n| n.parse().expect("figure")).collect();
        let [bytes, before, after, ms] = f[..] else { panic!("{line}") };
        println!(
            "{which}: a {bytes}-byte message, peak memory {} MiB before, {} MiB after (+{} MiB), answered in {ms} ms",
            before / 1024,
            after / 1024,
            (after - before) / 1024
        );
        // A bomb costs next to nothing; the largest honest message costs
        // what automerge needs for it, and must stay well under the hub's
        // goal of 300 MB.
        let budget = if which == "honest" { 250 } else { 100 };
        assert!(after - before < budget * 1024, "{which}: {line}");
    }
}

/// Changes of the store's project document at the per-message limit of
/// operations (text, one operation per character, each change at the
/// per-change limit): what the largest message automerge is ever given
/// costs in memory.
fn honest_at_the_limits(s: &mut Store) -> Vec<Vec<u8>> {
    let doc = DocRef::project(s.project());
    let mut a = Automerge::load(&s.export_doc(doc).expect("save")).expect("load");
    let h = a.get_heads();
    let text = a
        .transact::<_, _, automerge::AutomergeError>(|tx| {
            tx.put_object(ROOT, "notes", automerge::ObjType::Text)
        })
        .expect("text")
        .result;
    let mut chunks = vec![a.save_after(&h)];
    let per_change = usize::try_from(MAX_OPS_PER_CHANGE).expect("small");
    let line = "Nota della riunione con le famiglie del quartiere. ".repeat(per_change / 50 + 1);
    for _ in 1..(MAX_OPS_PER_MESSAGE / MAX_OPS_PER_CHANGE) {
        let h = a.get_heads();
        a.transact::<_, _, automerge::AutomergeError>(|tx| {
            tx.splice_text(&text, 0, 0, &line[..per_change - 1])
        })
        .expect("notes");
        chunks.push(a.save_after(&h));
    }
    chunks
}

/// automerge 0.12 (and hexane) panic on some saves and changes whose
/// checksum was forged after a bit flip: loading a forged save panics in
/// the strict parse, which `receive_sync_message` used to run outside
/// `catch_unwind` (on the hub, a poisoned store lock). Each one sent in a
/// sync message must come back as a refusal of those bytes, and the store
/// goes on syncing.
#[test]
fn automerge_panics_on_forged_changes_are_refusals() {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_automerge = info
                .location()
                .is_some_and(|l| ["/automerge-", "/hexane-"].iter().any(|c| l.file().contains(c)));
            if !in_automerge {
                report(info);
            }
        }));
    });
    let mut s = store();
    let doc = DocRef::project(s.project());
    let heads = s.heads(doc).expect("heads");
    let mut a = Automerge::load(&s.export_doc(doc).expect("save")).expect("load");
    let h = a.get_heads();
    a.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "x", "una nota")?;
        let m = tx.put_object(ROOT, "m", automerge::ObjType::Map)?;
        tx.put(&m, "y", 3)
    })
    .expect("change");
    let change = a.save_after(&h);
    let save = a.save_nocompress();
    assert!(change[9] < 0x80 && save[9] >= 0x80 && save[10] < 0x80, "lengths of one and two bytes");
    let (mut in_parse, mut in_apply, mut refused, mut taken) = (0, 0, 0, 0);
    // One forged chunk in a sync message, tallied by what became of it: a
    // panic in the strict parse of the chunk (which ran outside
    // `catch_unwind` before) or in the apply on the copy, a plain refusal,
    // or taken (then the store starts afresh).
    let mut receive = |s: &mut Store, forged: Vec<u8>| {
        let mut state = sync::State::new();
        let message = message(heads.clone(), vec![forged]);
        match s.receive_sync_message(doc, &mut state, &message, WriteCheck::None, AuthorCheck::None) {
            Err(Error::RejectedBytes { reason, .. }) if reason.contains("these bytes (it panicked)") => {
                in_parse += 1
            }
            Err(Error::RejectedBytes { reason, .. }) if reason.contains("panicked") => in_apply += 1,
            Err(_) => refused += 1,
            Ok(_) => {
                taken += 1;
                *s = store();
            }
        }
    };
    // Documents (V2 messages carry a whole save), then changes.
    for at in 11..save.len() {
        let mut forged = save.clone();
        forged[at] ^= 1 << (at % 8);
        let forged = chunk_with(0, &forged[11..], 0, &forged[11..]);
        receive(&mut s, forged);
    }
    for at in 9..change.len() {
        let mut forged = change.clone();
        forged[at] ^= 1 << (at % 8);
        // Re-framed with the checksum of the flipped data.
        let Some(data) = forged.get(10..).map(<[u8]>::to_vec) else { continue };
        if forged[9] as usize != data.len() {
            continue; // the flip hit the length byte
        }
        let forged = chunk_with(1, &data, 1, &data);
        receive(&mut s, forged);
    }
    println!(
        "forged saves and changes: {in_parse} refused after automerge panicked parsing them, {in_apply} applying them, \
         {refused} refused, {taken} taken"
    );
    assert!(in_parse > 0, "automerge panics in the parse too: each is a refusal");
    assert!(refused > 0, "forged changes are refused");
    // The store still syncs.
    let got = s.receive_sync_message(
        doc,
        &mut sync::State::new(),
        &message(heads, vec![change]),
        WriteCheck::None,
        AuthorCheck::None,
    );
    assert_eq!(got.expect("an honest change"), Applied::Changed);
}

/// A sync message received with no write or author condition: what these
/// tests bound is the work on the bytes, not who may write.
fn receive(
    s: &mut Store,
    doc: DocRef,
    state: &mut sync::State,
    bytes: &[u8],
) -> crate::error::Result<Applied> {
    s.receive_sync_message(doc, state, bytes, WriteCheck::None, AuthorCheck::None)
}
