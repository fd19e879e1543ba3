//! Fixtures shared by the domain's and the server's tests, so that each test
//! file says what it tests and not how to set the world up.
//!
//! The demo data (`domain::demo`) is the world: the parties below are in it.

use domain::clock::{Clock, SystemClock};
use domain::decisions::policy::{attr, Policy, Rule};
use domain::parties::{store as parties, NationalId, OrgNumber, PartyId, SyntheticIds};
use domain::resources::ResourceForSave;
use domain::system_register::{SystemForCreate, SystemRight, Translated};
use domain::{Context, Services};
use sqlx::PgPool;
use std::sync::Arc;

/// Demo parties by national identity number or organisation number.
pub mod demo {
    /// Bakeri Hansen AS.
    pub const BAKERY: &str = "310400009";
    /// Universitetet i Fjordby.
    pub const UNIVERSITY: &str = "310700002";
    /// The owner the tests' own resources are saved under.
    pub const SERVICE_OWNER: &str = "974760673";
    /// Bjørn Hansen, general manager of the bakery.
    pub const BJORN: &str = "14928810047";
    /// Gunn Gjest, who holds nothing to begin with.
    pub const GUNN: &str = "11839110083";
    /// Ada Rektor, the university's director.
    pub const ADA: &str = "05858510084";
    /// Kari Nordmann, who runs the software vendor.
    pub const KARI: &str = "12887510170";
    /// Tall og Tro Regnskap AS, the bakery's accounting firm (REGN).
    pub const ACCOUNTING_FIRM: &str = "310100005";
    /// Ola Tallesen, general manager of the accounting firm.
    pub const OLA: &str = "03908110020";
    /// Rita Regnskap, on the accounting firm's board: one of its people,
    /// holding no package.
    pub const RITA: &str = "17889210079";
    /// Sara Sponsor.
    pub const SARA: &str = "24818910181";
}

/// Imports the built-in catalogue and loads the demo data.
pub async fn demo_world(pool: &PgPool) {
    let installation = operator(pool).await;
    domain::catalogue::store::import(&installation, &domain::catalogue::builtin(), "builtin").await.expect("catalogue");
    domain::demo::load(&installation).await.expect("demo data");
}

/// The installation itself (what a command or a job acts as).
pub async fn operator(pool: &PgPool) -> Context {
    services(pool).await.for_operator("test")
}

/// The person with this national identity number (demo data).
pub async fn person(pool: &PgPool, nin: &str) -> PartyId {
    let mut c = pool.acquire().await.expect("connection");
    parties::find_by_national_id(&mut c, &NationalId::parse(nin, SyntheticIds::Accept).expect("a valid number")).await.expect("query").expect("known person").id
}

/// The organisation with this number (demo data).
pub async fn org(pool: &PgPool, number: &str) -> PartyId {
    let mut c = pool.acquire().await.expect("connection");
    parties::find_by_org_number(&mut c, &OrgNumber::try_from(number).expect("a valid number")).await.expect("query").expect("known organisation").id
}

/// What use cases share, over a freshly loaded engine and the wall clock.
pub async fn services(pool: &PgPool) -> Services {
    services_with_clock(pool, Arc::new(SystemClock)).await
}

/// As [`services`], with another clock.
pub async fn services_with_clock(pool: &PgPool, clock: Arc<dyn Clock>) -> Services {
    Services::start(pool.clone(), clock).await.expect("engine")
}

/// A system of the demo vendor Regnskapsappen AS, `310000000_<slug>`,
/// called `name` (and described so) in every language, offering the single
/// right to read Fjordby's reporting service and nothing more: a test sets
/// what it needs over it with `..system(…)`.
pub fn system(slug: &str, name: &str) -> SystemForCreate {
    let text = |s: &str| Translated { nb: s.into(), nn: s.into(), en: s.into() };
    SystemForCreate {
        id: format!("310000000_{slug}"),
        vendor: "310000000".into(),
        name: text(name),
        description: text(name),
        rights: vec![SystemRight { resource: "fjordby-rapportering".into(), action: Some("read".into()) }],
        packages: vec![],
        client_ids: vec![],
        redirect_urls: vec![],
        is_visible: false,
    }
}

/// Registers `system` as the installation's operator.
pub async fn register_system(pool: &PgPool, system: &SystemForCreate) {
    domain::system_register::service::create(&operator(pool).await, system).await.expect("a valid system");
}

/// `person` acting for `party`, named in the audit trail by their id.
pub fn acting(services: &Services, person: PartyId, party: PartyId) -> Context {
    services.for_person(person, person.to_string(), Some(party), None)
}

/// A XACML 3.0 policy for resource `id` in Altinn's layout: register role DAGL
/// may read and sign, and rule `rule_id` lets holders of `package` read;
/// authentication level 3 is required.
pub fn altinn_xml(id: &str, combining: &str, rule_id: &str, package: &str) -> String {
    let m = |function: &str, value: &str, attribute: &str, category: &str| {
        format!(
            r#"<xacml:Match MatchId="urn:oasis:names:tc:xacml:{function}"><xacml:AttributeValue DataType="http://www.w3.org/2001/XMLSchema#string">{value}</xacml:AttributeValue><xacml:AttributeDesignator AttributeId="{attribute}" Category="{category}" DataType="http://www.w3.org/2001/XMLSchema#string" MustBePresent="false"/></xacml:Match>"#
        )
    };
    let subject = |attribute: &str, value: &str| {
        m("3.0:function:string-equal-ignore-case", value, attribute, "urn:oasis:names:tc:xacml:1.0:subject-category:access-subject")
    };
    let resource = m("1.0:function:string-equal", id, "urn:altinn:resource", "urn:oasis:names:tc:xacml:3.0:attribute-category:resource");
    let action =
        |a: &str| m("1.0:function:string-equal", a, "urn:oasis:names:tc:xacml:1.0:action:action-id", "urn:oasis:names:tc:xacml:3.0:attribute-category:action");
    let rule = |rid: &str, subject: String, actions: &[&str]| {
        format!(
            r#"<xacml:Rule RuleId="{rid}" Effect="Permit"><xacml:Target><xacml:AnyOf><xacml:AllOf>{subject}</xacml:AllOf></xacml:AnyOf><xacml:AnyOf><xacml:AllOf>{resource}</xacml:AllOf></xacml:AnyOf><xacml:AnyOf>{}</xacml:AnyOf></xacml:Target></xacml:Rule>"#,
            actions.iter().map(|a| format!("<xacml:AllOf>{}</xacml:AllOf>", action(a))).collect::<String>()
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<xacml:Policy xmlns:xacml="urn:oasis:names:tc:xacml:3.0:core:schema:wd-17" PolicyId="urn:altinn:policyid:1" Version="1.0" RuleCombiningAlgId="urn:oasis:names:tc:xacml:3.0:rule-combining-algorithm:{combining}">
<xacml:Target/>
{}
{}
<xacml:ObligationExpressions><xacml:ObligationExpression ObligationId="urn:altinn:obligation:authenticationLevel1" FulfillOn="Permit"><xacml:AttributeAssignmentExpression AttributeId="urn:altinn:obligation-assignment:1" Category="urn:altinn:minimum-authenticationlevel"><xacml:AttributeValue DataType="http://www.w3.org/2001/XMLSchema#integer">3</xacml:AttributeValue></xacml:AttributeAssignmentExpression></xacml:ObligationExpression></xacml:ObligationExpressions>
</xacml:Policy>"#,
        rule("dagl", subject(attr::ROLE_CODE, "DAGL"), &["read", "sign"]),
        rule(rule_id, subject(attr::ACCESS_PACKAGE, package), &["read"]),
    )
}

/// A delegable resource whose one rule permits `actions` to holders of `package`.
pub fn resource(id: &str, package: &str, actions: &[&str]) -> ResourceForSave {
    ResourceForSave {
        id: id.into(),
        title_nb: id.into(),
        title_nn: id.into(),
        title_en: id.into(),
        description: String::new(),
        resource_type: "GenericAccessResource".into(),
        delegable: true,
        policy: Policy::deny_overrides(vec![Rule::permit_package("r", package, actions)]),
    }
}

/// Saves `r` as the installation, owned by `owner`.
pub async fn save_resource(pool: &PgPool, owner: &str, r: &ResourceForSave) {
    domain::resources::save(&operator(pool).await, &OrgNumber::try_from(owner).expect("a valid number"), r).await.expect("resource saved");
}
