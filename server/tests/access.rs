//! "Who has access", give and revoke, through the portal's server functions
//! over real HTTP, with every refusal.

mod common;
use common::*;
use serde_json::Value;

const BJORN: &str = "14928810047"; // DAGL of the bakery: an access manager
const KARI: &str = "12887510170";
const GUNN: &str = "11839110083";

async fn act_for_bakery(app: &TestApp, pid: &str) {
    app.login(pid).await;
    let parties: Value = app.server_fn("parties", &[("search", "Bakeri")]).await.json().await.unwrap();
    let bakery = parties.as_array().unwrap().iter().find(|p| p["name"] == "Bakeri Hansen AS").expect("may act for the bakery")["id"].as_str().unwrap().to_string();
    assert!(app.server_fn("choose_party", &[("party", &bakery)]).await.status().is_success());
}

fn holder<'a>(list: &'a Value, name: &str) -> Option<&'a Value> {
    list.as_array().unwrap().iter().find(|h| h["name"] == name)
}

#[tokio::test]
async fn an_access_manager_gives_and_revokes_a_package() {
    let app = spawn_app().await;
    act_for_bakery(&app, BJORN).await;
    let before: Value = app.server_fn("who_has_access", &[]).await.json().await.unwrap();
    assert!(holder(&before, "Gunn Gjest").is_none());
    let bjorn = holder(&before, "Bjørn Hansen").expect("the manager is listed");
    assert!(bjorn["items"].as_array().unwrap().iter().any(|i| i["what"] == "role:DAGL"));

    let packages: Value = app.server_fn("assignable_packages", &[]).await.json().await.unwrap();
    assert!(packages.as_array().unwrap().iter().any(|p| p["code"] == "merverdiavgift"));

    let res = app.server_fn("give_access", &[("national_id", GUNN), ("surname", "Gjest"), ("package", "merverdiavgift")]).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let after: Value = app.server_fn("who_has_access", &[]).await.json().await.unwrap();
    let gunn = holder(&after, "Gunn Gjest").expect("the recipient is listed at once");
    let item = &gunn["items"][0];
    assert_eq!(item["what"], "package:merverdiavgift");
    assert_eq!(item["why"][0]["Grant"], "Bjørn Hansen");
    let grant = item["grant"].as_str().unwrap().to_string();

    // The recipient now sees the bakery among the parties they may act for.
    let recipient = spawn_with(|c| c.database_url = app.db_url.clone()).await;
    recipient.login(GUNN).await;
    let parties: Value = recipient.server_fn("parties", &[]).await.json().await.unwrap();
    let bakery = parties.as_array().unwrap().iter().find(|p| p["name"] == "Bakeri Hansen AS").expect("granted party is listed");
    assert_eq!(bakery["reasons"][0], "GRANT");

    let res = app.server_fn("revoke_access", &[("grant", &grant)]).await;
    assert!(res.status().is_success());
    let last: Value = app.server_fn("who_has_access", &[]).await.json().await.unwrap();
    assert!(holder(&last, "Gunn Gjest").is_none());
    // Revoking twice is refused clearly.
    let again = app.server_fn("revoke_access", &[("grant", &grant)]).await.text().await.unwrap();
    assert!(again.contains("grant.unknown_grant"), "{again}");
}

#[tokio::test]
async fn bad_grants_are_refused_with_a_reason_and_change_nothing() {
    let app = spawn_app().await;
    act_for_bakery(&app, BJORN).await;
    let cases = [
        (vec![("national_id", GUNN), ("surname", "Feil"), ("package", "merverdiavgift")], "grant.no_such_person"),
        (vec![("national_id", "12345678901"), ("surname", "Gjest"), ("package", "merverdiavgift")], "Invalid"),
        (vec![("national_id", GUNN), ("surname", "Gjest"), ("package", "regnskapsforer-lonn")], "grant.not_assignable"),
        (vec![("national_id", GUNN), ("surname", "Gjest"), ("package", "finnes-ikke")], "grant.unknown_package"),
        (vec![("national_id", BJORN), ("surname", "Hansen"), ("package", "merverdiavgift")], "grant.self"),
        (vec![("national_id", GUNN), ("surname", ""), ("package", "merverdiavgift")], "Invalid"),
    ];
    for (form, expected) in cases {
        let res = app.server_fn("give_access", &form).await;
        assert!([409, 422].contains(&res.status().as_u16()), "{form:?}: {}", res.status());
        let body = res.text().await.unwrap();
        assert!(body.contains(expected), "{form:?}: {body}");
    }
    let list: Value = app.server_fn("who_has_access", &[]).await.json().await.unwrap();
    assert!(holder(&list, "Gunn Gjest").is_none(), "nothing was granted");
}

#[tokio::test]
async fn someone_who_is_not_an_access_manager_is_refused_everything() {
    let app = spawn_app().await;
    // Kari may act only for herself and her company; she chooses herself.
    app.login(KARI).await;
    for endpoint in ["who_has_access", "assignable_packages", "give_access", "revoke_access"] {
        let body = app.server_fn(endpoint, &[("national_id", GUNN), ("surname", "Gjest"), ("package", "merverdiavgift"), ("grant", "00000000-0000-0000-0000-000000000000")]).await.text().await.unwrap();
        assert!(body.contains("NoPartyChosen") || body.contains("NotAllowed") || body.contains("unknown_grant"), "{endpoint}: {body}");
    }
    // Ola acts for the bakery through his firm's accountant role, but is no access manager there.
    let ola = spawn_with(|c| c.database_url = app.db_url.clone()).await;
    act_for_bakery(&ola, "03908110020").await;
    for endpoint in ["who_has_access", "assignable_packages", "give_access"] {
        let body = ola.server_fn(endpoint, &[("national_id", GUNN), ("surname", "Gjest"), ("package", "merverdiavgift")]).await.text().await.unwrap();
        assert!(body.contains("NotAllowed"), "{endpoint}: {body}");
    }
    // Signed out: refused.
    let anonymous = spawn_with(|c| c.database_url = app.db_url.clone()).await;
    let body = anonymous.server_fn("who_has_access", &[]).await.text().await.unwrap();
    assert!(body.contains("NotSignedIn"));
}
