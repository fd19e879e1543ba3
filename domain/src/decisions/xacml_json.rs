//! The XACML 3.0 JSON profile as Altinn's PDP speaks it: parsing requests
//! (property names case-insensitive, categories as objects or arrays,
//! multi-requests by reference) and writing responses.
//!
//! Parsing never panics and never yields Permit by itself: anything that does
//! not resolve becomes an Indeterminate result with a status code and message.

use super::engine::{decide, decide_explained, Decision, DecisionRequest, Env, Outcome, SubjectRef};
use super::policy::{attr, Obligation};
use super::snapshot::Snapshot;
use crate::role_model::model::Amount;
use serde::Serialize;
use serde_json::{json, Map, Value};

pub const STATUS_OK: &str = "urn:oasis:names:tc:xacml:1.0:status:ok";
pub const STATUS_SYNTAX: &str = "urn:oasis:names:tc:xacml:1.0:status:syntax-error";
pub const STATUS_PROCESSING: &str = "urn:oasis:names:tc:xacml:1.0:status:processing-error";
pub const STATUS_MISSING: &str = "urn:oasis:names:tc:xacml:1.0:status:missing-attribute";

pub const ACTION_ID: &str = "urn:oasis:names:tc:xacml:1.0:action:action-id";
pub const RESOURCE_ID: &str = "urn:altinn:resource";
pub const USER_ID: &str = "urn:altinn:userid";
pub const PARTY_ID: &str = "urn:altinn:partyid";

const SUBJECT_CATEGORY: &str = "urn:oasis:names:tc:xacml:1.0:subject-category:access-subject";
const ACTION_CATEGORY: &str = "urn:oasis:names:tc:xacml:3.0:attribute-category:action";
const RESOURCE_CATEGORY: &str = "urn:oasis:names:tc:xacml:3.0:attribute-category:resource";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub id: String,
    pub value: String,
    pub data_type: Option<String>,
    pub include_in_result: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub category_id: &'static str,
    pub id: Option<String>,
    pub attributes: Vec<Attribute>,
}

/// A request problem, reported as an Indeterminate result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: &'static str,
    pub message: String,
}

impl Problem {
    fn new(status: &'static str, message: impl Into<String>) -> Self {
        Self { status, message: message.into() }
    }
}

/// One individual decision request: one subject, action and resource category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Individual {
    pub subject: Category,
    pub action: Category,
    pub resource: Category,
}

fn get<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
}

fn as_list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn parse_category(v: &Value, category_id: &'static str) -> Result<Category, Problem> {
    let obj = v.as_object().ok_or_else(|| Problem::new(STATUS_SYNTAX, "a category must be a JSON object"))?;
    let mut attributes = Vec::new();
    for a in as_list(get(obj, "Attribute")) {
        let a = a.as_object().ok_or_else(|| Problem::new(STATUS_SYNTAX, "an attribute must be a JSON object"))?;
        let id = get(a, "AttributeId").and_then(Value::as_str).ok_or_else(|| Problem::new(STATUS_SYNTAX, "an attribute has no AttributeId"))?;
        let values: Vec<String> = match get(a, "Value") {
            Some(Value::Array(vs)) => vs.iter().filter_map(scalar).collect(),
            Some(v) => scalar(v).into_iter().collect(),
            None => Vec::new(),
        };
        if values.is_empty() {
            return Err(Problem::new(STATUS_SYNTAX, format!("attribute {id} has no value")));
        }
        for value in values {
            attributes.push(Attribute {
                id: id.to_string(),
                value,
                data_type: get(a, "DataType").and_then(Value::as_str).map(str::to_owned),
                include_in_result: get(a, "IncludeInResult").and_then(Value::as_bool).unwrap_or(false),
            });
        }
    }
    Ok(Category { category_id, id: get(obj, "Id").and_then(scalar), attributes })
}

/// A JSON document in which no object has two members whose names are equal
/// case-insensitively.
///
/// Property names are matched case-insensitively ([`get`]), so `"Value"` and
/// `"value"` in one object would be one property given twice, and which one
/// counts would depend on the order of the map. serde_json's own `Value`
/// silently keeps the last of two equal names. This reads the document into
/// the same `Value` (one pass, one allocation per string as `Value` makes),
/// refusing any duplicate while the object is read.
struct Unambiguous(Value);

/// Up to this many members, a new name is compared with each name before it;
/// beyond, the folded names are kept in a set so a large object stays linear.
const LINEAR_SCAN_MEMBERS: usize = 16;

/// Two property names are the same when equal case-insensitively: ASCII case
/// (how [`get`] matches) and, beyond ASCII, Unicode lower case, so no pair of
/// names that any case-insensitive reading would take as one gets through.
fn same_name(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.chars().flat_map(char::to_lowercase).eq(b.chars().flat_map(char::to_lowercase))
    }
}

/// The form of a name [`same_name`] compares: equal folded names are the same name.
fn folded(name: &str) -> String {
    if name.is_ascii() {
        name.to_ascii_lowercase()
    } else {
        name.chars().flat_map(char::to_lowercase).collect()
    }
}

/// A name as quoted in a message: JSON-escaped, and cut short when long.
fn quoted(name: &str) -> String {
    const MAX_CHARS: usize = 64;
    match name.char_indices().nth(MAX_CHARS) {
        None => format!("{name:?}"),
        Some((end, _)) => format!("{:?}…", &name[..end]),
    }
}

fn duplicate<E: serde::de::Error>(earlier: &str, again: &str) -> E {
    if earlier == again {
        E::custom(format_args!("duplicate key {} in one object", quoted(again)))
    } else {
        E::custom(format_args!("duplicate key {} in one object (also given as {}; names are case-insensitive)", quoted(again), quoted(earlier)))
    }
}

impl<'de> serde::Deserialize<'de> for Unambiguous {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UnambiguousVisitor).map(Unambiguous)
    }
}

struct UnambiguousVisitor;

impl<'de> serde::de::Visitor<'de> for UnambiguousVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        serde::Deserialize::deserialize(deserializer).map(|Unambiguous(v)| v)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Unambiguous(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        // The folded names, once the object has grown past a linear scan.
        let mut names: Option<std::collections::HashSet<String>> = None;
        while let Some(name) = access.next_key::<String>()? {
            match names.as_mut() {
                Some(set) => {
                    if !set.insert(folded(&name)) {
                        let earlier = map.keys().find(|k| same_name(k, &name)).map_or(name.as_str(), String::as_str);
                        return Err(duplicate(earlier, &name));
                    }
                }
                None => {
                    if let Some(earlier) = map.keys().find(|k| same_name(k, &name)) {
                        return Err(duplicate(earlier, &name));
                    }
                    if map.len() + 1 >= LINEAR_SCAN_MEMBERS {
                        names = Some(map.keys().map(|k| folded(k)).chain(std::iter::once(folded(&name))).collect());
                    }
                }
            }
            let Unambiguous(value) = access.next_value()?;
            map.insert(name, value);
        }
        Ok(Value::Object(map))
    }
}

/// Parses a request body into individual requests, in the order results must
/// be given. A body that cannot be read at all is one problem, and so is a
/// body with an object that names one property twice (in any case).
pub fn parse(body: &[u8]) -> Result<Vec<Result<Individual, Problem>>, Problem> {
    let Unambiguous(root) = serde_json::from_slice(body).map_err(|e| match e.classify() {
        // The only data error the reader gives is a duplicate name.
        serde_json::error::Category::Data => Problem::new(STATUS_SYNTAX, format!("the body is ambiguous: {e}")),
        _ => Problem::new(STATUS_SYNTAX, format!("the body is not valid JSON: {e}")),
    })?;
    let root = root.as_object().ok_or_else(|| Problem::new(STATUS_SYNTAX, "the body must be a JSON object"))?;
    let request = get(root, "Request").and_then(Value::as_object).ok_or_else(|| Problem::new(STATUS_SYNTAX, "the body has no Request object"))?;
    let mut subjects = Vec::new();
    let mut actions = Vec::new();
    let mut resources = Vec::new();
    for v in as_list(get(request, "AccessSubject")) {
        subjects.push(parse_category(v, SUBJECT_CATEGORY)?);
    }
    for v in as_list(get(request, "Action")) {
        actions.push(parse_category(v, ACTION_CATEGORY)?);
    }
    for v in as_list(get(request, "Resource")) {
        resources.push(parse_category(v, RESOURCE_CATEGORY)?);
    }
    for v in as_list(get(request, "Category")) {
        let id = v.as_object().and_then(|o| get(o, "CategoryId")).and_then(Value::as_str).unwrap_or_default();
        match id {
            SUBJECT_CATEGORY => subjects.push(parse_category(v, SUBJECT_CATEGORY)?),
            ACTION_CATEGORY => actions.push(parse_category(v, ACTION_CATEGORY)?),
            RESOURCE_CATEGORY => resources.push(parse_category(v, RESOURCE_CATEGORY)?),
            "urn:oasis:names:tc:xacml:3.0:attribute-category:environment" => {}
            other => return Err(Problem::new(STATUS_SYNTAX, format!("unknown category {other:?}"))),
        }
    }
    let references: Vec<Vec<String>> = get(request, "MultiRequests")
        .and_then(Value::as_object)
        .map(|m| {
            as_list(get(m, "RequestReference"))
                .into_iter()
                .map(|r| r.as_object().map(|o| as_list(get(o, "ReferenceId")).into_iter().filter_map(scalar).collect()).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    if references.len() < 2 {
        let one = |list: &[Category], what: &str| -> Result<Category, Problem> {
            match list {
                [c] => Ok(c.clone()),
                [] => Err(Problem::new(STATUS_MISSING, format!("the request has no {what}"))),
                _ => Err(Problem::new(STATUS_PROCESSING, format!("the request has {} {what} categories but no MultiRequests", list.len()))),
            }
        };
        let individual =
            (|| Ok(Individual { subject: one(&subjects, "AccessSubject")?, action: one(&actions, "Action")?, resource: one(&resources, "Resource")? }))();
        return Ok(vec![individual]);
    }
    Ok(references
        .into_iter()
        .map(|ids| {
            let pick = |list: &[Category], what: &str| -> Result<Category, Problem> {
                let found: Vec<&Category> = list.iter().filter(|c| c.id.as_ref().is_some_and(|id| ids.contains(id))).collect();
                match found.as_slice() {
                    [c] => Ok((*c).clone()),
                    [] => Err(Problem::new(STATUS_PROCESSING, format!("reference {ids:?} names no {what}"))),
                    _ => Err(Problem::new(STATUS_PROCESSING, format!("reference {ids:?} names more than one {what}"))),
                }
            };
            Ok(Individual { subject: pick(&subjects, "AccessSubject")?, action: pick(&actions, "Action")?, resource: pick(&resources, "Resource")? })
        })
        .collect())
}

/// The amount an action concerns, for roles with an amount limit; looked for
/// among the resource's and the action's attributes.
pub const AMOUNT_ID: &str = "urn:fullmakt:amount";

/// The engine's question, with identifiers resolved against the snapshot, as of now.
pub fn resolve<'a>(snapshot: &Snapshot, ind: &'a Individual) -> Result<DecisionRequest<'a>, Problem> {
    resolve_at(snapshot, ind, time::OffsetDateTime::now_utc())
}

/// The engine's question for an action happening at `at`.
pub fn resolve_at<'a>(snapshot: &Snapshot, ind: &'a Individual, at: time::OffsetDateTime) -> Result<DecisionRequest<'a>, Problem> {
    let s = &ind.subject.attributes;
    let subject = if let Some(su) = s.iter().find(|a| a.id == attr::SYSTEM_USER) {
        if s.len() != 1 {
            return Err(Problem::new(STATUS_PROCESSING, "urn:altinn:systemuser:uuid must be the only subject attribute"));
        }
        SubjectRef::SystemUser(uuid::Uuid::parse_str(&su.value).map_err(|_| Problem::new(STATUS_PROCESSING, "the system user id is not a UUID"))?)
    } else {
        let ids: Vec<&Attribute> = s
            .iter()
            .filter(|a| [attr::PERSON_ID, attr::ORG_NUMBER, attr::PARTY_UUID, USER_ID, "urn:altinn:organizationnumber"].contains(&a.id.as_str()))
            .collect();
        let a = match ids.as_slice() {
            [a] => *a,
            [] => return Err(Problem::new(STATUS_MISSING, "the subject has no identifier (person, organisation, party uuid or system user)")),
            _ => return Err(Problem::new(STATUS_PROCESSING, "the subject has more than one identifier")),
        };
        let party = match a.id.as_str() {
            attr::PERSON_ID => snapshot.party_by_national_id(&a.value),
            attr::ORG_NUMBER | "urn:altinn:organizationnumber" => snapshot.party_by_org_number(&a.value),
            attr::PARTY_UUID => uuid::Uuid::parse_str(&a.value).ok().and_then(|id| snapshot.party(id)),
            _ => {
                return Err(Problem::new(
                    STATUS_PROCESSING,
                    "urn:altinn:userid is not used by this installation; identify the subject by person or organisation number, or party uuid",
                ))
            }
        };
        SubjectRef::Party(party.ok_or_else(|| Problem::new(STATUS_PROCESSING, format!("unknown subject {}", a.id)))?.id)
    };
    let action =
        ind.action.attributes.iter().find(|a| a.id == ACTION_ID).ok_or_else(|| Problem::new(STATUS_MISSING, format!("the action has no {ACTION_ID}")))?;
    let r = &ind.resource.attributes;
    let resource = r.iter().find(|a| a.id == RESOURCE_ID).ok_or_else(|| Problem::new(STATUS_MISSING, format!("the resource has no {RESOURCE_ID}")))?;
    let party_attrs: Vec<&Attribute> = r.iter().filter(|a| [attr::ORG_NUMBER, attr::PERSON_ID, attr::PARTY_UUID, PARTY_ID].contains(&a.id.as_str())).collect();
    let pa = match party_attrs.as_slice() {
        [a] => *a,
        [] => return Err(Problem::new(STATUS_MISSING, "the resource names no party (organisation number, person identifier, party id or party uuid)")),
        _ => return Err(Problem::new(STATUS_PROCESSING, "the resource names more than one party")),
    };
    let party = match pa.id.as_str() {
        attr::ORG_NUMBER => snapshot.party_by_org_number(&pa.value),
        attr::PERSON_ID => snapshot.party_by_national_id(&pa.value),
        attr::PARTY_UUID => uuid::Uuid::parse_str(&pa.value).ok().and_then(|id| snapshot.party(id)),
        _ => uuid::Uuid::parse_str(&pa.value).ok().and_then(|id| snapshot.party(id)),
    }
    .ok_or_else(|| Problem::new(STATUS_PROCESSING, "unknown party"))?;
    let amount = match r.iter().chain(&ind.action.attributes).find(|a| a.id == AMOUNT_ID) {
        None => None,
        Some(a) => Some(Amount::parse(&a.value).map_err(|e| Problem::new(STATUS_PROCESSING, format!("{AMOUNT_ID}: {e}")))?),
    };
    let env = Env { at, amount };
    Ok(DecisionRequest { subject, action: &action.value, resource: &resource.value, party: party.id, env })
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Permit => "Permit",
        Outcome::Deny => "Deny",
        Outcome::NotApplicable => "NotApplicable",
        Outcome::Indeterminate => "Indeterminate",
    }
}

// The response is written from typed structs rather than built as a
// `serde_json::Value`: a decision API answering tens of thousands of requests
// a second should not allocate a map for every object of every answer.

/// The response document: `{"Response": [...]}`, results in request order.
#[derive(Debug, Serialize)]
pub struct ResponseDoc<'a> {
    #[serde(rename = "Response")]
    pub results: Vec<ResultDoc<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ResultDoc<'a> {
    #[serde(rename = "Decision")]
    pub decision: &'static str,
    #[serde(rename = "Status")]
    pub status: StatusDoc,
    #[serde(rename = "Obligations", skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<ObligationDoc>,
    #[serde(rename = "Category", skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<CategoryDoc<'a>>,
    #[serde(rename = "Explanation", skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Value>,
}

#[derive(Debug, Serialize)]
pub struct StatusDoc {
    #[serde(rename = "StatusCode")]
    pub code: StatusCodeDoc,
    #[serde(rename = "StatusMessage")]
    pub message: Option<std::borrow::Cow<'static, str>>,
}

#[derive(Debug, Serialize)]
pub struct StatusCodeDoc {
    #[serde(rename = "Value")]
    pub value: &'static str,
}

/// An obligation of a Permit (owned: it comes from the decision, which is
/// returned beside the document; obligations are few and rare).
#[derive(Debug, Serialize)]
pub struct ObligationDoc {
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(rename = "AttributeAssignment")]
    pub assignments: [AssignmentDoc; 1],
}

#[derive(Debug, Serialize)]
pub struct AssignmentDoc {
    #[serde(rename = "AttributeId")]
    pub attribute_id: String,
    #[serde(rename = "Value")]
    pub value: String,
    #[serde(rename = "Category")]
    pub category: String,
    #[serde(rename = "DataType")]
    pub data_type: String,
}

#[derive(Debug, Serialize)]
pub struct CategoryDoc<'a> {
    #[serde(rename = "CategoryId")]
    pub category_id: &'static str,
    #[serde(rename = "Id")]
    pub id: Option<&'a str>,
    #[serde(rename = "Attribute")]
    pub attributes: Vec<EchoedDoc<'a>>,
}

#[derive(Debug, Serialize)]
pub struct EchoedDoc<'a> {
    #[serde(rename = "AttributeId")]
    pub attribute_id: &'a str,
    #[serde(rename = "Value")]
    pub value: &'a str,
    #[serde(rename = "DataType")]
    pub data_type: Option<&'a str>,
    #[serde(rename = "IncludeInResult")]
    pub include_in_result: bool,
}

impl<'a> ResultDoc<'a> {
    fn problem(p: &Problem) -> Self {
        Self {
            decision: "Indeterminate",
            status: StatusDoc { code: StatusCodeDoc { value: p.status }, message: Some(p.message.clone().into()) },
            obligations: Vec::new(),
            categories: Vec::new(),
            explanation: None,
        }
    }
}

fn obligation_doc(o: &Obligation) -> ObligationDoc {
    let assignment =
        AssignmentDoc { attribute_id: o.attribute_id.clone(), value: o.value.clone(), category: o.category.clone(), data_type: o.data_type.clone() };
    ObligationDoc { id: o.id.clone(), assignments: [assignment] }
}

/// The categories with attributes marked `IncludeInResult`, echoed back.
fn echoed(ind: &Individual) -> Vec<CategoryDoc<'_>> {
    [&ind.subject, &ind.action, &ind.resource]
        .into_iter()
        .filter_map(|c| {
            let attributes: Vec<EchoedDoc<'_>> = c
                .attributes
                .iter()
                .filter(|a| a.include_in_result)
                .map(|a| EchoedDoc { attribute_id: &a.id, value: &a.value, data_type: a.data_type.as_deref(), include_in_result: true })
                .collect();
            (!attributes.is_empty()).then_some(CategoryDoc { category_id: c.category_id, id: c.id.as_deref(), attributes })
        })
        .collect()
}

/// Decides every individual request and writes the response document.
pub fn evaluate<'a>(snapshot: &'a Snapshot, parsed: &'a [Result<Individual, Problem>], explain: bool) -> (ResponseDoc<'a>, Vec<Option<Decision>>) {
    let mut results = Vec::with_capacity(parsed.len());
    let mut decisions = Vec::with_capacity(parsed.len());
    for item in parsed {
        let (result, decision) = match item {
            Err(p) => (ResultDoc::problem(p), None),
            Ok(ind) => match resolve(snapshot, ind) {
                Err(p) => (ResultDoc::problem(&p), None),
                Ok(req) => {
                    let d = if explain { decide_explained(snapshot, &req) } else { decide(snapshot, &req) };
                    let status = if d.outcome == Outcome::Indeterminate { STATUS_PROCESSING } else { STATUS_OK };
                    let result = ResultDoc {
                        decision: outcome_name(d.outcome),
                        status: StatusDoc { code: StatusCodeDoc { value: status }, message: d.message.clone() },
                        obligations: d.obligations().iter().map(obligation_doc).collect(),
                        categories: echoed(ind),
                        explanation: explain.then(|| json!({"Text": d.explain(snapshot), "Rule": d.rule(), "Because": d.because})),
                    };
                    (result, Some(d))
                }
            },
        };
        results.push(result);
        decisions.push(decision);
    }
    (ResponseDoc { results }, decisions)
}

/// The response to a body that could not be parsed at all.
pub fn problem_response(p: &Problem) -> ResponseDoc<'static> {
    ResponseDoc { results: vec![ResultDoc::problem(p)] }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn property_names_are_case_insensitive_and_categories_may_be_objects() {
        let body = br#"{"request":{"accesssubject":{"attribute":[{"attributeid":"urn:altinn:person:identifier-no","value":"1"}]},
            "ACTION":[{"Attribute":[{"AttributeId":"urn:oasis:names:tc:xacml:1.0:action:action-id","Value":"read"}]}],
            "Resource":[{"Attribute":[{"AttributeId":"urn:altinn:resource","Value":"r"},{"AttributeId":"urn:altinn:organization:identifier-no","Value":"2","IncludeInResult":true}]}]}}"#;
        let parsed = parse(body).unwrap();
        let ind = parsed[0].as_ref().unwrap();
        assert_eq!(ind.subject.attributes[0].value, "1");
        assert_eq!(ind.action.attributes[0].value, "read");
        assert!(ind.resource.attributes[1].include_in_result);
    }

    #[test]
    fn multi_requests_come_back_in_reference_order() {
        let body = br#"{"Request":{
            "AccessSubject":[{"Id":"s1","Attribute":[{"AttributeId":"urn:altinn:person:identifier-no","Value":"1"}]}],
            "Action":[{"Id":"a1","Attribute":[{"AttributeId":"urn:oasis:names:tc:xacml:1.0:action:action-id","Value":"read"}]}],
            "Resource":[{"Id":"r1","Attribute":[{"AttributeId":"urn:altinn:resource","Value":"x"}]},{"Id":"r2","Attribute":[{"AttributeId":"urn:altinn:resource","Value":"y"}]}],
            "MultiRequests":{"RequestReference":[{"ReferenceId":["s1","a1","r2"]},{"ReferenceId":["s1","a1","r1"]},{"ReferenceId":["s1","a1","r9"]}]}}}"#;
        let parsed = parse(body).unwrap();
        assert_eq!(parsed.len(), 3);
        assert_eq!(parsed[0].as_ref().unwrap().resource.attributes[0].value, "y");
        assert_eq!(parsed[1].as_ref().unwrap().resource.attributes[0].value, "x");
        assert_eq!(parsed[2].as_ref().unwrap_err().status, STATUS_PROCESSING);
    }

    #[test]
    fn bad_bodies_are_syntax_errors() {
        for body in [&b"{"[..], b"[]", b"{}", br#"{"Request":{"AccessSubject":[{"Attribute":[{"Value":"x"}]}]}}"#] {
            assert_eq!(parse(body).unwrap_err().status, STATUS_SYNTAX, "{}", String::from_utf8_lossy(body));
        }
        let missing = parse(br#"{"Request":{}}"#).unwrap();
        assert_eq!(missing[0].as_ref().unwrap_err().status, STATUS_MISSING);
    }

    /// A valid single request, with `extra` placed where `{at}` names.
    fn request_with(at: &str, extra: &str) -> String {
        let template = r#"{"Request":{#request#
            "AccessSubject":[{#subject#"Attribute":[{#attribute#"AttributeId":"urn:altinn:person:identifier-no","Value":"1"}]}],
            "Action":[{"Attribute":[{"AttributeId":"urn:oasis:names:tc:xacml:1.0:action:action-id","Value":"read"}]}],
            "Resource":[{"Attribute":[{"AttributeId":"urn:altinn:resource","Value":"r"},{"AttributeId":"urn:altinn:organization:identifier-no","Value":"2"}]}]}#root#}"#;
        let mut body = template.to_string();
        for place in ["request", "subject", "attribute", "root"] {
            body = body.replace(&format!("#{place}#"), if place == at { extra } else { "" });
        }
        body
    }

    fn refused(body: &str) -> Problem {
        match parse(body.as_bytes()) {
            Err(p) => p,
            Ok(parsed) => panic!("accepted {body}: {parsed:?}"),
        }
    }

    #[test]
    fn the_request_template_is_valid() {
        for at in ["request", "subject", "attribute", "root"] {
            let parsed = parse(request_with(at, "").as_bytes()).unwrap();
            assert!(parsed[0].is_ok(), "{at}");
        }
    }

    #[test]
    fn a_property_given_twice_in_any_object_is_a_syntax_error_naming_it() {
        let subject = r#"[{"Attribute":[{"AttributeId":"urn:altinn:person:identifier-no","Value":"14928810047"}]}]"#;
        let cases = [
            // Which value would count: the last, the capitalised one, or the first?
            ("attribute", r#""Value":"2","#, "\"Value\""),
            ("attribute", r#""value":"2","#, "\"Value\""),
            ("attribute", r#""VALUE":"2","#, "\"VALUE\""),
            ("attribute", r#""AttributeId":"urn:altinn:organization:identifier-no","#, "\"AttributeId\""),
            ("attribute", r#""attributeid":"urn:altinn:organization:identifier-no","#, "\"AttributeId\""),
            ("attribute", r#""DataType":"a","datatype":"b","#, "\"datatype\""),
            ("attribute", r#""IncludeInResult":true,"includeInResult":false,"#, "\"includeInResult\""),
            ("subject", r#""Id":"s1","ID":"s2","#, "\"ID\""),
            ("subject", r#""attribute":[],"#, "\"Attribute\""),
            ("request", &format!(r#""AccessSubject":{subject},"#), "\"AccessSubject\""),
            ("request", &format!(r#""accessSubject":{subject},"#), "\"AccessSubject\""),
            ("request", r#""MultiRequests":{"RequestReference":[{"ReferenceId":["a"],"referenceid":["b"]}]},"#, "\"referenceid\""),
            ("request", r#""MultiRequests":{},"multirequests":{},"#, "\"multirequests\""),
            // Objects the parser does not otherwise read are held to the same rule.
            ("request", r#""Bogus":{"a":1,"A":2},"#, "\"A\""),
            ("attribute", r#""Extra":[{"x":{"y":1,"Y":2}}],"#, "\"Y\""),
            ("root", &format!(r#","Request":{{"AccessSubject":{subject}}}"#), "\"Request\""),
            ("root", r#","request":{}"#, "\"Request\""),
            ("root", r#","REQUEST":{}"#, "\"REQUEST\""),
        ];
        for (at, extra, named) in cases {
            let body = request_with(at, extra);
            let p = refused(&body);
            assert_eq!(p.status, STATUS_SYNTAX, "{body}");
            assert!(p.message.contains("duplicate key") && p.message.contains(named), "{body}: {}", p.message);
        }
    }

    #[test]
    fn a_duplicate_names_both_spellings_and_where_it_is() {
        let p = refused(&request_with("attribute", r#""value":"2","#));
        assert!(
            p.message.starts_with(
                "the body is ambiguous: duplicate key \"Value\" in one object (also given as \"value\"; names are case-insensitive) at line 2 column "
            ),
            "{}",
            p.message
        );
        let p = refused(&request_with("attribute", r#""Value":"2","#));
        assert!(p.message.starts_with("the body is ambiguous: duplicate key \"Value\" in one object at line"), "{}", p.message);
        // A long name is cut short in the message.
        let long = "N".repeat(5000);
        let p = refused(&format!(r#"{{"{long}":1,"{}":2}}"#, long.to_lowercase()));
        assert!(p.message.len() < 300, "{}", p.message);
        assert!(p.message.contains(&format!("\"{}\"…", &long.to_lowercase()[..64])), "{}", p.message);
    }

    #[test]
    fn duplicates_are_found_in_large_objects_too() {
        let members: Vec<String> = (0..200).map(|i| format!(r#""k{i}":{i}"#)).collect();
        let large = format!(r#""Large":{{{}}},"#, members.join(","));
        assert!(parse(request_with("request", &large).as_bytes()).unwrap()[0].is_ok(), "distinct names are accepted");
        for (first, second) in [(3, 9), (0, 199), (5, 17), (15, 16), (100, 150)] {
            let mut members = members.clone();
            members[second] = format!(r#""K{first}":0"#);
            let p = refused(&request_with("request", &format!(r#""Large":{{{}}},"#, members.join(","))));
            assert_eq!(p.status, STATUS_SYNTAX);
            assert!(p.message.contains(&format!("duplicate key \"K{first}\" in one object (also given as \"k{first}\"")), "{}", p.message);
        }
    }

    #[test]
    fn names_differing_in_case_beyond_ascii_are_the_same_name() {
        assert!(same_name("Välue", "VÄLUE"));
        assert!(same_name("Kelvin", "\u{212A}elvin"), "the Kelvin sign lower-cases to k");
        assert!(!same_name("Value", "Values"));
        assert!(!same_name("a", "b"));
        assert_eq!(folded("VÄLUE"), folded("välue"));
        let p = refused(&request_with("attribute", r#""Välue":1,"VÄLUE":2,"#));
        assert_eq!(p.status, STATUS_SYNTAX);
        assert!(p.message.contains("duplicate key \"VÄLUE\""), "{}", p.message);
    }

    #[test]
    fn distinct_names_and_values_are_read_as_before() {
        let body =
            br#"{"Request":{"AccessSubject":{"Attribute":[{"AttributeId":"urn:altinn:person:identifier-no","Value":["1",2,true,null,1.5,{"Value":"x"}]}]},
            "Action":{"Attribute":{"AttributeId":"urn:oasis:names:tc:xacml:1.0:action:action-id","Value":"read"}},
            "Resource":{"Attribute":[{"AttributeId":"urn:altinn:resource","Value":"r"}]}},"Other":{"Request":1}}"#;
        let parsed = parse(body).unwrap();
        let values: Vec<&str> = parsed[0].as_ref().unwrap().subject.attributes.iter().map(|a| a.value.as_str()).collect();
        assert_eq!(values, ["1", "2", "true", "1.5"]);
        // Still one document: nothing may follow it, and it must be JSON.
        for bad in [&br#"{"Request":{}} {}"#[..], br#"{"Request":{},}"#, br#"{"Request":{}"#, br#"{"a":1 "b":2}"#] {
            let p = parse(bad).unwrap_err();
            assert_eq!(p.status, STATUS_SYNTAX);
            assert!(p.message.starts_with("the body is not valid JSON"), "{}", p.message);
        }
    }

    proptest! {
        #[test]
        fn a_name_given_twice_in_any_case_is_always_refused(
            name in "(Request|AccessSubject|Action|Resource|Attribute|AttributeId|Value|DataType|IncludeInResult|Id|MultiRequests|x)",
            flips in proptest::collection::vec(any::<bool>(), 16),
            at in "(request|subject|attribute|root)",
        ) {
            let variant: String = name.chars().zip(flips.iter().cycle()).map(|(c, flip)| if *flip { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }).collect();
            let extra = if at == "root" { format!(r#","{name}":1,"{variant}":2"#) } else { format!(r#""{name}":1,"{variant}":2,"#) };
            let p = refused(&request_with(&at, &extra));
            prop_assert_eq!(p.status, STATUS_SYNTAX);
            prop_assert!(p.message.contains("duplicate key"), "{}", p.message);
        }

        #[test]
        fn the_parser_never_panics(s in "\\PC{0,300}") {
            let _ = parse(s.as_bytes());
        }

        #[test]
        fn the_parser_never_panics_on_json_shaped_input(keys in proptest::collection::vec("(Request|AccessSubject|Action|Resource|Attribute|AttributeId|Value|MultiRequests|RequestReference|ReferenceId|Id|x)", 1..8), v in "\\PC{0,10}") {
            let mut value = serde_json::Value::String(v);
            for k in keys.iter().rev() {
                value = if k.len() % 2 == 0 { serde_json::json!([{ k.clone(): value }]) } else { serde_json::json!({ k.clone(): value }) };
            }
            let _ = parse(value.to_string().as_bytes());
        }
    }
}
