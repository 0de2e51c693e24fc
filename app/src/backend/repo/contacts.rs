//! Contacts in SurrealDB.
use super::audit::Actor;
use super::{audit_vars, checked, diff, listing, new_key, stored, AUDIT_SQL};
use crate::backend::db::Store;
use crate::backend::error::StoreError;
use crate::backend::error::REFUSAL_MARK;
use crate::domain::audit::AuditAction;
use crate::domain::query::ContactQuery;
use crate::domain::*;
use surrealdb::types::SurrealValue;

#[derive(Debug, SurrealValue)]
struct ContactRow {
    id: String,
    name: String,
    email: String,
    job_title: Option<String>,
    organisation: String,
    organisation_name: String,
    organisation_kind: String,
    influence: i64,
    interest: i64,
    engagement_current: String,
    engagement_target: String,
    subscribed: bool,
    tags: Vec<String>,
    held_since: Option<chrono::DateTime<chrono::Utc>>,
    held_reason: Option<String>,
    lawful_basis: Option<String>,
    basis_source: Option<String>,
    basis_recorded_on: Option<String>,
    basis_recorded_by: Option<String>,
    /// The organisation's area: only the export selects it.
    area: Option<String>,
}

impl ContactRow {
    fn into_domain(self) -> Result<Contact, StoreError> {
        let basis = match (&self.lawful_basis, &self.basis_source, &self.basis_recorded_on) {
            (Some(b), Some(s), Some(on)) => Some(crate::domain::consent::Basis {
                basis: stored("lawful_basis", crate::domain::consent::LawfulBasis::parse(b))?,
                source: stored("basis_source", crate::domain::consent::BasisSource::parse(s))?,
                recorded_on: stored("basis_recorded_on", chrono::NaiveDate::parse_from_str(on, "%Y-%m-%d"))?,
                recorded_by: self.basis_recorded_by.clone().unwrap_or_default(),
            }),
            _ => None,
        };
        let score =
            |field: &str, v: i64| stored(field, u8::try_from(v).map_err(|e| e.to_string()).and_then(Score::new));
        Ok(Contact {
            id: stored("id", ContactId::parse(&self.id))?,
            name: stored("name", PersonName::parse(&self.name))?,
            email: stored("email", EmailAddress::parse(&self.email))?,
            job_title: self
                .job_title
                .map(|t| stored("job_title", JobTitle::parse(&t)))
                .transpose()?,
            organisation: stored("organisation", OrgId::parse(&self.organisation))?,
            organisation_name: stored("organisation_name", OrgName::parse(&self.organisation_name))?,
            organisation_kind: stored("organisation_kind", OrgKind::parse(&self.organisation_kind))?,
            influence: score("influence", self.influence)?,
            interest: score("interest", self.interest)?,
            engagement_current: stored("engagement_current", Engagement::parse(&self.engagement_current))?,
            engagement_target: stored("engagement_target", Engagement::parse(&self.engagement_target))?,
            subscribed: self.subscribed,
            tags: stored("tags", Tags::from_items(self.tags.iter().map(String::as_str)))?,
            held: self.held_since.map(|since| crate::domain::inbound::Held {
                since,
                reason: self.held_reason.unwrap_or_default(),
            }),
            basis,
        })
    }
}

const PROJECTION: &str = "record::id(id) AS id, name, email, job_title, record::id(organisation) AS organisation, \
     organisation.name AS organisation_name, organisation.kind AS organisation_kind, influence, interest, \
     engagement_current, engagement_target, subscribed, tags, held_since, held_reason, \
     lawful_basis, basis_source, basis_recorded_on, basis_recorded_by";

pub struct Contacts<'a> {
    store: &'a Store,
}

impl<'a> Contacts<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// One page of the contacts the query selects (see [`crate::backend::register_view`]).
    pub async fn list(&self, q: &ContactQuery, per_page: u32) -> Result<Page<Contact>, StoreError> {
        Ok(self.store.register_view().await?.contacts_page(q, per_page))
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        Ok(self.store.register_view().await?.contact_count())
    }

    pub async fn for_organisation(&self, org: &OrgId) -> Result<Vec<Contact>, StoreError> {
        Ok(self.store.register_view().await?.contacts_of(org))
    }

    /// Every contact with its organisation's area, and every organisation, read in one
    /// transaction: what the register view is built from.
    pub(crate) async fn all_for_view(&self) -> Result<(Vec<(Contact, Option<String>)>, Vec<Organisation>), StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 SELECT {PROJECTION}, organisation.area AS area FROM contact WHERE erased_at = NONE;
                 SELECT {org} FROM organisation;
                 COMMIT TRANSACTION;",
                org = super::organisations::PROJECTION
            ))
            .await?;
        let rows: Vec<ContactRow> = res.take(1)?;
        let orgs: Vec<super::organisations::OrgRow> = res.take(2)?;
        let contacts = rows
            .into_iter()
            .map(|r| {
                let area = r.area.clone();
                Ok((r.into_domain()?, area))
            })
            .collect::<Result<_, StoreError>>()?;
        let orgs = orgs
            .into_iter()
            .map(super::organisations::OrgRow::into_domain)
            .collect::<Result<_, _>>()?;
        Ok((contacts, orgs))
    }

    pub async fn get(&self, id: &ContactId) -> Result<Contact, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!("SELECT {PROJECTION} FROM ONLY type::record('contact', $id)"))
            .bind(("id", id.as_str().to_string()))
            .await?;
        let row: Option<ContactRow> = res.take(0)?;
        row.ok_or(StoreError::NotFound("contact"))?.into_domain()
    }

    pub async fn create(&self, actor: &Actor, d: &ContactDraft) -> Result<ContactId, StoreError> {
        let key = new_key();
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 IF !record::exists(type::record('organisation', $c.organisation)) {{ THROW '{MISSING_ORG}' }};
                 CREATE type::record('contact', $c.key) SET {CONTACT_SET};
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("c", ContactRecord::of(&key, d, "the edit form")))
            .bind(audit_vars(
                actor,
                AuditAction::Create,
                format!("contact:{key} ({})", d.name),
                listing(&summary(d)),
            ))
            .await?;
        self.store.register_changed();
        checked(res)?;
        stored("id", ContactId::parse(&key))
    }

    pub async fn update(&self, actor: &Actor, id: &ContactId, d: &ContactDraft) -> Result<(), StoreError> {
        let before = self.get(id).await?;
        let before = ContactForm::from_contact(&before)
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
                 IF !record::exists(type::record('organisation', $c.organisation)) {{ THROW '{MISSING_ORG}' }};
                 LET $contact = type::record('contact', $c.key);
                 IF !record::exists($contact) {{ THROW '{REFUSAL_MARK}not-found' }};
                 UPDATE $contact SET {CONTACT_SET}, updated_at = time::now();
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("c", ContactRecord::of(id.as_str(), d, "the edit form")))
            .bind(audit_vars(
                actor,
                AuditAction::Update,
                format!("contact:{id} ({})", d.name),
                changes,
            ))
            .await?;
        self.store.register_changed();
        checked(res).map_err(StoreError::not_found_as("contact"))?;
        Ok(())
    }

    /// The influence × interest map of the contacts `q` selects (see `RegisterView::map`).
    pub async fn map(
        &self,
        q: &ContactQuery,
        then: Option<&std::collections::HashMap<String, crate::domain::stakeholder_map::Cell>>,
    ) -> Result<crate::domain::stakeholder_map::StakeholderMap, StoreError> {
        Ok(self.store.register_view().await?.map(q, then))
    }

    /// The contacts `q` selects that stand in one cell of the map (see `RegisterView::in_cell`).
    pub async fn in_cell(
        &self,
        q: &ContactQuery,
        cell: crate::domain::stakeholder_map::Cell,
        limit: usize,
    ) -> Result<(Vec<Contact>, usize), StoreError> {
        Ok(self.store.register_view().await?.in_cell(q, cell, limit))
    }

    /// Moves a contact on the influence × interest map. Only those two scores are written, so
    /// an edit of anything else made meanwhile is kept; the audit entry is written with them,
    /// and the engagement history records the move (the database event, as for every change
    /// of standing). Returns the contact as it was before.
    pub async fn place(
        &self,
        actor: &Actor,
        id: &ContactId,
        influence: Score,
        interest: Score,
    ) -> Result<Contact, StoreError> {
        let before = self.get(id).await?;
        let changes = diff(&[
            (
                "influence",
                before.influence.get().to_string(),
                influence.get().to_string(),
            ),
            (
                "interest",
                before.interest.get().to_string(),
                interest.get().to_string(),
            ),
        ]);
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $contact = type::record('contact', $id);
                 IF !record::exists($contact) OR $contact.erased_at != NONE {{ THROW '{REFUSAL_MARK}not-found' }};
                 UPDATE $contact SET influence = $influence, interest = $interest, changed_by = $audit_label,
                    updated_at = time::now() RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.as_str().to_string()))
            .bind(("influence", i64::from(influence.get())))
            .bind(("interest", i64::from(interest.get())))
            .bind(audit_vars(
                actor,
                AuditAction::Update,
                format!("contact:{id} ({})", before.name),
                format!("{changes} (moved on the map)"),
            ))
            .await?;
        self.store.register_changed();
        checked(res).map_err(StoreError::not_found_as("contact"))?;
        Ok(before)
    }

    /// A contact's engagement history, oldest first: every change of its influence, interest,
    /// current or target engagement (recorded by the database, see migration 21).
    pub async fn engagement_history(
        &self,
        id: &ContactId,
    ) -> Result<Vec<crate::domain::stakeholder_map::EngagementChange>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(
                "SELECT at, by, influence, interest, current, target FROM engagement_change
                    WHERE contact = type::record('contact', $id) ORDER BY at",
            )
            .bind(("id", id.as_str().to_string()))
            .await?;
        let rows: Vec<ChangeRow> = res.take(0)?;
        rows.into_iter().map(ChangeRow::into_domain).collect()
    }

    /// Each contact's cell (influence, interest) at `at`: its latest change at or before then.
    /// Contacts added later have none.
    pub async fn cells_at(
        &self,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<std::collections::HashMap<String, crate::domain::stakeholder_map::Cell>, StoreError> {
        #[derive(SurrealValue)]
        struct Row {
            contact: String,
            influence: i64,
            interest: i64,
        }
        let mut res = self
            .store
            .db()
            .query(
                "SELECT record::id(contact) AS contact, influence, interest, at FROM engagement_change
                    WHERE at <= $at ORDER BY at",
            )
            .bind(("at", at))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        // Oldest first: the last one kept per contact is its standing at `at`.
        Ok(rows
            .into_iter()
            .map(|r| (r.contact, (r.influence.clamp(1, 5) as u8, r.interest.clamp(1, 5) as u8)))
            .collect())
    }

    /// Every recorded engagement standing (current and target) before `end`, oldest first:
    /// what the board report's SEAM movement is worked out from.
    pub async fn standings_before(
        &self,
        end: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>, crate::domain::board::Standing)>, StoreError> {
        #[derive(SurrealValue)]
        struct Row {
            contact: String,
            at: chrono::DateTime<chrono::Utc>,
            current: String,
            target: String,
        }
        let mut res = self
            .store
            .db()
            .query(
                "SELECT record::id(contact) AS contact, at, current, target FROM engagement_change
                    WHERE at < $end ORDER BY at",
            )
            .bind(("end", end))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        rows.into_iter()
            .map(|r| {
                let standing = crate::domain::board::Standing {
                    current: stored("current", Engagement::parse(&r.current))?,
                    target: stored("target", Engagement::parse(&r.target))?,
                };
                Ok((r.contact, r.at, standing))
            })
            .collect()
    }

    /// Every contact the query matches, in its order, each with its organisation's area:
    /// the register export (no paging: the whole filtered view).
    pub async fn export(&self, q: &ContactQuery) -> Result<Vec<(Contact, Option<String>)>, StoreError> {
        Ok(self.store.register_view().await?.contacts_all(q))
    }

    /// For each kind of organisation: (kind, contacts, below target, resistant now).
    pub async fn sector_summary(&self) -> Result<Vec<crate::domain::register::SectorSummary>, StoreError> {
        Ok(self.store.register_view().await?.sector_summary())
    }

    /// Records why Liaison may email the contact (replacing what was on record), audited.
    pub async fn set_basis(
        &self,
        actor: &Actor,
        id: &ContactId,
        d: &crate::domain::consent::BasisDraft,
    ) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $c = type::record('contact', $id);
                 IF !record::exists($c) {{ THROW '{REFUSAL_MARK}not-found' }};
                 UPDATE $c SET lawful_basis = $basis, basis_source = $source, basis_recorded_on = $on,
                    basis_recorded_by = $audit_label RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.as_str().to_string()))
            .bind(("basis", d.basis.key().to_string()))
            .bind(("source", d.source.key().to_string()))
            .bind(("on", d.recorded_on.format("%Y-%m-%d").to_string()))
            .bind(audit_vars(
                actor,
                AuditAction::Update,
                format!("contact:{id}"),
                format!(
                    "lawful basis: {} ({}, recorded {})",
                    d.basis.label(),
                    d.source.key(),
                    d.recorded_on
                ),
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("contact"))?;
        self.store.register_changed();
        Ok(())
    }

    /// Every change of whether the contact is emailed, newest first.
    pub async fn subscription_history(
        &self,
        id: &ContactId,
    ) -> Result<Vec<crate::domain::consent::SubscriptionChange>, StoreError> {
        #[derive(SurrealValue)]
        struct R {
            at: chrono::DateTime<chrono::Utc>,
            change: String,
            subscribed: bool,
            via: String,
            by: String,
        }
        let res = self
            .store
            .db()
            .query(
                "SELECT at, change, subscribed, via, by FROM subscription_event
                 WHERE contact = type::record('contact', $id) ORDER BY at DESC",
            )
            .bind(("id", id.as_str().to_string()))
            .await?;
        let rows: Vec<R> = checked(res)?.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| crate::domain::consent::SubscriptionChange {
                at: r.at,
                change: match r.change.as_str() {
                    "held" => "Address held".into(),
                    "released" => "Address released".into(),
                    "unsubscribed" => "Unsubscribed".into(),
                    "subscribed" => "Subscribed".into(),
                    _ if r.subscribed => "Subscribed".into(),
                    _ => "Unsubscribed".into(),
                },
                via: r.via,
                by: if r.by.is_empty() { "Liaison".into() } else { r.by },
            })
            .collect())
    }

    /// Replaces a contact's personal data with a tombstone ("Erased contact", an address that
    /// cannot receive mail, nothing else), blanks what they wrote and what was noted about
    /// them, and keeps every delivery's outcome and organisation, so reports keep their
    /// counts. One transaction with its audit entry, which names the record and nothing else.
    pub async fn erase(&self, actor: &Actor, id: &ContactId) -> Result<(), StoreError> {
        // The erased person's name leaves the reports too (their delivery rows are rewritten).
        let _change = crate::backend::freshness::SendingChange::of(self.store);
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $c = type::record('contact', $id);
                 IF !record::exists($c) OR $c.erased_at != NONE {{ THROW '{REFUSAL_MARK}not-found' }};
                 UPDATE $c SET name = 'Erased contact',
                    email = 'erased-' + $id + '@erased.invalid', job_title = NONE, tags = [],
                    subscribed = false, subscription_via = 'erasure', changed_by = 'erasure',
                    held_since = NONE, held_reason = NONE, lawful_basis = NONE, basis_source = NONE,
                    basis_recorded_on = NONE, basis_recorded_by = NONE, erased_at = time::now() RETURN NONE;
                 UPDATE delivery SET name = 'Erased contact', email = '' WHERE contact = $c RETURN NONE;
                 UPDATE interaction SET note = 'Erased', participants = NONE WHERE contact = $c RETURN NONE;
                 UPDATE inbound SET raw = '', text = 'Erased', full_text = 'Erased', from_address = '', from_name = '',
                    subject = 'Erased', message_id = '', envelope_from = '', envelope_to = [], answer = NONE
                    WHERE contact = $c RETURN NONE;
                 -- Frozen recipients of a send under way: the erased person is not sent to.
                 FOR $e IN (SELECT id, entries FROM delivery_entries WHERE entries.*.contact CONTAINS $id) {{
                    UPDATE $e.id SET entries = $e.entries.filter(|$x| $x.contact != $id) RETURN NONE;
                 }};
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.as_str().to_string()))
            .bind(audit_vars(
                actor,
                AuditAction::Erase,
                format!("contact:{id}"),
                String::new(),
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("contact"))?;
        self.store.register_changed();
        Ok(())
    }

    /// Contacts nobody has emailed or met since `cutoff` (and added before it), longest
    /// silent first: the retention review. Each contact's latest delivery and interaction
    /// are read through their indexes.
    pub async fn silent_since(
        &self,
        cutoff: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<crate::domain::consent::Silent>, StoreError> {
        #[derive(SurrealValue)]
        struct R {
            id: String,
            name: String,
            organisation: Option<String>,
            created_at: chrono::DateTime<chrono::Utc>,
            last_sent: Option<chrono::DateTime<chrono::Utc>>,
            last_interaction: Option<chrono::DateTime<chrono::Utc>>,
        }
        let res = self
            .store
            .db()
            .query(
                "SELECT record::id(id) AS id, name, organisation.name AS organisation, created_at,
                    (SELECT VALUE sent_at FROM delivery WHERE contact = $parent.id AND sent_at != NONE
                        ORDER BY sent_at DESC LIMIT 1)[0] AS last_sent,
                    (SELECT VALUE at FROM interaction WHERE contact = $parent.id ORDER BY at DESC LIMIT 1)[0] AS last_interaction
                 FROM contact WHERE erased_at = NONE AND created_at < $cutoff",
            )
            .bind(("cutoff", cutoff))
            .await?;
        let rows: Vec<R> = checked(res)?.take(0)?;
        let mut out: Vec<crate::domain::consent::Silent> = rows
            .into_iter()
            .filter_map(|r| {
                let last = [Some(r.created_at), r.last_sent, r.last_interaction]
                    .into_iter()
                    .flatten()
                    .max()?;
                (last < cutoff).then(|| crate::domain::consent::Silent {
                    id: r.id,
                    name: r.name,
                    organisation: r.organisation.unwrap_or_default(),
                    last,
                    ever_contacted: r.last_sent.is_some() || r.last_interaction.is_some(),
                })
            })
            .collect();
        out.sort_by_key(|s| s.last);
        Ok(out)
    }

    /// The contact with this email address, if any.
    pub async fn id_by_email(&self, email: &EmailAddress) -> Result<Option<ContactId>, StoreError> {
        let res = self
            .store
            .db()
            .query("SELECT VALUE record::id(id) FROM contact WHERE email = $email LIMIT 1")
            .bind(("email", email.as_str().to_string()))
            .await?;
        let ids: Vec<String> = checked(res)?.take(0)?;
        ids.into_iter()
            .next()
            .map(|id| stored("id", ContactId::parse(&id)))
            .transpose()
    }

    /// Every contact as a draft, by lower-case email: what an import is matched against.
    pub async fn drafts_by_email(
        &self,
    ) -> Result<std::collections::HashMap<String, (ContactId, ContactDraft)>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!("SELECT {PROJECTION} FROM contact WHERE erased_at = NONE"))
            .await?;
        let rows: Vec<ContactRow> = res.take(0)?;
        let mut out = std::collections::HashMap::with_capacity(rows.len());
        for row in rows {
            let c = row.into_domain()?;
            let draft = ContactForm::from_contact(&c)
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("contact {}: {e:?}", c.id)))?;
            out.insert(c.email.as_str().to_lowercase(), (c.id, draft));
        }
        Ok(out)
    }

    pub async fn delete(&self, actor: &Actor, id: &ContactId) -> Result<(), StoreError> {
        let before = self.get(id).await?;
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $c = type::record('contact', $id);
                 IF !record::exists($c) {{ THROW '{REFUSAL_MARK}not-found' }};
                 DELETE $c;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.as_str().to_string()))
            .bind(audit_vars(
                actor,
                AuditAction::Delete,
                format!("contact:{id} ({})", before.name),
                "deleted".into(),
            ))
            .await?;
        self.store.register_changed();
        checked(res).map_err(StoreError::not_found_as("contact"))?;
        Ok(())
    }
}

const MISSING_ORG: &str = "liaison-refused:The selected organisation no longer exists. Choose another.";

/// The fields the audit log names, in a fixed order (the email is personal data, but the
/// register already holds it and the audit log is readable by programme managers only).
fn summary(d: &ContactDraft) -> Vec<(&'static str, String)> {
    vec![
        ("name", d.name.to_string()),
        ("email", d.email.to_string()),
        (
            "job_title",
            d.job_title.as_ref().map(|t| t.to_string()).unwrap_or_default(),
        ),
        ("organisation", d.organisation.to_string()),
        ("influence", d.influence.get().to_string()),
        ("interest", d.interest.get().to_string()),
        ("engagement_current", d.engagement_current.key().to_string()),
        ("engagement_target", d.engagement_target.key().to_string()),
        ("subscribed", d.subscribed.to_string()),
        ("tags", d.tags.to_string()),
    ]
}

/// A contact as written: what every write of a contact sets (the form, an import), bound as
/// `$c` for [`CONTACT_SET`].
#[derive(Debug, Clone, SurrealValue)]
pub(crate) struct ContactRecord {
    pub key: String,
    organisation: String,
    name: String,
    email: String,
    job_title: Option<String>,
    influence: i64,
    interest: i64,
    engagement_current: String,
    engagement_target: String,
    subscribed: bool,
    tags: Vec<String>,
    /// How a change of subscription was made, for the subscription history.
    via: String,
}

impl ContactRecord {
    /// The record a change through `via` writes ("the edit form", "an import").
    pub(crate) fn of(key: &str, d: &ContactDraft, via: &str) -> Self {
        ContactRecord {
            key: key.to_string(),
            organisation: d.organisation.as_str().to_string(),
            name: d.name.as_str().to_string(),
            email: d.email.as_str().to_string(),
            job_title: d.job_title.as_ref().map(|t| t.to_string()),
            influence: d.influence.get() as i64,
            interest: d.interest.get() as i64,
            engagement_current: d.engagement_current.key().to_string(),
            engagement_target: d.engagement_target.key().to_string(),
            subscribed: d.subscribed,
            tags: d.tags.as_slice().to_vec(),
            via: via.to_string(),
        }
    }

    /// The first rows of this new contact's engagement and subscription histories, as the
    /// history events would write them (migration 26), for a writer that writes them itself in
    /// bulk with `$history_written = true` (an import; see migration 30). `by` is the audit label.
    pub(crate) fn first_history(
        &self,
        by: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> (EngagementChangeRow, SubscriptionRow) {
        let contact = surrealdb::types::RecordId::new("contact", self.key.as_str());
        let engagement = EngagementChangeRow {
            contact: contact.clone(),
            at,
            by: by.to_string(),
            influence: self.influence,
            interest: self.interest,
            current: self.engagement_current.clone(),
            target: self.engagement_target.clone(),
        };
        let subscription = SubscriptionRow {
            contact,
            at,
            subscribed: self.subscribed,
            change: if self.subscribed { "subscribed" } else { "unsubscribed" }.to_string(),
            via: format!("added to the register through {}", self.via),
            by: by.to_string(),
        };
        (engagement, subscription)
    }
}

/// A row of `engagement_change` as written.
#[derive(Debug, SurrealValue)]
pub(crate) struct EngagementChangeRow {
    contact: surrealdb::types::RecordId,
    at: chrono::DateTime<chrono::Utc>,
    by: String,
    influence: i64,
    interest: i64,
    current: String,
    target: String,
}

/// A row of `subscription_event` as written.
#[derive(Debug, SurrealValue)]
pub(crate) struct SubscriptionRow {
    contact: surrealdb::types::RecordId,
    at: chrono::DateTime<chrono::Utc>,
    subscribed: bool,
    change: String,
    via: String,
    by: String,
}

/// The fields of a contact written from `$c` (a [`ContactRecord`]).
/// A held address is released when the address changes: the hold assignments come first, so
/// they compare the stored address with the new one.
pub(crate) const CONTACT_SET: &str = "held_since = IF email = $c.email { held_since } ELSE { NONE },
    held_reason = IF email = $c.email { held_reason } ELSE { NONE },
    organisation = type::record('organisation', $c.organisation), name = $c.name, email = $c.email, job_title = $c.job_title, influence = $c.influence,
    interest = $c.interest, engagement_current = $c.engagement_current, engagement_target = $c.engagement_target,
    subscribed = $c.subscribed, tags = $c.tags, changed_by = $audit_label,
    subscription_via = $c.via";

#[derive(SurrealValue)]
struct ChangeRow {
    at: chrono::DateTime<chrono::Utc>,
    by: String,
    influence: i64,
    interest: i64,
    current: String,
    target: String,
}

impl ChangeRow {
    fn into_domain(self) -> Result<crate::domain::stakeholder_map::EngagementChange, StoreError> {
        let score = |v: i64| Score::new(u8::try_from(v).unwrap_or(0));
        Ok(crate::domain::stakeholder_map::EngagementChange {
            at: self.at,
            by: self.by,
            influence: stored("influence", score(self.influence))?,
            interest: stored("interest", score(self.interest))?,
            current: stored("current", Engagement::parse(&self.current))?,
            target: stored("target", Engagement::parse(&self.target))?,
        })
    }
}
