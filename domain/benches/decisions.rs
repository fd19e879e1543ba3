//! In-process decision benchmark on a generated population (issue 3 figures):
//! 100,000 organisations, 200,000 persons, 10,000 system users, 1,000,000
//! delegations, 2,000 resources × 3 actions. Seeded and reproducible.
//!
//! Prints snapshot build time, resident memory, decision latency p50/p99/p999
//! and single-core decisions per second. Asserts nothing.
//!
//! Run: `cargo bench -p domain --bench decisions` (SEED and SCALE may be set;
//! SCALE=0.1 builds a tenth of the population).

#[path = "population.rs"]
mod population;

use domain::decisions::{decide, DecisionRequest, Env, Outcome, SubjectRef};
use population::{rss_mib, Population, Rng};
use std::hint::black_box;
use std::time::Instant;
use uuid::Uuid;

fn main() {
    let env = Env::now();
    let pop = Population::from_env();
    let rss_before = rss_mib();
    let started = Instant::now();
    let b = pop.builder();
    let snapshot = b.build();
    let build = started.elapsed();
    let rss_after = rss_mib();
    let (parties, facts, policies) = snapshot.counts();
    println!("population: {}", pop.describe());
    println!("snapshot: {parties} parties, {facts} (subject, party) pairs, {policies} policies");
    println!("snapshot build (in memory, from rows): {:.2} s; resident memory {:.0} MiB (+{:.0} MiB)", build.as_secs_f64(), rss_after, rss_after - rss_before);

    // Requests: half for pairs that hold something (mostly Permit or NotApplicable by action), half random.
    let mut rng = Rng(pop.seed ^ 0x5eed);
    let (orgs, persons, system_users, resources) = (&pop.orgs, &pop.persons, &pop.system_users, &pop.resources);
    let (orgs_n, persons_n, system_users_n, resources_n) = (orgs.len(), persons.len(), system_users.len(), resources.len());
    let requests: Vec<(SubjectRef, String, &str, Uuid)> = (0..200_000)
        .map(|i| {
            let action = ["read", "write", "sign"][rng.below(3)];
            let resource = resources[rng.below(resources_n)].clone();
            if i % 2 == 0 {
                let org = rng.below(orgs_n);
                (SubjectRef::Party(persons[org % persons_n]), resource, action, orgs[org])
            } else {
                let subject = if rng.below(10) == 0 {
                    SubjectRef::SystemUser(system_users[rng.below(system_users_n)].0)
                } else {
                    SubjectRef::Party(persons[rng.below(persons_n)])
                };
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
            let d = decide(&snapshot, &DecisionRequest { subject: *subject, action, resource, party: *party, env });
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
            black_box(decide(&snapshot, &DecisionRequest { subject: *subject, action, resource, party: *party, env }));
        }
    }
    let per_sec = (rounds * requests.len()) as f64 / t.elapsed().as_secs_f64();
    println!("throughput on one core: {:.0} decisions/s", per_sec);
}
