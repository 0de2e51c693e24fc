//! Field-level validation results that travel back to the form that was posted.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Everything wrong with one submitted form, plus what the user typed, so that a page
/// rendered again without JavaScript can show the errors next to the fields and keep the input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormErrors {
    pub errors: Vec<FieldError>,
    pub values: BTreeMap<String, String>,
}

impl FormErrors {
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        Self {
            errors: vec![FieldError {
                field: field.into(),
                message: message.into(),
            }],
            values: BTreeMap::new(),
        }
    }

    pub fn with_values(mut self, values: BTreeMap<String, String>) -> Self {
        self.values = values;
        self
    }

    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn value_of(&self, field: &str) -> Option<&str> {
        self.values.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Collects the outcome of parsing each field of a form. `check` keeps the first error per
/// field; the caller matches on the returned options once all fields have been checked.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                if !self.errors.iter().any(|e| e.field == field) {
                    self.errors.push(FieldError {
                        field: field.into(),
                        message,
                    });
                }
                None
            }
        }
    }

    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.check::<()>(field, Err(message.into()));
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn into_errors(self, values: BTreeMap<String, String>) -> FormErrors {
        FormErrors {
            errors: self.errors,
            values,
        }
    }
}

/// The yes/no a button posts in a hidden field ("true" or "false"); anything else is refused
/// rather than read as "no".
pub fn parse_flag(field: &str, raw: &str) -> Result<bool, FormErrors> {
    match raw.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(FormErrors::single(field, "Choose yes or no")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_first_error_per_field() {
        let mut v = Validator::new();
        assert_eq!(v.check::<u8>("a", Err("one".into())), None);
        v.fail("a", "two");
        assert_eq!(v.check("b", Ok(1)), Some(1));
        let e = v.into_errors(BTreeMap::from([("a".to_string(), "x".to_string())]));
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.message_for("a"), Some("one"));
        assert_eq!(e.value_of("a"), Some("x"));
        assert_eq!(e.message_for("b"), None);
    }
}
