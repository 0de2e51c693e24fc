//! Record identifiers. The database key of a record, never a raw string from a URL that
//! has not been checked.
use serde::{Deserialize, Serialize};

macro_rules! record_id {
    ($(#[$m:meta])* $name:ident, $table:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const TABLE: &'static str = $table;

            /// Keys are what the database generates: ASCII letters, digits and `_`, 1–64 long.
            pub fn parse(raw: &str) -> Result<Self, String> {
                let ok = !raw.is_empty()
                    && raw.len() <= 64
                    && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if ok { Ok(Self(raw.to_string())) } else { Err(format!("Not a valid {} id", $table)) }
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

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

record_id!(
    /// Key of an `organisation` record.
    OrgId, "organisation"
);
record_id!(
    /// Key of a `contact` record.
    ContactId, "contact"
);

record_id!(
    /// Key of a `user` record.
    UserId, "user"
);
record_id!(
    /// Key of a `workstream` record.
    WorkstreamId, "workstream"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_refuse_anything_but_keys() {
        assert!(OrgId::parse("h5k2x9q0abc").is_ok());
        for bad in ["", "a:b", "a b", "a/b", "⟨x⟩", &"x".repeat(65)] {
            assert!(OrgId::parse(bad).is_err(), "accepted {bad:?}");
        }
    }
}
