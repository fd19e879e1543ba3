//! "Give access": an access manager gives one recipient one or more access
//! packages for the party they act for, and learns per package whether it was
//! given or why not. Also what the form offers: the packages that can be
//! given for the party, and the party's own system users.

use super::service::{grant_one, GrantError, Recipient};
use crate::authz::{Action, SystemResource};
use crate::catalogue::model::EntityType;
use crate::catalogue::store::AssignablePackage;
use crate::context::Context;
use crate::parties::{service::PersonQuery, OrgNumber, PartyKind};
use uuid::Uuid;

/// The most packages one request may give (a form offers far fewer).
pub const MAX_PACKAGES_AT_ONCE: usize = 50;

/// The recipient as a person typed or chose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecipientQuery {
    /// A person, by national identity number and surname: both must match,
    /// so that numbers cannot be probed.
    Person { national_id: String, surname: String },
    /// An active organisation, by organisation number (spaces allowed).
    Organisation { org_number: String },
    /// One of the party's own standard system users, by id.
    SystemUser { id: String },
}

/// What happened to one package of the request.
#[derive(Debug)]
pub struct PackageOutcome {
    pub code: String,
    /// The package as the catalogue has it; `None` for a code it does not know.
    pub package: Option<AssignablePackage>,
    /// Why it was not given; `None` when it was.
    pub refused: Option<GrantError>,
}

/// The answer to "give these packages to this recipient".
#[derive(Debug)]
pub struct Given {
    pub recipient: String,
    pub outcomes: Vec<PackageOutcome>,
}

/// The packages' codes, trimmed, in the order given, each once.
fn distinct_codes(packages: &[String]) -> Result<Vec<String>, GrantError> {
    let mut codes: Vec<String> = Vec::new();
    for p in packages.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if !codes.iter().any(|c| c == p) {
            codes.push(p.to_string());
        }
    }
    match codes.len() {
        0 => Err(GrantError::NoPackage),
        n if n > MAX_PACKAGES_AT_ONCE => Err(GrantError::Invalid(format!("packages: at most {MAX_PACKAGES_AT_ONCE} packages at once"))),
        _ => Ok(codes),
    }
}

/// Gives `recipient` each of `packages` for the party the actor acts for. A
/// refusal about the recipient (or the actor's right) refuses the whole
/// request, and nothing changes; a refusal about one package is reported
/// with it while the others are given. Every refusal is audited.
#[tracing::instrument(skip(ctx, packages), fields(actor = ?ctx.person(), party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn give(ctx: &Context, recipient: &RecipientQuery, packages: &[String]) -> Result<Given, GrantError> {
    let party = ctx.authorize_for_party(Action::Write, SystemResource::AccessManagement)?;
    let codes = distinct_codes(packages)?;
    let (recipient, name) = resolve(ctx, recipient).await?;
    let catalogue = assignable_packages_for(ctx, party).await?;
    let mut outcomes = Vec::with_capacity(codes.len());
    for code in codes {
        let refused = match grant_one(ctx, recipient, &code).await {
            Ok(_) => None,
            Err(e) if e.is_about_recipient() || matches!(e, GrantError::NotAccessManager | GrantError::Store(_)) => {
                ctx.engine_sees_changes().await;
                return Err(e);
            }
            Err(e) => Some(e),
        };
        let package = catalogue.iter().find(|p| p.code == code).cloned();
        outcomes.push(PackageOutcome { code, package, refused });
    }
    if outcomes.iter().any(|o| o.refused.is_none()) {
        ctx.engine_sees_changes().await;
    }
    Ok(Given { recipient: name, outcomes })
}

/// Finds the recipient and the name to show for it.
pub(super) async fn resolve(ctx: &Context, query: &RecipientQuery) -> Result<(Recipient, String), GrantError> {
    match query {
        RecipientQuery::Person { national_id, surname } => {
            let query = PersonQuery::parse(national_id, surname).map_err(GrantError::Invalid)?;
            let mut conn = ctx.db().acquire().await?;
            let p = query.find(&mut conn).await?.ok_or(GrantError::NoSuchPerson)?;
            Ok((Recipient::Party(p.id), p.name))
        }
        RecipientQuery::Organisation { org_number } => {
            let org = OrgNumber::parse_typed(org_number).map_err(|e| GrantError::Invalid(format!("org_number: {e}")))?;
            let mut conn = ctx.db().acquire().await?;
            let p = crate::parties::store::find_by_org_number(&mut conn, &org).await?.ok_or(GrantError::NoSuchOrganisation)?;
            Ok((Recipient::Party(p.id), p.name))
        }
        // Chosen from the party's list; the grant checks that it is the party's.
        RecipientQuery::SystemUser { id } => {
            let id = Uuid::parse_str(id.trim()).map_err(|_| GrantError::Invalid("system_user: choose one of the system users".into()))?;
            Ok((Recipient::SystemUser(id), ctx.snapshot().name_of(id)))
        }
    }
}

/// The packages that can be given for `party`: assignable ones meant for its kind of party.
async fn assignable_packages_for(ctx: &Context, party: crate::parties::PartyId) -> Result<Vec<AssignablePackage>, GrantError> {
    let mut conn = ctx.db().acquire().await?;
    let kind = crate::parties::store::get(&mut conn, party).await?.map(|p| p.kind());
    let entity_type = match kind {
        Some(PartyKind::Person) => EntityType::Person,
        _ => EntityType::Organisation,
    };
    Ok(crate::catalogue::store::assignable_packages(&mut conn, entity_type).await?)
}

/// The packages the actor's party can give, for those who manage its access.
pub async fn assignable_packages(ctx: &Context) -> Result<Vec<AssignablePackage>, GrantError> {
    let party = ctx.authorize_for_party(Action::Read, SystemResource::AccessManagement)?;
    assignable_packages_for(ctx, party).await
}

/// The party's own active standard system users, which may be given
/// packages for it, with a name to show (the integration's title, else the
/// system's name); for those who manage its access.
pub async fn system_users_of(ctx: &Context) -> Result<Vec<(Uuid, String)>, GrantError> {
    let party = ctx.authorize_for_party(Action::Read, SystemResource::AccessManagement)?;
    Ok(sqlx::query!(
        r#"select id as "id!", display_name as "name!" from system_user_in_force
           where party_id = $1 and user_type = 'standard' order by display_name, id"#,
        party.0
    )
    .fetch_all(ctx.db())
    .await?
    .into_iter()
    .map(|r| (r.id, r.name))
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_trimmed_kept_in_order_and_counted_once() {
        let codes = distinct_codes(&[" b ".into(), "a".into(), "".into(), "b".into()]).unwrap();
        assert_eq!(codes, ["b", "a"]);
        assert!(matches!(distinct_codes(&[" ".into()]), Err(GrantError::NoPackage)));
        let many: Vec<String> = (0..=MAX_PACKAGES_AT_ONCE).map(|i| format!("p{i}")).collect();
        assert!(matches!(distinct_codes(&many), Err(GrantError::Invalid(f)) if f.starts_with("packages:")));
        assert_eq!(distinct_codes(&many[..MAX_PACKAGES_AT_ONCE]).unwrap().len(), MAX_PACKAGES_AT_ONCE);
    }
}
