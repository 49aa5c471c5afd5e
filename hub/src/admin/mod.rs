//! Administration that writes the register: adding a lab, importing a
//! bundle, erasing families due under the retention policy.
//!
//! Each command is one [`Request`], carried out by [`execute`] on the
//! register and the registry, with the same checks wherever it runs:
//!
//! - the hub is stopped: the command line takes the data directory's lock
//!   and runs it on the files itself;
//! - the hub serves: the command line sends the request over the hub's
//!   administration socket (`admin.sock` in the data directory, see
//!   [`socket`]), and the running hub runs it in its own turn at the store,
//!   between two syncs' turns, on the register it holds in memory.
//!
//! A second process writing the register behind the running hub's back was
//! never an option: the hub holds its documents in memory and would
//! overwrite what it did not see (decision 0028).

pub mod socket;

use chrono::NaiveDate;
use crdt_sync::sync::bundle;
use crdt_sync::{ProjectSettings, Replication, Retention, Store, VolunteerRegister};
use serde::{Deserialize, Serialize};

use crate::directory::Reconciler;
use crate::error::{HubError, Result};
use crate::registry::Registry;

/// One administration command that writes the register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Request {
    /// `add-lab`: a new lab, with the project's default activity types if
    /// it has none yet.
    AddLab {
        /// 1–99.
        number: u8,
        /// Its name.
        name: String,
        /// Its address.
        address: String,
        /// The partner organisation that runs it.
        partner: String,
    },
    /// `add-organisation`: a partner organisation, listed in the project
    /// document (its coordinators are enrolled with `--organisation`).
    AddOrganisation {
        /// Its name.
        name: String,
    },
    /// `import`: a sync bundle, whose bytes follow the request on the
    /// socket.
    Import {
        /// The file's name, for the messages.
        file: String,
    },
    /// `retention --erase`: families due for erasure, by code.
    Erase {
        /// The codes, as `retention` lists them; all must still be due.
        codes: Vec<String>,
    },
}

/// What a command printed: lines for standard output, lines for standard
/// error (refusals of single documents that did not stop the command).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// For standard output.
    pub out: Vec<String>,
    /// For standard error.
    pub err: Vec<String>,
}

impl Outcome {
    fn line(line: String) -> Outcome {
        Outcome { out: vec![line], err: Vec::new() }
    }
}

/// Carries out `request` (with `payload`, a bundle's bytes) on the register
/// and the registry. `reconciler` keeps the register's device directory in
/// step with the registry (the running hub's own; a new one on the command
/// line). `today` decides which families are due.
pub fn execute(
    request: &Request,
    payload: &[u8],
    store: &mut Store,
    registry: &mut Registry,
    reconciler: &mut Reconciler,
    today: NaiveDate,
) -> Result<Outcome> {
    match request {
        Request::AddLab { number, name, address, partner } => {
            let number = *number;
            if !(1..=99).contains(&number) {
                return Err(HubError::Usage(format!("lab number {number}: give 1 to 99")));
            }
            if store.labs()?.iter().any(|l| l.number == number) {
                return Err(HubError::Usage(format!("lab {number} already exists")));
            }
            let new = crdt_sync::NewLab {
                number,
                name: name.clone(),
                address: address.clone(),
                partner: partner.clone(),
            };
            let id = store.in_one_transaction(|store| {
                if store.activity_types()?.is_empty() {
                    for t in crdt_sync::ActivityType::defaults() {
                        store.put_activity_type(t)?;
                    }
                }
                store.create_lab(new)
            })?;
            Ok(Outcome::line(format!("lab {number} added ({id})")))
        }
        Request::AddOrganisation { name } => {
            if let Some(o) =
                store.organisations()?.into_iter().find(|o| o.name.eq_ignore_ascii_case(name.trim()))
            {
                return Err(HubError::Usage(format!("{} is already listed ({})", o.name, o.id)));
            }
            let id = store.add_organisation(name)?;
            Ok(Outcome::line(format!("organisation {} added ({id})", name.trim())))
        }
        Request::Import { file } => {
            let lab = bundle::claimed_lab(payload)?;
            let opened = crate::import::open_bundle(registry, payload).map_err(|e| match e {
                HubError::BundleRefused { reason } => {
                    HubError::BundleRefused { reason: format!("{file} refused: {reason}") }
                }
                e => e,
            })?;
            // The registry's facts about devices, into the register, before
            // the bundle's changes are judged by them.
            reconciler.reconcile(store, registry)?;
            let imported = opened.apply_as_lab(store, lab)?;
            let mut outcome = Outcome::line(format!(
                "{file}: {} documents changed, {} already up to date, {} not this lab's (skipped)",
                imported.changed.len(),
                imported.unchanged.len(),
                imported.skipped.len()
            ));
            outcome.err = imported.refused.iter().map(|(doc, why)| format!("refused {doc}: {why}")).collect();
            Ok(outcome)
        }
        Request::Erase { codes } => {
            if codes.is_empty() {
                return Err(HubError::Usage("name the families to erase".into()));
            }
            let due = store.retention_due(today)?;
            let mut ids = Vec::new();
            for code in codes {
                let found = due.iter().find(|d| d.code.eq_ignore_ascii_case(code.trim()));
                let found = found.ok_or_else(|| HubError::Usage(format!("{code} is not due for erasure")))?;
                ids.push(found.household);
            }
            let erased = store.erase_due(today, &ids, None)?;
            Ok(Outcome {
                out: erased.into_iter().map(|t| format!("erased {}", t.code)).collect(),
                err: Vec::new(),
            })
        }
    }
}
