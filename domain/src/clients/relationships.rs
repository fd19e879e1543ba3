//! The client's side of client relationships: which firms act for the
//! party, through what (a register role or a grant the party gave), with
//! which packages, and which of each firm's agents (agent system users, and
//! the firm's people given the client's packages) act for it now. For the party's access managers, who revoke a grant to a
//! firm on "who has access" (`grants::revoke`), which ends every client
//! delegation that depended on it ([`super::cascade`]).

use super::model::{Need, PackageName, Via};
use super::ClientError;
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::system_register::Translated;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// A firm that acts for the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Firm {
    pub id: Uuid,
    pub name: String,
    pub org_number: Option<String>,
    /// Register roles the firm holds for the client (REGN, REVI, FFØR), by code.
    pub roles: Vec<String>,
    /// The packages (and single rights) the firm holds for the client, each with how.
    pub packages: Vec<FirmPackage>,
    /// The firm's agents acting for the client now: its agent system users
    /// the client is attached to, then the persons given its packages.
    pub agents: Vec<ActingAgent>,
}

/// A package a firm holds for the client, and how: through a register role,
/// or a grant the client gave (which the client may revoke).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirmPackage {
    pub package: PackageName,
    pub via: Via,
}

/// One of a firm's agents acting for the client: an agent system user or a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingAgent {
    /// The agent system user's id, or the person's.
    pub id: Uuid,
    pub name: String,
    /// An agent system user's system, by its name in the register; `None` for a person.
    pub system_name: Option<String>,
    /// The packages (and single rights) it holds for the client.
    pub packages: Vec<PackageName>,
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
}

/// The firms acting for the party the actor acts for, by name; for those
/// who may read the party's access management.
#[tracing::instrument(skip(ctx), fields(party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn firms_acting_for(ctx: &Context) -> Result<Vec<Firm>, ClientError> {
    let client = ctx.authorize_for_party(Action::Read, SystemResource::AccessManagement).map_err(|_| ClientError::NotAccessManager)?;
    let mut conn = ctx.db().acquire().await?;
    let rows = sqlx::query!(
        r#"select cn.firm_id as "firm!", f.name as "name!", f.org_number, cn.role_code, cn.grant_id, cn.need,
                  coalesce(ap.name_nb, res.title_nb) as "nb?",
                  coalesce(ap.name_nn, res.title_nn) as "nn?",
                  coalesce(ap.name_en, res.title_en) as "en?"
           from client_need cn
           join party f on f.id = cn.firm_id
           left join access_package ap on ap.code = cn.need
           left join resource res on cn.need like 'right:%' and res.id = split_part(cn.need, ':', 2)
           where cn.client_id = $1 and cn.firm_id <> $1
           order by lower(f.name), f.id, 7 nulls first, cn.need"#,
        client.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut firms: Vec<Firm> = Vec::new();
    for r in rows {
        if firms.last().is_none_or(|f| f.id != r.firm) {
            firms.push(Firm { id: r.firm, name: r.name, org_number: r.org_number, roles: Vec::new(), packages: Vec::new(), agents: Vec::new() });
        }
        let firm = firms.last_mut().expect("pushed");
        if let Some(role) = r.role_code.as_ref().filter(|_| r.grant_id.is_none()) {
            if !firm.roles.contains(role) {
                firm.roles.push(role.clone());
            }
        }
        if let Some(code) = r.need {
            let name = Need::named(&code, Translated { nb: r.nb.unwrap_or_default(), nn: r.nn.unwrap_or_default(), en: r.en.unwrap_or_default() });
            let via = match r.grant_id {
                Some(grant) => Via::Grant { grant },
                None => Via::Role { code: r.role_code.unwrap_or_default() },
            };
            firm.packages.push(FirmPackage { package: PackageName { code, name }, via });
        }
    }
    let agents = sqlx::query!(
        r#"select d.firm_id, coalesce(d.agent_system_user_id, d.agent_person_id) as "id!", coalesce(su.display_name, pp.name) as "name!",
                  case when su.id is not null then coalesce(nullif(sr.name_nb, ''), su.system_id) end as "system_name?", d.created_at,
                  coalesce(array_agg(n.need order by n.nb, n.need) filter (where n.need is not null), '{}') as "codes!",
                  coalesce(array_agg(n.nb order by n.nb, n.need) filter (where n.need is not null), '{}') as "nb!",
                  coalesce(array_agg(n.nn order by n.nb, n.need) filter (where n.need is not null), '{}') as "nn!",
                  coalesce(array_agg(n.en order by n.nb, n.need) filter (where n.need is not null), '{}') as "en!"
           from client_delegation d
           left join system_user_in_force su on su.id = d.agent_system_user_id
           left join system_register sr on sr.system_id = su.system_id
           left join party pp on pp.id = d.agent_person_id
           left join lateral (
               select dn.need,
                      coalesce(p.name_nb, res.title_nb) as nb,
                      coalesce(p.name_nn, res.title_nn) as nn,
                      coalesce(p.name_en, res.title_en) as en
               from client_delegation_need dn
               left join access_package p on p.code = dn.need
               left join resource res on dn.need like 'right:%' and res.id = split_part(dn.need, ':', 2)
               where dn.delegation_id = d.id
           ) n on true
           where d.client_id = $1 and d.ended_at is null and (su.id is not null or pp.id is not null)
           group by d.id, su.id, su.display_name, su.system_id, sr.name_nb, pp.name
           order by d.agent_person_id is not null, coalesce(su.display_name, pp.name), d.id"#,
        client.0
    )
    .fetch_all(&mut *conn)
    .await?;
    for a in agents {
        let packages = a
            .codes
            .into_iter()
            .zip(a.nb.into_iter().zip(a.nn.into_iter().zip(a.en)))
            .map(|(code, (nb, (nn, en)))| PackageName { name: Need::named(&code, Translated { nb, nn, en }), code })
            .collect();
        let agent = ActingAgent { id: a.id, name: a.name, system_name: a.system_name, packages, since: a.created_at };
        // A delegation whose firm gives nothing any more is being ended by
        // the cascade in the same transaction as its cause: never seen here.
        if let Some(firm) = firms.iter_mut().find(|f| f.id == a.firm_id) {
            firm.agents.push(agent);
        }
    }
    Ok(firms)
}
