//! # taccuino-updates: signed releases of the app (sans I/O)
//!
//! A release is a package (`.deb`, `.rpm`, an NSIS installer, a `.dmg`) and
//! a small JSON [`Manifest`] that names it: the version, the package's
//! format, its file name, size and SHA-256, the sync protocol it speaks.
//! The manifest is signed off the hub with a release key (minisign's
//! format, Ed25519; `taccuino-release sign`), and the pair travels as a
//! [`SignedRelease`].
//!
//! Wherever a release is handled, the same checks run, from this crate:
//!
//! - the hub, when its administrator publishes one, refuses what is not
//!   signed by a key built into this build ([`TrustedKeys::built_in`]), is
//!   malformed, or is older than what it already offers;
//! - the app, when the hub offers one, checks the signature again with its
//!   own built-in keys ([`SignedRelease::verify`]), refuses a version that is
//!   not newer than itself or a package of another format
//!   ([`Release::offerable_to`]), and checks the downloaded bytes against
//!   the manifest as they arrive ([`PackageCheck`]).
//!
//! A tampered package fails its digest, a tampered manifest its signature,
//! a replayed old release the version check; none of them changes anything.
//!
//! ```
//! use taccuino_updates::{PackageCheck, PackageFormat, SignedRelease, TrustedKeys, UpdateError};
//!
//! /// What the app does with an offer, once the package's bytes are in.
//! fn accept(signed: &SignedRelease, package: &[u8]) -> Result<(), UpdateError> {
//!     let release = signed.verify(&TrustedKeys::built_in())?;
//!     release.offerable_to(&taccuino_updates::this_version(), PackageFormat::Deb)?;
//!     let mut check = PackageCheck::new(&release);
//!     check.update(package)?; // chunk by chunk, as they arrive
//!     check.finish()
//! }
//! ```

mod error;
mod format;
mod info;
mod keys;
mod manifest;
mod package;
mod signed;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use error::UpdateError;
pub use format::PackageFormat;
pub use info::{UpdateInfo, UpdateOffer};
pub use keys::TrustedKeys;
pub use manifest::{MAX_MANIFEST, Manifest, Notes, PRODUCT};
pub use package::{MAX_PACKAGE, PackageCheck};
pub use signed::{MAX_SIGNATURE, Release, SignedRelease};

/// This build's version (all of Taccuino's crates share the workspace's).
pub fn this_version() -> semver::Version {
    // The workspace's version is a valid semantic version: Cargo checks it.
    semver::Version::parse(env!("CARGO_PKG_VERSION")).unwrap_or_else(|_| semver::Version::new(0, 0, 0))
}
