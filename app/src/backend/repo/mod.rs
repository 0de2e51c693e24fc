//! One module per aggregate: the only place SurrealQL appears (besides migrations). Every
//! value from outside is bound as a parameter, never formatted into a statement.
pub mod accounts;
pub mod audit;
pub mod briefings;
pub mod contacts;
pub mod deliveries;
pub mod imports;
pub mod inbound;
pub mod interactions;
pub mod organisations;
pub mod plan;
pub mod segments;
pub mod send_control;
pub mod tallies;
pub mod throttle;
pub mod users;
pub mod workstreams;

use super::error::{classify, StoreError};
use surrealdb::IndexedResults;

/// Fails with the statement error that explains a response, if any statement failed.
pub(crate) fn checked(mut res: IndexedResults) -> Result<IndexedResults, StoreError> {
    match classify(res.take_errors()) {
        Some(e) => Err(e),
        None => Ok(res),
    }
}

/// The value a transaction `RETURN`s: the last statement whose result reads as `Some(T)`
/// (statements after the RETURN, such as COMMIT, give nothing).
pub(crate) fn returned<T: surrealdb::types::SurrealValue>(res: &mut IndexedResults) -> Option<T> {
    (0..res.num_statements())
        .rev()
        .find_map(|i| res.take::<Option<T>>(i).ok().flatten())
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

/// The statement that records a change in the audit log, for use inside the change's own
/// transaction (with the variables from [`audit_vars`]), so a change and its record of who
/// made it are written together or not at all.
pub(crate) const AUDIT_SQL: &str = "CREATE audit SET at = time::now(),
    actor = IF $audit_actor = NONE { NONE } ELSE { type::record('user', $audit_actor) },
    actor_label = $audit_label, action = $audit_action, record = $audit_record, changes = $audit_changes;";

/// [`AUDIT_SQL`] for a removal that archives a record still referenced (`$used` true) and
/// deletes one nothing refers to: the entry says which happened.
pub(crate) const REMOVAL_AUDIT_SQL: &str = "CREATE audit SET at = time::now(),
    actor = IF $audit_actor = NONE { NONE } ELSE { type::record('user', $audit_actor) },
    actor_label = $audit_label, action = IF $used { 'archive' } ELSE { 'delete' }, record = $audit_record,
    changes = $audit_changes;";

pub(crate) fn audit_vars(
    actor: &audit::Actor,
    action: crate::domain::audit::AuditAction,
    record: String,
    changes: String,
) -> surrealdb::types::Variables {
    let mut v = surrealdb::types::Variables::new();
    let (id, label) = match actor {
        audit::Actor::User { id, label } => (Some(id.as_str().to_string()), label.clone()),
        audit::Actor::Other(label) => (None, label.clone()),
    };
    v.insert("audit_actor", id);
    v.insert("audit_label", label);
    v.insert("audit_action", action.key().to_string());
    v.insert("audit_record", record);
    v.insert("audit_changes", changes);
    v
}

/// The statement that refuses a save of `record` (a SurrealQL variable holding a record with
/// `version`, `updated_by` and `updated_at`) when someone saved it since the form read
/// `$version`: the lost-update check, run inside the save's own transaction. `what` names the
/// record for the person ("audience", "plan item").
pub(crate) fn stale_check(record: &str, what: &str) -> String {
    format!(
        "IF ({record}.version ?? 1) != $version {{
             THROW '{mark}This {what} was changed by ' + ({record}.updated_by ?? 'someone') + ' at '
                + time::format({record}.updated_at ?? time::now(), '%Y-%m-%d %H:%M UTC')
                + ' since you opened it. Your changes are below: check them against the saved version, then save again.'
         }};",
        mark = super::error::REFUSAL_MARK
    )
}

/// "field: before → after" for each field that changed; `(field, before, after)` triples.
pub(crate) fn diff(fields: &[(&str, String, String)]) -> String {
    let changed: Vec<String> = fields
        .iter()
        .filter(|(_, a, b)| a != b)
        .map(|(f, a, b)| format!("{f}: {} → {}", show(a), show(b)))
        .collect();
    if changed.is_empty() {
        "no changes".into()
    } else {
        changed.join("; ")
    }
}

/// "field: value" for each non-empty field of a new record.
pub(crate) fn listing(fields: &[(&str, String)]) -> String {
    fields
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(f, v)| format!("{f}: {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn show(s: &str) -> &str {
    if s.is_empty() {
        "(none)"
    } else {
        s
    }
}

/// A new record key: 20 random lower-case letters and digits (as SurrealDB's own), chosen here
/// so the audit entry written in the same transaction can name the record.
pub(crate) fn new_key() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_name_only_what_changed() {
        let d = diff(&[
            ("name", "A".into(), "A".into()),
            ("kind", "hei".into(), "other".into()),
            ("area", "".into(), "X".into()),
        ]);
        assert_eq!(d, "kind: hei → other; area: (none) → X");
        assert_eq!(diff(&[("name", "A".into(), "A".into())]), "no changes");
    }

    #[test]
    fn keys_are_random() {
        let (a, b) = (new_key(), new_key());
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
    }
}
