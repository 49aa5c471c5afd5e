//! What a release says about itself.

use serde::{Deserialize, Serialize};

use crate::{PackageFormat, UpdateError};

/// The product every manifest must name.
pub const PRODUCT: &str = "taccuino";

/// The longest manifest read, in bytes (a real one is about 500).
pub const MAX_MANIFEST: usize = 16 * 1024;

/// The longest release notes, per language, in characters.
const MAX_NOTES: usize = 2000;

/// A release's manifest: the JSON that is signed. The package itself is
/// bound to it by its size and SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`PRODUCT`].
    pub product: String,
    /// The app's version, a semantic version (`0.2.0`).
    pub version: String,
    /// The package's format.
    pub format: PackageFormat,
    /// The package's file name (letters, digits, `._+-`; no directories).
    pub file: String,
    /// The package's size in bytes.
    pub size: u64,
    /// The package's SHA-256, lowercase hex.
    pub sha256: String,
    /// The sync protocol version the release speaks (`PROTOCOL_VERSION`).
    pub protocol: u16,
    /// When it was signed (RFC 3339, UTC).
    pub signed_at: String,
    /// What changed, for the person asked to install it.
    #[serde(default)]
    pub notes: Notes,
}

/// Release notes, Italian first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notes {
    /// In Italian.
    #[serde(default)]
    pub it: String,
    /// In English.
    #[serde(default)]
    pub en: String,
}

impl Manifest {
    /// Reads a manifest and checks that every field is well formed. Unknown
    /// fields are ignored: a newer signer may add some.
    pub fn parse(json: &str) -> Result<Manifest, UpdateError> {
        if json.len() > MAX_MANIFEST {
            return Err(UpdateError::Malformed(format!("a manifest of {} bytes is too long", json.len())));
        }
        let manifest: Manifest =
            serde_json::from_str(json).map_err(|e| UpdateError::Malformed(format!("manifest: {e}")))?;
        manifest.check()?;
        Ok(manifest)
    }

    /// The manifest's version.
    pub fn semver(&self) -> Result<semver::Version, UpdateError> {
        semver::Version::parse(&self.version)
            .map_err(|e| UpdateError::Malformed(format!("version {:?}: {e}", self.version)))
    }

    fn check(&self) -> Result<(), UpdateError> {
        if self.product != PRODUCT {
            return Err(UpdateError::WrongProduct(self.product.clone()));
        }
        self.semver()?;
        let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-');
        if self.file.is_empty()
            || self.file.len() > 128
            || !self.file.chars().all(plain)
            || self.file.starts_with('.')
            || !self.file.ends_with(self.format.extension())
        {
            return Err(UpdateError::Malformed(format!(
                "file name {:?}: a plain name ending in {} is needed",
                self.file,
                self.format.extension()
            )));
        }
        if self.size == 0 || self.size > crate::MAX_PACKAGE {
            return Err(UpdateError::Malformed(format!("a package of {} bytes", self.size)));
        }
        let hex =
            |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hex(&self.sha256) {
            return Err(UpdateError::Malformed("sha256: 64 lowercase hex digits are needed".into()));
        }
        if chrono::DateTime::parse_from_rfc3339(&self.signed_at).is_err() {
            return Err(UpdateError::Malformed(format!("signed_at {:?} is not RFC 3339", self.signed_at)));
        }
        if self.notes.it.chars().count() > MAX_NOTES || self.notes.en.chars().count() > MAX_NOTES {
            return Err(UpdateError::Malformed(format!("release notes over {MAX_NOTES} characters")));
        }
        Ok(())
    }

    /// The manifest as the signer writes it: pretty JSON, fields in order.
    pub fn to_json(&self) -> String {
        // Serialising plain strings and numbers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Manifest {
        Manifest {
            product: PRODUCT.into(),
            version: "0.2.0".into(),
            format: PackageFormat::Deb,
            file: "Taccuino_0.2.0_amd64.deb".into(),
            size: 13_600_000,
            sha256: "ab".repeat(32),
            protocol: 5,
            signed_at: "2026-12-06T18:00:00Z".into(),
            notes: Notes { it: "Correzioni".into(), en: "Fixes".into() },
        }
    }

    #[test]
    fn a_written_manifest_reads_back() {
        assert_eq!(Manifest::parse(&good().to_json()), Ok(good()));
    }

    #[test]
    fn each_bad_field_is_named() {
        type Spoil = fn(&mut Manifest);
        let cases: Vec<(Spoil, &str)> = vec![
            (|m| m.product = "other".into(), "other"),
            (|m| m.version = "2".into(), "version"),
            (|m| m.file = "../../etc/passwd.deb".into(), "file name"),
            (|m| m.file = "Taccuino.rpm".into(), "file name"),
            (|m| m.size = 0, "package of 0"),
            (|m| m.size = crate::MAX_PACKAGE + 1, "package of"),
            (|m| m.sha256 = "AB".repeat(32), "sha256"),
            (|m| m.signed_at = "yesterday".into(), "signed_at"),
            (|m| m.notes.it = "x".repeat(2001), "notes"),
        ];
        for (spoil, says) in cases {
            let mut m = good();
            spoil(&mut m);
            let err = Manifest::parse(&m.to_json()).expect_err(says);
            assert!(err.to_string().contains(says), "{err} should say {says}");
        }
    }

    #[test]
    fn unknown_fields_are_ignored_and_oversized_input_refused() {
        let mut v: serde_json::Value = serde_json::from_str(&good().to_json()).expect("json");
        v["channel"] = "stable".into();
        assert_eq!(Manifest::parse(&v.to_string()), Ok(good()));
        let long = format!("{}{}", " ".repeat(MAX_MANIFEST), good().to_json());
        assert!(matches!(Manifest::parse(&long), Err(UpdateError::Malformed(_))));
    }
}
