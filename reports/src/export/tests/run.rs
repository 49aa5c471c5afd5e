//! What every export does whatever its format: progress, cancellation, the
//! audit log, the checks of its options.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{export, options, pseudo};
use crate::Error;
use crate::export::{self, Format, Privacy, Progress, Stage};
use crdt_sync::testing::register as fixture;
use crdt_sync::{AuditAction, AuditLog, Keyed, Labs, Selection};

#[test]
fn progress_only_grows_and_ends_done() {
    let (mut a, _) = fixture::build();
    let seen: RefCell<Vec<Progress>> = RefCell::new(Vec::new());
    let sel = Selection::all_labs(fixture::period());
    for format in [Format::Csv, Format::CsvZip, Format::Xlsx, Format::PdfMonths] {
        seen.borrow_mut().clear();
        let opts = options(sel.clone(), format, pseudo());
        export::run(&mut a, &opts, &|p| seen.borrow_mut().push(p), &AtomicBool::new(false)).expect("export");
        let seen = seen.borrow();
        assert_eq!(seen.first().map(|p| p.stage), Some(Stage::Reading), "{format:?}");
        let last = seen.last().expect("reports");
        assert_eq!((last.stage, last.done), (Stage::Done, last.total), "{format:?}");
        assert!(seen.windows(2).all(|w| w[0].done <= w[1].done), "{format:?}: {seen:?}");
        assert!(seen.iter().all(|p| p.done <= p.total), "{format:?}: {seen:?}");
    }
}

#[test]
fn a_cancelled_export_returns_nothing_and_logs_nothing() {
    let (mut a, _) = fixture::build();
    let opts = options(Selection::all_labs(fixture::period()), Format::Xlsx, Privacy::Full);
    let cancel = AtomicBool::new(true);
    let err = export::run(&mut a, &opts, &|_| {}, &cancel).expect_err("cancelled before it starts");
    assert!(matches!(err, Error::Cancelled), "{err}");
    // Cancelled from the progress callback, as a Cancel button on another
    // thread would, once reading has started.
    let cancel = AtomicBool::new(false);
    let err = export::run(&mut a, &opts, &|_| cancel.store(true, Ordering::Relaxed), &cancel)
        .expect_err("cancelled while running");
    assert!(matches!(err, Error::Cancelled), "{err}");
    assert!(a.audit_log(10).expect("audit log").is_empty());
}

#[test]
fn every_export_is_audited_and_a_full_one_is_marked() {
    let (mut a, f) = fixture::build();
    let sel = Selection::lab(f.lab1, fixture::period());
    export(&mut a, &options(sel.clone(), Format::CsvZip, pseudo()));
    export(&mut a, &options(sel, Format::Xlsx, Privacy::Full));
    let log = a.audit_log(10).expect("audit log");
    assert_eq!(log.len(), 2);
    let (full, pseudo) = (&log[0], &log[1]);
    assert_eq!(full.action, AuditAction::FullExport.key());
    assert_eq!(pseudo.action, AuditAction::Export.key());
    assert_eq!(full.device, a.device());
    assert!(full.at >= pseudo.at);
    let d = &full.details;
    assert_eq!(d["options"]["privacy"], "full");
    assert_eq!(d["options"]["format"], "xlsx");
    assert_eq!(d["options"]["language"], "it");
    assert_eq!(d["options"]["selection"]["period"]["from"], "2025-01-01");
    assert_eq!(d["options"]["selection"]["labs"]["only"][0], f.lab1.to_string());
    assert_eq!(d["files"][0], "registro_2025-01-01_2026-01-31.xlsx");
    assert_eq!(pseudo.details["options"]["privacy"], "pseudonymised");
    // The key's fingerprint, never the key or its bytes.
    assert_eq!(pseudo.details["pseudonym_key"], super::key().fingerprint().as_str());
    assert!(d.get("pseudonym_key").is_none(), "a full export uses no key");
    let text = pseudo.details.to_string();
    assert!(!text.contains(super::key().to_text().as_str()), "{text}");
    assert!(pseudo.details["rows"].as_u64().is_some_and(|n| n > 0));
}

#[test]
fn unknown_labs_and_backward_periods_are_refused() {
    let (mut a, _) = fixture::build();
    let unknown = Selection {
        labs: Labs::Only([crdt_sync::LabId(uuid::Uuid::from_u128(5))].into()),
        period: fixture::period(),
    };
    let err = export::run(&mut a, &options(unknown, Format::Csv, pseudo()), &|_| {}, &Default::default())
        .expect_err("unknown lab");
    assert!(matches!(err, Error::Register(crdt_sync::Error::NotFound { what: "lab", .. })), "{err}");
    let mut backwards = Selection::all_labs(fixture::period());
    std::mem::swap(&mut backwards.period.from, &mut backwards.period.to);
    let err = export::run(&mut a, &options(backwards, Format::Csv, pseudo()), &|_| {}, &Default::default())
        .expect_err("backwards");
    assert!(matches!(err, Error::Register(crdt_sync::Error::Invalid { field: "period.to", .. })), "{err}");
}
