//! An email address that has been parsed and normalised: it cannot hold an invalid value.
use serde::{Deserialize, Serialize};
use std::fmt;

/// Normalised (trimmed, lower-case) email address. The only way in is [`EmailAddress::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    /// Accepts the everyday `local@domain.tld` shape that mail relays deliver to. The whole
    /// address is lower-cased: the register treats `A.Smith@X.org` and `a.smith@x.org` as the
    /// same person, which is what the unique index must enforce.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err("Enter an email address");
        }
        if s.len() > Self::MAX_LEN {
            return Err("Email address must be 254 characters or fewer");
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err("Enter an email address in the correct format, like name@example.org");
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
        if !(local_ok && domain_ok) {
            return Err("Enter an email address in the correct format, like name@example.org");
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For logs: `j***@example.org`. Addresses are personal data and stay out of log files.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or(("", &self.0));
        let first = local.chars().next().map(String::from).unwrap_or_default();
        format!("{first}***@{domain}")
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EmailAddress {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        EmailAddress::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let e = EmailAddress::parse("  Ann.Smith@Aston.Example.ORG ").unwrap();
        assert_eq!(e.as_str(), "ann.smith@aston.example.org");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "   ",
            "plainaddress",
            "@example.org",
            "a@",
            "a@b",
            "a@@b.org",
            "a b@c.org",
            "a@-x.org",
            "a@x-.org",
            "a..b@c.org",
            ".a@c.org",
            "a@c..org",
            "a@c.1",
            "a@c.o",
            "<script>@x.org",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn accepts_common_shapes() {
        for ok in [
            "a@b.co",
            "first.last+tag@sub.example.org",
            "o'neil@x.test",
            "x_y-z@a-b.nhs.uk",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "rejected {ok:?}");
        }
    }

    #[test]
    fn rejects_too_long() {
        let long = format!("{}@example.org", "a".repeat(65));
        assert!(EmailAddress::parse(&long).is_err());
    }

    #[test]
    fn masks_for_logs() {
        assert_eq!(EmailAddress::parse("jane@x.org").unwrap().masked(), "j***@x.org");
    }

    #[test]
    fn deserialising_parses() {
        assert!(serde_json::from_str::<EmailAddress>("\"not-an-email\"").is_err());
        let e: EmailAddress = serde_json::from_str("\"A@B.ORG\"").unwrap();
        assert_eq!(e.as_str(), "a@b.org");
    }
}
