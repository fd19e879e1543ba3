//! One system user as its party's access managers see it: the system and
//! vendor, every package and single right it holds for the party now, and
//! its use day by day over [`USAGE_WINDOW`] for a chart. An agent system
//! user holds nothing for the party itself: it shows the packages and single
//! rights it requires of each client and how many clients are attached.

use super::overview::{self, SystemUserOverview};
use super::{SystemUserError, USAGE_WINDOW};
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::system_register::Translated;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};
use uuid::Uuid;

/// An access package the system user holds, given by its party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldPackage {
    pub code: String,
    pub name: Translated,
    pub description: Translated,
}

/// A single right the system user holds: one action on one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldRight {
    pub resource: String,
    pub action: String,
    pub title: Translated,
}

/// Tokens issued for the system user on one day (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub day: Date,
    pub tokens: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemUserDetail {
    pub overview: SystemUserOverview,
    pub system_name: Translated,
    pub system_description: Translated,
    pub packages: Vec<HeldPackage>,
    pub rights: Vec<HeldRight>,
    /// An agent's: the packages and single rights each client must give
    /// the party (empty for a standard one), as client administration names them.
    pub required: Vec<crate::clients::Requirement>,
    /// An agent's: the clients attached to it now.
    pub clients: i64,
    /// One entry per day of [`USAGE_WINDOW`], oldest first, today last;
    /// days without tokens count zero.
    pub usage: Vec<DayCount>,
}

/// The system user `id` of the party the actor acts for; for those who may
/// read the party's access management. Another party's is not found.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn detail(ctx: &Context, id: Uuid) -> Result<SystemUserDetail, SystemUserError> {
    let party = ctx.authorize_for_party(Action::Read, SystemResource::AccessManagement).map_err(|_| SystemUserError::NotAccessManager)?;
    let overview = overview::read(ctx, party, Some(id)).await?.pop().ok_or(SystemUserError::NotFound)?;
    let mut conn = ctx.db().acquire().await?;
    let system = crate::system_register::store::get(&mut conn, &overview.system_id).await?.ok_or(SystemUserError::NotFound)?;
    let packages = sqlx::query!(
        "select p.code, p.name_nb, p.name_nn, p.name_en, p.description_nb, p.description_nn, p.description_en
         from access_grant g join access_package p on p.code = g.package_code
         where g.to_subject = $1 and g.from_party = $2 and g.valid_to is null
         order by p.name_nb",
        id,
        party.0
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| HeldPackage {
        code: r.code,
        name: Translated { nb: r.name_nb, nn: r.name_nn, en: r.name_en },
        description: Translated { nb: r.description_nb, nn: r.description_nn, en: r.description_en },
    })
    .collect();
    let rights = sqlx::query!(
        r#"select g.resource_id as "resource!", g.action as "action!", r.title_nb, r.title_nn, r.title_en
           from access_grant g join resource r on r.id = g.resource_id
           where g.to_subject = $1 and g.from_party = $2 and g.valid_to is null
           order by r.title_nb, g.action"#,
        id,
        party.0
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| HeldRight { resource: r.resource, action: r.action, title: Translated { nb: r.title_nb, nn: r.title_nn, en: r.title_en } })
    .collect();
    let (required, clients) = if overview.kind == "agent" {
        let required = crate::clients::store::requirements(&mut conn, id).await?;
        let clients = sqlx::query_scalar!(
            r#"select count(*) as "n!" from client_delegation where agent_system_user_id = $1 and firm_id = $2 and ended_at is null"#,
            id,
            party.0
        )
        .fetch_one(&mut *conn)
        .await?;
        (required, clients)
    } else {
        (Vec::new(), 0)
    };
    let today = ctx.now().date();
    let first = today - (USAGE_WINDOW - Duration::days(1));
    let counts = sqlx::query!(
        r#"select (issued_at at time zone 'UTC')::date as "day!", count(*) as "tokens!"
           from token_issued where system_user_id = $1 and issued_at >= $2
           group by 1"#,
        id,
        first.midnight().assume_utc()
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| DayCount { day: r.day, tokens: r.tokens })
    .collect::<Vec<_>>();
    Ok(SystemUserDetail {
        usage: usage_by_day(today, &counts),
        system_name: system.name,
        system_description: system.description,
        packages,
        rights,
        required,
        clients,
        overview,
    })
}

/// Every day of [`USAGE_WINDOW`] up to `today`, oldest first, with the count
/// for that day from `counts` or zero; counts outside the window are left out.
pub fn usage_by_day(today: Date, counts: &[DayCount]) -> Vec<DayCount> {
    let days = USAGE_WINDOW.whole_days();
    (0..days)
        .rev()
        .map(|back| {
            let day = today - Duration::days(back);
            DayCount { day, tokens: counts.iter().filter(|c| c.day == day).map(|c| c.tokens).sum() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_day_of_the_window_is_there_oldest_first_with_zero_for_quiet_days() {
        let today = date!(2026 - 12 - 04);
        let counts = [
            DayCount { day: date!(2026 - 12 - 04), tokens: 7 },
            DayCount { day: date!(2026 - 11 - 05), tokens: 3 },
            // Before the window: left out.
            DayCount { day: date!(2026 - 11 - 04), tokens: 99 },
        ];
        let usage = usage_by_day(today, &counts);
        assert_eq!(usage.len(), 30);
        assert_eq!(usage.first().unwrap(), &DayCount { day: date!(2026 - 11 - 05), tokens: 3 });
        assert_eq!(usage.last().unwrap(), &DayCount { day: today, tokens: 7 });
        assert_eq!(usage.iter().map(|d| d.tokens).sum::<i64>(), 10);
        assert!(usage.windows(2).all(|w| w[1].day == w[0].day + Duration::days(1)));
    }
}
