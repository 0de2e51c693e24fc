//! Storage errors, and their single mapping to what the user is told.
use crate::domain::{AppError, FormErrors};
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A UNIQUE index refused the write; `index` names it (e.g. `contact_email`).
    #[error("duplicate value for unique index {index}")]
    Duplicate { index: String },
    /// A business rule enforced inside a transaction refused the change.
    #[error("refused: {0}")]
    Refused(String),
    #[error("stored row could not be read: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Db(surrealdb::Error),
}

/// Prefix of the messages our own `THROW` statements raise, so they can be told apart.
pub const REFUSAL_MARK: &str = "liaison-refused:";

impl From<surrealdb::Error> for StoreError {
    fn from(e: surrealdb::Error) -> Self {
        let msg = e.to_string();
        if let Some(pos) = msg.find(REFUSAL_MARK) {
            let reason = msg[pos + REFUSAL_MARK.len()..]
                .trim()
                .trim_end_matches(['\'', '"'])
                .to_string();
            return StoreError::Refused(reason);
        }
        // "Database index `contact_email` already contains ..."
        if msg.contains("already contains") {
            if let Some(index) = msg.split('`').nth(1) {
                return StoreError::Duplicate {
                    index: index.to_string(),
                };
            }
        }
        StoreError::Db(e)
    }
}

/// Every failed statement of a response, reduced to the one that explains it. Inside a
/// transaction the others only say "not executed due to a failed transaction".
pub fn classify(errors: std::collections::HashMap<usize, surrealdb::Error>) -> Option<StoreError> {
    let mut errors: Vec<(usize, surrealdb::Error)> = errors.into_iter().collect();
    errors.sort_by_key(|(i, _)| *i);
    let mut mapped: Vec<StoreError> = errors.into_iter().map(|(_, e)| e.into()).collect();
    let telling = mapped
        .iter()
        .position(|e| matches!(e, StoreError::Refused(_) | StoreError::Duplicate { .. }) || e.is_retryable());
    match telling {
        Some(i) => Some(mapped.swap_remove(i)),
        None => mapped.into_iter().next(),
    }
}

impl StoreError {
    /// A transaction's `THROW '<REFUSAL_MARK>not-found'` becomes a not-found of `what`.
    pub fn not_found_as(what: &'static str) -> impl Fn(StoreError) -> StoreError {
        move |e| match e {
            StoreError::Refused(r) if r == "not-found" => StoreError::NotFound(what),
            other => other,
        }
    }

    /// Write conflicts of SurrealKV's optimistic transactions: safe to run again.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Db(e) if e.to_string().contains("can be retried"))
    }

    /// For writes from a form: a duplicate becomes an error on the field it concerns.
    pub fn into_form_error(self, values: &BTreeMap<String, String>) -> AppError {
        match &self {
            StoreError::Duplicate { index } => {
                let (field, message) = match index.as_str() {
                    "contact_email" => ("email", "A contact with this email address already exists"),
                    "organisation_name" => ("name", "An organisation with this name already exists"),
                    _ => ("", "This would duplicate an existing record"),
                };
                AppError::Invalid(FormErrors::single(field, message).with_values(values.clone()))
            }
            _ => self.into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => {
                AppError::NotFound(format!("No {what} has that address. It may have been deleted."))
            }
            StoreError::Refused(reason) => AppError::Conflict(reason),
            StoreError::Duplicate { .. } => AppError::Conflict("This would duplicate an existing record.".into()),
            other => {
                // The one place a backend failure is logged with its cause; the user gets a reference.
                let reference = format!("{:08x}", rand::random::<u32>());
                tracing::error!(%reference, error = %other, "request failed");
                AppError::Internal(reference)
            }
        }
    }
}
