//! A downloaded package, checked against its signed manifest as it arrives.

use sha2::{Digest, Sha256};

use crate::{Release, UpdateError};

/// The largest package accepted, in bytes. The Windows installer with
/// WebView2 inside is the largest, about 200 MB.
pub const MAX_PACKAGE: u64 = 512 * 1024 * 1024;

/// Counts and hashes a package's bytes as they arrive, refusing the first
/// byte past the manifest's size, and at the end anything short of it or
/// with another digest. Whoever writes the bytes somewhere keeps them
/// apart (a temporary file) until [`PackageCheck::finish`] says yes.
pub struct PackageCheck {
    expected_size: u64,
    expected_sha256: String,
    got: u64,
    hasher: Sha256,
}

impl PackageCheck {
    /// A check for `release`'s package.
    pub fn new(release: &Release) -> PackageCheck {
        let m = release.manifest();
        PackageCheck {
            expected_size: m.size,
            expected_sha256: m.sha256.clone(),
            got: 0,
            hasher: Sha256::new(),
        }
    }

    /// The next bytes. Refuses them if they go past the signed size.
    pub fn update(&mut self, bytes: &[u8]) -> Result<(), UpdateError> {
        let got = self.got.saturating_add(bytes.len() as u64);
        if got > self.expected_size {
            return Err(UpdateError::TooLarge { expected: self.expected_size });
        }
        self.got = got;
        self.hasher.update(bytes);
        Ok(())
    }

    /// Bytes counted so far.
    pub fn received(&self) -> u64 {
        self.got
    }

    /// The package's size, as signed.
    pub fn expected(&self) -> u64 {
        self.expected_size
    }

    /// The verdict once every byte is in.
    pub fn finish(self) -> Result<(), UpdateError> {
        if self.got < self.expected_size {
            return Err(UpdateError::Truncated { got: self.got, expected: self.expected_size });
        }
        if hex::encode(self.hasher.finalize()) != self.expected_sha256 {
            return Err(UpdateError::DigestMismatch);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::{PackageFormat, TrustedKeys, testing};

    fn check(package: &[u8]) -> PackageCheck {
        let (signed, _) = testing::signed_release("0.2.0", PackageFormat::Deb, package);
        PackageCheck::new(&signed.verify(&TrustedKeys::built_in()).expect("verifies"))
    }

    #[test]
    fn the_signed_bytes_pass_in_any_chunks() {
        let package = b"the package's bytes".repeat(100);
        let mut c = check(&package);
        for chunk in package.chunks(7) {
            c.update(chunk).expect("within size");
        }
        c.finish().expect("same bytes");
    }

    #[test]
    fn a_changed_short_or_long_package_is_refused() {
        let package = b"the package's bytes".to_vec();
        let mut changed = package.clone();
        changed[3] ^= 1;
        let mut c = check(&package);
        c.update(&changed).expect("size");
        assert_eq!(c.finish(), Err(UpdateError::DigestMismatch));

        let mut c = check(&package);
        c.update(&package[..5]).expect("size");
        assert_eq!(c.finish(), Err(UpdateError::Truncated { got: 5, expected: package.len() as u64 }));

        let mut c = check(&package);
        c.update(&package).expect("size");
        assert_eq!(c.update(b"x"), Err(UpdateError::TooLarge { expected: package.len() as u64 }));
    }

    proptest! {
        #[test]
        fn any_single_flipped_bit_is_caught(at in 0usize..64, bit in 0u8..8) {
            let package = vec![7u8; 64];
            let mut spoiled = package.clone();
            spoiled[at] ^= 1 << bit;
            let mut c = check(&package);
            c.update(&spoiled).expect("size");
            prop_assert_eq!(c.finish(), Err(UpdateError::DigestMismatch));
        }
    }
}
