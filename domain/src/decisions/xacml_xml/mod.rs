//! Import and export of XACML 3.0 XML policies — the subset Altinn's resource
//! registry writes — to and from the typed [`Policy`].
//!
//! Import is faithful or refused. A policy imports only when the typed model
//! decides every request exactly as the XACML document would; anything else is
//! an [`XmlPolicyError`] that names the element path (with the rule id) and
//! the construct. It never drops a constraint to make a document fit.
//!
//! # Mapping
//! * A Target is an AND of AnyOfs, an AnyOf an OR of AllOfs, an AllOf an AND of
//!   Matches. Each AllOf is split into its subject matches, its action (at most
//!   one) and the resource it names. An AnyOf is representable when its AllOfs
//!   form a cross product of subject alternatives and actions (Altinn's layout —
//!   one AnyOf per category — is the trivial case). AnyOfs are combined by
//!   taking the product of subject alternatives and the intersection of
//!   actions.
//! * Resource matches must name the policy's resource, which makes them true
//!   for every request the policy is asked about, so they add no constraint.
//!   `urn:altinn:resource` is the id; `urn:altinn:org` + `urn:altinn:app`
//!   (Altinn app policies) name the resource `app_<org>_<app>`, Altinn's id for
//!   app resources. Narrower resource attributes (`urn:altinn:task`,
//!   `urn:altinn:end-event`, …) are refused: the model has no process state, and
//!   dropping them would widen the rule to every task.
//! * Actions are compared exactly by the engine, so an action matched with
//!   `string-equal-ignore-case` is refused (the app policies do this); subject
//!   matches keep their case rule in [`Match::ignore_case`].
//! * A `<Condition>` is accepted where it is equivalent to extra matches:
//!   `and`/`or` over `any-of(string-equal[-ignore-case], value, designator)` and
//!   `string-is-in(value, designator)`.
//! * A policy-level Target is folded into every rule, except under the
//!   `*-unless-*` algorithms, where a non-matching policy target would give
//!   NotApplicable instead of the algorithm's default.
//! * `MustBePresent="true"`, `Issuer`, obligations on Deny, advice and every
//!   element or attribute not listed here are refused. `PolicyId`, `Version`
//!   and the policy's `Description` are metadata the model does not keep;
//!   attributes in other namespaces (`xsi:…`) carry no XACML meaning and are
//!   skipped.
//!
//! # Safety of the reader
//! DOCTYPE declarations are refused outright (no entity definitions, so no
//! external entities and no entity expansion); only the five predefined entities
//! and character references are resolved. Input is capped at
//! [`MAX_INPUT_BYTES`] and nesting at [`MAX_DEPTH`].
//!
//! Export ([`to_xml`]) writes Altinn's layout: the `xacml:` prefix, one AnyOf
//! each for subject, resource and action, `string-equal-ignore-case` where a
//! subject match ignores case. Importing an export gives the same policy back.

use super::policy::{Combining, Effect, Match, Obligation, Policy, Rule};
use super::xacml_json::{ACTION_ID, RESOURCE_ID};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};

/// The XACML 3.0 core schema namespace.
pub const XACML_NS: &str = "urn:oasis:names:tc:xacml:3.0:core:schema:wd-17";
/// Larger documents are refused before parsing; Altinn's largest app policies are tens of KiB.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;
/// A policy needs about ten levels (a Condition a few more); deeper is refused.
pub const MAX_DEPTH: usize = 16;
/// Caps the product of subject alternatives across AnyOfs.
const MAX_ALTERNATIVES: usize = 10_000;

const STRING_EQUAL: &str = "urn:oasis:names:tc:xacml:1.0:function:string-equal";
const STRING_EQUAL_IGNORE_CASE: &str = "urn:oasis:names:tc:xacml:3.0:function:string-equal-ignore-case";
const STRING_IS_IN: &str = "urn:oasis:names:tc:xacml:1.0:function:string-is-in";
const AND: &str = "urn:oasis:names:tc:xacml:1.0:function:and";
const OR: &str = "urn:oasis:names:tc:xacml:1.0:function:or";
const ANY_OF: [&str; 2] = ["urn:oasis:names:tc:xacml:3.0:function:any-of", "urn:oasis:names:tc:xacml:1.0:function:any-of"];
const SUBJECT_CATEGORY: &str = "urn:oasis:names:tc:xacml:1.0:subject-category:access-subject";
const ACTION_CATEGORY: &str = "urn:oasis:names:tc:xacml:3.0:attribute-category:action";
const RESOURCE_CATEGORY: &str = "urn:oasis:names:tc:xacml:3.0:attribute-category:resource";
const XS_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";
const APP_ORG: &str = "urn:altinn:org";
const APP_NAME: &str = "urn:altinn:app";
const COMBINING_PREFIXES: [&str; 3] = [
    "urn:oasis:names:tc:xacml:3.0:rule-combining-algorithm:",
    "urn:oasis:names:tc:xacml:1.1:rule-combining-algorithm:",
    "urn:oasis:names:tc:xacml:1.0:rule-combining-algorithm:",
];

/// Why a document was not imported. `path` is an element path such as
/// `Policy/Rule[urn:altinn:…:ruleid:1]/Target/AnyOf[2]/AllOf[1]/Match[1]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlPolicyError {
    #[error("the policy is {size} bytes; at most {max} bytes are accepted")]
    TooLarge { size: usize, max: usize },
    #[error("malformed XML near byte {position}: {message}")]
    Malformed { position: u64, message: String },
    #[error("DOCTYPE declarations are refused: a policy needs no DTD, and entity definitions allow external-entity and entity-expansion attacks")]
    Doctype,
    #[error("{path}: elements are nested deeper than {max} levels")]
    TooDeep { path: String, max: usize },
    #[error("the root element is {found}, not a XACML 3.0 Policy")]
    WrongRoot { found: String },
    #[error("{path}: element {element} is not in the XACML 3.0 namespace {XACML_NS}")]
    WrongNamespace { path: String, element: String },
    #[error("{path}: element {element} is not supported here")]
    UnsupportedElement { path: String, element: String },
    #[error("{path}: attribute {attribute} is not supported")]
    UnsupportedAttribute { path: String, attribute: String },
    #[error("{path}: attribute {attribute} is missing")]
    MissingAttribute { path: String, attribute: &'static str },
    #[error("{path}: {attribute}={value:?} is invalid: {reason}")]
    InvalidAttribute { path: String, attribute: &'static str, value: String, reason: &'static str },
    #[error("{path}: unexpected text {text:?}")]
    UnexpectedText { path: String, text: String },
    #[error("{path}: expected {expected}")]
    Structure { path: String, expected: &'static str },
    #[error("{path}: unknown rule-combining algorithm {urn}")]
    UnknownCombining { path: String, urn: String },
    #[error("{path}: function {function} is not supported (only string-equal and string-equal-ignore-case matches, and conditions equivalent to them)")]
    UnsupportedFunction { path: String, function: String },
    #[error("{path}: attribute category {category} is not supported (only access-subject, resource and action)")]
    UnsupportedCategory { path: String, category: String },
    #[error("{path}: data type {data_type} is not supported in matches (only {XS_STRING})")]
    UnsupportedDataType { path: String, data_type: String },
    #[error("{path}: {category} attribute {attribute} is not supported: {why}")]
    UnsupportedAttributeId { path: String, category: &'static str, attribute: String, why: &'static str },
    #[error("rule {rule} targets resource {found}, not {expected}")]
    WrongResource { rule: String, found: String, expected: String },
    #[error("the rules target different resources: {first} and {second}")]
    ConflictingResources { first: String, second: String },
    #[error("no rule names the resource it applies to; give the resource id")]
    NoResource,
    #[error("{path}: cannot be imported without changing decisions: {reason}")]
    NotRepresentable { path: String, reason: String },
}

type Result<T> = std::result::Result<T, XmlPolicyError>;

fn not_representable(path: &str, reason: impl Into<String>) -> XmlPolicyError {
    XmlPolicyError::NotRepresentable { path: path.to_owned(), reason: reason.into() }
}

fn structure(path: &str, expected: &'static str) -> XmlPolicyError {
    XmlPolicyError::Structure { path: path.to_owned(), expected }
}

mod export;
mod import;
mod reader;
#[cfg(test)]
mod tests;

pub use export::to_xml;
pub use import::parse_policy;
use import::*;
use reader::*;
