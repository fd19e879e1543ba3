//! "Who has access", give (to persons and organisations, several packages at
//! once) and revoke, and "what I can do for others", through the portal's
//! server functions over real HTTP, with every refusal.

use crate::common::*;
use serde_json::Value;

const BJORN: &str = "14928810047"; // DAGL of the bakery: an access manager
const KARI: &str = "12887510170";
const GUNN: &str = "11839110083";
const OLA: &str = "03908110020"; // DAGL of the accounting firm, which is REGN for the bakery and the fishing company
const REVISJON_NORD: &str = "310200018";
/// A valid organisation number (check digit right) that no party has.
const NOBODYS_ORG: &str = "310999997";

/// Gives `packages` to the person with this national id and surname.
async fn give_person(app: &TestApp, nin: &str, surname: &str, packages: &[&str]) -> reqwest::Response {
    let mut form = vec![("kind", "person"), ("national_id", nin), ("surname", surname)];
    form.extend(packages.iter().map(|p| ("packages[]", *p)));
    app.server_fn("give_access", &form).await
}

/// Gives `packages` to the organisation with this number.
async fn give_org(app: &TestApp, org: &str, packages: &[&str]) -> reqwest::Response {
    let mut form = vec![("kind", "organisation"), ("org_number", org), ("national_id", ""), ("surname", "")];
    form.extend(packages.iter().map(|p| ("packages[]", *p)));
    app.server_fn("give_access", &form).await
}

fn refused_codes(summary: &Value) -> Vec<(String, String)> {
    summary["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| !o["refused"].is_null())
        .map(|o| (o["code"].as_str().unwrap().to_string(), o["refused"].as_str().unwrap().to_string()))
        .collect()
}

fn given_codes(summary: &Value) -> Vec<String> {
    summary["outcomes"].as_array().unwrap().iter().filter(|o| o["refused"].is_null()).map(|o| o["code"].as_str().unwrap().to_string()).collect()
}

fn holder<'a>(list: &'a Value, name: &str) -> Option<&'a Value> {
    list.as_array().unwrap().iter().find(|h| h["name"] == name)
}

#[tokio::test]
async fn an_access_manager_gives_and_revokes_a_package() {
    let app = spawn_app().await;
    app.act_for(BJORN, "Bakeri Hansen AS").await;
    let before: Value = app.server_fn("who_has_access", &[]).await.json().await.unwrap();
    assert!(holder(&before, "Gunn Gjest").is_none());
    let bjorn = holder(&before, "Bjørn Hansen").expect("the manager is listed");
    assert!(bjorn["items"].as_array().unwrap().iter().any(|i| i["what"] == "role:DAGL"));

    let packages: Value = app.server_fn("assignable_packages", &[]).await.json().await.unwrap();
    let vat = packages.as_array().unwrap().iter().find(|p| p["code"] == "merverdiavgift").expect("VAT can be given");
    assert_eq!(vat["description"][2], "Value added tax services, including the VAT return.");
    assert_eq!(vat["area"], "accesspackage:area:skatt_avgift_regnskap_og_toll");
    assert_eq!(vat["area_name"][0], "Skatt, avgift, regnskap og toll");
    assert!(packages.as_array().unwrap().iter().all(|p| p["code"] != "regnskapsforer-lonn"), "only directly assignable packages are offered");

    let res = give_person(&app, GUNN, "Gjest", &["merverdiavgift"]).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let summary: Value = res.json().await.unwrap();
    assert_eq!(summary["recipient"], "Gunn Gjest");
    assert_eq!(given_codes(&summary), ["merverdiavgift"]);
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
    app.act_for(BJORN, "Bakeri Hansen AS").await;
    let before: Value = app.server_fn("who_has_access", &[]).await.json().await.unwrap();
    // Refusals about the recipient (or an empty choice) refuse the whole request.
    let cases: [(Vec<(&str, &str)>, &str); 7] = [
        (vec![("national_id", GUNN), ("surname", "Feil"), ("packages[]", "merverdiavgift")], "grant.no_such_person"),
        (vec![("national_id", "12345678901"), ("surname", "Gjest"), ("packages[]", "merverdiavgift")], "Invalid"),
        (vec![("national_id", BJORN), ("surname", "Hansen"), ("packages[]", "merverdiavgift")], "grant.self"),
        (vec![("national_id", GUNN), ("surname", ""), ("packages[]", "merverdiavgift")], "Invalid"),
        (vec![("national_id", GUNN), ("surname", "Gjest")], "grant.no_package"),
        (vec![("kind", "robot"), ("national_id", GUNN), ("surname", "Gjest"), ("packages[]", "merverdiavgift")], "Invalid"),
        (vec![("kind", "organisation"), ("org_number", "310400009"), ("packages[]", "merverdiavgift")], "grant.to_party"),
    ];
    for (form, expected) in cases {
        let res = app.server_fn("give_access", &form).await;
        assert!([409, 422].contains(&res.status().as_u16()), "{form:?}: {}", res.status());
        let body = res.text().await.unwrap();
        assert!(body.contains(expected), "{form:?}: {body}");
    }
    // Refusals about a package are reported per package, in one summary.
    let res = give_person(&app, GUNN, "Gjest", &["regnskapsforer-lonn", "finnes-ikke"]).await;
    assert_eq!(res.status(), 200);
    let summary: Value = res.json().await.unwrap();
    assert!(given_codes(&summary).is_empty());
    assert_eq!(
        refused_codes(&summary),
        [("regnskapsforer-lonn".to_string(), "grant.not_assignable".to_string()), ("finnes-ikke".to_string(), "grant.unknown_package".to_string())]
    );
    let list: Value = app.server_fn("who_has_access", &[]).await.json().await.unwrap();
    assert!(holder(&list, "Gunn Gjest").is_none(), "nothing was granted");
    assert_eq!(list, before, "nothing changed");
}

#[tokio::test]
async fn an_organisation_is_given_packages_by_organisation_number() {
    let app = spawn_app().await;
    app.act_for(BJORN, "Bakeri Hansen AS").await;
    // Written in groups, as people do; one package of three cannot be given directly.
    let res = give_org(&app, "310 200 018", &["merverdiavgift", "skatt-naering", "regnskapsforer-lonn", "merverdiavgift"]).await;
    assert_eq!(res.status(), 200);
    let summary: Value = res.json().await.unwrap();
    assert_eq!(summary["recipient"], "Revisjon Nord AS");
    assert_eq!(given_codes(&summary), ["merverdiavgift", "skatt-naering"], "each package once, in the order chosen");
    assert_eq!(refused_codes(&summary), [("regnskapsforer-lonn".to_string(), "grant.not_assignable".to_string())]);
    assert_eq!(summary["outcomes"][0]["name"][2], "Value added tax");

    let list: Value = app.server_fn("who_has_access", &[]).await.json().await.unwrap();
    let firm = holder(&list, "Revisjon Nord AS").expect("the organisation is listed at once");
    for code in ["package:merverdiavgift", "package:skatt-naering"] {
        let item = firm["items"].as_array().unwrap().iter().find(|i| i["what"] == code).unwrap_or_else(|| panic!("{code}: {firm}"));
        assert!(item["why"].as_array().unwrap().iter().any(|w| w["Grant"] == "Bjørn Hansen"), "{item}");
        assert!(item["grant"].is_string(), "a direct grant can be revoked");
    }
    // The firm's general manager now holds the packages for the bakery through his key role.
    let per = spawn_with(|c| c.database_url = app.db_url.clone()).await;
    per.login("21926310140").await;
    let others: Value = per.server_fn("what_i_can_do_for_others", &[]).await.json().await.unwrap();
    let bakery = holder(&others, "Bakeri Hansen AS").expect("Per acts for the bakery");
    assert!(bakery["items"].as_array().unwrap().iter().any(|i| i["what"] == "package:merverdiavgift"), "{bakery}");

    // Giving the same again is refused per package.
    let again: Value = give_org(&app, REVISJON_NORD, &["merverdiavgift"]).await.json().await.unwrap();
    assert_eq!(refused_codes(&again), [("merverdiavgift".to_string(), "grant.already".to_string())]);
}

#[tokio::test]
async fn an_unknown_or_malformed_organisation_number_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    app.act_for(BJORN, "Bakeri Hansen AS").await;
    let before: Value = app.server_fn("who_has_access", &[]).await.json().await.unwrap();
    for (org, status, expected) in [
        (NOBODYS_ORG, 409, "grant.no_such_organisation"),
        ("310400008", 422, "org_number"), // wrong check digit
        ("12345", 422, "org_number"),
        ("", 422, "org_number"),
        ("31040000x", 422, "org_number"),
    ] {
        let res = give_org(&app, org, &["merverdiavgift"]).await;
        assert_eq!(res.status().as_u16(), status, "{org}");
        let body = res.text().await.unwrap();
        assert!(body.contains(expected), "{org}: {body}");
    }
    let after: Value = app.server_fn("who_has_access", &[]).await.json().await.unwrap();
    assert_eq!(after, before, "nothing changed");
}

#[tokio::test]
async fn what_i_can_do_for_others_lists_parties_with_reasons() {
    let app = spawn_app().await;
    app.login(OLA).await;
    // No party needs to be chosen.
    let res = app.server_fn("what_i_can_do_for_others", &[]).await;
    assert_eq!(res.status(), 200);
    let others: Value = res.json().await.unwrap();
    let names: Vec<&str> = others.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Bakeri Hansen AS", "Kystfisk AS", "Tall og Tro Regnskap AS"], "never Ola himself");
    let firm = holder(&others, "Tall og Tro Regnskap AS").unwrap();
    assert_eq!(firm["org_number"], "310100005");
    let dagl = firm["items"].as_array().unwrap().iter().find(|i| i["what"] == "role:DAGL").expect("Ola is DAGL of his firm");
    // Roles are named in nb, nn and en, never by their code.
    assert_eq!(dagl["name"][0], "Daglig leder");
    assert_eq!(dagl["why"][0]["Role"], serde_json::json!(["Daglig leder", "Dagleg leiar", "Managing Director"]));
    for client in ["Bakeri Hansen AS", "Kystfisk AS"] {
        let p = holder(&others, client).unwrap();
        let item = p["items"].as_array().unwrap().iter().find(|i| i["what"] == "package:regnskapsforer-med-signeringsrettighet").expect(client);
        let key_role = &item["why"][0]["KeyRole"];
        assert_eq!(key_role["role"][2], "Managing Director", "{item}");
        assert_eq!(key_role["organisation"], "Tall og Tro Regnskap AS");
        assert_eq!(key_role["inner"]["Role"][0], "Regnskapsfører");
        assert!(item["grant"].is_null(), "nothing to revoke from this page");
    }

    // Someone who holds nothing for others (Gunn, before the grant below) gets an empty list.
    let nobody = spawn_with(|c| c.database_url = app.db_url.clone()).await;
    nobody.login(GUNN).await;
    let none: Value = nobody.server_fn("what_i_can_do_for_others", &[]).await.json().await.unwrap();
    assert_eq!(none, serde_json::json!([]));

    // A grant shows up with who gave it.
    let bjorn = spawn_with(|c| c.database_url = app.db_url.clone()).await;
    bjorn.act_for(BJORN, "Bakeri Hansen AS").await;
    assert_eq!(give_person(&bjorn, GUNN, "Gjest", &["merverdiavgift"]).await.status(), 200);
    let gunn = spawn_with(|c| c.database_url = app.db_url.clone()).await;
    gunn.login(GUNN).await;
    let others: Value = gunn.server_fn("what_i_can_do_for_others", &[]).await.json().await.unwrap();
    assert_eq!(others.as_array().unwrap().len(), 1, "{others}");
    assert_eq!(others[0]["name"], "Bakeri Hansen AS");
    assert_eq!(others[0]["items"][0]["what"], "package:merverdiavgift");
    assert_eq!(others[0]["items"][0]["why"][0]["Grant"], "Bjørn Hansen");

    // Signed out: 401.
    let anonymous = spawn_with(|c| c.database_url = app.db_url.clone()).await;
    let res = anonymous.server_fn("what_i_can_do_for_others", &[]).await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("NotSignedIn"));
}

#[tokio::test]
async fn someone_who_is_not_an_access_manager_is_refused_everything() {
    let app = spawn_app().await;
    let form = [
        ("kind", "organisation"),
        ("org_number", REVISJON_NORD),
        ("national_id", GUNN),
        ("surname", "Gjest"),
        ("packages[]", "merverdiavgift"),
        ("grant", "00000000-0000-0000-0000-000000000000"),
    ];
    // Kari may act only for herself and her company; she has chosen no party.
    app.login(KARI).await;
    for endpoint in ["who_has_access", "assignable_packages", "party_system_users", "system_user_overview", "give_access", "revoke_access"] {
        let body = app.server_fn(endpoint, &form).await.text().await.unwrap();
        assert!(body.contains("NoPartyChosen") || body.contains("NotAllowed") || body.contains("unknown_grant"), "{endpoint}: {body}");
    }
    // Ola acts for the bakery through his firm's accountant role, but is no access manager there.
    let ola = spawn_with(|c| c.database_url = app.db_url.clone()).await;
    ola.act_for(OLA, "Bakeri Hansen AS").await;
    for endpoint in ["who_has_access", "assignable_packages", "party_system_users", "system_user_overview", "give_access"] {
        for kind in ["organisation", "person", "system_user"] {
            let mut form = form.to_vec();
            form[0] = ("kind", kind);
            let res = ola.server_fn(endpoint, &form).await;
            assert_eq!(res.status(), 403, "{endpoint} ({kind})");
            assert!(res.text().await.unwrap().contains("NotAllowed"), "{endpoint}");
        }
    }
    // Signed out: refused.
    let anonymous = spawn_with(|c| c.database_url = app.db_url.clone()).await;
    for endpoint in ["who_has_access", "assignable_packages", "party_system_users", "system_user_overview", "give_access", "what_i_can_do_for_others"] {
        let res = anonymous.server_fn(endpoint, &form).await;
        assert_eq!(res.status(), 401, "{endpoint}");
        assert!(res.text().await.unwrap().contains("NotSignedIn"));
    }
    // Nothing was given by anyone.
    let bjorn = spawn_with(|c| c.database_url = app.db_url.clone()).await;
    bjorn.act_for(BJORN, "Bakeri Hansen AS").await;
    let list: Value = bjorn.server_fn("who_has_access", &[]).await.json().await.unwrap();
    // The auditing firm is listed through its REVI role, with no grant.
    let auditor = holder(&list, "Revisjon Nord AS").expect("the bakery's auditor");
    assert!(auditor["items"].as_array().unwrap().iter().all(|i| i["grant"].is_null()), "{auditor}");
    assert!(holder(&list, "Gunn Gjest").is_none());
}

#[tokio::test]
async fn the_party_gives_its_own_system_user_packages_and_no_one_elses() {
    let app = spawn_app().await;
    app.act_for(BJORN, "Bakeri Hansen AS").await;
    let demo = uuid::Uuid::from_u128(domain::demo::SYSTEM_USER.0).to_string();
    let listed: Value = app.server_fn("party_system_users", &[]).await.json().await.unwrap();
    assert_eq!(listed, serde_json::json!([{"id": demo, "name": "Regnskapsappen for Bakeri Hansen"}]));
    // The overview shows the same system user, unused so far.
    let overview: Value = app.server_fn("system_user_overview", &[]).await.json().await.unwrap();
    assert_eq!(overview.as_array().map(Vec::len), Some(1), "{overview}");
    assert_eq!((&overview[0]["id"], &overview[0]["recent_tokens"], &overview[0]["last_used"]), (&serde_json::json!(demo), &serde_json::json!(0), &Value::Null));

    // Kystfisk's system user, and an id that is no UUID: refused, nothing changes.
    let pool = sqlx::PgPool::connect(&app.db_url).await.unwrap();
    let theirs = uuid::Uuid::now_v7();
    sqlx::query("insert into system_user (id, system_id, party_id, external_ref) select $1, $2, id, org_number from party where org_number = '310600008'")
        .bind(theirs)
        .bind(domain::demo::SYSTEM.0)
        .execute(&pool)
        .await
        .unwrap();
    let before: Value = app.server_fn("who_has_access", &[]).await.json().await.unwrap();
    for (id, status, expected) in [(theirs.to_string(), 409, "grant.foreign_system_user"), ("not-a-uuid".to_string(), 422, "Invalid")] {
        let res = app.server_fn("give_access", &[("kind", "system_user"), ("system_user", &id), ("packages[]", "merverdiavgift")]).await;
        assert_eq!(res.status(), status, "{id}");
        assert!(res.text().await.unwrap().contains(expected), "{id}");
    }
    assert_eq!(app.server_fn("who_has_access", &[]).await.json::<Value>().await.unwrap(), before, "nothing changed");

    let res = app.server_fn("give_access", &[("kind", "system_user"), ("system_user", &demo), ("packages[]", "merverdiavgift")]).await;
    assert_eq!(res.status(), 200);
    let summary: Value = res.json().await.unwrap();
    assert_eq!(summary["recipient"], "Regnskapsappen for Bakeri Hansen");
    assert_eq!(given_codes(&summary), ["merverdiavgift"]);
    let list: Value = app.server_fn("who_has_access", &[]).await.json().await.unwrap();
    let su = holder(&list, "Regnskapsappen for Bakeri Hansen").expect("the system user is listed");
    let item = &su["items"][0];
    assert_eq!((item["what"].as_str(), item["name"][0].as_str()), (Some("package:merverdiavgift"), Some("Merverdiavgift")), "{item}");
    assert!(item["grant"].is_string(), "a direct grant can be revoked");
}
