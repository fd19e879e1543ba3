//! The customer's approval over real HTTP: the access manager follows the
//! request's confirmUrl (logging in, landing on the customer's party), sees
//! the request whole in the first HTML, approves it with a plain form post,
//! and the browser ends on the vendor's page; a person without the right is
//! refused by every server function and changes nothing.

use crate::common::*;
use domain::authz::Scopes;
use domain::system_register::{SystemForCreate, SystemRight};
use domain::system_user_requests::{service, RequestForCreate};
use sqlx::PgPool;

const BJORN: &str = "14928810047"; // general manager of the bakery
const GUNN: &str = "11839110083"; // holds nothing
const BAKERY: &str = "310400009";

/// The vendor's system and its request for the bakery; the request's id.
async fn request(pool: &PgPool) -> uuid::Uuid {
    let operator = test_support::operator(pool).await;
    let system = SystemForCreate {
        rights: vec![SystemRight { resource: "fjordby-rapportering".into(), action: None }],
        packages: vec!["urn:altinn:accesspackage:skatt-naering".into()],
        redirect_urls: vec!["https://lonn.example/kvittering".into()],
        is_visible: true,
        ..test_support::system("lonn", "Lønn Pluss")
    };
    domain::system_register::service::create(&operator, &system).await.unwrap();
    let vendor = test_support::org(pool, "310000000").await;
    let ctx = test_support::services(pool).await.for_api_client("c", vendor, Scopes::REQUEST_WRITE, None);
    let input = RequestForCreate {
        system_id: "310000000_lonn".into(),
        party_org_no: BAKERY.into(),
        rights: vec![SystemRight { resource: "fjordby-rapportering".into(), action: Some("read".into()) }],
        packages: vec!["urn:altinn:accesspackage:skatt-naering".into()],
        redirect_url: Some("https://lonn.example/kvittering?state=1".into()),
        ..Default::default()
    };
    service::send(&ctx, &input).await.unwrap().request.id
}

#[tokio::test]
async fn the_access_manager_follows_the_link_approves_and_lands_on_the_vendors_page() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let id = request(&pool).await;
    let confirm = format!("/systembrukere/foresporsel/{id}?party={BAKERY}");

    // Signed out: the link asks for a login and comes back to it.
    let res = app.client.get(app.url(&confirm)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(app.location(&res).contains("/auth/login?return="), "{}", app.location(&res));
    app.login(BJORN).await;
    let res = app.client.get(app.url(&confirm)).send().await.unwrap();
    assert_eq!((res.status().as_u16(), app.location(&res)), (303, app.url(&format!("/systembrukere/foresporsel/{id}"))), "on the bakery, without choosing");

    let (status, html) = app.page(&format!("/systembrukere/foresporsel/{id}")).await;
    assert_eq!(status, 200);
    for expected in [
        "Forespørsel om systembruker",
        "Regnskapsappen AS ber om en systembruker for systemet Lønn Pluss",
        "Skatt",
        "Rapportering til Universitetet i Fjordby (lese)",
        "action=\"/api/approve_system_user_request\"",
    ] {
        assert!(html.contains(expected), "{expected} in the first HTML: {html}");
    }
    assert!(!html.contains("Laster"), "whole in its first response");

    let res = app.post_form("approve_system_user_request", &format!("/systembrukere/foresporsel/{id}"), &[("id", &id.to_string())]).await;
    assert_eq!((res.status().as_u16(), app.location(&res)), (303, app.url(&format!("/systembrukere/foresporsel/{id}/videre"))));
    let (status, html) = app.page(&format!("/systembrukere/foresporsel/{id}/videre")).await;
    assert_eq!(status, 200, "a page, not a redirect: a form post may not be redirected off the portal's origin");
    assert!(html.contains(r#"<meta http-equiv="refresh" content="0;url=https://lonn.example/kvittering?state=1">"#), "on to the vendor: {html}");
    assert!(html.contains(r#"<a href="https://lonn.example/kvittering?state=1">"#), "with a link to follow");

    let users: i64 = sqlx::query_scalar("select count(*) from system_user where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(users, 1);
    let (_, html) = app.page(&format!("/systembrukere/foresporsel/{id}")).await;
    assert!(html.contains("Forespørselen er godkjent"), "the banner");
    let res = app.post_form("approve_system_user_request", &format!("/systembrukere/foresporsel/{id}"), &[("id", &id.to_string())]).await;
    assert_eq!(res.status(), 303, "back to the page, where the refusal shows");
    let (_, html) = app.page(&app.location(&res).replace(&app.base, "")).await;
    assert!(html.contains("Forespørselen er allerede godkjent"), "{html}");
}

#[tokio::test]
async fn a_person_without_the_right_is_refused_by_every_server_function() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let id = request(&pool).await;
    // Gunn acts for herself: the bakery's request is not hers to see or decide.
    app.login(GUNN).await;
    let res = app.client.get(app.url(&format!("/systembrukere/foresporsel/{id}?party={BAKERY}"))).send().await.unwrap();
    assert!(app.location(&res).contains("/velg-aktor?error=not_allowed"), "she may not act for the bakery");
    for endpoint in
        ["system_user_request", "approve_system_user_request", "reject_system_user_request", "forward_system_user_request", "pending_system_user_requests"]
    {
        let res = app.server_fn(endpoint, &[("id", &id.to_string())]).await;
        assert!(res.status().is_client_error(), "{endpoint}: {}", res.status());
    }
    let status: String = sqlx::query_scalar("select status from system_user_request where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(status, "New", "nothing changed");
}
