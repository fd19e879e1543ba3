//! Altinn's resource-owner authorized-parties API: Altinn's request and
//! response shape, sub-units nested under their main unit, the same parties
//! as the portal's chooser, and clear refusals.

use crate::common::*;
use serde_json::{json, Value};

const KEY: &str = "test-pdp-key-0123456789";
const PATH: &str = "/accessmanagement/api/v1/resourceowner/authorizedparties";

async fn ask(app: &TestApp, body: &Value) -> reqwest::Response {
    reqwest::Client::new().post(app.url(PATH)).bearer_auth(KEY).json(body).send().await.unwrap()
}

#[tokio::test]
async fn a_service_owner_learns_for_whom_a_person_may_act_in_altinns_shape() {
    let app = spawn_app().await;
    // Ada runs the university, which has two sub-units.
    let res = ask(&app, &json!({"type": "urn:altinn:person:identifier-no", "value": "05858510084"})).await;
    assert_eq!(res.status(), 200);
    let parties: Value = res.json().await.unwrap();
    let top: Vec<&str> = parties.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(top[0], "Ada Rektor", "the person first");
    assert_eq!(parties[0]["type"], "Person");
    assert_eq!(parties[0]["personId"], "05858510084");
    let university = parties.as_array().unwrap().iter().find(|p| p["organizationNumber"] == "310700002").expect("the university is listed");
    assert_eq!(university["type"], "Organization");
    assert_eq!(university["unitType"], "ORGL");
    assert!(university["authorizedRoles"].as_array().unwrap().iter().any(|r| r == "DAGL"), "{university}");
    assert!(!university["authorizedAccessPackages"].as_array().unwrap().is_empty(), "{university}");
    let subunits: Vec<&str> = university["subunits"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(subunits, ["Fakultet for naturvitenskap", "Universitetsbiblioteket i Fjordby"]);
    assert!(!top.contains(&"Fakultet for naturvitenskap"), "sub-units are nested, not listed twice");

    // The same person by party uuid gives the same answer.
    let uuid = parties[0]["partyUuid"].as_str().unwrap().to_string();
    let again: Value = ask(&app, &json!({"type": "urn:altinn:person:uuid", "value": uuid})).await.json().await.unwrap();
    assert_eq!(again, parties);

    // A standard system user acts for nobody until it is given something.
    let su = uuid::Uuid::from_u128(domain::demo::SYSTEM_USER.0).to_string();
    let res = ask(&app, &json!({"type": "urn:altinn:systemuser:uuid", "value": su})).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn bad_requests_are_refused_with_a_problem_and_tokens_need_the_resource_owner_scope() {
    let app = spawn_app().await;
    for (body, status) in [
        (json!({"type": "urn:altinn:person:identifier-no", "value": "00000000000"}), 404),
        (json!({"type": "urn:altinn:person:identifier-no", "value": "310700002"}), 404),
        (json!({"type": "urn:altinn:person:uuid", "value": "not-a-uuid"}), 400),
        (json!({"type": "urn:altinn:party:id", "value": "50002598"}), 400),
        (json!({"type": "urn:altinn:person:identifier-no"}), 400),
        (json!({"type": "urn:altinn:person:identifier-no", "value": "05858510084", "extra": 1}), 400),
    ] {
        let res = ask(&app, &body).await;
        assert_eq!(res.status(), status, "{body}");
        assert_eq!(res.headers()["content-type"], "application/problem+json", "{body}");
    }
    let res =
        reqwest::Client::new().post(app.url(PATH)).json(&json!({"type": "urn:altinn:person:identifier-no", "value": "05858510084"})).send().await.unwrap();
    assert_eq!(res.status(), 401, "no credentials");
}
