//! In-process decision benchmark on a generated population (issue 3 figures):
//! 100,000 organisations, 200,000 persons, 10,000 system users, 1,000,000
//! delegations, 2,000 resources × 3 actions. Seeded and reproducible.
//!
//! Prints snapshot build time, resident memory, decision latency p50/p99/p999
//! and single-core decisions per second. Asserts nothing.
//!
//! Run: `cargo bench -p domain --bench decisions` (SEED and SCALE may be set;
//! SCALE=0.1 builds a tenth of the population).

use domain::decisions::policy::{attr, Combining, Effect, Match, Obligation, Policy, Rule};
use domain::decisions::snapshot::{PartyInfo, RolePackageRule, SnapshotBuilder};
use domain::decisions::{decide, DecisionRequest, Outcome, SubjectRef};
use std::hint::black_box;
use std::time::Instant;
use uuid::Uuid;

/// splitmix64: small, fast, reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn uuid(&mut self) -> Uuid {
        Uuid::from_u64_pair(self.next(), self.next())
    }
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|k| k.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

const PACKAGES: [&str; 12] = [
    "merverdiavgift", "skatt-naering", "regnskap-okonomi-rapport", "tilgangsstyrer", "hovedadministrator", "klientadministrator",
    "regnskapsforer-med-signeringsrettighet", "regnskapsforer-uten-signeringsrettighet", "regnskapsforer-lonn",
    "ansvarlig-revisor", "revisormedarbeider", "forretningsforer-eiendom",
];

fn main() {
    let seed: u64 = std::env::var("SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(2026);
    let scale: f64 = std::env::var("SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let n = |x: usize| ((x as f64) * scale).max(10.0) as usize;
    let (orgs_n, persons_n, system_users_n, delegations_n, resources_n) = (n(100_000), n(200_000), n(10_000), n(1_000_000), n(2_000));
    let mut rng = Rng(seed);
    let rss_before = rss_mib();
    let started = Instant::now();
    let mut b = SnapshotBuilder::new(1);
    for (role, packages) in [
        ("daglig-leder", &PACKAGES[..6]),
        ("regnskapsforer", &PACKAGES[6..9]),
        ("revisor", &PACKAGES[9..11]),
    ] {
        b.role(role, role == "daglig-leder");
        for p in packages {
            b.role_package(role, RolePackageRule { package: p.to_string(), org_form: None, has_access: true });
        }
    }
    b.role("forretningsforer", false);
    b.role_package("forretningsforer", RolePackageRule { package: PACKAGES[11].into(), org_form: Some("BRL".into()), has_access: true });
    let orgs: Vec<Uuid> = (0..orgs_n).map(|_| rng.uuid()).collect();
    for (i, id) in orgs.iter().enumerate() {
        let form = if i % 20 == 0 { "BRL" } else { "AS" };
        b.party(PartyInfo { id: *id, name: format!("Org {i}"), org_number: Some(format!("{:09}", 300_000_000 + i)), national_id: None, org_form: Some(form.into()), parent: None });
    }
    let persons: Vec<Uuid> = (0..persons_n).map(|_| rng.uuid()).collect();
    for (i, id) in persons.iter().enumerate() {
        b.party(PartyInfo { id: *id, name: format!("Person {i}"), org_number: None, national_id: Some(format!("{:011}", 10_000_000_000u64 + i as u64)), org_form: None, parent: None });
    }
    let system_users: Vec<Uuid> = (0..system_users_n).map(|_| rng.uuid()).collect();
    for su in &system_users {
        b.system_user(*su, orgs[rng.below(orgs_n)]);
    }
    // Every organisation has a general manager; 1% are accounting or auditing firms with clients.
    for (i, org) in orgs.iter().enumerate() {
        b.register_role(persons[i % persons_n], *org, "DAGL", "daglig-leder");
    }
    let firms = (orgs_n / 100).max(1);
    for (i, org) in orgs.iter().enumerate().skip(firms) {
        if i % 5 == 0 {
            b.register_role(orgs[i % firms], *org, "REGN", "regnskapsforer");
        }
    }
    // Delegations: packages and single rights from organisations to persons and system users.
    let resources: Vec<String> = (0..resources_n).map(|i| format!("resource-{i}")).collect();
    for _ in 0..delegations_n {
        let from = orgs[rng.below(orgs_n)];
        let to = if rng.below(10) == 0 { system_users[rng.below(system_users_n)] } else { persons[rng.below(persons_n)] };
        if rng.below(4) == 0 {
            b.granted_right(to, from, &resources[rng.below(resources_n)], ["read", "write", "sign"][rng.below(3)], Uuid::nil(), None);
        } else {
            b.granted_package(to, from, PACKAGES[rng.below(PACKAGES.len())], Uuid::nil(), None);
        }
    }
    for (i, r) in resources.iter().enumerate() {
        let rules = (0..3)
            .map(|k| Rule {
                id: format!("r{k}"),
                effect: Effect::Permit,
                subjects: vec![vec![Match { attribute: attr::ACCESS_PACKAGE.into(), value: PACKAGES[(i + k * 5) % PACKAGES.len()].into(), ignore_case: true }]],
                actions: vec![["read", "write", "sign"][k].into()],
                description: String::new(),
            })
            .collect();
        b.policy(Policy { resource: r.clone(), combining: Combining::DenyOverrides, rules, obligations: vec![Obligation::minimum_authentication_level(3)] });
    }
    let snapshot = b.build();
    let build = started.elapsed();
    let rss_after = rss_mib();
    let (parties, facts, policies) = snapshot.counts();
    println!("population: {orgs_n} organisations, {persons_n} persons, {system_users_n} system users, {delegations_n} delegations, {resources_n} resources x 3 actions (seed {seed})");
    println!("snapshot: {parties} parties, {facts} (subject, party) pairs, {policies} policies");
    println!("snapshot build (in memory, from rows): {:.2} s; resident memory {:.0} MiB (+{:.0} MiB)", build.as_secs_f64(), rss_after, rss_after - rss_before);

    // Requests: half for pairs that hold something (mostly Permit or NotApplicable by action), half random.
    let requests: Vec<(SubjectRef, String, &str, Uuid)> = (0..200_000)
        .map(|i| {
            let action = ["read", "write", "sign"][rng.below(3)];
            let resource = resources[rng.below(resources_n)].clone();
            if i % 2 == 0 {
                let org = rng.below(orgs_n);
                (SubjectRef::Party(persons[org % persons_n]), resource, action, orgs[org])
            } else {
                let subject = if rng.below(10) == 0 { SubjectRef::SystemUser(system_users[rng.below(system_users_n)]) } else { SubjectRef::Party(persons[rng.below(persons_n)]) };
                (subject, resource, action, orgs[rng.below(orgs_n)])
            }
        })
        .collect();
    let mut latencies = Vec::with_capacity(requests.len());
    let mut permits = 0usize;
    for _ in 0..2 {
        latencies.clear();
        permits = 0;
        for (subject, resource, action, party) in &requests {
            let t = Instant::now();
            let d = decide(&snapshot, &DecisionRequest { subject: *subject, action, resource, party: *party });
            latencies.push(t.elapsed().as_nanos() as u64);
            if d.outcome == Outcome::Permit {
                permits += 1;
            }
            black_box(d);
        }
    }
    latencies.sort_unstable();
    let pct = |p: f64| latencies[((latencies.len() as f64) * p) as usize] as f64 / 1000.0;
    println!(
        "decision latency over {} requests ({} permits): p50 {:.2} µs, p99 {:.2} µs, p99.9 {:.2} µs",
        latencies.len(),
        permits,
        pct(0.5),
        pct(0.99),
        pct(0.999)
    );
    let t = Instant::now();
    let rounds = 5;
    for _ in 0..rounds {
        for (subject, resource, action, party) in &requests {
            black_box(decide(&snapshot, &DecisionRequest { subject: *subject, action, resource, party: *party }));
        }
    }
    let per_sec = (rounds * requests.len()) as f64 / t.elapsed().as_secs_f64();
    println!("throughput on one core: {:.0} decisions/s", per_sec);
}
