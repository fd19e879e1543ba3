//! One rule for whether something matches what a person typed into a list's
//! search box, so that every list that narrows as one types (and the server,
//! where it filters by `?q=`) agrees: every word of the query occurs in one
//! of the texts, ignoring case. Words may occur in any order and any of the
//! texts, so "lønn rapport" finds a package named in one language and
//! described in another.

/// Whether every word of `query` occurs in `texts`, ignoring case. An empty
/// query matches everything.
pub fn matches<'a>(query: &str, texts: impl IntoIterator<Item = &'a str>) -> bool {
    let haystack = texts.into_iter().map(str::to_lowercase).collect::<Vec<_>>().join("\n");
    query.split_whitespace().all(|word| haystack.contains(&word.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn every_word_must_occur_somewhere_ignoring_case_and_order() {
        let texts = ["Lønn og personal", "Salary reporting"];
        assert!(matches("LØNN", texts));
        assert!(matches("reporting lønn", texts), "words in any order, across texts");
        assert!(!matches("lønn skatt", texts), "a word that occurs nowhere");
    }

    #[test]
    fn an_empty_query_matches_everything() {
        assert!(matches("", ["a"]));
        assert!(matches("   ", std::iter::empty()));
    }

    #[test]
    fn a_word_does_not_span_two_texts() {
        assert!(matches("personalsalary", ["Lønn og personalsalary"]));
        assert!(!matches("personalsalary", ["Lønn og personal", "salary"]), "the end of one text and the start of the next");
    }
}
