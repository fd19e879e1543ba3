//! The API-client page at `/api-klienter`. (Its first address, `/klienter`,
//! is client administration's now: `tests/client_administration.rs`.)

use crate::common::*;

const BJORN: &str = "14928810047"; // general manager of the bakery: an access manager
const BAKERY: &str = "Bakeri Hansen AS";

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

    // The front page links to the new address only.
    let home = app.client.get(app.url("/")).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
    assert!(home.contains("href=\"/api-klienter\""), "{home}");
}
