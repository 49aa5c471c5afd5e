//! The releases the hub offers, and the labs held on a version: rows of
//! the registry (the packages themselves are files, `releases/` in the
//! data directory, see `crate::releases`).

use rusqlite::params;
use taccuino_updates::{PackageFormat, SignedRelease};

use super::{Actor, Registry, now};
use crate::error::Result;
use crdt_sync::LabId;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS releases (
    version      TEXT NOT NULL,
    format       TEXT NOT NULL,
    manifest     TEXT NOT NULL,
    signature    TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    PRIMARY KEY (version, format)
);
CREATE TABLE IF NOT EXISTS release_holds (
    lab_id      TEXT PRIMARY KEY,
    lab_number  INTEGER NOT NULL,
    version     TEXT NOT NULL,
    set_at      INTEGER NOT NULL,
    set_by      TEXT NOT NULL
);
";

/// A published release, as the registry keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishedRelease {
    /// Its version.
    pub version: semver::Version,
    /// Its package's format.
    pub format: PackageFormat,
    /// The manifest and signature, exactly as published.
    pub signed: SignedRelease,
    /// When (ms since the epoch).
    pub published_at: i64,
}

/// A lab held on a version: its devices are offered nothing newer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    /// The lab.
    pub lab: LabId,
    /// Its number.
    pub lab_number: u8,
    /// The newest version its devices are offered.
    pub version: semver::Version,
}

impl Registry {
    /// Records a release whose package is in place.
    pub(crate) fn add_release(
        &mut self,
        version: &semver::Version,
        format: PackageFormat,
        signed: &SignedRelease,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO releases (version, format, manifest, signature, published_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![version.to_string(), format.as_str(), signed.manifest, signed.signature, now()],
        )?;
        Ok(())
    }

    /// Every published release, oldest version first. Rows this build
    /// cannot read (a newer hub's format) are left out.
    pub fn releases(&self) -> Result<Vec<PublishedRelease>> {
        let mut stmt =
            self.conn.prepare("SELECT version, format, manifest, signature, published_at FROM releases")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (version, format, manifest, signature, published_at) = row?;
            let (Ok(version), Some(format)) =
                (semver::Version::parse(&version), PackageFormat::parse(&format))
            else {
                continue;
            };
            out.push(PublishedRelease {
                version,
                format,
                signed: SignedRelease { manifest, signature },
                published_at,
            });
        }
        out.sort_by(|a, b| a.version.cmp(&b.version).then(a.format.cmp(&b.format)));
        Ok(out)
    }

    /// Holds `lab` on `version` (`None`: lets it go), and logs who did.
    pub fn hold(&mut self, lab: (LabId, u8), version: Option<&semver::Version>, by: &Actor) -> Result<()> {
        match version {
            Some(v) => {
                self.conn.execute(
                    "INSERT INTO release_holds (lab_id, lab_number, version, set_at, set_by) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (lab_id) DO UPDATE SET version = ?3, set_at = ?4, set_by = ?5",
                    params![lab.0.to_string(), lab.1, v.to_string(), now(), by.label()],
                )?;
                self.log_admin(by, "hold", &format!("lab {} at {v}", lab.1))?;
            }
            None => {
                self.conn.execute("DELETE FROM release_holds WHERE lab_id = ?1", [lab.0.to_string()])?;
                self.log_admin(by, "release_hold", &format!("lab {}", lab.1))?;
            }
        }
        Ok(())
    }

    /// Every lab held on a version, by number.
    pub fn holds(&self) -> Result<Vec<Hold>> {
        let mut stmt =
            self.conn.prepare("SELECT lab_id, lab_number, version FROM release_holds ORDER BY lab_number")?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u8>(1)?, r.get::<_, String>(2)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (lab, lab_number, version) = row?;
            let (Ok(lab), Ok(version)) = (lab.parse::<uuid::Uuid>(), semver::Version::parse(&version)) else {
                continue;
            };
            out.push(Hold { lab: LabId(lab), lab_number, version });
        }
        Ok(out)
    }

    /// The version `lab` is held on, if any.
    pub fn hold_of(&self, lab: LabId) -> Result<Option<semver::Version>> {
        Ok(self.holds()?.into_iter().find(|h| h.lab == lab).map(|h| h.version))
    }
}
