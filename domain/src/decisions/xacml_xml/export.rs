//! From the typed policy to XACML 3.0 XML in Altinn's layout.

use super::*;

// ---------------------------------------------------------------------------
// Export.

/// Writes `policy` as a XACML 3.0 policy in Altinn's layout. Strings are
/// escaped; control characters are written as character references so they
/// survive attribute normalisation (U+0000 cannot be written in XML at all).
pub fn to_xml(policy: &Policy) -> String {
    let mut out = Writer::default();
    out.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let policy_id = format!("urn:altinn:resource:{}:policyid:1", policy.resource);
    let combining = policy.combining.urn();
    out.open(0, "Policy", &[("xmlns:xacml", XACML_NS), ("PolicyId", policy_id.as_str()), ("Version", "1.0"), ("RuleCombiningAlgId", combining.as_str())]);
    out.empty(1, "Target", &[]);
    for rule in &policy.rules {
        write_rule(&mut out, rule, &policy.resource);
    }
    if !policy.obligations.is_empty() {
        out.open(1, "ObligationExpressions", &[]);
        for o in &policy.obligations {
            write_obligation(&mut out, o);
        }
        out.close(1, "ObligationExpressions");
    }
    out.close(0, "Policy");
    out.0
}

pub(super) fn write_rule(out: &mut Writer, rule: &Rule, resource: &str) {
    let effect = match rule.effect {
        Effect::Permit => "Permit",
        Effect::Deny => "Deny",
    };
    out.open(1, "Rule", &[("RuleId", rule.id.as_str()), ("Effect", effect)]);
    if !rule.description.is_empty() {
        out.text_element(2, "Description", &[], &rule.description);
    }
    out.open(2, "Target", &[]);
    // An empty alternative admits every subject, exactly as no subject AnyOf does.
    if !rule.subjects.is_empty() && !rule.subjects.iter().any(Vec::is_empty) {
        out.open(3, "AnyOf", &[]);
        for alternative in &rule.subjects {
            out.open(4, "AllOf", &[]);
            for m in alternative {
                let function = if m.ignore_case { STRING_EQUAL_IGNORE_CASE } else { STRING_EQUAL };
                out.match_element(5, function, &m.value, &m.attribute, SUBJECT_CATEGORY);
            }
            out.close(4, "AllOf");
        }
        out.close(3, "AnyOf");
    }
    out.open(3, "AnyOf", &[]);
    out.open(4, "AllOf", &[]);
    match app_parts(resource) {
        Some((org, app)) => {
            out.match_element(5, STRING_EQUAL, org, APP_ORG, RESOURCE_CATEGORY);
            out.match_element(5, STRING_EQUAL, app, APP_NAME, RESOURCE_CATEGORY);
        }
        None => out.match_element(5, STRING_EQUAL, resource, RESOURCE_ID, RESOURCE_CATEGORY),
    }
    out.close(4, "AllOf");
    out.close(3, "AnyOf");
    if !rule.actions.is_empty() {
        out.open(3, "AnyOf", &[]);
        for action in &rule.actions {
            out.open(4, "AllOf", &[]);
            out.match_element(5, STRING_EQUAL, action, ACTION_ID, ACTION_CATEGORY);
            out.close(4, "AllOf");
        }
        out.close(3, "AnyOf");
    }
    out.close(2, "Target");
    out.close(1, "Rule");
}

pub(super) fn write_obligation(out: &mut Writer, o: &Obligation) {
    out.open(2, "ObligationExpression", &[("FulfillOn", "Permit"), ("ObligationId", o.id.as_str())]);
    out.open(3, "AttributeAssignmentExpression", &[("AttributeId", o.attribute_id.as_str()), ("Category", o.category.as_str())]);
    out.text_element(4, "AttributeValue", &[("DataType", o.data_type.as_str())], &o.value);
    out.close(3, "AttributeAssignmentExpression");
    out.close(2, "ObligationExpression");
}

/// A minimal indenting writer for `xacml:`-prefixed elements.
#[derive(Default)]
pub(super) struct Writer(String);

impl Writer {
    pub(super) fn raw(&mut self, s: &str) {
        self.0.push_str(s);
    }

    pub(super) fn start_tag(&mut self, depth: usize, name: &str, attributes: &[(&str, &str)]) {
        for _ in 0..depth {
            self.0.push_str("  ");
        }
        self.0.push_str("<xacml:");
        self.0.push_str(name);
        for (key, value) in attributes {
            self.0.push(' ');
            self.0.push_str(key);
            self.0.push_str("=\"");
            escape_into(&mut self.0, value);
            self.0.push('"');
        }
    }

    pub(super) fn open(&mut self, depth: usize, name: &str, attributes: &[(&str, &str)]) {
        self.start_tag(depth, name, attributes);
        self.0.push_str(">\n");
    }

    pub(super) fn empty(&mut self, depth: usize, name: &str, attributes: &[(&str, &str)]) {
        self.start_tag(depth, name, attributes);
        self.0.push_str("/>\n");
    }

    pub(super) fn close(&mut self, depth: usize, name: &str) {
        for _ in 0..depth {
            self.0.push_str("  ");
        }
        self.0.push_str("</xacml:");
        self.0.push_str(name);
        self.0.push_str(">\n");
    }

    pub(super) fn text_element(&mut self, depth: usize, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.start_tag(depth, name, attributes);
        self.0.push('>');
        escape_into(&mut self.0, text);
        self.0.push_str("</xacml:");
        self.0.push_str(name);
        self.0.push_str(">\n");
    }

    pub(super) fn match_element(&mut self, depth: usize, function: &str, value: &str, attribute: &str, category: &str) {
        self.open(depth, "Match", &[("MatchId", function)]);
        self.text_element(depth + 1, "AttributeValue", &[("DataType", XS_STRING)], value);
        self.empty(
            depth + 1,
            "AttributeDesignator",
            &[("AttributeId", attribute), ("Category", category), ("DataType", XS_STRING), ("MustBePresent", "false")],
        );
        self.close(depth, "Match");
    }
}

/// Escapes markup characters and writes control characters (including tab,
/// newline and carriage return, which parsers would otherwise normalise) as
/// character references.
pub(super) fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push_str(&format!("&#{};", u32::from(c))),
            c => out.push(c),
        }
    }
}
