//! The sync wire protocol: one committed file per [`Frame`] variant
//! (`fixtures/frames/<variant>.hex`), a frame per line as its label and its
//! postcard bytes in hex. A hub and a device of different builds read each
//! other's frames only while these bytes stay the same, or while
//! `PROTOCOL_VERSION` says they differ (the hub then closes with
//! `Fatal::Version` instead of misreading).

use crdt_sync::sync::bundle::BundleKey;
use crdt_sync::sync::{Fatal, Frame, PROTOCOL_VERSION, Refusal, heads_digest};
use crdt_sync::{ChangeHash, DocRef, HouseholdId, LabId};
use uuid::Uuid;

use crate::fixture;

/// What a deliberate change of the wire must also do.
fn advice() -> String {
    format!(
        "A device and a hub of different builds would misread each other's frames. Bump PROTOCOL_VERSION \
         (now {PROTOCOL_VERSION}, crdt-sync/src/sync/wire.rs) and update the fixture on purpose."
    )
}

fn lab() -> DocRef {
    DocRef::lab(LabId(Uuid::from_u128(0x7acc_0000_0000_0000_0000_0000_0000_0005)))
}

fn household() -> DocRef {
    DocRef::household(HouseholdId(Uuid::from_u128(0x7acc_0000_0000_0000_0000_0000_0000_0006)))
}

/// Every variant's frames, labelled: one file per variant, and for
/// `Refused` and `Close` one frame per reason (their index is on the wire).
/// A fixture file: its name, the variant it holds, its labelled frames.
type Variant = (&'static str, &'static str, Vec<(&'static str, Frame)>);

fn frames() -> Vec<Variant> {
    let refusals = [
        ("not_allowed", Refusal::NotAllowed),
        ("read_only", Refusal::ReadOnly),
        ("bad_bytes", Refusal::BadBytes),
        ("not_listed", Refusal::NotListed),
        ("erased", Refusal::Erased),
        ("erasure_not_allowed", Refusal::ErasureNotAllowed),
        ("restricted", Refusal::Restricted),
        ("wrong_author", Refusal::WrongAuthor),
        ("too_large", Refusal::TooLarge),
    ];
    let fatals = [
        ("version", Fatal::Version),
        ("protocol", Fatal::Protocol),
        ("revoked", Fatal::Revoked),
        ("storage", Fatal::Storage),
        ("idle", Fatal::Idle),
        ("busy", Fatal::Busy),
    ];
    let heads = [ChangeHash([0x11; 32]), ChangeHash([0x22; 32])];
    vec![
        (
            "hello",
            "Hello",
            vec![
                (
                    "two_docs",
                    Frame::Hello {
                        version: PROTOCOL_VERSION,
                        docs: vec![lab(), household()],
                        heads: vec![heads_digest(&heads), heads_digest(&[])],
                        since: None,
                    },
                ),
                (
                    "since_points",
                    Frame::Hello {
                        version: PROTOCOL_VERSION,
                        docs: vec![lab()],
                        heads: vec![heads_digest(&heads)],
                        since: Some(0x0123_4567_89ab_cdef),
                    },
                ),
                (
                    "no_heads",
                    Frame::Hello { version: PROTOCOL_VERSION, docs: vec![lab()], heads: vec![], since: None },
                ),
            ],
        ),
        (
            "catalog",
            "Catalog",
            vec![
                ("empty", Frame::Catalog { allowed: vec![], same: vec![], more: vec![] }),
                (
                    "bits_and_more",
                    Frame::Catalog { allowed: vec![0b101], same: vec![0b1], more: vec![household()] },
                ),
            ],
        ),
        (
            "sync",
            "Sync",
            vec![("message", Frame::Sync { doc: lab(), message: vec![0x42, 0x00, 0xff, 0x10] })],
        ),
        (
            "refused",
            "Refused",
            refusals
                .into_iter()
                .map(|(l, reason)| (l, Frame::Refused { doc: household(), reason }))
                .collect(),
        ),
        ("close", "Close", fatals.into_iter().map(|(l, reason)| (l, Frame::Close { reason })).collect()),
        (
            "bundle_key",
            "BundleKey",
            vec![("key", Frame::BundleKey { key: BundleKey(std::array::from_fn(|i| i as u8)) })],
        ),
        ("again", "Again", vec![("again", Frame::Again)]),
        ("done", "Done", vec![("points", Frame::Done { points: 0xfedc_ba98_7654_3210 })]),
    ]
}

/// The first line of every frame fixture.
fn header(variant: &str) -> String {
    format!(
        "# Frame::{variant} of sync protocol version {PROTOCOL_VERSION}: label, then the postcard bytes in hex\n"
    )
}

fn text(variant: &str, frames: &[(&str, Frame)]) -> String {
    let mut out = header(variant);
    for (label, f) in frames {
        out.push_str(&format!("{label} {}\n", hex::encode(f.encode())));
    }
    out
}

/// The version the committed frames were made with, from their first line.
fn committed_version(file: &str) -> Option<u16> {
    let text = String::from_utf8(fixture::read(file)).ok()?;
    text.lines().next()?.split("sync protocol version ").nth(1)?.split(':').next()?.parse().ok()
}

#[test]
fn every_frame_decodes_and_encodes_to_the_committed_bytes() {
    for (file, variant, frames) in frames() {
        let file = format!("frames/{file}.hex");
        if !fixture::updating() {
            let committed = committed_version(&file);
            assert_eq!(
                committed,
                Some(PROTOCOL_VERSION),
                "PROTOCOL_VERSION is {PROTOCOL_VERSION} but fixture {} holds frames of version {committed:?}. If \
                 the version was bumped on purpose (the frames changed), update the fixtures on purpose: `{}`",
                fixture::path(&file).display(),
                fixture::REGENERATE,
            );
            // The committed bytes, decoded by today's code, are the frames.
            let committed = String::from_utf8(fixture::read(&file)).expect("text fixture");
            let lines: Vec<&str> = committed.lines().filter(|l| !l.starts_with('#')).collect();
            assert_eq!(lines.len(), frames.len(), "{file}: one line per frame. {}", advice());
            for (line, (label, frame)) in lines.iter().zip(&frames) {
                let (l, hex_bytes) = line.split_once(' ').expect("label and hex");
                assert_eq!(l, *label, "{file}: the frames in order");
                let bytes = hex::decode(hex_bytes).expect("hex");
                let decoded = Frame::decode(&bytes).unwrap_or_else(|e| {
                    panic!("{file}: committed frame {label} no longer decodes ({e}). {}", advice())
                });
                assert_eq!(
                    &decoded,
                    frame,
                    "{file}: committed frame {label} decodes to another value. {}",
                    advice()
                );
            }
        }
        // Today's encoding, byte for byte (postcard is deterministic).
        fixture::check(
            &file,
            text(variant, &frames).as_bytes(),
            &format!("The wire encoding of Frame::{variant}"),
            &advice(),
        );
    }
}
