//! Bounded, trimmed text: names, titles, notes. Parsed once at the edge.
use serde::{Deserialize, Serialize};

/// Defines a trimmed text newtype with a maximum length (in characters). `required` types
/// refuse empty input; optional fields use `Option<T>` built with [`parse_optional`].
macro_rules! bounded_text {
    ($(#[$m:meta])* $name:ident, $max:expr, $what:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, String> {
                let s = raw.trim();
                if s.is_empty() {
                    return Err(format!("Enter {}", $what));
                }
                if s.chars().count() > $max {
                    let mut first = $what.split_whitespace().skip(1).collect::<Vec<_>>().join(" ");
                    if let Some(c) = first.get(0..1) {
                        first = c.to_uppercase() + &first[1..];
                    }
                    return Err(format!("{} must be {} characters or fewer", first, $max));
                }
                Ok(Self(s.to_string()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

bounded_text!(
    /// An organisation's name.
    OrgName, 200, "the organisation name"
);
bounded_text!(
    /// A person's full name.
    PersonName, 120, "the full name"
);
bounded_text!(
    /// A job title.
    JobTitle, 150, "a job title"
);
bounded_text!(
    /// The area (integrated care system) an organisation sits in.
    Area, 100, "an area"
);
bounded_text!(
    /// Free-text notes.
    Notes, 2000, "some notes"
);

/// Empty input means "not given"; anything else must parse.
pub fn parse_optional<T>(raw: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse(raw).map(Some)
    }
}

/// An NHS ODS organisation code: 3 to 10 letters and digits, stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OdsCode(String);

impl OdsCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim().to_uppercase();
        if (3..=10).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()) {
            Ok(Self(s))
        } else {
            Err("ODS code must be 3 to 10 letters or numbers, like RRK".into())
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OdsCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<OdsCode> for String {
    fn from(v: OdsCode) -> String {
        v.0
    }
}

/// A UK Provider Reference Number: exactly 8 digits, starting with 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ukprn(String);

impl Ukprn {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.len() == 8 && s.starts_with('1') && s.chars().all(|c| c.is_ascii_digit()) {
            Ok(Self(s.to_string()))
        } else {
            Err("UKPRN must be 8 digits starting with 1, like 10007140".into())
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Ukprn {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<Ukprn> for String {
    fn from(v: Ukprn) -> String {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(
            OrgName::parse("  Aston University ").unwrap().as_str(),
            "Aston University"
        );
        assert_eq!(OrgName::parse("   ").unwrap_err(), "Enter the organisation name");
        let long = "x".repeat(201);
        assert_eq!(
            OrgName::parse(&long).unwrap_err(),
            "Organisation name must be 200 characters or fewer"
        );
        assert!(OrgName::parse(&"é".repeat(200)).is_ok(), "counts characters, not bytes");
    }

    #[test]
    fn optional_empty_is_none() {
        assert_eq!(parse_optional("  ", Area::parse).unwrap(), None);
        assert!(parse_optional("Black Country", Area::parse).unwrap().is_some());
    }

    #[test]
    fn ods_and_ukprn() {
        assert_eq!(OdsCode::parse(" rrk ").unwrap().as_str(), "RRK");
        assert!(OdsCode::parse("R-K").is_err());
        assert!(OdsCode::parse("RK").is_err());
        assert!(Ukprn::parse("10007140").is_ok());
        assert!(Ukprn::parse("20007140").is_err());
        assert!(Ukprn::parse("1000714").is_err());
    }

    #[test]
    fn serde_parses() {
        assert!(serde_json::from_str::<PersonName>("\"\"").is_err());
        assert!(serde_json::from_str::<PersonName>("\"Ann\"").is_ok());
    }
}
