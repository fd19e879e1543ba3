//! The institution's rules for guests (`/gjesteregler`), for its access
//! managers: the policy for short-term guests and the versioned terms. Thin
//! adapters over `domain::guests::policy`, which decides who may.

use crate::error::AppError;
use crate::functions::system_user_requests::Texts;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The policy as the form shows it, each field as the person types it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyView {
    pub max_days: String,
    /// Empty: at once.
    pub invite_days_before: String,
    /// `14, 7, 1`.
    pub notice_days: String,
    pub claim_link_days: String,
    pub code_attempts: String,
    pub retention_days: String,
    pub username_prefix: String,
}

/// The terms in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsView {
    pub version: i32,
    pub text: Texts,
    pub published_at: String,
}

/// The rules page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestRulesView {
    pub policy: PolicyView,
    /// The user role an active guest holds.
    pub role: Option<Texts>,
    pub terms: Option<TermsView>,
}

/// The institution's rules for short-term guests.
#[server(prefix = "/api", endpoint = "guest_rules_page")]
pub async fn guest_rules_page() -> Result<GuestRulesView, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let rules = domain::guests::policy::rules(&ctx).await?;
    let p = rules.policy;
    let texts = |t: domain::system_register::Translated| [t.nb, t.nn, t.en];
    Ok(GuestRulesView {
        policy: PolicyView {
            max_days: p.max_days.to_string(),
            invite_days_before: p.invite_days_before.map(|d| d.to_string()).unwrap_or_default(),
            notice_days: p.notice_days.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
            claim_link_days: p.claim_link_days.to_string(),
            code_attempts: p.code_attempts.to_string(),
            retention_days: p.retention.whole_days().to_string(),
            username_prefix: p.username_prefix,
        },
        role: rules.role.map(texts),
        terms: rules.terms.map(|t| TermsView { version: t.version, text: texts(t.text), published_at: crate::functions::ssr::moment(t.published_at) }),
    })
}

/// Saves the policy for short-term guests.
#[server(prefix = "/api", endpoint = "save_guest_policy")]
pub async fn save_guest_policy(
    #[server(default)] max_days: String,
    #[server(default)] invite_days_before: String,
    #[server(default)] notice_days: String,
    #[server(default)] claim_link_days: String,
    #[server(default)] code_attempts: String,
    #[server(default)] retention_days: String,
    #[server(default)] username_prefix: String,
) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let form =
        domain::guests::policy::PolicyForSave { max_days, invite_days_before, notice_days, claim_link_days, code_attempts, retention_days, username_prefix };
    Ok(domain::guests::policy::save_policy(&ctx, &form).await?)
}

/// Publishes a new version of the terms; answers its number.
#[server(prefix = "/api", endpoint = "publish_guest_terms")]
pub async fn publish_guest_terms(
    #[server(default)] text_nb: String,
    #[server(default)] text_nn: String,
    #[server(default)] text_en: String,
) -> Result<i32, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let text = domain::system_register::Translated { nb: text_nb, nn: text_nn, en: text_en };
    Ok(domain::guests::policy::publish_terms(&ctx, &text).await?)
}
