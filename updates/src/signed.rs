//! A manifest and its signature, checked together.

use minisign_verify::Signature;
use serde::{Deserialize, Serialize};

use crate::{Manifest, PackageFormat, TrustedKeys, UpdateError};

/// The longest signature read, in bytes (a real one is about 300).
pub const MAX_SIGNATURE: usize = 4 * 1024;

/// A release as it travels: the manifest's exact bytes and its minisign
/// signature. Nothing in it is believed before [`SignedRelease::verify`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedRelease {
    /// The manifest, exactly as signed.
    pub manifest: String,
    /// Its minisign signature (`untrusted comment:`, the signature,
    /// `trusted comment:`, the global signature).
    pub signature: String,
}

/// A release whose signature held: its manifest can be believed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    manifest: Manifest,
    version: semver::Version,
}

impl SignedRelease {
    /// Checks the signature against `keys`, then reads the manifest. The
    /// signature is checked first: nothing of an unsigned manifest is read.
    pub fn verify(&self, keys: &TrustedKeys) -> Result<Release, UpdateError> {
        if self.manifest.len() > crate::MAX_MANIFEST || self.signature.len() > MAX_SIGNATURE {
            return Err(UpdateError::Malformed("a manifest or signature over its size limit".into()));
        }
        let signature = Signature::decode(self.signature.trim())
            .map_err(|e| UpdateError::Malformed(format!("signature: {e}")))?;
        let mut outcome = Err(UpdateError::UnknownKey);
        for key in keys.iter() {
            match key.verify(self.manifest.as_bytes(), &signature, false) {
                Ok(()) => {
                    outcome = Ok(());
                    break;
                }
                Err(minisign_verify::Error::UnexpectedKeyId) => continue,
                Err(minisign_verify::Error::InvalidSignature) => outcome = Err(UpdateError::BadSignature),
                Err(e) => return Err(UpdateError::Malformed(format!("signature: {e}"))),
            }
        }
        outcome?;
        let manifest = Manifest::parse(&self.manifest)?;
        let version = manifest.semver()?;
        Ok(Release { manifest, version })
    }
}

impl Release {
    /// The signed manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Its version.
    pub fn version(&self) -> &semver::Version {
        &self.version
    }

    /// Whether an installation of version `current`, installed from a
    /// `format` package, may install this release: only a newer version of
    /// the same format. A replayed older release, or the same one again,
    /// is refused.
    pub fn offerable_to(&self, current: &semver::Version, format: PackageFormat) -> Result<(), UpdateError> {
        if self.manifest.format != format {
            return Err(UpdateError::WrongFormat {
                offered: self.manifest.format.to_string(),
                wanted: format.to_string(),
            });
        }
        if self.version <= *current {
            return Err(UpdateError::NotNewer {
                offered: self.version.to_string(),
                current: current.to_string(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    fn v(s: &str) -> semver::Version {
        s.parse().expect("version")
    }

    #[test]
    fn a_release_signed_with_a_trusted_key_verifies() {
        let (signed, _) = testing::signed_release("0.2.0", PackageFormat::Deb, b"package");
        let release = signed.verify(&TrustedKeys::built_in()).expect("verifies");
        assert_eq!(release.version(), &v("0.2.0"));
        assert_eq!(release.manifest().size, 7);
        release.offerable_to(&v("0.1.0"), PackageFormat::Deb).expect("newer, same format");
    }

    #[test]
    fn a_changed_manifest_fails_its_signature() {
        let (mut signed, _) = testing::signed_release("0.2.0", PackageFormat::Deb, b"package");
        signed.manifest = signed.manifest.replace("0.2.0", "9.9.9");
        assert_eq!(signed.verify(&TrustedKeys::built_in()), Err(UpdateError::BadSignature));
    }

    #[test]
    fn a_release_signed_by_another_key_is_refused() {
        let other = minisign::KeyPair::generate_unencrypted_keypair().expect("keypair");
        let (signed, _) = testing::signed_release_with("0.2.0", PackageFormat::Deb, b"package", &other.sk);
        assert_eq!(signed.verify(&TrustedKeys::built_in()), Err(UpdateError::UnknownKey));
        // The same release verifies with that key trusted: the refusal is the key's.
        let trusted =
            TrustedKeys::from_texts([other.pk.to_box().expect("box").to_string().as_str()]).expect("key");
        assert!(signed.verify(&trusted).is_ok());
    }

    #[test]
    fn older_same_and_other_format_releases_are_not_offerable() {
        let (signed, _) = testing::signed_release("0.2.0", PackageFormat::Deb, b"package");
        let release = signed.verify(&TrustedKeys::built_in()).expect("verifies");
        assert!(matches!(
            release.offerable_to(&v("0.2.0"), PackageFormat::Deb),
            Err(UpdateError::NotNewer { .. })
        ));
        assert!(matches!(
            release.offerable_to(&v("0.10.0"), PackageFormat::Deb),
            Err(UpdateError::NotNewer { .. })
        ));
        assert!(matches!(
            release.offerable_to(&v("0.1.0"), PackageFormat::Rpm),
            Err(UpdateError::WrongFormat { .. })
        ));
    }

    #[test]
    fn garbage_signatures_are_malformed_not_panics() {
        let (mut signed, _) = testing::signed_release("0.2.0", PackageFormat::Deb, b"package");
        for junk in ["", "untrusted comment: x\n!!!!", &"A".repeat(MAX_SIGNATURE + 1)] {
            signed.signature = junk.to_owned();
            assert!(
                matches!(signed.verify(&TrustedKeys::built_in()), Err(UpdateError::Malformed(_))),
                "{junk:.20}"
            );
        }
    }
}
