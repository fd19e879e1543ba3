//! Demo data: enough parties and register roles to walk every scenario by hand.
//!
//! All numbers are synthetic: organisation numbers in the 31xxxxxxx range used by
//! test registers, and national identity numbers with month + 80 (Tenor style),
//! so they can never belong to a real person.

use crate::audit::{AuditEvent, Outcome, UnitOfWorkError};
use crate::context::Context;
use crate::parties::model::{OrganisationForCreate, PersonForCreate};
use crate::parties::{store as parties, NationalId, OrgForm, OrgNumber, SyntheticIds};
use crate::register_roles;

/// A demo organisation: org number, name, form, main unit.
pub const ORGANISATIONS: &[(&str, &str, &str, Option<&str>)] = &[
    ("310000000", "Regnskapsappen AS", "AS", None),
    ("310100005", "Tall og Tro Regnskap AS", "AS", None),
    ("310200018", "Revisjon Nord AS", "AS", None),
    ("310300004", "Boligforvaltning Vest AS", "AS", None),
    ("310400009", "Bakeri Hansen AS", "AS", None),
    ("310500003", "Fjordutsikt Borettslag", "BRL", None),
    ("310600008", "Kystfisk AS", "AS", None),
    ("310700002", "Universitetet i Fjordby", "ORGL", None),
    ("310800007", "Fakultet for naturvitenskap", "BEDR", Some("310700002")),
    ("310900001", "Universitetsbiblioteket i Fjordby", "BEDR", Some("310700002")),
    ("311100009", "Sjøgata Næringsbygg AS", "AS", None),
];

/// A vendor's system (id, name) and a system user the bakery has for it, so
/// that system users can be given access in the portal before the system
/// register lets vendors and customers make their own.
pub const SYSTEM: (&str, &str) = ("310000000_demo", "Regnskapsappen");
pub const SYSTEM_USER: (u128, &str, &str) = (0x0193_0000_0000_7000_8000_0000_0000_0001, "310400009", "Regnskapsappen for Bakeri Hansen");

/// The demo vendor's API client (client id, key id): its private key is in
/// `data/demo/` so that the README's vendor journey can sign token grants.
/// Demo only: anyone can act as this client.
pub const VENDOR_CLIENT: (&str, &str) = ("0193d0e0-0000-7000-8000-000000000001", "demo-1");
const VENDOR_CLIENT_PUBLIC_KEY: &str = include_str!("../../data/demo/regnskapsappen-demo-key.pub.pem");
/// What the operator gave the demo vendor's client: the vendor API scopes.
pub const VENDOR_CLIENT_SCOPES: [&str; 3] =
    ["altinn:authentication/systemregister.write", "altinn:authentication/systemuser.request.write", "altinn:authentication/systemuser.request.read"];

/// A demo person: national identity number, name.
pub const PERSONS: &[(&str, &str)] = &[
    ("12887510170", "Kari Nordmann"),
    ("03908110020", "Ola Tallesen"),
    ("21926310140", "Per Revisorsen"),
    ("07847010120", "Lise Styre"),
    ("14928810047", "Bjørn Hansen"),
    ("30909810090", "Fredrik Forvalter"),
    ("05858510084", "Ada Rektor"),
    ("24818910181", "Sara Sponsor"),
    ("11839110083", "Gunn Gjest"),
    ("17889210079", "Rita Regnskap"),
];

/// Register roles: (role legacy code, holder — national id or org number, for org number).
pub const REGISTER_ROLES: &[(&str, &str, &str)] = &[
    ("DAGL", "12887510170", "310000000"), // Kari runs the software vendor
    ("DAGL", "03908110020", "310100005"), // Ola runs the accounting firm
    ("LEDE", "03908110020", "310100005"),
    ("MEDL", "17889210079", "310100005"), // Rita is one of the accounting firm's people
    ("DAGL", "21926310140", "310200018"), // Per runs the auditing firm
    ("DAGL", "30909810090", "310300004"), // Fredrik runs the business manager
    ("DAGL", "14928810047", "310400009"), // Bjørn runs the bakery
    ("LEDE", "07847010120", "310500003"), // Lise chairs the housing co-operative
    ("DAGL", "21926310140", "310600008"), // Per also manages the fishing company
    ("DAGL", "05858510084", "310700002"), // Ada is the university's director
    ("REGN", "310100005", "310400009"),   // the accounting firm keeps the bakery's books
    ("REGN", "310100005", "310600008"),
    ("REVI", "310200018", "310400009"), // the auditing firm audits the bakery
    ("REVI", "310200018", "310600008"),
    ("FFØR", "310300004", "310500003"), // the business manager serves the housing co-op
    // … and a company's building: FFØR gives a company nothing (scenario S2's refusal)
    ("FFØR", "310300004", "311100009"),
];

/// The service owner of the demo: the university owns one resource, so its
/// general manager (Ada Rektor) has services to manage.
pub const SERVICE_OWNER: &str = "310700002";

/// The demo resource owned by [`SERVICE_OWNER`]; created when missing, never
/// overwritten (a person may have edited it).
pub fn demo_resource() -> crate::resources::ResourceForSave {
    use crate::decisions::policy::{attr, Effect, Match, Policy, Rule};
    crate::resources::ResourceForSave {
        id: "fjordby-rapportering".into(),
        title_nb: "Rapportering til Universitetet i Fjordby".into(),
        title_nn: "Rapportering til Universitetet i Fjordby".into(),
        title_en: "Reporting to the University of Fjordby".into(),
        description: "Rapporter fra samarbeidspartnere til universitetet.".into(),
        resource_type: "GenericAccessResource".into(),
        delegable: true,
        policy: Policy::deny_overrides(vec![Rule {
            id: "rapportering".into(),
            effect: Effect::Permit,
            subjects: vec![
                vec![Match { attribute: attr::ACCESS_PACKAGE.into(), value: "regnskap-okonomi-rapport".into(), ignore_case: true }],
                vec![Match { attribute: attr::ROLE_CODE.into(), value: "DAGL".into(), ignore_case: true }],
            ],
            actions: vec!["read".into(), "write".into()],
            description: String::new(),
        }]),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo data is invalid: {0}")]
    Invalid(String),
    #[error("role {0} is not in the catalogue; load the catalogue first")]
    UnknownRole(String),
    #[error(transparent)]
    Denied(#[from] crate::authz::Denied),
    #[error(transparent)]
    Store(#[from] UnitOfWorkError),
    #[error(transparent)]
    Resource(#[from] crate::resources::ResourceError),
}

impl From<sqlx::Error> for DemoError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

/// Loads (or refreshes) the demo data in one audited transaction, as the
/// installation's operator. Idempotent.
#[tracing::instrument(skip_all, fields(actor = %ctx.actor().label))]
pub async fn load(ctx: &Context) -> Result<(), DemoError> {
    ctx.authorize_operator()?;
    let mut uow = ctx.begin().await?;
    for (org, name, form, parent) in ORGANISATIONS {
        let o = OrganisationForCreate {
            org_number: OrgNumber::try_from(*org).map_err(|e| DemoError::Invalid(format!("{org}: {e}")))?,
            name: (*name).to_string(),
            org_form: OrgForm::try_from((*form).to_string()).map_err(|e| DemoError::Invalid(e.to_string()))?,
            parent: parent.map(OrgNumber::try_from).transpose().map_err(|e| DemoError::Invalid(e.to_string()))?,
        };
        parties::upsert_organisation(uow.conn(), &o).await?;
    }
    for (nin, name) in PERSONS {
        let p = PersonForCreate {
            national_id: NationalId::parse(nin, SyntheticIds::Accept).map_err(|e| DemoError::Invalid(format!("{nin}: {e}")))?,
            name: (*name).to_string(),
        };
        parties::upsert_person(uow.conn(), &p).await?;
    }
    for (legacy, holder, for_org) in REGISTER_ROLES {
        let role = register_roles::role_code_for_legacy(uow.conn(), legacy).await?.ok_or_else(|| DemoError::UnknownRole((*legacy).into()))?;
        let holder_party = if holder.len() == 9 {
            parties::find_by_org_number(uow.conn(), &OrgNumber::try_from(*holder).map_err(|e| DemoError::Invalid(e.to_string()))?).await?
        } else {
            parties::find_by_national_id(uow.conn(), &NationalId::parse(holder, SyntheticIds::Accept).map_err(|e| DemoError::Invalid(e.to_string()))?).await?
        };
        let for_party = parties::find_by_org_number(uow.conn(), &OrgNumber::try_from(*for_org).map_err(|e| DemoError::Invalid(e.to_string()))?).await?;
        let (Some(h), Some(f)) = (holder_party, for_party) else {
            return Err(DemoError::Invalid(format!("{legacy} {holder} -> {for_org}: party missing")));
        };
        register_roles::assign_register_role(uow.conn(), &role, h.id, f.id).await?;
    }
    sqlx::query!(
        "insert into system_register (system_id, vendor_org_number, name_nb, name_nn, name_en, description_nb, description_nn, description_en, client_ids)
         values ($1, $2, $3, $3, $3, $4, $5, $6, array[$7]) on conflict do nothing",
        SYSTEM.0,
        &SYSTEM.0[..9],
        SYSTEM.1,
        "Regnskap og lønn for små bedrifter.",
        "Rekneskap og løn for små verksemder.",
        "Accounting and payroll for small businesses.",
        VENDOR_CLIENT.0
    )
    .execute(uow.conn())
    .await?;
    add_vendor_client(uow.conn(), ctx.now()).await?;
    add_university_guests(uow.conn(), ctx.now()).await?;
    let (id, owner, title) = SYSTEM_USER;
    let added = sqlx::query!(
        "insert into system_user (id, system_id, party_id, external_ref, integration_title)
         select $1, $2, id, org_number, $3 from party where org_number = $4 on conflict do nothing",
        uuid::Uuid::from_u128(id),
        SYSTEM.0,
        title,
        owner
    )
    .execute(uow.conn())
    .await?
    .rows_affected();
    if added > 0 {
        crate::decisions::store::record_change(uow.conn(), crate::decisions::store::Change::Rebuild("demo.system_user")).await?;
    }
    uow.audit(AuditEvent::new(
        "demo.load",
        "demo-data",
        Outcome::Success,
        serde_json::json!({"organisations": ORGANISATIONS.len(), "persons": PERSONS.len(), "register_roles": REGISTER_ROLES.len()}),
    ))
    .await?;
    ctx.commit(uow).await?;
    let owner = OrgNumber::try_from(SERVICE_OWNER).map_err(|e| DemoError::Invalid(e.to_string()))?;
    for resource in [demo_resource(), guest_resource()] {
        let exists = crate::resources::store::owner_of(&mut *ctx.db().acquire().await?, &resource.id).await?.is_some();
        if !exists {
            crate::resources::save(ctx, &owner, &resource).await?;
        }
    }
    give_guest_role_its_right(ctx).await
}

/// The resource the university's guest role gives: the guests' network and
/// library access (`read`). Its policy names the director only; a guest
/// reaches it through the single right the guest role carries.
pub const GUEST_RESOURCE: &str = "fjordby-gjestetilgang";

/// The demo's [`GUEST_RESOURCE`]; created when missing, never overwritten.
pub fn guest_resource() -> crate::resources::ResourceForSave {
    use crate::decisions::policy::{attr, Effect, Match, Policy, Rule};
    crate::resources::ResourceForSave {
        id: GUEST_RESOURCE.into(),
        title_nb: "Gjestetilgang ved Universitetet i Fjordby".into(),
        title_nn: "Gjestetilgang ved Universitetet i Fjordby".into(),
        title_en: "Guest access at the University of Fjordby".into(),
        description: "Trådløst nett og bibliotek for gjester ved universitetet.".into(),
        resource_type: "GenericAccessResource".into(),
        delegable: true,
        policy: Policy::deny_overrides(vec![Rule {
            id: "gjestetilgang".into(),
            effect: Effect::Permit,
            subjects: vec![vec![Match { attribute: attr::ROLE_CODE.into(), value: "DAGL".into(), ignore_case: true }]],
            actions: vec!["read".into()],
            description: String::new(),
        }]),
    }
}

/// The guest role gives `read` on [`GUEST_RESOURCE`] (added once; the
/// engine rebuilds when it is new).
async fn give_guest_role_its_right(ctx: &Context) -> Result<(), DemoError> {
    let mut uow = ctx.begin().await?;
    let added = sqlx::query!(
        "insert into user_role_right (role_id, resource_id, action) select id, $2, 'read' from user_role where code = $1 on conflict do nothing",
        GUEST_ROLE,
        GUEST_RESOURCE
    )
    .execute(uow.conn())
    .await?
    .rows_affected();
    if added == 0 {
        return Ok(()); // there already; dropping the unit of work rolls back
    }
    crate::decisions::store::record_change(uow.conn(), crate::decisions::store::Change::Rebuild("demo.guest_role")).await?;
    let details = serde_json::json!({ "role": GUEST_ROLE, "resource": GUEST_RESOURCE, "action": "read" });
    uow.audit(AuditEvent::new("demo.load", "demo-data", Outcome::Success, details)).await?;
    ctx.commit(uow).await?;
    Ok(())
}

/// The university's organisational units (code, names nb/nn/en, parent).
pub const UNITS: &[(&str, &str, &str, &str, Option<&str>)] = &[
    ("UIF", "Universitetet i Fjordby", "Universitetet i Fjordby", "University of Fjordby", None),
    ("NAT", "Fakultet for naturvitenskap", "Fakultet for naturvitskap", "Faculty of Natural Sciences", Some("UIF")),
    ("NAT-KJEM", "Kjemisk institutt", "Kjemisk institutt", "Department of Chemistry", Some("NAT")),
    ("UB", "Universitetsbiblioteket", "Universitetsbiblioteket", "University Library", Some("UIF")),
];
/// The university's guest role (a user role it owns).
pub const GUEST_ROLE: &str = "fjordby-gjest";
/// Sara Sponsor sponsors guests of this unit (and the units below it).
pub const SPONSOR_UNIT: &str = "NAT";
/// The university's employee role, which Sara Sponsor holds there.
pub const EMPLOYEE_ROLE: &str = "fjordby-ansatt";
/// Sara Sponsor's national identity number.
pub const SPONSOR: &str = "24818910181";
/// Where Sara Sponsor's notices are e-mailed.
pub const SPONSOR_EMAIL: &str = "sara.sponsor@example.org";

/// The university's units, its guest role and short-term guest policy, and
/// Sara Sponsor as sponsor for the Faculty of Natural Sciences, unless there.
async fn add_university_guests(conn: &mut sqlx::PgConnection, now: time::OffsetDateTime) -> Result<(), DemoError> {
    let university = parties::find_by_org_number(&mut *conn, &OrgNumber::try_from(SERVICE_OWNER).map_err(|e| DemoError::Invalid(e.to_string()))?)
        .await?
        .ok_or_else(|| DemoError::Invalid("the university is missing".into()))?;
    for (code, nb, nn, en, parent) in UNITS {
        sqlx::query!(
            "insert into org_unit (id, institution_id, code, name_nb, name_nn, name_en, parent_id, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, (select id from org_unit where institution_id = $2 and code = $7), $8, $8)
             on conflict (institution_id, code) do nothing",
            uuid::Uuid::now_v7(),
            university.id.0,
            code,
            nb,
            nn,
            en,
            *parent,
            now
        )
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query!(
        "insert into user_role (id, code, owner_party, name_nb, name_nn, name_en, description)
         values ($1, $2, $3, 'Gjest ved Universitetet i Fjordby', 'Gjest ved Universitetet i Fjordby', 'Guest at the University of Fjordby',
                 'Kortvarige gjester som en sponsor har registrert.')
         on conflict (code) do nothing",
        uuid::Uuid::now_v7(),
        GUEST_ROLE,
        university.id.0
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into guest_policy (institution_id, guest_type, role_id, max_days, invite_days_before, notice_days, claim_link_days, code_attempts, retention_days)
         select $1, 'short-term', id, 30, null, '{14,7,1}', 7, 5, 183 from user_role where code = $2
         on conflict do nothing",
        university.id.0,
        GUEST_ROLE
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into user_role_assign_right (id, role_id, holder_id, for_party, unit_id)
         select $1, r.id, p.id, $2, u.id from user_role r, party p, org_unit u
         where r.code = $3 and p.national_id = $4 and u.institution_id = $2 and u.code = $5
           and not exists (select 1 from user_role_assign_right x where x.role_id = r.id and x.holder_id = p.id and x.unit_id = u.id and x.ended_at is null)",
        uuid::Uuid::now_v7(),
        university.id.0,
        GUEST_ROLE,
        SPONSOR,
        SPONSOR_UNIT
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into guest_terms (institution_id, version, text_nb, text_nn, text_en, created_at) values ($1, 1, $2, $3, $4, $5)
         on conflict do nothing",
        university.id.0,
        "Som gjest ved Universitetet i Fjordby bruker du kontoen bare selv, følger universitetets regler for IT-bruk, og kontoen stenges når oppholdet ditt slutter.",
        "Som gjest ved Universitetet i Fjordby brukar du kontoen berre sjølv, følgjer reglane til universitetet for IT-bruk, og kontoen blir stengd når opphaldet ditt sluttar.",
        "As a guest of the University of Fjordby you use the account yourself only, follow the university's rules for IT use, and the account closes when your stay ends.",
        now
    )
    .execute(&mut *conn)
    .await?;
    // Sara is told at her work address when a guest's stay ends soon.
    sqlx::query!(
        "insert into notification_address (party_id, email, added_by, added_at) select id, $2, 'demo-data', $3 from party where national_id = $1
         on conflict do nothing",
        SPONSOR,
        SPONSOR_EMAIL,
        now
    )
    .execute(&mut *conn)
    .await?;
    // Sara works at the university: the employee role (which an HR feed
    // would give) lets her act for it, where she registers guests.
    sqlx::query!(
        "insert into user_role (id, code, owner_party, name_nb, name_nn, name_en, description)
         values ($1, $2, $3, 'Ansatt ved Universitetet i Fjordby', 'Tilsett ved Universitetet i Fjordby', 'Employee of the University of Fjordby', '')
         on conflict (code) do nothing",
        uuid::Uuid::now_v7(),
        EMPLOYEE_ROLE,
        university.id.0
    )
    .execute(&mut *conn)
    .await?;
    let assignment = uuid::Uuid::now_v7();
    let assigned = sqlx::query!(
        "insert into user_role_assignment (id, role_id, subject_id, assigned_in, valid_from, attestation_kind, attestation_issuer)
         select $1, r.id, p.id, $2, $3, 'manager_approval', 'Universitetet i Fjordby' from user_role r, party p
         where r.code = $4 and p.national_id = $5
           and not exists (select 1 from user_role_assignment x where x.role_id = r.id and x.subject_id = p.id and x.ended_at is null)",
        assignment,
        university.id.0,
        now,
        EMPLOYEE_ROLE,
        SPONSOR
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if assigned > 0 {
        sqlx::query!("insert into user_role_assignment_party (assignment_id, party_id) values ($1, $2)", assignment, university.id.0)
            .execute(&mut *conn)
            .await?;
        crate::decisions::store::record_change(&mut *conn, crate::decisions::store::Change::Rebuild("demo.university_employee")).await?;
    }
    Ok(())
}

/// Registers the demo vendor's API client with its public key and scopes,
/// unless it is there.
async fn add_vendor_client(conn: &mut sqlx::PgConnection, now: time::OffsetDateTime) -> Result<(), DemoError> {
    let (client_id, kid) = VENDOR_CLIENT;
    if crate::tokens::store::client_exists(&mut *conn, client_id).await? {
        return Ok(());
    }
    let vendor = parties::find_by_org_number(conn, &OrgNumber::try_from(&SYSTEM.0[..9]).map_err(|e| DemoError::Invalid(e.to_string()))?)
        .await?
        .ok_or_else(|| DemoError::Invalid("the demo vendor is missing".into()))?;
    let scopes: Vec<String> = VENDOR_CLIENT_SCOPES.iter().map(|s| s.to_string()).collect();
    crate::tokens::store::insert_client(conn, client_id, vendor.id, "Regnskapsappen (demo)", &scopes, None, now).await?;
    let key = crate::tokens::rules::parse_public_key(VENDOR_CLIENT_PUBLIC_KEY, Some(kid)).map_err(|e| DemoError::Invalid(e.to_string()))?;
    crate::tokens::store::insert_key(conn, client_id, &key, None, now).await?;
    Ok(())
}
