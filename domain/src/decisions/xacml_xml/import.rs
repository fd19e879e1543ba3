//! From the element tree to the typed policy: targets, conditions and obligations, faithful or refused.

use super::*;

/// One Match (or equivalent condition term), classified by category.
#[derive(Debug, Clone)]
pub(super) enum Term {
    Subject(Match),
    Action(String),
    ResourceId(String),
    AppOrg(String),
    AppName(String),
}

/// One AllOf, split by category. `subject` empty means no subject constraint,
/// `action` `None` any action, `resource` `None` no resource named.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Conjunct {
    pub(super) subject: Vec<Match>,
    pub(super) action: Option<String>,
    pub(super) resource: Option<String>,
}

/// What a target (or a part of it) requires, in the model's terms. `None` means
/// unconstrained.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Constraint {
    pub(super) subjects: Option<Vec<Vec<Match>>>,
    pub(super) actions: Option<Vec<String>>,
}

/// A target reduced to its constraint, plus every resource it named (each must
/// be the policy's resource, checked once that is known).
#[derive(Debug, Default)]
pub(super) struct Target {
    pub(super) constraint: Constraint,
    pub(super) resources: Vec<String>,
}

pub(super) struct ParsedRule {
    pub(super) id: String,
    pub(super) effect: Effect,
    pub(super) description: String,
    pub(super) target: Target,
    pub(super) path: String,
}

/// Imports a XACML 3.0 `<Policy>`. With `resource_id`, every resource the
/// rules name must be that one; without, the rules must agree on one.
pub fn parse_policy(xml: &str, resource_id: Option<&str>) -> Result<Policy> {
    let root = read_tree(xml)?;
    if root.name != "Policy" {
        return Err(XmlPolicyError::WrongRoot { found: root.name });
    }
    let path = "Policy";
    let children = root.container(path, &["PolicyId", "Version", "RuleCombiningAlgId"])?;
    root.require(path, "PolicyId")?;
    let combining = parse_combining(root.require(path, "RuleCombiningAlgId")?, path)?;
    let mut target = None;
    let mut rules = Vec::new();
    let mut obligations = None;
    for child in children {
        match child.name.as_str() {
            "Description" => {
                child.leaf_text(&format!("{path}/Description"))?;
            }
            "Target" if target.is_none() => target = Some(parse_target(child, &format!("{path}/Target"))?),
            "Rule" => rules.push(parse_rule(child, path)?),
            "ObligationExpressions" if obligations.is_none() => obligations = Some(parse_obligations(child, &format!("{path}/ObligationExpressions"))?),
            other => return Err(XmlPolicyError::UnsupportedElement { path: path.into(), element: other.into() }),
        }
    }
    let target = target.ok_or_else(|| structure(path, "a Target element (empty for none)"))?;
    let resource = policy_resource(resource_id, &target, &rules)?;
    let rules = fold_policy_target(target.constraint, combining, rules)?;
    Ok(Policy { resource, combining, rules, obligations: obligations.unwrap_or_default() })
}

pub(super) fn parse_combining(urn: &str, path: &str) -> Result<Combining> {
    let known_prefix = COMBINING_PREFIXES.iter().any(|p| urn.strip_prefix(p).is_some_and(|name| !name.contains(':')));
    known_prefix.then(|| Combining::from_urn(urn)).flatten().ok_or_else(|| XmlPolicyError::UnknownCombining { path: path.into(), urn: urn.into() })
}

/// The policy's resource: the given one, which every named resource must
/// equal, or else the one all rules name.
pub(super) fn policy_resource(given: Option<&str>, target: &Target, rules: &[ParsedRule]) -> Result<String> {
    let named = target
        .resources
        .iter()
        .map(|r| ("the policy target", r))
        .chain(rules.iter().flat_map(|rule| rule.target.resources.iter().map(move |r| (rule.id.as_str(), r))));
    let mut chosen = given.map(str::to_owned);
    for (who, resource) in named {
        match &chosen {
            None => chosen = Some(resource.clone()),
            Some(c) if c == resource => {}
            Some(c) if given.is_some() => return Err(XmlPolicyError::WrongResource { rule: who.into(), found: resource.clone(), expected: c.clone() }),
            Some(c) => return Err(XmlPolicyError::ConflictingResources { first: c.clone(), second: resource.clone() }),
        }
    }
    chosen.ok_or(XmlPolicyError::NoResource)
}

/// Adds the policy target's constraint to every rule. Under `*-unless-*` a
/// policy target that does not match gives NotApplicable, not the default
/// effect, which rules alone cannot express.
pub(super) fn fold_policy_target(policy: Constraint, combining: Combining, rules: Vec<ParsedRule>) -> Result<Vec<Rule>> {
    if policy != Constraint::default() && matches!(combining, Combining::DenyUnlessPermit | Combining::PermitUnlessDeny) {
        return Err(not_representable("Policy/Target", "a subject or action target on a policy with a *-unless-* algorithm"));
    }
    rules
        .into_iter()
        .map(|r| {
            let c = policy.clone().and(r.target.constraint, &r.path)?;
            Ok(Rule {
                id: r.id,
                effect: r.effect,
                subjects: c.subjects.unwrap_or_default(),
                actions: c.actions.unwrap_or_default(),
                description: r.description,
            })
        })
        .collect()
}

pub(super) fn parse_rule(el: &Element, parent: &str) -> Result<ParsedRule> {
    let id = el.require(&format!("{parent}/Rule"), "RuleId")?.to_owned();
    let path = format!("{parent}/Rule[{id}]");
    let children = el.container(&path, &["RuleId", "Effect"])?;
    let effect = match el.require(&path, "Effect")? {
        "Permit" => Effect::Permit,
        "Deny" => Effect::Deny,
        other => return Err(XmlPolicyError::InvalidAttribute { path, attribute: "Effect", value: other.into(), reason: "must be Permit or Deny" }),
    };
    let mut description = None;
    let mut target = None;
    let mut condition = None;
    for child in children {
        let child_path = format!("{path}/{}", child.name);
        match child.name.as_str() {
            "Description" if description.is_none() => description = Some(child.leaf_text(&child_path)?.to_owned()),
            "Target" if target.is_none() => target = Some(parse_target(child, &child_path)?),
            "Condition" if condition.is_none() => condition = Some(parse_condition(child, &child_path)?),
            other => return Err(XmlPolicyError::UnsupportedElement { path, element: other.into() }),
        }
    }
    let mut target = target.unwrap_or_default();
    if let Some(extra) = condition {
        target.constraint = target.constraint.and(extra.constraint, &path)?;
        target.resources.extend(extra.resources);
    }
    Ok(ParsedRule { id, effect, description: description.unwrap_or_default(), target, path })
}

pub(super) fn parse_target(el: &Element, path: &str) -> Result<Target> {
    let mut target = Target::default();
    for (i, any_of) in el.container(path, &[])?.iter().enumerate() {
        let any_path = format!("{path}/{}[{}]", any_of.name, i + 1);
        if any_of.name != "AnyOf" {
            return Err(XmlPolicyError::UnsupportedElement { path: path.into(), element: any_of.name.clone() });
        }
        let conjuncts = parse_any_of(any_of, &any_path)?;
        target.add_any_of(conjuncts, &any_path)?;
    }
    Ok(target)
}

impl Target {
    pub(super) fn add_any_of(&mut self, conjuncts: Vec<Conjunct>, path: &str) -> Result<()> {
        self.resources.extend(conjuncts.iter().filter_map(|c| c.resource.clone()));
        let constraint = any_of_constraint(conjuncts, path)?;
        self.constraint = std::mem::take(&mut self.constraint).and(constraint, path)?;
        Ok(())
    }
}

pub(super) fn parse_any_of(el: &Element, path: &str) -> Result<Vec<Conjunct>> {
    let children = el.container(path, &[])?;
    if children.is_empty() {
        return Err(structure(path, "at least one AllOf"));
    }
    children
        .iter()
        .enumerate()
        .map(|(i, all_of)| {
            let all_path = format!("{path}/{}[{}]", all_of.name, i + 1);
            if all_of.name != "AllOf" {
                return Err(XmlPolicyError::UnsupportedElement { path: path.into(), element: all_of.name.clone() });
            }
            parse_all_of(all_of, &all_path)
        })
        .collect()
}

pub(super) fn parse_all_of(el: &Element, path: &str) -> Result<Conjunct> {
    let children = el.container(path, &[])?;
    if children.is_empty() {
        return Err(structure(path, "at least one Match"));
    }
    let terms = children
        .iter()
        .enumerate()
        .map(|(i, m)| {
            if m.name != "Match" {
                return Err(XmlPolicyError::UnsupportedElement { path: path.into(), element: m.name.clone() });
            }
            parse_match(m, &format!("{path}/Match[{}]", i + 1))
        })
        .collect::<Result<Vec<_>>>()?;
    conjunct(terms, path)
}

pub(super) fn parse_match(el: &Element, path: &str) -> Result<Term> {
    let children = el.container(path, &["MatchId"])?;
    let ignore_case = string_equal_case(el.require(path, "MatchId")?, path)?;
    match children {
        [value, designator] if value.name == "AttributeValue" && designator.name == "AttributeDesignator" => term(value, designator, ignore_case, path),
        _ => Err(structure(path, "one AttributeValue followed by one AttributeDesignator")),
    }
}

/// `Some(ignore_case)` for the two string-equality functions the model has.
pub(super) fn string_equal_case(function: &str, path: &str) -> Result<bool> {
    match function {
        STRING_EQUAL => Ok(false),
        STRING_EQUAL_IGNORE_CASE => Ok(true),
        other => Err(XmlPolicyError::UnsupportedFunction { path: path.into(), function: other.into() }),
    }
}

pub(super) fn term(value: &Element, designator: &Element, ignore_case: bool, path: &str) -> Result<Term> {
    let value = string_value(value, &format!("{path}/AttributeValue"))?;
    let (category, attribute) = parse_designator(designator, &format!("{path}/AttributeDesignator"))?;
    classify(category, attribute, value, ignore_case, path)
}

pub(super) fn string_value(el: &Element, path: &str) -> Result<String> {
    el.allow_only(path, &["DataType"])?;
    let data_type = el.require(path, "DataType")?;
    if data_type != XS_STRING {
        return Err(XmlPolicyError::UnsupportedDataType { path: path.into(), data_type: data_type.into() });
    }
    Ok(el.leaf_text(path)?.to_owned())
}

/// (category, attribute id) of a designator the model can evaluate.
pub(super) fn parse_designator<'e>(el: &'e Element, path: &str) -> Result<(&'e str, &'e str)> {
    if let [child, ..] = el.container(path, &["AttributeId", "Category", "DataType", "MustBePresent"])? {
        return Err(XmlPolicyError::UnsupportedElement { path: path.into(), element: child.name.clone() });
    }
    let data_type = el.require(path, "DataType")?;
    if data_type != XS_STRING {
        return Err(XmlPolicyError::UnsupportedDataType { path: path.into(), data_type: data_type.into() });
    }
    match el.require(path, "MustBePresent")? {
        "false" | "0" => {}
        "true" | "1" => {
            return Err(not_representable(path, "MustBePresent=\"true\" makes a missing attribute Indeterminate, which the model has no way to express"))
        }
        other => {
            return Err(XmlPolicyError::InvalidAttribute { path: path.into(), attribute: "MustBePresent", value: other.into(), reason: "must be a boolean" })
        }
    }
    Ok((el.require(path, "Category")?, el.require(path, "AttributeId")?))
}

pub(super) fn classify(category: &str, attribute: &str, value: String, ignore_case: bool, path: &str) -> Result<Term> {
    let unsupported = |category, why| XmlPolicyError::UnsupportedAttributeId { path: path.into(), category, attribute: attribute.into(), why };
    match category {
        SUBJECT_CATEGORY => Ok(Term::Subject(Match { attribute: attribute.into(), value, ignore_case })),
        ACTION_CATEGORY if attribute != ACTION_ID => Err(unsupported("action", "only the action id is matched")),
        RESOURCE_CATEGORY | ACTION_CATEGORY if ignore_case => Err(not_representable(
            path,
            format!("{attribute} is matched case-insensitively against {value:?}, but resources and actions are compared exactly here"),
        )),
        ACTION_CATEGORY => Ok(Term::Action(value)),
        RESOURCE_CATEGORY => match attribute {
            RESOURCE_ID => Ok(Term::ResourceId(value)),
            APP_ORG => Ok(Term::AppOrg(value)),
            APP_NAME => Ok(Term::AppName(value)),
            _ => Err(unsupported(
                "resource",
                "a policy here covers a whole resource (urn:altinn:resource, or urn:altinn:org with urn:altinn:app); dropping a narrower match such as a process task would widen the rule",
            )),
        },
        other => Err(XmlPolicyError::UnsupportedCategory { path: path.into(), category: other.into() }),
    }
}

/// Splits the matches of one AllOf by category. An AllOf needing two
/// different actions or resources at once cannot be expressed.
pub(super) fn conjunct(terms: Vec<Term>, path: &str) -> Result<Conjunct> {
    let mut subject = Vec::new();
    let (mut action, mut id, mut org, mut app) = (None, None, None, None);
    for term in terms {
        let (slot, value, what) = match term {
            Term::Subject(m) => {
                subject.push(m);
                continue;
            }
            Term::Action(a) => (&mut action, a, "two different actions"),
            Term::ResourceId(r) => (&mut id, r, "two different resources"),
            Term::AppOrg(o) => (&mut org, o, "two different app owners"),
            Term::AppName(a) => (&mut app, a, "two different apps"),
        };
        match slot {
            Some(existing) if *existing != value => return Err(not_representable(path, format!("the AllOf requires {what} at once"))),
            _ => *slot = Some(value),
        }
    }
    let resource = match (id, org, app) {
        (id, None, None) => id,
        (None, Some(org), Some(app)) => Some(app_resource_id(&org, &app)),
        (None, _, _) => {
            return Err(not_representable(path, "urn:altinn:org and urn:altinn:app must be matched together (an app is the resource app_<org>_<app>)"))
        }
        (Some(_), _, _) => return Err(not_representable(path, "urn:altinn:resource is mixed with urn:altinn:org/urn:altinn:app in one AllOf")),
    };
    Ok(Conjunct { subject, action, resource })
}

/// Altinn's resource id for an app.
pub(super) fn app_resource_id(org: &str, app: &str) -> String {
    format!("app_{org}_{app}")
}

/// The (org, app) an `app_<org>_<app>` resource id stands for, if it is one.
pub(super) fn app_parts(resource: &str) -> Option<(&str, &str)> {
    let (org, app) = resource.strip_prefix("app_")?.split_once('_')?;
    (!org.is_empty() && !app.is_empty()).then_some((org, app))
}

/// An AnyOf (OR of AllOfs) as one constraint. Resource parts are true for the
/// policy's resource and drop out; what remains, OR of (subjects AND action),
/// must factor into (OR of subjects) AND (OR of actions).
pub(super) fn any_of_constraint(conjuncts: Vec<Conjunct>, path: &str) -> Result<Constraint> {
    let subjects: Vec<Vec<Match>> = conjuncts.iter().map(|c| c.subject.clone()).collect();
    let actions: Vec<Option<String>> = conjuncts.iter().map(|c| c.action.clone()).collect();
    // The first four cases keep order and repetitions, so exports re-import unchanged.
    let (subjects, actions) = if actions.iter().all(Option::is_none) {
        (subjects, vec![None])
    } else if subjects.iter().all(Vec::is_empty) {
        (vec![Vec::new()], actions)
    } else if all_equal(&actions) {
        (subjects, actions.into_iter().take(1).collect())
    } else if all_equal(&subjects) {
        (subjects.into_iter().take(1).collect(), actions)
    } else {
        cross_product_factors(&conjuncts, path)?
    };
    Ok(Constraint { subjects: (!subjects.iter().any(Vec::is_empty)).then_some(subjects), actions: actions.into_iter().collect::<Option<Vec<String>>>() })
}

pub(super) fn all_equal<T: PartialEq>(items: &[T]) -> bool {
    items.windows(2).all(|w| w[0] == w[1])
}

/// Subject alternatives and actions (`None`: any) whose cross product an AnyOf is.
pub(super) type Factors = (Vec<Vec<Match>>, Vec<Option<String>>);

/// The distinct subject alternatives and actions, when the AllOfs are exactly
/// their cross product.
pub(super) fn cross_product_factors(conjuncts: &[Conjunct], path: &str) -> Result<Factors> {
    let subjects = distinct(conjuncts.iter().map(|c| &c.subject));
    let actions = distinct(conjuncts.iter().map(|c| &c.action));
    let pairs = distinct(conjuncts.iter().map(|c| (&c.subject, &c.action)));
    if pairs.len() != subjects.len() * actions.len() {
        return Err(not_representable(
            path,
            "its AllOfs pair subjects with actions in a way that is not a cross product, so subjects and actions cannot be separated",
        ));
    }
    Ok((subjects.into_iter().cloned().collect(), actions.into_iter().cloned().collect()))
}

pub(super) fn distinct<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

impl Constraint {
    /// Both constraints at once: the product of subject alternatives and the
    /// intersection of actions (a request has one action).
    pub(super) fn and(self, other: Constraint, path: &str) -> Result<Constraint> {
        let subjects = match (self.subjects, other.subjects) {
            (None, s) | (s, None) => s,
            (Some(a), Some(b)) => Some(product(&a, &b, path)?),
        };
        let actions = match (self.actions, other.actions) {
            (None, a) | (a, None) => a,
            (Some(a), Some(b)) => {
                let both: Vec<String> = a.into_iter().filter(|x| b.contains(x)).collect();
                if both.is_empty() {
                    return Err(not_representable(
                        path,
                        "its action matches exclude each other, so the rule never applies (the model reads no actions as any action)",
                    ));
                }
                Some(both)
            }
        };
        Ok(Constraint { subjects, actions })
    }
}

pub(super) fn product(a: &[Vec<Match>], b: &[Vec<Match>], path: &str) -> Result<Vec<Vec<Match>>> {
    let size = a.len().saturating_mul(b.len());
    if size > MAX_ALTERNATIVES {
        return Err(not_representable(path, format!("combining its subject AnyOfs needs {size} alternatives (at most {MAX_ALTERNATIVES})")));
    }
    Ok(a.iter().flat_map(|x| b.iter().map(move |y| x.iter().chain(y).cloned().collect())).collect())
}

/// A Condition equivalent to extra AnyOfs: `and` of parts, `or` of single
/// AnyOfs, `any-of` with a string-equality function, `string-is-in`.
pub(super) fn parse_condition(el: &Element, path: &str) -> Result<Target> {
    match el.container(path, &[])? {
        [expression] => {
            let mut target = Target::default();
            for (i, any_of) in condition_any_ofs(expression, &format!("{path}/{}", expression.name))?.into_iter().enumerate() {
                target.add_any_of(any_of, &format!("{path}[any-of {}]", i + 1))?;
            }
            Ok(target)
        }
        _ => Err(structure(path, "exactly one expression")),
    }
}

/// The expression as AnyOfs (AND of ORs of AllOfs).
pub(super) fn condition_any_ofs(el: &Element, path: &str) -> Result<Vec<Vec<Conjunct>>> {
    if el.name != "Apply" {
        return Err(XmlPolicyError::UnsupportedElement { path: path.into(), element: el.name.clone() });
    }
    let children = el.container(path, &["FunctionId"])?;
    let function = el.require(path, "FunctionId")?;
    let child_path = |i: usize| format!("{path}/{}[{}]", children.get(i).map_or("", |c| c.name.as_str()), i + 1);
    match function {
        AND => {
            let parts = children.iter().enumerate().map(|(i, c)| condition_any_ofs(c, &child_path(i)));
            Ok(parts.collect::<Result<Vec<_>>>()?.into_iter().flatten().collect())
        }
        OR => condition_or(children, path, child_path),
        f if ANY_OF.contains(&f) => match children {
            [function, value, designator] if function.name == "Function" && value.name == "AttributeValue" && designator.name == "AttributeDesignator" => {
                let fpath = format!("{path}/Function");
                function.allow_only(&fpath, &["FunctionId"])?;
                function.leaf_text(&fpath)?;
                let ignore_case = string_equal_case(function.require(&fpath, "FunctionId")?, &fpath)?;
                single_match(term(value, designator, ignore_case, path)?, path)
            }
            _ => Err(structure(path, "any-of with a Function, an AttributeValue and an AttributeDesignator")),
        },
        STRING_IS_IN => match children {
            [value, designator] if value.name == "AttributeValue" && designator.name == "AttributeDesignator" => {
                single_match(term(value, designator, false, path)?, path)
            }
            _ => Err(structure(path, "string-is-in with an AttributeValue and an AttributeDesignator")),
        },
        other => Err(XmlPolicyError::UnsupportedFunction { path: path.into(), function: other.into() }),
    }
}

pub(super) fn condition_or(children: &[Element], path: &str, child_path: impl Fn(usize) -> String) -> Result<Vec<Vec<Conjunct>>> {
    let mut alternatives = Vec::new();
    for (i, child) in children.iter().enumerate() {
        match <[_; 1]>::try_from(condition_any_ofs(child, &child_path(i))?) {
            Ok([any_of]) => alternatives.extend(any_of),
            Err(_) => return Err(not_representable(path, "an or whose operands are not single matches or ors of them")),
        }
    }
    if alternatives.is_empty() {
        return Err(not_representable(path, "an or without operands is always false, so the rule never applies"));
    }
    Ok(vec![alternatives])
}

pub(super) fn single_match(term: Term, path: &str) -> Result<Vec<Vec<Conjunct>>> {
    Ok(vec![vec![conjunct(vec![term], path)?]])
}

pub(super) fn parse_obligations(el: &Element, path: &str) -> Result<Vec<Obligation>> {
    let children = el.container(path, &[])?;
    if children.is_empty() {
        return Err(structure(path, "at least one ObligationExpression"));
    }
    children
        .iter()
        .map(|o| match o.name.as_str() {
            "ObligationExpression" => parse_obligation(o, path),
            other => Err(XmlPolicyError::UnsupportedElement { path: path.into(), element: other.into() }),
        })
        .collect()
}

/// Altinn's shape: one attribute assignment with one value, fulfilled on Permit.
pub(super) fn parse_obligation(el: &Element, parent: &str) -> Result<Obligation> {
    let id = el.require(&format!("{parent}/ObligationExpression"), "ObligationId")?.to_owned();
    let path = format!("{parent}/ObligationExpression[{id}]");
    let children = el.container(&path, &["ObligationId", "FulfillOn"])?;
    match el.require(&path, "FulfillOn")? {
        "Permit" => {}
        "Deny" => return Err(not_representable(&path, "obligations are attached to Permit decisions only")),
        other => return Err(XmlPolicyError::InvalidAttribute { path, attribute: "FulfillOn", value: other.into(), reason: "must be Permit or Deny" }),
    }
    let [assignment] = children else {
        return Err(structure(&path, "exactly one AttributeAssignmentExpression"));
    };
    let apath = format!("{path}/AttributeAssignmentExpression");
    if assignment.name != "AttributeAssignmentExpression" {
        return Err(XmlPolicyError::UnsupportedElement { path, element: assignment.name.clone() });
    }
    let [value] = assignment.container(&apath, &["AttributeId", "Category"])? else {
        return Err(structure(&apath, "exactly one AttributeValue"));
    };
    let vpath = format!("{apath}/AttributeValue");
    if value.name != "AttributeValue" {
        return Err(XmlPolicyError::UnsupportedElement { path: apath, element: value.name.clone() });
    }
    value.allow_only(&vpath, &["DataType"])?;
    Ok(Obligation {
        id,
        attribute_id: assignment.require(&apath, "AttributeId")?.to_owned(),
        category: assignment.require(&apath, "Category")?.to_owned(),
        data_type: value.require(&vpath, "DataType")?.to_owned(),
        value: value.leaf_text(&vpath)?.to_owned(),
    })
}
