//! Durable small files: written whole or not at all.

use std::io::Write;
use std::path::Path;

use crate::error::{AppError, AppResult};

/// Writes `bytes` to `path` through a temporary file in the same directory,
/// fsynced and renamed over the old file, then fsyncs the directory: a
/// crash leaves either the old content or the new, never half of it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> AppResult<()> {
    let dir = path.parent().ok_or_else(|| AppError::file(path, "no parent directory"))?;
    std::fs::create_dir_all(dir).map_err(|e| AppError::file(dir, e))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut f = std::fs::File::create(&tmp).map_err(|e| AppError::file(&tmp, e))?;
    f.write_all(bytes).map_err(|e| AppError::file(&tmp, e))?;
    f.sync_all().map_err(|e| AppError::file(&tmp, e))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| AppError::file(path, e))?;
    if let Ok(d) = std::fs::File::open(dir) {
        // Best effort: not every platform can fsync a directory.
        let _ = d.sync_all();
    }
    Ok(())
}
