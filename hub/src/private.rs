//! Keeping the data directory private: the directory and `tls/` 0700, every
//! file the hub keeps 0600. Files are created by several hands (SQLite and
//! SQLCipher, the TLS module, the key files), some with the process's umask;
//! the directory being 0700 is what keeps others out from the first byte,
//! and [`tighten`] then brings each file to 0600 (a copy of a file keeps its
//! mode, so a loose file would leak through a backup). A directory found
//! looser than that (made by hand, or by a version before this one) is
//! tightened with a warning, or only warned about when that fails.

use std::path::Path;

use crate::error::{HubError, Result};

/// Creates `dir` (and its parents) if needed, and makes it 0700.
pub fn create_dir(dir: &Path) -> Result<()> {
    let io = |source| HubError::Io { path: dir.to_owned(), source };
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(io)?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir).map_err(io)?;
    tighten_one(dir, true);
    Ok(())
}

/// Brings `root`, its `tls/` directory and every file directly in them to
/// 0700 (directories) and 0600 (files). What could not be tightened is
/// logged; nothing here fails the command.
pub fn tighten(root: &Path) {
    for dir in [root.to_owned(), root.join("tls")] {
        if !dir.is_dir() {
            continue;
        }
        tighten_one(&dir, true);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                tighten_one(&entry.path(), false);
            }
        }
    }
}

#[cfg(unix)]
fn tighten_one(path: &Path, dir: bool) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else { return };
    let mode = meta.permissions().mode() & 0o777;
    let want = if dir { 0o700 } else { 0o600 };
    if mode & 0o077 == 0 {
        return;
    }
    match std::fs::set_permissions(path, std::fs::Permissions::from_mode(want)) {
        Ok(()) => tracing::warn!(
            path = %path.display(),
            was = format!("{mode:o}"),
            "was readable by other users: tightened to {want:o}"
        ),
        Err(e) => tracing::warn!(
            path = %path.display(),
            mode = format!("{mode:o}"),
            error = %e,
            "is readable by other users and could not be tightened: fix its permissions"
        ),
    }
}

#[cfg(not(unix))]
fn tighten_one(_path: &Path, _dir: bool) {}

/// The mode bits of `path`.
#[cfg(all(test, unix))]
fn mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o777)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn loose_directories_and_files_are_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("dir");
        let root = tmp.path().join("hub");
        create_dir(&root.join("tls")).expect("create");
        assert_eq!(mode(&root.join("tls")), Some(0o700));
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).expect("loosen");
        std::fs::write(root.join("hub.db"), b"x").expect("write");
        std::fs::write(root.join("tls/key.pem"), b"x").expect("write");
        std::fs::set_permissions(root.join("hub.db"), std::fs::Permissions::from_mode(0o644)).expect("chmod");
        tighten(&root);
        assert_eq!(mode(&root), Some(0o700));
        assert_eq!(mode(&root.join("hub.db")), Some(0o600));
        assert_eq!(mode(&root.join("tls/key.pem")), Some(0o600));
    }
}
