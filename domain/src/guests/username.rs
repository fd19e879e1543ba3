//! A guest's username, by the institution's rule. The default (the
//! reference's short-term guest rule): the first letter of the given name
//! and the whole surname, lower case and folded to ASCII (`ø`→`o`,
//! `æ`→`ae`, `å`→`aa`, accents dropped), after an optional prefix
//! (`ext-`); when that is taken — by anyone, ever, archived accounts
//! included — a number is added (`onordmann2`, `onordmann3`, …). A username
//! is never given to a second person.

/// The longest username given (the base is cut to leave room for a number).
pub const MAX_LEN: usize = 32;

/// Folds a name to the letters a username may hold: lower-case ASCII
/// `a`–`z`; Norwegian, Sámi and common accented Latin letters become their
/// ASCII spelling, and anything else (spaces, hyphens, apostrophes) goes.
pub fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'a'..='z' => {
                out.push(c);
                continue;
            }
            'æ' => "ae",
            'ø' | 'ö' | 'ó' | 'ò' | 'ô' | 'õ' | 'ō' => "o",
            'å' => "aa",
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'ā' => "a",
            'é' | 'è' | 'ê' | 'ë' | 'ē' => "e",
            'í' | 'ì' | 'î' | 'ï' | 'ī' => "i",
            'ú' | 'ù' | 'û' | 'ü' | 'ū' => "u",
            'ý' | 'ÿ' => "y",
            'ç' | 'ć' | 'č' => "c",
            'đ' | 'ð' => "d",
            'ŋ' | 'ñ' | 'ń' => "n",
            'š' | 'ś' => "s",
            'ŧ' => "t",
            'ž' | 'ź' | 'ż' => "z",
            'þ' => "th",
            'ß' => "ss",
            'œ' => "oe",
            _ => "",
        };
        out.push_str(folded);
    }
    out
}

/// Why no username can be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    /// The given name or the surname has no letter that folds to ASCII.
    #[error("the name has no letters a username can be made of")]
    NoLetters,
}

/// The username before a number is added: prefix, first letter of the
/// given name, surname; cut to leave room for a number.
pub fn base(given_name: &str, surname: &str, prefix: &str) -> Result<String, UsernameError> {
    let (given, surname) = (fold(given_name), fold(surname));
    let first = given.chars().next().ok_or(UsernameError::NoLetters)?;
    if surname.is_empty() {
        return Err(UsernameError::NoLetters);
    }
    let mut out: String = prefix.to_lowercase().chars().filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-').collect();
    out.push(first);
    out.push_str(&surname);
    out.truncate(MAX_LEN - 4);
    Ok(out)
}

/// The first of `base`, `base2`, `base3`, … that `taken` says is free.
/// `taken` must count every username ever given, archived ones included.
pub fn first_free(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (2u32..).map(|n| format!("{base}{n}")).find(|u| !taken(u)).expect("an unbounded range has a free name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norwegian_letters_fold_as_the_rule_says() {
        assert_eq!(fold("Ærlig Øvre-Ås"), "aerligovreaas");
        assert_eq!(fold("Zoë O'Brien"), "zoeobrien");
        assert_eq!(fold("Áillon Čuoppa"), "ailloncuoppa", "Sámi letters");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("王"), "", "no ASCII spelling: nothing");
    }

    #[test]
    fn the_default_rule_is_first_letter_and_surname_with_an_optional_prefix() {
        assert_eq!(base("Ola", "Nordmann", "").unwrap(), "onordmann");
        assert_eq!(base("Øystein", "Bråten", "ext-").unwrap(), "ext-obraaten");
        assert_eq!(base("Gunn", "Gjest", "Ext_").unwrap(), "extggjest", "a prefix keeps only what a username may hold, lower case");
        assert_eq!(base("王", "Li", ""), Err(UsernameError::NoLetters));
        assert_eq!(base("Li", "王", ""), Err(UsernameError::NoLetters));
        let long = base("A", &"b".repeat(100), "").unwrap();
        assert_eq!(long.len(), MAX_LEN - 4, "room for a number");
    }

    #[test]
    fn a_taken_username_gets_the_first_free_number() {
        let taken = ["onordmann", "onordmann2", "onordmann4"];
        assert_eq!(first_free("onordmann", |u| taken.contains(&u)), "onordmann3");
        assert_eq!(first_free("kari", |_| false), "kari");
    }
}
