//! Forms posted without JavaScript (`server::form_post`): the same server
//! function runs, the answer is `303 See Other` back to the page, and that
//! page — rendered whole by the server — shows the outcome once, with what
//! the person typed kept (secrets left out) and nothing changed on refusal.

use crate::common::*;
use serde_json::Value;

const BJORN: &str = "14928810047"; // DAGL of the bakery: an access manager
const KARI: &str = "12887510170"; // runs the software vendor; no right at the bakery
const OLA: &str = "03908110020";

/// Posts a form as a browser without JavaScript does, from `page`.
async fn post_form(app: &TestApp, endpoint: &str, page: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/{endpoint}")))
        .header("origin", &app.base)
        .header("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        .header("referer", app.url(page))
        .form(form)
        .send()
        .await
        .expect("form post")
}

async fn get_page(app: &TestApp, path: &str) -> String {
    let res = app.client.get(app.url(path)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

/// The id of a party `app`'s person may act for, by name.
async fn party_id(app: &TestApp, name: &str) -> String {
    let parties: Value = app.server_fn("parties", &[]).await.json().await.unwrap();
    parties.as_array().unwrap().iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("may act for {name}"))["id"].as_str().unwrap().to_string()
}

async fn holders(app: &TestApp) -> Value {
    app.server_fn("who_has_access", &[]).await.json().await.unwrap()
}

#[tokio::test]
async fn a_refused_form_returns_to_its_page_with_the_error_by_the_field_and_the_typed_values() {
    let app = spawn_app().await;
    app.act_for(BJORN, "Bakeri Hansen AS").await;
    let before = holders(&app).await;

    let form = [("kind", "person"), ("national_id", OLA), ("surname", "Feilnavn"), ("packages[]", "merverdiavgift")];
    let res = post_form(&app, "give_access", "/tilganger?q=mva", &form).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.location(&res), app.url("/tilganger?q=mva"), "back to the page, query kept");
    assert_eq!(holders(&app).await, before, "nothing changed");

    let html = get_page(&app, "/tilganger?q=mva").await;
    assert!(html.contains("data-testid=\"error-summary\""), "a summary at the top");
    assert!(html.contains("id=\"give-nin-error\""), "the message is next to the national identity number");
    assert!(html.contains(&format!("value=\"{OLA}\"")), "the number typed is kept");
    assert!(html.contains("value=\"Feilnavn\""), "the surname typed is kept");
    assert!(!html.contains("Laster"), "the page is whole");

    // The flash is shown once: the next view of the page is clean.
    let again = get_page(&app, "/tilganger?q=mva").await;
    assert!(!again.contains("data-testid=\"error-summary\""));
    assert!(!again.contains("value=\"Feilnavn\""));
}

#[tokio::test]
async fn a_successful_form_shows_its_result_on_the_page_it_returns_to() {
    let app = spawn_app().await;
    app.act_for(BJORN, "Bakeri Hansen AS").await;
    let form = [("kind", "person"), ("national_id", OLA), ("surname", "Tallesen"), ("packages[]", "merverdiavgift")];
    let res = post_form(&app, "give_access", "/tilganger", &form).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = get_page(&app, "/tilganger").await;
    assert!(html.contains("Gitt til Ola Tallesen: Merverdiavgift."), "the success is shown");
    assert!(!html.contains(&format!("value=\"{OLA}\"")), "a form that succeeded starts empty");
    let list = holders(&app).await;
    let ola = list.as_array().unwrap().iter().find(|h| h["name"] == "Ola Tallesen").expect("Ola is listed");
    let vat = ola["items"].as_array().unwrap().iter().find(|i| i["what"] == "package:merverdiavgift").expect("VAT given to Ola");
    assert!(!vat["grant"].is_null(), "as a grant that can be revoked: {vat}");
}

#[tokio::test]
async fn a_function_that_redirects_sends_the_browser_there() {
    let app = spawn_app().await;
    app.login(BJORN).await;
    let bakery = party_id(&app, "Bakeri Hansen AS").await;
    let res = post_form(&app, "choose_party", "/velg-aktor", &[("party", &bakery)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.location(&res), app.url("/"));
    assert!(get_page(&app, "/").await.contains("Bakeri Hansen AS"));
}

#[tokio::test]
async fn a_person_without_the_right_is_refused_and_told_so_on_the_page() {
    let app = spawn_app().await;
    app.login(KARI).await;
    let parties: Value = app.server_fn("parties", &[]).await.json().await.unwrap();
    assert!(!parties.as_array().unwrap().iter().any(|p| p["name"] == "Bakeri Hansen AS"));
    // Kari posts a choice of the bakery anyway: refused by the use case, audited, nothing chosen.
    let bjorn = spawn_with(|c| c.database_url = app.db_url.clone()).await;
    bjorn.login(BJORN).await;
    let bakery = party_id(&bjorn, "Bakeri Hansen AS").await;
    let res = post_form(&app, "choose_party", "/velg-aktor", &[("party", &bakery)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.location(&res), app.url("/velg-aktor"));
    let html = get_page(&app, "/velg-aktor").await;
    assert!(html.contains("role=\"alert\""), "the refusal is shown");
    assert!(html.contains("Du har ikke tilgang"), "in words");
    assert!(app.session().await["party"].is_null(), "nothing chosen");
}

#[tokio::test]
async fn secrets_are_never_kept_and_foreign_referers_are_not_followed() {
    let app = spawn_app().await;
    app.act_for(BJORN, "Bakeri Hansen AS").await;
    let res = app
        .client
        .post(app.url("/api/register_api_client"))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .header("referer", "https://elsewhere.example/api-klienter")
        .form(&[("display_name", "Kasse"), ("scopes", "altinn:authorization/authorize"), ("client_secret", "s3cr3t-value")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(app.location(&res), app.url("/api-klienter"), "only the path of a referer is used");
    let html = get_page(&app, "/api-klienter").await;
    assert!(html.contains("value=\"Kasse\""), "the name is kept");
    assert!(!html.contains("s3cr3t-value"), "a secret is never kept or shown");
    assert!(html.contains("id=\"client-scopes-error\""), "the refused scope is shown next to its field");
}
