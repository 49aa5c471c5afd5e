//! Where the user wants a file: the native dialogs in the app, a fixed
//! answer in the tests. Commands ask through [`FileChooser`], so a test can
//! run an export or a bundle import through the real command without a
//! window to click in.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;

use crate::error::{AppError, AppResult};

/// Asks the user for a path; `Ok(None)` when they close the dialog.
pub trait FileChooser: Send + Sync {
    /// A file to write, suggesting `name`.
    fn save_file(&self, name: &str) -> AppResult<Option<PathBuf>>;
    /// A folder to write several files into.
    fn pick_folder(&self) -> AppResult<Option<PathBuf>>;
    /// A file to read.
    fn pick_file(&self) -> AppResult<Option<PathBuf>>;
}

/// The chooser commands use: the one managed by the app if any (tests
/// manage a [`Fixed`] one), else the native dialogs.
pub fn chooser<R: Runtime>(app: &AppHandle<R>) -> Box<dyn FileChooser + '_> {
    match app.try_state::<Fixed>() {
        Some(fixed) => Box::new(fixed.inner().clone()),
        None => Box::new(Native(app)),
    }
}

struct Native<'a, R: Runtime>(&'a AppHandle<R>);

fn path(p: tauri_plugin_dialog::FilePath) -> AppResult<PathBuf> {
    p.into_path().map_err(|e| AppError::File { detail: e.to_string() })
}

impl<R: Runtime> FileChooser for Native<'_, R> {
    fn save_file(&self, name: &str) -> AppResult<Option<PathBuf>> {
        self.0.dialog().file().set_file_name(name).blocking_save_file().map(path).transpose()
    }
    fn pick_folder(&self) -> AppResult<Option<PathBuf>> {
        self.0.dialog().file().blocking_pick_folder().map(path).transpose()
    }
    fn pick_file(&self) -> AppResult<Option<PathBuf>> {
        self.0.dialog().file().blocking_pick_file().map(path).transpose()
    }
}

/// A chooser that gives the answer the test set last (`None`: the user
/// closed the dialog). A file name asked for is joined to a folder answer.
#[derive(Clone, Debug, Default)]
pub struct Fixed(Arc<Mutex<Option<PathBuf>>>);

impl Fixed {
    /// What the next dialogs answer.
    pub fn answer(&self, path: Option<PathBuf>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = path;
    }

    fn get(&self) -> Option<PathBuf> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl FileChooser for Fixed {
    fn save_file(&self, name: &str) -> AppResult<Option<PathBuf>> {
        Ok(self.get().map(|p| if p.is_dir() { p.join(name) } else { p }))
    }
    fn pick_folder(&self) -> AppResult<Option<PathBuf>> {
        Ok(self.get())
    }
    fn pick_file(&self) -> AppResult<Option<PathBuf>> {
        Ok(self.get())
    }
}
