//! The rules a system must keep (Altinn's system register, §3.1 of the
//! reference study), as pure functions: [`check_form`] needs nothing but the
//! input, [`check_facts`] the facts the store found about what the input
//! names. Both return every violation at once, so a vendor or a form can fix
//! them all in one go.

use super::model::{SystemForCreate, SystemRight};
use crate::resources::model::RESOURCE_TYPES;
use std::collections::{HashMap, HashSet};

/// The longest system id, name, description or URL the register keeps.
pub const MAX_ID: usize = 255;
pub const MAX_NAME: usize = 200;
pub const MAX_DESCRIPTION: usize = 2000;
pub const MAX_URL: usize = 2000;

/// One rule the input breaks. The REST edge maps each to Altinn's
/// validation code (`AUTH.VLD-…`), the portal to a message by its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    #[error("the vendor must be an organisation number (ISO 6523 0192:<9 digits> in the API)")]
    VendorFormat,
    #[error("the vendor {0} is not in the register of parties")]
    UnknownVendor(String),
    #[error("the system id must be the vendor's organisation number, an underscore and a name without / ? # (at most {MAX_ID} characters)")]
    IdNotVendors,
    #[error("the system id must not contain white space")]
    IdHasSpaces,
    #[error("the system id {0} is taken (ids are never reused, not even after deletion)")]
    IdTaken(String),
    #[error("the id in the body must be the id in the path")]
    IdMismatch,
    #[error("the name in {0} is missing or longer than {MAX_NAME} characters")]
    Name(&'static str),
    #[error("the description in {0} is missing or longer than {MAX_DESCRIPTION} characters")]
    Description(&'static str),
    #[error("unknown language {0}: names and descriptions are in nb, nn and en")]
    UnknownLanguage(String),
    #[error("the resource {0} does not exist")]
    UnknownResource(String),
    #[error("the resource {0} cannot be delegated")]
    ResourceNotDelegable(String),
    #[error("a right must name a resource as urn:altinn:resource and its id")]
    ResourceFormat,
    #[error("the right {0} is listed twice")]
    DuplicateRight(String),
    #[error("the access package {0} does not exist")]
    UnknownPackage(String),
    #[error("the access package {0} can be neither delegated nor assigned")]
    PackageNotDelegable(String),
    #[error("the access package {0} is listed twice")]
    DuplicatePackage(String),
    #[error("the client id {0} is used by another system")]
    ClientIdInUse(String),
    #[error("the client id {0} is listed twice")]
    DuplicateClientId(String),
    #[error("the client id {0} is not one of the vendor's API clients")]
    ClientIdNotVendors(String),
    #[error("the redirect URL {0} is not an absolute https URL")]
    RedirectUrl(String),
    #[error("a visible system cannot offer client-administration packages ({0}); set isVisible to false")]
    VisibleWithClientPackages(String),
}

impl Violation {
    /// The field of the input the violation is about, as forms name their
    /// fields (`name.nb`, `rights`, …).
    pub fn field(&self) -> String {
        match self {
            Self::VendorFormat | Self::UnknownVendor(_) => "vendor".into(),
            Self::IdNotVendors | Self::IdHasSpaces | Self::IdTaken(_) | Self::IdMismatch => "id".into(),
            Self::Name(lang) => format!("name.{lang}"),
            Self::Description(lang) => format!("description.{lang}"),
            Self::UnknownLanguage(_) => "name".into(),
            Self::UnknownResource(_) | Self::ResourceNotDelegable(_) | Self::ResourceFormat | Self::DuplicateRight(_) => "rights".into(),
            Self::UnknownPackage(_) | Self::PackageNotDelegable(_) | Self::DuplicatePackage(_) => "packages".into(),
            Self::ClientIdInUse(_) | Self::DuplicateClientId(_) | Self::ClientIdNotVendors(_) => "client_ids".into(),
            Self::RedirectUrl(_) => "redirect_urls".into(),
            Self::VisibleWithClientPackages(_) => "is_visible".into(),
        }
    }
}

/// What the store knows about a resource a system names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceFacts {
    pub delegable: bool,
    /// One of the resource types whose rights can be delegated (not a
    /// system resource of the portal itself).
    pub delegable_type: bool,
}

impl ResourceFacts {
    pub fn of(delegable: bool, resource_type: &str) -> Self {
        Self { delegable, delegable_type: RESOURCE_TYPES.contains(&resource_type) }
    }
}

/// What the store knows about an access package a system names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackageFacts {
    pub delegable: bool,
    /// Can be given directly by the party itself; a package that is only
    /// delegable is a client-administration package (for example
    /// `regnskapsforer-*`), given through a firm's clients.
    pub assignable: bool,
}

/// What the store found about everything an input names.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The resources that exist, by id.
    pub resources: HashMap<String, ResourceFacts>,
    /// The packages that exist, by URN.
    pub packages: HashMap<String, PackageFacts>,
    /// The vendor's API clients that are not deleted.
    pub vendor_clients: HashSet<String>,
    /// Client ids another system that is not deleted uses, and which.
    pub clients_in_use: HashMap<String, String>,
}

/// Trims every text of the input, as the register stores it.
pub fn normalise(input: &SystemForCreate) -> SystemForCreate {
    SystemForCreate {
        id: input.id.trim().into(),
        vendor: input.vendor.trim().into(),
        name: input.name.trimmed(),
        description: input.description.trimmed(),
        rights: input
            .rights
            .iter()
            .map(|r| SystemRight { resource: r.resource.trim().into(), action: r.action.as_deref().map(str::trim).filter(|a| !a.is_empty()).map(Into::into) })
            .collect(),
        packages: input.packages.iter().map(|p| p.trim().to_string()).collect(),
        client_ids: input.client_ids.iter().map(|c| c.trim().to_string()).collect(),
        redirect_urls: input.redirect_urls.iter().map(|u| u.trim().to_string()).collect(),
        is_visible: input.is_visible,
    }
}

/// The rules that need nothing but the input: the id's form, the vendor's
/// organisation number, texts in every language, https redirect URLs, and
/// nothing listed twice.
pub fn check_form(input: &SystemForCreate) -> Vec<Violation> {
    let mut v = Vec::new();
    if crate::parties::OrgNumber::try_from(input.vendor.as_str()).is_err() {
        v.push(Violation::VendorFormat);
    }
    v.extend(check_id(&input.id, &input.vendor));
    for (lang, text) in input.name.each() {
        if text.is_empty() || text.chars().count() > MAX_NAME {
            v.push(Violation::Name(lang));
        }
    }
    for (lang, text) in input.description.each() {
        if text.is_empty() || text.chars().count() > MAX_DESCRIPTION {
            v.push(Violation::Description(lang));
        }
    }
    v.extend(check_rights_form(&input.rights));
    v.extend(check_packages_form(&input.packages));
    for dup in duplicates(input.client_ids.iter().map(String::as_str)) {
        v.push(Violation::DuplicateClientId(dup));
    }
    for url in &input.redirect_urls {
        if !is_https_url(url) {
            v.push(Violation::RedirectUrl(url.clone()));
        }
    }
    v
}

/// `<vendor>_<name>`: no white space, nothing that cannot stand in a path
/// segment, and within [`MAX_ID`].
pub fn check_id(id: &str, vendor: &str) -> Vec<Violation> {
    let mut v = Vec::new();
    if id.chars().any(char::is_whitespace) {
        v.push(Violation::IdHasSpaces);
    }
    let fits = match id.split_once('_') {
        Some((org, name)) => {
            org == vendor && !name.is_empty() && id.len() <= MAX_ID && !id.chars().any(|c| matches!(c, '/' | '?' | '#' | '%') || c.is_control())
        }
        None => false,
    };
    if !fits {
        v.push(Violation::IdNotVendors);
    }
    v
}

pub fn check_rights_form(rights: &[SystemRight]) -> Vec<Violation> {
    let mut v = Vec::new();
    if rights.iter().any(|r| r.resource.is_empty()) {
        v.push(Violation::ResourceFormat);
    }
    for dup in duplicates(rights.iter().map(right_label)) {
        v.push(Violation::DuplicateRight(dup));
    }
    v
}

pub fn check_packages_form(packages: &[String]) -> Vec<Violation> {
    duplicates(packages.iter().map(String::as_str)).into_iter().map(Violation::DuplicatePackage).collect()
}

/// How a right is named in messages and the change log: `resource` or
/// `resource:action`.
pub fn right_label(r: &SystemRight) -> String {
    match &r.action {
        Some(a) => format!("{}:{a}", r.resource),
        None => r.resource.clone(),
    }
}

/// The rules that need the store's facts: rights name delegable resources,
/// packages exist and can be delegated or assigned, client ids are the
/// vendor's and no other system's, and a visible system offers no
/// client-administration package.
pub fn check_facts(input: &SystemForCreate, facts: &Facts) -> Vec<Violation> {
    let mut v = check_rights_facts(&input.rights, facts);
    v.extend(check_packages_facts(&input.packages, facts));
    for client in &input.client_ids {
        if !facts.vendor_clients.contains(client) {
            v.push(Violation::ClientIdNotVendors(client.clone()));
        } else if facts.clients_in_use.contains_key(client) {
            v.push(Violation::ClientIdInUse(client.clone()));
        }
    }
    v.extend(check_visibility(input.is_visible, &input.packages, facts));
    v
}

pub fn check_rights_facts(rights: &[SystemRight], facts: &Facts) -> Vec<Violation> {
    let mut v = Vec::new();
    for r in rights.iter().filter(|r| !r.resource.is_empty()) {
        match facts.resources.get(&r.resource) {
            None => v.push(Violation::UnknownResource(r.resource.clone())),
            Some(f) if !f.delegable || !f.delegable_type => v.push(Violation::ResourceNotDelegable(r.resource.clone())),
            Some(_) => {}
        }
    }
    v
}

pub fn check_packages_facts(packages: &[String], facts: &Facts) -> Vec<Violation> {
    let mut v = Vec::new();
    for urn in packages {
        match facts.packages.get(urn) {
            None => v.push(Violation::UnknownPackage(urn.clone())),
            Some(p) if !p.delegable && !p.assignable => v.push(Violation::PackageNotDelegable(urn.clone())),
            Some(_) => {}
        }
    }
    v
}

/// A system customers can pick themselves gets a standard system user; a
/// client-administration package (delegable, not assignable) only reaches
/// an agent system user through a firm's clients, so the two do not mix.
pub fn check_visibility(is_visible: bool, packages: &[String], facts: &Facts) -> Option<Violation> {
    if !is_visible {
        return None;
    }
    let client_packages: Vec<&str> =
        packages.iter().filter(|urn| facts.packages.get(*urn).is_some_and(|p| p.delegable && !p.assignable)).map(String::as_str).collect();
    (!client_packages.is_empty()).then(|| Violation::VisibleWithClientPackages(client_packages.join(", ")))
}

/// An absolute `https` URL with a host, within [`MAX_URL`].
pub fn is_https_url(s: &str) -> bool {
    s.len() <= MAX_URL && url::Url::parse(s).is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some_and(|h| !h.is_empty()))
}

fn duplicates<'a>(items: impl Iterator<Item = impl AsRef<str> + 'a>) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut dups = Vec::new();
    for item in items {
        let s = item.as_ref().to_string();
        if !seen.insert(s.clone()) && !dups.contains(&s) {
            dups.push(s);
        }
    }
    dups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system_register::model::Translated;

    const VENDOR: &str = "310000000";

    fn text(s: &str) -> Translated {
        Translated { nb: s.into(), nn: s.into(), en: s.into() }
    }

    fn system() -> SystemForCreate {
        SystemForCreate {
            id: format!("{VENDOR}_lonn"),
            vendor: VENDOR.into(),
            name: text("Lønn"),
            description: text("Lønnssystem"),
            rights: vec![SystemRight { resource: "mva-melding".into(), action: None }],
            packages: vec!["urn:altinn:accesspackage:skattnaering".into()],
            client_ids: vec!["c1".into()],
            redirect_urls: vec!["https://lonn.example/kvittering".into()],
            is_visible: true,
        }
    }

    fn facts() -> Facts {
        let mut f = Facts::default();
        f.resources.insert("mva-melding".into(), ResourceFacts::of(true, "GenericAccessResource"));
        f.resources.insert("fullmakt_access_management".into(), ResourceFacts::of(false, "SystemResource"));
        f.packages.insert("urn:altinn:accesspackage:skattnaering".into(), PackageFacts { delegable: true, assignable: true });
        f.packages.insert("urn:altinn:accesspackage:regnskapsforer-lonn".into(), PackageFacts { delegable: true, assignable: false });
        f.packages.insert("urn:altinn:accesspackage:hovedadministrator".into(), PackageFacts { delegable: false, assignable: false });
        f.vendor_clients.insert("c1".into());
        f.vendor_clients.insert("c2".into());
        f
    }

    #[test]
    fn a_good_system_breaks_no_rule() {
        let s = system();
        assert_eq!(check_form(&s), vec![]);
        assert_eq!(check_facts(&s, &facts()), vec![]);
    }

    #[test]
    fn the_id_is_the_vendors_organisation_number_and_a_name_without_spaces() {
        assert_eq!(check_id("310000000_lonn", VENDOR), vec![]);
        assert_eq!(check_id("310000000_lønn-2.0", VENDOR), vec![]);
        assert_eq!(check_id("999999999_lonn", VENDOR), vec![Violation::IdNotVendors]);
        assert_eq!(check_id("310000000lonn", VENDOR), vec![Violation::IdNotVendors]);
        assert_eq!(check_id("310000000_", VENDOR), vec![Violation::IdNotVendors]);
        assert_eq!(check_id("310000000_a/b", VENDOR), vec![Violation::IdNotVendors]);
        assert_eq!(check_id("310000000_my system", VENDOR), vec![Violation::IdHasSpaces]);
        assert_eq!(check_id(&format!("310000000_{}", "x".repeat(MAX_ID)), VENDOR), vec![Violation::IdNotVendors]);
    }

    #[test]
    fn names_and_descriptions_are_needed_in_every_language() {
        let mut s = system();
        s.name.nn.clear();
        s.description.en = "x".repeat(MAX_DESCRIPTION + 1);
        assert_eq!(check_form(&s), vec![Violation::Name("nn"), Violation::Description("en")]);
        assert_eq!(Violation::Name("nn").field(), "name.nn");
    }

    #[test]
    fn the_vendor_must_be_a_valid_organisation_number() {
        let mut s = system();
        s.vendor = "310000001".into(); // wrong check digit
        assert!(check_form(&s).contains(&Violation::VendorFormat));
    }

    #[test]
    fn redirect_urls_are_absolute_https() {
        assert!(is_https_url("https://vendor.example/receipt?x=1"));
        for bad in ["http://vendor.example/", "/relative", "https://", "javascript:alert(1)", "ftp://x.example"] {
            assert!(!is_https_url(bad), "{bad}");
        }
        let mut s = system();
        s.redirect_urls.push("http://vendor.example".into());
        assert_eq!(check_form(&s), vec![Violation::RedirectUrl("http://vendor.example".into())]);
    }

    #[test]
    fn nothing_is_listed_twice() {
        let mut s = system();
        s.rights.push(s.rights[0].clone());
        s.rights.push(SystemRight { resource: "mva-melding".into(), action: Some("read".into()) });
        s.packages.push(s.packages[0].clone());
        s.client_ids.push("c1".into());
        assert_eq!(
            check_form(&s),
            vec![
                Violation::DuplicateRight("mva-melding".into()),
                Violation::DuplicatePackage("urn:altinn:accesspackage:skattnaering".into()),
                Violation::DuplicateClientId("c1".into())
            ]
        );
    }

    #[test]
    fn rights_name_existing_delegable_resources() {
        let mut s = system();
        s.rights = vec![
            SystemRight { resource: "nowhere".into(), action: None },
            SystemRight { resource: "fullmakt_access_management".into(), action: Some("write".into()) },
        ];
        assert_eq!(
            check_facts(&s, &facts()),
            vec![Violation::UnknownResource("nowhere".into()), Violation::ResourceNotDelegable("fullmakt_access_management".into())]
        );
    }

    #[test]
    fn packages_exist_and_can_be_delegated_or_assigned() {
        let mut s = system();
        s.is_visible = false;
        s.packages = vec!["urn:altinn:accesspackage:nowhere".into(), "urn:altinn:accesspackage:hovedadministrator".into()];
        assert_eq!(
            check_facts(&s, &facts()),
            vec![
                Violation::UnknownPackage("urn:altinn:accesspackage:nowhere".into()),
                Violation::PackageNotDelegable("urn:altinn:accesspackage:hovedadministrator".into())
            ]
        );
    }

    #[test]
    fn a_visible_system_offers_no_client_package() {
        let mut s = system();
        s.packages.push("urn:altinn:accesspackage:regnskapsforer-lonn".into());
        assert_eq!(check_facts(&s, &facts()), vec![Violation::VisibleWithClientPackages("urn:altinn:accesspackage:regnskapsforer-lonn".into())]);
        s.is_visible = false;
        assert_eq!(check_facts(&s, &facts()), vec![]);
    }

    #[test]
    fn client_ids_are_the_vendors_and_no_other_systems() {
        let mut f = facts();
        f.clients_in_use.insert("c2".into(), "310000000_other".into());
        let mut s = system();
        s.client_ids = vec!["c2".into(), "stranger".into()];
        assert_eq!(check_facts(&s, &f), vec![Violation::ClientIdInUse("c2".into()), Violation::ClientIdNotVendors("stranger".into())]);
    }

    #[test]
    fn normalise_trims_and_drops_empty_actions() {
        let mut s = system();
        s.id = " 310000000_lonn ".into();
        s.rights = vec![SystemRight { resource: " mva-melding ".into(), action: Some("  ".into()) }];
        let n = normalise(&s);
        assert_eq!(n.id, "310000000_lonn");
        assert_eq!(n.rights, vec![SystemRight { resource: "mva-melding".into(), action: None }]);
    }
}
