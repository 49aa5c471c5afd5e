//! Tests of the key file: round trips, wrong secrets, tampering, the JSON
//! format, calibration. All use `KdfParams::for_tests()` except the ignored
//! timing test.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::{Value, json};

use crate::params::{MAX_ITERATIONS, MAX_MEMORY_KIB};
use crate::*;
use crdt_sync::base32;

const PASS: &str = "la nostra comunità";
const OTHER: &str = "un'altra passphrase";

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn params() -> KdfParams {
    KdfParams::for_tests()
}

struct Fixture {
    key: Key,
    file: KeyFile,
    coordinator: RecoveryKeyPair,
}

/// A key file with a passphrase wrap and one recovery wrap.
fn fixture(seed: u64) -> Fixture {
    let mut rng = rng(seed);
    let key = generate_key(&mut rng).expect("key");
    let coordinator = RecoveryKeyPair::generate(&mut rng).expect("recovery pair");
    let mut file = KeyFile::create(&key, PASS, params(), &mut rng).expect("create");
    file.add_recovery(&key, &coordinator.public, &mut rng).expect("add recovery");
    Fixture { key, file, coordinator }
}

fn same(a: &Key, b: &Key) -> bool {
    a.as_bytes() == b.as_bytes()
}

fn json_of(file: &KeyFile) -> Value {
    serde_json::from_str(&file.to_json()).expect("JSON")
}

fn from_value(value: &Value) -> Result<KeyFile, KeyError> {
    KeyFile::from_json(serde_json::to_vec(value).expect("read"))
}

#[test]
fn round_trip_through_json() {
    let f = fixture(1);
    let json = f.file.to_json();
    let read = KeyFile::from_json(&json).expect("read");
    assert_eq!(read, f.file);
    assert!(same(&read.unlock(PASS).expect("unlock"), &f.key));
    // serde, as the app might use it, agrees with from_json/to_json.
    let via_serde: KeyFile = serde_json::from_str(&json).expect("serde");
    assert_eq!(via_serde, f.file);
    assert_eq!(serde_json::to_string_pretty(&f.file).expect("serde"), json);
}

#[test]
fn the_unlocked_key_opens_the_store() {
    use crdt_sync::{CodeRange, DeviceConfig, DeviceId, Error, ProjectId, SeededEnv, Store};
    let f = fixture(60);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("register.db");
    let config = DeviceConfig {
        device: DeviceId(uuid::Uuid::from_u128(1)),
        project: ProjectId(uuid::Uuid::from_u128(2)),
        codes: CodeRange::new(1, 99).expect("range"),
    };
    drop(Store::create(&path, &f.key, config, Box::new(SeededEnv::with_seed(1))).expect("create store"));
    let file = KeyFile::from_json(f.file.to_json()).expect("read");
    let key = file.unlock(PASS).expect("unlock");
    drop(Store::open(&path, &key, Box::new(SeededEnv::with_seed(2))).expect("open store"));
    let other = generate_key(&mut rng(61)).expect("key");
    let wrong = Store::open(&path, &other, Box::new(SeededEnv::with_seed(3))).map(|_| ());
    assert!(matches!(wrong, Err(Error::WrongKeyOrNotADatabase { .. })), "{wrong:?}");
}

#[test]
fn generated_keys_differ() {
    let mut rng = rng(2);
    let a = generate_key(&mut rng).expect("key");
    let b = generate_key(&mut rng).expect("key");
    assert!(!same(&a, &b));
    assert_eq!(format!("{a:?}"), "Key(..)");
}

#[test]
fn wrong_passphrase_is_typed_and_changes_nothing() {
    let mut f = fixture(3);
    let before = f.file.clone();
    assert_eq!(f.file.unlock(OTHER).expect_err("should fail"), KeyError::WrongPassphrase);
    assert_eq!(f.file.unlock("").expect_err("should fail"), KeyError::WrongPassphrase);
    assert_eq!(
        f.file
            .change_passphrase(OTHER, "una nuova passphrase", params(), &mut rng(4))
            .expect_err("should fail"),
        KeyError::WrongPassphrase
    );
    assert_eq!(f.file, before);
}

#[test]
fn change_passphrase_keeps_the_key_and_the_recovery() {
    let mut f = fixture(5);
    let before = f.file.clone();
    f.file.change_passphrase(PASS, OTHER, params(), &mut rng(6)).expect("change passphrase");
    assert_ne!(f.file, before);
    assert_eq!(f.file.unlock(PASS).expect_err("should fail"), KeyError::WrongPassphrase);
    assert!(same(&f.file.unlock(OTHER).expect("unlock"), &f.key));
    assert!(same(&f.file.unlock_with_recovery(&f.coordinator.secret).expect("recovery unlock"), &f.key));
    // Changing to the same passphrase re-wraps with a fresh salt (how a
    // file with weak parameters is upgraded).
    let again = f.file.clone();
    f.file.change_passphrase(OTHER, OTHER, params(), &mut rng(7)).expect("change passphrase");
    assert_ne!(f.file, again);
    assert!(same(&f.file.unlock(OTHER).expect("unlock"), &f.key));
}

#[test]
fn weak_passphrases_are_refused() {
    let mut rng = rng(8);
    let key = generate_key(&mut rng).expect("key");
    let weak = KeyError::WeakPassphrase { min_chars: MIN_PASSPHRASE_CHARS };
    assert_eq!(KeyFile::create(&key, "1234567", params(), &mut rng).expect_err("should fail"), weak);
    // Seven characters, eight bytes: counted in characters.
    assert_eq!(KeyFile::create(&key, "perchè1", params(), &mut rng).expect_err("should fail"), weak);
    // Seven characters once "e" + combining grave is composed.
    assert_eq!(KeyFile::create(&key, "perche\u{300}1", params(), &mut rng).expect_err("should fail"), weak);
    let mut file = KeyFile::create(&key, "perchè12", params(), &mut rng).expect("create");
    let before = file.clone();
    assert_eq!(
        file.change_passphrase("perchè12", "corta", params(), &mut rng).expect_err("should fail"),
        weak
    );
    assert_eq!(file.set_passphrase(&key, "corta", params(), &mut rng).expect_err("should fail"), weak);
    assert_eq!(file, before);
}

#[test]
fn passphrases_are_compared_after_normalisation() {
    let mut rng = rng(9);
    let key = generate_key(&mut rng).expect("key");
    let composed = "perch\u{e9} no?";
    let decomposed = "perche\u{301} no?";
    let file = KeyFile::create(&key, composed, params(), &mut rng).expect("create");
    assert!(same(&file.unlock(decomposed).expect("unlock"), &key));
    assert_eq!(file.unlock("PERCH\u{c9} NO?").expect_err("should fail"), KeyError::WrongPassphrase);
}

#[test]
fn recovery_round_trip_and_reset() {
    let mut f = fixture(10);
    let secret_text = f.coordinator.secret.to_text();
    let secret = RecoverySecret::from_text(&secret_text).expect("parse");
    assert_eq!(secret.public(), f.coordinator.public);
    let key = f.file.unlock_with_recovery(&secret).expect("recovery unlock");
    assert!(same(&key, &f.key));
    // The coordinator sets a passphrase; the volunteer's old one is gone.
    f.file.set_passphrase(&key, OTHER, params(), &mut rng(11)).expect("set passphrase");
    assert!(same(&f.file.unlock(OTHER).expect("unlock"), &f.key));
    assert_eq!(f.file.unlock(PASS).expect_err("should fail"), KeyError::WrongPassphrase);
}

#[test]
fn wrong_recovery_secret_fails() {
    let f = fixture(12);
    let stranger = RecoveryKeyPair::generate(&mut rng(13)).expect("recovery pair");
    assert_eq!(
        f.file.unlock_with_recovery(&stranger.secret).expect_err("should fail"),
        KeyError::WrongRecoveryKey
    );
    // A file with no recovery wrap at all.
    let bare = KeyFile::create(&f.key, PASS, params(), &mut rng(14)).expect("create");
    assert_eq!(
        bare.unlock_with_recovery(&f.coordinator.secret).expect_err("should fail"),
        KeyError::WrongRecoveryKey
    );
}

#[test]
fn only_the_files_own_key_can_be_rewrapped() {
    let mut f = fixture(15);
    let before = f.file.clone();
    let other_key = generate_key(&mut rng(16)).expect("key");
    let stranger = RecoveryKeyPair::generate(&mut rng(17)).expect("recovery pair");
    assert_eq!(
        f.file.add_recovery(&other_key, &stranger.public, &mut rng(18)).expect_err("should fail"),
        KeyError::KeyMismatch
    );
    assert_eq!(
        f.file.set_passphrase(&other_key, OTHER, params(), &mut rng(19)).expect_err("should fail"),
        KeyError::KeyMismatch
    );
    assert_eq!(f.file, before);
}

#[test]
fn recovery_recipients_are_replaced_and_removed() {
    let mut f = fixture(20);
    let second = RecoveryKeyPair::generate(&mut rng(21)).expect("recovery pair");
    f.file.add_recovery(&f.key, &second.public, &mut rng(22)).expect("add recovery");
    let first_wrap = f.file.clone();
    // Adding the same recipient again replaces its wrap.
    f.file.add_recovery(&f.key, &f.coordinator.public, &mut rng(23)).expect("add recovery");
    assert_ne!(f.file, first_wrap);
    let recipients: Vec<_> = f.file.recovery_recipients().copied().collect();
    assert_eq!(recipients, vec![f.coordinator.public, second.public]);
    assert!(same(&f.file.unlock_with_recovery(&second.secret).expect("recovery unlock"), &f.key));
    assert!(f.file.remove_recovery(&f.coordinator.public));
    assert!(!f.file.remove_recovery(&f.coordinator.public));
    assert_eq!(
        f.file.unlock_with_recovery(&f.coordinator.secret).expect_err("should fail"),
        KeyError::WrongRecoveryKey
    );
    assert!(same(&f.file.unlock_with_recovery(&second.secret).expect("recovery unlock"), &f.key));
}

#[test]
fn recovery_texts_round_trip_leniently() {
    let pair = RecoveryKeyPair::generate(&mut rng(24)).expect("recovery pair");
    let public = pair.public.to_text();
    assert!(public.starts_with("tcr1-"), "{public}");
    assert_eq!(public.len(), 5 + 56);
    assert_eq!(public.parse::<RecoveryPublic>().expect("parse"), pair.public);
    assert_eq!(
        RecoveryPublic::from_text(&format!("  {}\n", public.to_uppercase())).expect("parse"),
        pair.public
    );
    assert_eq!(format!("{}", pair.public), public);
    assert_eq!(serde_json::to_value(pair.public).expect("serde"), json!(public));
    assert_eq!(serde_json::from_value::<RecoveryPublic>(json!(public)).expect("serde"), pair.public);

    let secret = pair.secret.to_text();
    assert!(secret.starts_with("TCS1-"), "{}", secret.as_str());
    assert_eq!(secret.len(), 5 + 56 + 13);
    assert!(secret[5..].split('-').all(|g| g.len() == 4));
    // As typed back from paper: lower case, spaces for dashes, O for 0.
    let typed = secret.to_lowercase().replace('-', " ").replace('0', "o").replacen("tcs1 ", "tcs1-", 1);
    assert_eq!(RecoverySecret::from_text(&typed).expect("parse").public(), pair.public);
    assert_eq!(format!("{:?}", pair.secret), "RecoverySecret(..)");
    assert!(!format!("{pair:?}").contains(&secret[5..9]));
}

#[test]
fn recovery_text_mistakes_are_named() {
    let pair = RecoveryKeyPair::generate(&mut rng(25)).expect("recovery pair");
    let public = pair.public.to_text();
    let secret = pair.secret.to_text();
    let reason = |e: KeyError| match e {
        KeyError::InvalidRecoveryText { reason } => reason,
        other => panic!("unexpected {other:?}"),
    };
    assert!(reason(RecoveryPublic::from_text(&secret).expect_err("should fail")).contains("secret half"));
    assert!(reason(RecoverySecret::from_text(&public).expect_err("should fail")).contains("public key"));
    // One character changed: the checksum catches it.
    let mut typo = public.clone().into_bytes();
    typo[10] = if typo[10] == b'a' { b'b' } else { b'a' };
    let typo = String::from_utf8(typo).expect("utf-8");
    assert!(reason(RecoveryPublic::from_text(&typo).expect_err("should fail")).contains("checksum"));
    assert!(reason(RecoveryPublic::from_text(&public[..40]).expect_err("should fail")).contains("too short"));
    assert!(
        reason(RecoveryPublic::from_text(&format!("{public}0")).expect_err("should fail"))
            .contains("too long")
    );
    assert!(reason(RecoveryPublic::from_text("tcr1-é").expect_err("should fail")).contains("alphabet"));
    assert!(reason(RecoveryPublic::from_text("").expect_err("should fail")).contains("tcr1-"));
    assert!(reason(RecoverySecret::from_text(&secret[..30]).expect_err("should fail")).contains("too short"));
}

#[test]
fn low_order_recovery_keys_are_refused() {
    // The all-zero point, with a valid checksum.
    let mut text = String::from("tcr1-");
    let mut bytes = [0u8; 35];
    let check = recovery_checksum_for_tests(&[0u8; 32]);
    bytes[32..].copy_from_slice(&check);
    base32::encode_into(&bytes, &mut text);
    let reason = match RecoveryPublic::from_text(&text).expect_err("should fail") {
        KeyError::InvalidRecoveryText { reason } => reason,
        other => panic!("unexpected {other:?}"),
    };
    assert!(reason.contains("usable"), "{reason}");
}

fn recovery_checksum_for_tests(key: &[u8]) -> [u8; 3] {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new().chain_update(b"taccuino recovery public key v1").chain_update(key).finalize();
    [digest[0], digest[1], digest[2]]
}

// ---------------------------------------------------------------------
// Tampering: every field, never a panic, never another key.

/// Sets `pointer` in the file's JSON to `to`.
fn tampered(file: &KeyFile, pointer: &str, to: Value) -> Result<KeyFile, KeyError> {
    let mut value = json_of(file);
    *value.pointer_mut(pointer).expect("pointer") = to;
    from_value(&value)
}

fn malformed(result: Result<KeyFile, KeyError>) -> String {
    match result {
        Err(KeyError::Malformed { reason }) => reason,
        other => panic!("expected Malformed, got {other:?}"),
    }
}

/// Flips the first hex digit of a hex field.
fn flip_hex(value: &Value) -> Value {
    let s = value.as_str().expect("read");
    let first = if s.starts_with('0') { "1" } else { "0" };
    json!(format!("{first}{}", &s[1..]))
}

#[test]
fn altered_passphrase_wrap_is_wrong_passphrase() {
    let f = fixture(30);
    let value = json_of(&f.file);
    for pointer in ["/key_id", "/passphrase/salt", "/passphrase/nonce", "/passphrase/wrapped_key"] {
        let altered =
            tampered(&f.file, pointer, flip_hex(value.pointer(pointer).expect("pointer"))).expect("read");
        assert_eq!(altered.unlock(PASS).expect_err("should fail"), KeyError::WrongPassphrase, "{pointer}");
    }
    // In-range KDF parameters: a different derivation and different
    // associated data.
    for (m, t, p) in [(16, 1, 1), (8, 2, 1), (16, 1, 2)] {
        let mut altered = value.clone();
        altered["passphrase"]["memory_kib"] = json!(m);
        altered["passphrase"]["iterations"] = json!(t);
        altered["passphrase"]["parallelism"] = json!(p);
        let altered = from_value(&altered).expect("read");
        assert_eq!(altered.unlock(PASS).expect_err("should fail"), KeyError::WrongPassphrase, "{m} {t} {p}");
    }
}

#[test]
fn altered_header_fields_are_malformed_or_unsupported() {
    let f = fixture(32);
    assert_eq!(
        tampered(&f.file, "/version", json!(2)).expect_err("should fail"),
        KeyError::UnsupportedVersion(2)
    );
    assert!(malformed(tampered(&f.file, "/version", json!(-1))).contains("version"));
    assert!(malformed(tampered(&f.file, "/version", json!(u64::MAX))).contains("version"));
    assert!(malformed(tampered(&f.file, "/version", json!("1"))).contains("version"));
    assert!(malformed(tampered(&f.file, "/format", json!("age"))).contains("format"));
    assert!(malformed(tampered(&f.file, "/passphrase/kdf", json!("scrypt"))).contains("scrypt"));
    assert!(malformed(tampered(&f.file, "/passphrase/cipher", json!("aes"))).contains("aes"));
    assert!(malformed(tampered(&f.file, "/recovery/0/scheme", json!("rsa"))).contains("rsa"));
    // Above the ceiling: refused before any allocation.
    assert!(
        malformed(tampered(&f.file, "/passphrase/memory_kib", json!(MAX_MEMORY_KIB + 1))).contains("ceiling")
    );
    assert!(
        malformed(tampered(&f.file, "/passphrase/iterations", json!(MAX_ITERATIONS + 1))).contains("ceiling")
    );
    assert!(malformed(tampered(&f.file, "/passphrase/parallelism", json!(17))).contains("ceiling"));
    // What Argon2 itself refuses.
    assert!(malformed(tampered(&f.file, "/passphrase/iterations", json!(0))).contains("Argon2"));
    assert!(malformed(tampered(&f.file, "/passphrase/memory_kib", json!(7))).contains("Argon2"));
    // Lengths and encodings.
    assert!(malformed(tampered(&f.file, "/passphrase/salt", json!("00"))).contains("salt"));
    assert!(malformed(tampered(&f.file, "/passphrase/nonce", json!("zz"))).contains("nonce"));
    assert!(malformed(tampered(&f.file, "/key_id", json!(7))).contains("expected a string"));
    assert!(malformed(tampered(&f.file, "/recovery/0/recipient", json!("tcr1-xyz"))).contains("recipient"));
    assert!(malformed(tampered(&f.file, "/recovery", json!({}))).contains("expected a sequence"));
    // Missing, extra and repeated fields.
    let mut value = json_of(&f.file);
    value.as_object_mut().expect("object").remove("key_id");
    assert!(malformed(from_value(&value)).contains("key_id"));
    let mut value = json_of(&f.file);
    value["passphrase"]["hint"] = json!("the cat's name");
    assert!(malformed(from_value(&value)).contains("hint"));
    let mut value = json_of(&f.file);
    let entry = value["recovery"][0].clone();
    value["recovery"].as_array_mut().expect("array").push(entry);
    assert!(malformed(from_value(&value)).contains("twice"));
    // Not JSON, not an object.
    assert!(malformed(KeyFile::from_json(b"\xff\xfe")).contains("JSON"));
    assert!(malformed(KeyFile::from_json("[]")).contains("format"));
    assert!(malformed(KeyFile::from_json("")).contains("JSON"));
}

#[test]
fn altered_recovery_wrap_is_malformed_or_wrong() {
    let f = fixture(33);
    let value = json_of(&f.file);
    for pointer in ["/recovery/0/ephemeral_public", "/recovery/0/wrapped_key", "/key_id"] {
        let altered =
            tampered(&f.file, pointer, flip_hex(value.pointer(pointer).expect("pointer"))).expect("read");
        let reason = match altered.unlock_with_recovery(&f.coordinator.secret) {
            Err(KeyError::Malformed { reason }) => reason,
            other => panic!("{pointer}: {other:?}"),
        };
        assert!(reason.contains("recovery"), "{reason}");
    }
    // The recipient replaced with another valid key: not for this secret.
    let other = RecoveryKeyPair::generate(&mut rng(34)).expect("recovery pair");
    let altered = tampered(&f.file, "/recovery/0/recipient", json!(other.public.to_text())).expect("read");
    assert_eq!(
        altered.unlock_with_recovery(&f.coordinator.secret).expect_err("should fail"),
        KeyError::WrongRecoveryKey
    );
    assert!(matches!(altered.unlock_with_recovery(&other.secret), Err(KeyError::Malformed { .. })));
    // A low-order ephemeral key.
    let altered = tampered(&f.file, "/recovery/0/ephemeral_public", json!("00".repeat(32))).expect("read");
    assert!(matches!(altered.unlock_with_recovery(&f.coordinator.secret), Err(KeyError::Malformed { .. })));
}

#[test]
fn a_wrap_copied_from_another_file_does_not_open() {
    // Two laptops, one coordinator: moving one file's recovery wrap into
    // the other must not yield the first laptop's key there.
    let a = fixture(35);
    let mut rng = rng(36);
    let key_b = generate_key(&mut rng).expect("key");
    let mut file_b = KeyFile::create(&key_b, PASS, params(), &mut rng).expect("create");
    file_b.add_recovery(&key_b, &a.coordinator.public, &mut rng).expect("add recovery");
    let mut spliced = json_of(&file_b);
    spliced["recovery"] = json_of(&a.file)["recovery"].clone();
    let spliced = from_value(&spliced).expect("read");
    assert!(matches!(spliced.unlock_with_recovery(&a.coordinator.secret), Err(KeyError::Malformed { .. })));
    // Same for the passphrase wrap (same passphrase on both laptops).
    let mut spliced = json_of(&file_b);
    spliced["passphrase"] = json_of(&a.file)["passphrase"].clone();
    let spliced = from_value(&spliced).expect("read");
    assert_eq!(spliced.unlock(PASS).expect_err("should fail"), KeyError::WrongPassphrase);
}

/// Unlocks `file` both ways, unless its parameters would make the test
/// slow; whatever happens, the key is the original one or an error.
fn never_another_key(file: &KeyFile, f: &Fixture) {
    let p = file.kdf_params();
    if p.memory_kib() <= 4096
        && p.iterations() <= 4
        && let Ok(key) = file.unlock(PASS)
    {
        assert!(same(&key, &f.key), "unlock returned another key");
    }
    if let Ok(key) = file.unlock_with_recovery(&f.coordinator.secret) {
        assert!(same(&key, &f.key), "recovery returned another key");
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0u32..100_000).prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,20}".prop_map(Value::from),
        "[0-9a-f]{0,100}".prop_map(Value::from),
        Just(json!("taccuino-key-file")),
        Just(json!(1)),
    ];
    let key = prop_oneof![
        Just("format".to_string()),
        Just("version".to_string()),
        Just("key_id".to_string()),
        Just("passphrase".to_string()),
        Just("recovery".to_string()),
        "[a-z_]{1,12}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = KeyFile::from_json(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        let _ = from_value(&value);
    }

    #[test]
    fn arbitrary_recovery_texts_never_panic(text in ".{0,80}", tail in "[0-9A-Za-z -]{0,80}") {
        let _ = RecoveryPublic::from_text(&text);
        let _ = RecoverySecret::from_text(&text);
        let _ = RecoveryPublic::from_text(&format!("tcr1-{tail}"));
        let _ = RecoverySecret::from_text(&format!("TCS1-{tail}"));
    }

    /// Byte-level damage to a valid file: parse, then unlock both ways.
    #[test]
    fn damaged_files_never_yield_another_key(
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<u8>()), 1..4),
    ) {
        let f = fixture(40);
        let mut bytes = f.file.to_json().into_bytes();
        for (at, op, byte) in edits {
            if bytes.is_empty() { break; }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        if let Ok(file) = KeyFile::from_json(&bytes) {
            never_another_key(&file, &f);
        }
    }

    /// Structural damage: one field (or object) replaced by any JSON value.
    #[test]
    fn replaced_fields_never_yield_another_key(at in any::<prop::sample::Index>(), to in arb_json()) {
        let f = fixture(41);
        let mut value = json_of(&f.file);
        let mut pointers = Vec::new();
        collect_pointers(&value, String::new(), &mut pointers);
        let pointer = &pointers[at.index(pointers.len())];
        *value.pointer_mut(pointer).expect("pointer") = to;
        if let Ok(file) = from_value(&value) {
            never_another_key(&file, &f);
        }
    }
}

/// Every JSON pointer in `value`, the root included.
fn collect_pointers(value: &Value, here: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                collect_pointers(v, format!("{here}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_pointers(v, format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(here);
}

// ---------------------------------------------------------------------
// The format, pinned.

/// A file made by `fixture(2024)`: its JSON must never change, and it must
/// always open with the passphrase and the recovery secret below. A change
/// to either means that key files already on laptops no longer open.
const GOLDEN: &str = r#"{
  "format": "taccuino-key-file",
  "version": 1,
  "key_id": "dac2b74e7e67518e79bdb43b7d71e6cc",
  "passphrase": {
    "kdf": "argon2id",
    "memory_kib": 8,
    "iterations": 1,
    "parallelism": 1,
    "salt": "98a564827d3ed4be59be78d7b35f378c",
    "cipher": "xchacha20poly1305",
    "nonce": "f1f5bcbaa8c128d3be8f2b8b322f234a386956e1719068d7",
    "wrapped_key": "5f8724eeff44e1cfdc9fb4b17bc2fa6ac913ea5dda0636a3f7cf43152c5ecf3ad652835ce635218098c83535f45a307f"
  },
  "recovery": [
    {
      "scheme": "x25519-hkdf-sha256-xchacha20poly1305",
      "recipient": "tcr1-zs4ay10p3avxehebmzftv1xgczpa8qc51zctpxp8c0n6ak8at9hq157e",
      "ephemeral_public": "2e047083236cf458dd8ae292157b7d5af1a7e972fa93376d315df54ad0361a69",
      "wrapped_key": "c50899e90119300e15810045a23759112fad069fee8faffff88627d35d94f04c468f0f7564cb8b21360bb7c5e04635b0"
    }
  ]
}"#;
const GOLDEN_SECRET: &str = "TCS1-T0WP-GM6J-Z7NZ-8Z7W-EF7P-7MZQ-QFF9-00HE-5W4P-0233-F5MB-JM7Q-FP4W-AZV8";
const GOLDEN_KEY: &str = "06828adb4f8f12e4e14e275c81ecf4d566810fc875e6ccb553426a8328b96f2d";

#[test]
fn json_format_is_stable() {
    // Depends on ChaCha20's stream for the seed too, which rand_chacha
    // keeps stable; the test below does not.
    let f = fixture(2024);
    assert_eq!(f.file.to_json(), GOLDEN);
    assert_eq!(f.coordinator.secret.to_text().as_str(), GOLDEN_SECRET);
    assert_eq!(hex::encode(f.key.as_bytes()), GOLDEN_KEY);
}

#[test]
fn golden_file_still_opens() {
    let file = KeyFile::from_json(GOLDEN).expect("read");
    assert_eq!(hex::encode(file.unlock(PASS).expect("unlock").as_bytes()), GOLDEN_KEY);
    let secret = RecoverySecret::from_text(GOLDEN_SECRET).expect("parse");
    assert_eq!(
        hex::encode(file.unlock_with_recovery(&secret).expect("recovery unlock").as_bytes()),
        GOLDEN_KEY
    );
    assert_eq!(file.to_json(), GOLDEN);
}

// ---------------------------------------------------------------------
// Parameters and calibration.

#[test]
fn kdf_params_bounds() {
    assert_eq!(KdfParams::new(64 * 1024, 2, 1).expect("params"), KdfParams::FLOOR);
    assert!(KdfParams::FLOOR.meets_floor());
    assert!(!KdfParams::for_tests().meets_floor());
    for (m, t, p) in [(64 * 1024 - 1, 2, 1), (64 * 1024, 1, 1), (64 * 1024, 2, 0)] {
        assert!(matches!(KdfParams::new(m, t, p), Err(KeyError::InvalidKdfParams { .. })), "{m} {t} {p}");
    }
    for (m, t, p) in [(MAX_MEMORY_KIB + 1, 2, 1), (64 * 1024, MAX_ITERATIONS + 1, 1), (64 * 1024, 2, 17)] {
        assert!(matches!(KdfParams::new(m, t, p), Err(KeyError::InvalidKdfParams { .. })), "{m} {t} {p}");
    }
    assert!(KdfParams::new(MAX_MEMORY_KIB, MAX_ITERATIONS, 16).is_ok());
    // A file may hold the test parameters; they still open.
    let f = fixture(50);
    assert_eq!(f.file.kdf_params(), KdfParams::for_tests());
}

/// A machine where Argon2id with the floor's parameters takes `floor_secs`,
/// linear in the passes and a power `exponent` of the memory (above 1 when
/// more memory is slower per KiB, caches and pages).
fn machine(floor_secs: f64, exponent: f64) -> impl FnMut(KdfParams) -> Duration {
    let floor = KdfParams::FLOOR;
    move |p| {
        let memory = (f64::from(p.memory_kib()) / f64::from(floor.memory_kib())).powf(exponent);
        let passes = f64::from(p.iterations()) / f64::from(floor.iterations());
        Duration::from_secs_f64(floor_secs * memory * passes)
    }
}

fn assert_near(params: KdfParams, mut measure: impl FnMut(KdfParams) -> Duration, target: Duration) {
    let took = measure(params).as_secs_f64();
    let target = target.as_secs_f64();
    assert!(
        took >= target / 1.35 && took <= target * 1.35,
        "{params}: {took:.3} s for a target of {target} s"
    );
}

#[test]
fn calibration_reaches_the_target() {
    let target = KdfParams::DEFAULT_TARGET;
    // From a slow laptop (the floor takes 90% of the target) to a fast
    // desktop (the floor takes 1/60 of it), whatever the target is.
    for share in [0.9, 0.6, 0.4, 0.2, 0.1, 0.04, 0.016] {
        let floor_secs = target.as_secs_f64() * share;
        let mut calls = 0;
        let mut counted = machine(floor_secs, 1.0);
        let params = KdfParams::calibrate(target, |p| {
            calls += 1;
            counted(p)
        });
        assert!(params.meets_floor(), "{params}");
        assert_eq!(params.parallelism(), KdfParams::LANES, "{params}");
        assert!(calls <= 2, "{calls} measurements");
        assert_near(params, machine(floor_secs, 1.0), target);
        // Memory grows first, up to 256 MiB.
        if params.iterations() > 2 {
            assert_eq!(params.memory_kib(), 256 * 1024, "{params}");
        }
    }
}

#[test]
fn calibration_corrects_for_a_non_linear_machine() {
    let target = KdfParams::DEFAULT_TARGET;
    for (share, exponent) in [(0.1, 1.2), (0.04, 1.3), (0.4, 0.9), (0.2, 1.5)] {
        let floor_secs = target.as_secs_f64() * share;
        let params = KdfParams::calibrate(target, machine(floor_secs, exponent));
        assert!(params.meets_floor(), "{params}");
        assert_near(params, machine(floor_secs, exponent), target);
    }
}

#[test]
fn calibration_never_goes_below_the_floor_or_above_the_ceiling() {
    let target = KdfParams::DEFAULT_TARGET;
    // Too slow for the target: the floor's memory and passes, on two lanes.
    let floor = KdfParams::new(64 * 1024, 2, KdfParams::LANES).expect("floor on two lanes");
    assert!(floor.meets_floor());
    assert_eq!(KdfParams::calibrate(target, machine(0.6, 1.0)), floor);
    assert_eq!(KdfParams::calibrate(target, |_| Duration::MAX), floor);
    assert_eq!(KdfParams::calibrate(Duration::ZERO, machine(0.1, 1.0)), floor);
    assert_eq!(KdfParams::calibrate(Duration::ZERO, |_| Duration::ZERO), floor);
    // A clock that sees nothing, or a huge target: the most calibration gives.
    for params in [
        KdfParams::calibrate(target, |_| Duration::ZERO),
        KdfParams::calibrate(Duration::MAX, machine(0.1, 1.0)),
        KdfParams::calibrate(target, machine(1e-6, 1.0)),
    ] {
        assert_eq!(params, KdfParams::new(256 * 1024, MAX_ITERATIONS, KdfParams::LANES).expect("params"));
    }
    // Erratic measurements: still valid parameters.
    let mut n = 0u64;
    let params = KdfParams::calibrate(target, |_| {
        n += 1;
        Duration::from_millis(if n.is_multiple_of(2) { 5_000 } else { 1 })
    });
    assert!(params.meets_floor() && params.iterations() <= MAX_ITERATIONS, "{params}");
}

/// The real thing, on this machine: `cargo test -p taccuino-keys --lib
/// keys -- --ignored --nocapture`.
#[test]
#[ignore = "takes a few seconds; prints this machine's calibration"]
fn real_calibrated_unlock_timing() {
    let started = Instant::now();
    let params = KdfParams::calibrate_here(KdfParams::target_here());
    let calibration = started.elapsed();
    let mut rng = rand::rngs::OsRng;
    let key = generate_key(&mut rng).expect("key");
    let started = Instant::now();
    let file = KeyFile::create(&key, PASS, params, &mut rng).expect("create");
    let create = started.elapsed();
    let started = Instant::now();
    let unlocked = file.unlock(PASS).expect("unlock");
    let unlock = started.elapsed();
    assert!(same(&unlocked, &key));
    let started = Instant::now();
    assert_eq!(file.unlock(OTHER).expect_err("should fail"), KeyError::WrongPassphrase);
    let wrong = started.elapsed();
    eprintln!(
        "calibrated {params} in {calibration:?}; create {create:?}, unlock {unlock:?}, wrong passphrase {wrong:?}"
    );
    // The same memory and passes on one lane and on two (decision 0037):
    // the work per second two lanes buy here.
    let one = KdfParams::new(params.memory_kib(), params.iterations(), 1).expect("one lane");
    let two = KdfParams::new(params.memory_kib(), params.iterations(), 2).expect("two lanes");
    let mut time = |p: KdfParams| {
        let mut best = Duration::MAX;
        for _ in 0..5 {
            let started = Instant::now();
            KeyFile::create(&key, PASS, p, &mut rng).expect("create");
            best = best.min(started.elapsed());
        }
        best
    };
    let (t1, t2) = (time(one), time(two));
    eprintln!(
        "{one}: {t1:?}; {two}: {t2:?}; two lanes do {:.2}x the work per second",
        t1.as_secs_f64() / t2.as_secs_f64()
    );
}
