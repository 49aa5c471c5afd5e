//! Releases of the app, published on the hub for its laptops (issue 14,
//! decision 0034).
//!
//! The release manager signs a release off the hub (`taccuino-release
//! sign`); the hub's administrator publishes the release directory
//! (`taccuino-hub release publish DIR`), which the hub checks as every
//! laptop will ([`taccuino_updates`]): the signature against the keys built
//! into this build, the package against the signed manifest, and a version
//! newer than every one already published in that format. The package goes
//! to `releases/<version>-<format>/` in the data directory, its manifest
//! and signature into the registry.
//!
//! Laptops ask at `GET /update` ([`route`]) and download from the same
//! hub; a lab held on a version ([`Registry::hold`]) is offered nothing
//! newer. Publishing and holding work while the hub serves: they write
//! only the registry (which the CLI and the server share) and a new
//! directory the server reads once the registry names it.

pub mod route;

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use taccuino_updates::{
    Manifest, PackageCheck, PackageFormat, Release, SignedRelease, TrustedKeys, UpdateError,
};

use crate::DataDir;
use crate::error::{HubError, Result};
use crate::private;
use crate::registry::{Actor, PublishedRelease, Registry};

/// The manifest's file name in a release directory (`taccuino-release`).
pub const MANIFEST_FILE: &str = "release.json";
/// Its signature's.
pub const SIGNATURE_FILE: &str = "release.json.minisig";

/// Where the packages live in the data directory.
pub(crate) fn releases_dir(root: &Path) -> PathBuf {
    root.join("releases")
}

/// Where one release's package lives.
fn package_path(root: &Path, release: &PublishedRelease, file: &str) -> PathBuf {
    releases_dir(root).join(format!("{}-{}", release.version, release.format)).join(file)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HubError + '_ {
    move |source| HubError::Io { path: path.to_owned(), source }
}

/// Why a release was refused: the check that failed, for the command line.
fn refused(e: UpdateError) -> HubError {
    HubError::Usage(format!("release refused ({}): {e}; nothing was published", e.as_str()))
}

/// Reads a bounded text file of a release directory.
fn read_small(path: &Path, limit: usize) -> Result<String> {
    let mut text = String::new();
    fs::File::open(path)
        .map_err(io(path))?
        .take(limit as u64 + 1)
        .read_to_string(&mut text)
        .map_err(io(path))?;
    if text.len() > limit {
        return Err(HubError::Usage(format!(
            "{} is over {limit} bytes: not a release manifest",
            path.display()
        )));
    }
    Ok(text)
}

/// Publishes the release in `release_dir` on the hub in `dir`, checked
/// with `keys`. Returns the release. Nothing is recorded unless every
/// check passed and the package is in place.
pub fn publish(
    dir: &DataDir,
    registry: &mut Registry,
    release_dir: &Path,
    keys: &TrustedKeys,
) -> Result<Release> {
    let signed = SignedRelease {
        manifest: read_small(&release_dir.join(MANIFEST_FILE), taccuino_updates::MAX_MANIFEST)?,
        signature: read_small(&release_dir.join(SIGNATURE_FILE), taccuino_updates::MAX_SIGNATURE)?,
    };
    let release = signed.verify(keys).map_err(refused)?;
    let m = release.manifest();
    if let Some(newest) =
        registry.releases()?.into_iter().filter(|r| r.format == m.format).map(|r| r.version).max()
        && *release.version() <= newest
    {
        return Err(refused(UpdateError::NotNewer {
            offered: release.version().to_string(),
            current: format!("{newest}, already published"),
        }));
    }
    // The package is copied beside its final place, checked as it is read,
    // and only then renamed into place.
    let source = release_dir.join(&m.file);
    let root = releases_dir(dir.root());
    private::create_dir(&root)?;
    let staging = tempfile::Builder::new().prefix(".incoming-").tempdir_in(&root).map_err(io(&root))?;
    let copy = staging.path().join(&m.file);
    copy_checked(&source, &copy, &release)?;
    let placed = PublishedRelease {
        version: release.version().clone(),
        format: m.format,
        signed: signed.clone(),
        published_at: 0,
    };
    let target = package_path(dir.root(), &placed, &m.file);
    let target_dir = target.parent().unwrap_or(&root).to_owned();
    if target_dir.exists() {
        // A directory left by a publish that failed after the rename.
        fs::remove_dir_all(&target_dir).map_err(io(&target_dir))?;
    }
    // Once renamed, the staging directory's own cleanup finds nothing.
    fs::rename(staging.path(), &target_dir).map_err(io(&target_dir))?;
    drop(staging);
    if let Err(e) = registry.add_release(release.version(), m.format, &signed) {
        let _ = fs::remove_dir_all(&target_dir);
        return Err(e);
    }
    registry.log_admin(&Actor::CommandLine, "publish", &format!("{} {}", m.version, m.format))?;
    Ok(release)
}

/// Copies `from` to `to` (0600), checking every byte against `release`.
fn copy_checked(from: &Path, to: &Path, release: &Release) -> Result<()> {
    let mut input = fs::File::open(from).map_err(io(from))?;
    let mut output = private_file(to)?;
    let mut check = PackageCheck::new(release);
    let mut buf = vec![0; 1 << 20];
    loop {
        let n = input.read(&mut buf).map_err(io(from))?;
        if n == 0 {
            break;
        }
        check.update(&buf[..n]).map_err(refused)?;
        output.write_all(&buf[..n]).map_err(io(to))?;
    }
    check.finish().map_err(refused)?;
    output.sync_all().map_err(io(to))?;
    Ok(())
}

fn private_file(path: &Path) -> Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(io(path))
}

/// What a laptop of `lab` (`None`: a coordinator's), installed from a
/// `format` package at `current`, is offered: the newest release of that
/// format, no newer than its lab's hold, if newer than `current` and its
/// package is in place. The hub checks the signature again: a registry row
/// is not believed more than a laptop would believe it.
pub(crate) fn offer_for(
    root: &Path,
    registry: &Registry,
    lab: Option<crdt_sync::LabId>,
    format: PackageFormat,
    current: &semver::Version,
) -> Result<Option<(PublishedRelease, Manifest)>> {
    let hold = match lab {
        Some(lab) => registry.hold_of(lab)?,
        None => None,
    };
    let keys = TrustedKeys::built_in();
    let newest = registry
        .releases()?
        .into_iter()
        .filter(|r| r.format == format && r.version > *current)
        .filter(|r| hold.as_ref().is_none_or(|h| r.version <= *h))
        .filter_map(|r| r.signed.verify(&keys).ok().map(|v| (r, v.manifest().clone())))
        .filter(|(r, m)| package_path(root, r, &m.file).is_file())
        .max_by(|a, b| a.0.version.cmp(&b.0.version));
    Ok(newest)
}

/// The package of release `version` in `format`, if a laptop of `lab` may
/// download it (its lab is not held below it), with its size.
pub(crate) fn package_for(
    root: &Path,
    registry: &Registry,
    lab: Option<crdt_sync::LabId>,
    version: &semver::Version,
    format: PackageFormat,
) -> Result<Option<(PathBuf, u64)>> {
    if let Some(lab) = lab
        && let Some(hold) = registry.hold_of(lab)?
        && *version > hold
    {
        return Ok(None);
    }
    let Some(release) =
        registry.releases()?.into_iter().find(|r| r.version == *version && r.format == format)
    else {
        return Ok(None);
    };
    let Ok(verified) = release.signed.verify(&TrustedKeys::built_in()) else { return Ok(None) };
    let m = verified.manifest();
    let path = package_path(root, &release, &m.file);
    Ok(path.is_file().then_some((path, m.size)))
}
