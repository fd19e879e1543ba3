//! Notices by e-mail through a real SMTP server on loopback (Python's
//! `aiosmtpd`, started by the test): the bakery's access manager keeps an
//! address in the portal (a bad one is refused by the field); a request
//! forwarded to the access managers leaves a notice in the portal and an
//! e-mail in the outbox; with the mail server down the attempt fails and is
//! kept for later; once it is up, the e-mail arrives — once.

use crate::common::smtp::{free_port, received, SmtpServer};
use crate::common::*;
use domain::authz::Scopes;
use domain::clock::FixedClock;
use domain::system_register::{SystemForCreate, SystemRight};
use domain::system_user_requests::{approval, service, RequestForCreate};
use server::mail::SmtpSender;
use std::sync::Arc;

const BJORN: &str = "14928810047"; // general manager of the bakery
const OLA: &str = "03908110020"; // the bakery's accountant, who manages no access there
const BAKERY: &str = "310400009";

#[tokio::test]
async fn a_forwarded_request_is_e_mailed_to_the_access_managers_once_the_mail_server_is_up() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    app.act_for(BJORN, "Bakeri Hansen AS").await;

    // The address, kept in the portal; a bad one is refused next to the field.
    let post = |email: &'static str| {
        app.client
            .post(app.url("/api/add_notification_address"))
            .header("origin", &app.base)
            .header("accept", "text/html")
            .header("referer", app.url("/varsler"))
            .form(&[("email", email)])
            .send()
    };
    assert_eq!(post("ikke en adresse").await.unwrap().status(), 303);
    let html = app.client.get(app.url("/varsler")).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Skriv en e-postadresse"), "the message by the field");
    assert_eq!(post("post@bakeri.example").await.unwrap().status(), 303);
    let addresses: i64 = sqlx::query_scalar("select count(*) from notification_address a join party p on p.id = a.party_id where p.org_number = '310400009'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(addresses, 1);

    // The vendor asks; the accountant, who cannot approve, forwards it.
    let operator = test_support::operator(&pool).await;
    let system =
        SystemForCreate { rights: vec![SystemRight { resource: "fjordby-rapportering".into(), action: None }], ..test_support::system("lonn", "Lønn Pluss") };
    domain::system_register::service::create(&operator, &system).await.unwrap();
    let services = test_support::services(&pool).await;
    let vendor = services.for_api_client("c", test_support::org(&pool, "310000000").await, Scopes::REQUEST_WRITE, None);
    let input = RequestForCreate {
        system_id: "310000000_lonn".into(),
        party_org_no: BAKERY.into(),
        rights: vec![SystemRight { resource: "fjordby-rapportering".into(), action: Some("read".into()) }],
        ..Default::default()
    };
    let id = service::send(&vendor, &input).await.unwrap().request.id;
    let bakery = test_support::org(&pool, BAKERY).await;
    approval::forward(&test_support::acting(&services, test_support::person(&pool, OLA).await, bakery), id).await.unwrap();
    let html = app.client.get(app.url("/varsler")).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Forespørsel om systembrukeren «Lønn Pluss» er sendt videre til dere"), "the notice in the portal");
    assert!(html.contains(&format!("href=\"/systembrukere/foresporsel/{id}\"")));

    // The mail server is down: the attempt fails and waits.
    let port = free_port();
    let sender = SmtpSender::new(&format!("smtp://127.0.0.1:{port}"), "Fullmakt <noreply@fullmakt.example>").unwrap();
    let mail = services.for_operator("mail");
    let run = domain::notifications::deliver_due(&mail, &sender, &app.base, 100).await.unwrap();
    assert_eq!((run.sent, run.retrying, run.failed), (0, 1, 0));
    let (status, attempts): (String, i32) = sqlx::query_as("select status, attempts from notification_delivery").fetch_one(&pool).await.unwrap();
    assert_eq!((status.as_str(), attempts), ("pending", 1));

    // Up again: not before its pause is over, then once.
    let dir = std::env::temp_dir().join(format!("fullmakt-mail-{port}"));
    let _ = std::fs::remove_dir_all(&dir);
    let _server = SmtpServer::start(port, &dir).await;
    assert_eq!(domain::notifications::deliver_due(&mail, &sender, &app.base, 100).await.unwrap().sent, 0, "it waits for its pause");
    let later = test_support::services_with_clock(&pool, Arc::new(FixedClock::at(time::OffsetDateTime::now_utc() + time::Duration::minutes(2)))).await;
    let later = later.for_operator("mail");
    assert_eq!(domain::notifications::deliver_due(&later, &sender, &app.base, 100).await.unwrap().sent, 1);
    assert_eq!(domain::notifications::deliver_due(&later, &sender, &app.base, 100).await.unwrap().sent, 0, "never twice");

    let mails = received(&dir);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let (to, subject, body) = &mails[0];
    assert_eq!(to, "post@bakeri.example");
    assert_eq!(subject, "Forespørsel om systembruker for Bakeri Hansen AS");
    assert!(body.contains(&format!("{}/systembrukere/foresporsel/{id}?party={BAKERY}", app.base.trim_end_matches('/'))), "{body}");
    let audited: i64 = sqlx::query_scalar("select count(*) from audit_event where action like 'notification.%'").fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 2, "the failed attempt and the delivery");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_person_without_the_right_is_refused_by_every_notice_function() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    app.act_for(OLA, "Bakeri Hansen AS").await;
    for (endpoint, form) in [
        ("notices", vec![]),
        ("add_notification_address", vec![("email", "ola@example.org")]),
        ("remove_notification_address", vec![("email", "x@example.org")]),
    ] {
        let res = app.server_fn(endpoint, &form).await;
        assert!(res.status().is_client_error(), "{endpoint}: {}", res.status());
    }
    // The demo's only address is Sara Sponsor's own.
    let addresses: i64 =
        sqlx::query_scalar("select count(*) from notification_address where email <> 'sara.sponsor@example.org'").fetch_one(&pool).await.unwrap();
    assert_eq!(addresses, 0, "nothing changed");
    let refused: i64 = sqlx::query_scalar("select count(*) from audit_event where action like 'notification_address.%' and outcome = 'refused'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(refused, 2, "the refused changes are audited");
}
