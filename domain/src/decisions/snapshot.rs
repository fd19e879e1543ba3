//! The in-memory picture the engine decides from: parties, and for every
//! (subject, party) pair the roles, packages and single rights the subject holds
//! for the party, each with the chain of reasons that gives it.

use super::policy::Policy;
use super::sharded::ShardedMap;
use crate::role_model::model::{AccessRules, Amount, SodRule};
use crate::role_model::rules::{check_access_rules, closure, conflicts_within, Blocked, Inheritance};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

/// A fast, non-cryptographic hasher for the snapshot's id-keyed maps (the
/// FxHash mix used by rustc). The keys are our own UUIDs, not attacker-chosen
/// strings, so HashDoS resistance is not needed on this hot path.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(buf));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// A person with a key role in an organisation, and the role's code.
pub(super) type KeyHolder = (Uuid, Arc<str>);

/// A package a register role gives: its URN, the organisation form it is limited to, and whether it may be passed on.
type RolePackage = (Arc<str>, Option<String>, bool);
pub(super) type FxMap<K, V> = HashMap<K, V, FxBuild>;

/// Why a subject holds something for a party. Chains read outwards: a package
/// from a role on the main unit is `MainUnit { inner: RolePackage { .. } }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The subject acts for themselves.
    Own,
    /// The register says the subject has this role for the party.
    RegisterRole { role: Arc<str> },
    /// The package comes with a register role the subject has for the party.
    RolePackage { role: Arc<str> },
    /// The party (or someone who may) granted it directly.
    Grant { grant: Uuid, granted_by: Option<Uuid> },
    /// Inherited from the party's main unit.
    MainUnit { main_unit: Uuid, inner: Box<Reason> },
    /// The subject has a key role (e.g. DAGL) in an organisation that holds it.
    KeyRole { role: Arc<str>, organisation: Uuid, inner: Box<Reason> },
    /// A user role assigned to the subject for the party (the FOBS role
    /// model), perhaps inherited through the assigned role. `rules` are the
    /// access rules of the role that gives the right, checked per decision.
    UserRole { role: Arc<str>, inherited_through: Option<Arc<str>>, source: Arc<UserRoleSource> },
    /// A firm holds it for the party (its client) by `inner` (a register
    /// role or the client's grant), and its client administrator passed it
    /// on to the subject (an agent system user or person of the firm) by a
    /// client delegation.
    ClientDelegation { firm: Uuid, delegation: Uuid, inner: Box<Reason> },
}

/// Where a user role's rights come from: shared by every fact one role of one
/// assignment gives, and kept out of line so `Reason` stays small (a million
/// facts carry one each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct UserRoleSource {
    pub assignment: Uuid,
    pub assigned_by: Option<Uuid>,
    /// The access rules of the role that gives the right, checked per decision.
    pub rules: Option<AccessRules>,
}

impl Reason {
    /// A readable chain, with party ids replaced by names where known.
    pub fn describe(&self, names: &dyn Fn(Uuid) -> String) -> String {
        match self {
            Self::Own => "the subject acts for themselves".into(),
            Self::RegisterRole { role } => format!("register role {role}"),
            Self::RolePackage { role } => format!("register role {role}"),
            Self::Grant { granted_by: Some(by), .. } => format!("direct grant by {}", names(*by)),
            Self::Grant { grant, granted_by: None } => format!("direct grant {grant}"),
            Self::MainUnit { main_unit, inner } => format!("{} on main unit {}", inner.describe(names), names(*main_unit)),
            Self::KeyRole { role, organisation, inner } => {
                format!("{} held by {}, where the subject has key role {role}", inner.describe(names), names(*organisation))
            }
            Self::UserRole { role, inherited_through: None, .. } => format!("user role {role}"),
            Self::UserRole { role, inherited_through: Some(through), .. } => format!("user role {role}, inherited through {through}"),
            Self::ClientDelegation { firm, inner, .. } => format!("{} of {}, passed on by client delegation", inner.describe(names), names(*firm)),
        }
    }

    /// Why this way to a right may not be used now, if an access rule of a
    /// user role stops it. Every other reason is unconditional.
    pub fn blocked(&self, at: OffsetDateTime, amount: Option<Amount>) -> Option<Blocked> {
        match self {
            Self::UserRole { source, .. } => source.rules.as_ref().and_then(|rules| check_access_rules(rules, at, amount).err()),
            Self::MainUnit { inner, .. } | Self::KeyRole { inner, .. } | Self::ClientDelegation { inner, .. } => inner.blocked(at, amount),
            _ => None,
        }
    }

    pub(super) fn wrap_main_unit(&self, main_unit: Uuid) -> Self {
        Self::MainUnit { main_unit, inner: Box::new(self.clone()) }
    }
}

/// What one subject holds for one party.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facts {
    /// Role codes in upper case (DAGL, REGN, …).
    pub roles: Vec<(Arc<str>, Reason)>,
    /// Access-package codes (the last segment of the URN).
    pub packages: Vec<(Arc<str>, Reason)>,
    /// Single rights: (resource id, action).
    pub rights: Vec<(Arc<str>, Arc<str>, Reason)>,
    /// Pairs of user-role codes the subject holds together for the party
    /// against a segregation-of-duties rule; neither role gives anything.
    pub conflicts: Vec<(Arc<str>, Arc<str>)>,
}

impl Facts {
    fn absorb(&mut self, other: &Facts, wrap: impl Fn(&Reason) -> Reason, include_roles: bool) {
        if include_roles {
            self.roles.extend(other.roles.iter().map(|(c, r)| (c.clone(), wrap(r))));
        }
        self.packages.extend(other.packages.iter().map(|(c, r)| (c.clone(), wrap(r))));
        self.rights.extend(other.rights.iter().map(|(res, a, r)| (res.clone(), a.clone(), wrap(r))));
        if include_roles {
            self.conflicts.extend(other.conflicts.iter().cloned());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.roles.is_empty() && self.packages.is_empty() && self.rights.is_empty() && self.conflicts.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartyInfo {
    pub id: Uuid,
    pub name: String,
    pub org_number: Option<String>,
    pub national_id: Option<String>,
    pub org_form: Option<String>,
    pub parent: Option<Uuid>,
}

/// A role → package rule of the catalogue.
#[derive(Debug, Clone)]
pub struct RolePackageRule {
    pub package: String,
    pub org_form: Option<String>,
    pub has_access: bool,
}

/// Everything the engine needs, immutable once built. A change to grants or
/// policies makes a new snapshot that shares all it does not change with this
/// one (see `delta`); any other change rebuilds it whole. Cloning is cheap:
/// reference counts, not data.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    /// The change-feed position this snapshot includes.
    pub version: i64,
    pub(super) parties: Arc<FxMap<Uuid, PartyInfo>>,
    by_org: Arc<HashMap<String, Uuid>>,
    by_nin: Arc<HashMap<String, Uuid>>,
    pub(super) facts: ShardedMap<(Uuid, Uuid), Facts>,
    pub(super) by_subject: ShardedMap<Uuid, Vec<Uuid>>,
    pub(super) by_party: ShardedMap<Uuid, Vec<Uuid>>,
    pub(super) policies: Arc<FxMap<String, Arc<Policy>>>,
    /// System users: their owner, and a name to show.
    system_users: Arc<FxMap<Uuid, (Uuid, String)>>,
    /// Sub-units of each main unit: what is held for a main unit is held for these.
    pub(super) children: Arc<FxMap<Uuid, Vec<Uuid>>>,
    /// For each organisation, the persons with a key role in it and the role:
    /// they get what the organisation holds for others.
    pub(super) key_holders: Arc<FxMap<Uuid, Vec<KeyHolder>>>,
    /// The next moment a grant or role assignment starts or ends; the
    /// snapshot must be rebuilt then, even if the feed has not moved.
    pub next_boundary: Option<OffsetDateTime>,
}

impl Snapshot {
    pub fn party(&self, id: Uuid) -> Option<&PartyInfo> {
        self.parties.get(&id)
    }

    pub fn party_by_org_number(&self, org: &str) -> Option<&PartyInfo> {
        self.by_org.get(org).and_then(|id| self.parties.get(id))
    }

    pub fn party_by_national_id(&self, nin: &str) -> Option<&PartyInfo> {
        self.by_nin.get(nin).and_then(|id| self.parties.get(id))
    }

    pub fn is_system_user(&self, id: Uuid) -> bool {
        self.system_users.contains_key(&id)
    }

    pub fn facts(&self, subject: Uuid, party: Uuid) -> Option<&Facts> {
        self.facts.get(&(subject, party))
    }

    pub fn policy(&self, resource: &str) -> Option<&Arc<Policy>> {
        self.policies.get(resource)
    }

    /// Every party `subject` holds something for (not including themselves).
    pub fn parties_of(&self, subject: Uuid) -> &[Uuid] {
        self.by_subject.get(&subject).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every subject that holds something for `party` (not the party itself).
    pub fn holders_of(&self, party: Uuid) -> &[Uuid] {
        self.by_party.get(&party).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The name of a party or system user, or the id when neither is known.
    pub fn name_of(&self, id: Uuid) -> String {
        self.name(id).unwrap_or_else(|| id.to_string())
    }

    /// The name of the party or system user `id`, if the snapshot knows it.
    pub fn name(&self, id: Uuid) -> Option<String> {
        match self.parties.get(&id) {
            Some(p) => Some(p.name.clone()),
            None => self.system_users.get(&id).map(|(_, name)| name.clone()),
        }
    }

    /// The party that owns a system user.
    pub fn system_user_owner(&self, id: Uuid) -> Option<Uuid> {
        self.system_users.get(&id).map(|(owner, _)| *owner)
    }

    /// Whether a grant or assignment has started or ended since the build.
    pub fn is_stale_at(&self, now: OffsetDateTime) -> bool {
        self.next_boundary.is_some_and(|b| b <= now)
    }

    pub fn counts(&self) -> (usize, usize, usize) {
        (self.parties.len(), self.facts.len(), self.policies.len())
    }
}

/// Collects the raw rows, then derives inherited facts in [`SnapshotBuilder::build`].
#[derive(Default)]
pub struct SnapshotBuilder {
    snapshot: Snapshot,
    role_packages: HashMap<String, Vec<RolePackageRule>>,
    key_roles: HashMap<String, bool>,
    /// (holder, for_party, legacy code upper, role code)
    register_roles: Vec<(Uuid, Uuid, Arc<str>, String)>,
    /// One shared copy of every code and resource id, so a million facts do
    /// not hold a million copies of the same few strings.
    interned: std::collections::HashSet<Arc<str>>,
    user_roles: HashMap<Uuid, UserRoleFacts>,
    inheritance: Inheritance,
    sod_rules: Vec<SodRule>,
    assignments: Vec<AssignmentRow>,
    client_delegations: Vec<ClientDelegationRow>,
}

/// A client delegation in force: `firm` passes on to `agent` the packages
/// `client` gives it.
#[derive(Debug, Clone)]
pub struct ClientDelegationRow {
    pub id: Uuid,
    pub firm: Uuid,
    pub client: Uuid,
    pub agent: Uuid,
    pub packages: Vec<String>,
    /// Single rights (resource, action) it passes on (scenario S9).
    pub rights: Vec<(String, String)>,
}

/// A user role as the snapshot needs it.
#[derive(Debug, Clone)]
pub struct UserRoleFacts {
    pub code: String,
    pub packages: Vec<String>,
    pub rights: Vec<(String, String)>,
    pub rules: AccessRules,
}

/// An active role assignment: `subject` holds `role` for each of `parties`.
#[derive(Debug, Clone)]
pub struct AssignmentRow {
    pub id: Uuid,
    pub role: Uuid,
    pub subject: Uuid,
    pub parties: Vec<Uuid>,
    pub assigned_by: Option<Uuid>,
}

/// Gives each delegation's agent the packages and single rights it passes
/// on, for the client, when the firm holds every one of them for the client:
/// a package by a register role or the client's grant (the firm itself:
/// given by itself), a single right by the client's grant of exactly that
/// right (scenario S9; the firm gives itself none). A delegation the client
/// no longer supports in full gives nothing, even before the cascade that
/// ends it has run (a grant that simply ran out, say).
fn derive_client_delegations(s: &mut Snapshot, delegations: &[ClientDelegationRow], interned: &mut std::collections::HashSet<Arc<str>>) {
    let mut derived: Vec<((Uuid, Uuid), Facts)> = Vec::new();
    for d in delegations {
        if let Some(f) = passed_on(s, d, interned) {
            derived.push(((d.agent, d.client), f));
        }
    }
    for (key, f) in derived {
        s.facts.entry_or_default(key).absorb(&f, Reason::clone, false);
    }
}

/// What one delegation passes on, or `None` when the firm lacks any of it.
fn passed_on(s: &Snapshot, d: &ClientDelegationRow, interned: &mut std::collections::HashSet<Arc<str>>) -> Option<Facts> {
    let own = d.firm == d.client;
    let of_firm = s.facts.get(&(d.firm, d.client));
    let wrap = |inner: Reason| Reason::ClientDelegation { firm: d.firm, delegation: d.id, inner: Box::new(inner) };
    let mut f = Facts::default();
    for package in &d.packages {
        let inner = if own {
            Reason::Own
        } else {
            of_firm?
                .packages
                .iter()
                .find(|(code, why)| &**code == package && matches!(why, Reason::RolePackage { .. } | Reason::Grant { .. }))
                .map(|(_, why)| why.clone())?
        };
        f.packages.push((intern(interned, package), wrap(inner)));
    }
    for (resource, action) in &d.rights {
        if own {
            return None;
        }
        let inner = of_firm?
            .rights
            .iter()
            .find(|(r, a, why)| &**r == resource && &**a == action && matches!(why, Reason::Grant { .. }))
            .map(|(_, _, why)| why.clone())?;
        f.rights.push((intern(interned, resource), intern(interned, action), wrap(inner)));
    }
    (!f.is_empty()).then_some(f)
}

fn intern(set: &mut std::collections::HashSet<Arc<str>>, s: &str) -> Arc<str> {
    if let Some(a) = set.get(s) {
        return a.clone();
    }
    let a: Arc<str> = Arc::from(s);
    set.insert(a.clone());
    a
}

impl SnapshotBuilder {
    pub fn new(version: i64) -> Self {
        let mut b = Self::default();
        b.snapshot.version = version;
        b
    }

    pub fn party(&mut self, p: PartyInfo) {
        if let Some(o) = &p.org_number {
            Arc::make_mut(&mut self.snapshot.by_org).insert(o.clone(), p.id);
        }
        if let Some(n) = &p.national_id {
            Arc::make_mut(&mut self.snapshot.by_nin).insert(n.clone(), p.id);
        }
        Arc::make_mut(&mut self.snapshot.parties).insert(p.id, p);
    }

    /// Adds an organisation under a fresh id and returns the id: the short
    /// way for tests and benches to build a world.
    pub fn organisation(&mut self, name: &str, number: &str, form: &str, parent: Option<Uuid>) -> Uuid {
        let id = Uuid::now_v7();
        self.party(PartyInfo { id, name: name.into(), org_number: Some(number.into()), national_id: None, org_form: Some(form.into()), parent });
        id
    }

    /// Adds a person under a fresh id and returns the id.
    pub fn person(&mut self, name: &str, national_id: &str) -> Uuid {
        let id = Uuid::now_v7();
        self.party(PartyInfo { id, name: name.into(), org_number: None, national_id: Some(national_id.into()), org_form: None, parent: None });
        id
    }

    pub fn system_user(&mut self, id: Uuid, owner: Uuid, name: &str) {
        Arc::make_mut(&mut self.snapshot.system_users).insert(id, (owner, name.to_string()));
    }

    pub fn role(&mut self, code: &str, is_key_role: bool) {
        self.key_roles.insert(code.to_string(), is_key_role);
    }

    pub fn role_package(&mut self, role_code: &str, rule: RolePackageRule) {
        self.role_packages.entry(role_code.to_string()).or_default().push(rule);
    }

    pub fn register_role(&mut self, holder: Uuid, for_party: Uuid, legacy_upper: &str, role_code: &str) {
        let legacy = intern(&mut self.interned, legacy_upper);
        self.register_roles.push((holder, for_party, legacy, role_code.to_string()));
    }

    pub fn granted_package(&mut self, to: Uuid, party: Uuid, package: &str, grant: Uuid, granted_by: Option<Uuid>) {
        let package = intern(&mut self.interned, package);
        self.snapshot.facts.entry_or_default((to, party)).packages.push((package, Reason::Grant { grant, granted_by }));
    }

    pub fn granted_right(&mut self, to: Uuid, party: Uuid, resource: &str, action: &str, grant: Uuid, granted_by: Option<Uuid>) {
        let resource = intern(&mut self.interned, resource);
        let action = intern(&mut self.interned, action);
        self.snapshot.facts.entry_or_default((to, party)).rights.push((resource, action, Reason::Grant { grant, granted_by }));
    }

    pub fn user_role(&mut self, id: Uuid, role: UserRoleFacts, inherits: Vec<Uuid>) {
        if !inherits.is_empty() {
            self.inheritance.insert(id, inherits);
        }
        self.user_roles.insert(id, role);
    }

    pub fn sod_rule(&mut self, rule: SodRule) {
        self.sod_rules.push(rule);
    }

    pub fn assignment(&mut self, a: AssignmentRow) {
        self.assignments.push(a);
    }

    pub fn client_delegation(&mut self, d: ClientDelegationRow) {
        self.client_delegations.push(d);
    }

    /// Notes a moment a grant or assignment starts or ends.
    pub fn boundary(&mut self, at: OffsetDateTime) {
        let next = &mut self.snapshot.next_boundary;
        if next.is_none_or(|n| at < n) {
            *next = Some(at);
        }
    }

    pub fn policy(&mut self, policy: Policy) {
        Arc::make_mut(&mut self.snapshot.policies).insert(policy.resource.clone(), Arc::new(policy));
    }

    /// Derives role packages, key-role and main-unit inheritance, and indexes.
    pub fn build(mut self) -> Snapshot {
        let packages: HashMap<String, Vec<RolePackage>> = self
            .role_packages
            .iter()
            .map(|(role, rules)| (role.clone(), rules.iter().map(|r| (intern(&mut self.interned, &r.package), r.org_form.clone(), r.has_access)).collect()))
            .collect();
        self.derive_user_roles();
        let s = &mut self.snapshot;
        let mut key_holders: FxMap<Uuid, Vec<KeyHolder>> = FxMap::default(); // organisation → (person, role)
        for (holder, for_party, legacy, code) in &self.register_roles {
            let org_form = s.parties.get(for_party).and_then(|p| p.org_form.clone());
            let facts = s.facts.entry_or_default((*holder, *for_party));
            facts.roles.push((legacy.clone(), Reason::RegisterRole { role: legacy.clone() }));
            for (package, form, has_access) in packages.get(code).into_iter().flatten() {
                let form_ok = form.is_none() || *form == org_form;
                if *has_access && form_ok {
                    facts.packages.push((package.clone(), Reason::RolePackage { role: legacy.clone() }));
                }
            }
            if self.key_roles.get(code).copied().unwrap_or(false) {
                key_holders.entry(*for_party).or_default().push((*holder, legacy.clone()));
            }
        }
        derive_client_delegations(s, &self.client_delegations, &mut self.interned);
        // Key roles: the holder gets what the organisation holds for others (one level).
        let mut by_holder: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for (subject, party) in s.facts.keys() {
            by_holder.entry(*subject).or_default().push(*party);
        }
        let mut derived: Vec<((Uuid, Uuid), Facts)> = Vec::new();
        for (org, holders) in &key_holders {
            for party in by_holder.get(org).into_iter().flatten() {
                let Some(of_org) = s.facts.get(&(*org, *party)) else { continue };
                for (person, role) in holders {
                    if party == person {
                        continue;
                    }
                    let mut f = Facts::default();
                    f.absorb(of_org, |r| Reason::KeyRole { role: role.clone(), organisation: *org, inner: Box::new(r.clone()) }, false);
                    if !f.is_empty() {
                        derived.push(((*person, *party), f));
                    }
                }
            }
        }
        for (key, f) in derived {
            s.facts.entry_or_default(key).absorb(&f, Reason::clone, false);
        }
        // Main units: what a subject holds for a main unit it holds for the sub-units too.
        let mut children: FxMap<Uuid, Vec<Uuid>> = FxMap::default();
        for p in s.parties.values() {
            if let Some(parent) = p.parent {
                children.entry(parent).or_default().push(p.id);
            }
        }
        let mut inherited: Vec<((Uuid, Uuid), Facts)> = Vec::new();
        for ((subject, party), f) in s.facts.iter() {
            for child in children.get(party).into_iter().flatten() {
                let mut g = Facts::default();
                g.absorb(f, |r| r.wrap_main_unit(*party), true);
                inherited.push(((*subject, *child), g));
            }
        }
        for (key, f) in inherited {
            s.facts.entry_or_default(key).absorb(&f, Reason::clone, true);
        }
        for (subject, party) in s.facts.keys() {
            if subject != party {
                s.by_subject.entry_or_default(*subject).push(*party);
                s.by_party.entry_or_default(*party).push(*subject);
            }
        }
        for subjects in s.by_party.values_mut() {
            subjects.sort_unstable();
        }
        for parties in s.by_subject.values_mut() {
            parties.sort_unstable();
        }
        s.children = Arc::new(children);
        s.key_holders = Arc::new(key_holders);
        self.snapshot
    }

    /// Adds what role assignments give: each assigned role and the roles it
    /// inherits, with their packages and rights, for every party the
    /// assignment is restricted to. Roles a subject holds together against a
    /// segregation-of-duties rule give nothing and are recorded as conflicts.
    fn derive_user_roles(&mut self) {
        let mut by_pair: HashMap<(Uuid, Uuid), Vec<usize>> = HashMap::new();
        for (i, a) in self.assignments.iter().enumerate() {
            for party in &a.parties {
                by_pair.entry((a.subject, *party)).or_default().push(i);
            }
        }
        let closures: HashMap<Uuid, Vec<Uuid>> = self.assignments.iter().map(|a| a.role).map(|r| (r, closure(&self.inheritance, r))).collect();
        for ((subject, party), indexes) in by_pair {
            let held: std::collections::HashSet<Uuid> = indexes.iter().flat_map(|i| closures[&self.assignments[*i].role].iter().copied()).collect();
            let conflicts = conflicts_within(&held, &self.sod_rules);
            let blocked: std::collections::HashSet<Uuid> = conflicts.iter().flat_map(|r| [r.role_a, r.role_b]).collect();
            let mut facts = Facts::default();
            for rule in &conflicts {
                let mut code = |id: Uuid| intern(&mut self.interned, self.user_roles.get(&id).map(|r| r.code.as_str()).unwrap_or("?"));
                let pair = (code(rule.role_a), code(rule.role_b));
                facts.conflicts.push(pair);
            }
            for i in indexes {
                let a = &self.assignments[i];
                let assigned_code = self.user_roles.get(&a.role).map(|r| intern(&mut self.interned, &r.code));
                for role_id in &closures[&a.role] {
                    let Some(role) = self.user_roles.get(role_id) else { continue };
                    if blocked.contains(role_id) {
                        continue;
                    }
                    let code = intern(&mut self.interned, &role.code);
                    let source = UserRoleSource { assignment: a.id, assigned_by: a.assigned_by, rules: (!role.rules.is_empty()).then(|| role.rules.clone()) };
                    let reason = Reason::UserRole {
                        role: code.clone(),
                        inherited_through: if *role_id == a.role { None } else { assigned_code.clone() },
                        source: Arc::new(source),
                    };
                    facts.roles.push((code.clone(), reason.clone()));
                    for p in &role.packages {
                        facts.packages.push((intern(&mut self.interned, p), reason.clone()));
                    }
                    for (res, act) in &role.rights {
                        facts.rights.push((intern(&mut self.interned, res), intern(&mut self.interned, act), reason.clone()));
                    }
                }
            }
            self.snapshot.facts.entry_or_default((subject, party)).absorb(&facts, Reason::clone, true);
        }
    }
}
