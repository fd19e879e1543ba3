//! The XACML 3.0 JSON profile as Altinn's PDP speaks it: parsing requests
//! (property names case-insensitive, categories as objects or arrays,
//! multi-requests by reference) and writing responses.
//!
//! Parsing never panics and never yields Permit by itself: anything that does
//! not resolve becomes an Indeterminate result with a status code and message.

use super::engine::{decide, decide_explained, Decision, DecisionRequest, Env, Outcome, SubjectRef};
use super::policy::{attr, Obligation};
use super::snapshot::Snapshot;
use crate::user_roles::model::Amount;
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

/// Parses a request body into individual requests, in the order results must
/// be given. A body that cannot be read at all is one problem.
pub fn parse(body: &[u8]) -> Result<Vec<Result<Individual, Problem>>, Problem> {
    let root: Value = serde_json::from_slice(body).map_err(|e| Problem::new(STATUS_SYNTAX, format!("the body is not valid JSON: {e}")))?;
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

    proptest! {
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
