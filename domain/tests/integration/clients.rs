//! Client administration against PostgreSQL (scenarios S1, S2, S3): a firm's
//! client administrator attaches the clients that give the firm every
//! package an agent system user requires, the engine then permits the system
//! user for those clients and no others, and the delegations end when what
//! they depended on ends (a removal, a revoked grant, a register import, the
//! system user's deletion). Refusals change nothing and are audited.

use domain::authorized_parties::authorized_parties;
use domain::clients::{self, bulk, ClientError, Show, Via};
use domain::decisions::{decide, DecisionRequest, Env, Outcome, SubjectRef};
use domain::parties::PartyId;
use domain::system_user_requests::{approval, service as requests, RequestForCreate, SystemUserKind};
use domain::{Context, Services};
use sqlx::PgPool;
use test_support::demo as people;
use uuid::Uuid;

const LONN: &str = "regnskapsforer-lonn";
const MVA: &str = "merverdiavgift";
const EIENDOM: &str = "forretningsforer-eiendom";
const HOUSING_COOP: &str = "310500003";
const BUSINESS_MANAGER: &str = "310300004";
const FREDRIK: &str = "30909810090";
const AUDITING_FIRM: &str = "310200018";
const PER: &str = "21926310140";
const FISHING: &str = "310600008";

fn urn(code: &str) -> String {
    format!("urn:altinn:accesspackage:{code}")
}

/// A system offering every package the tests ask for, and a resource each
/// package permits `read` on.
async fn setup(pool: &PgPool) -> Services {
    test_support::demo_world(pool).await;
    let system = domain::system_register::SystemForCreate {
        packages: [LONN, MVA, EIENDOM].iter().map(|c| urn(c)).collect(),
        ..test_support::system("klient", "Klientsystemet")
    };
    test_support::register_system(pool, &system).await;
    for package in [LONN, MVA, EIENDOM] {
        test_support::save_resource(pool, people::SERVICE_OWNER, &test_support::resource(&format!("tjeneste-{package}"), package, &["read"])).await;
    }
    test_support::services(pool).await
}

/// An agent system user of the firm `firm_no`, requiring `packages`,
/// approved by its general manager `manager`. Returns it and the manager's context.
async fn agent(pool: &PgPool, services: &Services, firm_no: &str, manager: &str, packages: &[&str]) -> (Uuid, Context) {
    let vendor =
        services.for_api_client("0193d0e0-0000-7000-8000-000000000001", test_support::org(pool, "310000000").await, domain::authz::Scopes::REQUEST_WRITE, None);
    let request = RequestForCreate {
        kind: SystemUserKind::Agent,
        system_id: "310000000_klient".into(),
        party_org_no: firm_no.into(),
        packages: packages.iter().map(|c| urn(c)).collect(),
        ..Default::default()
    };
    let sent = requests::send(&vendor, &request).await.expect("sent").request;
    let firm = test_support::org(pool, firm_no).await;
    let admin = test_support::acting(services, test_support::person(pool, manager).await, firm);
    approval::approve(&admin, sent.id).await.expect("approved");
    (sent.id, admin)
}

fn may_read(ctx: &Context, system_user: Uuid, package: &str, party: PartyId) -> Outcome {
    let request = DecisionRequest {
        subject: SubjectRef::SystemUser(system_user),
        action: "read",
        resource: &format!("tjeneste-{package}"),
        party: party.0,
        env: Env::now(),
    };
    decide(&ctx.snapshot(), &request).outcome
}

/// Imports a register feed with every demo role but the accounting firm's
/// REGN for the bakery, so that role ends.
async fn import_without_the_bakerys_accountant(pool: &PgPool) -> domain::register::ImportCounts {
    let roles: Vec<String> = domain::demo::REGISTER_ROLES
        .iter()
        .filter(|(role, holder, for_org)| !(*role == "REGN" && *holder == people::ACCOUNTING_FIRM && *for_org == people::BAKERY))
        .map(|(role, holder, for_org)| format!(r#"{{"role": "{role}", "holder": "{holder}", "for": "{for_org}"}}"#))
        .collect();
    let feed = format!(r#"{{"organisations": [], "persons": [], "roles": [{}]}}"#, roles.join(","));
    let feed = domain::register::parse_json(&feed, domain::parties::SyntheticIds::Accept).unwrap();
    domain::register::import(&test_support::operator(pool).await, &feed, "feed.json", &mut |_, _| {}).await.unwrap()
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// S1: the firm is the registered accountant (REGN) of the bakery and the
/// fishing company.
#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn s1_an_accountant_attaches_a_registered_client_and_the_system_user_acts_for_it_alone(pool: PgPool) {
    let services = setup(&pool).await;
    let (su, ola) = agent(&pool, &services, people::ACCOUNTING_FIRM, people::OLA, &[LONN]).await;
    let bakery = test_support::org(&pool, people::BAKERY).await;
    let fishing = test_support::org(&pool, FISHING).await;

    let agents = clients::agents(&ola).await.unwrap();
    assert_eq!(agents.iter().map(|a| (a.id, a.clients)).collect::<Vec<_>>(), [(su, 0)]);
    assert_eq!(agents[0].requires.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(), [LONN]);

    let page = clients::clients(&ola, su, Show::All, "", None).await.unwrap();
    let names: Vec<(&str, bool, bool)> = page.clients.iter().map(|c| (c.name.as_str(), c.own_organisation, c.offered())).collect();
    assert_eq!(names, [("Tall og Tro Regnskap AS", true, false), ("Bakeri Hansen AS", false, true), ("Kystfisk AS", false, true)], "{page:#?}");
    assert_eq!(page.clients[0].missing, [LONN], "the package is not assignable in one's own organisation");
    assert_eq!(page.clients[1].given[0].via, Via::Role { code: "REGN".into() });
    assert!(clients::clients(&ola, su, Show::All, "kyst", None).await.unwrap().clients.iter().map(|c| c.id).eq([fishing.0]), "search by name");
    assert!(clients::clients(&ola, su, Show::All, "3104", None).await.unwrap().clients.iter().map(|c| c.id).eq([bakery.0]), "by number");

    assert_eq!(may_read(&ola, su, LONN, bakery), Outcome::NotApplicable, "nothing before a client is attached");
    let attached = clients::attach(&ola, su, bakery.0).await.unwrap();
    assert_eq!(attached.client_name, "Bakeri Hansen AS");
    assert_eq!(may_read(&ola, su, LONN, bakery), Outcome::Permit);
    assert_eq!(may_read(&ola, su, LONN, fishing), Outcome::NotApplicable, "a client not attached");
    assert_eq!(may_read(&ola, su, MVA, bakery), Outcome::NotApplicable, "a package the system user does not require");
    let parties: Vec<Uuid> = authorized_parties(&ola.snapshot(), SubjectRef::SystemUser(su), None).iter().map(|p| p.party.id).collect();
    assert_eq!(parties, [bakery.0], "its authorized parties are exactly its clients");

    let available = clients::clients(&ola, su, Show::Available, "", None).await.unwrap();
    assert!(available.clients.iter().map(|c| c.id).eq([fishing.0]), "attached clients and the firm itself are hidden");
    assert!(clients::clients(&ola, su, Show::Attached, "", None).await.unwrap().clients.iter().map(|c| c.id).eq([bakery.0]));
    assert!(matches!(clients::attach(&ola, su, bakery.0).await, Err(ClientError::AlreadyAttached)));

    clients::detach(&ola, su, bakery.0).await.unwrap();
    assert_eq!(may_read(&ola, su, LONN, bakery), Outcome::NotApplicable, "removed");
    assert!(matches!(clients::detach(&ola, su, bakery.0).await, Err(ClientError::NotAttached)), "removing twice");
    assert_eq!(count(&pool, "select count(*) from audit_event where action in ('client.attach', 'client.detach') and outcome = 'success'").await, 2);
    assert_eq!(count(&pool, "select count(*) from audit_event where action in ('client.attach', 'client.detach') and outcome = 'refused'").await, 2);
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn what_may_not_be_attached_is_refused_audited_and_changes_nothing(pool: PgPool) {
    let services = setup(&pool).await;
    let (su, ola) = agent(&pool, &services, people::ACCOUNTING_FIRM, people::OLA, &[LONN]).await;
    let firm = test_support::org(&pool, people::ACCOUNTING_FIRM).await;
    let bakery = test_support::org(&pool, people::BAKERY).await;
    let coop = test_support::org(&pool, HOUSING_COOP).await;

    // A person who is not the firm's client administrator: every use case.
    let gunn = test_support::acting(&services, test_support::person(&pool, people::GUNN).await, firm);
    assert!(matches!(clients::agents(&gunn).await, Err(ClientError::NotClientAdministrator)));
    assert!(matches!(clients::clients(&gunn, su, Show::All, "", None).await, Err(ClientError::NotClientAdministrator)));
    assert!(matches!(clients::attach(&gunn, su, bakery.0).await, Err(ClientError::NotClientAdministrator)));
    assert!(matches!(clients::detach(&gunn, su, bakery.0).await, Err(ClientError::NotClientAdministrator)));
    assert!(matches!(bulk::start(&gunn, su).await, Err(ClientError::NotClientAdministrator)));
    // The bakery's manager acting for the bakery has no agent system user by that id.
    let bjorn = test_support::acting(&services, test_support::person(&pool, people::BJORN).await, bakery);
    assert!(matches!(clients::attach(&bjorn, su, bakery.0).await, Err(ClientError::AgentNotFound)));

    // Another firm's client (the housing co-operative is the business manager's).
    assert!(matches!(clients::attach(&ola, su, coop.0).await, Err(ClientError::ClientNotFound)));
    // A party that is no party at all.
    assert!(matches!(clients::attach(&ola, su, Uuid::now_v7()).await, Err(ClientError::ClientNotFound)));
    // The firm itself, when the package cannot be assigned in one's own organisation.
    assert!(matches!(clients::attach(&ola, su, firm.0).await, Err(ClientError::MissingPackages(m)) if m == [LONN]));
    // A standard system user of the firm.
    let standard = Uuid::now_v7();
    sqlx::query("insert into system_user (id, system_id, party_id, external_ref) values ($1, '310000000_klient', $2, 'std')")
        .bind(standard)
        .bind(firm.0)
        .execute(&pool)
        .await
        .unwrap();
    assert!(matches!(clients::attach(&ola, standard, bakery.0).await, Err(ClientError::NotAnAgent)));
    assert!(matches!(clients::clients(&ola, standard, Show::All, "", None).await, Err(ClientError::NotAnAgent)));

    assert_eq!(count(&pool, "select count(*) from client_delegation").await, 0, "nothing attached");
    assert_eq!(count(&pool, "select count(*) from audit_event where action like 'client.%' and outcome = 'refused'").await, 8);
}

/// S2: the business manager (FFØR) serves the housing co-operative, which
/// gives it `forretningsforer-eiendom`; a company that is no housing
/// co-operative or condominium gives it nothing, and says so.
#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn s2_a_business_manager_attaches_a_housing_cooperative_but_not_a_company(pool: PgPool) {
    let services = setup(&pool).await;
    let (su, fredrik) = agent(&pool, &services, BUSINESS_MANAGER, FREDRIK, &[EIENDOM]).await;
    let manager = test_support::org(&pool, BUSINESS_MANAGER).await;
    let coop = test_support::org(&pool, HOUSING_COOP).await;
    let bakery = test_support::org(&pool, people::BAKERY).await;
    let mut conn = pool.acquire().await.unwrap();
    domain::register_roles::assign_register_role(&mut conn, "forretningsforer", manager, bakery).await.unwrap();
    drop(conn);

    let page = clients::clients(&fredrik, su, Show::All, "", None).await.unwrap();
    let bakery_row = page.clients.iter().find(|c| c.id == bakery.0).expect("the register makes the bakery a client");
    assert_eq!(bakery_row.missing, [EIENDOM], "FFØR gives the package only for BRL and ESEK");
    assert!(matches!(clients::attach(&fredrik, su, bakery.0).await, Err(ClientError::MissingPackages(m)) if m == [EIENDOM]));
    clients::attach(&fredrik, su, coop.0).await.unwrap();
    assert_eq!(may_read(&fredrik, su, EIENDOM, coop), Outcome::Permit);
    assert_eq!(may_read(&fredrik, su, EIENDOM, bakery), Outcome::NotApplicable);
}

/// S3: the auditing firm is not the bakery's accountant; the bakery grants
/// it `merverdiavgift`, and from then on the bakery can be attached. When
/// the bakery revokes the grant, the client goes from the system user in
/// the same transaction, audited with the cause.
#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn s3_a_client_grants_the_firm_a_package_and_revoking_it_removes_the_client(pool: PgPool) {
    let services = setup(&pool).await;
    let (su, per) = agent(&pool, &services, AUDITING_FIRM, PER, &[MVA]).await;
    let firm = test_support::org(&pool, AUDITING_FIRM).await;
    let bakery = test_support::org(&pool, people::BAKERY).await;
    assert!(matches!(clients::attach(&per, su, bakery.0).await, Err(ClientError::MissingPackages(m)) if m == [MVA]), "REVI does not give it");

    let bjorn = test_support::acting(&services, test_support::person(&pool, people::BJORN).await, bakery);
    let grant = domain::grants::service::grant_package_to(&bjorn, domain::grants::service::Recipient::Party(firm), MVA).await.unwrap();
    let row = clients::clients(&per, su, Show::Available, "bakeri", None).await.unwrap().clients.pop().expect("offered now");
    assert_eq!(row.given[0].via, Via::Grant { grant });
    clients::attach(&per, su, bakery.0).await.unwrap();
    assert_eq!(may_read(&per, su, MVA, bakery), Outcome::Permit);

    domain::grants::service::revoke(&bjorn, grant).await.unwrap();
    assert_eq!(may_read(&per, su, MVA, bakery), Outcome::NotApplicable, "the PDP stops permitting at once");
    assert_eq!(count(&pool, "select count(*) from client_delegation where ended_at is null").await, 0);
    let cause: String =
        sqlx::query_scalar("select details->>'cause' from audit_event where action = 'client.delegation_ended'").fetch_one(&pool).await.unwrap();
    assert_eq!(cause, "grant_revoked");
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'grant.revoke' and details->>'client_delegations_ended' = '1'").await, 1);
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_register_import_that_ends_the_role_ends_the_delegation(pool: PgPool) {
    let services = setup(&pool).await;
    let (su, ola) = agent(&pool, &services, people::ACCOUNTING_FIRM, people::OLA, &[LONN]).await;
    let bakery = test_support::org(&pool, people::BAKERY).await;
    let fishing = test_support::org(&pool, FISHING).await;
    clients::attach(&ola, su, bakery.0).await.unwrap();
    clients::attach(&ola, su, fishing.0).await.unwrap();

    let counts = import_without_the_bakerys_accountant(&pool).await;
    assert_eq!((counts.roles_ended, counts.client_delegations_ended), (1, 1));
    ola.engine_sees_changes().await;
    assert_eq!(may_read(&ola, su, LONN, bakery), Outcome::NotApplicable);
    assert_eq!(may_read(&ola, su, LONN, fishing), Outcome::Permit, "the other client stays");
    let cause: String = sqlx::query_scalar("select ended_cause from client_delegation where client_id = $1").bind(bakery.0).fetch_one(&pool).await.unwrap();
    assert_eq!(cause, "register_import");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn deleting_the_agent_system_user_removes_its_clients(pool: PgPool) {
    let services = setup(&pool).await;
    let (su, ola) = agent(&pool, &services, people::ACCOUNTING_FIRM, people::OLA, &[LONN]).await;
    let bakery = test_support::org(&pool, people::BAKERY).await;
    clients::attach(&ola, su, bakery.0).await.unwrap();
    domain::system_users::delete(&ola, su).await.unwrap();
    assert_eq!(count(&pool, "select count(*) from client_delegation where ended_at is null").await, 0);
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'system_user.delete' and details->>'clients_removed' = '1'").await, 1);
    assert!(!ola.snapshot().is_system_user(su));
    assert!(matches!(clients::attach(&ola, su, bakery.0).await, Err(ClientError::AgentNotFound)));
}

/// "Add all": a job on the server attaches every offered client in batches;
/// a client that stops being offered after the job started fails with its reason.
#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn add_all_attaches_every_offered_client_and_names_those_that_failed(pool: PgPool) {
    let services = setup(&pool).await;
    let (su, ola) = agent(&pool, &services, people::ACCOUNTING_FIRM, people::OLA, &[LONN]).await;
    let bakery = test_support::org(&pool, people::BAKERY).await;
    let job = bulk::start(&ola, su).await.unwrap();
    assert_eq!(bulk::start(&ola, su).await.unwrap(), job, "a second start finds the running job");
    let before = bulk::progress(&ola, job).await.unwrap();
    assert_eq!((before.total, before.handled(), before.running), (2, 0, true));

    // The bakery stops being the firm's client before the job reaches it.
    sqlx::query("update register_role set valid_to = now() where role_code = 'regnskapsforer' and for_party_id = $1")
        .bind(bakery.0)
        .execute(&pool)
        .await
        .unwrap();
    let installation = services.for_operator("client-jobs");
    let done = bulk::work(&installation).await.unwrap().expect("a job to work on");
    assert!(bulk::work(&installation).await.unwrap().is_none(), "nothing left");
    assert_eq!((done.total, done.attached, done.running), (2, 1, false));
    assert_eq!(done.failed.iter().map(|f| (f.name.as_str(), f.reason.as_str())).collect::<Vec<_>>(), [("Bakeri Hansen AS", "client_admin.client_not_found")]);
    assert_eq!(bulk::latest(&ola, su).await.unwrap().map(|j| j.id), Some(job));
    let fishing = test_support::org(&pool, FISHING).await;
    assert_eq!(may_read(&ola, su, LONN, fishing), Outcome::Permit);
    let gunn = test_support::acting(&services, test_support::person(&pool, people::GUNN).await, test_support::org(&pool, people::ACCOUNTING_FIRM).await);
    assert!(matches!(bulk::progress(&gunn, job).await, Err(ClientError::NotClientAdministrator)));
}

/// The client's side: the bakery's manager sees which firms act for it, how
/// (the register role, a grant the bakery gave), with which packages, and
/// which of the firm's agent system users it is attached to; someone at the
/// bakery who is no access manager is refused.
#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn the_client_sees_the_firms_acting_for_it_how_and_through_which_system_users(pool: PgPool) {
    use domain::clients::relationships::firms_acting_for;
    let services = setup(&pool).await;
    let (su, ola) = agent(&pool, &services, people::ACCOUNTING_FIRM, people::OLA, &[LONN]).await;
    let firm = test_support::org(&pool, people::ACCOUNTING_FIRM).await;
    let bakery = test_support::org(&pool, people::BAKERY).await;
    clients::attach(&ola, su, bakery.0).await.unwrap();
    let bjorn = test_support::acting(&services, test_support::person(&pool, people::BJORN).await, bakery);
    let grant = domain::grants::service::grant_package_to(&bjorn, domain::grants::service::Recipient::Party(firm), "regnskap-okonomi-rapport").await.unwrap();

    let firms = firms_acting_for(&bjorn).await.unwrap();
    let names: Vec<(&str, Vec<&str>)> = firms.iter().map(|f| (f.name.as_str(), f.roles.iter().map(String::as_str).collect())).collect();
    assert_eq!(names, [("Revisjon Nord AS", vec!["REVI"]), ("Tall og Tro Regnskap AS", vec!["REGN"])], "{firms:#?}");
    let accountant = &firms[1];
    assert!(accountant.packages.iter().any(|p| p.package.code == LONN && p.via == Via::Role { code: "REGN".into() }), "{accountant:#?}");
    assert!(accountant.packages.iter().any(|p| p.package.code == "regnskap-okonomi-rapport" && p.via == Via::Grant { grant }), "the grant, revocable");
    assert_eq!(accountant.agents.iter().map(|a| a.id).collect::<Vec<_>>(), [su]);
    assert_eq!(accountant.agents[0].packages.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(), [LONN]);
    assert!(firms[0].agents.is_empty(), "the auditor has no system user for the bakery");

    let gunn = test_support::acting(&services, test_support::person(&pool, people::GUNN).await, bakery);
    assert!(matches!(firms_acting_for(&gunn).await, Err(ClientError::NotAccessManager)));
}

/// S9, beyond Altinn: an agent system user that requires a single right of
/// each client instead of a package. The bakery is the firm's client (REGN)
/// but is not offered until it grants the firm exactly that right; then the
/// firm attaches it, the engine permits the system user that action for the
/// bakery alone, the client sees it on its own side, and revoking the grant
/// ends the delegation. Granting a right one may not pass on, or one the
/// resource does not have, is refused and changes nothing.
#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn s9_an_agent_requires_a_single_right_and_a_client_that_granted_exactly_it_is_attached(pool: PgPool) {
    use domain::clients::relationships::firms_acting_for;
    use domain::grants::{grant_right_to, GrantError};
    use domain::system_register::SystemRight;
    const RESOURCE: &str = "fjordby-rapportering";
    let services = setup(&pool).await;
    let system = domain::system_register::SystemForCreate {
        rights: vec![SystemRight { resource: RESOURCE.into(), action: Some("read".into()) }],
        ..test_support::system("rettighet", "Rettighetssystemet")
    };
    test_support::register_system(&pool, &system).await;
    let vendor = services.for_api_client(
        "0193d0e0-0000-7000-8000-000000000001",
        test_support::org(&pool, "310000000").await,
        domain::authz::Scopes::REQUEST_WRITE,
        None,
    );
    let request = RequestForCreate {
        kind: SystemUserKind::Agent,
        system_id: "310000000_rettighet".into(),
        party_org_no: people::ACCOUNTING_FIRM.into(),
        rights: system.rights.clone(),
        ..Default::default()
    };
    let su = requests::send(&vendor, &request).await.expect("an agent request for a right alone").request.id;
    let firm = test_support::org(&pool, people::ACCOUNTING_FIRM).await;
    let ola = test_support::acting(&services, test_support::person(&pool, people::OLA).await, firm);
    approval::approve(&ola, su).await.expect("approved");
    let key = domain::clients::Need::right_key(RESOURCE, "read");
    let agents = clients::agents(&ola).await.unwrap();
    assert_eq!(agents[0].requires.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), [key.as_str()]);
    assert_eq!(agents[0].requires[0].name.nb, "Rapportering til Universitetet i Fjordby (lese)");

    let bakery = test_support::org(&pool, people::BAKERY).await;
    let read = |ctx: &Context, action: &str, party: PartyId| {
        let request = DecisionRequest { subject: SubjectRef::SystemUser(su), action, resource: RESOURCE, party: party.0, env: Env::now() };
        decide(&ctx.snapshot(), &request).outcome
    };
    let row = |page: &clients::ClientPage| page.clients.iter().find(|c| c.id == bakery.0).cloned().expect("the bakery is a client");
    let page = clients::clients(&ola, su, Show::All, "", None).await.unwrap();
    assert_eq!(row(&page).missing, std::slice::from_ref(&key), "the right is missing");
    assert!(matches!(clients::attach(&ola, su, bakery.0).await, Err(ClientError::MissingPackages(m)) if m == [key.clone()]));
    assert!(page.clients.iter().any(|c| c.own_organisation && !c.offered()), "the firm gives itself no single right");

    // The bakery's manager grants the firm exactly the right; bad grants first.
    let bjorn = test_support::acting(&services, test_support::person(&pool, people::BJORN).await, bakery);
    let before = count(&pool, "select count(*) from access_grant").await;
    assert!(matches!(grant_right_to(&bjorn, firm, "ukjent-tjeneste", "read").await, Err(GrantError::UnknownRight(_))));
    assert!(matches!(grant_right_to(&bjorn, firm, RESOURCE, "sign").await, Err(GrantError::UnknownRight(_))), "an action the resource lacks");
    let gunn = test_support::acting(&services, test_support::person(&pool, people::GUNN).await, bakery);
    assert!(matches!(grant_right_to(&gunn, firm, RESOURCE, "read").await, Err(GrantError::NotAccessManager)));
    assert_eq!(count(&pool, "select count(*) from access_grant").await, before, "nothing granted");
    let grant = grant_right_to(&bjorn, firm, RESOURCE, "read").await.unwrap();
    assert!(matches!(grant_right_to(&bjorn, firm, RESOURCE, "read").await, Err(GrantError::AlreadyGranted(_))));

    let page = clients::clients(&ola, su, Show::Available, "", None).await.unwrap();
    assert!(page.clients.iter().map(|c| c.id).eq([bakery.0]), "offered now, and only the bakery");
    assert_eq!(row(&page).given[0].via, Via::Grant { grant });
    assert_eq!(read(&ola, "read", bakery), Outcome::NotApplicable, "not before it is attached");
    clients::attach(&ola, su, bakery.0).await.unwrap();
    assert_eq!(read(&ola, "read", bakery), Outcome::Permit);
    assert_eq!(read(&ola, "write", bakery), Outcome::NotApplicable, "exactly the action granted");
    assert_eq!(read(&ola, "read", test_support::org(&pool, FISHING).await), Outcome::NotApplicable, "another client");

    let firms = firms_acting_for(&bjorn).await.unwrap();
    let accountant = firms.iter().find(|f| f.id == firm.0).expect("the firm");
    assert!(accountant.packages.iter().any(|p| p.package.code == key && p.via == Via::Grant { grant }), "{accountant:#?}");
    assert_eq!(accountant.agents[0].packages.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(), [key.as_str()]);

    domain::grants::revoke(&bjorn, grant).await.unwrap();
    assert_eq!(read(&ola, "read", bakery), Outcome::NotApplicable, "the grant is gone, and with it the delegation");
    assert_eq!(count(&pool, "select count(*) from client_delegation where ended_cause = 'grant_revoked'").await, 1);
}

fn person_may_read(ctx: &Context, person: PartyId, package: &str, party: PartyId) -> Outcome {
    let request =
        DecisionRequest { subject: SubjectRef::Party(person.0), action: "read", resource: &format!("tjeneste-{package}"), party: party.0, env: Env::now() };
    decide(&ctx.snapshot(), &request).outcome
}

/// Deliverable 9: a client administrator gives one of the firm's people a
/// client's packages. The same rules as for agent system users (a client of
/// the firm, delegable packages the client gives), refusals that change
/// nothing, and the same cascade when the register ends the role.
#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_person_is_given_a_clients_package_by_the_rules_for_agents_and_loses_it_with_the_role(pool: PgPool) {
    use domain::clients::persons::{give_to_person, passable_client, person_delegations, take_from_person};
    let services = setup(&pool).await;
    let firm = test_support::org(&pool, people::ACCOUNTING_FIRM).await;
    let bakery = test_support::org(&pool, people::BAKERY).await;
    let fishing = test_support::org(&pool, FISHING).await;
    let ola = test_support::acting(&services, test_support::person(&pool, people::OLA).await, firm);
    let gunn_id = test_support::person(&pool, people::GUNN).await;
    let rita_id = test_support::person(&pool, people::RITA).await;

    let bakery_offers = passable_client(&ola, people::BAKERY).await.unwrap();
    assert_eq!(bakery_offers.name, "Bakeri Hansen AS");
    assert!(bakery_offers.packages.iter().any(|p| p.code == LONN), "{bakery_offers:#?}");
    assert!(!bakery_offers.packages.iter().any(|p| p.code == MVA), "REGN does not give it");
    assert_eq!(person_may_read(&ola, rita_id, LONN, bakery), Outcome::NotApplicable);

    // Refusals: each changes nothing.
    let refusals = [
        (people::BAKERY, people::RITA, "Regnskap", vec![MVA.to_string()], "not_passable"),
        (people::BAKERY, people::RITA, "Feil", vec![LONN.to_string()], "no_such_person"),
        (people::ACCOUNTING_FIRM, people::RITA, "Regnskap", vec![LONN.to_string()], "own"),
        (HOUSING_COOP, people::RITA, "Regnskap", vec![LONN.to_string()], "another firm's client"),
        ("123", people::RITA, "Regnskap", vec![LONN.to_string()], "malformed"),
        (people::BAKERY, people::RITA, "Regnskap", vec![" ".to_string()], "no package"),
        (people::BAKERY, people::GUNN, "Gjest", vec![LONN.to_string()], "not of the firm"),
    ];
    for (client, nin, surname, packages, why) in refusals {
        let refused = give_to_person(&ola, client, nin, surname, &packages).await.expect_err(why);
        let expected = match why {
            "not_passable" => matches!(&refused, ClientError::NotPassable(p) if p == &[MVA]),
            "no_such_person" => matches!(refused, ClientError::NoSuchPerson),
            "own" | "another firm's client" => matches!(refused, ClientError::ClientNotFound),
            "malformed" => matches!(refused, ClientError::Invalid("client", _)),
            "not of the firm" => matches!(refused, ClientError::NotOfTheFirm),
            _ => matches!(refused, ClientError::Invalid("packages", _)),
        };
        assert!(expected, "{why}: {refused:?}");
    }
    assert_eq!(count(&pool, "select count(*) from client_delegation").await, 0);
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'client.person_give' and outcome = 'refused'").await, 7);

    // Someone who is not the firm's client administrator: every use case.
    let gunn = test_support::acting(&services, gunn_id, firm);
    assert!(matches!(passable_client(&gunn, people::BAKERY).await, Err(ClientError::NotClientAdministrator)));
    assert!(matches!(person_delegations(&gunn, None).await, Err(ClientError::NotClientAdministrator)));
    assert!(matches!(give_to_person(&gunn, people::BAKERY, people::RITA, "Regnskap", &[LONN.into()]).await, Err(ClientError::NotClientAdministrator)));
    assert!(matches!(take_from_person(&gunn, &Uuid::now_v7().to_string()).await, Err(ClientError::NotClientAdministrator)));
    assert_eq!(
        count(&pool, "select count(*) from audit_event where action in ('client.person_give', 'client.person_take') and outcome = 'refused'").await,
        9,
        "seven bad gives, then Gunn's give and take"
    );

    let given = give_to_person(&ola, people::BAKERY, people::RITA, "Regnskap", &[LONN.into()]).await.unwrap();
    assert_eq!((given.client_name.as_str(), given.added.as_slice()), ("Bakeri Hansen AS", [LONN.to_string()].as_slice()));
    assert_eq!(person_may_read(&ola, rita_id, LONN, bakery), Outcome::Permit);
    assert_eq!(person_may_read(&ola, rita_id, LONN, fishing), Outcome::NotApplicable, "another client");
    assert_eq!(person_may_read(&ola, rita_id, MVA, bakery), Outcome::NotApplicable, "a package not given");
    let parties: Vec<Uuid> = authorized_parties(&ola.snapshot(), SubjectRef::Party(rita_id.0), None).iter().map(|p| p.party.id).collect();
    assert!(parties.contains(&bakery.0) && !parties.contains(&fishing.0), "{parties:?}");
    assert!(matches!(give_to_person(&ola, people::BAKERY, people::RITA, "Regnskap", &[LONN.into()]).await, Err(ClientError::AlreadyGiven)));

    let all = person_delegations(&ola, None).await.unwrap();
    assert!(!all.more);
    let listed = all.delegations;
    assert_eq!(listed.len(), 1);
    assert_eq!(person_delegations(&ola, Some(people::BAKERY)).await.unwrap().delegations, listed, "the bakery's");
    assert!(person_delegations(&ola, Some(FISHING)).await.unwrap().delegations.is_empty(), "another client's: none");
    assert_eq!((listed[0].person, listed[0].client_name.as_str()), (rita_id.0, "Bakeri Hansen AS"));
    assert_eq!(listed[0].packages.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(), [LONN]);

    // The client sees the person among the firm's agents.
    let bjorn = test_support::acting(&services, test_support::person(&pool, people::BJORN).await, bakery);
    let firms = domain::clients::relationships::firms_acting_for(&bjorn).await.unwrap();
    let accountant = firms.iter().find(|f| f.id == firm.0).unwrap();
    assert_eq!(accountant.agents.iter().map(|a| (a.id, a.system_name.clone())).collect::<Vec<_>>(), [(rita_id.0, None)]);

    take_from_person(&ola, &given.delegation.to_string()).await.unwrap();
    assert_eq!(person_may_read(&ola, rita_id, LONN, bakery), Outcome::NotApplicable, "taken");
    assert!(matches!(take_from_person(&ola, &given.delegation.to_string()).await, Err(ClientError::PersonDelegationNotFound)), "twice");
    assert!(matches!(take_from_person(&ola, "no-id").await, Err(ClientError::PersonDelegationNotFound)), "not an id");

    // Given again, then the register ends the firm's REGN for the bakery.
    give_to_person(&ola, people::BAKERY, people::RITA, "Regnskap", &[LONN.into()]).await.unwrap();
    let counts = import_without_the_bakerys_accountant(&pool).await;
    assert_eq!(counts.client_delegations_ended, 1);
    ola.engine_sees_changes().await;
    assert_eq!(person_may_read(&ola, rita_id, LONN, bakery), Outcome::NotApplicable, "the cascade");
    assert!(person_delegations(&ola, None).await.unwrap().delegations.is_empty());
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'client.person_give' and outcome = 'success'").await, 2);
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'client.person_take' and outcome = 'success'").await, 1);
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'client.delegation_ended' and details->>'cause' = 'register_import'").await, 1);
}
