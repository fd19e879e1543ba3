//! The XML layer: the document as a small tree of XACML elements, read safely (no DOCTYPE, capped size and depth).

use super::*;

// ---------------------------------------------------------------------------
// The document as a small tree: the XML layer, free of XACML meaning.

/// An element of the XACML namespace: local name, unprefixed attributes, child
/// elements and its text (character data concatenated, references resolved).
#[derive(Debug, Default)]
pub(super) struct Element {
    pub(super) name: String,
    pub(super) attributes: Vec<(String, String)>,
    pub(super) children: Vec<Element>,
    pub(super) text: String,
}

impl Element {
    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub(super) fn require(&self, path: &str, name: &'static str) -> Result<&str> {
        self.attr(name).ok_or_else(|| XmlPolicyError::MissingAttribute { path: path.to_owned(), attribute: name })
    }

    /// Refuses attributes the import does not understand: an ignored one
    /// (`Issuer`, `MaxDelegationDepth`, …) could change what the policy means.
    pub(super) fn allow_only(&self, path: &str, names: &[&str]) -> Result<()> {
        match self.attributes.iter().find(|(k, _)| !names.contains(&k.as_str())) {
            Some((k, _)) => Err(XmlPolicyError::UnsupportedAttribute { path: path.to_owned(), attribute: k.clone() }),
            None => Ok(()),
        }
    }

    /// Structural elements may hold whitespace between children, nothing else.
    pub(super) fn no_text(&self, path: &str) -> Result<()> {
        if self.text.chars().all(is_xml_space) {
            Ok(())
        } else {
            Err(XmlPolicyError::UnexpectedText { path: path.to_owned(), text: self.text.trim().chars().take(40).collect() })
        }
    }

    /// The text of an element that must not have children (values, descriptions).
    pub(super) fn leaf_text(&self, path: &str) -> Result<&str> {
        match self.children.first() {
            Some(child) => Err(XmlPolicyError::UnsupportedElement { path: path.to_owned(), element: child.name.clone() }),
            None => Ok(&self.text),
        }
    }

    /// Checks attributes and text, and returns the children, for elements that contain only elements.
    pub(super) fn container(&self, path: &str, attributes: &[&str]) -> Result<&[Element]> {
        self.allow_only(path, attributes)?;
        self.no_text(path)?;
        Ok(&self.children)
    }
}

pub(super) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// XML 1.0's `Char` production, which also binds character references: a
/// string with other control characters or U+FFFE/U+FFFF is not XML.
pub(super) fn legal_chars(s: &str, position: u64) -> Result<()> {
    let legal = |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
    match s.chars().find(|c| !legal(*c)) {
        Some(c) => Err(XmlPolicyError::Malformed { position, message: format!("character U+{:04X} is not allowed in XML 1.0", u32::from(c)) }),
        None => Ok(()),
    }
}

/// Reads the document into a tree, enforcing the size, depth, namespace and
/// no-DTD limits.
pub(super) fn read_tree(xml: &str) -> Result<Element> {
    if xml.len() > MAX_INPUT_BYTES {
        return Err(XmlPolicyError::TooLarge { size: xml.len(), max: MAX_INPUT_BYTES });
    }
    let mut reader = NsReader::from_str(xml);
    let mut open: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let position = reader.buffer_position();
        let (in_xacml, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (matches!(ns, ResolveResult::Bound(n) if n.as_ref() == XACML_NS), event),
            Err(e) => return Err(XmlPolicyError::Malformed { position, message: e.to_string() }),
        };
        let malformed = |message: String| XmlPolicyError::Malformed { position, message };
        match event {
            Event::Start(e) => {
                open.push(start_element(&e, in_xacml, &open, position)?);
                if open.len() > MAX_DEPTH {
                    return Err(XmlPolicyError::TooDeep { path: open_path(&open), max: MAX_DEPTH });
                }
            }
            Event::Empty(e) => {
                let element = start_element(&e, in_xacml, &open, position)?;
                if open.len() + 1 > MAX_DEPTH {
                    return Err(XmlPolicyError::TooDeep { path: open_path(&open), max: MAX_DEPTH });
                }
                close(element, &mut open, &mut root, position)?;
            }
            Event::End(_) => {
                let element = open.pop().ok_or_else(|| malformed("a closing tag without an opening tag".into()))?;
                close(element, &mut open, &mut root, position)?;
            }
            Event::Text(t) => push_text(&mut open, &t.xml10_content(), position)?,
            Event::CData(c) => push_text(&mut open, &c.xml10_content(), position)?,
            Event::GeneralRef(r) => {
                let resolved = resolve_reference(&r).ok_or_else(|| malformed(format!("undefined or invalid reference &{};", &*r)))?;
                push_text(&mut open, &resolved, position)?;
            }
            Event::DocType(_) => return Err(XmlPolicyError::Doctype),
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(element) = open.last() {
        return Err(XmlPolicyError::Malformed { position: reader.buffer_position(), message: format!("element {} is not closed", element.name) });
    }
    root.ok_or_else(|| XmlPolicyError::Malformed { position: 0, message: "the document has no root element".into() })
}

pub(super) fn open_path(open: &[Element]) -> String {
    if open.is_empty() {
        return "the document".into();
    }
    open.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join("/")
}

/// A predefined entity or a character reference; nothing else is defined.
pub(super) fn resolve_reference(r: &quick_xml::events::BytesRef) -> Option<String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Some(c.to_string()),
        Ok(None) => quick_xml::escape::resolve_predefined_entity(r).map(str::to_owned),
        Err(_) => None,
    }
}

pub(super) fn start_element(e: &BytesStart, in_xacml: bool, open: &[Element], position: u64) -> Result<Element> {
    let name = e.local_name().as_ref().to_owned();
    if !in_xacml {
        return Err(XmlPolicyError::WrongNamespace { path: open_path(open), element: e.name().as_ref().to_owned() });
    }
    let mut attributes = Vec::new();
    for attribute in e.attributes() {
        let attribute = attribute.map_err(|err| XmlPolicyError::Malformed { position, message: err.to_string() })?;
        // Namespace declarations and attributes of other namespaces (xsi:…) carry no XACML meaning.
        if attribute.key.as_namespace_binding().is_some() || attribute.key.prefix().is_some() {
            continue;
        }
        let value = attribute.normalized_value(XmlVersion::Implicit1_0).map_err(|err| XmlPolicyError::Malformed { position, message: err.to_string() })?;
        legal_chars(&value, position)?;
        attributes.push((attribute.key.local_name().as_ref().to_owned(), value.into_owned()));
    }
    Ok(Element { name, attributes, children: Vec::new(), text: String::new() })
}

pub(super) fn close(element: Element, open: &mut [Element], root: &mut Option<Element>, position: u64) -> Result<()> {
    match open.last_mut() {
        Some(parent) => parent.children.push(element),
        None if root.is_none() => *root = Some(element),
        None => return Err(XmlPolicyError::Malformed { position, message: "more than one root element".into() }),
    }
    Ok(())
}

pub(super) fn push_text(open: &mut [Element], text: &str, position: u64) -> Result<()> {
    legal_chars(text, position)?;
    match open.last_mut() {
        Some(element) => element.text.push_str(text),
        None if text.chars().all(is_xml_space) => {}
        None => return Err(XmlPolicyError::Malformed { position, message: "text outside the root element".into() }),
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// From the tree to the model.
