//! "Give a single right": an access manager gives one person or
//! organisation one action on one resource for the party they act for, and
//! what the form offers: every action of a delegable resource that the
//! engine permits the actor for the party (one passes on only what one may
//! do). A firm given a client's single rights acts on them through its
//! agent system users (scenario S9).

use super::give::{resolve, RecipientQuery};
use super::service::{grant_right_to, GrantError, Recipient};
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::decisions::{decide, DecisionRequest, Env, Outcome, SubjectRef};
use crate::system_register::Translated;
use uuid::Uuid;

/// One single right the actor may give for the party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightOption {
    pub resource: String,
    pub action: String,
    pub title: Translated,
}

impl RightOption {
    /// The value a form sends for it: `<resource>:<action>` (a resource id holds no colon).
    pub fn value(&self) -> String {
        format!("{}:{}", self.resource, self.action)
    }
}

/// The single rights the actor may give for the party, by title and action.
pub async fn rights_to_give(ctx: &Context) -> Result<Vec<RightOption>, GrantError> {
    let party = ctx.authorize_for_party(Action::Write, SystemResource::AccessManagement)?;
    let Some(person) = ctx.person() else { return Ok(Vec::new()) };
    let mut conn = ctx.db().acquire().await?;
    let resources = crate::resources::store::list(&mut conn, None).await?;
    let snapshot = ctx.snapshot();
    let mut out = Vec::new();
    for r in resources.into_iter().filter(|r| r.delegable) {
        let mut actions: Vec<String> = r.policy.rules.iter().flat_map(|rule| rule.actions.iter().cloned()).collect();
        actions.sort();
        actions.dedup();
        for action in actions {
            let request = DecisionRequest { subject: SubjectRef::Party(person.0), action: &action, resource: &r.id, party: party.0, env: Env::now() };
            if decide(&snapshot, &request).outcome == Outcome::Permit {
                out.push(RightOption {
                    resource: r.id.clone(),
                    action,
                    title: Translated { nb: r.title_nb.clone(), nn: r.title_nn.clone(), en: r.title_en.clone() },
                });
            }
        }
    }
    out.sort_by(|a, b| (a.title.nb.as_str(), a.action.as_str()).cmp(&(b.title.nb.as_str(), b.action.as_str())));
    Ok(out)
}

/// What giving a single right did: to whom, and the grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightGiven {
    pub recipient: String,
    pub grant: Uuid,
}

/// Gives `recipient` (a person or an organisation) the single right
/// `right` (`<resource>:<action>`, as [`RightOption::value`]) for the party
/// the actor acts for. Refused, audited and changing nothing when the right
/// is not one the actor may give, or the recipient is not found.
pub async fn give_right(ctx: &Context, recipient: &RecipientQuery, right: &str) -> Result<RightGiven, GrantError> {
    ctx.authorize_for_party(Action::Write, SystemResource::AccessManagement)?;
    let Some((resource, action)) = right.trim().split_once(':').filter(|(r, a)| !r.is_empty() && !a.is_empty()) else {
        return Err(GrantError::Invalid("right: choose a right to give".into()));
    };
    if matches!(recipient, RecipientQuery::SystemUser { .. }) {
        return Err(GrantError::Invalid("kind: a single right is given to a person or an organisation".into()));
    }
    let (Recipient::Party(to), name) = resolve(ctx, recipient).await? else {
        return Err(GrantError::Invalid("kind: a single right is given to a person or an organisation".into()));
    };
    let grant = grant_right_to(ctx, to, resource, action).await?;
    Ok(RightGiven { recipient: name, grant })
}
