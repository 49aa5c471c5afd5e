//! `taccuino-release`: signs a release of the app, on the release
//! manager's machine, never on the hub.
//!
//! ```text
//! taccuino-release keygen --out DIR --name taccuino-release-3
//! taccuino-release sign --key taccuino-release-1.key --version 0.2.0 \
//!     --package target/release/bundle/deb/Taccuino_0.2.0_amd64.deb --out release-0.2.0-deb
//! taccuino-release verify release-0.2.0-deb
//! ```
//!
//! `sign` writes a release directory: `release.json` (the manifest),
//! `release.json.minisig` (its signature) and the package. The hub's
//! administrator publishes that directory (`taccuino-hub release publish`).
//! The passphrase of an encrypted key is asked on the terminal, or read
//! from `TACCUINO_RELEASE_PASSPHRASE`.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use sha2::{Digest, Sha256};
use taccuino_updates::{Manifest, Notes, PRODUCT, PackageFormat, SignedRelease, TrustedKeys};

/// The manifest's file name in a release directory.
const MANIFEST: &str = "release.json";
/// Its signature's.
const SIGNATURE: &str = "release.json.minisig";
/// Where the passphrase may come from instead of the terminal.
const PASSPHRASE_ENV: &str = "TACCUINO_RELEASE_PASSPHRASE";

#[derive(Parser)]
#[command(name = "taccuino-release", version, about = "Signs releases of Taccuino, off the hub")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Makes a release key pair: NAME.key (secret, passphrase-encrypted;
    /// keep it offline) and NAME.pub (public; goes into updates/keys/).
    Keygen {
        /// Where to write the two files.
        #[arg(long)]
        out: PathBuf,
        /// The key's name, e.g. taccuino-release-3.
        #[arg(long)]
        name: String,
        /// Leave the secret key unencrypted (only for test keys).
        #[arg(long)]
        unencrypted: bool,
    },
    /// Signs a package as a release and writes the release directory.
    Sign {
        /// The secret key.
        #[arg(long)]
        key: PathBuf,
        /// The package (.deb, .rpm, the NSIS .exe, .dmg).
        #[arg(long)]
        package: PathBuf,
        /// The app's version in the package; its file name must contain it.
        #[arg(long)]
        version: String,
        /// The package's format; from its file name's ending if omitted.
        #[arg(long)]
        format: Option<String>,
        /// What changed, in Italian.
        #[arg(long, default_value = "")]
        notes_it: String,
        /// What changed, in English.
        #[arg(long, default_value = "")]
        notes_en: String,
        /// The release directory to write (new or empty).
        #[arg(long)]
        out: PathBuf,
    },
    /// Checks a release directory as the hub and the app will: the
    /// signature against the keys built into this build, the package
    /// against the manifest.
    Verify {
        /// The release directory.
        dir: PathBuf,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Keygen { out, name, unencrypted } => keygen(&out, &name, unencrypted),
        Command::Sign { key, package, version, format, notes_it, notes_en, out } => {
            sign(&key, &package, &version, format.as_deref(), Notes { it: notes_it, en: notes_en }, &out)
        }
        Command::Verify { dir } => {
            let (signed, package) = read_release(&dir)?;
            let release = signed.verify(&TrustedKeys::built_in())?;
            let mut check = taccuino_updates::PackageCheck::new(&release);
            let mut file =
                fs::File::open(&package).with_context(|| format!("reading {}", package.display()))?;
            let mut buf = vec![0; 1 << 20];
            loop {
                let n = file.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                check.update(&buf[..n])?;
            }
            check.finish()?;
            let m = release.manifest();
            println!(
                "{} {} {} ({} bytes): signature and package verified",
                PRODUCT, m.version, m.format, m.size
            );
            Ok(())
        }
    }
}

fn passphrase(prompt: &str, twice: bool) -> Result<String> {
    if let Ok(p) = std::env::var(PASSPHRASE_ENV) {
        return Ok(p);
    }
    let first = rpassword::prompt_password(prompt)?;
    if twice && rpassword::prompt_password("Again: ")? != first {
        bail!("the two passphrases differ");
    }
    if first.chars().count() < 12 {
        bail!("a release key's passphrase needs at least 12 characters");
    }
    Ok(first)
}

fn keygen(out: &Path, name: &str, unencrypted: bool) -> Result<()> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        bail!("key name {name:?}: letters, digits and '-'");
    }
    fs::create_dir_all(out)?;
    let (sk_path, pk_path) = (out.join(format!("{name}.key")), out.join(format!("{name}.pub")));
    for p in [&sk_path, &pk_path] {
        if p.exists() {
            bail!("{} exists: a key is never overwritten", p.display());
        }
    }
    let pair = if unencrypted {
        minisign::KeyPair::generate_unencrypted_keypair()?
    } else {
        minisign::KeyPair::generate_encrypted_keypair(Some(passphrase(
            "Passphrase for the new key: ",
            true,
        )?))?
    };
    let comment = format!("taccuino release key {name}");
    fs::write(&sk_path, pair.sk.to_box(Some(&comment))?.to_string())?;
    fs::write(&pk_path, pair.pk.to_box()?.to_string())?;
    println!("secret key {} (keep it offline)", sk_path.display());
    println!("public key {} (copy it into updates/keys/)", pk_path.display());
    Ok(())
}

fn sign(
    key: &Path,
    package: &Path,
    version: &str,
    format: Option<&str>,
    notes: Notes,
    out: &Path,
) -> Result<()> {
    let file =
        package.file_name().and_then(|n| n.to_str()).context("the package needs a file name")?.to_owned();
    let format = match format {
        Some(f) => PackageFormat::parse(f).with_context(|| format!("format {f:?}: deb, rpm, nsis or dmg"))?,
        None => PackageFormat::ALL
            .into_iter()
            .find(|f| file.ends_with(f.extension()))
            .with_context(|| format!("{file}: give --format"))?,
    };
    if !file.contains(version) {
        bail!("{file} does not carry version {version} in its name: is it the right package?");
    }
    let bytes = fs::read(package).with_context(|| format!("reading {}", package.display()))?;
    let manifest = Manifest {
        product: PRODUCT.into(),
        version: version.into(),
        format,
        file: file.clone(),
        size: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(&bytes)),
        protocol: crdt_sync::sync::PROTOCOL_VERSION,
        signed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        notes,
    };
    let json = manifest.to_json();
    // Refuse to sign what the app would refuse to read.
    Manifest::parse(&json)?;
    let boxed = minisign::SecretKeyBox::from_string(&fs::read_to_string(key)?)?;
    let secret = match boxed.clone().into_unencrypted_secret_key() {
        Ok(sk) if !sk.is_encrypted() => sk,
        _ => boxed.into_secret_key(Some(passphrase("Passphrase of the release key: ", false)?))?,
    };
    let trusted = format!("taccuino {version} {format} {file}");
    let signature = minisign::sign(None, &secret, json.as_bytes(), Some(&trusted), None)?.to_string();
    if out.exists() && fs::read_dir(out)?.next().is_some() {
        bail!("{} is not empty", out.display());
    }
    fs::create_dir_all(out)?;
    fs::write(out.join(MANIFEST), &json)?;
    fs::write(out.join(SIGNATURE), &signature)?;
    fs::write(out.join(&file), &bytes)?;
    let signed = SignedRelease { manifest: json, signature };
    match signed.verify(&TrustedKeys::built_in()) {
        Ok(_) => println!("signed {file} as {version} in {}", out.display()),
        Err(e) => println!(
            "signed {file} as {version} in {}; note: this build does not trust the key ({e}): add its public key to updates/keys/",
            out.display()
        ),
    }
    Ok(())
}

/// The signed manifest and the package's path in a release directory.
fn read_release(dir: &Path) -> Result<(SignedRelease, PathBuf)> {
    let manifest =
        fs::read_to_string(dir.join(MANIFEST)).with_context(|| format!("{}/{MANIFEST}", dir.display()))?;
    let signature =
        fs::read_to_string(dir.join(SIGNATURE)).with_context(|| format!("{}/{SIGNATURE}", dir.display()))?;
    let file = Manifest::parse(&manifest)?.file;
    Ok((SignedRelease { manifest, signature }, dir.join(file)))
}
