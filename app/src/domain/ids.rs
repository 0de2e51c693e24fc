//! Record identifiers. The database key of a record, never a raw string from a URL that
//! has not been checked.
use serde::{Deserialize, Serialize};

/// An id that is not a record key: from a URL or form, it names no record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdError {
    /// What the id should have named, for the message ("contact", "plan item").
    pub what: &'static str,
}

impl std::fmt::Display for IdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Not a valid {} id", self.what)
    }
}

impl From<IdError> for super::AppError {
    fn from(e: IdError) -> Self {
        super::AppError::NotFound(format!("No {} has that address", e.what))
    }
}

macro_rules! record_id {
    ($(#[$m:meta])* $name:ident, $table:literal, $what:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const TABLE: &'static str = $table;

            /// Keys are what Liaison generates: ASCII letters, digits, `_` and `-` (a repeating
            /// briefing's instance is `<template>-<yyyymmdd>`), 1–64 long. Always bound as a
            /// parameter, never spliced into a query.
            pub fn parse(raw: &str) -> Result<Self, IdError> {
                let ok = !raw.is_empty()
                    && raw.len() <= 64
                    && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if ok { Ok(Self(raw.to_string())) } else { Err(IdError { what: $what }) }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::parse(&s)
            }
        }

        /// A checked id reads as the key it is, so that it passes where a key (`&str`) is asked
        /// for: parsed once at the door, used as is after.
        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
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
    OrgId, "organisation", "organisation"
);
record_id!(
    /// Key of a `contact` record.
    ContactId, "contact", "contact"
);
record_id!(
    /// Key of a `user` record.
    UserId, "user", "user"
);
record_id!(
    /// Key of a `workstream` record.
    WorkstreamId, "workstream", "workstream"
);
record_id!(
    /// Key of a `milestone` record.
    MilestoneId, "milestone", "milestone"
);
record_id!(
    /// Key of a `briefing` record.
    BriefingId, "briefing", "briefing"
);
record_id!(
    /// Key of a `segment` record (an audience).
    SegmentId, "segment", "audience"
);
record_id!(
    /// Key of a `plan_item` record.
    PlanItemId, "plan_item", "plan item"
);
record_id!(
    /// Key of a `delivery` record (one message to one recipient).
    DeliveryId, "delivery", "delivery"
);
record_id!(
    /// Key of an `interaction` record (a logged meeting, call or note).
    InteractionId, "interaction", "interaction"
);
record_id!(
    /// Key of an `invitation` record.
    InvitationId, "invitation", "invitation"
);
record_id!(
    /// Key of an `import` record (an uploaded spreadsheet awaiting commit).
    ImportId, "import", "import"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_refuse_anything_but_keys() {
        assert!(OrgId::parse("h5k2x9q0abc").is_ok());
        assert!(BriefingId::parse("k3v9q0abcdefghijklmn-20270318").is_ok());
        for bad in ["", "a:b", "a b", "a/b", "⟨x⟩", &"x".repeat(65)] {
            assert!(OrgId::parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn a_bad_id_is_a_not_found_naming_the_record() {
        let e: crate::domain::AppError = PlanItemId::parse("a:b").unwrap_err().into();
        assert_eq!(
            e,
            crate::domain::AppError::NotFound("No plan item has that address".into())
        );
    }
}
