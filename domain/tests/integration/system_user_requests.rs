//! System-user requests against PostgreSQL: a vendor sends one (a repeat
//! answers with it), reads it by id, reference and system (paged), and
//! withdraws it; requests time out; other vendors, read-only clients and
//! requests a system cannot give are refused, audited, and change nothing.

use domain::authz::Scopes;
use domain::parties::PartyId;
use domain::system_register::{SystemForCreate, SystemRight};
use domain::system_user_requests::rules::RequestRule;
use domain::system_user_requests::{service, RequestError, RequestForCreate, RequestStatus, SystemUserKind};
use domain::{Context, Services};
use sqlx::PgPool;
use std::sync::Arc;

const VENDOR: &str = "310000000";
const BAKERY: &str = "310400009";
const SYSTEM: &str = "310000000_lonn";
const SKATT: &str = "urn:altinn:accesspackage:skatt-naering";
const REGNSKAPSFORER: &str = "urn:altinn:accesspackage:regnskapsforer-lonn";
const MVA: &str = "urn:altinn:accesspackage:merverdiavgift";

async fn setup(pool: &PgPool) -> (PartyId, PartyId) {
    test_support::demo_world(pool).await;
    let system = SystemForCreate {
        rights: vec![SystemRight { resource: "fjordby-rapportering".into(), action: None }],
        packages: vec![SKATT.into(), REGNSKAPSFORER.into(), MVA.into()],
        redirect_urls: vec!["https://lonn.example/kvittering".into()],
        ..test_support::system("lonn", "Lønn Pluss")
    };
    test_support::register_system(pool, &system).await;
    (test_support::org(pool, VENDOR).await, test_support::org(pool, BAKERY).await)
}

fn client(services: &Services, owner: PartyId, scopes: Scopes) -> Context {
    services.for_api_client("0193d0e0-0000-7000-8000-000000000001", owner, scopes, None)
}

fn request() -> RequestForCreate {
    RequestForCreate {
        system_id: SYSTEM.into(),
        party_org_no: BAKERY.into(),
        rights: vec![SystemRight { resource: "fjordby-rapportering".into(), action: Some("read".into()) }],
        packages: vec![SKATT.into()],
        redirect_url: Some("https://lonn.example/kvittering?state=1".into()),
        ..Default::default()
    }
}

/// What a refused request's error must be.
type Expected = fn(&RequestError) -> bool;

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_vendor_sends_reads_and_withdraws_a_request_and_a_repeat_answers_with_it(pool: PgPool) {
    let (vendor, _) = setup(&pool).await;
    let services = test_support::services(&pool).await;
    let ctx = client(&services, vendor, Scopes::REQUEST_WRITE);
    let sent = service::send(&ctx, &request()).await.unwrap();
    assert!(sent.new);
    let r = &sent.request;
    assert_eq!((r.status, r.external_ref.as_str(), r.integration_title.as_str()), (RequestStatus::New, BAKERY, "Lønn Pluss"), "defaults");
    assert_eq!(r.packages, [SKATT]);

    let again = service::send(&ctx, &request()).await.unwrap();
    assert!(!again.new && again.request.id == r.id, "the repeat answers with the same request");
    let reader = client(&services, vendor, Scopes::REQUEST_READ);
    assert_eq!(service::get(&reader, r.id).await.unwrap().id, r.id);
    assert_eq!(service::by_external_ref(&reader, None, SYSTEM, BAKERY, BAKERY).await.unwrap().id, r.id);
    assert_eq!(service::by_system(&reader, None, SYSTEM, None).await.unwrap().items.len(), 1);

    service::withdraw(&ctx, r.id, SystemUserKind::Standard).await.unwrap();
    assert!(matches!(service::get(&reader, r.id).await, Err(RequestError::NotFound)));
    let new = service::send(&ctx, &request()).await.unwrap();
    assert!(new.new && new.request.id != r.id, "after withdrawing, the vendor may ask again");
    assert_eq!(count(&pool, "select count(*) from audit_event where action like 'system_user_request.%' and outcome = 'success'").await, 3);
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn others_and_requests_the_system_cannot_give_are_refused_audited_and_change_nothing(pool: PgPool) {
    let (vendor, bakery) = setup(&pool).await;
    let services = test_support::services(&pool).await;
    let ctx = client(&services, vendor, Scopes::REQUEST_WRITE);
    let sent = service::send(&ctx, &request()).await.unwrap().request;

    let other = client(&services, bakery, Scopes::REQUEST_WRITE);
    assert!(matches!(service::send(&other, &request()).await, Err(RequestError::SystemNotFound)), "another vendor's system is not found");
    assert!(matches!(service::get(&other, sent.id).await, Err(RequestError::NotFound)));
    assert!(matches!(service::withdraw(&other, sent.id, SystemUserKind::Standard).await, Err(RequestError::NotFound)));
    assert!(matches!(service::by_system(&other, None, SYSTEM, None).await, Err(RequestError::SystemNotFound)));
    let reader = client(&services, vendor, Scopes::REQUEST_READ);
    assert!(matches!(service::withdraw(&reader, sent.id, SystemUserKind::Standard).await, Err(RequestError::NotFound)), "read is not write");

    let fresh = |f: fn(&mut RequestForCreate)| {
        let mut r = request();
        r.external_ref = Some("another".into());
        f(&mut r);
        r
    };
    let cases: [(RequestForCreate, Expected); 6] = [
        (fresh(|r| r.party_org_no = "310400001".into()), |e| matches!(e, RequestError::CustomerNotFound)),
        (fresh(|r| (r.rights, r.packages) = (vec![], vec![])), |e| matches!(e, RequestError::Rule(RequestRule::NothingAsked))),
        (fresh(|r| r.rights[0].resource = "finnes-ikke".into()), |e| matches!(e, RequestError::Rule(RequestRule::RightsNotInSystem(_)))),
        (fresh(|r| r.packages = vec!["urn:altinn:accesspackage:a-ordning".into()]), |e| matches!(e, RequestError::Rule(RequestRule::PackagesNotInSystem(_)))),
        (fresh(|r| r.packages = vec![REGNSKAPSFORER.into()]), |e| matches!(e, RequestError::Rule(RequestRule::PackagesNotAssignable(_)))),
        (fresh(|r| r.redirect_url = Some("https://evil.example/".into())), |e| matches!(e, RequestError::Rule(RequestRule::RedirectNotAllowed))),
    ];
    let before = count(&pool, "select count(*) from system_user_request").await;
    for (i, (input, expected)) in cases.into_iter().enumerate() {
        let result = service::send(&ctx, &input).await;
        assert!(result.as_ref().is_err_and(expected), "case {i}: {result:?}");
    }
    assert_eq!(count(&pool, "select count(*) from system_user_request").await, before, "nothing stored");
    // Three refusals of the other vendor and the reader (reads are not audited), six of the rules.
    assert_eq!(count(&pool, "select count(*) from audit_event where action like 'system_user_request.%' and outcome = 'refused'").await, 9);

    // A customer who already has a system user of the system under the reference.
    sqlx::query("insert into system_user (id, system_id, party_id, external_ref) values (gen_random_uuid(), $1, $2, 'existing')")
        .bind(SYSTEM)
        .bind(bakery.0)
        .execute(&pool)
        .await
        .unwrap();
    let mut r = request();
    r.external_ref = Some("existing".into());
    assert!(matches!(service::send(&ctx, &r).await, Err(RequestError::SystemUserExists)));
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_request_not_decided_in_time_times_out_and_the_vendor_may_ask_again(pool: PgPool) {
    let (vendor, _) = setup(&pool).await;
    let services = test_support::services(&pool).await;
    let sent = service::send(&client(&services, vendor, Scopes::REQUEST_WRITE), &request()).await.unwrap().request;
    let later = time::OffsetDateTime::now_utc() + time::Duration::days(31);
    let month_later = test_support::services_with_clock(&pool, Arc::new(domain::clock::FixedClock::at(later))).await;
    let ctx = client(&month_later, vendor, Scopes::REQUEST_WRITE);
    assert_eq!(service::get(&ctx, sent.id).await.unwrap().status, RequestStatus::Timedout, "shown as timed out before the job runs");
    let again = service::send(&ctx, &request()).await.unwrap();
    assert!(again.new, "a timed-out request no longer answers the repeat");
    let stored: String = sqlx::query_scalar("select status from system_user_request where id = $1").bind(sent.id).fetch_one(&pool).await.unwrap();
    assert_eq!(stored, "Timedout", "persisted");
    assert_eq!(service::time_out_due(&month_later.for_operator("job"), None).await.unwrap(), 0, "the new one is not due");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_systems_requests_come_in_pages_of_fifty(pool: PgPool) {
    let (vendor, _) = setup(&pool).await;
    let services = test_support::services(&pool).await;
    let ctx = client(&services, vendor, Scopes::REQUEST_WRITE);
    for i in 0..51 {
        let mut r = request();
        r.external_ref = Some(format!("kunde-{i:02}"));
        service::send(&ctx, &r).await.unwrap();
    }
    let first = service::by_system(&ctx, None, SYSTEM, None).await.unwrap();
    assert_eq!(first.items.len(), 50);
    let second = service::by_system(&ctx, None, SYSTEM, first.next_after).await.unwrap();
    assert_eq!((second.items.len(), second.next_after), (1, None));
    assert_eq!(second.items[0].external_ref, "kunde-50");
}

mod approval {
    use super::*;
    use domain::decisions::{decide, DecisionRequest, Env, Outcome, SubjectRef};
    use domain::system_user_requests::approval;
    use test_support::demo as people;

    /// The vendor sends a request for the bakery: a package and a single right.
    async fn sent(pool: &PgPool) -> (uuid::Uuid, PartyId) {
        let (vendor, bakery) = setup(pool).await;
        let services = test_support::services(pool).await;
        let id = service::send(&client(&services, vendor, Scopes::REQUEST_WRITE), &request()).await.unwrap().request.id;
        (id, bakery)
    }

    async fn as_person(pool: &PgPool, nin: &str, party: PartyId) -> Context {
        test_support::acting(&test_support::services(pool).await, test_support::person(pool, nin).await, party)
    }

    fn permits(ctx: &Context, system_user: uuid::Uuid, party: PartyId) -> bool {
        let r =
            DecisionRequest { subject: SubjectRef::SystemUser(system_user), action: "read", resource: "fjordby-rapportering", party: party.0, env: Env::now() };
        decide(&ctx.snapshot(), &r).outcome == Outcome::Permit
    }

    #[sqlx::test(migrator = "domain::db::MIGRATOR")]
    async fn the_access_manager_approves_and_the_system_user_gets_exactly_what_was_asked(pool: PgPool) {
        let (id, bakery) = sent(&pool).await;
        let bjorn = as_person(&pool, people::BJORN, bakery).await;
        let seen = approval::for_customer(&bjorn, id).await.unwrap();
        assert!(seen.may_approve && !seen.may_forward);
        assert_eq!(seen.vendor_name.as_deref(), Some("Regnskapsappen AS"));
        assert!(seen.packages.iter().all(|p| p.can_delegate) && seen.rights.iter().all(|r| r.can_delegate), "{seen:?}");
        assert_eq!(seen.packages[0].code, "skatt-naering");

        let approved = approval::approve(&bjorn, id).await.unwrap();
        assert_eq!(approved.status, RequestStatus::Accepted);
        let grants: i64 = count(&pool, &format!("select count(*) from access_grant where to_subject = '{id}' and valid_to is null")).await;
        assert_eq!(grants, 2, "the package and the one action asked for");
        assert!(permits(&bjorn, id, bakery), "the engine lets the new system user act for the bakery");
        let other = test_support::org(&pool, "310600008").await;
        assert!(!permits(&bjorn, id, other), "and for nobody else");

        assert!(matches!(approval::approve(&bjorn, id).await, Err(RequestError::NotNew(RequestStatus::Accepted))), "not twice");
        assert!(matches!(approval::reject(&bjorn, id).await, Err(RequestError::NotNew(RequestStatus::Accepted))));
        let vendor = test_support::org(&pool, VENDOR).await;
        let repeat = service::send(&client(&test_support::services(&pool).await, vendor, Scopes::REQUEST_WRITE), &request()).await.unwrap();
        assert!(!repeat.new && repeat.request.status == RequestStatus::Accepted, "the vendor learns it");
    }

    #[sqlx::test(migrator = "domain::db::MIGRATOR")]
    async fn an_access_manager_who_cannot_pass_it_on_is_told_what_and_nothing_is_created(pool: PgPool) {
        let (id, bakery) = sent(&pool).await;
        let bjorn = as_person(&pool, people::BJORN, bakery).await;
        let gunn = test_support::person(&pool, people::GUNN).await;
        domain::grants::grant_package_to(&bjorn, domain::grants::Recipient::Party(gunn), "tilgangsstyrer").await.unwrap();
        let gunn = as_person(&pool, people::GUNN, bakery).await;
        let seen = approval::for_customer(&gunn, id).await.unwrap();
        assert!(seen.may_approve && seen.packages.iter().all(|p| !p.can_delegate));
        let Err(RequestError::CannotDelegate(not)) = approval::approve(&gunn, id).await else { panic!("refused") };
        assert_eq!((not.packages.len(), not.rights.as_slice()), (1, ["fjordby-rapportering:read".to_string()].as_slice()));
        assert_eq!(count(&pool, &format!("select count(*) from system_user where id = '{id}'")).await, 0, "no system user");
        assert_eq!(count(&pool, "select count(*) from audit_event where action = 'system_user_request.approve' and outcome = 'refused'").await, 1);
        assert_eq!(approval::for_customer(&bjorn, id).await.unwrap().request.status, RequestStatus::New, "still new");
    }

    #[sqlx::test(migrator = "domain::db::MIGRATOR")]
    async fn someone_related_forwards_the_request_to_the_access_managers_and_another_party_sees_nothing(pool: PgPool) {
        let (id, bakery) = sent(&pool).await;
        let bjorn = as_person(&pool, people::BJORN, bakery).await;
        let gunn = test_support::person(&pool, people::GUNN).await;
        domain::grants::grant_package_to(&bjorn, domain::grants::Recipient::Party(gunn), "merverdiavgift").await.unwrap();
        let gunn = as_person(&pool, people::GUNN, bakery).await;
        let seen = approval::for_customer(&gunn, id).await.unwrap();
        assert!(!seen.may_approve && seen.may_forward);
        assert!(matches!(approval::approve(&gunn, id).await, Err(RequestError::NotAccessManager)));
        assert!(matches!(approval::pending(&gunn).await, Err(RequestError::NotAccessManager)));
        assert!(approval::forward(&gunn, id).await.unwrap().escalated);
        assert!(matches!(approval::forward(&gunn, id).await, Err(RequestError::AlreadyForwarded)));
        let pending = approval::pending(&bjorn).await.unwrap();
        assert_eq!((pending.len(), pending[0].escalated), (1, true), "the access manager finds it");

        // Someone acting for another party sees nothing of it, and cannot decide it.
        let kari_vendor = as_person(&pool, people::KARI, test_support::org(&pool, VENDOR).await).await;
        assert!(matches!(approval::for_customer(&kari_vendor, id).await, Err(RequestError::NotFound)));
        assert!(matches!(approval::reject(&kari_vendor, id).await, Err(RequestError::NotFound)));
        approval::reject(&bjorn, id).await.unwrap();
        assert!(matches!(approval::approve(&bjorn, id).await, Err(RequestError::NotNew(RequestStatus::Rejected))));
    }

    #[sqlx::test(migrator = "domain::db::MIGRATOR")]
    async fn a_timed_out_request_cannot_be_approved(pool: PgPool) {
        let (id, bakery) = sent(&pool).await;
        let later = time::OffsetDateTime::now_utc() + time::Duration::days(31);
        let services = test_support::services_with_clock(&pool, Arc::new(domain::clock::FixedClock::at(later))).await;
        let bjorn = test_support::acting(&services, test_support::person(&pool, people::BJORN).await, bakery);
        assert_eq!(approval::for_customer(&bjorn, id).await.unwrap().request.status, RequestStatus::Timedout);
        assert!(matches!(approval::approve(&bjorn, id).await, Err(RequestError::NotNew(RequestStatus::Timedout))));
        let stored: String = sqlx::query_scalar("select status from system_user_request where id = $1").bind(id).fetch_one(&pool).await.unwrap();
        assert_eq!(stored, "Timedout", "persisted");
    }
}

/// Change requests for a system user the bakery approved: the vendor reads
/// them oldest first, page by page, whatever its correlation ids; a change
/// for a system user that is deleted, or whose system is, is withdrawn and
/// can be neither read nor decided.
mod changes {
    use super::*;
    use domain::system_user_requests::approval;
    use domain::system_user_requests::change::{self, ChangeForCreate, ChangeSent};
    use test_support::demo as people;

    struct World {
        pool: PgPool,
        vendor: Context,
        bjorn: Context,
        system_user: uuid::Uuid,
    }

    /// The bakery's access manager approved the vendor's request, so a
    /// system user with the tax package exists.
    async fn world(pool: PgPool) -> World {
        let (vendor, bakery) = setup(&pool).await;
        let services = test_support::services(&pool).await;
        let vendor = client(&services, vendor, Scopes::REQUEST_WRITE);
        let system_user = service::send(&vendor, &request()).await.unwrap().request.id;
        let bjorn = test_support::acting(&services, test_support::person(&pool, people::BJORN).await, bakery);
        approval::approve(&bjorn, system_user).await.unwrap();
        World { pool, vendor, bjorn, system_user }
    }

    /// Sends a change asking for the VAT package, under a random correlation id.
    async fn send(w: &World) -> uuid::Uuid {
        let input =
            ChangeForCreate { correlation_id: uuid::Uuid::new_v4(), system_user_id: w.system_user, required_packages: vec![MVA.into()], ..Default::default() };
        match change::send(&w.vendor, &input).await.unwrap() {
            ChangeSent::Sent { request, new: true } => request.id,
            other => panic!("not sent: {other:?}"),
        }
    }

    #[sqlx::test(migrator = "domain::db::MIGRATOR")]
    async fn a_systems_changes_come_oldest_first_in_pages_of_fifty(pool: PgPool) {
        let w = world(pool).await;
        let mut sent = Vec::new();
        for _ in 0..51 {
            let id = send(&w).await;
            change::reject(&w.bjorn, id).await.unwrap();
            sent.push(id);
        }
        let first = change::by_system(&w.vendor, SYSTEM, None).await.unwrap();
        assert_eq!(first.items.iter().map(|c| c.id).collect::<Vec<_>>(), sent[..50], "in the order sent, not in id order");
        assert_eq!(first.next_after, Some(sent[49]));
        let second = change::by_system(&w.vendor, SYSTEM, first.next_after).await.unwrap();
        assert_eq!((second.items.iter().map(|c| c.id).collect::<Vec<_>>(), second.next_after), (vec![sent[50]], None));
    }

    #[sqlx::test(migrator = "domain::db::MIGRATOR")]
    async fn a_change_for_a_deleted_system_user_is_withdrawn_and_can_be_neither_read_nor_decided(pool: PgPool) {
        let w = world(pool).await;
        let id = send(&w).await;
        assert_eq!(change::pending(&w.bjorn).await.unwrap().len(), 1, "waiting");
        domain::system_users::delete(&w.bjorn, w.system_user).await.unwrap();
        assert_withdrawn(&w, id).await;
    }

    #[sqlx::test(migrator = "domain::db::MIGRATOR")]
    async fn a_change_for_a_system_user_of_a_deleted_system_is_withdrawn_and_can_be_neither_read_nor_decided(pool: PgPool) {
        let w = world(pool).await;
        let id = send(&w).await;
        domain::system_register::service::delete(&test_support::operator(&w.pool).await, SYSTEM).await.unwrap();
        assert_withdrawn(&w, id).await;
    }

    async fn assert_withdrawn(w: &World, id: uuid::Uuid) {
        let withdrawn: bool =
            sqlx::query_scalar("select deleted_at is not null from system_user_change_request where id = $1").bind(id).fetch_one(&w.pool).await.unwrap();
        assert!(withdrawn, "the stored change is withdrawn");
        assert!(change::pending(&w.bjorn).await.unwrap().is_empty(), "no longer waiting");
        assert!(matches!(change::get(&w.vendor, id).await, Err(RequestError::NotFound)));
        assert!(matches!(change::for_customer(&w.bjorn, id).await, Err(RequestError::NotFound)));
        assert!(matches!(change::approve(&w.bjorn, id).await, Err(RequestError::NotFound)));
        let given =
            count(&w.pool, &format!("select count(*) from access_grant where to_subject = '{}' and package_code = 'merverdiavgift'", w.system_user)).await;
        assert_eq!(given, 0, "nothing given");
    }
}

/// Agent requests: a vendor asks an accounting firm for a system user to act
/// for the firm's clients. It asks for client packages only; the firm's
/// access manager approves it without holding them, and the approval gives
/// nothing: the agent system user keeps what it requires of each client.
mod agents {
    use super::*;
    use domain::system_user_requests::{approval, SystemUserKind};
    use test_support::demo as people;

    fn agent_request() -> RequestForCreate {
        RequestForCreate {
            kind: SystemUserKind::Agent,
            party_org_no: people::ACCOUNTING_FIRM.into(),
            rights: vec![],
            packages: vec![REGNSKAPSFORER.into()],
            ..request()
        }
    }

    #[sqlx::test(migrator = "domain::db::MIGRATOR")]
    async fn the_firm_approves_an_agent_request_and_its_system_user_requires_the_packages_of_each_client(pool: PgPool) {
        let (vendor, _) = setup(&pool).await;
        let services = test_support::services(&pool).await;
        let vendor = client(&services, vendor, Scopes::REQUEST_WRITE);
        let sent = service::send(&vendor, &agent_request()).await.unwrap().request;
        assert_eq!((sent.kind, sent.status), (SystemUserKind::Agent, RequestStatus::New));
        assert_eq!(service::get(&vendor, sent.id).await.unwrap().kind, SystemUserKind::Agent, "read back as an agent request");
        assert_eq!(service::by_system(&vendor, Some(SystemUserKind::Agent), SYSTEM, None).await.unwrap().items.len(), 1);
        assert!(service::by_system(&vendor, Some(SystemUserKind::Standard), SYSTEM, None).await.unwrap().items.is_empty(), "not among the standard ones");
        let firm_no = people::ACCOUNTING_FIRM;
        assert_eq!(service::by_external_ref(&vendor, Some(SystemUserKind::Agent), SYSTEM, firm_no, firm_no).await.unwrap().id, sent.id);
        assert!(matches!(service::by_external_ref(&vendor, Some(SystemUserKind::Standard), SYSTEM, firm_no, firm_no).await, Err(RequestError::NotFound)));

        let firm = test_support::org(&pool, people::ACCOUNTING_FIRM).await;
        let ola = test_support::acting(&services, test_support::person(&pool, people::OLA).await, firm);
        let seen = approval::for_customer(&ola, sent.id).await.unwrap();
        assert!(seen.may_approve && seen.packages.iter().all(|p| p.can_delegate), "no delegation check: {seen:?}");
        let approved = approval::approve(&ola, sent.id).await.unwrap();
        assert_eq!(approved.status, RequestStatus::Accepted);
        let id = sent.id;
        assert_eq!(count(&pool, &format!("select count(*) from system_user where id = '{id}' and user_type = 'agent'")).await, 1);
        assert_eq!(count(&pool, &format!("select count(*) from access_grant where to_subject = '{id}'")).await, 0, "no grant: it has no clients yet");
        let required: Vec<String> =
            sqlx::query_scalar("select package_urn from system_user_agent_package where system_user_id = $1").bind(id).fetch_all(&pool).await.unwrap();
        assert_eq!(required, [REGNSKAPSFORER]);
        let audited = count(
            &pool,
            &format!("select count(*) from audit_event where action = 'system_user_request.approve' and target = '{id}' and details->>'kind' = 'agent'"),
        )
        .await;
        assert_eq!(audited, 1);
    }

    #[sqlx::test(migrator = "domain::db::MIGRATOR")]
    async fn an_agent_request_for_rights_the_system_lacks_or_packages_clients_cannot_pass_on_is_refused(pool: PgPool) {
        let (vendor, _) = setup(&pool).await;
        let vendor = client(&test_support::services(&pool).await, vendor, Scopes::REQUEST_WRITE);
        let unknown = vec![SystemRight { resource: "ukjent-tjeneste".into(), action: Some("read".into()) }];
        let with_rights = RequestForCreate { rights: unknown, ..agent_request() };
        assert!(matches!(service::send(&vendor, &with_rights).await, Err(RequestError::Rule(RequestRule::RightsNotInSystem(_)))));
        let without = RequestForCreate { packages: vec![], ..agent_request() };
        assert!(matches!(service::send(&vendor, &without).await, Err(RequestError::Rule(RequestRule::AgentWithoutPackages))));
        let standard = RequestForCreate { kind: SystemUserKind::Standard, ..agent_request() };
        assert!(matches!(service::send(&vendor, &standard).await, Err(RequestError::Rule(RequestRule::PackagesNotAssignable(_)))), "a client package");
        assert_eq!(count(&pool, "select count(*) from system_user_request").await, 0, "nothing stored");
    }

    /// The vendor stops offering the package after asking: the page shows the
    /// approver cannot approve it, and approving is refused and changes nothing.
    #[sqlx::test(migrator = "domain::db::MIGRATOR")]
    async fn an_agent_request_for_a_package_the_system_no_longer_offers_cannot_be_approved(pool: PgPool) {
        let (vendor, _) = setup(&pool).await;
        let services = test_support::services(&pool).await;
        let sent = service::send(&client(&services, vendor, Scopes::REQUEST_WRITE), &agent_request()).await.unwrap().request;
        let register = client(&services, vendor, Scopes::SYSTEM_REGISTER_WRITE);
        domain::system_register::service::set_packages(&register, SYSTEM, &[SKATT.into(), MVA.into()]).await.unwrap();
        let firm = test_support::org(&pool, people::ACCOUNTING_FIRM).await;
        let ola = test_support::acting(&services, test_support::person(&pool, people::OLA).await, firm);
        let seen = approval::for_customer(&ola, sent.id).await.unwrap();
        assert!(seen.may_approve, "Ola is the firm's access manager");
        assert!(seen.packages.iter().all(|p| !p.can_delegate), "no longer offered: {seen:?}");
        let Err(RequestError::CannotDelegate(not)) = approval::approve(&ola, sent.id).await else { panic!("refused") };
        assert_eq!(not.packages.len(), 1, "{not:?}");
        assert_eq!(count(&pool, &format!("select count(*) from system_user where id = '{}'", sent.id)).await, 0, "nothing created");
    }

    #[sqlx::test(migrator = "domain::db::MIGRATOR")]
    async fn someone_at_the_firm_without_access_management_cannot_approve(pool: PgPool) {
        let (vendor, _) = setup(&pool).await;
        let services = test_support::services(&pool).await;
        let sent = service::send(&client(&services, vendor, Scopes::REQUEST_WRITE), &agent_request()).await.unwrap().request;
        let firm = test_support::org(&pool, people::ACCOUNTING_FIRM).await;
        let gunn = test_support::acting(&services, test_support::person(&pool, people::GUNN).await, firm);
        assert!(approval::approve(&gunn, sent.id).await.is_err());
        assert_eq!(count(&pool, "select count(*) from system_user_agent_package").await, 0);
    }
}
