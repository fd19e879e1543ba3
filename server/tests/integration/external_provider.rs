//! The same relying-party code against a second, independently configured
//! provider (its own issuer, keys and database), to show nothing is hard-wired
//! to the built-in one.

use crate::common::*;
use server::idp::{Idp, IdpClient};

/// A portal configured against a separate provider: its own database, issuer and
/// signing key. With `keys`, the portal authenticates with private_key_jwt using
/// the private key, and the provider knows the public one.
async fn portal_with_other_provider(keys: Option<(String, String)>) -> (TestApp, String, std::net::SocketAddr) {
    portal_with_other_provider_and(keys, |_| {}).await
}

/// As [`portal_with_other_provider`], with the portal's configuration adjusted.
async fn portal_with_other_provider_and(
    keys: Option<(String, String)>,
    adjust: impl FnOnce(&mut server::config::Config),
) -> (TestApp, String, std::net::SocketAddr) {
    let db = format!("{}/fullmakt_test_idp_{}", server_url(), uuid::Uuid::new_v4().simple());
    let pool = domain::db::connect_and_migrate(&db, 2).await.expect("provider database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let idp_addr = listener.local_addr().unwrap();
    let issuer = format!("http://{idp_addr}/other-provider");

    // The portal must know its own address before the provider registers it.
    let portal_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let portal_addr = portal_listener.local_addr().unwrap();
    let secret = if keys.is_some() { String::new() } else { "a-secret-only-these-two-share".to_string() };
    let client = IdpClient {
        client_id: "portal-at-other".into(),
        client_secret: secret.clone(),
        public_key_pem: keys.as_ref().map(|(_, public)| public.clone()),
        redirect_uris: vec![format!("http://{portal_addr}/auth/callback")],
        post_logout_redirect_uris: vec![format!("http://{portal_addr}/")],
    };
    let idp = Idp::new(pool, issuer.clone(), vec![client], domain::parties::SyntheticIds::Accept).await.unwrap();
    let idp_router = axum::Router::new().nest_service("/other-provider", idp.router());
    tokio::spawn(async move { axum::serve(listener, idp_router).await.unwrap() });

    let portal_db = format!("{}/fullmakt_test_{}", server_url(), uuid::Uuid::new_v4().simple());
    let mut config = server::config::Config::for_tests(&portal_db);
    config.test_idp = false;
    config.oidc_issuer = issuer.clone();
    config.oidc_client_id = "portal-at-other".into();
    config.oidc_client_secret = secret;
    config.oidc_client_key = keys.map(|(private, _)| (private, "portal-key-1".to_string()));
    config.public_url = url::Url::parse(&format!("http://{portal_addr}")).unwrap();
    adjust(&mut config);
    tokio::spawn(async move { server::serve(portal_listener, config).await.unwrap() });
    let base = format!("http://{portal_addr}");
    wait_ready(&base).await;
    (TestApp { addr: portal_addr, base, db_url: portal_db, client: browser() }, issuer, idp_addr)
}

/// Logs in at the other provider as a person the portal has never seen; returns where the callback led.
async fn login_at_other(app: &TestApp, issuer: &str, idp_addr: std::net::SocketAddr) -> String {
    let res = app.client.get(app.url("/auth/login")).send().await.unwrap();
    let authorize = app.location(&res);
    assert!(authorize.starts_with(&format!("{issuer}/authorize?")), "{authorize}");
    let mut form: Vec<(String, String)> = url::Url::parse(&authorize).unwrap().query_pairs().into_owned().collect();
    form.push(("pid_manual".into(), "17876810190".into()));
    form.push(("name".into(), "Nora Ny".into()));
    let res = app.client.post(&authorize).header("origin", format!("http://{idp_addr}")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let callback = app.location(&res);
    assert!(callback.starts_with(&app.url("/auth/callback?")), "{callback}");
    let res = app.client.get(&callback).send().await.unwrap();
    app.location(&res)
}

fn rsa_keypair() -> (String, String) {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::EncodePublicKey;
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap();
    let private = key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).unwrap().to_string();
    (private, key.to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap())
}

#[tokio::test]
async fn the_portal_logs_in_against_another_provider() {
    let (app, issuer, idp_addr) = portal_with_other_provider(None).await;
    // The built-in provider is not served by this portal.
    let res = app.client.get(app.url("/idp/.well-known/openid-configuration")).send().await.unwrap();
    assert_ne!(res.status(), 200);
    // A person not in the portal's register yet is registered at first login.
    assert_eq!(login_at_other(&app, &issuer, idp_addr).await, app.url("/"));
    assert_eq!(app.session().await["name"], "Nora Ny");
    // The logout goes to the other provider's end-session endpoint.
    let res = app.client.post(app.url("/auth/logout")).header("origin", &app.base).send().await.unwrap();
    assert!(app.location(&res).starts_with(&format!("{issuer}/endsession?")));
}

#[tokio::test]
async fn the_portal_authenticates_with_private_key_jwt() {
    let keys = rsa_keypair();
    let (app, issuer, idp_addr) = portal_with_other_provider(Some(keys)).await;
    assert_eq!(login_at_other(&app, &issuer, idp_addr).await, app.url("/"));
    assert_eq!(app.session().await["name"], "Nora Ny");
}

#[tokio::test]
async fn a_synthetic_number_from_the_provider_is_refused_for_what_it_is() {
    // The provider issues synthetic test numbers (as a test environment's
    // does); this installation does not accept them.
    let (app, issuer, idp_addr) = portal_with_other_provider_and(None, |c| c.allow_synthetic_ids = false).await;
    let failed = login_at_other(&app, &issuer, idp_addr).await;
    assert_eq!(failed, app.url("/innlogging-feilet?reason=synthetic"));
    assert_eq!(app.session().await, serde_json::Value::Null);
    let page = app.client.get(&failed).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Innloggingen ga et syntetisk testfødselsnummer, og denne installasjonen tar ikke imot syntetiske testnumre."), "{page}");
    assert!(!page.contains("gyldig fødselsnummer"), "the number is not invalid: {page}");
    let page = app.client.get(&failed).header("cookie", "fullmakt_lang=en").send().await.unwrap().text().await.unwrap();
    assert!(page.contains("this installation does not accept synthetic test numbers"), "{page}");
}

#[tokio::test]
async fn a_portal_with_the_wrong_key_is_refused_at_the_token_endpoint() {
    let (private, _) = rsa_keypair();
    let (_, registered_public) = rsa_keypair();
    let (app, issuer, idp_addr) = portal_with_other_provider(Some((private, registered_public))).await;
    assert_eq!(login_at_other(&app, &issuer, idp_addr).await, app.url("/innlogging-feilet?reason=token"));
    assert_eq!(app.session().await, serde_json::Value::Null);
}

#[tokio::test]
async fn an_id_token_from_another_issuer_is_refused() {
    use base64::Engine;
    use sha2::Digest;
    // Provider B (inside another portal instance) issues an ID token for the same client id.
    let a = spawn_app().await;
    let b = spawn_with(|c| c.oidc_client_secret = "known-to-the-test".into()).await;
    let verifier = "v".repeat(50);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let mut authorize = url::Url::parse(&b.url("/idp/authorize")).unwrap();
    authorize.query_pairs_mut().extend_pairs([
        ("client_id", "fullmakt-portal"),
        ("redirect_uri", &b.url("/auth/callback")),
        ("response_type", "code"),
        ("scope", "openid"),
        ("state", "s"),
        ("nonce", "the-nonce"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    let res = b.submit_login(authorize.as_str(), "14928810047").await;
    let callback = url::Url::parse(&b.location(&res)).unwrap();
    let code = callback.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let tokens: serde_json::Value = reqwest::Client::new()
        .post(b.url("/idp/token"))
        .basic_auth("fullmakt-portal", Some("known-to-the-test"))
        .form(&[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &b.url("/auth/callback")), ("code_verifier", &verifier)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_token: server::oidc::IdportenIdToken = tokens["id_token"].as_str().expect("B issued an ID token").parse().unwrap();

    // Portal A's relying-party code, trusting only A's provider, refuses it.
    let provider_a = server::auth::Provider::new(
        a.url("/idp"),
        "fullmakt-portal".into(),
        server::auth::ClientAuth::Secret("unused".into()),
        &url::Url::parse(&a.base).unwrap(),
    )
    .unwrap();
    let client_a = provider_a.client().await.unwrap();
    let verdict = id_token.claims(&client_a.id_token_verifier(), &openidconnect::Nonce::new("the-nonce".into()));
    assert!(verdict.is_err(), "a token from another issuer must be refused");
    // The same token passes B's own verifier, so the refusal is about the issuer, not a broken token.
    let provider_b = server::auth::Provider::new(
        b.url("/idp"),
        "fullmakt-portal".into(),
        server::auth::ClientAuth::Secret("unused".into()),
        &url::Url::parse(&b.base).unwrap(),
    )
    .unwrap();
    let client_b = provider_b.client().await.unwrap();
    assert!(id_token.claims(&client_b.id_token_verifier(), &openidconnect::Nonce::new("the-nonce".into())).is_ok());
    // A wrong nonce is refused even by the right provider.
    assert!(id_token.claims(&client_b.id_token_verifier(), &openidconnect::Nonce::new("other".into())).is_err());
}
