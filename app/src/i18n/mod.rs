//! UI text in Norwegian Bokmål (default), Nynorsk and English.
//!
//! Texts live in `app/locales/<lang>.txt` as `key = value` lines, compiled into
//! the binary and the WASM bundle. The language is chosen per request from the
//! `lang` cookie and written to `<html lang>`, from which hydration reads it back.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    Nb,
    Nn,
    En,
}

pub const LOCALES: [Locale; 3] = [Locale::Nb, Locale::Nn, Locale::En];

/// Name of the cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "fullmakt_lang";

impl Locale {
    pub fn code(self) -> &'static str {
        match self {
            Self::Nb => "nb",
            Self::Nn => "nn",
            Self::En => "en",
        }
    }

    /// The text in this language from an nb/nn/en triple.
    pub fn pick(self, texts: &[String; 3]) -> String {
        texts[match self {
            Self::Nb => 0,
            Self::Nn => 1,
            Self::En => 2,
        }]
        .clone()
    }

    /// [`Locale::pick`], falling back to bokmål when the text is missing in
    /// this language (a vendor's or a service owner's text may lack one).
    pub fn pick_or_bokmal(self, texts: &[String; 3]) -> String {
        let text = self.pick(texts);
        if text.is_empty() {
            texts[0].clone()
        } else {
            text
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "nb" | "no" | "nb-NO" => Some(Self::Nb),
            "nn" | "nn-NO" => Some(Self::Nn),
            "en" | "en-GB" | "en-US" => Some(Self::En),
            _ => None,
        }
    }

    /// The language from a `Cookie` header, or the default.
    pub fn from_cookie_header(header: Option<&str>) -> Self {
        header
            .into_iter()
            .flat_map(|h| h.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == LANG_COOKIE)
            .and_then(|(_, v)| Self::parse(v))
            .unwrap_or_default()
    }

    fn source(self) -> &'static str {
        match self {
            Self::Nb => include_str!("../../locales/nb.txt"),
            Self::Nn => include_str!("../../locales/nn.txt"),
            Self::En => include_str!("../../locales/en.txt"),
        }
    }

    fn table(self) -> &'static HashMap<&'static str, &'static str> {
        static TABLES: [OnceLock<HashMap<&'static str, &'static str>>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        TABLES[self as usize].get_or_init(|| parse(self.source()))
    }

    /// The text for `key`; the key itself when missing, so a gap is visible
    /// (and caught by the test that all languages have the same keys).
    pub fn t(self, key: &'static str) -> &'static str {
        self.table().get(key).copied().unwrap_or(key)
    }

    /// The text for a key built at run time (`audit.event.<action>`), if there is one.
    pub fn lookup(self, key: &str) -> Option<&'static str> {
        self.table().get(key).copied()
    }
}

fn parse(src: &'static str) -> HashMap<&'static str, &'static str> {
    src.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).filter_map(|l| l.split_once(" = ")).map(|(k, v)| (k.trim(), v.trim())).collect()
}

/// The current page's language, from context.
pub fn use_locale() -> Locale {
    leptos::prelude::use_context::<Locale>().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_language_has_exactly_the_same_keys() {
        let keys = |l: Locale| l.table().keys().copied().collect::<BTreeSet<_>>();
        let nb = keys(Locale::Nb);
        assert!(nb.len() > 20);
        for l in [Locale::Nn, Locale::En] {
            let other = keys(l);
            assert_eq!(nb.difference(&other).collect::<Vec<_>>(), Vec::<&&str>::new(), "missing in {}", l.code());
            assert_eq!(other.difference(&nb).collect::<Vec<_>>(), Vec::<&&str>::new(), "extra in {}", l.code());
        }
    }

    #[test]
    fn every_key_used_in_the_code_exists() {
        let src_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        let sections: BTreeSet<&str> = Locale::Nb.table().keys().filter_map(|k| k.split_once('.').map(|(s, _)| s)).collect();
        let mut stack = vec![src_dir];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for part in text.split(".t(\"").skip(1) {
                        let key = part.split('"').next().unwrap();
                        if !Locale::Nb.table().contains_key(key) {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                    // Keys handed to components as props (`label="user_roles.code"`)
                    // or returned from helpers: every literal shaped like a key
                    // of a known section must exist too.
                    for literal in text.split('"').skip(1).step_by(2) {
                        let looks_like_key = literal.split_once('.').is_some_and(|(section, rest)| {
                            sections.contains(section) && !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                        });
                        if looks_like_key && !Locale::Nb.table().contains_key(literal) {
                            missing.push(format!("{}: {literal}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys missing from nb.txt: {missing:?}");
    }

    #[test]
    fn the_cookie_picks_the_language() {
        assert_eq!(Locale::from_cookie_header(Some("a=b; fullmakt_lang=en")), Locale::En);
        assert_eq!(Locale::from_cookie_header(Some("fullmakt_lang=xx")), Locale::Nb);
        assert_eq!(Locale::from_cookie_header(None), Locale::Nb);
    }
}
