//! Register imports: an uploaded file kept between its preview and its commit, and the commit
//! itself, which writes every valid row in one transaction.
use super::audit::Actor;
use super::contacts::{ContactRecord, CONTACT_SET};
use super::organisations::{OrganisationRecord, ORGANISATION_SET};
use super::{audit_vars, checked, AUDIT_SQL};
use crate::backend::db::Store;
use crate::backend::error::{StoreError, REFUSAL_MARK};
use crate::domain::audit::AuditAction;
use crate::domain::import::{Counts, ImportPlan};
use crate::domain::OrganisationDraft;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

/// A staged or committed import.
#[derive(Debug, Clone, SurrealValue)]
pub struct StagedImport {
    pub id: String,
    pub filename: String,
    /// The decoded file; emptied by the commit (the register now holds what it said).
    pub text: String,
    pub committed_at: Option<DateTime<Utc>>,
    /// What the commit did, in words.
    pub result: Option<String>,
    /// The rows the commit could not import, as CSV with an error column.
    pub errors_csv: Option<String>,
    /// The column mapping chosen on the preview (field keys, blank for none), if one was.
    pub mapping: Option<Vec<String>>,
}

pub struct Imports<'a> {
    store: &'a Store,
}

impl<'a> Imports<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Keeps an uploaded file (already decoded and checked to parse) for its preview.
    pub async fn stage(&self, actor: &Actor, filename: &str, text: &str) -> Result<String, StoreError> {
        let key = super::new_key();
        let res = self
            .store
            .db()
            .query(
                "CREATE type::record('import', $key) SET filename = $filename, text = $text,
                    created_by = $audit_label, created_at = time::now()",
            )
            .bind(("key", key.clone()))
            .bind(("filename", filename.chars().take(200).collect::<String>()))
            .bind(("text", text.to_string()))
            .bind(audit_vars(
                actor,
                AuditAction::Upload,
                format!("import:{key}"),
                String::new(),
            ))
            .await?;
        checked(res)?;
        Ok(key)
    }

    pub async fn get(&self, id: &str) -> Result<StagedImport, StoreError> {
        let mut res = self
            .store
            .db()
            .query(
                "SELECT record::id(id) AS id, filename, text, committed_at, result, errors_csv, mapping
                    FROM ONLY type::record('import', $id)",
            )
            .bind(("id", id.to_string()))
            .await?;
        let row: Option<StagedImport> = res.take(0)?;
        row.ok_or(StoreError::NotFound("import"))
    }

    /// Keeps the column mapping chosen on the preview of a file not yet imported.
    pub async fn set_mapping(&self, actor: &Actor, id: &str, keys: Vec<String>) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $i = type::record('import', $id);
                 IF !record::exists($i) {{ THROW '{REFUSAL_MARK}not-found' }};
                 IF $i.committed_at != NONE {{ THROW '{REFUSAL_MARK}This file has already been imported: upload it again to import it with other columns.' }};
                 UPDATE $i SET mapping = $keys RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(("keys", keys.clone()))
            .bind(audit_vars(
                actor,
                AuditAction::Update,
                format!("import:{id}"),
                format!("columns: {}", keys.join(", ")),
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("import"))?;
        Ok(())
    }

    /// Writes the plan's new organisations, creates and updates in one transaction (all or
    /// nothing), marks the import committed (once) and audits it with its counts.
    pub async fn commit(
        &self,
        actor: &Actor,
        id: &str,
        plan: &ImportPlan,
        counts: Counts,
        errors_csv: String,
    ) -> Result<String, StoreError> {
        let orgs: Vec<OrganisationRecord> = plan
            .new_organisations
            .iter()
            .map(|o| {
                OrganisationRecord::of(
                    o.id.as_str(),
                    &OrganisationDraft {
                        name: o.name.clone(),
                        kind: o.kind,
                        area: o.area.clone(),
                        ods_code: None,
                        ukprn: None,
                        notes: None,
                    },
                )
            })
            .collect();
        let mut creates = Vec::new();
        let mut updates = Vec::new();
        for row in &plan.rows {
            match (&row.outcome, &row.draft) {
                (crate::domain::import::Outcome::Create, Some(d)) => {
                    creates.push(ContactRecord::of(&super::new_key(), d, "an import"));
                }
                (crate::domain::import::Outcome::Update(_), Some(d)) => {
                    if let Some(c) = &row.contact {
                        updates.push(ContactRecord::of(c.as_str(), d, "an import"));
                    }
                }
                _ => {}
            }
        }
        let result = format!(
            "{} created, {} updated, {} unchanged, {} not imported (errors), {} new organisations",
            counts.create, counts.update, counts.unchanged, counts.error, counts.new_organisations
        );
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $i = type::record('import', $id);
                 IF !record::exists($i) {{ THROW '{REFUSAL_MARK}not-found' }};
                 IF $i.committed_at != NONE {{ THROW '{REFUSAL_MARK}This file has already been imported.' }};
                 FOR $o IN $orgs {{ CREATE type::record('organisation', $o.key) SET {ORGANISATION_SET} RETURN NONE; }};
                 FOR $c IN $creates {{ CREATE type::record('contact', $c.key) SET {CONTACT_SET} RETURN NONE; }};
                 FOR $c IN $updates {{
                     UPDATE type::record('contact', $c.key) SET {CONTACT_SET}, updated_at = time::now() RETURN NONE;
                 }};
                 UPDATE $i SET committed_at = time::now(), text = '', result = $result, errors_csv = $errors_csv RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(("orgs", orgs))
            .bind(("creates", creates))
            .bind(("updates", updates))
            .bind(("result", result.clone()))
            .bind(("errors_csv", errors_csv))
            .bind(audit_vars(actor, AuditAction::Import, format!("import:{id}"), result.clone()))
            .await?;
        self.store.register_changed();
        checked(res).map_err(StoreError::not_found_as("import"))?;
        Ok(result)
    }
}
