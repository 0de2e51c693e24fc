//! One module per aggregate: the only place SurrealQL appears (besides migrations). Every
//! value from outside is bound as a parameter, never formatted into a statement.
pub mod contacts;
pub mod organisations;

use super::error::{classify, StoreError};
use surrealdb::IndexedResults;

/// Fails with the statement error that explains a response, if any statement failed.
pub(crate) fn checked(mut res: IndexedResults) -> Result<IndexedResults, StoreError> {
    match classify(res.take_errors()) {
        Some(e) => Err(e),
        None => Ok(res),
    }
}

/// Parses a stored value into its domain type; a failure means the row was corrupted outside
/// the application (the schema's assertions should make it impossible).
pub(crate) fn stored<T, E: std::fmt::Display>(field: &str, r: Result<T, E>) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Corrupt(format!("{field}: {e}")))
}

/// Lower-cased key used for case-insensitive uniqueness, search and sorting.
pub(crate) fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}
