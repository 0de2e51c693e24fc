//! Organisations in SurrealDB.
use super::audit::Actor;
use super::{audit_vars, checked, diff, fold, listing, new_key, stored, AUDIT_SQL};
use crate::backend::db::{retry_conflicts, Store};
use crate::backend::error::{StoreError, REFUSAL_MARK};
use crate::domain::audit::AuditAction;
use crate::domain::query::{ListQuery, OrgSort};
use crate::domain::*;
use surrealdb::types::SurrealValue;

#[derive(Debug, SurrealValue)]
pub(crate) struct OrgRow {
    id: String,
    name: String,
    kind: String,
    area: Option<String>,
    ods_code: Option<String>,
    ukprn: Option<String>,
    notes: Option<String>,
}

impl OrgRow {
    pub(crate) fn into_domain(self) -> Result<Organisation, StoreError> {
        Ok(Organisation {
            id: stored("id", OrgId::parse(&self.id))?,
            name: stored("name", OrgName::parse(&self.name))?,
            kind: stored("kind", OrgKind::parse(&self.kind))?,
            area: self.area.map(|a| stored("area", Area::parse(&a))).transpose()?,
            ods_code: self
                .ods_code
                .map(|c| stored("ods_code", OdsCode::parse(&c)))
                .transpose()?,
            ukprn: self.ukprn.map(|c| stored("ukprn", Ukprn::parse(&c))).transpose()?,
            notes: self.notes.map(|n| stored("notes", Notes::parse(&n))).transpose()?,
            // Counted by the register view, which holds every contact (see `get`).
            contact_count: 0,
        })
    }
}

pub(crate) const PROJECTION: &str = "record::id(id) AS id, name, kind, area, ods_code, ukprn, notes";

pub struct Organisations<'a> {
    store: &'a Store,
}

impl<'a> Organisations<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// A page of organisations: search covers the name (any word, from its start, without
    /// regard to case or accents) and, typed exactly, the ODS code or UKPRN.
    pub async fn list(&self, q: &ListQuery, sort: OrgSort, per_page: u32) -> Result<Page<Organisation>, StoreError> {
        Ok(self.store.register_view().await?.organisations_page(q, sort, per_page))
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        Ok(self.store.register_view().await?.organisation_count())
    }

    pub async fn get(&self, id: &OrgId) -> Result<Organisation, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {PROJECTION} FROM ONLY type::record('organisation', $id)"
            ))
            .bind(("id", id.as_str().to_string()))
            .await?;
        let row: Option<OrgRow> = res.take(0)?;
        let mut org = row.ok_or(StoreError::NotFound("organisation"))?.into_domain()?;
        org.contact_count = self.store.register_view().await?.contact_count_of(id);
        Ok(org)
    }

    pub async fn options(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self.store.register_view().await?.organisation_options())
    }

    /// Every organisation's (id, name, kind): what an import matches organisation names against.
    pub async fn names(&self) -> Result<Vec<(OrgId, String, OrgKind)>, StoreError> {
        #[derive(SurrealValue)]
        struct N {
            id: String,
            name: String,
            kind: String,
        }
        let mut res = self
            .store
            .db()
            .query("SELECT record::id(id) AS id, name, kind FROM organisation")
            .await?;
        let rows: Vec<N> = res.take(0)?;
        rows.into_iter()
            .map(|n| {
                Ok((
                    stored("id", OrgId::parse(&n.id))?,
                    n.name,
                    stored("kind", OrgKind::parse(&n.kind))?,
                ))
            })
            .collect()
    }

    pub async fn create(&self, actor: &Actor, d: &OrganisationDraft) -> Result<OrgId, StoreError> {
        let key = new_key();
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 CREATE type::record('organisation', $o.key) SET {ORGANISATION_SET};
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("o", OrganisationRecord::of(&key, d)))
            .bind(audit_vars(
                actor,
                AuditAction::Create,
                format!("organisation:{key} ({})", d.name),
                listing(&summary(d)),
            ))
            .await?;
        self.store.register_changed();
        checked(res)?;
        stored("id", OrgId::parse(&key))
    }

    pub async fn update(&self, actor: &Actor, id: &OrgId, d: &OrganisationDraft) -> Result<(), StoreError> {
        let before = self.get(id).await?;
        let before = OrganisationForm::from_organisation(&before)
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("{e:?}")))?;
        let changes = diff(
            &summary(&before)
                .into_iter()
                .zip(summary(d))
                .map(|((f, a), (_, b))| (f, a, b))
                .collect::<Vec<_>>(),
        );
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $org = type::record('organisation', $o.key);
                 IF !record::exists($org) {{ THROW '{REFUSAL_MARK}not-found' }};
                 UPDATE $org SET {ORGANISATION_SET}, updated_at = time::now();
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("o", OrganisationRecord::of(id.as_str(), d)))
            .bind(audit_vars(
                actor,
                AuditAction::Update,
                format!("organisation:{id} ({})", d.name),
                changes,
            ))
            .await?;
        self.store.register_changed();
        checked(res).map_err(StoreError::not_found_as("organisation"))?;
        Ok(())
    }

    /// Refused while the organisation still has contacts: the check and the delete run in one
    /// transaction, so a contact added meanwhile cannot be orphaned.
    pub async fn delete(&self, actor: &Actor, id: &OrgId) -> Result<(), StoreError> {
        let before = self.get(id).await?;
        let key = id.as_str().to_string();
        retry_conflicts(|| {
            let key = key.clone();
            let audit = audit_vars(actor, AuditAction::Delete, format!("organisation:{key} ({})", before.name), "deleted".into());
            async move {
                let res = self
                    .store
                    .db()
                    .query(format!(
                        "BEGIN TRANSACTION;
                         LET $org = type::record('organisation', $id);
                         IF !record::exists($org) {{ THROW '{REFUSAL_MARK}not-found' }};
                         LET $n = array::len((SELECT VALUE id FROM contact WHERE organisation = $org));
                         IF $n > 0 {{ THROW '{REFUSAL_MARK}This organisation still has ' + <string>$n + ' contact(s). Move or delete them first, then delete the organisation.' }};
                         DELETE $org;
                         {AUDIT_SQL}
                         COMMIT TRANSACTION;"
                    ))
                    .bind(("id", key))
                    .bind(audit)
                    .await?;
                self.store.register_changed();
                checked(res).map(|_| ())
            }
        })
        .await
        .map_err(StoreError::not_found_as("organisation"))
    }
}

/// The fields the audit log names, in a fixed order.
fn summary(d: &OrganisationDraft) -> Vec<(&'static str, String)> {
    let opt = |v: Option<String>| v.unwrap_or_default();
    vec![
        ("name", d.name.to_string()),
        ("kind", d.kind.label().to_string()),
        ("area", opt(d.area.as_ref().map(|a| a.to_string()))),
        ("ods_code", opt(d.ods_code.as_ref().map(|c| c.as_str().to_string()))),
        ("ukprn", opt(d.ukprn.as_ref().map(|c| c.as_str().to_string()))),
        ("notes", opt(d.notes.as_ref().map(|n| n.to_string()))),
    ]
}

/// An organisation as written (by the form or an import), bound as `$o` for
/// [`ORGANISATION_SET`].
#[derive(Debug, Clone, SurrealValue)]
pub(crate) struct OrganisationRecord {
    pub key: String,
    name: String,
    name_key: String,
    kind: String,
    area: Option<String>,
    ods_code: Option<String>,
    ukprn: Option<String>,
    notes: Option<String>,
}

impl OrganisationRecord {
    pub(crate) fn of(key: &str, d: &OrganisationDraft) -> Self {
        OrganisationRecord {
            key: key.to_string(),
            name: d.name.as_str().to_string(),
            name_key: fold(d.name.as_str()),
            kind: d.kind.key().to_string(),
            area: d.area.as_ref().map(|a| a.to_string()),
            ods_code: d.ods_code.as_ref().map(|c| c.as_str().to_string()),
            ukprn: d.ukprn.as_ref().map(|c| c.as_str().to_string()),
            notes: d.notes.as_ref().map(|n| n.to_string()),
        }
    }
}

/// The fields of an organisation written from `$o` (an [`OrganisationRecord`]).
pub(crate) const ORGANISATION_SET: &str = "name = $o.name, name_key = $o.name_key, kind = $o.kind, area = $o.area,
    ods_code = $o.ods_code, ukprn = $o.ukprn, notes = $o.notes";
