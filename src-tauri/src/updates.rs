//! New versions from the hub (issue 14, decision 0034): what the app knows
//! of them, the download, and the install when the person agrees.
//!
//! After each sync the app asks its hub (`GET /update`, over the pinned
//! TLS) whether a release is offered to it. An offer is believed only if
//! its signature holds against the keys built into this build, it is newer
//! than this build and of the package format this build was installed from
//! ([`taccuino_updates`]). The package is downloaded in the background into
//! `updates/` beside the register, each byte checked against the signed
//! manifest before it is written, and kept only if the whole matches.
//! Nothing installs by itself: the person clicks "install" on the sync
//! screen (never in the middle of a meeting: that screen holds no open
//! form), the package is checked once more, and the system's installer
//! runs; the register is closed cleanly before the app restarts.
//!
//! The same answer says which sync protocol the hub speaks, so a laptop
//! whose sync was refused for its version can say what to do: install the
//! offered release (the laptop is older), or wait for the hub to be
//! updated, keeping its data (the laptop is newer).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use taccuino_sync_client::Endpoint;
use taccuino_updates::{
    PackageCheck, PackageFormat, Release, SignedRelease, TrustedKeys, UpdateError, UpdateInfo,
};

use crate::commands::sync::client_error;
use crate::error::{AppError, AppResult};

/// What the sync screen shows about versions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct UpdateStatus {
    /// This build's version.
    pub current: String,
    /// The package this build was installed from (`deb`, `rpm`, `nsis`,
    /// `dmg`); none for a build run from the sources, which is never
    /// offered updates.
    pub installed_from: Option<String>,
    /// What the hub said last time it was asked.
    pub hub: Option<HubVersion>,
    /// A release offered and verified, newer than this build.
    pub offer: Option<OfferedRelease>,
    /// Where its download is.
    pub download: DownloadState,
    /// The last offer refused by the checks, as a key the UI explains
    /// (`bad_signature`, `unknown_key`, `not_newer`, `digest_mismatch`...).
    pub refused: Option<String>,
}

/// The hub's versions, and how they compare with this build's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, specta::Type)]
pub struct HubVersion {
    /// The hub's version.
    pub version: String,
    /// The sync protocol it speaks.
    pub protocol: u16,
    /// `None` when the two can sync; otherwise which side is older.
    pub skew: Option<Skew>,
}

/// Which side of a version mismatch is older.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Skew {
    /// This app is too old for the hub: install the update it offers.
    AppOlder,
    /// The hub is older than this app: the data stays here and syncing
    /// resumes once the hub is updated.
    HubOlder,
}

/// A verified offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, specta::Type)]
pub struct OfferedRelease {
    /// Its version.
    pub version: String,
    /// The package's size in bytes.
    pub size: u64,
    /// What changed, in Italian.
    pub notes_it: String,
    /// What changed, in English.
    pub notes_en: String,
}

/// The download of the offered release.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DownloadState {
    /// Not started.
    #[default]
    None,
    /// Running.
    Running {
        /// Bytes so far.
        received: u64,
        /// Bytes in all.
        total: u64,
    },
    /// Downloaded and verified: ready to install.
    Ready,
    /// Failed; `reason` is a key the UI explains.
    Failed {
        /// Why.
        reason: String,
    },
}

/// An offer this build accepted.
#[derive(Clone, Debug)]
struct Offer {
    release: Release,
    path: String,
}

#[derive(Debug, Default)]
struct Known {
    hub: Option<HubVersion>,
    offer: Option<Offer>,
    download: DownloadState,
    /// The verified package, once downloaded.
    ready: Option<PathBuf>,
    refused: Option<String>,
}

/// The app's knowledge of new versions, and the work on them.
pub struct Updates {
    dir: PathBuf,
    format: Option<PackageFormat>,
    current: semver::Version,
    keys: TrustedKeys,
    known: Mutex<Known>,
    /// Held by the download running (one at a time).
    downloading: tokio::sync::Mutex<()>,
}

impl Updates {
    /// For this build: its version, the package it was installed from (what
    /// Tauri's bundler wrote into the binary) and the keys built into it;
    /// downloads go to `dir`.
    pub fn for_this_build(dir: PathBuf) -> Updates {
        Updates::new(dir, installed_from(), taccuino_updates::this_version(), TrustedKeys::built_in())
    }

    /// With everything given (tests).
    pub fn new(
        dir: PathBuf,
        format: Option<PackageFormat>,
        current: semver::Version,
        keys: TrustedKeys,
    ) -> Updates {
        Updates {
            dir,
            format,
            current,
            keys,
            known: Mutex::new(Known::default()),
            downloading: Default::default(),
        }
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        // A panic while holding this lock leaves plain data behind.
        self.known.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// What is known now.
    pub fn status(&self) -> UpdateStatus {
        let known = self.known();
        UpdateStatus {
            current: self.current.to_string(),
            installed_from: self.format.map(|f| f.as_str().to_owned()),
            hub: known.hub.clone(),
            offer: known.offer.as_ref().map(|o| {
                let m = o.release.manifest();
                OfferedRelease {
                    version: m.version.clone(),
                    size: m.size,
                    notes_it: m.notes.it.clone(),
                    notes_en: m.notes.en.clone(),
                }
            }),
            download: known.download.clone(),
            refused: known.refused.clone(),
        }
    }

    /// Asks the hub what it offers, and keeps what passes the checks.
    pub async fn check(&self, hub: &Endpoint, token: &str) -> AppResult<UpdateStatus> {
        let info = taccuino_sync_client::update_info(hub, token, self.format, &self.current)
            .await
            .map_err(client_error)?;
        self.learn(info);
        self.tidy().await;
        Ok(self.status())
    }

    /// Keeps in `updates/` only the package of the release on offer: one
    /// withdrawn, superseded or already installed goes (each is megabytes
    /// on an old laptop's disk). A package of the offer already there whole
    /// (downloaded before the app restarted) is checked again and is ready
    /// to install without downloading it again. Skipped while a download
    /// runs: the next check tidies.
    async fn tidy(&self) {
        let Ok(_one) = self.downloading.try_lock() else { return };
        let (offer, ready) = {
            let known = self.known();
            (known.offer.clone(), known.ready.clone())
        };
        let keep = offer.as_ref().map(|o| o.release.manifest().file.clone());
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let is_file = entry.file_type().is_ok_and(|t| t.is_file());
                if is_file
                    && keep.as_deref() != name.to_str()
                    && let Err(e) = std::fs::remove_file(entry.path())
                {
                    tracing::warn!(error = %e, file = ?name, "an old update package could not be removed");
                }
            }
        }
        let (Some(offer), None) = (offer, ready) else { return };
        let path = self.dir.join(&offer.release.manifest().file);
        if !path.is_file() {
            return;
        }
        let release = offer.release.clone();
        let checked = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || check_file(&path, &release)).await
        };
        let mut known = self.known();
        let still = known.offer.as_ref().is_some_and(|o| o.release == offer.release);
        match checked {
            Ok(Ok(())) if still && known.ready.is_none() => {
                known.download = DownloadState::Ready;
                known.ready = Some(path);
            }
            Ok(Ok(())) => {}
            _ => {
                drop(known);
                let _ = std::fs::remove_file(&path);
            }
        }
    }

    /// Takes in the hub's answer.
    fn learn(&self, info: UpdateInfo) {
        let ours = crdt_sync::sync::PROTOCOL_VERSION;
        let skew = match info.protocol.cmp(&ours) {
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Greater => Some(Skew::AppOlder),
            std::cmp::Ordering::Less => Some(Skew::HubOlder),
        };
        let accepted =
            info.offer.map(|o| self.accept(&o.release).map(|release| Offer { release, path: o.path }));
        let mut known = self.known();
        known.hub = Some(HubVersion { version: info.hub_version, protocol: info.protocol, skew });
        match accepted {
            None => {
                known.offer = None;
                known.refused = None;
                known.download = DownloadState::None;
                known.ready = None;
            }
            Some(Ok(offer)) => {
                let same = known.offer.as_ref().is_some_and(|o| o.release == offer.release);
                if !same {
                    known.download = DownloadState::None;
                    known.ready = None;
                }
                known.offer = Some(offer);
                known.refused = None;
            }
            Some(Err(e)) => {
                tracing::warn!(reason = e.as_str(), error = %e, "the hub offered a release this app refuses");
                known.offer = None;
                known.refused = Some(e.as_str().to_owned());
                known.download = DownloadState::None;
                known.ready = None;
            }
        }
    }

    fn accept(&self, signed: &SignedRelease) -> Result<Release, UpdateError> {
        let release = signed.verify(&self.keys)?;
        let format = self.format.ok_or_else(|| UpdateError::WrongFormat {
            offered: release.manifest().format.to_string(),
            wanted: "none (not installed from a package)".into(),
        })?;
        release.offerable_to(&self.current, format)?;
        Ok(release)
    }

    /// Downloads the offered release into `updates/`, checking every byte;
    /// `progress` hears the bytes so far. The register is not involved.
    pub async fn download(
        &self,
        hub: &Endpoint,
        token: &str,
        progress: impl Fn(u64, u64),
    ) -> AppResult<UpdateStatus> {
        let _one = self.downloading.lock().await;
        let (offer, ready) = {
            let known = self.known();
            (known.offer.clone(), matches!(known.download, DownloadState::Ready))
        };
        if ready {
            return Ok(self.status());
        }
        let offer = offer.ok_or(AppError::Update { reason: "no_offer".into() })?;
        let m = offer.release.manifest().clone();
        std::fs::create_dir_all(&self.dir).map_err(|e| AppError::file(&self.dir, e))?;
        let (part, done) = (self.dir.join(format!("{}.part", m.file)), self.dir.join(&m.file));
        self.known().download = DownloadState::Running { received: 0, total: m.size };
        let result = async {
            let mut file = tokio::fs::File::create(&part).await.map_err(|e| AppError::file(&part, e))?;
            let mut check = PackageCheck::new(&offer.release);
            let on_bytes = |received, total| {
                self.known().download = DownloadState::Running { received, total };
                progress(received, total);
            };
            taccuino_sync_client::download(hub, token, &offer.path, &mut check, &mut file, on_bytes)
                .await
                .map_err(|e| match e {
                    taccuino_sync_client::ClientError::Update(u) => {
                        AppError::Update { reason: u.as_str().into() }
                    }
                    e => client_error(e),
                })?;
            file.sync_all().await.map_err(|e| AppError::file(&part, e))?;
            check.finish().map_err(|u| AppError::Update { reason: u.as_str().into() })?;
            std::fs::rename(&part, &done).map_err(|e| AppError::file(&done, e))
        }
        .await;
        let mut known = self.known();
        match result {
            Ok(()) => {
                known.download = DownloadState::Ready;
                known.ready = Some(done);
            }
            Err(e) => {
                let _ = std::fs::remove_file(&part);
                let reason = match &e {
                    AppError::Update { reason } => reason.clone(),
                    AppError::Offline => "offline".into(),
                    _ => "failed".into(),
                };
                tracing::warn!(error = %e, "the update's download failed");
                known.download = DownloadState::Failed { reason };
                return Err(e);
            }
        }
        drop(known);
        Ok(self.status())
    }

    /// The downloaded package, checked once more against its signed
    /// manifest (it waited on disk), with its format.
    pub fn verified_package(&self) -> AppResult<(PathBuf, PackageFormat)> {
        let (offer, path) = {
            let known = self.known();
            match (&known.offer, &known.ready) {
                (Some(o), Some(p)) => (o.clone(), p.clone()),
                _ => return Err(AppError::Update { reason: "not_downloaded".into() }),
            }
        };
        check_file(&path, &offer.release).map_err(|e| {
            self.known().download = DownloadState::Failed { reason: e.as_str().into() };
            AppError::Update { reason: e.as_str().into() }
        })?;
        Ok((path, offer.release.manifest().format))
    }
}

/// What this build is, for `taccuino --update-info`: its version, the
/// package it was installed from, the release keys it trusts.
pub fn describe_this_build() -> String {
    format!(
        "taccuino {}, installed from {}, trusts release keys: {}",
        taccuino_updates::this_version(),
        installed_from().map(|f| f.as_str()).unwrap_or("no package (built from the sources)"),
        TrustedKeys::built_in().names().join(", ")
    )
}

/// `taccuino --install-update DIR`: installs the release directory `DIR`
/// (as `taccuino-release sign` writes it, and the hub publishes) with the
/// same checks as an update from the hub: signed by a key built into this
/// build, newer than this build, of the package format it was installed
/// from (`format` when given: a build from the sources has none), the
/// package as signed. Then runs the system's installer and waits for it.
/// For an administrator with a release on a USB stick, and for the test of
/// the installed package.
pub fn install_release_dir(dir: &Path, format: Option<PackageFormat>) -> Result<String, String> {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).map_err(|e| format!("{}/{name}: {e}", dir.display()))
    };
    let signed = SignedRelease { manifest: read("release.json")?, signature: read("release.json.minisig")? };
    let refused = |e: UpdateError| format!("refused ({}): {e}; nothing was installed", e.as_str());
    let release = signed.verify(&TrustedKeys::built_in()).map_err(refused)?;
    let format = format
        .or_else(installed_from)
        .ok_or("this build was not installed from a package: give --installed-from")?;
    release.offerable_to(&taccuino_updates::this_version(), format).map_err(refused)?;
    let package = dir.join(&release.manifest().file);
    check_file(&package, &release).map_err(refused)?;
    let (mut command, _) = installer(format, &package);
    let status = command.status().map_err(|e| format!("the installer did not start: {e}"))?;
    if !status.success() {
        return Err(format!("the installer failed ({status})"));
    }
    Ok(format!("installed {} {}", release.manifest().version, format))
}

/// `path` read through and checked against `release`.
fn check_file(path: &Path, release: &Release) -> Result<(), UpdateError> {
    let mut check = PackageCheck::new(release);
    let mut file = std::fs::File::open(path)
        .map_err(|_| UpdateError::Truncated { got: 0, expected: check.expected() })?;
    let mut buf = vec![0; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|_| UpdateError::Truncated { got: check.received(), expected: check.expected() })?;
        if n == 0 {
            break;
        }
        check.update(&buf[..n])?;
    }
    check.finish()
}

/// The package this binary was installed from, as Tauri's bundler marked
/// it; `None` for a build run from the sources.
fn installed_from() -> Option<PackageFormat> {
    use tauri::utils::config::BundleType;
    use tauri::utils::platform::bundle_type;
    match bundle_type()? {
        BundleType::Deb => Some(PackageFormat::Deb),
        BundleType::Rpm => Some(PackageFormat::Rpm),
        BundleType::Nsis => Some(PackageFormat::Nsis),
        // A macOS build runs from its `.app`, installed from the `.dmg`.
        BundleType::App if cfg!(target_os = "macos") => Some(PackageFormat::Dmg),
        _ => None,
    }
}

/// How the system installs `package` of `format`: the command, and whether
/// the app exits at once and lets the installer restart it (Windows) or
/// waits for it and restarts itself (Linux), or only opens it (macOS).
pub fn installer(format: PackageFormat, package: &Path) -> (std::process::Command, Installs) {
    use std::process::Command;
    let root = is_root();
    let elevated = |program: &str| {
        if root {
            Command::new(program)
        } else {
            let mut c = Command::new("pkexec");
            c.arg(program);
            c
        }
    };
    match format {
        PackageFormat::Deb => {
            let mut c = elevated("dpkg");
            c.arg("-i").arg(package);
            (c, Installs::WaitThenRestart)
        }
        PackageFormat::Rpm => {
            let mut c = elevated("rpm");
            c.arg("-U").arg(package);
            (c, Installs::WaitThenRestart)
        }
        // Tauri's per-user installer: passive (a progress bar, no
        // questions), and it starts the app again when done.
        PackageFormat::Nsis => {
            let mut c = Command::new(package);
            c.args(["/P", "/R"]);
            (c, Installs::ExitNow)
        }
        PackageFormat::Dmg => {
            let mut c = Command::new("open");
            c.arg(package);
            (c, Installs::OpenOnly)
        }
    }
}

/// What the app does around its installer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Installs {
    /// Wait for it, then start the new version.
    WaitThenRestart,
    /// Start it and exit: it replaces the running app and starts it again.
    ExitNow,
    /// Open the disk image for the person to drag the app.
    OpenOnly,
}

/// Whether the app runs as root (then `dpkg` needs no `pkexec`). Read from
/// `/proc` to keep `unsafe` out of the app.
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").ok().is_some_and(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(2))
            .is_some_and(|euid| euid == "0")
    })
}

#[cfg(test)]
mod tests {
    use taccuino_updates::{UpdateOffer, testing};

    use super::*;

    /// Updates keeping packages in a directory of its own (the tests below
    /// never tidy it; `tidy` has its own).
    fn updates(format: Option<PackageFormat>) -> Updates {
        let dir = std::env::temp_dir().join("taccuino-updates-unit-tests-never-tidied");
        Updates::new(dir, format, "0.1.0".parse().expect("v"), TrustedKeys::built_in())
    }

    #[tokio::test]
    async fn updates_keeps_only_the_offered_package_and_finds_it_whole_after_a_restart() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("updates");
        std::fs::create_dir_all(dir.join("a directory")).expect("dir");
        let (offered, package) = testing::signed_release("0.2.0", PackageFormat::Deb, b"the package");
        let file = taccuino_updates::Manifest::parse(&offered.manifest).expect("manifest").file;
        for (name, bytes) in [
            (file.as_str(), package.as_slice()),
            ("Taccuino_0.1.5_amd64.deb", b"an older release"),
            ("Taccuino_0.1.5_amd64.deb.part", b"its broken download"),
        ] {
            std::fs::write(dir.join(name), bytes).expect("write");
        }
        let listed = || {
            let mut names: Vec<String> = std::fs::read_dir(&dir)
                .expect("dir")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        // The app restarted: the offer's package, downloaded before, is
        // whole, so it is ready; the others go (not the directory).
        let u = Updates::new(
            dir.clone(),
            Some(PackageFormat::Deb),
            "0.1.0".parse().expect("v"),
            TrustedKeys::built_in(),
        );
        u.learn(info(crdt_sync::sync::PROTOCOL_VERSION, Some(offered.clone())));
        u.tidy().await;
        assert_eq!(listed(), [file.clone(), "a directory".into()]);
        assert_eq!(u.status().download, DownloadState::Ready);
        assert!(u.verified_package().is_ok());
        // A package there but altered is removed, and not ready.
        std::fs::write(dir.join(&file), b"the packagX").expect("alter");
        let u = Updates::new(
            dir.clone(),
            Some(PackageFormat::Deb),
            "0.1.0".parse().expect("v"),
            TrustedKeys::built_in(),
        );
        u.learn(info(crdt_sync::sync::PROTOCOL_VERSION, Some(offered.clone())));
        u.tidy().await;
        assert_eq!(listed(), ["a directory"]);
        assert_eq!(u.status().download, DownloadState::None);
        // Withdrawn (or installed): nothing is offered, nothing is kept.
        std::fs::write(dir.join(&file), &package).expect("write");
        u.tidy().await;
        assert_eq!(u.status().download, DownloadState::Ready);
        u.learn(info(crdt_sync::sync::PROTOCOL_VERSION, None));
        u.tidy().await;
        assert_eq!(listed(), ["a directory"]);
        assert_eq!(u.status().download, DownloadState::None);
        assert!(u.verified_package().is_err());
    }

    fn info(protocol: u16, offer: Option<SignedRelease>) -> UpdateInfo {
        UpdateInfo {
            hub_version: "0.1.0".into(),
            protocol,
            offer: offer.map(|release| UpdateOffer { release, path: "/update/package/0.2.0/deb".into() }),
        }
    }

    #[test]
    fn the_protocols_say_which_side_waits() {
        let ours = crdt_sync::sync::PROTOCOL_VERSION;
        let u = updates(Some(PackageFormat::Deb));
        for (theirs, skew) in
            [(ours, None), (ours + 1, Some(Skew::AppOlder)), (ours - 1, Some(Skew::HubOlder))]
        {
            u.learn(info(theirs, None));
            assert_eq!(u.status().hub.expect("hub").skew, skew, "hub protocol {theirs}");
        }
    }

    #[test]
    fn only_a_verified_newer_release_of_our_format_is_offered() {
        let u = updates(Some(PackageFormat::Deb));
        let (good, _) = testing::signed_release("0.2.0", PackageFormat::Deb, b"package");
        u.learn(info(crdt_sync::sync::PROTOCOL_VERSION, Some(good.clone())));
        assert_eq!(u.status().offer.expect("offer").version, "0.2.0");
        assert_eq!(u.status().refused, None);

        let mut tampered = good.clone();
        tampered.manifest = tampered.manifest.replace("\"size\": 7", "\"size\": 8");
        let (older, _) = testing::signed_release("0.0.9", PackageFormat::Deb, b"package");
        let (rpm, _) = testing::signed_release("0.2.0", PackageFormat::Rpm, b"package");
        for (offer, why) in [(tampered, "bad_signature"), (older, "not_newer"), (rpm, "wrong_format")] {
            u.learn(info(crdt_sync::sync::PROTOCOL_VERSION, Some(offer)));
            let status = u.status();
            assert_eq!(status.offer, None, "{why}");
            assert_eq!(status.refused.as_deref(), Some(why));
        }
        // A build run from the sources is offered nothing.
        let from_sources = updates(None);
        from_sources.learn(info(crdt_sync::sync::PROTOCOL_VERSION, Some(good)));
        assert_eq!(from_sources.status().offer, None);
        assert_eq!(from_sources.status().refused.as_deref(), Some("wrong_format"));
    }

    #[test]
    fn each_format_has_its_installer() {
        let p = Path::new("/tmp/Taccuino_0.2.0_amd64.deb");
        let (deb, how) = installer(PackageFormat::Deb, p);
        let args: Vec<_> = deb.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert!(args.ends_with(&["-i".to_owned(), p.display().to_string()]), "{args:?}");
        assert_eq!(how, Installs::WaitThenRestart);
        let (nsis, how) = installer(PackageFormat::Nsis, Path::new("Taccuino_0.2.0_x64-setup.exe"));
        assert_eq!(nsis.get_args().collect::<Vec<_>>(), ["/P", "/R"]);
        assert_eq!(how, Installs::ExitNow);
    }
}
