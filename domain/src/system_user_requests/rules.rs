//! The rules of a system-user request (the reference study's §3.2), as pure
//! functions of the request and the system it names.

use super::model::{RequestForCreate, RequestStatus, SystemUserKind};
use crate::system_register::rules::PackageFacts;
use crate::system_register::{SystemOffer, SystemRight};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

/// How long a customer has to decide, unless the installation says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::days(30);

/// The longest external reference and title the register keeps.
pub const MAX_EXTERNAL_REF: usize = 255;
pub const MAX_TITLE: usize = 255;

/// What a request asks for that its system cannot give.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestRule {
    #[error("the request asks for no right and no access package")]
    NothingAsked,
    #[error("the system does not offer these rights: {}", .0.join(", "))]
    RightsNotInSystem(Vec<String>),
    #[error("the system does not offer these access packages: {}", .0.join(", "))]
    PackagesNotInSystem(Vec<String>),
    #[error("these access packages cannot be given to a standard system user: {}", .0.join(", "))]
    PackagesNotAssignable(Vec<String>),
    #[error("an agent system user must require at least one access package or single right")]
    AgentWithoutPackages,
    #[error("these access packages cannot be passed on to an agent system user: {}", .0.join(", "))]
    PackagesNotDelegable(Vec<String>),
    #[error("the redirect URL is not one the system allows")]
    RedirectNotAllowed,
    #[error("the external reference or the title is empty or longer than 255 characters")]
    BadText,
    #[error("the correlation id must be new, not the system user's id")]
    CorrelationId,
    #[error("an agent system user cannot be changed; delete it and ask for a new one")]
    AgentCannotChange,
    #[error("asked both to add and to remove: {}", .0.join(", "))]
    AddAndRemove(Vec<String>),
}

/// The request with its texts trimmed, empty actions and an empty redirect
/// URL left out, as it is checked and stored.
pub fn normalise(input: &RequestForCreate) -> RequestForCreate {
    let trimmed = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    RequestForCreate {
        kind: input.kind,
        system_id: input.system_id.trim().into(),
        party_org_no: input.party_org_no.trim().into(),
        external_ref: trimmed(&input.external_ref),
        integration_title: trimmed(&input.integration_title),
        rights: input.rights.iter().map(|r| SystemRight { resource: r.resource.trim().into(), action: trimmed(&r.action) }).collect(),
        packages: input.packages.iter().map(|p| p.trim().to_string()).collect(),
        redirect_url: trimmed(&input.redirect_url),
    }
}

/// Whether the system offers `right`: the same resource, and the same action
/// or every action.
pub fn system_offers(system: &[SystemRight], right: &SystemRight) -> bool {
    system.iter().any(|s| s.resource == right.resource && (s.action.is_none() || s.action == right.action))
}

/// Whether `url` is allowed by one of `allowed`: the same scheme, host and
/// port, and a path that starts with the allowed one (the query may differ,
/// so a vendor can carry its own state).
pub fn redirect_allowed(url: &str, allowed: &[String]) -> bool {
    let Ok(u) = url::Url::parse(url) else { return false };
    allowed.iter().filter_map(|a| url::Url::parse(a).ok()).any(|a| {
        a.scheme() == u.scheme() && a.host_str() == u.host_str() && a.port_or_known_default() == u.port_or_known_default() && u.path().starts_with(a.path())
    })
}

/// The request's texts as stored: the external reference defaults to the
/// customer's organisation number, the title to the system's name.
pub fn external_ref_and_title(input: &RequestForCreate, system: &SystemOffer) -> (String, String) {
    let input = normalise(input);
    let external_ref = input.external_ref.unwrap_or(input.party_org_no);
    let title = input.integration_title.unwrap_or_else(|| system.name_nb.clone());
    (external_ref, title)
}

/// The first rule a request breaks, in Altinn's order. A standard request
/// asks for rights or packages the customer can give it directly
/// (assignable); an agent request asks for packages that clients can pass on
/// to a firm (delegable) and, beyond Altinn (scenario S9), single rights the
/// system offers, which each client must have granted the firm.
pub fn check(input: &RequestForCreate, system: &SystemOffer, packages: &HashMap<String, PackageFacts>) -> Result<(), RequestRule> {
    let (external_ref, title) = external_ref_and_title(input, system);
    if external_ref.chars().count() > MAX_EXTERNAL_REF || title.is_empty() || title.chars().count() > MAX_TITLE {
        return Err(RequestRule::BadText);
    }
    match input.kind {
        SystemUserKind::Standard if input.rights.is_empty() && input.packages.is_empty() => return Err(RequestRule::NothingAsked),
        SystemUserKind::Agent if input.packages.is_empty() && input.rights.is_empty() => return Err(RequestRule::AgentWithoutPackages),
        _ => {}
    }
    let missing: Vec<String> = input.rights.iter().filter(|r| !system_offers(&system.rights, r)).map(crate::system_register::rules::right_label).collect();
    if !missing.is_empty() {
        return Err(RequestRule::RightsNotInSystem(missing));
    }
    let not_listed: Vec<String> = input.packages.iter().filter(|p| !system.packages.contains(p)).cloned().collect();
    if !not_listed.is_empty() {
        return Err(RequestRule::PackagesNotInSystem(not_listed));
    }
    let lacking = |fact: fn(&PackageFacts) -> bool| -> Vec<String> { input.packages.iter().filter(|p| !packages.get(*p).is_some_and(fact)).cloned().collect() };
    match input.kind {
        SystemUserKind::Standard => {
            let not_assignable = lacking(|f| f.assignable);
            if !not_assignable.is_empty() {
                return Err(RequestRule::PackagesNotAssignable(not_assignable));
            }
        }
        SystemUserKind::Agent => {
            let not_delegable = lacking(|f| f.delegable);
            if !not_delegable.is_empty() {
                return Err(RequestRule::PackagesNotDelegable(not_delegable));
            }
        }
    }
    match &input.redirect_url {
        Some(url) if !redirect_allowed(url, &system.redirect_urls) => Err(RequestRule::RedirectNotAllowed),
        _ => Ok(()),
    }
}

/// The status as it stands at `now`: a new request past `timeout` has timed out.
pub fn status_at(status: RequestStatus, created: OffsetDateTime, now: OffsetDateTime, timeout: Duration) -> RequestStatus {
    if status == RequestStatus::New && now - created >= timeout {
        RequestStatus::Timedout
    } else {
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system_register::{RegisteredSystem, SystemPackage, SystemRightView, Translated};

    /// The offer of a registered system, read as the request path reads it.
    fn system() -> SystemOffer {
        SystemOffer::from(&registered())
    }

    fn registered() -> RegisteredSystem {
        let t = |s: &str| Translated { nb: s.into(), nn: s.into(), en: s.into() };
        RegisteredSystem {
            id: "310000000_lonn".into(),
            internal_id: uuid::Uuid::nil(),
            vendor: "310000000".into(),
            vendor_name: None,
            name: t("Lønn"),
            description: t("x"),
            rights: vec![
                SystemRightView { resource: "mva".into(), action: None, title: t("MVA") },
                SystemRightView { resource: "lonn".into(), action: Some("read".into()), title: t("Lønn") },
            ],
            packages: vec![
                SystemPackage { urn: "urn:p:skatt".into(), code: "skatt".into(), name: t("Skatt") },
                SystemPackage { urn: "urn:p:regnskapsforer".into(), code: "regnskapsforer".into(), name: t("R") },
            ],
            client_ids: vec![],
            redirect_urls: vec!["https://lonn.example/kvittering".into()],
            is_visible: true,
            is_deleted: false,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn facts() -> HashMap<String, PackageFacts> {
        HashMap::from([
            ("urn:p:skatt".to_string(), PackageFacts { delegable: true, assignable: true }),
            ("urn:p:regnskapsforer".to_string(), PackageFacts { delegable: true, assignable: false }),
        ])
    }

    fn right(resource: &str, action: Option<&str>) -> SystemRight {
        SystemRight { resource: resource.into(), action: action.map(Into::into) }
    }

    fn request() -> RequestForCreate {
        RequestForCreate {
            system_id: "310000000_lonn".into(),
            party_org_no: "310400009".into(),
            rights: vec![right("mva", Some("write"))],
            ..Default::default()
        }
    }

    #[test]
    fn a_request_within_the_system_passes() {
        assert_eq!(check(&request(), &system(), &facts()), Ok(()));
        let r = RequestForCreate {
            rights: vec![],
            packages: vec!["urn:p:skatt".into()],
            redirect_url: Some("https://lonn.example/kvittering/42?state=x".into()),
            ..request()
        };
        assert_eq!(check(&r, &system(), &facts()), Ok(()));
    }

    #[test]
    fn a_request_must_ask_for_something() {
        let r = RequestForCreate { rights: vec![], ..request() };
        assert_eq!(check(&r, &system(), &facts()), Err(RequestRule::NothingAsked));
    }

    #[test]
    fn rights_are_a_subset_of_the_systems() {
        assert!(system_offers(&[right("mva", None)], &right("mva", Some("read"))), "every action covers one");
        assert!(system_offers(&[right("lonn", Some("read"))], &right("lonn", Some("read"))));
        assert!(!system_offers(&[right("lonn", Some("read"))], &right("lonn", Some("write"))));
        assert!(!system_offers(&[right("lonn", Some("read"))], &right("lonn", None)), "one action does not cover every action");
        let r = RequestForCreate { rights: vec![right("lonn", Some("write")), right("annet", None)], ..request() };
        assert_eq!(check(&r, &system(), &facts()), Err(RequestRule::RightsNotInSystem(vec!["lonn:write".into(), "annet".into()])));
    }

    #[test]
    fn packages_are_the_systems_and_assignable() {
        let r = RequestForCreate { packages: vec!["urn:p:annet".into()], ..request() };
        assert_eq!(check(&r, &system(), &facts()), Err(RequestRule::PackagesNotInSystem(vec!["urn:p:annet".into()])));
        let r = RequestForCreate { packages: vec!["urn:p:regnskapsforer".into()], ..request() };
        assert_eq!(check(&r, &system(), &facts()), Err(RequestRule::PackagesNotAssignable(vec!["urn:p:regnskapsforer".into()])));
    }

    #[test]
    fn an_agent_request_asks_for_packages_clients_can_pass_on_and_rights_the_system_offers() {
        let agent = |packages: &[&str], rights: Vec<SystemRight>| RequestForCreate {
            kind: SystemUserKind::Agent,
            packages: packages.iter().map(|p| p.to_string()).collect(),
            rights,
            ..request()
        };
        assert_eq!(check(&agent(&["urn:p:regnskapsforer"], vec![]), &system(), &facts()), Ok(()), "delegable, though not assignable");
        assert_eq!(check(&agent(&[], vec![]), &system(), &facts()), Err(RequestRule::AgentWithoutPackages));
        // Scenario S9: single rights, alone or beside packages, when the system offers them.
        assert_eq!(check(&agent(&[], vec![right("mva", None)]), &system(), &facts()), Ok(()), "rights alone");
        assert_eq!(check(&agent(&["urn:p:skatt"], vec![right("lonn", Some("read"))]), &system(), &facts()), Ok(()));
        assert_eq!(check(&agent(&[], vec![right("lonn", Some("write"))]), &system(), &facts()), Err(RequestRule::RightsNotInSystem(vec!["lonn:write".into()])));
        assert_eq!(check(&agent(&["urn:p:annet"], vec![]), &system(), &facts()), Err(RequestRule::PackagesNotInSystem(vec!["urn:p:annet".into()])));
        let mut not_delegable = facts();
        not_delegable.insert("urn:p:skatt".into(), PackageFacts { delegable: false, assignable: true });
        assert_eq!(check(&agent(&["urn:p:skatt"], vec![]), &system(), &not_delegable), Err(RequestRule::PackagesNotDelegable(vec!["urn:p:skatt".into()])));
    }

    #[test]
    fn the_redirect_url_must_be_one_the_system_allows() {
        let allowed = vec!["https://lonn.example/kvittering".to_string()];
        assert!(redirect_allowed("https://lonn.example/kvittering?x=1", &allowed));
        assert!(redirect_allowed("https://lonn.example:443/kvittering/a", &allowed));
        for bad in [
            "https://evil.example/kvittering",
            "http://lonn.example/kvittering",
            "https://lonn.example/annet",
            "https://lonn.example:8443/kvittering",
            "nonsense",
        ] {
            assert!(!redirect_allowed(bad, &allowed), "{bad}");
        }
        let r = RequestForCreate { redirect_url: Some("https://evil.example/".into()), ..request() };
        assert_eq!(check(&r, &system(), &facts()), Err(RequestRule::RedirectNotAllowed));
    }

    #[test]
    fn the_reference_and_title_default_to_the_customer_and_the_system() {
        assert_eq!(external_ref_and_title(&request(), &system()), ("310400009".into(), "Lønn".into()));
        let r = RequestForCreate { external_ref: Some(" kunde-1 ".into()), integration_title: Some("Min lønn".into()), ..request() };
        assert_eq!(external_ref_and_title(&r, &system()), ("kunde-1".into(), "Min lønn".into()));
        let r = RequestForCreate { external_ref: Some("x".repeat(256)), ..request() };
        assert_eq!(check(&r, &system(), &facts()), Err(RequestRule::BadText));
    }

    #[test]
    fn a_new_request_times_out_after_the_period_and_a_decided_one_never() {
        let created = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(status_at(RequestStatus::New, created, created + Duration::days(29), DEFAULT_TIMEOUT), RequestStatus::New);
        assert_eq!(status_at(RequestStatus::New, created, created + Duration::days(30), DEFAULT_TIMEOUT), RequestStatus::Timedout);
        assert_eq!(status_at(RequestStatus::Accepted, created, created + Duration::days(300), DEFAULT_TIMEOUT), RequestStatus::Accepted);
    }
}
