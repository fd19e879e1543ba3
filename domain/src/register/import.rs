//! Applying a feed: one audited transaction, counted, with progress.

use super::feed::Feed;
use crate::audit::{AuditEvent, Outcome, UnitOfWorkError};
use crate::authz::Denied;
use crate::context::Context;
use crate::decisions::store::{record_change, Change};
use crate::parties::model::{OrganisationForCreate, PartyIdentity, PersonForCreate};
use crate::parties::{store as parties, NationalId, OrgNumber, PartyId, SyntheticIds};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub parties_added: usize,
    pub parties_changed: usize,
    pub roles_added: usize,
    pub roles_ended: usize,
    pub unchanged: usize,
    /// Client delegations that ended because a role they needed ended.
    pub client_delegations_ended: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("role code {0} is not in the catalogue (import the catalogue first)")]
    UnknownRole(String),
    #[error("{0} is named as a role holder or organisation but is neither in the feed nor already known")]
    UnknownParty(String),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Store(#[from] UnitOfWorkError),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

/// Applies `feed`; `progress(done, total)` is called as rows are processed.
/// For the installation's operator only.
#[tracing::instrument(skip_all, fields(actor = %ctx.actor().label, source))]
pub async fn import(ctx: &Context, feed: &Feed, source: &str, progress: &mut (dyn FnMut(usize, usize) + Send)) -> Result<ImportCounts, ImportError> {
    ctx.authorize_operator()?;
    let total = feed.organisations.len() + feed.persons.len() + feed.roles.len();
    let mut done = 0usize;
    let mut tick = |done: &mut usize| {
        *done += 1;
        if (*done).is_multiple_of(1000) || *done == total {
            progress(*done, total);
        }
    };
    let mut counts = ImportCounts::default();
    let mut uow = ctx.begin().await?;

    // Main units before sub-units, so that parents resolve.
    let mut orgs: Vec<_> = feed.organisations.iter().collect();
    orgs.sort_by_key(|o| o.parent.is_some());
    for o in orgs {
        let existing = parties::find_by_org_number(uow.conn(), &o.org_number).await?;
        let parent_id = match &o.parent {
            Some(p) => parties::find_by_org_number(uow.conn(), p).await?.map(|p| p.id),
            None => None,
        };
        let same = existing.as_ref().is_some_and(|e| {
            e.name == o.name && matches!(&e.identity, PartyIdentity::Organisation { org_form, parent, .. } if *org_form == o.org_form && *parent == parent_id)
        });
        if same {
            counts.unchanged += 1;
        } else {
            parties::upsert_organisation(
                uow.conn(),
                &OrganisationForCreate { org_number: o.org_number.clone(), name: o.name.clone(), org_form: o.org_form.clone(), parent: o.parent.clone() },
            )
            .await?;
            if existing.is_some() {
                counts.parties_changed += 1;
            } else {
                counts.parties_added += 1;
            }
        }
        tick(&mut done);
    }
    for p in &feed.persons {
        let existing = parties::find_by_national_id(uow.conn(), &p.national_id).await?;
        match existing {
            Some(e) if e.name == p.name => counts.unchanged += 1,
            other => {
                parties::upsert_person(uow.conn(), &PersonForCreate { national_id: p.national_id.clone(), name: p.name.clone() }).await?;
                if other.is_some() {
                    counts.parties_changed += 1;
                } else {
                    counts.parties_added += 1;
                }
            }
        }
        tick(&mut done);
    }

    // The roles the feed says exist, resolved to ids.
    let mut role_codes: HashMap<String, String> = HashMap::new();
    let mut party_ids: HashMap<String, PartyId> = HashMap::new();
    let mut wanted: HashSet<(String, PartyId, PartyId)> = HashSet::new();
    for r in &feed.roles {
        let code = match role_codes.get(&r.role) {
            Some(c) => c.clone(),
            None => {
                let c = crate::register_roles::role_code_for_legacy(uow.conn(), &r.role).await?.ok_or_else(|| ImportError::UnknownRole(r.role.clone()))?;
                role_codes.insert(r.role.clone(), c.clone());
                c
            }
        };
        let mut resolve = async |key: &str| -> Result<PartyId, ImportError> {
            if let Some(id) = party_ids.get(key) {
                return Ok(*id);
            }
            let found = if key.len() == 9 {
                parties::find_by_org_number(uow.conn(), &OrgNumber::try_from(key).map_err(|_| ImportError::UnknownParty(key.into()))?).await?
            } else {
                let nin = NationalId::parse(key, SyntheticIds::Accept).map_err(|_| ImportError::UnknownParty(key.into()))?;
                parties::find_by_national_id(uow.conn(), &nin).await?
            };
            let id = found.ok_or_else(|| ImportError::UnknownParty(key.into()))?.id;
            party_ids.insert(key.to_string(), id);
            Ok(id)
        };
        let holder = resolve(&r.holder).await?;
        let for_party = resolve(r.for_org.as_str()).await?;
        wanted.insert((code, holder, for_party));
        tick(&mut done);
    }
    let current = sqlx::query!("select id, role_code, holder_id, for_party_id from register_role where valid_to is null and source = 'entity-register'")
        .fetch_all(uow.conn())
        .await?;
    let mut have: HashSet<(String, PartyId, PartyId)> = HashSet::new();
    let mut ended: Vec<uuid::Uuid> = Vec::new();
    for row in current {
        let key = (row.role_code, PartyId(row.holder_id), PartyId(row.for_party_id));
        if wanted.contains(&key) {
            counts.unchanged += 1;
            have.insert(key);
        } else {
            ended.push(row.id);
        }
    }
    if !ended.is_empty() {
        sqlx::query!("update register_role set valid_to = $2 where id = any($1)", &ended, ctx.now()).execute(uow.conn()).await?;
        counts.roles_ended = ended.len();
    }
    for (code, holder, for_party) in wanted.difference(&have) {
        crate::register_roles::assign_register_role(uow.conn(), code, *holder, *for_party).await?;
        counts.roles_added += 1;
    }
    if counts.parties_added + counts.parties_changed + counts.roles_added + counts.roles_ended > 0 {
        record_change(uow.conn(), Change::Rebuild("register-import")).await?;
    }
    // A role ended, or a client's organisation form changed: the client
    // delegations that needed what it gave end in this transaction.
    if counts.parties_changed + counts.roles_ended > 0 {
        counts.client_delegations_ended =
            crate::clients::cascade::end_unsupported(&mut uow, None, None, crate::clients::cascade::Cause::RegisterImport).await?;
    }
    uow.audit(AuditEvent::new("register.import", source, Outcome::Success, serde_json::to_value(counts).unwrap_or_default())).await?;
    ctx.commit(uow).await?;
    Ok(counts)
}
