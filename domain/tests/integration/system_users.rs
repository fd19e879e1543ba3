//! System users against PostgreSQL, after they exist: the customer's access
//! manager sees one in detail (what it holds, its use per day), deletes it
//! (every grant ends, the engine forgets it, the vendor may ask again), and
//! makes one of a visible system without a vendor's request; the vendor
//! reads the system users of its systems, and a token service looks one up.
//! Those without the right are refused, audited where they tried a change,
//! and nothing changes.

use domain::authz::Scopes;
use domain::decisions::{decide, DecisionRequest, Env, Outcome, SubjectRef};
use domain::parties::PartyId;
use domain::system_register::{SystemForCreate, SystemRight};
use domain::system_user_requests::{approval, own, service, RequestError, RequestForCreate, RequestStatus};
use domain::system_users::{self, vendor, SystemUserError};
use domain::{Context, Services};
use sqlx::PgPool;
use test_support::demo as people;
use uuid::Uuid;

const VENDOR: &str = "310000000";
const BAKERY: &str = "310400009";
const SYSTEM: &str = "310000000_timer";
const SKATT: &str = "urn:altinn:accesspackage:skatt-naering";
const RESOURCE: &str = "fjordby-rapportering";

/// The demo world with a visible system of the demo vendor that offers one
/// package and one single right; the vendor and the bakery.
async fn setup(pool: &PgPool) -> (PartyId, PartyId) {
    test_support::demo_world(pool).await;
    let system = SystemForCreate {
        rights: vec![SystemRight { resource: RESOURCE.into(), action: Some("read".into()) }],
        packages: vec![SKATT.into()],
        is_visible: true,
        ..test_support::system("timer", "Timeføring")
    };
    test_support::register_system(pool, &system).await;
    (test_support::org(pool, VENDOR).await, test_support::org(pool, BAKERY).await)
}

fn client(services: &Services, owner: PartyId, scopes: Scopes) -> Context {
    services.for_api_client(domain::demo::VENDOR_CLIENT.0, owner, scopes, None)
}

async fn as_person(pool: &PgPool, nin: &str, party: PartyId) -> Context {
    test_support::acting(&test_support::services(pool).await, test_support::person(pool, nin).await, party)
}

fn request() -> RequestForCreate {
    RequestForCreate {
        system_id: SYSTEM.into(),
        party_org_no: BAKERY.into(),
        rights: vec![SystemRight { resource: RESOURCE.into(), action: Some("read".into()) }],
        packages: vec![SKATT.into()],
        ..Default::default()
    }
}

/// The vendor asks for the bakery's system user and Bjørn approves it.
async fn approved(pool: &PgPool) -> (Uuid, PartyId, PartyId) {
    let (vendor, bakery) = setup(pool).await;
    let services = test_support::services(pool).await;
    let id = service::send(&client(&services, vendor, Scopes::REQUEST_WRITE), &request()).await.unwrap().request.id;
    approval::approve(&as_person(pool, people::BJORN, bakery).await, id).await.unwrap();
    (id, vendor, bakery)
}

fn permits(ctx: &Context, system_user: Uuid, party: PartyId) -> bool {
    let r = DecisionRequest { subject: SubjectRef::SystemUser(system_user), action: "read", resource: RESOURCE, party: party.0, env: Env::now() };
    decide(&ctx.snapshot(), &r).outcome == Outcome::Permit
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn the_access_manager_sees_what_a_system_user_holds_and_its_use_day_by_day(pool: PgPool) {
    let (id, vendor, bakery) = approved(&pool).await;
    // Three tokens today, one nine days ago, one long before the window.
    for days_ago in [0, 0, 0, 9, 45] {
        sqlx::query("insert into token_issued (id, client_id, system_user_id, scope, issued_at, expires_at, jti) values ($1, 'c', $2, 's', now() - make_interval(days => $3), now(), 'j')")
            .bind(Uuid::now_v7())
            .bind(id)
            .bind(days_ago)
            .execute(&pool)
            .await
            .unwrap();
    }
    let bjorn = as_person(&pool, people::BJORN, bakery).await;
    let notices = domain::notifications::service::list(&bjorn).await.unwrap();
    assert_eq!(
        notices.iter().map(|n| (n.kind, n.subject_id)).collect::<Vec<_>>(),
        [(domain::notifications::NoticeKind::SystemUserCreated, id)],
        "the access managers are told"
    );
    let d = system_users::detail(&bjorn, id).await.unwrap();
    assert_eq!((d.overview.name.as_str(), d.system_name.nb.as_str()), ("Timeføring", "Timeføring"));
    assert_eq!(d.packages.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(), ["skatt-naering"]);
    assert_eq!(d.rights.iter().map(|r| (r.resource.as_str(), r.action.as_str())).collect::<Vec<_>>(), [(RESOURCE, "read")]);
    assert_eq!(d.usage.len(), 30);
    assert_eq!(d.usage.last().unwrap().tokens, 3, "today's");
    assert_eq!(d.usage.iter().map(|u| u.tokens).sum::<i64>(), 4, "the one before the window is left out");
    assert_eq!(d.overview.recent_tokens, 4);

    let gunn = as_person(&pool, people::GUNN, bakery).await;
    assert!(matches!(system_users::detail(&gunn, id).await, Err(SystemUserError::NotAccessManager)), "not an access manager");
    let kari = as_person(&pool, people::KARI, vendor).await;
    assert!(matches!(system_users::detail(&kari, id).await, Err(SystemUserError::NotFound)), "another party's is not found");
    assert!(matches!(system_users::detail(&bjorn, Uuid::now_v7()).await, Err(SystemUserError::NotFound)));
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn deleting_a_system_user_ends_every_grant_at_once_and_the_vendor_may_ask_again(pool: PgPool) {
    let (id, vendor, bakery) = approved(&pool).await;
    let bjorn = as_person(&pool, people::BJORN, bakery).await;
    assert!(permits(&bjorn, id, bakery));

    // Refused, audited, nothing changed: someone without access management, and another party's manager.
    let gunn = as_person(&pool, people::GUNN, bakery).await;
    assert!(matches!(system_users::delete(&gunn, id).await, Err(SystemUserError::NotAccessManager)));
    let kari = as_person(&pool, people::KARI, vendor).await;
    assert!(matches!(system_users::delete(&kari, id).await, Err(SystemUserError::NotFound)));
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'system_user.delete' and outcome = 'refused'").await, 2);
    assert_eq!(count(&pool, &format!("select count(*) from access_grant where to_subject = '{id}' and valid_to is null")).await, 2);

    system_users::delete(&bjorn, id).await.unwrap();
    assert_eq!(count(&pool, &format!("select count(*) from access_grant where to_subject = '{id}' and valid_to is null")).await, 0, "every grant ended");
    assert!(!permits(&bjorn, id, bakery), "the engine no longer lets it act, before the use case returned");
    assert!(system_users::overview(&bjorn).await.unwrap().iter().all(|s| s.id != id), "gone from the list");
    assert!(matches!(system_users::delete(&bjorn, id).await, Err(SystemUserError::NotFound)), "not twice");
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'system_user.delete' and outcome = 'success'").await, 1);

    let services = test_support::services(&pool).await;
    let reader = client(&services, vendor, Scopes::REQUEST_READ);
    assert!(matches!(service::get(&reader, id).await, Err(RequestError::NotFound)), "its request is withdrawn");
    let again = service::send(&client(&services, vendor, Scopes::REQUEST_WRITE), &request()).await.unwrap();
    assert!(again.new && again.request.status == RequestStatus::New, "so the vendor may ask again");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn an_access_manager_makes_a_system_user_of_a_visible_system_with_everything_it_lists(pool: PgPool) {
    let (vendor, bakery) = setup(&pool).await;
    sqlx::query("update system_register set is_visible = false where system_id = $1").bind(domain::demo::SYSTEM.0).execute(&pool).await.unwrap();
    let bjorn = as_person(&pool, people::BJORN, bakery).await;
    let visible = own::visible_systems(&bjorn).await.unwrap();
    assert_eq!(visible.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), [SYSTEM], "only the visible");
    assert!(matches!(own::create_own(&bjorn, domain::demo::SYSTEM.0, "").await, Err(RequestError::SystemNotFound)), "an invisible one is refused");

    // A request of the vendor's that waits is to be approved instead.
    let services = test_support::services(&pool).await;
    let pending = service::send(&client(&services, vendor, Scopes::REQUEST_WRITE), &request()).await.unwrap().request.id;
    assert!(matches!(own::create_own(&bjorn, SYSTEM, "").await, Err(RequestError::Pending(p)) if p == pending));
    // Once rejected, it gives way.
    approval::reject(&bjorn, pending).await.unwrap();

    let gunn = as_person(&pool, people::GUNN, bakery).await;
    assert!(matches!(own::create_own(&gunn, SYSTEM, "").await, Err(RequestError::NotAccessManager)));
    let id = own::create_own(&bjorn, SYSTEM, "  Timer for bakeriet ").await.unwrap();
    assert!(permits(&bjorn, id, bakery), "it holds the system's right at once");
    let d = system_users::detail(&bjorn, id).await.unwrap();
    assert_eq!((d.overview.name.as_str(), d.packages.len(), d.rights.len()), ("Timer for bakeriet", 1, 1));
    assert!(matches!(own::create_own(&bjorn, SYSTEM, "").await, Err(RequestError::SystemUserExists)), "one per system and reference");
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'system_user.create_own' and outcome = 'refused'").await, 4);
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'system_user.create_own' and outcome = 'success'").await, 1);

    // An organisation makes a system user of its own system, visible or not (S7).
    sqlx::query("update system_register set is_visible = false where system_id = $1").bind(SYSTEM).execute(&pool).await.unwrap();
    assert!(matches!(own::create_own(&bjorn, SYSTEM, "Igjen").await, Err(RequestError::SystemNotFound)), "hidden from customers now");
    let kari = as_person(&pool, people::KARI, vendor).await;
    assert!(own::visible_systems(&kari).await.unwrap().iter().any(|s| s.id == SYSTEM), "the vendor sees its own");
    let own_user = own::create_own(&kari, SYSTEM, "Vår egen").await.unwrap();
    assert!(permits(&kari, own_user, vendor) && !permits(&kari, own_user, bakery), "for the vendor only");

    // The vendor sees it as any other, and after deletion may ask for it.
    let reader = client(&services, vendor, Scopes::REQUEST_READ);
    assert_eq!(vendor::by_query(&reader, SYSTEM, BAKERY, None).await.unwrap().id, id);
    system_users::delete(&bjorn, id).await.unwrap();
    assert!(service::send(&client(&services, vendor, Scopes::REQUEST_WRITE), &request()).await.unwrap().new);
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_vendor_reads_its_systems_users_and_a_token_service_looks_one_up(pool: PgPool) {
    let (id, vendor, bakery) = approved(&pool).await;
    let services = test_support::services(&pool).await;
    let register = client(&services, vendor, Scopes::SYSTEM_REGISTER_WRITE);
    let page = vendor::by_system(&register, SYSTEM, None).await.unwrap();
    assert_eq!((page.items.len(), page.items[0].id, page.next_after), (1, id, None));
    assert_eq!((page.items[0].owner_org_no.as_str(), page.items[0].vendor_name.as_deref()), (BAKERY, Some("Regnskapsappen AS")));
    let other = client(&services, bakery, Scopes::SYSTEM_REGISTER_WRITE);
    assert!(matches!(vendor::by_system(&other, SYSTEM, None).await, Err(SystemUserError::SystemNotFound)), "another vendor's");
    let requester = client(&services, vendor, Scopes::REQUEST_READ);
    assert!(matches!(vendor::by_system(&requester, SYSTEM, None).await, Err(SystemUserError::SystemNotFound)), "needs the register's scope");

    assert_eq!(vendor::by_query(&requester, SYSTEM, BAKERY, Some(BAKERY)).await.unwrap().id, id);
    assert!(matches!(vendor::by_query(&requester, SYSTEM, BAKERY, Some("other")).await, Err(SystemUserError::NotFound)));
    assert!(matches!(vendor::by_query(&requester, SYSTEM, " ", None).await, Err(SystemUserError::Missing("orgno"))));
    assert!(matches!(vendor::by_query(&register, SYSTEM, BAKERY, None).await, Err(SystemUserError::SystemNotFound)), "needs a request scope");

    // The demo system lists the demo client; the bakery has a system user of it.
    let lookup = client(&services, bakery, Scopes::SYSTEM_USER_LOOKUP);
    let (client_id, demo_user) = (domain::demo::VENDOR_CLIENT.0, Uuid::from_u128(domain::demo::SYSTEM_USER.0));
    assert_eq!(vendor::by_external_id(&lookup, client_id, VENDOR, BAKERY, None).await.unwrap().id, demo_user);
    assert!(matches!(vendor::by_external_id(&lookup, "another-client", VENDOR, BAKERY, None).await, Err(SystemUserError::NotFound)));
    assert!(matches!(vendor::by_external_id(&lookup, client_id, VENDOR, "310600008", None).await, Err(SystemUserError::NotFound)));
    assert!(matches!(vendor::by_external_id(&lookup, "", VENDOR, BAKERY, None).await, Err(SystemUserError::Missing("clientId"))));
    assert!(matches!(vendor::by_external_id(&register, client_id, VENDOR, BAKERY, None).await, Err(SystemUserError::NotAccessManager)), "needs its scope");
    let bjorn = as_person(&pool, people::BJORN, bakery).await;
    assert!(matches!(vendor::by_external_id(&bjorn, client_id, VENDOR, BAKERY, None).await, Err(SystemUserError::NotAccessManager)), "never a person");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_vendor_asks_to_change_a_system_user_and_the_access_manager_approves_exactly_that(pool: PgPool) {
    use domain::system_user_requests::change::{self, ChangeForCreate, ChangeItem, ChangeSent};
    use domain::system_user_requests::rules::RequestRule;
    const REGNSKAP: &str = "urn:altinn:accesspackage:regnskap-okonomi-rapport";
    let (id, vendor, bakery) = approved(&pool).await;
    domain::system_register::service::set_packages(&test_support::operator(&pool).await, SYSTEM, &[SKATT.into(), REGNSKAP.into()]).await.unwrap();
    let services = test_support::services(&pool).await;
    let writer = client(&services, vendor, Scopes::REQUEST_WRITE);
    let ask = |correlation: Uuid, required: &[&str], unwanted: &[&str], rights: Vec<SystemRight>| ChangeForCreate {
        correlation_id: correlation,
        system_user_id: id,
        required_rights: rights,
        required_packages: required.iter().map(|s| s.to_string()).collect(),
        unwanted_packages: unwanted.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let held_right = vec![SystemRight { resource: RESOURCE.into(), action: Some("read".into()) }];
    assert!(
        matches!(change::send(&writer, &ask(Uuid::now_v7(), &[SKATT], &[], held_right.clone())).await, Ok(ChangeSent::NoChangeNeeded)),
        "it holds that already"
    );
    assert!(matches!(change::send(&writer, &ask(id, &[REGNSKAP], &[], vec![])).await, Err(RequestError::Rule(RequestRule::CorrelationId))));
    let not_offered = vec![SystemRight { resource: RESOURCE.into(), action: Some("write".into()) }];
    assert!(matches!(change::send(&writer, &ask(Uuid::now_v7(), &[], &[], not_offered)).await, Err(RequestError::Rule(RequestRule::RightsNotInSystem(_)))));
    assert!(matches!(change::send(&writer, &ask(Uuid::now_v7(), &[SKATT], &[SKATT], vec![])).await, Err(RequestError::Rule(RequestRule::AddAndRemove(_)))));
    let other_vendor = client(&services, bakery, Scopes::REQUEST_WRITE);
    assert!(
        matches!(change::send(&other_vendor, &ask(Uuid::now_v7(), &[REGNSKAP], &[], vec![])).await, Err(RequestError::NotFound)),
        "another vendor's system user"
    );

    let correlation = Uuid::now_v7();
    let ChangeSent::Sent { request, new: true } = change::send(&writer, &ask(correlation, &[REGNSKAP], &[SKATT], held_right)).await.unwrap() else {
        panic!("stored")
    };
    assert_eq!(
        (request.add.clone(), request.remove.clone()),
        (vec![ChangeItem::Package(REGNSKAP.into())], vec![ChangeItem::Package(SKATT.into())]),
        "only what would change"
    );
    assert!(
        matches!(change::send(&writer, &ask(correlation, &[REGNSKAP], &[SKATT], vec![])).await, Ok(ChangeSent::Sent { new: false, .. })),
        "a repeat answers with it"
    );
    assert!(
        matches!(change::send(&writer, &ask(Uuid::now_v7(), &[REGNSKAP], &[], vec![])).await, Err(RequestError::NotNew(RequestStatus::New))),
        "one waits at a time"
    );

    // Ola keeps the bakery's books: he may act for it, but not manage its access.
    let ola = as_person(&pool, "03908110020", bakery).await;
    assert!(matches!(change::approve(&ola, correlation).await, Err(RequestError::NotAccessManager)));
    assert!(!change::for_customer(&ola, correlation).await.unwrap().may_approve);
    let kari = as_person(&pool, people::KARI, vendor).await;
    assert!(matches!(change::approve(&kari, correlation).await, Err(RequestError::NotFound)), "not the vendor's to decide");
    let bjorn = as_person(&pool, people::BJORN, bakery).await;
    let seen = change::for_customer(&bjorn, correlation).await.unwrap();
    assert!(seen.may_approve && seen.add.iter().all(|i| i.can_delegate));
    change::approve(&bjorn, correlation).await.unwrap();
    let codes: Vec<String> = system_users::detail(&bjorn, id).await.unwrap().packages.into_iter().map(|p| p.code).collect();
    assert_eq!(codes, ["regnskap-okonomi-rapport"], "the package added, the other ended");
    assert!(permits(&bjorn, id, bakery), "the single right it kept");
    assert!(matches!(change::approve(&bjorn, correlation).await, Err(RequestError::NotNew(RequestStatus::Accepted))), "not twice");
    assert_eq!(
        change::get(&client(&services, vendor, Scopes::REQUEST_READ), correlation).await.unwrap().status,
        RequestStatus::Accepted,
        "the vendor learns it"
    );
    assert_eq!(
        count(&pool, "select count(*) from audit_event where action like 'system_user_change.%' and outcome = 'refused'").await,
        8,
        "each refusal of a change"
    );
}
