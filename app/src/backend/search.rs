//! How people are found by what someone types: every word of a name, email, job title or
//! organisation, case- and accent-insensitively ("zoe" finds "Zoë"), each typed word matching
//! the start of a word (so "okaf" finds "Okafor"), and a whole-name match ranked first.
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lower case without accents: the form both the register and the typed text are compared in.
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The folded words of `s`: runs of letters and digits ("o'neill" gives "o" and "neill", and
/// also "oneill", so that the name is found however the apostrophe is typed).
pub fn words(s: &str) -> Vec<String> {
    let mut out = plain_words(s);
    for joined in fold(s).split_whitespace() {
        let squeezed: String = joined.chars().filter(|c| c.is_alphanumeric()).collect();
        if !squeezed.is_empty() && !out.contains(&squeezed) {
            out.push(squeezed);
        }
    }
    out
}

/// What was typed, parsed once per request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchText {
    /// The whole text folded, for the whole-name match.
    whole: String,
    words: Vec<String>,
}

/// How well a record matches: higher first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// Every typed word starts a word of the record.
    Words = 1,
    /// Every typed word starts a word of the name.
    Name = 2,
    /// The whole name, as typed.
    WholeName = 3,
}

impl SearchText {
    pub fn parse(typed: &str) -> Self {
        let words: Vec<String> = plain_words(typed);
        Self {
            whole: words.join(" "),
            words,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// How a record matches, or `None` when some typed word starts none of its words.
    /// `name_whole` is [`whole`] of the record's name; `name_words` and `all_words` are
    /// [`words`] of its name and of everything searchable.
    pub fn rank(&self, name_whole: &str, name_words: &[String], all_words: &[String]) -> Option<Rank> {
        let starts = |pool: &[String]| {
            self.words
                .iter()
                .all(|t| pool.iter().any(|w| w.starts_with(t.as_str())))
        };
        if !starts(all_words) {
            None
        } else if name_whole == self.whole {
            Some(Rank::WholeName)
        } else if starts(name_words) {
            Some(Rank::Name)
        } else {
            Some(Rank::Words)
        }
    }
}

fn plain_words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A name as a whole-name match compares it: its folded words, one space apart.
pub fn whole(s: &str) -> String {
    plain_words(s).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_and_accents() {
        assert_eq!(fold("Zoë Siobhán LEFÈVRE"), "zoe siobhan lefevre");
        assert_eq!(fold("Müller"), "muller");
    }

    #[test]
    fn words_split_on_punctuation_and_keep_joined_names() {
        assert_eq!(words("O'Neill, Aoife"), vec!["o", "neill", "aoife", "oneill"]);
        assert_eq!(
            words("pat.khan@nhs.net"),
            vec!["pat", "khan", "nhs", "net", "patkhannhsnet"]
        );
    }

    #[test]
    fn every_typed_word_must_start_a_word() {
        let (w, name) = (whole("Zoë Okafor"), words("Zoë Okafor"));
        let all = [name.clone(), words("zoe.okafor@uhb.nhs.uk"), words("Course lead")].concat();
        let rank = |typed: &str| SearchText::parse(typed).rank(&w, &name, &all);
        assert_eq!(rank("zoe"), Some(Rank::Name));
        assert_eq!(rank("OKAF"), Some(Rank::Name));
        assert_eq!(rank("course"), Some(Rank::Words));
        assert_eq!(rank("uhb zoe"), Some(Rank::Words));
        assert_eq!(rank("kafor"), None, "not a word start");
        assert_eq!(rank("zoe smith"), None, "every word must match");
    }

    #[test]
    fn a_whole_name_ranks_first() {
        let (w, name) = (whole("Zoë Okafor"), words("Zoë Okafor"));
        assert_eq!(
            SearchText::parse("zoe  OKAFOR").rank(&w, &name, &name),
            Some(Rank::WholeName)
        );
        assert_eq!(SearchText::parse("zoe").rank(&w, &name, &name), Some(Rank::Name));
        assert!(Rank::WholeName > Rank::Name && Rank::Name > Rank::Words);
    }

    #[test]
    fn nothing_typed_is_empty() {
        assert!(SearchText::parse("  ,. ").is_empty());
    }
}
