//! The SQL of client administration. A firm's clients are read from the view
//! `client_need` (`client_package`: register roles with their packages and
//! organisation-form conditions, and direct package grants to the firm; and
//! the single rights the client granted the firm), each thing given as one
//! key ([`Need`]), so the list, the attach rule and the cascades share one
//! definition.

use super::model::{After, Agent, ClientRow, Given, Need, Requirement, Show, Via};
use crate::system_register::Translated;
use sqlx::PgConnection;
use uuid::Uuid;

/// The firm's agent system users in force, by name, or the one `only`.
pub async fn agents(conn: &mut PgConnection, firm: Uuid, only: Option<Uuid>) -> Result<Vec<Agent>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select su.id as "id!", su.display_name as "name!", su.system_id as "system_id!", su.created_at as "created_at!",
                  coalesce((select v.name from party v where v.org_number = su.vendor_org_number and v.status = 'active' limit 1), su.vendor_org_number) as "vendor!",
                  (select count(*) from client_delegation d where d.agent_system_user_id = su.id and d.ended_at is null) as "clients!"
           from system_user_in_force su
           where su.party_id = $1 and su.user_type = 'agent' and ($2::uuid is null or su.id = $2)
           order by su.display_name, su.id"#,
        firm,
        only
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut agents = Vec::with_capacity(rows.len());
    for r in rows {
        agents.push(Agent {
            requires: requirements(conn, r.id).await?,
            id: r.id,
            name: r.name,
            system_id: r.system_id,
            vendor_name: r.vendor,
            clients: r.clients,
            created_at: r.created_at,
        });
    }
    Ok(agents)
}

/// What an agent system user requires of each client, by name: its
/// packages, then its single rights (scenario S9).
pub async fn requirements(conn: &mut PgConnection, system_user: Uuid) -> Result<Vec<Requirement>, sqlx::Error> {
    let mut out: Vec<Requirement> = sqlx::query!(
        "select p.code, p.name_nb, p.name_nn, p.name_en, p.description_nb, p.description_nn, p.description_en
         from system_user_agent_package a join access_package p on p.urn = a.package_urn
         where a.system_user_id = $1 order by p.name_nb",
        system_user
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| Requirement {
        key: r.code,
        name: Translated { nb: r.name_nb, nn: r.name_nn, en: r.name_en },
        description: Translated { nb: r.description_nb, nn: r.description_nn, en: r.description_en },
    })
    .collect();
    let rights = sqlx::query!(
        "select a.resource_id, a.action, r.title_nb, r.title_nn, r.title_en from system_user_agent_right a join resource r on r.id = a.resource_id
         where a.system_user_id = $1 order by r.title_nb, a.action",
        system_user
    )
    .fetch_all(conn)
    .await?;
    out.extend(rights.into_iter().map(|r| {
        let key = Need::right_key(&r.resource_id, &r.action);
        let name = Need::named(&key, Translated { nb: r.title_nb, nn: r.title_nn, en: r.title_en });
        Requirement { key, name, description: Translated::default() }
    }));
    Ok(out)
}

/// What the client gives the firm of `required` (keys: packages and single
/// rights). The firm itself gives itself the packages assignable in one's
/// own organisation, and no single right: an agent that requires rights
/// acts for clients only.
pub async fn given(conn: &mut PgConnection, firm: Uuid, client: Uuid, required: &[String]) -> Result<Vec<Given>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"select cn.need as "need!", cn.role_code, cn.grant_id from client_need cn
           where cn.firm_id = $1 and cn.client_id = $2 and cn.need = any($3) and $1 <> $2
           union all
           select p.code, 'OWN', null from access_package p where $1 = $2 and p.assignable and p.code = any($3)"#,
        firm,
        client,
        required
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| Given { need: r.need, via: via(r.role_code, r.grant_id) })
    .collect())
}

fn via(role: Option<String>, grant: Option<Uuid>) -> Via {
    match (grant, role) {
        (Some(grant), _) => Via::Grant { grant },
        (None, role) => Via::Role { code: role.unwrap_or_default() },
    }
}

/// The query of a page of clients.
pub struct PageQuery<'a> {
    pub firm: Uuid,
    pub agent: Uuid,
    pub required: &'a [String],
    pub show: Show,
    /// A part of the name, or the start of the organisation number.
    pub search: &'a str,
    pub after: Option<&'a After>,
    pub limit: i64,
}

/// A page of the firm's clients (the firm itself left out), by name, each
/// with what it gives of `required` and whether it is attached to `agent`.
/// The keyset (lower(name), id) keeps a page at 10,000 clients as fast as the first.
pub async fn client_page(conn: &mut PgConnection, q: &PageQuery<'_>) -> Result<Vec<ClientRow>, sqlx::Error> {
    let pattern = format!("%{}%", q.search.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let digits = q.search.chars().all(|c| c.is_ascii_digit()) && !q.search.is_empty();
    let show = match q.show {
        Show::All => "all",
        Show::Available => "available",
        Show::Attached => "attached",
        Show::NotAttached => "not_attached",
    };
    // The firm's clients are found, searched and sorted first (one pass over
    // its relationships and names); what each gives and whether it is
    // attached is then read per client, in order, only until the page is
    // full: the sorted subquery is not flattened, the lateral joins keep its
    // order (the outer sort key must be the subquery's own output column,
    // `sort_name`, or PostgreSQL sorts again on top and reads every client:
    // 295 ms against 39 ms at 10,000 clients), and the limit stops them. 10,000 clients cost one sort, not
    // 10,000 aggregations (docs/benchmarks.md).
    let rows = sqlx::query!(
        r#"select p.id as "id!", p.name as "name!", p.org_number, g.needs as "needs!", g.roles as "roles!: Vec<Option<String>>",
                  g.grants as "grants!: Vec<Option<Uuid>>", a.attached as "attached!"
           from (
               select c.id, c.name, c.org_number, lower(c.name) as sort_name
               from (select distinct cn.client_id from client_need cn where cn.firm_id = $1 and cn.client_id <> $1) ids
               join party c on c.id = ids.client_id
               where ($4 = '%%' or lower(c.name) like $4 or ($5 and c.org_number like $6 || '%'))
                 and ($7::text is null or (lower(c.name), c.id) > (lower($7), $8::uuid))
               order by lower(c.name), c.id
           ) p
           cross join lateral (
               select coalesce(array_agg(r.need), '{}') as needs, coalesce(array_agg(r.role_code), '{}') as roles,
                      coalesce(array_agg(r.grant_id), '{}') as grants, count(distinct r.need) as given
               from client_need r where r.firm_id = $1 and r.client_id = p.id and r.need = any($3)
           ) g
           cross join lateral (
               select exists (select 1 from client_delegation d where d.agent_system_user_id = $2 and d.client_id = p.id and d.ended_at is null) as attached
           ) a
           where $9 = 'all'
              or ($9 = 'available' and not a.attached and g.given = cardinality($3))
              or ($9 = 'attached' and a.attached)
              or ($9 = 'not_attached' and not a.attached)
           order by p.sort_name, p.id
           limit $10"#,
        q.firm,
        q.agent,
        q.required,
        pattern,
        digits,
        q.search,
        q.after.map(|a| a.name.as_str()),
        q.after.map(|a| a.id),
        show,
        q.limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let given: Vec<Given> =
                r.needs.into_iter().zip(r.roles.into_iter().zip(r.grants)).map(|(need, (role, grant))| Given { need, via: via(role, grant) }).collect();
            let given = super::model::relevant(q.required, given);
            let missing = super::model::missing(q.required, &given).into_iter().map(str::to_string).collect();
            ClientRow { id: r.id, name: r.name, org_number: r.org_number, own_organisation: false, given, missing, attached: r.attached }
        })
        .collect())
}

/// The firm as a row of its own list: offered when every required package
/// may be assigned in one's own organisation.
pub async fn own_row(conn: &mut PgConnection, firm: Uuid, agent: Uuid, required: &[String]) -> Result<Option<ClientRow>, sqlx::Error> {
    let Some(me) = sqlx::query!("select name, org_number from party where id = $1 and status = 'active'", firm).fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let given = given(conn, firm, firm, required).await?;
    let attached = is_attached(conn, agent, firm).await?;
    let missing = super::model::missing(required, &given).into_iter().map(str::to_string).collect();
    Ok(Some(ClientRow { id: firm, name: me.name, org_number: me.org_number, own_organisation: true, given, missing, attached }))
}

pub async fn is_attached(conn: &mut PgConnection, agent: Uuid, client: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from client_delegation where agent_system_user_id = $1 and client_id = $2 and ended_at is null) as "x!""#,
        agent,
        client
    )
    .fetch_one(conn)
    .await
}

/// A party's name and organisation number, if it is an active party.
pub async fn party_name(conn: &mut PgConnection, id: Uuid) -> Result<Option<(String, Option<String>)>, sqlx::Error> {
    Ok(sqlx::query!("select name, org_number from party where id = $1 and status = 'active'", id).fetch_optional(conn).await?.map(|r| (r.name, r.org_number)))
}

/// Records a client delegation of `needs` (packages and single rights, by
/// key) from `client` through `firm`
/// to `agent`. `None` when one is in force already.
pub async fn insert(
    conn: &mut PgConnection,
    firm: Uuid,
    client: Uuid,
    agent: Uuid,
    needs: &[String],
    by: Option<Uuid>,
    by_label: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    let id = Uuid::now_v7();
    let inserted = sqlx::query_scalar!(
        "insert into client_delegation (id, firm_id, client_id, agent_system_user_id, created_by, created_by_label)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (agent_system_user_id, client_id) where ended_at is null and agent_system_user_id is not null do nothing
         returning id",
        id,
        firm,
        client,
        agent,
        by,
        by_label
    )
    .fetch_optional(&mut *conn)
    .await?;
    if inserted.is_none() {
        return Ok(None);
    }
    let (mut codes, mut resources, mut actions) = (Vec::new(), Vec::new(), Vec::new());
    for key in needs {
        match Need::of(key) {
            Need::Package(code) => codes.push(code.to_string()),
            Need::Right { resource, action } => {
                resources.push(resource.to_string());
                actions.push(action.to_string());
            }
        }
    }
    sqlx::query!("insert into client_delegation_package (delegation_id, package_code) select $1, unnest($2::text[])", id, &codes).execute(&mut *conn).await?;
    sqlx::query!(
        "insert into client_delegation_right (delegation_id, resource_id, action) select $1, unnest($2::text[]), unnest($3::text[])",
        id,
        &resources,
        &actions
    )
    .execute(conn)
    .await?;
    Ok(Some(id))
}

/// A client delegation that ended, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ended {
    pub id: Uuid,
    pub firm: Uuid,
    pub client: Uuid,
    pub agent: Uuid,
    /// The packages the client no longer gives the firm (cascades only).
    pub missing: Vec<String>,
}

/// Ends the delegation of `client` to the agent system user `agent`.
pub async fn end_one(conn: &mut PgConnection, agent: Uuid, client: Uuid, cause: &str) -> Result<Option<Ended>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"update client_delegation set ended_at = now(), ended_cause = $3
           where agent_system_user_id = $1 and client_id = $2 and ended_at is null
           returning id, firm_id, client_id"#,
        agent,
        client,
        cause
    )
    .fetch_optional(conn)
    .await?
    .map(|r| Ended { id: r.id, firm: r.firm_id, client: r.client_id, agent, missing: Vec::new() }))
}

/// Ends every delegation to the agent system user `agent` (it is being deleted).
pub async fn end_all_of_agent(conn: &mut PgConnection, agent: Uuid, cause: &str) -> Result<Vec<Ended>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"update client_delegation set ended_at = now(), ended_cause = $2
           where agent_system_user_id = $1 and ended_at is null
           returning id, firm_id, client_id"#,
        agent,
        cause
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| Ended { id: r.id, firm: r.firm_id, client: r.client_id, agent, missing: Vec::new() })
    .collect())
}

/// Ends every delegation to the agent system users of the system `system` (it is being deleted).
pub async fn end_all_of_system(conn: &mut PgConnection, system: &str, cause: &str) -> Result<Vec<Ended>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"update client_delegation d set ended_at = now(), ended_cause = $2
           from system_user su
           where su.id = d.agent_system_user_id and su.system_id = $1 and d.ended_at is null
           returning d.id, d.firm_id, d.client_id, su.id as agent"#,
        system,
        cause
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| Ended { id: r.id, firm: r.firm_id, client: r.client_id, agent: r.agent, missing: Vec::new() })
    .collect())
}

/// Ends every delegation in force whose client no longer gives the firm
/// every package it passes on, limited to one firm and/or one client when
/// given. Reads the view as the calling transaction sees it, so a grant
/// revoked or a role ended earlier in the transaction counts as gone.
pub async fn end_unsupported(conn: &mut PgConnection, firm: Option<Uuid>, client: Option<Uuid>, cause: &str) -> Result<Vec<Ended>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"with broken as (
               select d.id, array_agg(dn.need order by dn.need) as missing
               from client_delegation d
               join client_delegation_need dn on dn.delegation_id = d.id
               where d.ended_at is null
                 and ($1::uuid is null or d.firm_id = $1)
                 and ($2::uuid is null or d.client_id = $2)
                 and not exists (
                     select 1 from client_need cn
                     where cn.firm_id = d.firm_id and cn.client_id = d.client_id and cn.need = dn.need and d.firm_id <> d.client_id)
                 and not (d.firm_id = d.client_id and exists (select 1 from access_package p where p.code = dn.need and p.assignable))
               group by d.id
           )
           update client_delegation d set ended_at = now(), ended_cause = $3
           from broken b where d.id = b.id
           returning d.id, d.firm_id, d.client_id, coalesce(d.agent_system_user_id, d.agent_person_id) as "agent!", b.missing as "missing!""#,
        firm,
        client,
        cause
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| Ended { id: r.id, firm: r.firm_id, client: r.client_id, agent: r.agent, missing: r.missing })
    .collect())
}

/// Whether `client` is a client of `firm` at all: the register or a grant
/// relates them, whatever it gives.
pub async fn is_client(conn: &mut PgConnection, firm: Uuid, client: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"select exists (select 1 from client_need where firm_id = $1 and client_id = $2) as "x!""#, firm, client).fetch_one(conn).await
}

/// Records that `firm` passes on `packages` of `client` to the person
/// `person`: into the delegation to the person in force for the pair, or a
/// new one. Returns the delegation and the packages that were not passed on
/// to the person already.
pub async fn give_person(
    conn: &mut PgConnection,
    firm: Uuid,
    client: Uuid,
    person: Uuid,
    packages: &[String],
    by: Option<Uuid>,
    by_label: &str,
) -> Result<(Uuid, Vec<String>), sqlx::Error> {
    // The delegation in force for the pair, locked, or a new one: one
    // statement, so a removal racing it cannot leave it without a row.
    let delegation = sqlx::query_scalar!(
        "insert into client_delegation (id, firm_id, client_id, agent_person_id, created_by, created_by_label)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (firm_id, agent_person_id, client_id) where ended_at is null and agent_person_id is not null
         do update set firm_id = excluded.firm_id
         returning id",
        Uuid::now_v7(),
        firm,
        client,
        person,
        by,
        by_label
    )
    .fetch_one(&mut *conn)
    .await?;
    let added = sqlx::query_scalar!(
        r#"insert into client_delegation_package (delegation_id, package_code) select $1, unnest($2::text[])
           on conflict do nothing returning package_code as "code!""#,
        delegation,
        packages
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok((delegation, added))
}

/// Whether any delegation in force passes on what `client` gives `firm`.
pub async fn any_live(conn: &mut PgConnection, firm: Uuid, client: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"select exists (select 1 from client_delegation where firm_id = $1 and client_id = $2 and ended_at is null) as "x!""#, firm, client)
        .fetch_one(conn)
        .await
}
