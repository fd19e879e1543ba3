//! Client administration in the portal over real HTTP, without JavaScript:
//! the firm's client administrator sees its agent system users and, for one,
//! its clients whole in the first HTML; searches and hides attached clients
//! with a plain GET form; adds and removes a client with plain POST forms
//! that return to the page; and starts "add all", which the server finishes
//! while the page shows its progress. A person who may act for the firm but
//! is no client administrator is refused by every server function. The
//! client sees the firm and its system user on its own side (/klientforhold).

use crate::common::agents::{firm_system_user, LONN, OLA};
use crate::common::*;
use domain::system_user_requests::SystemUserKind;

const FIRM_NAME: &str = "Tall og Tro Regnskap AS";
const BAKERY: &str = "310400009";
const GUNN: &str = "11839110083"; // holds nothing until the firm gives her a package
const RITA: &str = "17889210079"; // on the firm's board: one of its people
const BJORN: &str = "14928810047"; // general manager of the bakery

/// Posts a form as a browser without JavaScript does, from `referer`: `303` back there.
async fn posted_back(app: &TestApp, endpoint: &str, referer: &str, form: &[(&str, &str)]) {
    let res = app.post_form(endpoint, referer, form).await;
    assert_eq!((res.status().as_u16(), app.location(&res)), (303, app.url(referer)), "{endpoint}");
}

#[tokio::test]
async fn a_client_administrator_adds_and_removes_clients_and_adds_all_with_plain_forms() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let agent = firm_system_user(&pool, "regnskap", LONN, None, SystemUserKind::Agent).await.to_string();
    let bakery = test_support::org(&pool, BAKERY).await.0.to_string();
    app.act_for(OLA, FIRM_NAME).await;

    let (status, html) = app.page("/klienter").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("href=\"/klienter/{agent}\"")), "each agent links to its clients: {html}");
    assert!(html.contains("Regnskapsfører lønn"), "what it requires, by name");

    let here = format!("/klienter/{agent}");
    let (status, html) = app.page(&here).await;
    assert_eq!(status, 200);
    for expected in ["Bakeri Hansen AS", "Kystfisk AS", "Din virksomhet", "Mangler: Regnskapsfører lønn", "action=\"/api/attach_client\"", "Regnskapsfører"]
    {
        assert!(html.contains(expected), "{expected} in the first HTML");
    }
    assert!(!html.contains("Laster"), "whole in the first response");

    posted_back(&app, "attach_client", &here, &[("agent", &agent), ("client", &bakery)]).await;
    let (_, html) = app.page(&here).await;
    assert!(html.contains("Bakeri Hansen AS er lagt til systembrukeren."), "the banner");
    assert!(html.contains("action=\"/api/detach_client\""), "the bakery can be removed now");
    let (_, hidden) = app.page(&format!("{here}?skjul=1")).await;
    assert!(!hidden.contains("Bakeri Hansen AS") && hidden.contains("Kystfisk AS"), "attached clients hidden");
    let (_, searched) = app.page(&format!("{here}?sok=kyst")).await;
    assert!(searched.contains("Kystfisk AS") && !searched.contains("Bakeri Hansen AS"), "search by name");

    posted_back(&app, "detach_client", &here, &[("agent", &agent), ("client", &bakery)]).await;
    let (_, html) = app.page(&here).await;
    assert!(html.contains("Klienten er fjernet fra systembrukeren."));
    posted_back(&app, "detach_client", &here, &[("agent", &agent), ("client", &bakery)]).await;
    let (_, html) = app.page(&here).await;
    assert!(html.contains("Klienten er ikke knyttet til systembrukeren"), "removing twice says why, next to nothing changed");

    posted_back(&app, "attach_all_clients", &here, &[("agent", &agent)]).await;
    let (_, html) = app.page(&here).await;
    assert!(html.contains("data-job="), "the job is shown at once");
    // The server works the job; the page shows where it is.
    let mut done = String::new();
    for _ in 0..50 {
        let (_, html) = app.page(&here).await;
        if html.contains("data-running=\"false\"") {
            done = html;
            break;
        }
        assert!(html.contains("http-equiv=\"refresh\""), "a running job reloads the page");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(done.contains("Ferdig: 2 av 2 klienter er lagt til."), "{done}");
    let attached: i64 = sqlx::query_scalar("select count(*) from client_delegation where ended_at is null").fetch_one(&pool).await.unwrap();
    assert_eq!(attached, 2);

    // The system user's own page says what it requires of each client (with
    // each package's description), how
    // many clients it has, and leads to them; not that it "holds nothing".
    let (status, html) = app.page(&format!("/systembrukere/{agent}")).await;
    assert_eq!(status, 200);
    let expected_texts = [
        "Krever av hver klient",
        "Regnskapsfører lønn",
        "Regnskapsførers lønnsrelaterte tjenester for klienten.",
        "2 klienter knyttet til",
        &format!("href=\"/klienter/{agent}\""),
    ];
    for expected in expected_texts {
        assert!(html.contains(expected), "{expected} on the system user's page");
    }
    assert!(!html.contains("ingen tilgangspakker eller enkeltrettigheter"), "an agent is not said to hold nothing");
}

#[tokio::test]
async fn someone_who_is_no_client_administrator_is_refused_everything() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let agent = firm_system_user(&pool, "regnskap", LONN, None, SystemUserKind::Agent).await.to_string();
    let bakery = test_support::org(&pool, BAKERY).await.0.to_string();
    // Gunn may act for the firm (its manager gave her a package), but administers no clients.
    let services = test_support::services(&pool).await;
    let firm = test_support::org(&pool, crate::common::agents::FIRM).await;
    let ola = test_support::acting(&services, test_support::person(&pool, OLA).await, firm);
    let gunn = test_support::person(&pool, GUNN).await;
    domain::grants::service::grant_package_to(&ola, domain::grants::service::Recipient::Party(gunn), "regnskap-okonomi-rapport").await.unwrap();
    app.act_for(GUNN, FIRM_NAME).await;

    let (status, html) = app.page("/klienter").await;
    assert_eq!(status, 200);
    assert!(html.contains("Kun klientadministratorer kan administrere klienter."), "{html}");
    let nobody = uuid::Uuid::now_v7().to_string();
    let forms: [(&str, Vec<(&str, &str)>); 9] = [
        ("client_agents", vec![]),
        ("client_person_delegations", vec![]),
        ("client_passable", vec![("org_number", BAKERY)]),
        ("give_client_to_person", vec![("client", BAKERY), ("national_id", GUNN), ("surname", "Gjest"), ("packages[]", "regnskapsforer-lonn")]),
        ("take_client_from_person", vec![("delegation", &nobody)]),
        ("agent_clients", vec![("id", &agent), ("search", ""), ("hide_attached", "false"), ("after", "")]),
        ("attach_client", vec![("agent", &agent), ("client", &bakery)]),
        ("detach_client", vec![("agent", &agent), ("client", &bakery)]),
        ("attach_all_clients", vec![("agent", &agent)]),
    ];
    for (endpoint, form) in &forms {
        let res = app.server_fn(endpoint, form).await;
        assert_eq!(res.status(), 403, "{endpoint}");
        assert!(res.text().await.unwrap().contains("NotAllowed"), "{endpoint}");
    }
    let delegations: i64 = sqlx::query_scalar("select count(*) from client_delegation").fetch_one(&pool).await.unwrap();
    let jobs: i64 = sqlx::query_scalar("select count(*) from client_bulk_job").fetch_one(&pool).await.unwrap();
    assert_eq!((delegations, jobs), (0, 0), "nothing changed");
}

/// Persons as agents without JavaScript: Ola chooses the bakery with a GET
/// form, sees the packages it lets the firm pass on, gives Rita (on the
/// firm's board) one with a plain POST (after a wrong surname, and Gunn, who
/// is not one of the firm's people, each refused next to the field), sees
/// her in the list, and takes it back; a second removal says why.
#[tokio::test]
async fn a_client_administrator_gives_a_person_a_clients_package_and_takes_it_back_with_plain_forms() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    app.act_for(OLA, FIRM_NAME).await;

    let (status, html) = app.page("/klienter").await;
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/klienter/personer\""), "the way there");
    let (status, html) = app.page("/klienter/personer").await;
    assert_eq!(status, 200);
    assert!(html.contains("Ingen personer har fått tilgang til klienter ennå.") && !html.contains("Laster"), "{html}");

    let (_, html) = app.page("/klienter/personer?klient=310200018").await;
    assert!(html.contains("Virksomheten er ikke klient hos den valgte aktøren"), "another firm, refused under the field: {html}");
    assert!(html.contains("id=\"person-choose-message\""));

    let here = format!("/klienter/personer?klient={BAKERY}");
    let (status, html) = app.page(&here).await;
    assert_eq!(status, 200);
    for expected in ["Bakeri Hansen AS", "Regnskapsfører lønn", "action=\"/api/give_client_to_person\"", "name=\"packages[]\""] {
        assert!(html.contains(expected), "{expected} in the first HTML");
    }

    let form =
        |nin: &'static str, surname: &'static str| vec![("client", BAKERY), ("packages[]", "regnskapsforer-lonn"), ("national_id", nin), ("surname", surname)];
    posted_back(&app, "give_client_to_person", &here, &form(RITA, "Feil")).await;
    let (_, html) = app.page(&here).await;
    assert!(html.contains("Vi fant ingen person med dette fødselsnummeret og etternavnet."), "{html}");
    assert!(html.contains("id=\"person-nin-error\""), "the message next to the field");
    assert!(html.contains("aria-describedby=\"person-nin-error\""), "the field points at it");
    let count = || async { sqlx::query_scalar::<_, i64>("select count(*) from client_delegation").fetch_one(&pool).await.unwrap() };
    assert_eq!(count().await, 0, "a refusal changes nothing");
    posted_back(&app, "give_client_to_person", &here, &form(GUNN, "Gjest")).await;
    let (_, html) = app.page(&here).await;
    assert!(html.contains("Personen har ingen rolle eller tilgang i virksomheten."), "not one of the firm's people: {html}");
    assert!(html.contains("id=\"person-nin-error\""), "the message next to the field");
    assert_eq!(count().await, 0, "a refusal changes nothing");

    posted_back(&app, "give_client_to_person", &here, &form(RITA, "Regnskap")).await;
    let (_, html) = app.page(&here).await;
    assert!(html.contains("Rita Regnskap har fått tilgang til Bakeri Hansen AS."), "the banner: {html}");
    assert!(html.contains("data-delegation="), "listed");
    assert!(html.contains("Viser personene som har tilgang til klienten du har valgt."), "the chosen client's");
    let (_, other) = app.page("/klienter/personer?klient=310600008").await;
    assert!(!other.contains("data-delegation="), "another client's list has no one");
    let (_, all) = app.page("/klienter/personer").await;
    assert!(all.contains("data-delegation=") && !all.contains("Viser de første"), "all, and not cut short");
    let delegation: uuid::Uuid = sqlx::query_scalar("select id from client_delegation where ended_at is null").fetch_one(&pool).await.unwrap();

    posted_back(&app, "take_client_from_person", &here, &[("delegation", &delegation.to_string())]).await;
    let (_, html) = app.page(&here).await;
    assert!(html.contains("Tilgangen er fjernet.") && !html.contains("data-delegation="), "{html}");
    posted_back(&app, "take_client_from_person", &here, &[("delegation", &delegation.to_string())]).await;
    let (_, html) = app.page(&here).await;
    assert!(html.contains("Personen har ikke lenger denne klientens tilganger"), "twice says why");
}

/// The client's side, whole in the first HTML: the bakery's manager sees
/// its accounting firm by its register role and packages, and the firm's
/// system user attached to the bakery; someone at the bakery who is no
/// access manager is refused by the server function and told so on the page.
#[tokio::test]
async fn the_client_sees_who_acts_for_it_on_its_own_page() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let agent = firm_system_user(&pool, "regnskap", LONN, None, SystemUserKind::Agent).await;
    let services = test_support::services(&pool).await;
    let firm = test_support::org(&pool, crate::common::agents::FIRM).await;
    let bakery = test_support::org(&pool, BAKERY).await;
    let ola = test_support::acting(&services, test_support::person(&pool, OLA).await, firm);
    domain::clients::attach(&ola, agent, bakery.0).await.unwrap();

    app.act_for(BJORN, "Bakeri Hansen AS").await;
    let (status, html) = app.page("/klientforhold").await;
    assert_eq!(status, 200);
    for expected in [FIRM_NAME, "Regnskapsfører", "Regnskapsfører lønn", "Revisjon Nord AS", "Systembrukere og personer som handler for dere"] {
        assert!(html.contains(expected), "{expected} in the first HTML: {html}");
    }
    // The auditor comes first (by name) and has no system user for the bakery; the firm's is listed.
    let section = &html[html.find(&format!("data-firm=\"{}\"", firm.0)).expect("the firm's section")..];
    assert!(section.contains("Knyttet til siden") && !section.contains("Ingen av virksomhetens systembrukere"), "{section}");
    assert!(html.contains("Ingen av virksomhetens systembrukere for klienter eller personer handler for dere."), "the auditor's");
    assert!(!html.contains("Laster"), "whole in the first response");

    // Gunn may act for the bakery (Bjørn gave her a package) but manages no access there.
    let bjorn = test_support::acting(&services, test_support::person(&pool, BJORN).await, bakery);
    let gunn = test_support::person(&pool, GUNN).await;
    domain::grants::service::grant_package_to(&bjorn, domain::grants::service::Recipient::Party(gunn), "regnskap-okonomi-rapport").await.unwrap();
    app.act_for(GUNN, "Bakeri Hansen AS").await;
    for (endpoint, form) in [
        ("firms_acting_for_us", vec![]),
        ("rights_to_give", vec![]),
        ("give_right", vec![("kind", "organisation"), ("org_number", crate::common::agents::FIRM), ("right", "fjordby-rapportering:read")]),
    ] {
        assert_eq!(app.server_fn(endpoint, &form).await.status(), 403, "{endpoint}");
    }
    let rights: i64 =
        sqlx::query_scalar("select count(*) from access_grant where resource_id is not null and to_kind = 'party'").fetch_one(&pool).await.unwrap();
    assert_eq!(rights, 0, "nothing given");
    let (status, html) = app.page("/klientforhold").await;
    assert_eq!(status, 200);
    assert!(html.contains("Kun tilgangsstyrere kan se hvem som handler for virksomheten."), "{html}");
    assert!(!html.contains(FIRM_NAME), "nothing of the bakery's relationships");
}
