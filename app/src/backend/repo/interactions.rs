//! The interaction log: what people logged with a contact or an organisation, and the
//! follow-ups they owe.
use super::audit::Actor;
use super::{audit_vars, checked, diff, listing, stale_check, stored, AUDIT_SQL};
use crate::backend::db::Store;
use crate::backend::error::{StoreError, REFUSAL_MARK};
use crate::domain::audit::AuditAction;
use crate::domain::interaction::{Interaction, InteractionDraft, InteractionKind};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use surrealdb::types::SurrealValue;

/// Whom an interaction is with.
#[derive(Debug, Clone, PartialEq)]
pub enum With {
    Contact(String),
    Organisation(String),
}

#[derive(SurrealValue)]
struct Row {
    id: String,
    kind: String,
    date: Option<String>,
    participants: Option<String>,
    note: String,
    follow_up_on: Option<String>,
    follow_up_owner: Option<String>,
    follow_up_owner_name: Option<String>,
    follow_up_done: bool,
    author: Option<String>,
    author_name: Option<String>,
    with_link: String,
    with_name: Option<String>,
    version: Option<i64>,
    plan_item: Option<String>,
}

const FIELDS: &str = "record::id(id) AS id, kind, date, participants, note, follow_up_on,
    (IF follow_up_owner != NONE { record::id(follow_up_owner) }) AS follow_up_owner,
    follow_up_owner.name AS follow_up_owner_name, follow_up_done != NONE AS follow_up_done,
    (IF author != NONE { record::id(author) }) AS author, author_name,
    (IF contact != NONE { '/contacts/' + record::id(contact) } ELSE { '/organisations/' + record::id(organisation) }) AS with_link,
    (IF contact != NONE { contact.name } ELSE { organisation.name }) AS with_name, version,
    (IF plan_item != NONE { record::id(plan_item) }) AS plan_item";

fn day(field: &str, s: &str) -> Result<NaiveDate, StoreError> {
    stored(field, NaiveDate::parse_from_str(s, "%Y-%m-%d"))
}

impl Row {
    fn into_domain(self) -> Result<Interaction, StoreError> {
        Ok(Interaction {
            kind: stored("kind", InteractionKind::parse(&self.kind))?,
            date: day("date", self.date.as_deref().unwrap_or_default())?,
            follow_up_on: self
                .follow_up_on
                .as_deref()
                .map(|d| day("follow_up_on", d))
                .transpose()?,
            id: self.id,
            participants: self.participants.unwrap_or_default(),
            summary: self.note,
            follow_up_owner: self.follow_up_owner,
            follow_up_owner_name: self.follow_up_owner_name,
            follow_up_done: self.follow_up_done,
            author: self.author,
            author_name: self.author_name.unwrap_or_default(),
            with: (self.with_link, self.with_name.unwrap_or_default()),
            version: self.version.unwrap_or(1).clamp(0, i64::from(u32::MAX)) as u32,
            plan_item: self.plan_item,
        })
    }
}

fn summary(d: &InteractionDraft) -> Vec<(&'static str, String)> {
    vec![
        ("kind", d.kind.key().to_string()),
        ("date", d.date.to_string()),
        ("participants", d.participants.clone()),
        ("summary", d.summary.clone()),
        (
            "follow up on",
            d.follow_up_on.map(|x| x.to_string()).unwrap_or_default(),
        ),
        ("follow up by", d.follow_up_owner.clone().unwrap_or_default()),
        ("plan item", d.plan_item.clone().unwrap_or_default()),
    ]
}

pub struct Interactions<'a> {
    store: &'a Store,
}

/// The variables every write binds: `$owner` is the follow-up's owner (the author when the
/// form names nobody), NONE without a follow-up.
fn bind_draft(d: &InteractionDraft, author: &str) -> surrealdb::types::Variables {
    let mut v = surrealdb::types::Variables::new();
    v.insert("kind", d.kind.key().to_string());
    v.insert("date", d.date.format("%Y-%m-%d").to_string());
    // Midday UTC: the timeline orders by it, and no UK date moves across midnight.
    v.insert(
        "at",
        d.date
            .and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default())
            .and_utc(),
    );
    v.insert("participants", d.participants.clone());
    v.insert("summary", d.summary.clone());
    v.insert("follow_up_on", d.follow_up_on.map(|x| x.format("%Y-%m-%d").to_string()));
    v.insert(
        "owner",
        d.follow_up_on
            .map(|_| d.follow_up_owner.clone().unwrap_or_else(|| author.to_string())),
    );
    v.insert("plan_item", d.plan_item.clone().unwrap_or_default());
    v
}

/// The plan item an interaction carried out: one that exists, and not an email briefing (whose
/// sends are what happened).
const PLAN_CHECK: &str = "LET $p = IF $plan_item = '' { NONE } ELSE { type::record('plan_item', $plan_item) };
    IF $p != NONE AND (!record::exists($p) OR $p.channel = 'email_briefing') {
        THROW 'liaison-refused:Choose a plan item from the list: that one is not in the plan, or is an email briefing.'
    };";

const OWNER_CHECK: &str = "IF $owner != NONE AND !record::exists(type::record('user', $owner)) {
        THROW 'liaison-refused:The person chosen to follow up no longer has an account: choose another.'
    };";

impl<'a> Interactions<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Logs an interaction by `author` (a user id, named `author_name`).
    pub async fn create(
        &self,
        actor: &Actor,
        author: &str,
        author_name: &str,
        with: &With,
        d: &InteractionDraft,
    ) -> Result<String, StoreError> {
        let key = super::new_key();
        let (contact, organisation) = match with {
            With::Contact(c) => (Some(c.clone()), None),
            With::Organisation(o) => (None, Some(o.clone())),
        };
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $c = IF $contact = NONE {{ NONE }} ELSE {{ type::record('contact', $contact) }};
                 LET $o = IF $organisation = NONE {{ NONE }} ELSE {{ type::record('organisation', $organisation) }};
                 IF ($c != NONE AND !record::exists($c)) OR ($o != NONE AND !record::exists($o)) {{ THROW '{REFUSAL_MARK}not-found' }};
                 {OWNER_CHECK}
                 {PLAN_CHECK}
                 CREATE type::record('interaction', $key) SET contact = $c, organisation = $o, logged = true, plan_item = $p,
                    kind = $kind, date = $date, at = $at, participants = $participants, note = $summary,
                    follow_up_on = $follow_up_on,
                    follow_up_owner = IF $owner = NONE {{ NONE }} ELSE {{ type::record('user', $owner) }},
                    author = type::record('user', $author), author_name = $author_name, version = 1 RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(bind_draft(d, author))
            .bind(("key", key.clone()))
            .bind(("contact", contact))
            .bind(("organisation", organisation))
            .bind(("author", author.to_string()))
            .bind(("author_name", author_name.to_string()))
            .bind(audit_vars(actor, AuditAction::Create, format!("interaction:{key}"), listing(&summary(d))))
            .await?;
        checked(res).map_err(StoreError::not_found_as("contact or organisation"))?;
        Ok(key)
    }

    pub async fn get(&self, id: &str) -> Result<Interaction, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM interaction WHERE id = type::record('interaction', $id) AND logged = true"
            ))
            .bind(("id", id.to_string()))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        rows.into_iter()
            .next()
            .ok_or(StoreError::NotFound("interaction"))?
            .into_domain()
    }

    /// Saves an edit if `editor` may (its author, or a manager: `manager`) and nobody saved it
    /// since `version`.
    pub async fn update(
        &self,
        actor: &Actor,
        editor: &str,
        manager: bool,
        id: &str,
        d: &InteractionDraft,
        version: u32,
    ) -> Result<(), StoreError> {
        let before = self.get(id).await?;
        let author = before.author.clone().unwrap_or_default();
        let changes = diff(
            &summary(&before_draft(&before))
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
                 LET $i = type::record('interaction', $id);
                 IF !record::exists($i) OR $i.logged != true {{ THROW '{REFUSAL_MARK}not-found' }};
                 IF !$manager AND $i.author != type::record('user', $editor) {{
                     THROW '{REFUSAL_MARK}Only the person who logged this interaction, or a programme manager, may change it.'
                 }};
                 {STALE}
                 {OWNER_CHECK}
                 {PLAN_CHECK}
                 UPDATE $i SET plan_item = $p, kind = $kind, date = $date, at = $at, participants = $participants, note = $summary,
                    follow_up_on = $follow_up_on,
                    follow_up_owner = IF $owner = NONE {{ NONE }} ELSE {{ type::record('user', $owner) }},
                    version = (version ?? 1) + 1, updated_at = time::now(), updated_by = $audit_label RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;",
                STALE = stale_check("$i", "interaction")
            ))
            .bind(bind_draft(d, &author))
            .bind(("id", id.to_string()))
            .bind(("editor", editor.to_string()))
            .bind(("manager", manager))
            .bind(("version", i64::from(version)))
            .bind(audit_vars(actor, AuditAction::Update, format!("interaction:{id}"), changes))
            .await?;
        checked(res).map_err(StoreError::not_found_as("interaction"))?;
        Ok(())
    }

    /// The logged interactions with a contact or an organisation, newest first.
    pub async fn with(&self, with: &With) -> Result<Vec<Interaction>, StoreError> {
        let (field, table, key) = match with {
            With::Contact(c) => ("contact", "contact", c),
            With::Organisation(o) => ("organisation", "organisation", o),
        };
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {FIELDS}, at FROM interaction WHERE {field} = type::record($table, $key) AND logged = true ORDER BY at DESC"
            ))
            .bind(("table", table.to_string()))
            .bind(("key", key.to_string()))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        rows.into_iter().map(Row::into_domain).collect()
    }

    /// The open follow-ups `owner` (a user id) owes, soonest first.
    pub async fn follow_ups(&self, owner: &str) -> Result<Vec<Interaction>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM interaction WHERE follow_up_owner = type::record('user', $owner)
                    AND follow_up_done = NONE AND follow_up_on != NONE ORDER BY follow_up_on"
            ))
            .bind(("owner", owner.to_string()))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        rows.into_iter().map(Row::into_domain).collect()
    }

    /// Logged interactions dated within `[from, to]` (days, inclusive), of one kind or all,
    /// newest first: the source of the board report's counts.
    pub async fn logged_between(
        &self,
        kind: Option<InteractionKind>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Interaction>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM interaction WHERE logged = true AND date >= $from AND date <= $to
                    AND ($kind = NONE OR kind = $kind) ORDER BY date DESC, id"
            ))
            .bind(("from", from.to_string()))
            .bind(("to", to.to_string()))
            .bind(("kind", kind.map(|k| k.key().to_string())))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        rows.into_iter().map(Row::into_domain).collect()
    }

    /// Everyone's follow-ups dated before `today` and not done, oldest first.
    pub async fn overdue(&self, today: NaiveDate) -> Result<Vec<Interaction>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM interaction WHERE logged = true AND follow_up_done = NONE
                    AND follow_up_on != NONE AND follow_up_on < $today ORDER BY follow_up_on"
            ))
            .bind(("today", today.to_string()))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        rows.into_iter().map(Row::into_domain).collect()
    }

    /// Marks a follow-up done: by its owner, or a manager.
    pub async fn complete(&self, actor: &Actor, user: &str, manager: bool, id: &str) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $i = type::record('interaction', $id);
                 IF !record::exists($i) OR $i.follow_up_on = NONE {{ THROW '{REFUSAL_MARK}not-found' }};
                 IF !$manager AND $i.follow_up_owner != type::record('user', $user) {{
                     THROW '{REFUSAL_MARK}Only the person who owns this follow-up, or a programme manager, may mark it done.'
                 }};
                 UPDATE $i SET follow_up_done = time::now() RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(("user", user.to_string()))
            .bind(("manager", manager))
            .bind(audit_vars(actor, AuditAction::Update, format!("interaction:{id}"), "follow-up done".into()))
            .await?;
        checked(res).map_err(StoreError::not_found_as("follow-up"))?;
        Ok(())
    }
}

fn before_draft(i: &Interaction) -> InteractionDraft {
    InteractionDraft {
        kind: i.kind,
        date: i.date,
        participants: i.participants.clone(),
        summary: i.summary.clone(),
        follow_up_on: i.follow_up_on,
        follow_up_owner: i.follow_up_owner.clone(),
        plan_item: i.plan_item.clone(),
    }
}

/// One line of a contact's history with the programme.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub what: String,
    pub detail: String,
}

impl<'a> Interactions<'a> {
    /// A contact's briefings (with delivery state and acknowledgement) and other interactions,
    /// newest first.
    pub async fn history(&self, contact: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        #[derive(SurrealValue)]
        struct D {
            subject: String,
            kind: String,
            state: String,
            due: DateTime<Utc>,
            sent_at: Option<DateTime<Utc>>,
            acknowledged_at: Option<DateTime<Utc>>,
            bounce_hard: Option<bool>,
            bounce_diagnostic: Option<String>,
        }
        #[derive(SurrealValue)]
        struct I {
            kind: String,
            at: DateTime<Utc>,
            note: String,
        }
        let mut res = self
            .store
            .db()
            .query(
                // One snapshot: a row written between two reads would be missed by both.
                "BEGIN TRANSACTION;
                 LET $c = type::record('contact', $id);
                 SELECT briefing.subject AS subject, kind, state, due, sent_at, acknowledged_at, bounce_hard, bounce_diagnostic FROM delivery WHERE contact = $c;
                 SELECT kind, at, note FROM interaction WHERE contact = $c;
                 -- Frozen with a briefing being sent and not tried yet: an entry of an unfinished
                 -- block with no delivery row (only unfinished blocks keep their entries).
                 SELECT b.subject AS subject, 'briefing' AS kind, 'queued' AS state, b.send_at ?? time::now() AS due
                    FROM (SELECT type::record('delivery_block', record::id(id)).briefing.* AS b FROM delivery_entries
                        WHERE array::len(entries.filter(|$e| $e.contact = $id AND !record::exists(type::record('delivery', $e.key)))) > 0);
                 COMMIT TRANSACTION;",
            )
            .bind(("id", contact.to_string()))
            .await?;
        let mut deliveries: Vec<D> = res.take(2)?;
        let interactions: Vec<I> = res.take(3)?;
        deliveries.extend(res.take::<Vec<D>>(4)?);
        let mut out: Vec<HistoryEntry> = deliveries
            .into_iter()
            .map(|d| HistoryEntry {
                at: d.sent_at.unwrap_or(d.due),
                what: if d.kind == "reminder" {
                    format!("Reminder: {}", d.subject)
                } else {
                    format!("Briefing: {}", d.subject)
                },
                detail: match (d.state.as_str(), d.acknowledged_at) {
                    _ if d.bounce_diagnostic.is_some() => format!(
                        "bounced ({}): {}",
                        if d.bounce_hard == Some(true) {
                            "permanent"
                        } else {
                            "temporary"
                        },
                        d.bounce_diagnostic.unwrap_or_default()
                    ),
                    (_, Some(a)) => format!("acknowledged {}", crate::domain::time::format_london(a)),
                    ("sent", None) => "sent, not acknowledged".into(),
                    ("failed", _) => "delivery failed".into(),
                    (other, _) => other.to_string(),
                },
            })
            .collect();
        out.extend(
            interactions
                .into_iter()
                .filter(|i| i.kind != "acknowledgement")
                .map(|i| HistoryEntry {
                    at: i.at,
                    what: crate::domain::interaction::InteractionKind::parse(&i.kind)
                        .map(|k| k.label().to_string())
                        .or_else(|_| crate::domain::inbound::InboundKind::parse(&i.kind).map(|k| k.label().to_string()))
                        .unwrap_or(i.kind),
                    detail: i.note,
                }),
        );
        out.sort_by_key(|b| std::cmp::Reverse(b.at));
        Ok(out)
    }
}
