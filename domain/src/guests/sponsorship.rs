//! Who may register guests at an institution, and for which units.
//!
//! A sponsor is a person who holds the right to assign the institution's
//! guest role (the role model's "may assign", `user_role_assign_right`)
//! for a unit; the right covers the unit and every unit below it. The same
//! right without a unit is the help desk's: every unit, on behalf of any
//! sponsor. The guest role is the one the institution's guest policy names.

use crate::parties::PartyId;
use crate::system_register::Translated;
use sqlx::PgConnection;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The guest type of short-term guests, the only one sponsors register.
pub const SHORT_TERM: &str = "short-term";

/// A unit of the institution, with its parent, as the rules below see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnitRef {
    pub id: Uuid,
    pub code: String,
    pub name: Translated,
    pub parent: Option<Uuid>,
}

/// What a person may do with guests at an institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sponsorship {
    pub institution: PartyId,
    /// The guest role's id.
    pub role: Uuid,
    /// Registers for every unit on behalf of any sponsor.
    pub help_desk: bool,
    /// The units the person may register guests for, in the tree's order.
    pub units: Vec<UnitRef>,
}

impl Sponsorship {
    /// Whether the person may register guests at all.
    pub fn any(&self) -> bool {
        self.help_desk || !self.units.is_empty()
    }

    pub fn unit(&self, code: &str) -> Option<&UnitRef> {
        self.units.iter().find(|u| u.code == code)
    }
}

/// The units `roots` cover: each root and everything below it, in the
/// order of `all`. Pure.
pub fn covered(all: &[UnitRef], roots: &[Uuid]) -> Vec<UnitRef> {
    let mut children: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for u in all {
        if let Some(p) = u.parent {
            children.entry(p).or_default().push(u.id);
        }
    }
    let mut seen: HashSet<Uuid> = HashSet::new();
    let mut stack: Vec<Uuid> = roots.to_vec();
    while let Some(id) = stack.pop() {
        if seen.insert(id) {
            stack.extend(children.get(&id).into_iter().flatten().copied());
        }
    }
    all.iter().filter(|u| seen.contains(&u.id)).cloned().collect()
}

/// The institution's guest role for a guest type, if it has one.
pub(super) async fn guest_role(conn: &mut PgConnection, institution: PartyId, guest_type: &str) -> Result<Option<Uuid>, sqlx::Error> {
    let role = sqlx::query_scalar!("select role_id from guest_policy where institution_id = $1 and guest_type = $2", institution.0, guest_type)
        .fetch_optional(conn)
        .await?;
    Ok(role.flatten())
}

/// The institution's units, parents before children, siblings by name.
pub(super) async fn all_units(conn: &mut PgConnection, institution: PartyId) -> Result<Vec<UnitRef>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"with recursive t as (
               select id, array[lower(name_nb) || '/' || code]::text[] as path from org_unit where institution_id = $1 and parent_id is null
               union all
               select u.id, t.path || (lower(u.name_nb) || '/' || u.code) from org_unit u join t on u.parent_id = t.id
           )
           select u.id, u.code, u.name_nb, u.name_nn, u.name_en, u.parent_id
           from t join org_unit u on u.id = t.id order by t.path"#,
        institution.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| UnitRef { id: r.id, code: r.code, name: Translated { nb: r.name_nb, nn: r.name_nn, en: r.name_en }, parent: r.parent_id })
        .collect())
}

/// What `person` may do with short-term guests at `institution`; `None`
/// when the institution has no guest role.
pub(super) async fn of(conn: &mut PgConnection, person: PartyId, institution: PartyId) -> Result<Option<Sponsorship>, sqlx::Error> {
    let Some(role) = guest_role(&mut *conn, institution, SHORT_TERM).await? else {
        return Ok(None);
    };
    let rights = sqlx::query_scalar!(
        "select unit_id from user_role_assign_right where role_id = $1 and holder_id = $2 and for_party = $3 and ended_at is null",
        role,
        person.0,
        institution.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let help_desk = rights.iter().any(Option::is_none);
    let all = if rights.is_empty() { Vec::new() } else { all_units(&mut *conn, institution).await? };
    let units = if help_desk { all } else { covered(&all, &rights.into_iter().flatten().collect::<Vec<_>>()) };
    Ok(Some(Sponsorship { institution, role, help_desk, units }))
}

/// Whether `sponsor` is a sponsor (not only the help desk) whose units
/// cover `unit`.
pub(super) async fn sponsors_unit(conn: &mut PgConnection, sponsor: PartyId, institution: PartyId, unit: Uuid) -> Result<bool, sqlx::Error> {
    let Some(s) = of(conn, sponsor, institution).await? else {
        return Ok(false);
    };
    Ok(!s.help_desk && s.units.iter().any(|u| u.id == unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(n: u128, parent: Option<u128>) -> UnitRef {
        UnitRef { id: Uuid::from_u128(n), code: format!("u{n}"), name: Translated::default(), parent: parent.map(Uuid::from_u128) }
    }

    #[test]
    fn a_sponsorship_covers_the_unit_and_everything_below_it() {
        let all = vec![unit(1, None), unit(2, Some(1)), unit(3, Some(2)), unit(4, Some(1)), unit(5, None)];
        let codes = |v: Vec<UnitRef>| v.into_iter().map(|u| u.code).collect::<Vec<_>>();
        assert_eq!(codes(covered(&all, &[Uuid::from_u128(2)])), ["u2", "u3"]);
        assert_eq!(codes(covered(&all, &[Uuid::from_u128(1)])), ["u1", "u2", "u3", "u4"]);
        assert_eq!(codes(covered(&all, &[Uuid::from_u128(3), Uuid::from_u128(5)])), ["u3", "u5"]);
        assert!(covered(&all, &[]).is_empty());
        assert!(covered(&all, &[Uuid::from_u128(9)]).is_empty(), "a unit not in the tree covers nothing");
    }
}
