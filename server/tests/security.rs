//! Security behaviour over real HTTP: CSRF refusal, headers, problem details,
//! health probes and rate limiting.

mod common;
use common::*;

#[tokio::test]
async fn a_cross_site_state_change_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    app.login("14928810047").await;
    let parties: serde_json::Value = app.server_fn("parties", &[]).await.json().await.unwrap();
    let bakery = parties[1]["id"].as_str().unwrap().to_string();
    for (name, value) in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")] {
        let res = app.client.post(app.url("/api/choose_party")).header(name, value).form(&[("party", &bakery)]).send().await.unwrap();
        assert_eq!(res.status(), 403, "{name}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let p: serde_json::Value = res.json().await.unwrap();
        assert_eq!(p["code"], "csrf");
    }
    // Without Origin or Sec-Fetch-Site at all: refused too.
    let res = app.client.post(app.url("/api/choose_party")).form(&[("party", &bakery)]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(app.session().await["party"].is_null(), "nothing changed");
}

#[tokio::test]
async fn a_signed_out_or_unauthorised_caller_is_refused_by_every_server_function() {
    let app = spawn_app().await;
    for endpoint in ["parties", "choose_party", "audit_trail"] {
        let res = app.server_fn(endpoint, &[("party", "00000000-0000-0000-0000-000000000000")]).await;
        assert_eq!(res.status(), 401, "{endpoint}");
        let body = res.text().await.unwrap();
        assert!(body.contains("NotSignedIn"), "{endpoint}: {body}");
    }
    // Signed in, but the party belongs to someone else / no access-manager right.
    app.login("12887510170").await; // Kari
    let other: String = {
        let bjorn = spawn_app().await;
        bjorn.login("14928810047").await;
        let list: serde_json::Value = bjorn.server_fn("parties", &[]).await.json().await.unwrap();
        list[1]["id"].as_str().unwrap().to_string()
    };
    let res = app.server_fn("choose_party", &[("party", &other)]).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("NotAllowed"));
    let res = app.server_fn("choose_party", &[("party", "not-a-uuid")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Invalid"));
    let res = app.server_fn("audit_trail", &[]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("NoPartyChosen"));
}

#[tokio::test]
async fn responses_carry_security_headers_and_pages_a_nonce_csp() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("'nonce-") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.contains_key("referrer-policy"));
    assert!(h.contains_key("x-request-id"));
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_string();
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries this response's nonce");
    assert_eq!(h["cache-control"], "no-store", "pages are never cached");
    let res = app.client.get(app.url("/health/live")).send().await.unwrap();
    assert!(res.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    assert!(!res.headers().contains_key("strict-transport-security"), "no HSTS over plain http");
}

#[tokio::test]
async fn health_probes_answer() {
    let app = spawn_app().await;
    let live: serde_json::Value = reqwest::get(app.url("/health/live")).await.unwrap().json().await.unwrap();
    assert_eq!(live["status"], "ok");
    let ready: serde_json::Value = reqwest::get(app.url("/health/ready")).await.unwrap().json().await.unwrap();
    assert_eq!(ready["database"], "ok");
}

#[tokio::test]
async fn login_is_rate_limited_per_address() {
    let app = spawn_with(|c| c.rate_limit_per_minute = 3).await;
    let client = browser();
    // The first login also spends a token on discovering the built-in provider
    // (metadata and JWKS) over loopback, so count successes until the limit is hit.
    let mut ok = 0;
    let res = loop {
        let res = client.get(app.url("/auth/login")).send().await.unwrap();
        if res.status() != 303 {
            break res;
        }
        ok += 1;
        assert!(ok <= 3, "the limit of 3 per minute was not enforced");
    };
    assert!(ok >= 1, "{ok}");
    assert_eq!(res.status(), 429);
    assert!(res.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    // The token endpoint has a budget of its own, so it still answers (here:
    // the grant type is wrong); health and the decision API are not limited.
    let res = client.post(app.url("/token")).form(&[("grant_type", "x")]).send().await.unwrap();
    assert_eq!(res.status(), 400);
    // Health and the decision API are not limited (the latter authenticates every call).
    assert_eq!(client.get(app.url("/health/live")).send().await.unwrap().status(), 200);
    let decision = client
        .post(app.url("/authorization/api/v1/authorize"))
        .bearer_auth("test-pdp-key-0123456789")
        .json(&serde_json::json!({"Request": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(decision.status(), 200);
}

#[tokio::test]
async fn the_token_endpoint_is_rate_limited_per_address_on_its_own_budget() {
    let app = spawn_with(|c| c.token_rate_limit_per_minute = 2).await;
    let client = browser();
    for _ in 0..2 {
        let res = client.post(app.url("/token")).form(&[("grant_type", "x")]).send().await.unwrap();
        assert_eq!(res.status(), 400);
    }
    let res = client.post(app.url("/token")).form(&[("grant_type", "x")]).send().await.unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert!(res.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    // Login keeps its own budget.
    assert_eq!(client.get(app.url("/auth/login")).send().await.unwrap().status(), 303);
}

#[tokio::test]
async fn an_unknown_language_is_a_problem_and_a_known_one_sets_the_cookie() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/lang/xx")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = app.client.get(app.url("/lang/en?return=https://evil.example")).send().await.unwrap();
    assert_eq!(app.location(&res), app.url("/"), "never returns to another site");
    assert!(res.headers()["set-cookie"].to_str().unwrap().starts_with("fullmakt_lang=en"));
    let html = app.client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<html lang=\"en\""), "the page is in English");
}
