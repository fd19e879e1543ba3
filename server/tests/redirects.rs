//! Moved pages over HTTP: the API-client page lives at `/api-klienter`, and
//! its old address `/klienter` answers `308 Permanent Redirect` there with the
//! query string kept, until the client-administration journey takes it over.

mod common;

use common::*;

const BJORN: &str = "14928810047"; // general manager of the bakery: an access manager
const BAKERY: &str = "Bakeri Hansen AS";

#[tokio::test]
async fn the_old_api_client_address_moves_permanently_with_its_query() {
    let app = spawn_app().await;
    for (method, path, location) in [
        (reqwest::Method::GET, "/klienter?x=1", "/api-klienter?x=1"),
        (reqwest::Method::GET, "/klienter", "/api-klienter"),
        (reqwest::Method::GET, "/klienter?party=310400009&x=a%20b", "/api-klienter?party=310400009&x=a%20b"),
        (reqwest::Method::HEAD, "/klienter?x=1", "/api-klienter?x=1"),
        (reqwest::Method::POST, "/klienter?x=1", "/api-klienter?x=1"),
    ] {
        let res = app.client.request(method.clone(), app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 308, "{method} {path}");
        assert_eq!(res.headers()["location"], location, "{method} {path}");
    }
}

#[tokio::test]
async fn the_api_client_page_renders_at_its_new_address() {
    let app = spawn_app().await;
    // Signed out: the page answers, and says to sign in, as the other pages do.
    let res = app.client.get(app.url("/api-klienter")).header("accept", "text/html").send().await.unwrap();
    let status = res.status();
    let html = res.text().await.unwrap();
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Du må logge inn"), "{html}");

    app.act_for(BJORN, BAKERY).await;
    let res = app.client.get(app.url("/api-klienter")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(">API-klienter</h1>"), "the page's heading: {html}");
    assert!(html.contains("Virksomheten har ingen API-klienter ennå."), "the bakery's (empty) list");
    assert!(html.contains("name=\"display_name\""), "the form to register one");

    // Followed by hand, as a browser would: the old address ends on the same page.
    let res = app.client.get(app.url("/klienter")).send().await.unwrap();
    let res = app.client.get(app.location(&res)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains(">API-klienter</h1>"));

    // The front page links to the new address only.
    let home = app.client.get(app.url("/")).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
    assert!(home.contains("href=\"/api-klienter\""), "{home}");
    assert!(!home.contains("href=\"/klienter\""));
}
