//! Releases signed with the tests' key (developer builds only): the key's
//! secret half is in the repository, `keys/test/test-release.key`.

use sha2::{Digest, Sha256};

use crate::{Manifest, Notes, PRODUCT, PackageFormat, SignedRelease};

/// The tests' secret key, unencrypted (minisign's format).
pub const TEST_SECRET_KEY: &str = include_str!("../keys/test/test-release.key");

/// The manifest of `package` as `taccuino-release sign` writes it.
pub fn manifest_for(version: &str, format: PackageFormat, package: &[u8]) -> Manifest {
    Manifest {
        product: PRODUCT.into(),
        version: version.into(),
        format,
        file: format!("Taccuino_{version}_test{}", format.extension()),
        size: package.len() as u64,
        sha256: hex::encode(Sha256::digest(package)),
        protocol: 5,
        signed_at: "2026-12-06T18:00:00Z".into(),
        notes: Notes { it: format!("Versione {version} di prova"), en: format!("Test version {version}") },
    }
}

/// `package` as release `version`, signed with the tests' key. Returns the
/// release and the package's bytes.
pub fn signed_release(version: &str, format: PackageFormat, package: &[u8]) -> (SignedRelease, Vec<u8>) {
    let key = minisign::SecretKeyBox::from_string(TEST_SECRET_KEY)
        .and_then(|b| b.into_unencrypted_secret_key())
        .expect("the tests' key decodes");
    signed_release_with(version, format, package, &key)
}

/// The same, signed with `key`.
pub fn signed_release_with(
    version: &str,
    format: PackageFormat,
    package: &[u8],
    key: &minisign::SecretKey,
) -> (SignedRelease, Vec<u8>) {
    let manifest = manifest_for(version, format, package).to_json();
    (SignedRelease { manifest: manifest.clone(), signature: sign(&manifest, key) }, package.to_vec())
}

/// `manifest`'s minisign signature by `key`.
pub fn sign(manifest: &str, key: &minisign::SecretKey) -> String {
    minisign::sign(None, key, manifest.as_bytes(), Some("taccuino release, signed for tests"), None)
        .expect("signs")
        .to_string()
}
