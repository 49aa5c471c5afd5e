//! The database file and its SQLite side files (`-wal`, `-shm`), read as raw
//! bytes: what someone who takes the laptop's disk would see.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The suffixes of the files that make up one SQLite database in WAL mode.
pub const SUFFIXES: [&str; 3] = ["", "-wal", "-shm"];

/// `path` with `suffix` appended to its file name (`db` -> `db-wal`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The bytes of the database and of each side file that exists, by suffix.
pub fn read_all(path: &Path) -> BTreeMap<&'static str, Vec<u8>> {
    SUFFIXES
        .iter()
        .filter_map(|suffix| {
            let p = with_suffix(path, suffix);
            match std::fs::read(&p) {
                Ok(bytes) => Some((*suffix, bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => panic!("cannot read {}: {e}", p.display()),
            }
        })
        .collect()
}

/// A SHA-256 of the database and of each side file that exists, by suffix:
/// equal before and after exactly when no file was created, removed or
/// changed.
pub fn digests(path: &Path) -> BTreeMap<&'static str, String> {
    read_all(path)
        .into_iter()
        .map(|(suffix, bytes)| {
            (suffix, Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<String>())
        })
        .collect()
}

/// Whether `needle` occurs in `haystack`, ignoring ASCII case (the full-text
/// index stores names lowercased, so a case-sensitive search could miss a leak).
pub fn contains_ignoring_case(haystack: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return true;
    }
    let needle = needle.to_ascii_lowercase();
    haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(&needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_needles_in_any_case() {
        assert!(contains_ignoring_case(b"xx zebedeo yy", b"Zebedeo"));
        assert!(contains_ignoring_case(b"ZEBEDEO", b"zebedeo"));
        assert!(!contains_ignoring_case(b"zebede", b"zebedeo"));
    }

    #[test]
    fn side_files_sit_next_to_the_database() {
        assert_eq!(with_suffix(Path::new("/tmp/a.db"), "-wal"), PathBuf::from("/tmp/a.db-wal"));
    }
}
