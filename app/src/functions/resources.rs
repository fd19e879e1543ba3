//! Services (resources) of the party acted for, and their policies, for its
//! access managers: list, create, edit, rules, XACML import, delete. The rules
//! are the domain's (`domain::resources`); these functions parse the forms,
//! call one use case each, and map its error.
//!
//! Field errors travel as `AppError::Invalid` with one entry per field, so a
//! form posted without JavaScript gets them back like any other
//! server-function error and can show each next to its field.

use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The services of the party acted for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicesView {
    pub party_name: String,
    /// Set when the party is an organisation (only organisations own services).
    pub org_number: Option<String>,
    /// Whether the person may create and change the party's services.
    pub may_manage: bool,
    pub services: Vec<ServiceSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceSummary {
    pub id: String,
    /// nb, nn, en.
    pub title: [String; 3],
    pub resource_type: String,
    pub rules: usize,
}

/// One service with its policy, in the shape the forms edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceView {
    pub id: String,
    pub owner_org: String,
    pub title: [String; 3],
    pub description: String,
    pub resource_type: String,
    pub delegable: bool,
    /// `deny-overrides`, …
    pub combining: String,
    /// The minimum authentication level obligation, if any.
    pub auth_level: Option<String>,
    pub rules: Vec<RuleView>,
}

/// A rule as the rule form edits it: each subject is one alternative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleView {
    pub id: String,
    /// `Permit` or `Deny`.
    pub effect: String,
    pub actions: Vec<String>,
    pub packages: Vec<String>,
    pub roles: Vec<String>,
    /// Organisation numbers and national identity numbers.
    pub parties: Vec<String>,
    /// Alternatives the form cannot edit (several matches together, or other
    /// attributes), shown as text and kept when the rule is saved.
    pub other: Vec<String>,
}

/// An access package a rule can name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageChoiceView {
    pub code: String,
    pub name: [String; 3],
    pub area_name: [String; 3],
}

/// The resource types a service can have (the domain's `RESOURCE_TYPES`).
pub const RESOURCE_TYPES_OFFERED: [&str; 7] =
    ["GenericAccessResource", "Altinn2Service", "AltinnApp", "MaskinportenSchema", "BrokerService", "CorrespondenceService", "Consent"];

pub const COMBINING: [&str; 5] = ["deny-overrides", "permit-overrides", "first-applicable", "deny-unless-permit", "permit-unless-deny"];
pub const AUTH_LEVELS: [&str; 5] = ["0", "1", "2", "3", "4"];

/// A field error: the field and the domain's (English) detail.
pub type FieldErrors = Vec<(String, String)>;

/// The field errors carried by `e`, if it carries any.
pub fn field_errors(e: &AppError) -> Option<FieldErrors> {
    match e {
        AppError::Invalid(errors) if !errors.is_empty() => Some(errors.iter().map(|e| (e.field.clone(), e.message.clone())).collect()),
        _ => None,
    }
}

/// The readable text of a field error, in the reader's language; technical
/// details (an XML element path, a rule's problem) follow the translation.
pub fn field_message(locale: Locale, field: &str, detail: &str) -> String {
    let key = match field {
        "id" => "resources.error.id",
        "title_nb" | "title_nn" | "title_en" => "resources.error.title",
        "description" => "resources.error.description",
        "resource_type" => "resources.error.resource_type",
        "combining" => "resources.error.combining",
        "auth_level" => "resources.error.auth_level",
        "effect" => "resources.error.effect",
        "actions" => "resources.error.actions",
        "subjects" => "resources.error.subjects",
        "parties" => return format!("{} {detail}", locale.t("resources.error.parties")),
        "rules" => "resources.error.rules",
        "xml" => return format!("{} {detail}", locale.t("resources.error.xml")),
        _ => return format!("{} {detail}", locale.t("resources.error.rule")),
    };
    locale.t(key).to_string()
}

/// The message for any error of these functions.
pub fn message(locale: Locale, e: &AppError) -> String {
    match e {
        AppError::Invalid(_) if field_errors(e).is_some() => locale.t("resources.error.summary").to_string(),
        _ => e.message(locale),
    }
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::*;
    use domain::decisions::policy::{attr, Combining, Effect, Match, Obligation, Policy, Rule};
    use domain::resources::{FieldError, Resource, ResourceError};

    pub const AUTH_LEVEL_OBLIGATION: &str = "urn:altinn:obligation:authenticationLevel1";

    pub fn invalid(errors: Vec<(String, String)>) -> AppError {
        AppError::Invalid(errors.into_iter().map(|(field, message)| FieldError::new(field, message)).collect())
    }

    pub fn one(field: &str, detail: impl Into<String>) -> AppError {
        invalid(vec![(field.to_string(), detail.into())])
    }

    /// A form's field errors as the domain's, so that a check made inside a
    /// use case (under a row's lock) reaches the form like the domain's own.
    pub fn unmap(e: AppError) -> ResourceError {
        match field_errors(&e) {
            Some(errors) => ResourceError::Invalid(errors.into_iter().map(|(field, message)| FieldError::new(field, message)).collect()),
            None => ResourceError::Invalid(vec![FieldError::new("form", e.to_string())]),
        }
    }

    pub fn combining_name(c: Combining) -> &'static str {
        match c {
            Combining::DenyOverrides => "deny-overrides",
            Combining::PermitOverrides => "permit-overrides",
            Combining::FirstApplicable => "first-applicable",
            Combining::DenyUnlessPermit => "deny-unless-permit",
            Combining::PermitUnlessDeny => "permit-unless-deny",
        }
    }

    pub fn parse_combining(s: &str) -> Result<Combining, AppError> {
        Combining::from_urn(&format!("{}{}", Combining::URN_PREFIX, s.trim())).ok_or_else(|| one("combining", s))
    }

    /// The policy's obligations with the authentication level set to `level` ("" removes it).
    pub fn with_auth_level(mut obligations: Vec<Obligation>, level: &str) -> Result<Vec<Obligation>, AppError> {
        obligations.retain(|o| o.id != AUTH_LEVEL_OBLIGATION);
        match level.trim() {
            "" => {}
            l => {
                let n: u8 = l.parse().ok().filter(|n| *n <= 4).ok_or_else(|| one("auth_level", l))?;
                obligations.push(Obligation::minimum_authentication_level(n));
            }
        }
        Ok(obligations)
    }

    pub fn view(r: Resource) -> ServiceView {
        let auth_level = r.policy.obligations.iter().find(|o| o.id == AUTH_LEVEL_OBLIGATION).map(|o| o.value.clone());
        ServiceView {
            id: r.id,
            owner_org: r.owner_org,
            title: [r.title_nb, r.title_nn, r.title_en],
            description: r.description,
            resource_type: r.resource_type,
            delegable: r.delegable,
            combining: combining_name(r.policy.combining).into(),
            auth_level,
            rules: r.policy.rules.iter().map(rule_view).collect(),
        }
    }

    fn rule_view(rule: &Rule) -> RuleView {
        let mut v = RuleView {
            id: rule.id.clone(),
            effect: match rule.effect {
                Effect::Permit => "Permit".into(),
                Effect::Deny => "Deny".into(),
            },
            actions: rule.actions.clone(),
            packages: vec![],
            roles: vec![],
            parties: vec![],
            other: vec![],
        };
        for alternative in &rule.subjects {
            match alternative.as_slice() {
                [m] if m.attribute == attr::ACCESS_PACKAGE => v.packages.push(m.value.clone()),
                [m] if m.attribute == attr::ROLE_CODE => v.roles.push(m.value.clone()),
                [m] if m.attribute == attr::ORG_NUMBER || m.attribute == attr::PERSON_ID => v.parties.push(m.value.clone()),
                all => v.other.push(all.iter().map(|m| format!("{}={}", m.attribute, m.value)).collect::<Vec<_>>().join(" & ")),
            }
        }
        v
    }

    fn split(list: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for item in list.split([',', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
            if !out.iter().any(|o| o == item) {
                out.push(item.to_string());
            }
        }
        out
    }

    /// The rule from the rule form's fields, keeping `keep` (alternatives the
    /// form cannot show). Every problem is reported at once.
    pub fn rule_from_form(
        id: String,
        effect: &str,
        actions: &str,
        packages: &[String],
        roles: &str,
        parties: &str,
        keep: Vec<Vec<Match>>,
    ) -> Result<Rule, AppError> {
        let mut errors = Vec::new();
        let effect = match effect.trim() {
            "Permit" | "" => Effect::Permit,
            "Deny" => Effect::Deny,
            other => {
                errors.push(("effect".to_string(), other.to_string()));
                Effect::Permit
            }
        };
        let actions = split(actions);
        if actions.is_empty() || actions.iter().any(|a| a.len() > 100 || a.chars().any(char::is_whitespace)) {
            errors.push(("actions".into(), actions.join(", ")));
        }
        let mut subjects: Vec<Vec<Match>> = Vec::new();
        let mut seen_packages: Vec<&str> = Vec::new();
        for p in packages.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            if !seen_packages.contains(&p) {
                seen_packages.push(p);
                subjects.push(vec![Match { attribute: attr::ACCESS_PACKAGE.into(), value: p.to_string(), ignore_case: true }]);
            }
        }
        for r in split(roles) {
            subjects.push(vec![Match { attribute: attr::ROLE_CODE.into(), value: r.to_uppercase(), ignore_case: true }]);
        }
        let mut bad_parties = Vec::new();
        for p in split(parties) {
            let digits: String = p.chars().filter(|c| !c.is_whitespace()).collect();
            if let Ok(org) = domain::parties::OrgNumber::try_from(digits.as_str()) {
                subjects.push(vec![Match { attribute: attr::ORG_NUMBER.into(), value: org.as_str().to_string(), ignore_case: false }]);
            } else if let Ok(nin) = domain::parties::NationalId::parse(&digits, domain::parties::SyntheticIds::Accept) {
                subjects.push(vec![Match { attribute: attr::PERSON_ID.into(), value: nin.as_str().to_string(), ignore_case: false }]);
            } else {
                bad_parties.push(p);
            }
        }
        if !bad_parties.is_empty() {
            errors.push(("parties".into(), bad_parties.join(", ")));
        }
        subjects.extend(keep);
        if subjects.is_empty() {
            errors.push(("subjects".into(), String::new()));
        }
        if !errors.is_empty() {
            return Err(invalid(errors));
        }
        Ok(Rule { id, effect, subjects, actions, description: String::new() })
    }

    /// The alternatives of `rule` that the form does not edit.
    pub fn kept(rule: &Rule) -> Vec<Vec<Match>> {
        rule.subjects
            .iter()
            .filter(|alt| {
                !matches!(alt.as_slice(), [m] if [attr::ACCESS_PACKAGE, attr::ROLE_CODE, attr::ORG_NUMBER, attr::PERSON_ID].contains(&m.attribute.as_str()))
            })
            .cloned()
            .collect()
    }

    pub fn new_rule_id(policy: &Policy) -> String {
        (1..).map(|n| format!("rule-{n}")).find(|id| !policy.rules.iter().any(|r| &r.id == id)).unwrap_or_default()
    }

    /// Changes service `id`'s rules with `edit`, under the service's lock, so
    /// that two people editing rules at once both keep theirs; then shows it.
    pub async fn change_rules(id: &str, edit: impl FnOnce(&Policy) -> Result<Policy, ResourceError>) -> Result<(), AppError> {
        let ctx = crate::functions::ssr::use_case_context().await?;
        domain::resources::edit_rules(&ctx, id, edit).await?;
        redirect_to_service(id);
        Ok(())
    }

    pub fn redirect_to_service(id: &str) {
        leptos_axum::redirect(&format!("/tjenester/{id}?lagret=1"));
    }
}

/// The services of the party the person acts for, and whether they may manage them.
#[server(prefix = "/api", endpoint = "services")]
pub async fn services() -> Result<ServicesView, AppError> {
    use crate::functions::ssr::internal;
    use domain::authz::{Action, SystemResource};
    let ctx = crate::functions::ssr::party_context().await?;
    let party = ctx.party().ok_or(AppError::NoPartyChosen)?;
    let snapshot = ctx.snapshot();
    let info = snapshot.party(party.0).ok_or(AppError::NoPartyChosen)?;
    let Some(org) = info.org_number.clone() else {
        return Ok(ServicesView { party_name: info.name.clone(), org_number: None, may_manage: false, services: vec![] });
    };
    let owner = domain::parties::OrgNumber::try_from(org.as_str()).map_err(|e| internal(&e.to_string()))?;
    let list = domain::resources::list(&ctx, Some(&owner)).await?;
    Ok(ServicesView {
        party_name: info.name.clone(),
        org_number: Some(org),
        may_manage: ctx.may(Action::Write, SystemResource::AccessManagement, party),
        services: list
            .into_iter()
            .map(|r| ServiceSummary { id: r.id, title: [r.title_nb, r.title_nn, r.title_en], resource_type: r.resource_type, rules: r.policy.rules.len() })
            .collect(),
    })
}

/// One service with its policy, for someone who manages its owner.
#[server(prefix = "/api", endpoint = "service")]
pub async fn service(id: String) -> Result<ServiceView, AppError> {
    let ctx = crate::functions::ssr::use_case_context().await?;
    let r = domain::resources::get(&ctx, id.trim()).await?;
    Ok(ssr::view(r))
}

/// The access packages a rule can name.
#[server(prefix = "/api", endpoint = "policy_packages")]
pub async fn policy_packages() -> Result<Vec<PackageChoiceView>, AppError> {
    use crate::functions::ssr::internal;
    let ctx = crate::functions::ssr::use_case_context().await?;
    let list = domain::resources::package_choices(&ctx).await.map_err(|e| internal(&e.to_string()))?;
    Ok(list.into_iter().map(|p| PackageChoiceView { code: p.code, name: p.name, area_name: p.area_name }).collect())
}

/// Creates a service owned by the party acted for, with its first rule.
#[server(prefix = "/api", endpoint = "create_service")]
pub async fn create_service(
    #[server(default)] id: String,
    #[server(default)] title_nb: String,
    #[server(default)] title_nn: String,
    #[server(default)] title_en: String,
    #[server(default)] description: String,
    #[server(default)] resource_type: String,
    #[server(default)] delegable: Option<String>,
    #[server(default)] combining: String,
    #[server(default)] auth_level: String,
    #[server(default)] effect: String,
    #[server(default)] actions: String,
    #[server(default)] packages: Vec<String>,
    #[server(default)] roles: String,
    #[server(default)] parties: String,
) -> Result<(), AppError> {
    use domain::decisions::policy::Policy;
    let ctx = crate::functions::ssr::party_context().await?;
    let party = ctx.party().ok_or(AppError::NoPartyChosen)?;
    let org = ctx.snapshot().party(party.0).and_then(|p| p.org_number.clone()).ok_or(AppError::Refused(crate::error::Refusal::NotAnOrganisation))?;
    let owner = domain::parties::OrgNumber::try_from(org.as_str()).map_err(|_| AppError::Refused(crate::error::Refusal::NotAnOrganisation))?;
    let id = id.trim().to_string();
    // Every field's problem at once: the form's own checks, then the domain's.
    let mut errors = Vec::new();
    let combining = ssr::parse_combining(if combining.trim().is_empty() { "deny-overrides" } else { &combining });
    let obligations = ssr::with_auth_level(vec![], &auth_level);
    let rule = ssr::rule_from_form("rule-1".into(), &effect, &actions, &packages, &roles, &parties, vec![]);
    for e in [combining.as_ref().err(), obligations.as_ref().err(), rule.as_ref().err()].into_iter().flatten() {
        errors.extend(field_errors(e).unwrap_or_default());
    }
    let policy = match (combining, obligations, rule) {
        (Ok(combining), Ok(obligations), Ok(rule)) => Policy { resource: id.clone(), combining, rules: vec![rule], obligations },
        _ => Policy { resource: id.clone(), combining: domain::decisions::Combining::DenyOverrides, rules: vec![], obligations: vec![] },
    };
    let r = domain::resources::ResourceForSave {
        id: id.clone(),
        title_nb: title_nb.trim().into(),
        title_nn: title_nn.trim().into(),
        title_en: title_en.trim().into(),
        description: description.trim().into(),
        resource_type: if resource_type.trim().is_empty() { "GenericAccessResource".into() } else { resource_type.trim().into() },
        delegable: delegable.is_some(),
        policy,
    };
    if !errors.is_empty() {
        // The domain's checks of the other fields, so all show at once (rules are reported above).
        errors.extend(domain::resources::problems(&r).into_iter().filter(|p| p.field != "rules").map(|p| (p.field, p.message)));
        return Err(ssr::invalid(errors));
    }
    domain::resources::create(&ctx, &owner, &r).await?;
    ssr::redirect_to_service(&id);
    Ok(())
}

/// Changes a service's details, combining algorithm and authentication level; keeps its rules.
#[server(prefix = "/api", endpoint = "update_service")]
pub async fn update_service(
    #[server(default)] id: String,
    #[server(default)] title_nb: String,
    #[server(default)] title_nn: String,
    #[server(default)] title_en: String,
    #[server(default)] description: String,
    #[server(default)] resource_type: String,
    #[server(default)] delegable: Option<String>,
    #[server(default)] combining: String,
    #[server(default)] auth_level: String,
) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::use_case_context().await?;
    let id = id.trim().to_string();
    let combining = ssr::parse_combining(&combining)?;
    // Checked here, applied to the stored obligations under the row's lock.
    ssr::with_auth_level(vec![], &auth_level)?;
    domain::resources::edit(&ctx, &id, |existing| {
        let obligations = ssr::with_auth_level(existing.policy.obligations.clone(), &auth_level).map_err(ssr::unmap)?;
        Ok(domain::resources::ResourceForSave {
            id: id.clone(),
            title_nb: title_nb.trim().into(),
            title_nn: title_nn.trim().into(),
            title_en: title_en.trim().into(),
            description: description.trim().into(),
            resource_type: resource_type.trim().into(),
            delegable: delegable.is_some(),
            policy: domain::decisions::policy::Policy { combining, obligations, ..existing.policy.clone() },
        })
    })
    .await?;
    ssr::redirect_to_service(&id);
    Ok(())
}

/// Adds a rule to a service (`rule` empty) or replaces one; under the
/// service's lock, so that two people editing rules at once both keep theirs.
#[server(prefix = "/api", endpoint = "save_service_rule")]
pub async fn save_service_rule(
    #[server(default)] service: String,
    #[server(default)] rule: String,
    #[server(default)] effect: String,
    #[server(default)] actions: String,
    #[server(default)] packages: Vec<String>,
    #[server(default)] roles: String,
    #[server(default)] parties: String,
) -> Result<(), AppError> {
    let id = service.trim().to_string();
    let rule_id = rule.trim();
    ssr::change_rules(&id, |existing| {
        let mut policy = existing.clone();
        let position = policy.rules.iter().position(|r| r.id == rule_id);
        let new = match position {
            Some(i) => ssr::rule_from_form(rule_id.into(), &effect, &actions, &packages, &roles, &parties, ssr::kept(&policy.rules[i])),
            None if rule_id.is_empty() => ssr::rule_from_form(ssr::new_rule_id(&policy), &effect, &actions, &packages, &roles, &parties, vec![]),
            None => return Err(domain::resources::ResourceError::NotFound(format!("{id}/{rule_id}"))),
        }
        .map_err(ssr::unmap)?;
        match position {
            Some(i) => policy.rules[i] = new,
            None => policy.rules.push(new),
        }
        Ok(policy)
    })
    .await
}

/// Removes a rule from a service (the last rule cannot be removed: a policy needs one).
#[server(prefix = "/api", endpoint = "delete_service_rule")]
pub async fn delete_service_rule(#[server(default)] service: String, #[server(default)] rule: String) -> Result<(), AppError> {
    let id = service.trim().to_string();
    ssr::change_rules(&id, |existing| {
        let mut policy = existing.clone();
        policy.rules.retain(|r| r.id != rule.trim());
        if policy.rules.len() == existing.rules.len() {
            return Err(domain::resources::ResourceError::NotFound(format!("{id}/{}", rule.trim())));
        }
        Ok(policy)
    })
    .await
}

/// Replaces a service's policy with a XACML 3.0 XML document.
#[server(prefix = "/api", endpoint = "import_service_policy")]
pub async fn import_service_policy(#[server(default)] service: String, #[server(default)] xml: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::use_case_context().await?;
    let id = service.trim().to_string();
    if xml.trim().is_empty() {
        return Err(ssr::one("xml", ""));
    }
    domain::resources::import_policy(&ctx, &id, &xml).await?;
    ssr::redirect_to_service(&id);
    Ok(())
}

/// Deletes a service that no grant or user role refers to.
#[server(prefix = "/api", endpoint = "delete_service")]
pub async fn delete_service(#[server(default)] service: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::use_case_context().await?;
    domain::resources::delete(&ctx, service.trim()).await?;
    leptos_axum::redirect("/tjenester?slettet=1");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_survive_the_trip_through_an_app_error() {
        let e = AppError::Invalid(vec![crate::error::FieldError::new("id", "bad\nid"), crate::error::FieldError::new("parties", "123, 456")]);
        let back: AppError = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(field_errors(&back), Some(vec![("id".to_string(), "bad\nid".to_string()), ("parties".to_string(), "123, 456".to_string())]));
        assert_eq!(field_errors(&AppError::NotAllowed), None);
        assert_eq!(field_errors(&AppError::Invalid(vec![])), None);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_forms_offer_the_domains_types_and_algorithms() {
        assert_eq!(RESOURCE_TYPES_OFFERED.as_slice(), domain::resources::RESOURCE_TYPES);
        for c in COMBINING {
            assert_eq!(ssr::combining_name(ssr::parse_combining(c).unwrap()), c);
        }
        assert!(ssr::parse_combining("only-one-applicable").is_err());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_rule_form_becomes_one_alternative_per_subject_and_reports_every_problem() {
        let rule =
            ssr::rule_from_form("r".into(), "Deny", "read, write ,read", &["merverdiavgift".into()], "dagl", "310 400 009, 14928810047", vec![]).unwrap();
        assert_eq!(rule.effect, domain::decisions::Effect::Deny);
        assert_eq!(rule.actions, ["read", "write"]);
        let attrs: Vec<(&str, &str)> = rule.subjects.iter().map(|a| (a[0].attribute.as_str(), a[0].value.as_str())).collect();
        assert_eq!(
            attrs,
            [
                ("urn:altinn:accesspackage", "merverdiavgift"),
                ("urn:altinn:rolecode", "DAGL"),
                ("urn:altinn:organization:identifier-no", "310400009"),
                ("urn:altinn:person:identifier-no", "14928810047")
            ]
        );
        let e = ssr::rule_from_form("r".into(), "Maybe", "", &[], "", "123", vec![]).unwrap_err();
        let fields: Vec<String> = field_errors(&e).unwrap().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["effect", "actions", "parties", "subjects"]);
    }
}
