//! Sponsors' guests: the registration form's choices, my guests,
//! registering, extending and ending. Thin adapters over
//! `domain::guests::service`, which decides who may.

use crate::error::AppError;
use crate::functions::system_user_requests::Texts;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A unit the form offers, with its depth in the tree for indenting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitOptionView {
    pub code: String,
    pub name: Texts,
    pub depth: usize,
}

/// A guest in "my guests".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestView {
    pub id: String,
    pub name: String,
    pub username: String,
    pub email: Option<String>,
    pub unit: Texts,
    pub sponsor_name: String,
    /// The stored state (`invited`, `active`, …).
    pub state: String,
    /// Days left when the account is shown as expiring.
    pub expiring_days: Option<i64>,
    /// Dates as `2026-12-31`.
    pub start: String,
    pub end: String,
    pub latest_end: String,
    /// Invited, active or suspended: it may be extended or ended.
    pub in_force: bool,
    /// Active: it may be suspended.
    pub suspendable: bool,
    /// Suspended: it may be resumed.
    pub resumable: bool,
    /// Ended, claimed, within the retention period: the latest end date a
    /// reactivation may give.
    pub reactivate_until: Option<String>,
}

/// The guests page: what the form offers and my guests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestsPageView {
    pub units: Vec<UnitOptionView>,
    pub help_desk: bool,
    /// (person id, name) of the sponsors the help desk registers for.
    pub sponsors: Vec<(String, String)>,
    pub max_days: i64,
    pub today: String,
    pub guests: Vec<GuestView>,
}

/// What a registration made, for the banner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredView {
    pub name: String,
    pub username: String,
    pub invite_on: String,
}

#[cfg(feature = "ssr")]
fn day(d: time::Date) -> String {
    d.format(time::macros::format_description!("[year]-[month]-[day]")).unwrap_or_default()
}

#[cfg(feature = "ssr")]
fn typed_date(field: &str, s: &str) -> Result<Option<time::Date>, AppError> {
    Ok(crate::functions::ssr::date(field, s)?.map(|t| t.date()))
}

/// The form's choices and the sponsor's guests (the help desk's: all).
#[server(prefix = "/api", endpoint = "guests_page")]
pub async fn guests_page() -> Result<GuestsPageView, AppError> {
    use domain::guests::lifecycle::{self, AccountState, Transition};
    let ctx = crate::functions::ssr::party_context().await?;
    let form = domain::guests::service::registration_form(&ctx).await?;
    let guests = domain::guests::service::my_guests(&ctx).await?;
    let mut depth = std::collections::HashMap::new();
    let units = form
        .sponsorship
        .units
        .iter()
        .map(|u| {
            let d = u.parent.and_then(|p| depth.get(&p).copied()).map_or(0, |d: usize| d + 1);
            depth.insert(u.id, d);
            UnitOptionView { code: u.code.clone(), name: [u.name.nb.clone(), u.name.nn.clone(), u.name.en.clone()], depth: d }
        })
        .collect();
    Ok(GuestsPageView {
        units,
        help_desk: form.sponsorship.help_desk,
        sponsors: form.sponsors.into_iter().map(|(id, name)| (id.to_string(), name)).collect(),
        max_days: form.max_days,
        today: day(form.today),
        guests: guests
            .into_iter()
            .map(|g| GuestView {
                id: g.account.to_string(),
                name: g.name,
                username: g.username,
                email: g.email,
                unit: [g.unit.nb, g.unit.nn, g.unit.en],
                sponsor_name: g.sponsor_name,
                state: g.state.as_str().to_string(),
                expiring_days: g.shown.expiring_days(),
                start: day(g.start),
                end: day(g.end),
                latest_end: day(g.latest_end),
                in_force: matches!(g.state, AccountState::Invited | AccountState::Active | AccountState::Suspended),
                suspendable: lifecycle::next(g.state, Transition::Suspend).is_some(),
                resumable: lifecycle::next(g.state, Transition::Resume).is_some(),
                reactivate_until: g.reactivate_until.map(day),
            })
            .collect(),
    })
}

/// Registers a short-term guest in the unit `unit` (its code); the help
/// desk names the sponsor (`sponsor`, a person's id).
#[server(prefix = "/api", endpoint = "register_guest")]
pub async fn register_guest(
    #[server(default)] unit: String,
    #[server(default)] sponsor: String,
    #[server(default)] given_name: String,
    #[server(default)] surname: String,
    #[server(default)] email: String,
    #[server(default)] mobile: String,
    #[server(default)] national_id: String,
    #[server(default)] start: String,
    #[server(default)] end: String,
) -> Result<RegisteredView, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let sponsor = match sponsor.trim() {
        "" => None,
        s => Some(uuid::Uuid::parse_str(s).map_err(|_| AppError::invalid("sponsor", "choose a sponsor"))?),
    };
    let registration = domain::guests::service::Registration {
        guest: domain::guests::registration::GuestForRegister {
            given_name,
            surname,
            email,
            mobile,
            national_id,
            start: typed_date("start", &start)?,
            end: typed_date("end", &end)?,
        },
        unit,
        sponsor,
    };
    let r = domain::guests::service::register(&ctx, &registration).await?;
    Ok(RegisteredView { name: r.name, username: r.username, invite_on: day(r.invite_on) })
}

/// Moves a guest's end date later (within the maximum); answers the new date.
#[server(prefix = "/api", endpoint = "extend_guest")]
pub async fn extend_guest(#[server(default)] account: String, #[server(default)] end: String) -> Result<String, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let end = typed_date("end", &end)?;
    Ok(day(domain::guests::service::extend(&ctx, &account, end).await?))
}

/// Reactivates an ended guest account for a new stay to `end`, for the
/// reason given.
#[server(prefix = "/api", endpoint = "reactivate_guest")]
pub async fn reactivate_guest(
    #[server(default)] account: String,
    #[server(default)] end: String,
    #[server(default)] reason: String,
) -> Result<String, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let end = typed_date("end", &end)?;
    Ok(day(domain::guests::service::reactivate(&ctx, &account, end, &reason).await?))
}

/// Ends a guest's account at once, for the reason given.
#[server(prefix = "/api", endpoint = "end_guest")]
pub async fn end_guest(#[server(default)] account: String, #[server(default)] reason: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    Ok(domain::guests::service::end_now(&ctx, &account, &reason).await?)
}

/// Suspends a guest's account (it gives nothing until resumed), for the
/// reason given.
#[server(prefix = "/api", endpoint = "suspend_guest")]
pub async fn suspend_guest(#[server(default)] account: String, #[server(default)] reason: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    Ok(domain::guests::service::suspend(&ctx, &account, &reason).await?)
}

/// Resumes a suspended guest's account.
#[server(prefix = "/api", endpoint = "resume_guest")]
pub async fn resume_guest(#[server(default)] account: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    Ok(domain::guests::service::resume(&ctx, &account).await?)
}

/// A guest account of the signed-in person, for `/meg`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAccountView {
    pub institution_name: String,
    pub username: String,
    pub unit: Texts,
    pub sponsor_name: String,
    pub state: String,
    pub expiring_days: Option<i64>,
    pub start: String,
    pub end: String,
    pub role: Option<Texts>,
    pub access: Vec<Texts>,
    /// Whether the account gives that today.
    pub in_use: bool,
}

/// The signed-in person's own guest accounts.
#[server(prefix = "/api", endpoint = "my_guest_accounts")]
pub async fn my_guest_accounts() -> Result<Vec<MyAccountView>, AppError> {
    let ctx = crate::functions::ssr::use_case_context().await?;
    let texts = |t: domain::system_register::Translated| [t.nb, t.nn, t.en];
    Ok(domain::guests::service::my_accounts(&ctx)
        .await?
        .into_iter()
        .map(|a| MyAccountView {
            institution_name: a.institution_name,
            username: a.username,
            unit: texts(a.unit),
            sponsor_name: a.sponsor_name,
            state: a.state.as_str().to_string(),
            expiring_days: a.shown.expiring_days(),
            start: day(a.start),
            end: day(a.end),
            role: a.role.map(texts),
            access: a.access.into_iter().map(texts).collect(),
            in_use: a.in_use,
        })
        .collect())
}
