//! System users of the demo accounting firm (Tall og Tro Regnskap AS), as
//! the client-administration tests need them: a system of the demo vendor
//! offering one package, and a system user of it approved by the firm's
//! general manager.

use domain::system_user_requests::{approval, service as requests, RequestForCreate, SystemUserKind};
use sqlx::PgPool;
use uuid::Uuid;

pub const FIRM: &str = "310100005";
pub const OLA: &str = "03908110020"; // general manager of the accounting firm
pub const LONN: &str = "urn:altinn:accesspackage:regnskapsforer-lonn";

/// Registers `310000000_<slug>` offering `package`, with the API client
/// `client` when given, and a system user of it of `kind` for the firm,
/// approved by Ola. Returns the system user's id.
pub async fn firm_system_user(pool: &PgPool, slug: &str, package: &str, client: Option<&str>, kind: SystemUserKind) -> Uuid {
    let system = domain::system_register::SystemForCreate {
        packages: vec![package.into()],
        rights: vec![],
        client_ids: client.map(|c| vec![c.to_string()]).unwrap_or_default(),
        ..test_support::system(slug, slug)
    };
    let request =
        RequestForCreate { kind, system_id: format!("310000000_{slug}"), party_org_no: FIRM.into(), packages: vec![package.into()], ..Default::default() };
    registered_and_approved(pool, &system, &request).await
}

/// Registers `system`, sends `request` for it as the demo vendor, and has
/// Ola approve it for the firm. Returns the system user's id.
async fn registered_and_approved(pool: &PgPool, system: &domain::system_register::SystemForCreate, request: &RequestForCreate) -> Uuid {
    test_support::register_system(pool, system).await;
    let services = test_support::services(pool).await;
    let vendor = services.for_api_client("vendor", test_support::org(pool, "310000000").await, domain::authz::Scopes::REQUEST_WRITE, None);
    let sent = requests::send(&vendor, request).await.expect("sent").request;
    let ola = test_support::acting(&services, test_support::person(pool, OLA).await, test_support::org(pool, FIRM).await);
    approval::approve(&ola, sent.id).await.expect("approved");
    sent.id
}

/// Registers `310000000_<slug>` offering the single right `read` on
/// `resource` (with the API client `client`, when given), and an agent
/// system user of it for the firm that requires that right of each client
/// (scenario S9), approved by Ola. Returns the system user's id.
pub async fn firm_agent_requiring_right(pool: &PgPool, slug: &str, resource: &str, client: Option<&str>) -> Uuid {
    use domain::system_register::SystemRight;
    let rights = vec![SystemRight { resource: resource.into(), action: Some("read".into()) }];
    let system = domain::system_register::SystemForCreate {
        rights: rights.clone(),
        client_ids: client.map(|c| vec![c.to_string()]).unwrap_or_default(),
        ..test_support::system(slug, slug)
    };
    let request =
        RequestForCreate { kind: SystemUserKind::Agent, system_id: format!("310000000_{slug}"), party_org_no: FIRM.into(), rights, ..Default::default() };
    registered_and_approved(pool, &system, &request).await
}
