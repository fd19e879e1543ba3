//! The names people see for the actions of single rights: the XACML action
//! ids of Altinn's policies (`read`, `write`, `sign`, …) in bokmål, nynorsk
//! and English, so that a right reads "Rapportering (lese)" and not
//! "Rapportering (read)".
//!
//! These are reference data, as the catalogue's package names are (the
//! domain carries both in three languages and hands them to every page and
//! API alike), not page text; an action without a name here is shown by its
//! id. Built for the browser too (no `server` feature needed).

/// An action's name in one language, lower case, for use inside a phrase.
struct Names {
    nb: &'static str,
    nn: &'static str,
    en: &'static str,
}

const NAMES: &[(&str, Names)] = &[
    ("read", Names { nb: "lese", nn: "lese", en: "read" }),
    ("write", Names { nb: "skrive", nn: "skrive", en: "write" }),
    ("sign", Names { nb: "signere", nn: "signere", en: "sign" }),
    ("delete", Names { nb: "slette", nn: "slette", en: "delete" }),
    ("confirm", Names { nb: "bekrefte", nn: "stadfeste", en: "confirm" }),
    ("instantiate", Names { nb: "opprette", nn: "opprette", en: "create" }),
    ("complete", Names { nb: "fullføre", nn: "fullføre", en: "complete" }),
    ("reject", Names { nb: "avvise", nn: "avvise", en: "reject" }),
    ("access", Names { nb: "tilgang", nn: "tilgang", en: "access" }),
    ("publish", Names { nb: "publisere", nn: "publisere", en: "publish" }),
    ("subscribe", Names { nb: "abonnere", nn: "abonnere", en: "subscribe" }),
    ("pay", Names { nb: "betale", nn: "betale", en: "pay" }),
];

/// The name of `action` in the language `lang` (`nb`, `nn` or `en`;
/// anything else reads as bokmål); the id itself when it has no name.
pub fn name(action: &str, lang: &str) -> String {
    match NAMES.iter().find(|(id, _)| *id == action) {
        Some((_, n)) => match lang {
            "nn" => n.nn,
            "en" => n.en,
            _ => n.nb,
        }
        .to_string(),
        None => action.to_string(),
    }
}

/// A single right as people read it: the resource's title, then the
/// action's name in brackets.
pub fn right(title: &str, action: &str, lang: &str) -> String {
    format!("{title} ({})", name(action, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_is_named_in_each_language_and_an_unknown_one_by_its_id() {
        assert_eq!(right("Rapportering", "read", "nb"), "Rapportering (lese)");
        assert_eq!(name("confirm", "nn"), "stadfeste");
        assert_eq!(name("instantiate", "en"), "create");
        assert_eq!(name("read", "se"), "lese", "another language reads as bokmål");
        assert_eq!(right("Rapportering", "arkiver", "nb"), "Rapportering (arkiver)");
    }

    #[test]
    fn each_action_is_named_once() {
        let mut ids: Vec<&str> = NAMES.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), NAMES.len());
    }
}
