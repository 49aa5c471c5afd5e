//! The kinds of package a release can be.

use serde::{Deserialize, Serialize};

/// How the app was installed, and so which package updates it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageFormat {
    /// Debian and Ubuntu (`dpkg`).
    Deb,
    /// Fedora, openSUSE (`rpm`).
    Rpm,
    /// Windows, the per-user NSIS installer.
    Nsis,
    /// macOS disk image.
    Dmg,
}

impl PackageFormat {
    /// Every format, in a fixed order.
    pub const ALL: [PackageFormat; 4] =
        [PackageFormat::Deb, PackageFormat::Rpm, PackageFormat::Nsis, PackageFormat::Dmg];

    /// Its name in manifests, URLs and the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            PackageFormat::Deb => "deb",
            PackageFormat::Rpm => "rpm",
            PackageFormat::Nsis => "nsis",
            PackageFormat::Dmg => "dmg",
        }
    }

    /// The format named `name` (as [`PackageFormat::as_str`] writes it).
    pub fn parse(name: &str) -> Option<PackageFormat> {
        PackageFormat::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// The file name's ending a package of this format has.
    pub fn extension(self) -> &'static str {
        match self {
            PackageFormat::Deb => ".deb",
            PackageFormat::Rpm => ".rpm",
            PackageFormat::Nsis => ".exe",
            PackageFormat::Dmg => ".dmg",
        }
    }
}

impl std::fmt::Display for PackageFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for f in PackageFormat::ALL {
            assert_eq!(PackageFormat::parse(f.as_str()), Some(f));
            assert_eq!(serde_json::to_string(&f).expect("json"), format!("\"{}\"", f.as_str()));
        }
        assert_eq!(PackageFormat::parse("appimage"), None);
    }
}
