//! An institution's organisational units: the university's director keeps
//! the tree one unit at a time and by import; a cycle, a missing parent and
//! someone who is no access manager are refused, audited, and change
//! nothing; an import is all or nothing.

use domain::units::{import, save, units, UnitError, UnitForSave};
use sqlx::PgPool;
use test_support::demo as people;

fn unit(code: &str, name: &str, parent: Option<&str>) -> UnitForSave {
    UnitForSave { code: code.into(), name_nb: name.into(), name_nn: name.into(), name_en: format!("{name} (en)"), parent: parent.map(Into::into) }
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn the_director_keeps_the_tree_and_bad_changes_are_refused(pool: PgPool) {
    test_support::demo_world(&pool).await;
    let services = test_support::services(&pool).await;
    let university = test_support::org(&pool, people::UNIVERSITY).await;
    let ada = test_support::acting(&services, test_support::person(&pool, people::ADA).await, university);

    // The demo university has a tree of its own (UIF, NAT, NAT-KJEM, UB);
    // this test builds another beside it, under a second top unit.
    let tree = [
        unit("NV-KJEMI", "Kjemisk institutt", Some("NV")),
        unit("NV", "Fakultet for naturvitenskap", Some("TOPP")),
        unit("TOPP", "Universitetet i Fjordby", None),
        unit("BIB", "Universitetsbiblioteket", Some("TOPP")),
    ];
    assert_eq!(import(&ada, &tree).await.unwrap(), 4, "children before parents in the file is fine");
    save(&ada, &unit("NV-FYS", "Fysisk institutt", Some("NV"))).await.unwrap();
    let ours = ["TOPP", "NV", "NV-FYS", "NV-KJEMI", "BIB"];
    let listed: Vec<_> = units(&ada).await.unwrap().into_iter().filter(|u| ours.contains(&u.code.as_str())).collect();
    let shown: Vec<(&str, i32, Option<&str>)> = listed.iter().map(|u| (u.code.as_str(), u.depth, u.parent.as_deref())).collect();
    assert_eq!(
        shown,
        [("TOPP", 0, None), ("NV", 1, Some("TOPP")), ("NV-FYS", 2, Some("NV")), ("NV-KJEMI", 2, Some("NV")), ("BIB", 1, Some("TOPP"))],
        "each after its parent, siblings by name"
    );
    assert_eq!(listed[2].name.en, "Fysisk institutt (en)");

    // Moved and renamed by its code.
    save(&ada, &unit("BIB", "Biblioteket", Some("NV"))).await.unwrap();
    let bib = units(&ada).await.unwrap().into_iter().find(|u| u.code == "BIB").unwrap();
    assert_eq!((bib.name.nb.as_str(), bib.parent.as_deref(), bib.depth), ("Biblioteket", Some("NV"), 2));

    // Refused, audited, nothing changed.
    let before = count(&pool, "select count(*) from org_unit").await;
    let refused = [
        save(&ada, &unit("TOPP", "Universitetet", Some("NV-KJEMI"))).await.expect_err("under its own grandchild"),
        save(&ada, &unit("X", "X", Some("NOPE"))).await.expect_err("no such parent"),
        save(&ada, &unit("bad code", "X", None)).await.expect_err("a code with a space"),
        import(&ada, &[unit("NY", "Ny", Some("TOPP")), unit("NY2", "Ny 2", Some("MANGLER"))]).await.expect_err("all or nothing"),
    ];
    assert!(matches!(refused[0], UnitError::Cycle { .. }), "{:?}", refused[0]);
    assert!(matches!(refused[1], UnitError::ParentNotFound { .. }), "{:?}", refused[1]);
    assert!(matches!(refused[2], UnitError::Invalid { field: "code", .. }), "{:?}", refused[2]);
    assert!(matches!(refused[3], UnitError::ParentNotFound { .. }), "{:?}", refused[3]);
    assert_eq!(count(&pool, "select count(*) from org_unit").await, before, "nothing half-done");

    // Someone who is no access manager of the university.
    let gunn = test_support::acting(&services, test_support::person(&pool, people::GUNN).await, university);
    assert!(matches!(units(&gunn).await, Err(UnitError::NotAccessManager)));
    assert!(matches!(save(&gunn, &unit("G", "G", None)).await, Err(UnitError::NotAccessManager)));
    assert!(matches!(import(&gunn, &tree).await, Err(UnitError::NotAccessManager)));
    assert_eq!(count(&pool, "select count(*) from org_unit").await, before);

    assert_eq!(count(&pool, "select count(*) from audit_event where action in ('unit.save', 'unit.import') and outcome = 'success'").await, 3);
    assert_eq!(count(&pool, "select count(*) from audit_event where action in ('unit.save', 'unit.import') and outcome = 'refused'").await, 6);
}
