//! Scenario tests of the engine on hand-built snapshots.
// Amounts are in øre, written kroner_øre (100_000_00 is 100,000 kroner).
#![allow(clippy::inconsistent_digit_grouping)]

use super::policy::{attr, Combining, Effect, Match, Obligation, Policy, Rule};
use super::snapshot::{Reason, RolePackageRule, Snapshot, SnapshotBuilder};
use super::{decide, decide_explained, DecisionRequest, Env, Outcome, SubjectRef};
use uuid::Uuid;

struct World {
    snapshot: Snapshot,
    bakery: Uuid,
    brl: Uuid,
    other_client: Uuid,
    firm: Uuid,
    ola: Uuid,
    bjorn: Uuid,
    manager: Uuid,
    grantee: Uuid,
    branch: Uuid,
}

fn world() -> World {
    let mut b = SnapshotBuilder::new(7);
    let bakery = b.organisation("Bakeri Hansen AS", "310400009", "AS", None);
    let branch = b.organisation("Bakeri Hansen avd. Sentrum", "310410003", "BEDR", Some(bakery));
    let brl = b.organisation("Fjordutsikt Borettslag", "310500003", "BRL", None);
    let other_client = b.organisation("Kystfisk AS", "310600008", "AS", None);
    let firm = b.organisation("Tall og Tro Regnskap AS", "310100005", "AS", None);
    let manager = b.organisation("Boligforvaltning Vest AS", "310300004", "AS", None);
    let ola = b.person("Ola Tallesen", "03908110020");
    let bjorn = b.person("Bjørn Hansen", "14928810047");
    let grantee = b.person("Gunn Gjest", "11839110083");
    b.role("daglig-leder", true);
    b.role("regnskapsforer", false);
    b.role("forretningsforer", false);
    b.role_package("daglig-leder", RolePackageRule { package: "merverdiavgift".into(), org_form: None, has_access: true });
    b.role_package("regnskapsforer", RolePackageRule { package: "regnskapsforer-med-signeringsrettighet".into(), org_form: None, has_access: true });
    b.role_package("forretningsforer", RolePackageRule { package: "forretningsforer-eiendom".into(), org_form: Some("BRL".into()), has_access: true });
    b.register_role(bjorn, bakery, "DAGL", "daglig-leder");
    b.register_role(ola, firm, "DAGL", "daglig-leder");
    b.register_role(firm, bakery, "REGN", "regnskapsforer");
    b.register_role(manager, brl, "FFØR", "forretningsforer");
    b.register_role(manager, bakery, "FFØR", "forretningsforer"); // not a BRL: gives nothing
    b.granted_package(grantee, bakery, "merverdiavgift", Uuid::now_v7(), Some(bjorn));
    b.granted_right(grantee, other_client, "mva-melding", "read", Uuid::now_v7(), None);
    b.policy(Policy {
        resource: "mva-melding".into(),
        combining: Combining::DenyOverrides,
        rules: vec![
            Rule::permit_package("vat", "merverdiavgift", &["read", "write"]),
            Rule::permit_package("acct", "regnskapsforer-med-signeringsrettighet", &["read", "write", "sign"]),
        ],
        obligations: vec![Obligation::minimum_authentication_level(3)],
    });
    b.policy(Policy {
        resource: "boligsameie".into(),
        combining: Combining::DenyOverrides,
        rules: vec![Rule::permit_package("ffor", "forretningsforer-eiendom", &["read"])],
        obligations: vec![],
    });
    World { snapshot: b.build(), bakery, brl, other_client, firm, ola, bjorn, manager, grantee, branch }
}

fn ask(w: &World, subject: Uuid, action: &str, resource: &str, party: Uuid) -> super::Decision {
    decide_explained(&w.snapshot, &DecisionRequest { subject: SubjectRef::Party(subject), action, resource, party, env: Env::now() })
}

#[test]
fn a_general_manager_is_permitted_by_the_package_the_role_gives() {
    let w = world();
    let d = ask(&w, w.bjorn, "write", "mva-melding", w.bakery);
    assert_eq!(d.outcome, Outcome::Permit);
    assert_eq!(d.rule(), Some("vat"));
    assert_eq!(d.because[0].reasons, vec![Reason::RolePackage { role: "DAGL".into() }]);
    assert_eq!(d.obligations()[0].value, "3");
    assert!(d.explain(&w.snapshot).contains("merverdiavgift ← register role DAGL"), "{}", d.explain(&w.snapshot));
    assert_eq!(ask(&w, w.bjorn, "sign", "mva-melding", w.bakery).outcome, Outcome::NotApplicable);
}

#[test]
fn an_accountant_is_permitted_for_the_client_only() {
    let w = world();
    assert_eq!(ask(&w, w.firm, "sign", "mva-melding", w.bakery).outcome, Outcome::Permit);
    let other = ask(&w, w.firm, "sign", "mva-melding", w.other_client);
    assert_eq!(other.outcome, Outcome::NotApplicable);
    assert!(other.message.unwrap().contains("holds nothing"));
    let fast =
        decide(&w.snapshot, &DecisionRequest { subject: SubjectRef::Party(w.firm), action: "sign", resource: "mva-melding", party: w.bakery, env: Env::now() });
    assert_eq!(fast.outcome, Outcome::Permit);
    assert!(fast.because.is_empty(), "no explanation unless asked for");
}

#[test]
fn the_key_role_holder_of_the_firm_inherits_the_client_packages() {
    let w = world();
    let d = ask(&w, w.ola, "sign", "mva-melding", w.bakery);
    assert_eq!(d.outcome, Outcome::Permit);
    assert_eq!(
        d.because[0].reasons,
        vec![Reason::KeyRole { role: "DAGL".into(), organisation: w.firm, inner: Box::new(Reason::RolePackage { role: "REGN".into() }) }]
    );
    let text = d.explain(&w.snapshot);
    assert!(text.contains("held by Tall og Tro Regnskap AS, where the subject has key role DAGL"), "{text}");
}

#[test]
fn a_business_manager_package_needs_a_housing_cooperative() {
    let w = world();
    assert_eq!(ask(&w, w.manager, "read", "boligsameie", w.brl).outcome, Outcome::Permit);
    assert_eq!(ask(&w, w.manager, "read", "boligsameie", w.bakery).outcome, Outcome::NotApplicable);
}

#[test]
fn grants_permit_and_single_rights_fall_back() {
    let w = world();
    let d = ask(&w, w.grantee, "read", "mva-melding", w.bakery);
    assert_eq!(d.outcome, Outcome::Permit);
    assert!(matches!(d.because[0].reasons[0], Reason::Grant { granted_by: Some(by), .. } if by == w.bjorn));
    assert!(d.explain(&w.snapshot).contains("direct grant by Bjørn Hansen"));
    let right = ask(&w, w.grantee, "read", "mva-melding", w.other_client);
    assert_eq!(right.outcome, Outcome::Permit);
    assert_eq!(right.because[0].attribute, "right");
    assert_eq!(ask(&w, w.grantee, "write", "mva-melding", w.other_client).outcome, Outcome::NotApplicable);
}

#[test]
fn a_main_unit_role_reaches_the_sub_unit() {
    let w = world();
    let d = ask(&w, w.bjorn, "read", "mva-melding", w.branch);
    assert_eq!(d.outcome, Outcome::Permit);
    assert!(matches!(&d.because[0].reasons[0], Reason::MainUnit { main_unit, .. } if *main_unit == w.bakery));
}

#[test]
fn unknown_things_are_indeterminate_never_permit() {
    let w = world();
    assert_eq!(ask(&w, w.bjorn, "read", "no-such-resource", w.bakery).outcome, Outcome::Indeterminate);
    assert_eq!(ask(&w, w.bjorn, "read", "mva-melding", Uuid::now_v7()).outcome, Outcome::Indeterminate);
    assert_eq!(ask(&w, Uuid::now_v7(), "read", "mva-melding", w.bakery).outcome, Outcome::Indeterminate);
    let su = decide(
        &w.snapshot,
        &DecisionRequest { subject: SubjectRef::SystemUser(Uuid::now_v7()), action: "read", resource: "mva-melding", party: w.bakery, env: Env::now() },
    );
    assert_eq!(su.outcome, Outcome::Indeterminate);
}

#[test]
fn authorized_parties_lists_every_party_the_subject_holds_something_for() {
    let w = world();
    let mut expected = vec![w.firm, w.bakery, w.branch];
    expected.sort();
    assert_eq!(w.snapshot.parties_of(w.ola), expected.as_slice());
    assert_eq!(w.snapshot.version, 7);
}

#[test]
fn who_has_access_lists_holders_with_reasons_and_revocable_grants() {
    let w = world();
    let holders = crate::grants::service::holders(&w.snapshot, crate::parties::PartyId(w.bakery));
    let names: Vec<&str> = holders.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["Bjørn Hansen", "Boligforvaltning Vest AS", "Gunn Gjest", "Ola Tallesen", "Tall og Tro Regnskap AS"]);
    let gunn = &holders[2];
    assert_eq!(gunn.items[0].what, "package:merverdiavgift");
    assert!(gunn.items[0].grant.is_some());
    assert!(matches!(gunn.items[0].why[..], [Reason::Grant { granted_by: Some(by), .. }] if by == w.bjorn));
    let bjorn = &holders[0];
    assert!(bjorn.items.iter().all(|i| i.grant.is_none()), "role-given access is not revocable here");
}

/// The FOBS role model in the engine: a hospital with doctors, and a finance
/// department whose payment roles are limited and kept apart.
mod user_roles {
    use super::*;
    use crate::decisions::snapshot::{AssignmentRow, UserRoleFacts};
    use crate::user_roles::model::{AccessRules, Amount, SodRule, TimeWindow};
    use time::macros::datetime;

    struct Hospital {
        snapshot: Snapshot,
        hospital: Uuid,
        other_hospital: Uuid,
        nurse: Uuid,
        doctor: Uuid,
        clerk: Uuid,
    }

    fn role(code: &str, packages: &[&str], rights: &[(&str, &str)], rules: AccessRules) -> UserRoleFacts {
        UserRoleFacts {
            code: code.into(),
            packages: packages.iter().map(|p| p.to_string()).collect(),
            rights: rights.iter().map(|(r, a)| (r.to_string(), a.to_string())).collect(),
            rules,
        }
    }

    fn hospital() -> Hospital {
        let mut b = SnapshotBuilder::new(1);
        let hospital = b.organisation("Fjord sykehus HF", "310800007", "ORGL", None);
        let other_hospital = b.organisation("Vik sykehus HF", "310900001", "ORGL", None);
        let nurse = b.person("Nina Sykepleier", "13897049727");
        let doctor = b.person("Lars Lege", "17867198345");
        let clerk = b.person("Kari Kasserer", "24826498143");
        let [employee, physician, hospital_doctor, payer, approver] = [1u128, 2, 3, 4, 5].map(Uuid::from_u128);
        b.user_role(employee, role("employee", &[], &[("intranet", "read")], AccessRules::default()), vec![]);
        b.user_role(physician, role("doctor", &[], &[("journal", "read")], AccessRules::default()), vec![employee]);
        b.user_role(hospital_doctor, role("hospital-doctor", &[], &[("prescription", "write")], AccessRules::default()), vec![physician]);
        b.user_role(payer, role("payer", &[], &[("payment", "pay")], AccessRules { max_amount: Some(Amount(100_000_00)), time_window: None }), vec![]);
        let first_days = AccessRules { max_amount: None, time_window: Some(TimeWindow::FirstWorkingDaysOfMonth { days: 5 }) };
        b.user_role(approver, role("approver", &[], &[("payment", "approve")], first_days), vec![]);
        b.sod_rule(SodRule { id: Uuid::from_u128(9), role_a: payer, role_b: approver });
        let assign = |b: &mut SnapshotBuilder, n: u128, role: Uuid, subject: Uuid, parties: Vec<Uuid>| {
            b.assignment(AssignmentRow { id: Uuid::from_u128(100 + n), role, subject, parties, assigned_by: None })
        };
        assign(&mut b, 1, hospital_doctor, doctor, vec![hospital]);
        assign(&mut b, 2, physician, nurse, vec![other_hospital]);
        assign(&mut b, 3, payer, clerk, vec![hospital]);
        assign(&mut b, 4, approver, clerk, vec![other_hospital]);
        assign(&mut b, 5, payer, doctor, vec![other_hospital]);
        assign(&mut b, 6, approver, doctor, vec![other_hospital]);
        for resource in ["intranet", "journal", "prescription", "payment"] {
            b.policy(Policy { resource: resource.into(), combining: Combining::DenyOverrides, rules: vec![], obligations: vec![] });
        }
        Hospital { snapshot: b.build(), hospital, other_hospital, nurse, doctor, clerk }
    }

    fn ask_with(h: &Hospital, subject: Uuid, action: &str, resource: &str, party: Uuid, env: Env) -> super::super::Decision {
        decide_explained(&h.snapshot, &DecisionRequest { subject: SubjectRef::Party(subject), action, resource, party, env })
    }

    fn on_a_monday() -> Env {
        Env::at(datetime!(2026-11-02 10:00 UTC))
    }

    #[test]
    fn an_assigned_role_gives_its_rights_and_those_it_inherits() {
        let h = hospital();
        for (resource, action) in [("prescription", "write"), ("journal", "read"), ("intranet", "read")] {
            let d = ask_with(&h, h.doctor, action, resource, h.hospital, on_a_monday());
            assert_eq!(d.outcome, Outcome::Permit, "{resource}:{action}");
        }
        let d = ask_with(&h, h.doctor, "read", "intranet", h.hospital, on_a_monday());
        assert_eq!(d.explain(&h.snapshot), "Permit; right = intranet:read ← user role employee, inherited through hospital-doctor");
    }

    #[test]
    fn an_assignment_counts_only_for_the_parties_it_is_restricted_to() {
        let h = hospital();
        // The nurse is a doctor at the other hospital only, and not a hospital doctor anywhere.
        assert_eq!(ask_with(&h, h.nurse, "read", "journal", h.other_hospital, on_a_monday()).outcome, Outcome::Permit);
        assert_eq!(ask_with(&h, h.nurse, "read", "journal", h.hospital, on_a_monday()).outcome, Outcome::NotApplicable);
        assert_eq!(ask_with(&h, h.nurse, "write", "prescription", h.other_hospital, on_a_monday()).outcome, Outcome::NotApplicable);
    }

    #[test]
    fn an_amount_limit_compares_with_the_request() {
        let h = hospital();
        let env = |amount| Env { amount, ..on_a_monday() };
        assert_eq!(ask_with(&h, h.clerk, "pay", "payment", h.hospital, env(Some(Amount(99_999_00)))).outcome, Outcome::Permit);
        let over = ask_with(&h, h.clerk, "pay", "payment", h.hospital, env(Some(Amount(100_000_01))));
        assert_eq!(over.outcome, Outcome::Deny);
        assert_eq!(over.message.as_deref(), Some("the role allows amounts up to 100\u{a0}000,00, the request asks 100\u{a0}000,01"));
        let missing = ask_with(&h, h.clerk, "pay", "payment", h.hospital, env(None));
        assert_eq!(missing.outcome, Outcome::Deny);
        assert!(missing.message.unwrap().contains("gives no amount"));
    }

    #[test]
    fn a_time_window_limits_when_a_right_may_be_used() {
        let h = hospital();
        let at = |t| Env::at(t);
        assert_eq!(ask_with(&h, h.clerk, "approve", "payment", h.other_hospital, at(datetime!(2026-11-06 10:00 UTC))).outcome, Outcome::Permit);
        let late = ask_with(&h, h.clerk, "approve", "payment", h.other_hospital, at(datetime!(2026-11-09 10:00 UTC)));
        assert_eq!(late.outcome, Outcome::Deny);
        assert_eq!(late.message.as_deref(), Some("the role may be used only on the first 5 working days of a month"));
    }

    #[test]
    fn conflicting_roles_for_one_party_give_nothing_and_say_why() {
        let h = hospital();
        // The clerk holds payer and approver, but for different hospitals: no conflict.
        assert_eq!(ask_with(&h, h.clerk, "pay", "payment", h.hospital, Env { amount: Some(Amount(1)), ..on_a_monday() }).outcome, Outcome::Permit);
        // The doctor holds both for the other hospital: neither counts.
        let d = ask_with(&h, h.doctor, "approve", "payment", h.other_hospital, on_a_monday());
        assert_eq!(d.outcome, Outcome::Deny);
        assert!(d.message.unwrap().contains("segregation of duties: the roles payer and approver"));
        let facts = h.snapshot.facts(h.doctor, h.other_hospital).unwrap();
        assert_eq!(facts.conflicts.len(), 1);
        assert!(facts.rights.is_empty());
    }

    #[test]
    fn role_codes_from_assignments_match_policies_that_name_them() {
        let mut b = SnapshotBuilder::new(1);
        let hospital = b.organisation("Fjord sykehus HF", "310800007", "ORGL", None);
        let doctor = b.person("Lars Lege", "17867198345");
        b.user_role(Uuid::from_u128(1), role("hospital-doctor", &["helsetjenester"], &[], AccessRules::default()), vec![]);
        b.assignment(AssignmentRow { id: Uuid::from_u128(2), role: Uuid::from_u128(1), subject: doctor, parties: vec![hospital], assigned_by: None });
        let rule = Rule {
            id: "doctors".into(),
            effect: Effect::Permit,
            subjects: vec![vec![Match { attribute: attr::ROLE_CODE.into(), value: "hospital-doctor".into(), ignore_case: false }]],
            actions: vec!["prescribe".into()],
            description: String::new(),
        };
        b.policy(Policy {
            resource: "e-resept".into(),
            combining: Combining::DenyOverrides,
            rules: vec![rule, Rule::permit_package("pkg", "helsetjenester", &["read"])],
            obligations: vec![],
        });
        let s = b.build();
        let ask = |action| {
            decide(&s, &DecisionRequest { subject: SubjectRef::Party(doctor), action, resource: "e-resept", party: hospital, env: Env::now() }).outcome
        };
        assert_eq!(ask("prescribe"), Outcome::Permit);
        assert_eq!(ask("read"), Outcome::Permit, "the package the role bundles");
        assert!(matches!(&s.facts(doctor, hospital).unwrap().roles[0].1, Reason::UserRole { source, .. } if source.assignment == Uuid::from_u128(2)));
    }

    #[test]
    fn a_reason_stays_small() {
        // A million facts each carry one; the user-role details live out of line.
        assert!(std::mem::size_of::<Reason>() <= 48, "{}", std::mem::size_of::<Reason>());
    }

    #[test]
    fn the_snapshot_knows_when_it_goes_stale() {
        let mut b = SnapshotBuilder::new(1);
        b.boundary(datetime!(2026-12-01 00:00 UTC));
        b.boundary(datetime!(2026-11-30 00:00 UTC));
        let s = b.build();
        assert_eq!(s.next_boundary, Some(datetime!(2026-11-30 00:00 UTC)));
        assert!(!s.is_stale_at(datetime!(2026-11-29 23:59 UTC)));
        assert!(s.is_stale_at(datetime!(2026-11-30 00:00 UTC)));
    }
}
