//! The generated population of the issue-3 benchmarks, shared by the
//! in-memory decision bench and the PostgreSQL snapshot-load bench:
//! 100,000 organisations, 200,000 persons, 10,000 system users, 1,000,000
//! delegations, 2,000 resources × 3 actions, seeded and reproducible.

#![allow(dead_code)] // each bench uses its own part

use domain::decisions::policy::{attr, Combining, Effect, Match, Obligation, Policy, Rule};
use domain::decisions::snapshot::{PartyInfo, RolePackageRule, SnapshotBuilder};
use std::collections::HashSet;
use uuid::Uuid;

/// splitmix64: small, fast, reproducible.
pub struct Rng(pub u64);
impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn uuid(&mut self) -> Uuid {
        Uuid::from_u64_pair(self.next_u64(), self.next_u64())
    }
}

pub fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|k| k.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

pub const PACKAGES: [&str; 12] = [
    "merverdiavgift",
    "skatt-naering",
    "regnskap-okonomi-rapport",
    "tilgangsstyrer",
    "hovedadministrator",
    "klientadministrator",
    "regnskapsforer-med-signeringsrettighet",
    "regnskapsforer-uten-signeringsrettighet",
    "regnskapsforer-lonn",
    "ansvarlig-revisor",
    "revisormedarbeider",
    "forretningsforer-eiendom",
];

/// Role code → (is key role, packages it gives, org-form condition).
pub const ROLE_PACKAGES: [(&str, bool, &[&str], Option<&str>); 4] = [
    (
        "daglig-leder",
        true,
        &["merverdiavgift", "skatt-naering", "regnskap-okonomi-rapport", "tilgangsstyrer", "hovedadministrator", "klientadministrator"],
        None,
    ),
    ("regnskapsforer", false, &["regnskapsforer-med-signeringsrettighet", "regnskapsforer-uten-signeringsrettighet", "regnskapsforer-lonn"], None),
    ("revisor", false, &["ansvarlig-revisor", "revisormedarbeider"], None),
    ("forretningsforer", false, &["forretningsforer-eiendom"], Some("BRL")),
];

pub enum Delegated {
    Package(&'static str),
    Right(usize, &'static str),
}

pub struct Grant {
    pub to: Uuid,
    pub to_system_user: bool,
    pub from: Uuid,
    pub what: Delegated,
}

pub struct Population {
    pub seed: u64,
    pub orgs: Vec<Uuid>,
    pub persons: Vec<Uuid>,
    pub system_users: Vec<(Uuid, Uuid)>,
    /// (holder, organisation, legacy code, role code)
    pub register_roles: Vec<(Uuid, Uuid, &'static str, &'static str)>,
    pub grants: Vec<Grant>,
    pub resources: Vec<String>,
}

impl Population {
    pub fn org_number(i: usize) -> String {
        format!("{:09}", 300_000_000 + i)
    }

    pub fn national_id(i: usize) -> String {
        format!("{:011}", 10_000_000_000u64 + i as u64)
    }

    pub fn org_form(i: usize) -> &'static str {
        if i.is_multiple_of(20) {
            "BRL"
        } else {
            "AS"
        }
    }

    /// The population for `SEED` and `SCALE` from the environment (defaults 2026 and 1.0).
    pub fn from_env() -> Self {
        let seed: u64 = std::env::var("SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(2026);
        let scale: f64 = std::env::var("SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0);
        Self::generate(seed, scale)
    }

    pub fn generate(seed: u64, scale: f64) -> Self {
        let n = |x: usize| ((x as f64) * scale).max(10.0) as usize;
        let (orgs_n, persons_n, system_users_n, delegations_n, resources_n) = (n(100_000), n(200_000), n(10_000), n(1_000_000), n(2_000));
        let mut rng = Rng(seed);
        let orgs: Vec<Uuid> = (0..orgs_n).map(|_| rng.uuid()).collect();
        let persons: Vec<Uuid> = (0..persons_n).map(|_| rng.uuid()).collect();
        let system_users: Vec<(Uuid, Uuid)> = (0..system_users_n).map(|_| (rng.uuid(), orgs[rng.below(orgs_n)])).collect();
        // Every organisation has a general manager; 1% are accounting firms with clients.
        let mut register_roles: Vec<(Uuid, Uuid, &'static str, &'static str)> =
            orgs.iter().enumerate().map(|(i, org)| (persons[i % persons_n], *org, "DAGL", "daglig-leder")).collect();
        let firms = (orgs_n / 100).max(1);
        for (i, org) in orgs.iter().enumerate().skip(firms) {
            if i % 5 == 0 {
                register_roles.push((orgs[i % firms], *org, "REGN", "regnskapsforer"));
            }
        }
        // Delegations: packages and single rights from organisations to persons and system users.
        let resources: Vec<String> = (0..resources_n).map(|i| format!("resource-{i}")).collect();
        let mut grants = Vec::with_capacity(delegations_n);
        let mut seen: HashSet<(Uuid, Uuid, usize, &'static str)> = HashSet::with_capacity(delegations_n);
        for _ in 0..delegations_n {
            let from = orgs[rng.below(orgs_n)];
            let to_system_user = rng.below(10) == 0;
            let to = if to_system_user { system_users[rng.below(system_users_n)].0 } else { persons[rng.below(persons_n)] };
            let what = if rng.below(4) == 0 {
                Delegated::Right(rng.below(resources_n), ["read", "write", "sign"][rng.below(3)])
            } else {
                Delegated::Package(PACKAGES[rng.below(PACKAGES.len())])
            };
            // One active grant per (from, to, object), as the database requires.
            let key = match &what {
                Delegated::Package(p) => (from, to, usize::MAX, *p),
                Delegated::Right(r, a) => (from, to, *r, *a),
            };
            if seen.insert(key) {
                grants.push(Grant { to, to_system_user, from, what });
            }
        }
        Self { seed, orgs, persons, system_users, register_roles, grants, resources }
    }

    pub fn policy(&self, i: usize) -> Policy {
        let rules = (0..3)
            .map(|k| Rule {
                id: format!("r{k}"),
                effect: Effect::Permit,
                subjects: vec![vec![Match { attribute: attr::ACCESS_PACKAGE.into(), value: PACKAGES[(i + k * 5) % PACKAGES.len()].into(), ignore_case: true }]],
                actions: vec![["read", "write", "sign"][k].into()],
                description: String::new(),
            })
            .collect();
        Policy {
            resource: self.resources[i].clone(),
            combining: Combining::DenyOverrides,
            rules,
            obligations: vec![Obligation::minimum_authentication_level(3)],
        }
    }

    /// The same rows a load from PostgreSQL would give, straight into a builder.
    pub fn builder(&self) -> SnapshotBuilder {
        let mut b = SnapshotBuilder::new(1);
        for (role, key, packages, form) in ROLE_PACKAGES {
            b.role(role, key);
            for p in packages {
                b.role_package(role, RolePackageRule { package: p.to_string(), org_form: form.map(str::to_string), has_access: true });
            }
        }
        for (i, id) in self.orgs.iter().enumerate() {
            let info = PartyInfo {
                id: *id,
                name: format!("Org {i}"),
                org_number: Some(Self::org_number(i)),
                national_id: None,
                org_form: Some(Self::org_form(i).into()),
                parent: None,
            };
            b.party(info);
        }
        for (i, id) in self.persons.iter().enumerate() {
            b.party(PartyInfo {
                id: *id,
                name: format!("Person {i}"),
                org_number: None,
                national_id: Some(Self::national_id(i)),
                org_form: None,
                parent: None,
            });
        }
        for (su, owner) in &self.system_users {
            b.system_user(*su, *owner, "system user");
        }
        for (holder, org, legacy, code) in &self.register_roles {
            b.register_role(*holder, *org, legacy, code);
        }
        for g in &self.grants {
            match g.what {
                Delegated::Right(r, a) => b.granted_right(g.to, g.from, &self.resources[r], a, Uuid::nil(), None),
                Delegated::Package(p) => b.granted_package(g.to, g.from, p, Uuid::nil(), None),
            }
        }
        for i in 0..self.resources.len() {
            b.policy(self.policy(i));
        }
        b
    }

    pub fn describe(&self) -> String {
        format!(
            "{} organisations, {} persons, {} system users, {} delegations, {} resources x 3 actions (seed {})",
            self.orgs.len(),
            self.persons.len(),
            self.system_users.len(),
            self.grants.len(),
            self.resources.len(),
            self.seed
        )
    }
}
