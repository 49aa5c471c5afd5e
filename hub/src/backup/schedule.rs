//! Scheduled backups: `[backup]` in the configuration file makes the
//! serving hub write a backup into a directory every so many hours and keep
//! the newest few. Each is an ordinary backup (`backup::make`), without the
//! hub's key; the time of the last one is in `backup.stamp`, which the
//! metrics report as the backup's age.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::{Made, STAMP, make};
use crate::data_dir::DataDir;
use crate::error::{HubError, Result};
use crate::private;

/// How long the hub waits after a failed scheduled backup before it tries
/// again (the error is in the log; the backup's age keeps growing).
const RETRY_AFTER: Duration = Duration::from_secs(15 * 60);

/// Backups' names: `taccuino-hub-20261206T153000Z.backup`. Only files named
/// so are ever removed from the directory.
const PREFIX: &str = "taccuino-hub-";
const SUFFIX: &str = ".backup";

/// `[backup]` in the configuration file.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Where backups go: another disk, or a mounted share.
    pub dir: PathBuf,
    /// Hours between two backups (1–720).
    #[serde(default = "Schedule::default_every_hours")]
    pub every_hours: u32,
    /// How many backups are kept (at least 1); older ones are removed.
    #[serde(default = "Schedule::default_keep")]
    pub keep: u32,
}

impl Schedule {
    fn default_every_hours() -> u32 {
        24
    }

    fn default_keep() -> u32 {
        14
    }

    /// The schedule, or why it cannot be followed.
    pub fn checked(self) -> Result<Schedule> {
        if !(1..=720).contains(&self.every_hours) {
            return Err(HubError::Usage(format!(
                "[backup] every_hours = {}: give 1 to 720",
                self.every_hours
            )));
        }
        if self.keep == 0 {
            return Err(HubError::Usage(
                "[backup] keep = 0 would remove every backup: give 1 or more".into(),
            ));
        }
        Ok(self)
    }

    fn every(&self) -> Duration {
        Duration::from_secs(u64::from(self.every_hours) * 3600)
    }
}

/// Writes a backup whenever one is due, for as long as the task runs (it
/// ends with the hub's runtime). The first is due at once if the data
/// directory records none, or none as recent as the schedule asks.
pub async fn run(dir: DataDir, schedule: Schedule) {
    loop {
        tokio::time::sleep(until_due(&dir, &schedule)).await;
        let (d, s) = (dir.clone(), schedule.clone());
        match tokio::task::spawn_blocking(move || once(&d, &s)).await {
            Ok(Ok(made)) => {
                tracing::info!(path = %made.path.display(), bytes = made.bytes, "scheduled backup written");
                continue;
            }
            Ok(Err(e)) => tracing::error!(error = %e, "the scheduled backup failed"),
            Err(e) => tracing::error!(error = %e, "the scheduled backup stopped"),
        }
        tokio::time::sleep(RETRY_AFTER).await;
    }
}

/// How long until the next backup is due, from the last one's stamp.
fn until_due(dir: &DataDir, schedule: &Schedule) -> Duration {
    let last = std::fs::metadata(dir.path(STAMP)).and_then(|m| m.modified());
    match last.ok().and_then(|t| t.elapsed().ok()) {
        Some(since) => schedule.every().saturating_sub(since),
        None => Duration::ZERO,
    }
}

/// One scheduled backup, then the oldest beyond `keep` removed.
pub fn once(dir: &DataDir, schedule: &Schedule) -> Result<Made> {
    private::create_dir(&schedule.dir)?;
    let name = format!("{PREFIX}{}{SUFFIX}", chrono::Utc::now().format("%Y%m%dT%H%M%SZ"));
    let made = make(dir, &schedule.dir.join(name), None)?;
    prune(&schedule.dir, schedule.keep as usize)?;
    Ok(made)
}

/// Removes all but the newest `keep` backups in `dir` (by the time in
/// their names); other files are left alone.
fn prune(dir: &Path, keep: usize) -> Result<()> {
    let io = |source| HubError::Io { path: dir.to_owned(), source };
    let mut backups: Vec<String> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| is_backup_name(name))
        .collect();
    backups.sort_unstable_by(|a, b| b.cmp(a));
    for old in backups.iter().skip(keep) {
        let path = dir.join(old);
        std::fs::remove_file(&path).map_err(|source| HubError::Io { path: path.clone(), source })?;
        tracing::info!(path = %path.display(), "an old backup removed");
    }
    Ok(())
}

fn is_backup_name(name: &str) -> bool {
    let Some(stamp) = name.strip_prefix(PREFIX).and_then(|n| n.strip_suffix(SUFFIX)) else {
        return false;
    };
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_backups_named_as_the_schedule_names_them_are_pruned() {
        assert!(is_backup_name("taccuino-hub-20261206T153000Z.backup"));
        for other in ["taccuino-hub-latest.backup", "hub.backup", "taccuino-hub-20261206T153000Z.backup.txt"]
        {
            assert!(!is_backup_name(other), "{other}");
        }
        let dir = tempfile::tempdir().expect("dir");
        for name in [
            "taccuino-hub-20250101T000000Z.backup",
            "taccuino-hub-20260101T000000Z.backup",
            "taccuino-hub-20240101T000000Z.backup",
            "mine.backup",
        ] {
            std::fs::write(dir.path().join(name), b"x").expect("write");
        }
        prune(dir.path(), 2).expect("prune");
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("read")
            .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["mine.backup", "taccuino-hub-20250101T000000Z.backup", "taccuino-hub-20260101T000000Z.backup"]
        );
    }

    #[test]
    fn a_schedule_that_cannot_be_followed_is_refused() {
        let s = |every_hours, keep| Schedule { dir: "/b".into(), every_hours, keep }.checked();
        assert!(s(24, 14).is_ok());
        assert!(s(0, 14).is_err());
        assert!(s(721, 14).is_err());
        assert!(s(24, 0).expect_err("keep 0").to_string().contains("keep = 0"));
    }
}
