//! The provider's screens over real HTTP ("Our systems", `/systemer`): the
//! vendor's access manager sees its systems whole in the first HTML,
//! registers one with plain form posts (a refused form comes back with the
//! message next to the field and nothing registered), changes it, sees its
//! requests and change log, and deletes it after a confirmation page; a
//! person without the right is refused by every server function.

use crate::common::*;
use sqlx::PgPool;

const KARI: &str = "12887510170"; // runs the vendor, Regnskapsappen AS
const GUNN: &str = "11839110083"; // holds nothing

fn system_form<'a>(slug: &'a str, name_nn: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("slug", slug),
        ("name_nb", "Lønn Pluss"),
        ("name_nn", name_nn),
        ("name_en", "Payroll Plus"),
        ("description_nb", "Lønn for små bedrifter"),
        ("description_nn", "Løn for små verksemder"),
        ("description_en", "Payroll for small businesses"),
        ("rights[]", "fjordby-rapportering"),
        ("packages[]", "urn:altinn:accesspackage:skatt-naering"),
        ("redirect_urls", "https://lonn.example/kvittering\n"),
        ("is_visible", "true"),
    ]
}

async fn systems(pool: &PgPool, id: &str) -> i64 {
    sqlx::query_scalar("select count(*) from system_register where system_id = $1 and not is_deleted").bind(id).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn the_vendor_registers_changes_and_deletes_a_system_with_plain_forms() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    app.act_for(KARI, "Regnskapsappen AS").await;

    let (status, html) = app.page("/systemer").await;
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/systemer/310000000_demo\""), "the demo system, whole in the first HTML");
    let (_, html) = app.page("/systemer/ny").await;
    for expected in ["name=\"slug\"", "name=\"rights[]\"", "value=\"urn:altinn:accesspackage:skatt-naering\"", "action=\"/api/create_system\""] {
        assert!(html.contains(expected), "{expected} in the form");
    }

    // A name missing in one language: back to the form, the message by the field, what was typed kept.
    let res = app.post_form("create_system", "/systemer/ny", &system_form("lonn", "")).await;
    assert_eq!((res.status().as_u16(), app.location(&res)), (303, app.url("/systemer/ny")));
    let (_, html) = app.page("/systemer/ny").await;
    assert!(html.contains("Gi systemet et navn på bokmål, nynorsk og engelsk"), "the message");
    assert!(html.contains("value=\"Payroll Plus\""), "what was typed");
    assert_eq!(systems(&pool, "310000000_lonn").await, 0, "nothing registered");

    let res = app.post_form("create_system", "/systemer/ny", &system_form("lonn", "Løn Pluss")).await;
    assert_eq!((res.status().as_u16(), app.location(&res)), (303, app.url("/systemer/310000000_lonn")));
    let (_, html) = app.page("/systemer/310000000_lonn").await;
    for expected in ["Lønn Pluss", "Rapportering til Universitetet i Fjordby", "https://lonn.example/kvittering", "Endringslogg", "Registrert"] {
        assert!(html.contains(expected), "{expected} on the system's page");
    }

    let mut changed = system_form("", "Løn Pluss");
    changed.retain(|(k, _)| *k != "slug" && *k != "is_visible");
    changed.push(("id", "310000000_lonn"));
    let res = app.post_form("update_system", "/systemer/310000000_lonn/endre", &changed).await;
    assert_eq!(app.location(&res), app.url("/systemer/310000000_lonn"));
    let visible: bool = sqlx::query_scalar("select is_visible from system_register where system_id = '310000000_lonn'").fetch_one(&pool).await.unwrap();
    assert!(!visible, "the change is saved");
    let (_, html) = app.page("/systemer/310000000_lonn/endre").await;
    assert!(html.contains("value=\"Løn Pluss\"") && html.contains("checked"), "the form starts from the system");

    let (_, html) = app.page("/systemer/310000000_lonn/slett").await;
    assert!(html.contains("Er du sikker på at du vil slette systemet «Lønn Pluss»?"));
    let res = app.post_form("delete_system", "/systemer/310000000_lonn/slett", &[("id", "310000000_lonn")]).await;
    assert_eq!(app.location(&res), app.url("/systemer"));
    let (_, html) = app.page("/systemer").await;
    assert!(html.contains("Systemet er slettet"));
    assert_eq!(systems(&pool, "310000000_lonn").await, 0);
    let audited: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action like 'system.%' and target = '310000000_lonn' and outcome = 'success'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(audited, 3, "registered, changed, deleted");
}

#[tokio::test]
async fn a_person_without_the_right_is_refused_by_every_system_function() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    app.login(GUNN).await;
    let mut create = system_form("lonn", "Løn");
    create.push(("id", "310000000_demo"));
    for (endpoint, form) in [
        ("our_systems", vec![]),
        ("system_choices", vec![]),
        ("our_system", vec![("id", "310000000_demo")]),
        ("create_system", create.clone()),
        ("update_system", create.clone()),
        ("delete_system", vec![("id", "310000000_demo")]),
    ] {
        let res = app.server_fn(endpoint, &form).await;
        assert!(res.status().is_client_error(), "{endpoint}: {}", res.status());
    }
    assert_eq!(systems(&pool, "310000000_demo").await, 1, "nothing changed");
    assert_eq!(systems(&pool, "310000000_lonn").await, 0);
}
