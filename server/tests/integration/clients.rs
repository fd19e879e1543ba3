//! The API-client screen's server functions over HTTP: an organisation's
//! access manager registers a client, adds a key, sees it and revokes it; bad
//! input is refused with a reason and changes nothing; people who may not
//! manage the organisation's access are refused everything.

use crate::common::*;
use serde_json::{json, Value};

const BJORN: &str = "14928810047"; // general manager of the bakery: an access manager
const OLA: &str = "03908110020"; // acts for the bakery as its accountant's manager, no access manager
const KARI: &str = "12887510170";
const BAKERY: &str = "Bakeri Hansen AS";

/// A P-256 public key as a JWK (the private half is not needed here).
fn ec_public_jwk(kid: &str) -> Value {
    use base64::Engine;
    use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let p = pair.public_key().as_ref();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    json!({"kty": "EC", "crv": "P-256", "kid": kid, "x": b64.encode(&p[1..33]), "y": b64.encode(&p[33..65])})
}

async fn clients(app: &TestApp) -> Value {
    let res = app.server_fn("api_clients", &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn audited(app: &TestApp, action: &str, outcome: &str) -> i64 {
    let pool = sqlx::PgPool::connect(&app.db_url).await.unwrap();
    sqlx::query_scalar("select count(*) from audit_event where action = $1 and outcome = $2").bind(action).bind(outcome).fetch_one(&pool).await.unwrap()
}

#[tokio::test]
async fn an_access_manager_registers_a_client_adds_a_key_and_revokes_it() {
    let app = spawn_app().await;
    app.act_for(BJORN, BAKERY).await;
    assert_eq!(clients(&app).await, json!([]));

    let res = app.server_fn("register_api_client", &[("display_name", "Lønnssystemet"), ("scopes", "bakeri:lonn.read, bakeri:lonn.write")]).await;
    assert_eq!(res.status(), 200);
    let client_id: String = res.json().await.unwrap();
    let key = ec_public_jwk("bakeri-2026").to_string();
    let res = app.server_fn("add_api_client_key", &[("client_id", &client_id), ("key", &key), ("expires_on", "2099-12-31")]).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    let list = clients(&app).await;
    let c = &list[0];
    assert_eq!((c["client_id"].as_str(), c["display_name"].as_str()), (Some(client_id.as_str()), Some("Lønnssystemet")));
    assert_eq!(c["scopes"], json!(["bakeri:lonn.read", "bakeri:lonn.write"]));
    let k = &c["keys"][0];
    assert_eq!((k["kid"].as_str(), k["family"].as_str(), k["active"].as_bool()), (Some("bakeri-2026"), Some("EC P-256"), Some(true)));
    assert_eq!(k["expires"], "31.12.2099 00:00 UTC");
    assert!(k["last_used"].is_null(), "never used yet");

    let res = app.server_fn("revoke_api_client_key", &[("client_id", &client_id), ("kid", "bakeri-2026")]).await;
    assert_eq!(res.status(), 200);
    let k = &clients(&app).await[0]["keys"][0];
    assert_eq!(k["active"], false);
    assert!(k["revoked"].is_string());
    assert_eq!(audited(&app, "api_client.register", "success").await, 1);
}

#[tokio::test]
async fn bad_clients_and_keys_are_refused_with_a_reason_and_change_nothing() {
    let app = spawn_app().await;
    app.act_for(BJORN, BAKERY).await;
    let client_id: String = app.server_fn("register_api_client", &[("display_name", "Kasse"), ("scopes", "")]).await.json().await.unwrap();
    let before = clients(&app).await;

    // (form, status, what the answer must contain)
    type Case<'a, V> = (Vec<(&'a str, V)>, u16, &'a str);
    let register_cases: [Case<&str>; 3] = [
        (vec![("display_name", " "), ("scopes", "")], 422, "display_name"),
        (vec![("display_name", "Beslutninger"), ("scopes", "altinn:authorization/authorize")], 409, "client.restricted_scope|altinn:authorization/authorize"),
        (vec![("display_name", "Rart"), ("scopes", "a\"b")], 409, "client.bad_scope"),
    ];
    for (form, status, expected) in register_cases {
        let res = app.server_fn("register_api_client", &form).await;
        assert_eq!(res.status(), status, "{form:?}");
        assert!(res.text().await.unwrap().contains(expected), "{form:?}");
    }
    let mut private = ec_public_jwk("k1");
    private["d"] = json!("c2VjcmV0");
    let public = ec_public_jwk("k2").to_string();
    let key_cases: Vec<Case<String>> = vec![
        (vec![("key", private.to_string())], 409, "client.key_private"),
        (vec![("key", "not a key".into())], 409, "client.key_unreadable"),
        (vec![("key", public.clone()), ("kid", "other".into())], 409, "client.key_kid"),
        (vec![("key", public.clone()), ("expires_on", "2001-01-01".into())], 409, "client.expiry_past"),
        (vec![("key", public.clone()), ("expires_on", "31.12.2099".into())], 422, "expires_on"),
    ];
    for (fields, status, expected) in key_cases {
        let mut form: Vec<(&str, &str)> = vec![("client_id", client_id.as_str())];
        form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let res = app.server_fn("add_api_client_key", &form).await;
        assert_eq!(res.status(), status, "{expected}");
        assert!(res.text().await.unwrap().contains(expected), "{expected}");
    }
    let res = app.server_fn("revoke_api_client_key", &[("client_id", &client_id), ("kid", "nope")]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("client.unknown_key|nope"));
    let res = app.server_fn("add_api_client_key", &[("client_id", "no-such-client"), ("key", &public)]).await;
    assert!(res.text().await.unwrap().contains("client.unknown"));

    assert_eq!(clients(&app).await, before, "nothing changed");
    assert!(audited(&app, "api_client.register", "refused").await >= 2, "refusals are audited");
}

#[tokio::test]
async fn someone_who_may_not_manage_the_party_is_refused_everything() {
    let app = spawn_app().await;
    app.act_for(BJORN, BAKERY).await;
    let client_id: String = app.server_fn("register_api_client", &[("display_name", "Kasse"), ("scopes", "")]).await.json().await.unwrap();
    let key = ec_public_jwk("k").to_string();
    let forms: [(&str, Vec<(&str, &str)>); 4] = [
        ("api_clients", vec![]),
        ("register_api_client", vec![("display_name", "Min klient"), ("scopes", "")]),
        ("add_api_client_key", vec![("client_id", &client_id), ("key", &key)]),
        ("revoke_api_client_key", vec![("client_id", &client_id), ("kid", "k")]),
    ];
    // Ola acts for the bakery, but manages nothing there.
    let ola = spawn_with(|c| c.database_url = app.db_url.clone()).await;
    ola.act_for(OLA, BAKERY).await;
    for (endpoint, form) in &forms {
        let res = ola.server_fn(endpoint, form).await;
        assert_eq!(res.status(), 403, "{endpoint}");
        assert!(res.text().await.unwrap().contains("NotAllowed"), "{endpoint}");
    }
    // Kari has chosen no party; a visitor is not signed in.
    let kari = spawn_with(|c| c.database_url = app.db_url.clone()).await;
    kari.login(KARI).await;
    let anonymous = spawn_with(|c| c.database_url = app.db_url.clone()).await;
    for (endpoint, form) in &forms {
        assert!(kari.server_fn(endpoint, form).await.text().await.unwrap().contains("NoPartyChosen"), "{endpoint}");
        assert_eq!(anonymous.server_fn(endpoint, form).await.status(), 401, "{endpoint}");
    }
    let list = clients(&app).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "no client was added");
    assert_eq!(list[0]["keys"], json!([]), "no key was added");
}
