//! Scenario tests of the engine on hand-built snapshots.

use super::policy::{attr, Combining, Effect, Match, Obligation, Policy, Rule};
use super::snapshot::{PartyInfo, Reason, RolePackageRule, Snapshot, SnapshotBuilder};
use super::{decide, decide_explained, DecisionRequest, Outcome, SubjectRef};
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

fn org(b: &mut SnapshotBuilder, name: &str, number: &str, form: &str, parent: Option<Uuid>) -> Uuid {
    let id = Uuid::now_v7();
    b.party(PartyInfo { id, name: name.into(), org_number: Some(number.into()), national_id: None, org_form: Some(form.into()), parent });
    id
}

fn person(b: &mut SnapshotBuilder, name: &str, nin: &str) -> Uuid {
    let id = Uuid::now_v7();
    b.party(PartyInfo { id, name: name.into(), org_number: None, national_id: Some(nin.into()), org_form: None, parent: None });
    id
}

fn package_rule(id: &str, package: &str, actions: &[&str]) -> Rule {
    Rule {
        id: id.into(),
        effect: Effect::Permit,
        subjects: vec![vec![Match { attribute: attr::ACCESS_PACKAGE.into(), value: package.into(), ignore_case: true }]],
        actions: actions.iter().map(|a| a.to_string()).collect(),
        description: String::new(),
    }
}

fn world() -> World {
    let mut b = SnapshotBuilder::new(7);
    let bakery = org(&mut b, "Bakeri Hansen AS", "310400009", "AS", None);
    let branch = org(&mut b, "Bakeri Hansen avd. Sentrum", "310410003", "BEDR", Some(bakery));
    let brl = org(&mut b, "Fjordutsikt Borettslag", "310500003", "BRL", None);
    let other_client = org(&mut b, "Kystfisk AS", "310600008", "AS", None);
    let firm = org(&mut b, "Tall og Tro Regnskap AS", "310100005", "AS", None);
    let manager = org(&mut b, "Boligforvaltning Vest AS", "310300004", "AS", None);
    let ola = person(&mut b, "Ola Tallesen", "03908110020");
    let bjorn = person(&mut b, "Bjørn Hansen", "14928810047");
    let grantee = person(&mut b, "Gunn Gjest", "11839110083");
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
        rules: vec![package_rule("vat", "merverdiavgift", &["read", "write"]), package_rule("acct", "regnskapsforer-med-signeringsrettighet", &["read", "write", "sign"])],
        obligations: vec![Obligation::minimum_authentication_level(3)],
    });
    b.policy(Policy {
        resource: "boligsameie".into(),
        combining: Combining::DenyOverrides,
        rules: vec![package_rule("ffor", "forretningsforer-eiendom", &["read"])],
        obligations: vec![],
    });
    World { snapshot: b.build(), bakery, brl, other_client, firm, ola, bjorn, manager, grantee, branch }
}

fn ask(w: &World, subject: Uuid, action: &str, resource: &str, party: Uuid) -> super::Decision {
    decide_explained(&w.snapshot, &DecisionRequest { subject: SubjectRef::Party(subject), action, resource, party })
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
    let fast = decide(&w.snapshot, &DecisionRequest { subject: SubjectRef::Party(w.firm), action: "sign", resource: "mva-melding", party: w.bakery });
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
    let su = decide(&w.snapshot, &DecisionRequest { subject: SubjectRef::SystemUser(Uuid::now_v7()), action: "read", resource: "mva-melding", party: w.bakery });
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
    let holders = crate::grants::who_has_access(&w.snapshot, crate::parties::PartyId(w.bakery));
    let names: Vec<&str> = holders.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["Bjørn Hansen", "Boligforvaltning Vest AS", "Gunn Gjest", "Ola Tallesen", "Tall og Tro Regnskap AS"]);
    let gunn = &holders[2];
    assert_eq!(gunn.items[0].what, "package:merverdiavgift");
    assert!(gunn.items[0].grant.is_some());
    assert!(matches!(gunn.items[0].why[..], [Reason::Grant { granted_by: Some(by), .. }] if by == w.bjorn));
    let bjorn = &holders[0];
    assert!(bjorn.items.iter().all(|i| i.grant.is_none()), "role-given access is not revocable here");
}
