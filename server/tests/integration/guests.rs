//! Guests and units over HTTP, without JavaScript: Sara Sponsor registers a
//! guest with a plain POST (a stay beyond the maximum first, refused next to
//! its field), sees the guest in "my guests" in the first HTML, and ends the
//! stay; the director keeps the units and the sponsors (a wrong import line
//! refused next to the field); a sponsor is refused every unit function and
//! the director, who is no sponsor, every guest function.

use crate::common::*;

const UNIVERSITY: &str = "Universitetet i Fjordby";
const SARA: &str = "24818910181";
const ADA: &str = "05858510084";

async fn posted_back(app: &TestApp, endpoint: &str, referer: &str, form: &[(&str, &str)]) {
    let res = app.post_form(endpoint, referer, form).await;
    assert_eq!((res.status().as_u16(), app.location(&res)), (303, app.url(referer)), "{endpoint}");
}

/// The date `days` from today, as an `<input type=date>` sends it.
fn day(days: i64) -> String {
    let d = (time::OffsetDateTime::now_utc() + time::Duration::days(days)).date();
    d.format(time::macros::format_description!("[year]-[month]-[day]")).unwrap()
}

/// Registers a guest with the plain POST form of `/gjester` (first day two
/// days from now), as the signed-in sponsor; `national_id` may be empty.
async fn register_with_form(app: &TestApp, unit: &str, given_name: &str, surname: &str, email: &str, national_id: &str, end: &str) {
    let start = day(2);
    let form = [
        ("unit", unit),
        ("given_name", given_name),
        ("surname", surname),
        ("email", email),
        ("national_id", national_id),
        ("start", start.as_str()),
        ("end", end),
    ];
    posted_back(app, "register_guest", "/gjester", &form).await;
}

/// A real SMTP server on loopback, its Maildir, and the portal's sender to it.
async fn smtp() -> (std::path::PathBuf, crate::common::smtp::SmtpServer, server::mail::SmtpSender) {
    let dir = tempdir();
    let port = crate::common::smtp::free_port();
    let server = crate::common::smtp::SmtpServer::start(port, &dir).await;
    let sender = server::mail::SmtpSender::new(&format!("smtp://127.0.0.1:{port}"), "Fullmakt <noreply@fullmakt.example>").unwrap();
    (dir, server, sender)
}

#[tokio::test]
async fn a_sponsor_registers_a_guest_and_ends_the_stay_with_plain_forms() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    app.act_for(SARA, UNIVERSITY).await;

    let (status, html) = app.page("/gjester").await;
    assert_eq!(status, 200);
    for expected in ["Registrer en gjest", "action=\"/api/register_guest\"", "value=\"NAT-KJEM\"", "Du har ingen gjester."] {
        assert!(html.contains(expected), "{expected} in the first HTML");
    }
    assert!(!html.contains("value=\"UB\""), "only her own units are offered");
    assert!(!html.contains("Laster"));

    register_with_form(&app, "NAT-KJEM", "Åse", "Ødegård", "aase@example.org", "", &day(40)).await;
    let (_, html) = app.page("/gjester").await;
    assert!(html.contains("Sluttdatoen må være etter første dag og innenfor lengste tillatte opphold."), "{html}");
    assert!(html.contains("id=\"guest-end-error\""), "the message next to the field");
    assert!(html.contains("value=\"aase@example.org\""), "what was typed is kept");
    let accounts: i64 = sqlx::query_scalar("select count(*) from guest_account").fetch_one(&pool).await.unwrap();
    assert_eq!(accounts, 0, "nothing changed");

    register_with_form(&app, "NAT-KJEM", "Åse", "Ødegård", "aase@example.org", "", &day(12)).await;
    let (_, html) = app.page("/gjester").await;
    assert!(html.contains("Åse Ødegård er registrert med brukernavnet aodegaard."), "{html}");
    assert!(html.contains("data-guest=\"aodegaard\"") && html.contains("Invitert") && html.contains("Kjemisk institutt"));

    let account: uuid::Uuid = sqlx::query_scalar("select id from guest_account").fetch_one(&pool).await.unwrap();
    let id = account.to_string();
    posted_back(&app, "end_guest", "/gjester", &[("account", &id), ("reason", "")]).await;
    let (_, html) = app.page("/gjester").await;
    assert!(html.contains("Skriv årsaken (høyst 500 tegn)."), "{html}");
    posted_back(&app, "end_guest", "/gjester", &[("account", &id), ("reason", "Besøket ble avlyst")]).await;
    let (_, html) = app.page("/gjester").await;
    assert!(html.contains("Gjestens konto er avsluttet.") && html.contains("Avsluttet"), "{html}");
    let state: String = sqlx::query_scalar("select state from guest_account").fetch_one(&pool).await.unwrap();
    assert_eq!(state, "deactivated");
}

#[tokio::test]
async fn the_director_keeps_units_and_sponsors_with_plain_forms() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    app.act_for(ADA, UNIVERSITY).await;

    let (status, html) = app.page("/enheter").await;
    assert_eq!(status, 200);
    for expected in ["data-unit=\"NAT-KJEM\"", "Kjemisk institutt", "Sara Sponsor", "Fakultet for naturvitenskap (NAT)", "action=\"/api/import_units\""] {
        assert!(html.contains(expected), "{expected} in the first HTML");
    }
    let units = "select count(*) from org_unit";
    let before: i64 = sqlx::query_scalar(units).fetch_one(&pool).await.unwrap();
    posted_back(&app, "import_units", "/enheter", &[("units", "FYS;Fysikk;Fysikk;Physics;NAT\nfeil linje\n")]).await;
    let (_, html) = app.page("/enheter").await;
    assert!(html.contains("Linje 2 i importen har feil form."), "{html}");
    assert!(html.contains("id=\"units-import-error\""), "next to the field");
    assert_eq!(sqlx::query_scalar::<_, i64>(units).fetch_one(&pool).await.unwrap(), before, "nothing half-done");
    posted_back(&app, "import_units", "/enheter", &[("units", "FYS;Fysikk;Fysikk;Physics;NAT\nFYS-A;Astrofysikk;Astrofysikk;Astrophysics;FYS\n")]).await;
    let (_, html) = app.page("/enheter").await;
    assert!(html.contains("Importen er lagret. Antall enheter: 2.") && html.contains("data-unit=\"FYS-A\""), "{html}");

    posted_back(&app, "appoint_sponsor", "/enheter", &[("national_id", SARA), ("surname", "Feil"), ("unit", "FYS")]).await;
    let (_, html) = app.page("/enheter").await;
    assert!(html.contains("Vi fant ingen person med dette fødselsnummeret og etternavnet."), "{html}");
    posted_back(&app, "appoint_sponsor", "/enheter", &[("national_id", SARA), ("surname", "Sponsor"), ("unit", "FYS")]).await;
    let (_, html) = app.page("/enheter").await;
    assert!(html.contains("Personen er nå sponsor.") && html.contains("Fysikk (FYS)"), "{html}");

    // The rules for guests: the values in force in the first HTML, a wrong field named next
    // to it with nothing changed, then saved; a new version of the terms.
    let (status, html) = app.page("/gjesteregler").await;
    assert_eq!(status, 200);
    for expected in ["id=\"policy-max-days\"", "value=\"30\"", "value=\"14, 7, 1\"", "Versjon 1, publisert", "action=\"/api/publish_guest_terms\""] {
        assert!(html.contains(expected), "{expected} in the first HTML");
    }
    let policy = [
        ("max_days", "400"),
        ("invite_days_before", ""),
        ("notice_days", "14, 7, 1"),
        ("claim_link_days", "7"),
        ("code_attempts", "5"),
        ("retention_days", "183"),
        ("username_prefix", ""),
    ];
    posted_back(&app, "save_guest_policy", "/gjesteregler", &policy).await;
    let (_, html) = app.page("/gjesteregler").await;
    assert!(html.contains("Skriv et helt tall innenfor grensene som står ved feltet.") && html.contains("id=\"policy-max-days-error\""), "{html}");
    assert!(html.contains("value=\"400\""), "what was typed is kept");
    let max: i32 = sqlx::query_scalar("select max_days from guest_policy").fetch_one(&pool).await.unwrap();
    assert_eq!(max, 30, "nothing changed");
    let mut policy = policy;
    policy[0].1 = "45";
    posted_back(&app, "save_guest_policy", "/gjesteregler", &policy).await;
    let (_, html) = app.page("/gjesteregler").await;
    assert!(html.contains("Reglene er lagret.") && html.contains("value=\"45\""), "{html}");
    let terms = [("text_nb", "Nye vilkår."), ("text_nn", "Nye vilkår."), ("text_en", "New terms.")];
    posted_back(&app, "publish_guest_terms", "/gjesteregler", &terms).await;
    let (_, html) = app.page("/gjesteregler").await;
    assert!(html.contains("Versjon 2 av vilkårene er publisert.") && html.contains("Versjon 2, publisert"), "{html}");
}

#[tokio::test]
async fn a_sponsor_keeps_no_units_and_the_director_registers_no_guests() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let nobody = uuid::Uuid::now_v7().to_string();
    let (start, end) = (day(2), day(5));

    app.act_for(SARA, UNIVERSITY).await;
    let (_, html) = app.page("/enheter").await;
    assert!(html.contains("Bare tilgangsstyrere i institusjonen kan se og endre enhetene og sponsorene."), "{html}");
    let (_, html) = app.page("/gjesteregler").await;
    assert!(html.contains("Bare tilgangsstyrere i institusjonen kan se og endre reglene og vilkårene for gjester."), "{html}");
    let unit_forms: [(&str, Vec<(&str, &str)>); 8] = [
        ("units_page", vec![]),
        ("guest_rules_page", vec![]),
        ("save_guest_policy", vec![("max_days", "45"), ("notice_days", "7"), ("claim_link_days", "7"), ("code_attempts", "5"), ("retention_days", "30")]),
        ("publish_guest_terms", vec![("text_nb", "X"), ("text_nn", "X"), ("text_en", "X")]),
        ("save_unit", vec![("unit_code", "X"), ("unit_name_nb", "X"), ("unit_name_nn", "X"), ("unit_name_en", "X"), ("unit_parent", "")]),
        ("import_units", vec![("units", "X;X;X;X;")]),
        ("appoint_sponsor", vec![("national_id", SARA), ("surname", "Sponsor"), ("unit", "")]),
        ("end_sponsor", vec![("sponsorship", &nobody)]),
    ];
    for (endpoint, form) in &unit_forms {
        let res = app.server_fn(endpoint, form).await;
        assert_eq!(res.status(), 403, "{endpoint}");
        assert!(res.text().await.unwrap().contains("NotAllowed"), "{endpoint}");
    }

    let app = app.another_browser();
    app.act_for(ADA, UNIVERSITY).await;
    let (_, html) = app.page("/gjester").await;
    assert!(html.contains("Bare sponsorer og brukerstøtte ved institusjonen kan registrere gjester."), "{html}");
    let guest_forms: [(&str, Vec<(&str, &str)>); 8] = [
        ("guests_page", vec![]),
        ("register_guest", vec![("unit", "NAT"), ("given_name", "Ivar"), ("surname", "Ikke"), ("email", "ivar@example.org"), ("start", &start), ("end", &end)]),
        ("extend_guest", vec![("account", &nobody), ("end", &end)]),
        ("end_guest", vec![("account", &nobody), ("reason", "x")]),
        ("resend_invitation", vec![("account", &nobody)]),
        ("reactivate_guest", vec![("account", &nobody), ("end", &end), ("reason", "x")]),
        ("suspend_guest", vec![("account", &nobody), ("reason", "x")]),
        ("resume_guest", vec![("account", &nobody)]),
    ];
    for (endpoint, form) in &guest_forms {
        let res = app.server_fn(endpoint, form).await;
        assert_eq!(res.status(), 403, "{endpoint}");
        assert!(res.text().await.unwrap().contains("NotAllowed"), "{endpoint}");
    }
    let changed: i64 =
        sqlx::query_scalar("select (select count(*) from guest_account) + (select count(*) from org_unit where code = 'X') + (select count(*) from guest_terms where version > 1) + (select count(*) from guest_policy where max_days <> 30)").fetch_one(&pool).await.unwrap();
    assert_eq!(changed, 0, "nothing changed");
    let refused: i64 = sqlx::query_scalar(
        "select count(*) from audit_event where outcome = 'refused' and action in ('unit.save', 'unit.import', 'sponsor.appoint', 'sponsor.end', 'guest.register', 'guest.extend', 'guest.end', 'guest.invite', 'guest.reactivate', 'guest.suspend', 'guest.resume', 'guest_policy.save', 'guest_terms.publish')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(refused, 13, "every refused change is audited");
}

/// The claim link in an e-mailed invitation.
fn token_in(body: &str) -> String {
    body.split("/gjest/").nth(1).unwrap().split_whitespace().next().unwrap().to_string()
}

/// A guest without a national identity number claims the account through
/// the invitation e-mailed over real SMTP, without JavaScript and without
/// logging in: asks for a code (e-mailed too), types a wrong one (refused
/// next to the field), then the right one with the terms accepted; the link
/// then works no more, and the sponsor sees the guest active.
#[tokio::test]
async fn a_guest_claims_the_account_through_the_e_mailed_link_with_plain_forms() {
    use crate::common::smtp::received;
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let (dir, _smtp, sender) = smtp().await;
    let services = test_support::services(&pool).await;
    let mail = services.for_operator("mail");
    let deliver = || async { domain::notifications::deliver_due(&mail, &sender, &app.base, 100).await.unwrap() };

    app.act_for(SARA, UNIVERSITY).await;
    // More than 14 days left: shown as active, not as expiring.
    register_with_form(&app, "NAT", "Åse", "Ødegård", "aase@example.org", "", &day(25)).await;
    assert_eq!(deliver().await.sent, 1);
    let invitation = received(&dir).into_iter().find(|(to, ..)| to == "aase@example.org").expect("the invitation");
    assert!(invitation.1.contains("Invitasjon fra Universitetet i Fjordby"), "{invitation:?}");
    let token = token_in(&invitation.2);
    let here = format!("/gjest/{token}");

    let guest = app.another_browser();
    let (status, html) = guest.page(&here).await;
    assert_eq!(status, 200);
    for expected in [
        "Hei, Åse Ødegård. Universitetet i Fjordby har registrert deg som gjest. Brukernavnet ditt er aodegaard.",
        "Versjon 1",
        "Send engangskode",
        "a•••@example.org",
    ] {
        assert!(html.contains(expected), "{expected} in the first HTML: {html}");
    }
    assert!(!html.contains("Laster"));

    posted_back(&guest, "send_claim_code", &here, &[("token", &token)]).await;
    let (_, html) = guest.page(&here).await;
    assert!(html.contains("Koden er sendt til a•••@example.org."), "{html}");
    assert_eq!(deliver().await.sent, 1);
    let code_mail = received(&dir).into_iter().find(|(_, subject, _)| subject.starts_with("Engangskode")).expect("the code");
    let code: String = code_mail.2.split("Engangskoden din er ").nth(1).unwrap().chars().take(6).collect();
    let wrong = if code == "000000" { "111111" } else { "000000" };

    posted_back(&guest, "claim_account", &here, &[("token", &token), ("via", "code"), ("one_time_code", wrong), ("terms", "1")]).await;
    let (_, html) = guest.page(&here).await;
    assert!(html.contains("Koden er feil eller utløpt.") && html.contains("id=\"claim-code-error\""), "{html}");
    posted_back(&guest, "claim_account", &here, &[("token", &token), ("via", "code"), ("one_time_code", &code), ("terms", "1")]).await;
    let (_, html) = guest.page(&here).await;
    assert!(html.contains("Kontoen din hos Universitetet i Fjordby er tatt i bruk. Brukernavnet ditt er aodegaard."), "{html}");
    let (_, html) = guest.page(&here).await;
    assert!(html.contains("Lenken virker ikke lenger"), "used once: {html}");

    let (_, html) = app.page("/gjester").await;
    assert!(html.contains("data-guest=\"aodegaard\"") && html.contains(">Aktiv<"), "{html}");
    let links: i64 = sqlx::query_scalar("select count(*) from guest_claim_link where ended_why = 'claimed'").fetch_one(&pool).await.unwrap();
    assert_eq!(links, 1);
}

/// A folder for the SMTP server's Maildir, not there yet (the server makes it).
fn tempdir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("fullmakt-guests-mail-{}", uuid::Uuid::new_v4().simple()))
}

/// A guest with a national identity number claims by logging in through
/// the OpenID Connect provider (the login's `pid` is hers), accepts the
/// terms, and sees her account and what it gives on `/meg`; another person's
/// login is refused.
#[tokio::test]
async fn a_guest_with_a_national_identity_number_claims_by_logging_in_and_sees_the_account() {
    use crate::common::smtp::received;
    const GUNN: &str = "11839110083";
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let (dir, _smtp, sender) = smtp().await;
    let services = test_support::services(&pool).await;
    let mail = services.for_operator("mail");

    app.act_for(SARA, UNIVERSITY).await;
    register_with_form(&app, "NAT", "Gunn", "Gjest", "gunn@example.org", GUNN, &day(25)).await;
    domain::notifications::deliver_due(&mail, &sender, &app.base, 100).await.unwrap();
    let token = token_in(&received(&dir).into_iter().find(|(to, ..)| to == "gunn@example.org").expect("the invitation").2);
    let here = format!("/gjest/{token}");

    // Sara is signed in, but the account is not hers.
    let (_, html) = app.page(&here).await;
    assert!(html.contains("Du er logget inn som Sara Sponsor."), "{html}");
    posted_back(&app, "claim_account", &here, &[("token", &token), ("via", "login"), ("terms", "1")]).await;
    let (_, html) = app.page(&here).await;
    assert!(html.contains("Kontoen er registrert på en annen person enn den som er logget inn."), "{html}");

    let gunn = app.another_browser();
    let (_, html) = gunn.page(&here).await;
    assert!(html.contains("Logg inn med ID-porten") && html.contains(&format!("href=\"/auth/login?return=/gjest/{token}\"")), "{html}");
    let back = gunn.login_to(&format!("/auth/login?return=/gjest/{token}"), GUNN).await;
    assert!(back.ends_with(&here), "the login returns to the link: {back}");
    posted_back(&gunn, "claim_account", &here, &[("token", &token), ("via", "login"), ("terms", "1")]).await;
    let (_, html) = gunn.page(&here).await;
    assert!(html.contains("Kontoen din hos Universitetet i Fjordby er tatt i bruk. Brukernavnet ditt er ggjest."), "{html}");

    let (status, html) = gunn.page("/meg").await;
    assert_eq!(status, 200);
    for expected in [
        "Universitetet i Fjordby",
        "ggjest",
        "Fakultet for naturvitenskap",
        "Sara Sponsor",
        "Aktiv",
        "Gjest ved Universitetet i Fjordby",
        "Gjestetilgang ved Universitetet i Fjordby",
    ] {
        assert!(html.contains(expected), "{expected} on /meg: {html}");
    }
    let (_, html) = app.page("/meg").await;
    assert!(html.contains("Du har ingen gjestekontoer."), "Sara's own: {html}");
}

/// `POST /test/clock`: absent unless the server was started with the test
/// clock; there, a bad body or a step back is a 400 problem that moves
/// nothing, and a move runs the lifecycle job at once (a guest whose end
/// date came is deactivated) and is audited.
#[tokio::test]
async fn the_test_clock_moves_only_forward_only_when_on_and_runs_the_lifecycle_job() {
    let plain = spawn_app().await;
    // With the portal's own origin, so that the CSRF check lets it through to the router.
    let res = plain.client.post(plain.url("/test/clock")).header("origin", &plain.base).json(&serde_json::json!({ "days": 1 })).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 404, "no such route without FULLMAKT_TEST_CLOCK");

    let app = spawn_with(|c| c.test_clock = true).await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    app.act_for(SARA, UNIVERSITY).await;
    register_with_form(&app, "NAT", "Åse", "Ødegård", "aase@example.org", "", &day(12)).await;
    let move_by = |body: serde_json::Value| {
        let req = app.client.post(app.url("/test/clock")).json(&body);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let problem = res.headers().get("content-type").is_some_and(|v| v == "application/problem+json");
            (status, problem, res.json::<serde_json::Value>().await.unwrap())
        }
    };
    for (body, code) in [
        (serde_json::json!({ "days": -1 }), "test_clock.refused"),
        (serde_json::json!({ "days": 401 }), "test_clock.refused"),
        (serde_json::json!({ "hours": 24 }), "test_clock.bad_request"),
        (serde_json::json!({ "days": "12" }), "test_clock.bad_request"),
    ] {
        let (status, problem, answer) = move_by(body.clone()).await;
        assert_eq!((status, problem, answer["code"].as_str()), (400, true, Some(code)), "{body}: {answer}");
    }
    let (status, _, answer) = move_by(serde_json::json!({ "days": 0 })).await;
    assert_eq!((status, answer["offset_days"].as_i64(), answer["deactivated"].as_i64()), (200, Some(0), Some(0)), "nothing moved before: {answer}");

    let (status, _, answer) = move_by(serde_json::json!({ "days": 12 })).await;
    assert_eq!((status, answer["offset_days"].as_i64(), answer["deactivated"].as_i64()), (200, Some(12), Some(1)), "{answer}");
    let state: String = sqlx::query_scalar("select state from guest_account").fetch_one(&pool).await.unwrap();
    assert_eq!(state, "deactivated");
    let moves: i64 = sqlx::query_scalar("select count(*) from audit_event where action = 'test.clock'").fetch_one(&pool).await.unwrap();
    assert_eq!(moves, 2, "each move is audited, the refused ones moved nothing");
}

/// The first six digits in a text.
fn code_in(text: &str) -> String {
    text.as_bytes().windows(6).find(|w| w.iter().all(u8::is_ascii_digit)).map(|w| String::from_utf8(w.to_vec()).unwrap()).expect("a code")
}

/// A guest without a national identity number logs in with a one-time code, with plain
/// forms: the page is whole in its first HTML; a malformed address is refused next to its
/// field; the code goes by text message (the guest gave a mobile); a wrong code is refused
/// next to its field; the right one starts a session and leads to `/meg`, which shows the
/// account.
#[tokio::test]
async fn a_guest_without_a_national_identity_number_logs_in_with_a_code_and_plain_forms() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    app.act_for(SARA, UNIVERSITY).await;
    let (start, end) = (day(1), day(12));
    let form = [
        ("unit", "NAT-KJEM"),
        ("given_name", "Olga"),
        ("surname", "Utland"),
        ("email", "olga@example.org"),
        ("mobile", "+46 70 123 45 67"),
        ("national_id", ""),
        ("start", start.as_str()),
        ("end", end.as_str()),
    ];
    posted_back(&app, "register_guest", "/gjester", &form).await;
    // Olga claimed hers (the claim by code is tested above).
    sqlx::query("update guest_account set state = 'active', claimed_at = now()").execute(&pool).await.unwrap();

    let guest = app.another_browser();
    let (status, html) = guest.page("/gjest-innlogging").await;
    assert_eq!(status, 200);
    for expected in ["Logg inn som gjest", "action=\"/api/send_guest_login_code\"", "action=\"/api/guest_log_in\"", "id=\"login-code\""] {
        assert!(html.contains(expected), "{expected} in the first HTML");
    }
    posted_back(&guest, "send_guest_login_code", "/gjest-innlogging", &[("email", "ikke en adresse")]).await;
    let (_, html) = guest.page("/gjest-innlogging").await;
    assert!(html.contains("id=\"code-email-error\""), "next to the field: {html}");
    posted_back(&guest, "send_guest_login_code", "/gjest-innlogging", &[("email", "olga@example.org")]).await;
    let (_, html) = guest.page("/gjest-innlogging").await;
    assert!(html.contains("Hvis adressen hører til en gjest, har vi sendt en kode."), "{html}");
    let text: String =
        sqlx::query_scalar("select body from sms_outbox where body like '%logge inn%' order by created_at desc limit 1").fetch_one(&pool).await.unwrap();
    let code = code_in(&text);
    let wrong = if code == "000000" { "111111" } else { "000000" };

    posted_back(&guest, "guest_log_in", "/gjest-innlogging", &[("email", "olga@example.org"), ("one_time_code", wrong)]).await;
    let (_, html) = guest.page("/gjest-innlogging").await;
    assert!(html.contains("Koden er feil eller utløpt.") && html.contains("id=\"login-code-error\""), "{html}");
    let res = guest.post_form("guest_log_in", "/gjest-innlogging", &[("email", "olga@example.org"), ("one_time_code", &code)]).await;
    assert_eq!((res.status().as_u16(), guest.location(&res)), (303, guest.url("/meg")));
    let (_, html) = guest.page("/meg").await;
    assert!(html.contains("data-account=\"outland\"") && html.contains("Universitetet i Fjordby"), "{html}");
    let logins: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action = 'guest.login' and outcome = 'success'").fetch_one(&pool).await.unwrap();
    assert_eq!(logins, 1);
}
