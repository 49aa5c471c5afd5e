//! The areas of the nomenclature and the activity types' mapping to them
//! (issue 15, decision 0032): validation, the projection, removal, and two
//! coordinators' laptops that disagree.

use crate::domain::NomenclatureArea;
use crate::error::Error;
use crate::store::{Maintenance, ProjectSettings, Replication, Store};
use crate::testing::one_family::{copy_all, lab, store};

fn area(code: &str, name: &str) -> NomenclatureArea {
    NomenclatureArea { code: code.into(), name: name.into() }
}

fn mapped(s: &Store, key: &str) -> Option<String> {
    let types = s.activity_types().expect("types");
    types.into_iter().find(|t| t.key == key).expect("type").nomenclature
}

fn invalid_field(r: crate::error::Result<()>) -> &'static str {
    match r {
        Err(Error::Invalid { field, .. }) => field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn a_project_without_areas_reads_every_type_as_not_mapped() {
    let mut s = store(1);
    lab(&mut s, 1);
    assert!(s.nomenclature_areas().expect("areas").is_empty());
    assert!(s.activity_types().expect("types").iter().all(|t| t.nomenclature.is_none()));
}

#[test]
fn areas_are_checked_mapped_renamed_and_projected_as_a_rebuild_would() {
    let mut s = store(1);
    lab(&mut s, 1);
    s.put_nomenclature_area(area(" A1 ", " Famiglia e minori ")).expect("A1");
    s.put_nomenclature_area(area("D2", "Povertà e disagio adulto")).expect("D2");
    assert_eq!(
        s.nomenclature_areas().expect("areas"),
        vec![area("A1", "Famiglia e minori"), area("D2", "Povertà e disagio adulto")]
    );
    // Bad input: a clear field, and nothing stored.
    assert_eq!(invalid_field(s.put_nomenclature_area(area("", "x"))), "nomenclature.code");
    assert_eq!(invalid_field(s.put_nomenclature_area(area(&"X".repeat(17), "x"))), "nomenclature.code");
    assert_eq!(invalid_field(s.put_nomenclature_area(area("B\t1", "x"))), "nomenclature.code");
    assert_eq!(invalid_field(s.put_nomenclature_area(area("B1", "  "))), "nomenclature.name");
    assert_eq!(s.nomenclature_areas().expect("areas").len(), 2);

    s.set_activity_nomenclature("family_tutoring", Some("A1")).expect("map");
    s.set_activity_nomenclature("parenting_support", Some(" A1")).expect("map, trimmed");
    s.set_activity_nomenclature("open_lab", Some("D2")).expect("map");
    assert_eq!(mapped(&s, "family_tutoring").as_deref(), Some("A1"));
    assert_eq!(mapped(&s, "parenting_support").as_deref(), Some("A1"));
    assert_eq!(mapped(&s, "self_care"), None);
    assert!(matches!(
        s.set_activity_nomenclature("open_lab", Some("Z9")),
        Err(Error::NotFound { what: "nomenclature_area", .. })
    ));
    assert!(matches!(
        s.set_activity_nomenclature("no_such_type", Some("A1")),
        Err(Error::NotFound { what: "activity_type", .. })
    ));
    assert_eq!(mapped(&s, "open_lab").as_deref(), Some("D2"), "a refused mapping changes nothing");

    // Relabelling a type keeps its mapping; renaming an area keeps its code.
    let mut t = s.activity_types().expect("types").into_iter().find(|t| t.key == "open_lab").expect("t");
    t.label_it = "Laboratorio aperto a tutti".into();
    t.nomenclature = None;
    s.put_activity_type(t).expect("relabel");
    assert_eq!(mapped(&s, "open_lab").as_deref(), Some("D2"));
    s.put_nomenclature_area(area("D2", "Povertà")).expect("rename");
    assert_eq!(s.nomenclature_areas().expect("areas")[1], area("D2", "Povertà"));

    // Unmapping deletes the key: the type reads as before issue 15.
    s.set_activity_nomenclature("parenting_support", None).expect("unmap");
    assert_eq!(mapped(&s, "parenting_support"), None);

    let incremental = s.projection_dump().expect("dump");
    assert!(incremental.iter().any(|r| r.starts_with("nomenclature_areas|") && r.contains("Povertà")));
    s.rebuild_projection().expect("rebuild");
    assert_eq!(s.projection_dump().expect("dump"), incremental);
    assert_eq!(s.check_projection().expect("check"), 0);
}

#[test]
fn removing_an_area_unmaps_its_types_in_the_same_change() {
    let mut s = store(1);
    lab(&mut s, 1);
    s.put_nomenclature_area(area("A1", "Famiglia e minori")).expect("A1");
    s.put_nomenclature_area(area("D2", "Povertà")).expect("D2");
    s.set_activity_nomenclature("family_tutoring", Some("A1")).expect("map");
    s.set_activity_nomenclature("parenting_support", Some("A1")).expect("map");
    s.set_activity_nomenclature("open_lab", Some("D2")).expect("map");
    let heads = s.heads(crate::doc::DocRef::project(s.project())).expect("heads");

    let unmapped = s.remove_nomenclature_area("A1").expect("remove");
    assert_eq!(unmapped, vec!["family_tutoring".to_owned(), "parenting_support".to_owned()]);
    assert_eq!(s.nomenclature_areas().expect("areas"), vec![area("D2", "Povertà")]);
    assert_eq!(mapped(&s, "family_tutoring"), None);
    assert_eq!(mapped(&s, "open_lab").as_deref(), Some("D2"), "another area's types stay");
    let doc = crate::doc::DocRef::project(s.project());
    let d = automerge::Automerge::load(&s.export_doc(doc).expect("export")).expect("load");
    assert_eq!(d.get_changes(&heads).len(), 1, "one change, removal and unmapping together");
    assert!(matches!(
        s.remove_nomenclature_area("A1"),
        Err(Error::NotFound { what: "nomenclature_area", .. })
    ));
    // Mapping again to the area once it is back works as before.
    s.put_nomenclature_area(area("A1", "Famiglia e minori")).expect("again");
    assert_eq!(mapped(&s, "family_tutoring"), None, "a removal's unmapping is not undone by a re-add");
}

/// One laptop maps a type to an area another laptop removes at the same
/// time: the merged document holds the mapping's key, and it reads as not
/// mapped on both, in the documents and in the projection.
#[test]
fn a_mapping_to_an_area_removed_elsewhere_reads_as_not_mapped() {
    let mut a = store(1);
    lab(&mut a, 1);
    a.put_nomenclature_area(area("A1", "Famiglia e minori")).expect("A1");
    let mut b = store(2);
    copy_all(&mut a, &mut b);
    a.set_activity_nomenclature("self_care", Some("A1")).expect("a maps");
    b.remove_nomenclature_area("A1").expect("b removes");
    copy_all(&mut a, &mut b);
    copy_all(&mut b, &mut a);
    for s in [&mut a, &mut b] {
        let doc = crate::doc::DocRef::project(s.project());
        let bytes = s.export_doc(doc).expect("export");
        let d = automerge::Automerge::load(&bytes).expect("load");
        let types = crate::doc::project::activity_types(&d);
        assert_eq!(types.iter().find(|t| t.key == "self_care").expect("t").nomenclature, None);
        assert!(s.nomenclature_areas().expect("areas").is_empty());
        assert_eq!(mapped(s, "self_care"), None);
        assert_eq!(s.check_projection().expect("check"), 0);
    }
    // The key is still in the document: the area, added again, maps it.
    a.put_nomenclature_area(area("A1", "Famiglia e minori")).expect("again");
    assert_eq!(mapped(&a, "self_care").as_deref(), Some("A1"));
}

/// Two coordinators add the first area offline: two rival root maps;
/// both areas are read after the merge.
#[test]
fn first_areas_added_on_two_laptops_offline_are_both_kept() {
    let mut a = store(1);
    lab(&mut a, 1);
    let mut b = store(2);
    copy_all(&mut a, &mut b);
    a.put_nomenclature_area(area("A1", "Famiglia e minori")).expect("a");
    b.put_nomenclature_area(area("D2", "Povertà")).expect("b");
    copy_all(&mut a, &mut b);
    copy_all(&mut b, &mut a);
    for s in [&a, &b] {
        assert_eq!(
            s.nomenclature_areas().expect("areas"),
            vec![area("A1", "Famiglia e minori"), area("D2", "Povertà")]
        );
    }
    // Removing one removes it from whichever map holds it.
    b.remove_nomenclature_area("A1").expect("remove");
    assert_eq!(b.nomenclature_areas().expect("areas"), vec![area("D2", "Povertà")]);
    a.put_nomenclature_area(area("D2", "Povertà e disagio")).expect("rename");
    assert_eq!(a.nomenclature_areas().expect("areas")[1], area("D2", "Povertà e disagio"));
}
