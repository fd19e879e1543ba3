//! Import and export against Altinn's reference policies and hand-written documents.

use super::*;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

const APP_POLICY: &str = "AppPolicies/brg/aarsregnskap-vanlig-202406/policy.xml";

/// Altinn's resource-registry policies, copied into the repository
/// (`data/altinn/`, see its README). A missing folder fails the tests
/// rather than skipping them.
fn reference_dir() -> PathBuf {
    let dir = std::env::var_os("FULLMAKT_RESOURCE_REGISTRY_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/altinn/resource-registry"));
    assert!(dir.is_dir(), "Altinn's reference policies are missing at {} (see data/altinn/README.md)", dir.display());
    dir
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/xacml_xml")
}

fn policy_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            policy_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "xacml" || e == "xml") {
            out.push(path);
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn decision(p: &Policy, subject: &[(String, String)], action: &str) -> Option<(Effect, String)> {
    p.evaluate(action, &|m: &Match| subject.iter().any(|(a, v)| m.matches(a, v))).map(|(e, hit)| (e, hit.rule.id.clone()))
}

/// Reads the XML's rule targets literally — AND of AnyOfs, OR of AllOfs,
/// AND of Matches — without the import's factoring, so that comparing it
/// with the imported policy checks that the import decides the same.
fn raw_decision(xml: &str, resource: &str, subject: &[(String, String)], action: &str) -> Option<(Effect, String)> {
    let root = read_tree(xml).unwrap();
    let mut resource_attributes = vec![(RESOURCE_ID, resource)];
    if let Some((org, app)) = app_parts(resource) {
        resource_attributes.extend([(APP_ORG, org), (APP_NAME, app)]);
    }
    let matches = |m: &Element| {
        let (value, designator) = (&m.children[0].text, &m.children[1]);
        let ignore_case = m.attr("MatchId") == Some(STRING_EQUAL_IGNORE_CASE);
        let equal = |v: &str| if ignore_case { v.eq_ignore_ascii_case(value) } else { v == value };
        let id = designator.attr("AttributeId").unwrap();
        match designator.attr("Category").unwrap() {
            SUBJECT_CATEGORY => subject.iter().any(|(a, v)| a == id && equal(v)),
            ACTION_CATEGORY => equal(action),
            _ => resource_attributes.iter().any(|(a, v)| *a == id && equal(v)),
        }
    };
    let target_matches = |el: &Element| {
        assert!(el.children.iter().all(|c| c.name != "Condition"), "the literal reader does not evaluate conditions");
        el.children.iter().filter(|c| c.name == "Target").all(|t| t.children.iter().all(|any| any.children.iter().any(|all| all.children.iter().all(&matches))))
    };
    if !target_matches(&root) {
        return None;
    }
    let applicable: Vec<(Effect, String)> = root
        .children
        .iter()
        .filter(|r| r.name == "Rule" && target_matches(r))
        .map(|r| (if r.attr("Effect") == Some("Permit") { Effect::Permit } else { Effect::Deny }, r.attr("RuleId").unwrap().to_owned()))
        .collect();
    let first = |effect| applicable.iter().find(|(e, _)| *e == effect).cloned();
    match Combining::from_urn(root.attr("RuleCombiningAlgId").unwrap()).unwrap() {
        Combining::FirstApplicable => applicable.first().cloned(),
        Combining::DenyOverrides => first(Effect::Deny).or_else(|| first(Effect::Permit)),
        Combining::PermitOverrides => first(Effect::Permit).or_else(|| first(Effect::Deny)),
        Combining::DenyUnlessPermit => first(Effect::Deny).or_else(|| first(Effect::Permit)).or(Some((Effect::Deny, String::new()))),
        Combining::PermitUnlessDeny => first(Effect::Permit).or_else(|| first(Effect::Deny)).or(Some((Effect::Permit, String::new()))),
    }
}

/// Subjects built from every match in the policy (each alone, with its
/// value upper-cased, all together, none), and its actions plus others.
fn probes(p: &Policy) -> (Vec<Vec<(String, String)>>, Vec<String>) {
    let pairs: Vec<(String, String)> = p.rules.iter().flat_map(|r| r.subjects.iter().flatten()).map(|m| (m.attribute.clone(), m.value.clone())).collect();
    let mut subjects = vec![Vec::new(), pairs.clone(), vec![("urn:altinn:rolecode".into(), "NOBODY".into())]];
    subjects.extend(pairs.iter().map(|pair| vec![pair.clone()]));
    subjects.extend(pairs.iter().map(|(a, v)| vec![(a.clone(), v.to_ascii_uppercase())]));
    let mut actions: Vec<String> = p.rules.iter().flat_map(|r| r.actions.clone()).collect();
    actions.extend(actions.iter().map(|a| a.to_ascii_uppercase()).collect::<Vec<_>>());
    actions.push("sign".into());
    (subjects, actions)
}

/// Export then import gives the same policy, and the model decides every
/// probe as the literal reading of both documents does.
fn assert_faithful(xml: &str, p: &Policy) {
    let exported = to_xml(p);
    assert_eq!(parse_policy(&exported, Some(&p.resource)).as_ref(), Ok(p), "{exported}");
    let (subjects, actions) = probes(p);
    for subject in &subjects {
        for action in &actions {
            let model = decision(p, subject, action);
            for doc in [xml, exported.as_str()] {
                assert_eq!(raw_decision(doc, &p.resource, subject, action), model, "{subject:?} {action} in\n{doc}");
            }
        }
    }
}

fn alternative(attribute: &str, value: &str) -> Vec<Match> {
    vec![Match { attribute: attribute.into(), value: value.into(), ignore_case: true }]
}

#[test]
fn every_reference_policy_imports_or_is_refused_for_a_stated_reason() {
    // (file, resource, subject alternatives, one A2 role, one access package, minimum authentication level)
    let expected = [
        ("Bruno/Altinn.ResourceRegistry/Testdata/Policies/altinn_access_management.xacml", "altinn_access_management", 5, "ADMAI", "tilgangsstyrer", "3"),
        (
            "Bruno/Altinn.ResourceRegistry/Testdata/Policies/altinn_clientadministration.xacml",
            "altinn_client_administration",
            4,
            "KLADM",
            "klientadministrator",
            "3",
        ),
        (
            "Bruno/Altinn.ResourceRegistry/Testdata/Policies/altinn_enduser_access_management.xacml",
            "altinn_enduser_access_management",
            5,
            "BOBEL",
            "hovedadministrator",
            "3",
        ),
        (
            "Bruno/Altinn.ResourceRegistry/Testdata/Policies/altinn_maskinporten_scope_delegation.xacml",
            "altinn_maskinporten_scope_delegation",
            5,
            "APIADM",
            "maskinporten-administrator",
            "3",
        ),
        (
            "Bruno/Altinn.ResourceRegistry/Testdata/Policies/devtest_gar_bruno_client_resource.xacml",
            "devtest_gar_bruno_client_resource",
            6,
            "A0237",
            "regnskapsforer-lonn",
            "3",
        ),
        ("Altinn.ResourceRegistry.Tests/Data/ResourcePolicies/altinn_access_management.xml", "altinn_access_management", 1, "ADMAI", "", "2"),
    ];
    let dir = reference_dir().join("test");
    let mut files = Vec::new();
    policy_files(&dir, &mut files);
    assert_eq!(files.len(), 7, "{files:?}");
    for file in files {
        let name = file.strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
        let xml = read(&file);
        if name.ends_with(APP_POLICY) {
            continue; // refused; see app_policies_are_refused_for_case_insensitive_actions_and_process_tasks
        }
        let (_, resource, alternatives, role, package, level) = expected.iter().find(|e| e.0 == name).unwrap_or_else(|| panic!("unexpected file {name}"));
        let p = parse_policy(&xml, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.resource, *resource, "{name}");
        assert_eq!(p.combining, Combining::DenyOverrides);
        let [rule] = p.rules.as_slice() else { panic!("{name}: one rule expected") };
        assert_eq!(rule.effect, Effect::Permit);
        assert_eq!(rule.actions, ["read", "write"], "{name}");
        assert_eq!(rule.subjects.len(), *alternatives, "{name}");
        assert!(rule.subjects.contains(&alternative("urn:altinn:rolecode", role)), "{name}");
        if !package.is_empty() {
            assert!(rule.subjects.contains(&alternative("urn:altinn:accesspackage", package)), "{name}");
        }
        assert!(!rule.description.is_empty());
        assert_eq!(p.obligations.len(), 1);
        assert_eq!(p.obligations[0].value, *level, "{name}");
        assert_eq!(p.obligations[0].category, "urn:altinn:minimum-authenticationlevel");
        assert_eq!(parse_policy(&xml, Some(resource)), Ok(p.clone()));
        assert_faithful(&xml, &p);
    }
}

#[test]
fn a_reference_policy_decides_as_expected() {
    let dir = reference_dir().join("test/Bruno/Altinn.ResourceRegistry/Testdata/Policies");
    let p = parse_policy(&read(&dir.join("altinn_clientadministration.xacml")), None).unwrap();
    let subject = |a: &str, v: &str| vec![(a.to_string(), v.to_string())];
    assert_eq!(decision(&p, &subject("urn:altinn:rolecode", "kladm"), "write").map(|d| d.0), Some(Effect::Permit));
    assert_eq!(decision(&p, &subject("urn:altinn:accesspackage", "HOVEDADMINISTRATOR"), "read").map(|d| d.0), Some(Effect::Permit));
    assert_eq!(decision(&p, &subject("urn:altinn:rolecode", "DAGL"), "read"), None);
    assert_eq!(decision(&p, &subject("urn:altinn:rolecode", "KLADM"), "sign"), None);
    assert!(matches!(
        parse_policy(&read(&dir.join("altinn_clientadministration.xacml")), Some("altinn_access_management")),
        Err(XmlPolicyError::WrongResource { ref rule, ref found, .. }) if rule == "urn:altinn:resource:altinn_client_administration:ruleid:1" && found == "altinn_client_administration"
    ));
}

/// The app policy cannot be imported as a whole: its rules match actions
/// with string-equal-ignore-case (the engine compares actions exactly), and
/// rule 2 is limited to the process tasks Utfylling/Signering and EndEvent_1
/// (the model has no process state; without them rule 2 would permit read
/// and write in every task). With those two constructs taken out, the rest
/// imports as the resource app_brg_aarsregnskap-vanlig-202406.
#[test]
fn app_policies_are_refused_for_case_insensitive_actions_and_process_tasks() {
    let xml = read(&reference_dir().join("test/Altinn.ResourceRegistry.Tests/Data").join(APP_POLICY));
    let err = parse_policy(&xml, None).unwrap_err();
    assert!(
        matches!(&err, XmlPolicyError::NotRepresentable { path, reason } if path.contains("Rule[urn:altinn:example:ruleid:1]") && reason.contains("case-insensitively")),
        "{err}"
    );

    let exact_actions: String = xml
        .split_inclusive("</xacml:Match>")
        .map(|m| if m.contains("action:action-id") { m.replace(STRING_EQUAL_IGNORE_CASE, STRING_EQUAL) } else { m.to_owned() })
        .collect();
    let err = parse_policy(&exact_actions, None).unwrap_err();
    assert!(
        matches!(&err, XmlPolicyError::UnsupportedAttributeId { path, attribute, .. } if path.contains("ruleid:2") && attribute == "urn:altinn:task"),
        "{err}"
    );

    let start = exact_actions.find("<xacml:Rule RuleId=\"urn:altinn:example:ruleid:2\"").unwrap();
    let end = start + exact_actions[start..].find("</xacml:Rule>").unwrap() + "</xacml:Rule>".len();
    let without_tasks = format!("{}{}", &exact_actions[..start], &exact_actions[end..]);
    let p = parse_policy(&without_tasks, None).unwrap();
    assert_eq!(p.resource, "app_brg_aarsregnskap-vanlig-202406");
    assert_eq!(p.rules.len(), 2);
    assert_eq!(p.rules[0].actions, ["instantiate", "read", "subscribe", "delete"]);
    assert!(p.rules[0].subjects.contains(&alternative("urn:altinn:rolecode", "FFØR")));
    assert!(p.rules[0].subjects.contains(&alternative("urn:altinn:accesspackage", "ansvarlig-revisor")));
    assert_eq!(p.rules[1].subjects, [alternative("urn:altinn:org", "brg")]);
    assert_eq!(
        p.obligations.iter().map(|o| (o.category.as_str(), o.value.as_str())).collect::<Vec<_>>(),
        [("urn:altinn:minimum-authenticationlevel", "3"), ("urn:altinn:minimum-authenticationlevel-org", "3")]
    );
    assert!(to_xml(&p).contains("urn:altinn:org"), "app resources are exported as org + app");
    assert_faithful(&without_tasks, &p);
}

/// `ok_*.xml` must import (and export faithfully), `bad_*.xml` must be
/// refused with the message in their `<!-- expect: … -->` comment.
#[test]
fn the_corpus_parses_as_labelled() {
    let mut count = 0;
    for entry in std::fs::read_dir(corpus_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let xml = read(&path);
        let expect = xml.split("<!-- expect: ").nth(1).and_then(|s| s.split(" -->").next()).unwrap_or_else(|| panic!("{name}: no expect comment"));
        match parse_policy(&xml, None) {
            Ok(p) if name.starts_with("ok_") => {
                if !xml.contains("Condition") {
                    assert_faithful(&xml, &p);
                }
                assert_eq!(parse_policy(&to_xml(&p), Some(&p.resource)), Ok(p));
            }
            Err(e) if name.starts_with("bad_") => assert!(e.to_string().contains(expect), "{name}: {e}"),
            other => panic!("{name}: {other:?}"),
        }
        count += 1;
    }
    assert!(count >= 30, "{count}");
}

fn corpus(name: &str) -> Policy {
    parse_policy(&read(&corpus_dir().join(name)), None).unwrap()
}

#[test]
fn anyofs_multiply_and_cross_products_factor() {
    let p = corpus("ok_subject_product.xml");
    let package = Match { attribute: "urn:altinn:accesspackage".into(), value: "pkg".into(), ignore_case: false };
    let with_package = |role: &str| vec![alternative("urn:altinn:rolecode", role)[0].clone(), package.clone()];
    assert_eq!(p.rules[0].subjects, [with_package("DAGL"), with_package("LEDE")]);
    let p = corpus("ok_cross_product.xml");
    assert_eq!(
        (p.rules[0].subjects.clone(), p.rules[0].actions.clone()),
        (vec![alternative("urn:altinn:rolecode", "DAGL")], vec!["read".into(), "write".into()])
    );
    let p = corpus("ok_policy_target.xml");
    assert_eq!(p.rules[0].subjects, [alternative("urn:altinn:rolecode", "DAGL")]);
}

#[test]
fn conditions_equivalent_to_matches_import() {
    let p = corpus("ok_condition.xml");
    assert_eq!(p.combining, Combining::PermitUnlessDeny);
    let package = |v: &str| Match { attribute: "urn:altinn:accesspackage".into(), value: v.into(), ignore_case: false };
    let priv_role = alternative("urn:altinn:rolecode", "PRIV")[0].clone();
    assert_eq!(p.rules[0].subjects, [vec![priv_role.clone(), package("a")], vec![priv_role, package("b")]]);
    assert_eq!(p.rules[0].actions, ["write"]);
}

#[test]
fn values_keep_entities_references_and_cdata() {
    let p = corpus("ok_entities.xml");
    assert_eq!(p.rules[0].id, "r&<😀\"");
    assert_eq!(p.rules[0].subjects[0][0].value, "a&b<c>é<&>");
    let app = corpus("ok_app_org_app.xml");
    assert_eq!(app.resource, "app_ttd_demo");
}

#[test]
fn size_is_limited_before_parsing() {
    let big = format!("<!--{}-->", " ".repeat(MAX_INPUT_BYTES));
    assert!(matches!(parse_policy(&big, None), Err(XmlPolicyError::TooLarge { .. })));
}

#[test]
fn export_uses_altinns_layout_and_escapes() {
    let p = Policy {
        resource: "r<&>".into(),
        combining: Combining::PermitOverrides,
        rules: vec![Rule {
            id: "id\"'".into(),
            effect: Effect::Deny,
            subjects: vec![alternative("urn:altinn:rolecode", "DAGL")],
            actions: vec!["read".into()],
            description: "a\r\nb".into(),
        }],
        obligations: vec![Obligation::minimum_authentication_level(3)],
    };
    let xml = to_xml(&p);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<xacml:Policy xmlns:xacml=\"urn:oasis:names:tc:xacml:3.0:core:schema:wd-17\" PolicyId=\"urn:altinn:resource:r&lt;&amp;&gt;:policyid:1\" Version=\"1.0\""), "{xml}");
    assert!(xml.contains("RuleId=\"id&quot;&apos;\" Effect=\"Deny\""));
    assert!(xml.contains("<xacml:Description>a&#13;&#10;b</xacml:Description>"));
    assert!(xml.contains(&format!("MatchId=\"{STRING_EQUAL_IGNORE_CASE}\">\n            <xacml:AttributeValue DataType=\"{XS_STRING}\">DAGL<")));
    assert!(xml.contains("FulfillOn=\"Permit\" ObligationId=\"urn:altinn:obligation:authenticationLevel1\""));
    assert_eq!(xml.matches("<xacml:AnyOf>").count(), 3, "subject, resource and action");
    assert_eq!(parse_policy(&xml, Some("r<&>")), Ok(p));
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof!["\\PC{0,10}", "[<>&\"' \t\r\na-zA-Z0-9æøå:_-]{0,10}", "app_[a-z_]{0,6}"]
}

fn a_match() -> impl Strategy<Value = Match> {
    (text(), text(), any::<bool>()).prop_map(|(attribute, value, ignore_case)| Match { attribute, value, ignore_case })
}

fn a_rule() -> impl Strategy<Value = Rule> {
    (text(), any::<bool>(), prop::collection::vec(prop::collection::vec(a_match(), 1..3), 0..3), prop::collection::vec(text(), 0..3), text()).prop_map(
        |(id, permit, subjects, actions, description)| Rule { id, effect: if permit { Effect::Permit } else { Effect::Deny }, subjects, actions, description },
    )
}

fn a_policy() -> impl Strategy<Value = Policy> {
    let combining = prop_oneof![
        Just(Combining::DenyOverrides),
        Just(Combining::PermitOverrides),
        Just(Combining::FirstApplicable),
        Just(Combining::DenyUnlessPermit),
        Just(Combining::PermitUnlessDeny)
    ];
    let obligation = (text(), text(), text(), text(), text()).prop_map(|(id, attribute_id, category, data_type, value)| Obligation {
        id,
        attribute_id,
        category,
        data_type,
        value,
    });
    (text(), combining, prop::collection::vec(a_rule(), 0..4), prop::collection::vec(obligation, 0..3))
        .prop_map(|(resource, combining, rules, obligations)| Policy { resource, combining, rules, obligations })
}

/// Cuts `len` bytes at `at` and puts `insert` there; byte-wise, so it may split characters.
fn mutate(doc: &str, at: usize, len: usize, insert: &str) -> String {
    let bytes = doc.as_bytes();
    let at = at % (bytes.len() + 1);
    let end = (at + len).min(bytes.len());
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(insert.as_bytes());
    out.extend_from_slice(&bytes[end..]);
    String::from_utf8_lossy(&out).into_owned()
}

fn snippet() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("<".to_string()),
        Just("&".to_string()),
        Just("&#0;".to_string()),
        Just("]]>".to_string()),
        Just("<xacml:AnyOf>".to_string()),
        Just("</xacml:AllOf>".to_string()),
        Just("<xacml:Condition/>".to_string()),
        Just("<!DOCTYPE x [<!ENTITY a \"b\">]>".to_string()),
        Just(" Issuer=\"x\"".to_string()),
        Just("<![CDATA[x]]>".to_string()),
        "\\PC{0,8}",
    ]
}

const SEEDS: [&str; 4] = [
    include_str!("../../../tests/corpus/xacml_xml/ok_condition.xml"),
    include_str!("../../../tests/corpus/xacml_xml/ok_cross_product.xml"),
    include_str!("../../../tests/corpus/xacml_xml/ok_obligations.xml"),
    include_str!("../../../tests/corpus/xacml_xml/ok_app_org_app.xml"),
];

proptest! {
    #[test]
    fn export_then_import_gives_the_policy_back(p in a_policy()) {
        let xml = to_xml(&p);
        prop_assert_eq!(parse_policy(&xml, Some(&p.resource)), Ok(p));
    }

    #[test]
    fn an_export_decides_as_its_literal_reading(p in a_policy()) {
        let xml = to_xml(&p);
        let (subjects, actions) = probes(&p);
        for subject in &subjects {
            for action in &actions {
                prop_assert_eq!(raw_decision(&xml, &p.resource, subject, action), decision(&p, subject, action));
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_policy(&String::from_utf8_lossy(&bytes), None);
    }

    /// Mutated documents parse or give an error; whatever parses exports faithfully.
    #[test]
    fn mutated_documents_never_panic(
        seed in prop_oneof![prop::sample::select(SEEDS.to_vec()).prop_map(str::to_owned), a_policy().prop_map(|p| to_xml(&p))],
        edits in prop::collection::vec((any::<usize>(), 0usize..12, snippet()), 1..4),
    ) {
        let doc = edits.iter().fold(seed, |doc, (at, len, insert)| mutate(&doc, *at, *len, insert));
        if let Ok(p) = parse_policy(&doc, None) {
            prop_assert_eq!(parse_policy(&to_xml(&p), Some(&p.resource)), Ok(p));
        }
    }
}
