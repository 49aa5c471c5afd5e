//! The release keys a build trusts.

use minisign_verify::PublicKey;

use crate::UpdateError;

/// The project's release keys, as minisign public key files. Two: the one
/// releases are signed with, and the next, kept offline elsewhere, so that
/// losing the first does not strand a laptop (decision 0034, "rotation").
const PROJECT_KEYS: [(&str, &str); 2] = [
    ("taccuino-release-1", include_str!("../keys/taccuino-release-1.pub")),
    ("taccuino-release-2", include_str!("../keys/taccuino-release-2.pub")),
];

/// The key of the tests, whose secret half is in the repository
/// (`keys/test/`): trusted by developer builds and builds for tests and
/// benchmarks (feature `testing`, which only dev-dependencies enable) only.
/// Every package is a release build of the app alone, and
/// `scripts/installed-update.sh` checks that the installed package refuses
/// a release signed with it.
#[cfg(any(debug_assertions, feature = "testing"))]
const TEST_KEYS: &[(&str, &str)] =
    &[("test (developer builds only)", include_str!("../keys/test/test-release.pub"))];
/// Release builds trust no test key.
#[cfg(not(any(debug_assertions, feature = "testing")))]
const TEST_KEYS: &[(&str, &str)] = &[];

/// The public keys a release must be signed with one of.
#[derive(Clone, Debug)]
pub struct TrustedKeys {
    keys: Vec<(String, PublicKey)>,
}

impl TrustedKeys {
    /// The keys built into this build: the project's two, and in developer
    /// builds the tests' key too.
    pub fn built_in() -> TrustedKeys {
        let keys = PROJECT_KEYS
            .iter()
            .chain(TEST_KEYS)
            // The files are part of the build and tested to decode.
            .filter_map(|&(name, text)| PublicKey::decode(text.trim()).ok().map(|k| (name.to_owned(), k)))
            .collect();
        TrustedKeys { keys }
    }

    /// Keys given as minisign public key files (`untrusted comment:` line,
    /// then the key) or bare base64 keys.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Result<TrustedKeys, UpdateError> {
        let mut keys = Vec::new();
        for (i, text) in texts.into_iter().enumerate() {
            let text = text.trim();
            let key = PublicKey::decode(text)
                .or_else(|_| PublicKey::from_base64(text))
                .map_err(|e| UpdateError::Malformed(format!("public key {}: {e}", i + 1)))?;
            keys.push((format!("key {}", i + 1), key));
        }
        Ok(TrustedKeys { keys })
    }

    /// The keys' names, for messages.
    pub fn names(&self) -> Vec<&str> {
        self.keys.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Every key, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &PublicKey> {
        self.keys.iter().map(|(_, k)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_key_decodes() {
        let built_in = TrustedKeys::built_in();
        // Two project keys, and the tests' key in this (test) build.
        assert_eq!(built_in.names().len(), 3, "{:?}", built_in.names());
        for (name, text) in PROJECT_KEYS {
            assert!(PublicKey::decode(text.trim()).is_ok(), "{name} does not decode");
        }
    }

    #[test]
    fn a_bad_key_text_is_refused() {
        assert!(TrustedKeys::from_texts(["not a key"]).is_err());
    }
}
