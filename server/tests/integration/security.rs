//! Security behaviour over real HTTP: CSRF refusal, headers, problem details,
//! health probes and rate limiting.

use crate::common::*;

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

/// Asserts `res` is a `404` RFC 7807 problem document.
async fn api_not_found(res: reqwest::Response, what: &str) {
    assert_eq!(res.status(), 404, "{what}");
    assert_eq!(res.headers()["content-type"], "application/problem+json", "{what}");
    if what.starts_with("HEAD ") {
        return;
    }
    let p: serde_json::Value = res.json().await.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(p["status"], 404, "{what}");
    assert_eq!(p["code"], "not_found", "{what}");
    assert_eq!(p["type"], "https://fullmakt.example/problems/not_found", "{what}");
    assert!(p["title"].is_string(), "{what}");
}

#[tokio::test]
async fn an_unknown_path_under_an_api_prefix_is_a_404_problem_for_any_method() {
    let app = spawn_app().await;
    let paths = [
        "/authentication/",
        "/authentication/api/v1/systemuser",
        "/authorization/",
        "/authorization/api/v1/nope",
        "/authorization/api/v2/authorize",
        "/authorization/api/v1/authorize/extra",
        "/accessmanagement/api/v1/nope",
        "/accessmanagement/api/v1/authorizedparties/x",
        "/resourceregistry/",
        "/resourceregistry/api/v1/nope",
        "/resourceregistry/api/v1/resource/a/b/c",
        "/resourceregistry/api/v1/resource/a/policy/b",
    ];
    let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    // A signed-in browser's session cookie changes nothing either.
    app.login("14928810047").await;
    let anonymous = reqwest::Client::new();
    for path in paths {
        for method in methods {
            let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let what = format!("{method} {path}");
            // No credentials, no Origin: the CSRF check does not answer first.
            api_not_found(anonymous.request(m.clone(), app.url(path)).send().await.unwrap(), &what).await;
            // A bearer token and a JSON body, as an API client sends.
            let res = anonymous.request(m.clone(), app.url(path)).bearer_auth("test-pdp-key-0123456789").json(&serde_json::json!({})).send().await.unwrap();
            api_not_found(res, &what).await;
            // From another site, with the session cookie.
            let res =
                app.client.request(m, app.url(path)).header("origin", "https://evil.example").header("sec-fetch-site", "cross-site").send().await.unwrap();
            api_not_found(res, &what).await;
        }
    }
}

#[tokio::test]
async fn known_api_paths_and_the_portal_answer_as_before() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let send = |method: &str, path: &str| client.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), app.url(path));
    // A wrong method on a known path keeps its 405.
    for (method, path) in [
        ("GET", "/authorization/api/v1/authorize"),
        ("DELETE", "/authorization/api/v1/decision"),
        ("POST", "/accessmanagement/api/v1/authorizedparties"),
        ("PATCH", "/resourceregistry/api/v1/resource"),
        ("POST", "/resourceregistry/api/v1/resource/some-id/policy"),
    ] {
        let res = send(method, path).header("origin", &app.base).bearer_auth("test-pdp-key-0123456789").send().await.unwrap();
        assert_eq!(res.status(), 405, "{method} {path}");
    }
    // Known paths still authenticate their callers.
    assert_eq!(send("POST", "/authorization/api/v1/authorize").json(&serde_json::json!({})).send().await.unwrap().status(), 401);
    assert_eq!(send("GET", "/accessmanagement/api/v1/authorizedparties?subject=14928810047").send().await.unwrap().status(), 401);
    assert_eq!(send("GET", "/resourceregistry/api/v1/resource").send().await.unwrap().status(), 401);
    // The session-authenticated resource registry is still CSRF-checked.
    let res = send("POST", "/resourceregistry/api/v1/resource").header("origin", "https://evil.example").json(&serde_json::json!({})).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["code"], "csrf");
    // Outside the API prefixes the portal answers as before: its HTML page for
    // an unknown page, and the CSRF check for a cross-site POST.
    let res = send("GET", "/no-such-page").send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    for path in ["/no-such-page", "/authorization", "/api/no_such_function"] {
        let res = send("POST", path).header("origin", "https://evil.example").send().await.unwrap();
        assert_eq!(res.status(), 403, "{path}");
        assert_eq!(res.json::<serde_json::Value>().await.unwrap()["code"], "csrf", "{path}");
    }
}

#[tokio::test]
async fn a_cross_site_request_to_a_path_ending_in_token_is_checked() {
    let app = spawn_app().await;
    app.act_for("14928810047", "Bakeri Hansen AS").await;
    // A resource named `token` in the session-authenticated registry: refused
    // like any other cross-site change, before the handler.
    for method in ["PUT", "DELETE"] {
        let res = app
            .client
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), app.url("/resourceregistry/api/v1/resource/token"))
            .header("origin", "https://evil.example")
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{method}");
        assert_eq!(res.json::<serde_json::Value>().await.unwrap()["code"], "csrf", "{method}");
    }
    // The test provider's token endpoint, called server to server, is not.
    let res = reqwest::Client::new().post(app.url("/idp/token")).form(&[("grant_type", "authorization_code")]).send().await.unwrap();
    assert_ne!(res.status(), 403);
    // Nor is the token service, which is outside the layer.
    let res = reqwest::Client::new().post(app.url("/token")).header("origin", "https://evil.example").form(&[("grant_type", "x")]).send().await.unwrap();
    assert_eq!(res.status(), 400);
}
