//! Register imports: an uploaded file kept between its preview and its commit, and the commit
//! itself, which writes every valid row in one transaction.
use super::audit::Actor;
use super::contacts::{ContactRecord, CONTACT_SET};
use super::organisations::{OrganisationRecord, ORGANISATION_SET};
use super::{audit_vars, checked, AUDIT_SQL};
use crate::backend::db::Store;
use crate::backend::error::{StoreError, REFUSAL_MARK};
use crate::domain::audit::AuditAction;
use crate::domain::import::{Counts, ImportPlan, Outcome};
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

/// How many contacts an import writes per statement of its transaction (see `Imports::commit`).
const CHUNK: usize = 500;

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
    ///
    /// The transaction is the SDK's (begin, statements, commit) rather than one query with
    /// BEGIN/COMMIT inside: the rows go in [`CHUNK`] at a time, so only one chunk of them is
    /// held as query values at once. As one query, 10,000 rows were bound (and copied by the
    /// database for each loop) all together, which put the server's peak memory over 250 MB.
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
                (Outcome::Create, Some(d)) => creates.push(ContactRecord::of(&super::new_key(), d, "an import")),
                (Outcome::Update(_), Some(d)) => {
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
        let tx = self.store.db().clone().begin().await?;
        let written = self
            .write(&tx, actor, id, orgs, &creates, &updates, &result, errors_csv)
            .await;
        match written {
            Ok(()) => {
                tx.commit().await?;
                self.store.register_changed();
                Ok(result)
            }
            Err(e) => {
                // Nothing is kept; the refusal or failure is what the person needs to hear.
                let _ = tx.cancel().await;
                Err(e)
            }
        }
    }

    /// The statements of [`Self::commit`], inside its transaction.
    #[allow(clippy::too_many_arguments)]
    async fn write(
        &self,
        tx: &surrealdb::method::Transaction<surrealdb::engine::any::Any>,
        actor: &Actor,
        id: &str,
        orgs: Vec<OrganisationRecord>,
        creates: &[ContactRecord],
        updates: &[ContactRecord],
        result: &str,
        errors_csv: String,
    ) -> Result<(), StoreError> {
        let not_found = StoreError::not_found_as("import");
        let res = tx
            .query(format!(
                "LET $i = type::record('import', $id);
                 IF !record::exists($i) {{ THROW '{REFUSAL_MARK}not-found' }};
                 IF $i.committed_at != NONE {{ THROW '{REFUSAL_MARK}This file has already been imported.' }};
                 UPDATE $i SET committed_at = time::now(), text = '', result = $result, errors_csv = $errors_csv RETURN NONE;
                 FOR $o IN $orgs {{ CREATE type::record('organisation', $o.key) SET {ORGANISATION_SET} RETURN NONE; }};
                 {AUDIT_SQL}"
            ))
            .bind(("id", id.to_string()))
            .bind(("orgs", orgs))
            .bind(("result", result.to_string()))
            .bind(("errors_csv", errors_csv))
            .bind(audit_vars(actor, AuditAction::Import, format!("import:{id}"), result.to_string()))
            .await?;
        checked(res).map_err(not_found)?;
        let (by, now) = (actor.label(), Utc::now());
        for chunk in creates.chunks(CHUNK) {
            // The new contacts' first history rows, in bulk rather than by the events.
            let (engagement, subscription): (Vec<_>, Vec<_>) = chunk.iter().map(|c| c.first_history(&by, now)).unzip();
            let mut rows = surrealdb::types::Variables::new();
            rows.insert("creates", chunk.to_vec());
            rows.insert("engagement", engagement);
            rows.insert("subscription", subscription);
            rows.insert("audit_label", by.clone());
            let res = tx
                .query(format!(
                    "LET $history_written = true;
                     FOR $c IN $creates {{ CREATE type::record('contact', $c.key) SET {CONTACT_SET} RETURN NONE; }};
                     INSERT INTO engagement_change $engagement RETURN NONE;
                     INSERT INTO subscription_event $subscription RETURN NONE;"
                ))
                .bind(rows)
                .await?;
            checked(res)?;
        }
        for chunk in updates.chunks(CHUNK) {
            let mut rows = surrealdb::types::Variables::new();
            rows.insert("updates", chunk.to_vec());
            rows.insert("audit_label", by.clone());
            let res = tx
                .query(format!(
                    "FOR $c IN $updates {{
                         UPDATE type::record('contact', $c.key) SET {CONTACT_SET}, updated_at = time::now() RETURN NONE;
                     }};"
                ))
                .bind(rows)
                .await?;
            checked(res)?;
        }
        Ok(())
    }
}
