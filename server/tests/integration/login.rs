//! The login flow over real HTTP against the built-in provider, and every way
//! a login must be refused.

use crate::common::*;

const BJORN: &str = "14928810047"; // DAGL of Bakeri Hansen AS
const KARI: &str = "12887510170"; // DAGL of Regnskapsappen AS
const BAKERY: &str = "310400009";

#[tokio::test]
async fn a_person_logs_in_chooses_a_party_and_logs_out() {
    let app = spawn_app().await;
    assert_eq!(app.session().await, serde_json::Value::Null, "signed out at first");
    let landing = app.login(BJORN).await;
    assert_eq!(landing, app.url("/"));
    let s = app.session().await;
    assert_eq!(s["name"], "Bjørn Hansen");
    assert_eq!(s["acr"], "idporten-loa-substantial");
    assert!(s["party"].is_null());

    let parties: serde_json::Value = app.server_fn("parties", &[]).await.json().await.unwrap();
    let names: Vec<&str> = parties.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Bjørn Hansen", "Bakeri Hansen AS"]);
    let bakery_id = parties[1]["id"].as_str().unwrap().to_string();
    let res = app.server_fn("choose_party", &[("party", &bakery_id)]).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(app.session().await["party"]["name"], "Bakeri Hansen AS");

    // The choice is audited and visible in the party's audit trail.
    let trail: serde_json::Value = app.server_fn("audit_trail", &[]).await.json().await.unwrap();
    let actions: Vec<&str> = trail.as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"party.choose"), "{actions:?}");

    // Logout ends the local session and sends the browser to end the provider's.
    let res = app.client.post(app.url("/auth/logout")).header("origin", &app.base).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let end = app.location(&res);
    assert!(end.starts_with(&app.url("/idp/endsession?")), "{end}");
    assert!(end.contains("id_token_hint="));
    let back = app.client.get(&end).send().await.unwrap();
    assert_eq!(app.location(&back), app.url("/"));
    assert_eq!(app.session().await, serde_json::Value::Null);
}

#[tokio::test]
async fn the_session_id_is_renewed_at_login_and_cookies_are_locked_down() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/auth/login")).send().await.unwrap();
    let before = res.headers().get("set-cookie").expect("a pre-login session").to_str().unwrap().to_string();
    assert!(before.contains("HttpOnly") && before.contains("SameSite=Lax"), "{before}");
    let authorize = app.location(&res);
    let res = app.submit_login(&authorize, BJORN).await;
    let res = app.client.get(app.location(&res)).send().await.unwrap();
    let after = res.headers().get("set-cookie").expect("a new session cookie").to_str().unwrap().to_string();
    let id = |c: &str| c.split(';').next().unwrap().to_string();
    assert_ne!(id(&before), id(&after), "the session id must change at login");
}

#[tokio::test]
async fn a_forged_callback_link_does_not_end_the_session_of_a_signed_in_person() {
    let app = spawn_app().await;
    app.login(BJORN).await;
    assert_eq!(app.session().await["name"], "Bjørn Hansen");
    // A link on another site to the callback, with no login in progress: refused,
    // and the person stays signed in (logging out takes a POST from our own pages).
    let res = app.client.get(app.url("/auth/callback?code=x&state=y")).send().await.unwrap();
    assert_eq!(app.location(&res), app.url("/innlogging-feilet?reason=state"));
    assert_eq!(app.session().await["name"], "Bjørn Hansen", "still signed in");
}

#[tokio::test]
async fn a_tampered_state_is_refused_and_creates_no_session() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/auth/login")).send().await.unwrap();
    let authorize = app.location(&res);
    let res = app.submit_login(&authorize, BJORN).await;
    let callback = app.location(&res);
    let tampered = callback.replace("state=", "state=x");
    let res = app.client.get(&tampered).send().await.unwrap();
    assert_eq!(app.location(&res), app.url("/innlogging-feilet?reason=state"));
    assert_eq!(app.session().await, serde_json::Value::Null);
    // The real callback cannot be used afterwards either: the pending login is gone.
    let res = app.client.get(&callback).send().await.unwrap();
    assert_eq!(app.location(&res), app.url("/innlogging-feilet?reason=state"));
    assert_eq!(app.session().await, serde_json::Value::Null);
}

#[tokio::test]
async fn a_replayed_callback_is_refused() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/auth/login")).send().await.unwrap();
    let authorize = app.location(&res);
    let res = app.submit_login(&authorize, BJORN).await;
    let callback = app.location(&res);
    app.client.get(&callback).send().await.unwrap();
    // Another browser replays the same callback URL (code, state and all).
    let other = browser();
    let res = other.get(&callback).send().await.unwrap();
    assert_eq!(app.location(&res), app.url("/innlogging-feilet?reason=state"));
}

#[tokio::test]
async fn the_test_provider_refuses_an_invalid_national_identity_number() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/auth/login")).send().await.unwrap();
    let authorize = app.location(&res);
    for bad in ["12345678901", "1234", "abcdefghijk"] {
        let res = app.submit_login(&authorize, bad).await;
        assert_eq!(res.status(), 422, "{bad}");
        let body = res.text().await.unwrap();
        assert!(body.contains("role=\"alert\""), "the page explains the error");
    }
    assert_eq!(app.session().await, serde_json::Value::Null);
}

/// A synthetic test number (month + 80), valid in every other way.
const SYNTHETIC: &str = "17876810190";

#[tokio::test]
async fn the_test_provider_says_it_does_not_accept_synthetic_numbers_rather_than_that_they_are_invalid() {
    let app = spawn_with(|c| c.allow_synthetic_ids = false).await;
    let res = app.client.get(app.url("/auth/login")).send().await.unwrap();
    let authorize = app.location(&res);
    let res = app.submit_login(&authorize, SYNTHETIC).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("role=\"alert\""), "the page explains the error");
    assert!(body.contains("Dette er et syntetisk testfødselsnummer, og denne installasjonen tar ikke imot syntetiske testnumre."), "{body}");
    assert!(!body.contains("ugyldig"), "the number is not invalid: {body}");
    // In the person's language.
    let url = url::Url::parse(&authorize).unwrap();
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    form.push(("pid".into(), SYNTHETIC.into()));
    let res = app.client.post(&authorize).header("origin", &app.base).header("cookie", "fullmakt_lang=en").form(&form).send().await.unwrap();
    let body = res.text().await.unwrap();
    assert!(body.contains("this installation does not accept synthetic test numbers"), "{body}");
    assert!(!body.contains("invalid"), "{body}");
    // A number that is invalid is still called so.
    let body = app.submit_login(&authorize, "12345678901").await.text().await.unwrap();
    assert!(body.contains("Fødselsnummeret er ugyldig"), "{body}");
    assert_eq!(app.session().await, serde_json::Value::Null);
}

#[tokio::test]
async fn the_provider_requires_pkce_state_and_nonce() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/auth/login")).send().await.unwrap();
    let authorize = url::Url::parse(&app.location(&res)).unwrap();
    for (drop, expect) in [("code_challenge_method", "PKCE"), ("nonce", "nonce"), ("state", "state")] {
        let mut u = authorize.clone();
        let kept: Vec<(String, String)> = authorize.query_pairs().into_owned().filter(|(k, _)| k != drop).collect();
        u.query_pairs_mut().clear().extend_pairs(kept);
        let res = app.client.get(u.as_str()).send().await.unwrap();
        assert_eq!(res.status(), 303, "{drop}");
        let back = app.location(&res);
        assert!(back.contains("error=invalid_request") && back.contains(expect), "{drop}: {back}");
    }
    // An unregistered redirect URI is never redirected to.
    let mut u = authorize.clone();
    let kept: Vec<(String, String)> =
        authorize.query_pairs().into_owned().map(|(k, v)| if k == "redirect_uri" { (k, "https://evil.example/cb".into()) } else { (k, v) }).collect();
    u.query_pairs_mut().clear().extend_pairs(kept);
    let res = app.client.get(u.as_str()).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn a_wrong_pkce_verifier_gets_no_tokens() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/auth/login")).send().await.unwrap();
    let authorize = app.location(&res);
    let res = app.submit_login(&authorize, BJORN).await;
    let callback = url::Url::parse(&app.location(&res)).unwrap();
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    // Redeem the code directly, as an attacker who stole it would, with a made-up verifier.
    // The client secret is unknown to the attacker, but even with the right one the verifier must match:
    // here the portal's client id with a wrong secret fails client authentication first.
    let res = reqwest::Client::new()
        .post(app.url("/idp/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", &app.url("/auth/callback")),
            ("code_verifier", &"a".repeat(43)),
            ("client_id", "fullmakt-portal"),
            ("client_secret", "guess"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
}

#[tokio::test]
async fn a_deep_link_switches_party_only_when_allowed() {
    let app = spawn_app().await;
    // Signed out: the deep link goes through login and lands on the party.
    let landing = app.login_to(&format!("/auth/login?return=%2F%3Fparty%3D{BAKERY}"), BJORN).await;
    assert_eq!(landing, app.url(&format!("/?party={BAKERY}")));
    let res = app.client.get(&landing).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(app.location(&res), app.url("/"));
    assert_eq!(app.session().await["party"]["name"], "Bakeri Hansen AS");

    // Kari may not act for the bakery: refused, nothing switched.
    let kari = spawn_app().await;
    kari.login(KARI).await;
    let res = kari.client.get(kari.url(&format!("/logg?party={BAKERY}"))).send().await.unwrap();
    assert_eq!(kari.location(&res), kari.url("/velg-aktor?error=not_allowed"));
    assert!(kari.session().await["party"].is_null());
    // A malformed org number is refused the same way.
    let res = kari.client.get(kari.url("/?party=123")).send().await.unwrap();
    assert_eq!(kari.location(&res), kari.url("/velg-aktor?error=not_allowed"));
}

#[tokio::test]
async fn an_expired_session_is_treated_as_signed_out() {
    let app = spawn_with(|c| c.session_absolute_hours = 0).await;
    app.login(BJORN).await;
    assert_eq!(app.session().await, serde_json::Value::Null, "absolute time-out of zero ends the session at once");
}
