//! "Who has access to <party>", give access (to a person or an organisation,
//! one or more packages at once), revoke access — for the party the signed-in
//! person acts for. The rules are the domain's (`domain::grants`).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderView {
    pub name: String,
    pub items: Vec<ItemView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    /// The internal code (`package:…`, `role:…`, `right:…`): pages show the
    /// name, never this; it is for the API and tests.
    pub what: String,
    /// The package's, role's or resource's name in nb, nn and en (the code
    /// in all three when the catalogue has none).
    pub name: Label,
    pub why: Vec<WhyView>,
    pub grant: Option<String>,
}

/// A name in nb, nn and en, in that order; see [`crate::i18n::Locale::pick`].
pub type Label = [String; 3];

/// Why someone holds something, with party and role names resolved; rendered
/// in the reader's language by [`WhyView::render`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WhyView {
    Own,
    Role(Label),
    Grant(Option<String>),
    MainUnit(String, Box<WhyView>),
    KeyRole {
        role: Label,
        organisation: String,
        inner: Box<WhyView>,
    },
    UserRole {
        role: Label,
        through: Option<Label>,
    },
    /// Passed on by the firm (named) by client delegation; the firm holds it by `inner`.
    ClientDelegation {
        firm: String,
        inner: Box<WhyView>,
    },
}

impl WhyView {
    pub fn render(&self, locale: crate::i18n::Locale) -> String {
        let name = |l: &Label| locale.pick(l);
        match self {
            Self::Own => locale.t("why.own").to_string(),
            Self::Role(role) => format!("{} {}", locale.t("why.role"), name(role)),
            Self::Grant(Some(by)) => format!("{} {by}", locale.t("why.grant_by")),
            Self::Grant(None) => locale.t("why.grant").to_string(),
            Self::MainUnit(unit, inner) => format!("{} {} {unit}", inner.render(locale), locale.t("why.on_main_unit")),
            Self::KeyRole { role, organisation, inner } => {
                format!("{} {} {organisation}, {} {}", inner.render(locale), locale.t("why.held_by"), locale.t("why.key_role"), name(role))
            }
            Self::UserRole { role, through: None } => format!("{} {}", locale.t("why.user_role"), name(role)),
            Self::UserRole { role, through: Some(through) } => {
                format!("{} {}, {} {}", locale.t("why.user_role"), name(role), locale.t("why.inherited_through"), name(through))
            }
            Self::ClientDelegation { firm, inner } => format!("{} {firm} ({})", locale.t("why.client_delegation"), inner.render(locale)),
        }
    }
}

/// Names of held things and roles, keyed as [`domain::catalogue::names_of`] keys them.
#[cfg(feature = "ssr")]
type Names = std::collections::HashMap<String, domain::catalogue::model::Text>;

/// The name under `key`, or `code` in every language when there is none.
#[cfg(feature = "ssr")]
fn label(names: &Names, key: &str, code: &str) -> Label {
    names.get(key).map(|t| [t.nb.clone(), t.nn.clone(), t.en.clone()]).unwrap_or_else(|| [code.to_string(), code.to_string(), code.to_string()])
}

#[cfg(feature = "ssr")]
pub(crate) fn why_view(snapshot: &domain::decisions::Snapshot, names: &Names, r: &domain::decisions::Reason) -> WhyView {
    use domain::decisions::Reason;
    match r {
        Reason::Own => WhyView::Own,
        Reason::RegisterRole { role } | Reason::RolePackage { role } => WhyView::Role(label(names, &format!("role:{role}"), role)),
        Reason::Grant { granted_by, .. } => WhyView::Grant(granted_by.map(|b| snapshot.name_of(b))),
        Reason::MainUnit { main_unit, inner } => WhyView::MainUnit(snapshot.name_of(*main_unit), Box::new(why_view(snapshot, names, inner))),
        Reason::KeyRole { role, organisation, inner } => WhyView::KeyRole {
            role: label(names, &format!("role:{role}"), role),
            organisation: snapshot.name_of(*organisation),
            inner: Box::new(why_view(snapshot, names, inner)),
        },
        Reason::UserRole { role, inherited_through, .. } => WhyView::UserRole {
            role: label(names, &format!("userrole:{role}"), role),
            through: inherited_through.as_ref().map(|t| label(names, &format!("userrole:{t}"), t)),
        },
        Reason::ClientDelegation { firm, inner, .. } => {
            WhyView::ClientDelegation { firm: snapshot.name_of(*firm), inner: Box::new(why_view(snapshot, names, inner)) }
        }
    }
}

#[cfg(feature = "ssr")]
pub(crate) fn item_view(snapshot: &domain::decisions::Snapshot, names: &Names, i: domain::grants::HeldItem, revocable: bool) -> ItemView {
    let code = i.what.split_once(':').map(|(_, c)| c).unwrap_or(&i.what).to_string();
    // `role:<code>` is a register role, or else a user role of the role model.
    let key = if i.what.starts_with("role:") && !names.contains_key(&i.what) { format!("userrole:{code}") } else { i.what.clone() };
    ItemView {
        name: label(names, &key, &code),
        why: i.why.iter().map(|r| why_view(snapshot, names, r)).collect(),
        what: i.what,
        grant: i.grant.filter(|_| revocable).map(|g| g.to_string()),
    }
}

/// The keys under which the names of a reason's roles are looked up.
#[cfg(feature = "ssr")]
fn reason_keys(r: &domain::decisions::Reason, out: &mut Vec<String>) {
    use domain::decisions::Reason;
    match r {
        Reason::RegisterRole { role } | Reason::RolePackage { role } => out.push(format!("role:{role}")),
        Reason::KeyRole { role, inner, .. } => {
            out.push(format!("role:{role}"));
            reason_keys(inner, out);
        }
        Reason::MainUnit { inner, .. } | Reason::ClientDelegation { inner, .. } => reason_keys(inner, out),
        Reason::UserRole { role, inherited_through, .. } => {
            out.push(format!("userrole:{role}"));
            out.extend(inherited_through.as_ref().map(|t| format!("userrole:{t}")));
        }
        Reason::Own | Reason::Grant { .. } => {}
    }
}

/// The catalogue's names of the things in `items` and of the roles they are held through.
#[cfg(feature = "ssr")]
pub(crate) async fn item_names<'a>(ctx: &domain::Context, items: impl Iterator<Item = &'a domain::grants::HeldItem>) -> Result<Names, AppError> {
    use crate::functions::ssr::internal;
    let mut keys = Vec::new();
    for i in items {
        keys.push(i.what.clone());
        if let Some(code) = i.what.strip_prefix("role:") {
            keys.push(format!("userrole:{code}"));
        }
        i.why.iter().for_each(|r| reason_keys(r, &mut keys));
    }
    keys.sort_unstable();
    keys.dedup();
    domain::catalogue::names_of(ctx, &keys).await.map_err(|e| internal(&e.to_string()))
}

/// A package that can be given, with its area, in nb, nn and en.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageOption {
    pub code: String,
    pub name: [String; 3],
    pub description: [String; 3],
    /// The area's URN, which groups the packages.
    pub area: String,
    pub area_name: [String; 3],
    pub area_description: [String; 3],
}

impl PackageOption {
    /// Whether the package matches a search: every word of `query` occurs in
    /// its name, description or area (any language), case-insensitively. Used
    /// on the server for `?q=` and in the browser as one types, so both agree.
    pub fn matches(&self, query: &str) -> bool {
        let texts = [&self.name, &self.description, &self.area_name].into_iter().flatten().chain(std::iter::once(&self.code));
        crate::text_search::matches(query, texts.map(String::as_str))
    }
}

/// One area's packages, in the catalogue's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaGroup {
    pub urn: String,
    pub name: [String; 3],
    pub description: [String; 3],
    pub packages: Vec<PackageOption>,
}

/// Groups packages by area, keeping the order in which areas first appear.
pub fn by_area(packages: Vec<PackageOption>) -> Vec<AreaGroup> {
    let mut groups: Vec<AreaGroup> = Vec::new();
    for p in packages {
        match groups.iter_mut().find(|g| g.urn == p.area) {
            Some(g) => g.packages.push(p),
            None => groups.push(AreaGroup { urn: p.area.clone(), name: p.area_name.clone(), description: p.area_description.clone(), packages: vec![p] }),
        }
    }
    groups
}

/// What happened to one package of a give-access request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageOutcome {
    pub code: String,
    /// The package's names in nb, nn, en (the code when it is not in the catalogue).
    pub name: [String; 3],
    /// Why it was not given; `None` when it was.
    pub refused: Option<crate::error::Refusal>,
}

/// The answer to "give these packages to this recipient": per package, given or why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiveSummary {
    pub recipient: String,
    pub outcomes: Vec<PackageOutcome>,
}

impl GiveSummary {
    pub fn given(&self) -> impl Iterator<Item = &PackageOutcome> {
        self.outcomes.iter().filter(|o| o.refused.is_none())
    }

    pub fn refused(&self) -> impl Iterator<Item = &PackageOutcome> {
        self.outcomes.iter().filter(|o| o.refused.is_some())
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    /// Why one package was not given, as the summary shows it.
    pub fn refusal(e: domain::grants::GrantError) -> Option<crate::error::Refusal> {
        match AppError::from(e) {
            AppError::Refused(r) => Some(r),
            _ => None,
        }
    }

    pub fn names(p: &domain::catalogue::AssignablePackage) -> [String; 3] {
        [p.name.nb.clone(), p.name.nn.clone(), p.name.en.clone()]
    }
}

/// Who holds what for the chosen party, and why.
#[server(prefix = "/api", endpoint = "who_has_access")]
pub async fn who_has_access() -> Result<Vec<HolderView>, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let holders = domain::grants::who_has_access(&ctx)?;
    let snapshot = ctx.snapshot();
    let names = item_names(&ctx, holders.iter().flat_map(|h| &h.items)).await?;
    Ok(holders.into_iter().map(|h| HolderView { name: h.name, items: h.items.into_iter().map(|i| item_view(&snapshot, &names, i, true)).collect() }).collect())
}

/// The packages that can be given on behalf of the chosen party (those meant
/// for its kind of party), by area.
#[server(prefix = "/api", endpoint = "assignable_packages")]
pub async fn assignable_packages() -> Result<Vec<PackageOption>, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let rows = domain::grants::assignable_packages(&ctx).await?;
    Ok(rows
        .into_iter()
        .map(|p| PackageOption {
            name: ssr::names(&p),
            code: p.code,
            description: [p.description.nb, p.description.nn, p.description.en],
            area: p.area.urn,
            area_name: [p.area.name.nb, p.area.name.nn, p.area.name.en],
            area_description: [p.area.description.nb, p.area.description.nn, p.area.description.en],
        })
        .collect())
}

/// A system user the chosen party may give packages to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemUserOption {
    pub id: String,
    pub name: String,
}

/// The chosen party's own system users, for "give access".
#[server(prefix = "/api", endpoint = "party_system_users")]
pub async fn party_system_users() -> Result<Vec<SystemUserOption>, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let list = domain::grants::system_users_of(&ctx).await?;
    Ok(list.into_iter().map(|(id, name)| SystemUserOption { id: id.to_string(), name }).collect())
}

/// Gives a recipient one or more packages for the chosen party, and says per
/// package whether it was given or why not (`domain::grants::give`).
///
/// `kind` chooses the recipient: `person` (national identity number and
/// surname), `organisation` (organisation number) or `system_user` (one of
/// the party's own system users, by id). The form may send both groups of
/// fields; only the chosen kind's are read.
#[server(prefix = "/api", endpoint = "give_access")]
pub async fn give_access(
    #[server(default)] kind: String,
    #[server(default)] national_id: String,
    #[server(default)] surname: String,
    #[server(default)] org_number: String,
    #[server(default)] system_user: String,
    #[server(default)] packages: Vec<String>,
) -> Result<GiveSummary, AppError> {
    use domain::grants::RecipientQuery;
    let ctx = crate::functions::ssr::party_context().await?;
    let recipient = match kind.trim() {
        "" | "person" => RecipientQuery::Person { national_id, surname },
        "organisation" => RecipientQuery::Organisation { org_number },
        "system_user" => RecipientQuery::SystemUser { id: system_user },
        _ => return Err(AppError::invalid("kind", "choose a person, an organisation or a system user")),
    };
    let given = domain::grants::give(&ctx, &recipient, &packages).await?;
    Ok(GiveSummary {
        recipient: given.recipient,
        outcomes: given
            .outcomes
            .into_iter()
            .map(|o| PackageOutcome {
                // A code not in the catalogue keeps its code as name.
                name: o.package.as_ref().map(ssr::names).unwrap_or_else(|| [o.code.clone(), o.code.clone(), o.code.clone()]),
                refused: o.refused.and_then(ssr::refusal),
                code: o.code,
            })
            .collect(),
    })
}

/// Revokes a direct grant given on behalf of the chosen party.
#[server(prefix = "/api", endpoint = "revoke_access")]
pub async fn revoke_access(grant: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let grant = uuid::Uuid::parse_str(grant.trim()).map_err(|_| AppError::invalid("grant", "not a grant id"))?;
    domain::grants::revoke(&ctx, grant).await?;
    leptos_axum::redirect("/tilganger");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(code: &str, name: &str, description: &str, area: &str) -> PackageOption {
        let three = |s: &str| [s.to_string(), format!("{s} (nn)"), format!("{s} (en)")];
        PackageOption {
            code: code.into(),
            name: three(name),
            description: three(description),
            area: format!("area:{area}"),
            area_name: three(area),
            area_description: three(""),
        }
    }

    #[test]
    fn search_matches_name_description_and_area_in_any_language_ignoring_case() {
        let vat = package("merverdiavgift", "Merverdiavgift", "Tjenester for mva-meldingen", "Skatt og avgift");
        assert!(vat.matches(""));
        assert!(vat.matches("MERVERDI"));
        assert!(vat.matches("mva-meldingen"));
        assert!(vat.matches("skatt"));
        assert!(vat.matches("(en)"));
        assert!(vat.matches("skatt  merverdi"), "every word must match, in any field");
        assert!(!vat.matches("skatt lønn"));
        assert!(!vat.matches("tilgangsstyrer"));
    }

    #[test]
    fn packages_are_grouped_by_area_in_order_of_appearance() {
        let groups =
            by_area(vec![package("a", "A", "", "Skatt"), package("b", "B", "", "Skatt"), package("c", "C", "", "Tilganger"), package("d", "D", "", "Skatt")]);
        let shape: Vec<(&str, Vec<&str>)> = groups.iter().map(|g| (g.name[0].as_str(), g.packages.iter().map(|p| p.code.as_str()).collect())).collect();
        assert_eq!(shape, [("Skatt", vec!["a", "b", "d"]), ("Tilganger", vec!["c"])]);
    }

    #[test]
    fn a_summary_splits_given_from_refused() {
        let s = GiveSummary {
            recipient: "Revisjon Nord AS".into(),
            outcomes: vec![
                PackageOutcome { code: "a".into(), name: Default::default(), refused: None },
                PackageOutcome { code: "b".into(), name: Default::default(), refused: Some(crate::error::Refusal::AlreadyGranted) },
            ],
        };
        assert_eq!(s.given().map(|o| o.code.as_str()).collect::<Vec<_>>(), ["a"]);
        assert_eq!(s.refused().map(|o| o.code.as_str()).collect::<Vec<_>>(), ["b"]);
    }
}
