//! Mail that comes back, and questions asked from acknowledgement pages: stored whole before
//! anything else happens, then classified, each with its effects (a bounce on its delivery, a
//! held address, a line on the contact's history) in one transaction.
use super::accounts::MAIL_SQL;
use super::audit::Actor;
use super::{audit_vars, checked, AUDIT_SQL};
use crate::backend::db::{retry_conflicts, Store};
use crate::backend::error::{StoreError, REFUSAL_MARK};
use crate::backend::inbound::classify::Classified;
use crate::backend::mail::account::AccountMail;
use crate::domain::audit::AuditAction;
use crate::domain::inbound::{InboundKind, InboxItem, Linked, Question, SOFT_BOUNCES_TO_HOLD, SOFT_BOUNCE_DAYS};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

pub struct Inbound<'a> {
    store: &'a Store,
}

/// A stored message waiting to be classified.
#[derive(Debug, Clone, SurrealValue)]
pub struct Pending {
    pub id: String,
    /// The message as received, base64.
    pub raw: String,
    pub envelope_to: Vec<String>,
}

/// Who an answer goes to, and what it answers.
#[derive(Debug, Clone, SurrealValue)]
pub struct AnswerTarget {
    pub to: String,
    pub name: String,
    pub subject: String,
    pub text: String,
    /// The Message-ID of their message (without `<>`), or empty (a question).
    pub message_id: String,
    /// The delivery it answers, or empty.
    pub delivery_key: String,
}

/// What the inbox shows: everything, or only what still needs someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxFilter {
    /// Replies and questions not answered or handled yet.
    Open,
    /// Replies and questions with no contact: attach or discard.
    Unmatched,
    All,
}

#[derive(Debug, Clone, SurrealValue)]
struct Row {
    id: String,
    kind: String,
    received_at: DateTime<Utc>,
    from_address: String,
    from_name: String,
    subject: String,
    text: String,
    contact_id: Option<String>,
    contact_name: Option<String>,
    briefing_id: Option<String>,
    briefing_subject: Option<String>,
    handled_at: Option<DateTime<Utc>>,
    answered_at: Option<DateTime<Utc>>,
    answer: Option<String>,
}

/// Whether a message is still waiting for someone: the one rule for the inbox and its count.
const OPEN: &str = "kind IN ['reply', 'question'] AND handled_at = NONE AND answered_at = NONE";

const ROW: &str = "record::id(id) AS id, kind, received_at, from_address, from_name, subject, text,
    IF contact = NONE { NONE } ELSE { record::id(contact) } AS contact_id, contact.name AS contact_name,
    IF briefing = NONE { NONE } ELSE { record::id(briefing) } AS briefing_id, briefing.subject AS briefing_subject,
    handled_at, answered_at, answer";

impl<'a> Inbound<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Stores a message as received. The key is a hash of its bytes: the same message stored
    /// twice (a sender's retry after a lost `250`, two pollers) is one record.
    pub async fn store_raw(
        &self,
        via: &str,
        envelope_from: &str,
        envelope_to: &[String],
        raw: &[u8],
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        use base64::Engine;
        use sha2::Digest;
        let key: String = sha2::Sha256::digest(raw)
            .iter()
            .take(20)
            .map(|b| format!("{b:02x}"))
            .collect();
        let res = self
            .store
            .db()
            .query(
                "INSERT IGNORE INTO inbound { id: type::record('inbound', $key), received_at: $now, via: $via,
                    envelope_from: $from, envelope_to: $to, raw: $raw, state: 'new' } RETURN NONE;",
            )
            .bind(("key", key.clone()))
            .bind(("now", now))
            .bind(("via", via.to_string()))
            .bind(("from", envelope_from.to_string()))
            .bind(("to", envelope_to.to_vec()))
            .bind(("raw", base64::engine::general_purpose::STANDARD.encode(raw)))
            .await?;
        checked(res)?;
        Ok(key)
    }

    /// Messages stored but not classified yet, oldest first.
    pub async fn pending(&self, limit: u32) -> Result<Vec<Pending>, StoreError> {
        let res = self
            .store
            .db()
            .query(
                "SELECT record::id(id) AS id, raw, envelope_to, received_at FROM inbound WHERE state = 'new'
                 ORDER BY received_at LIMIT $limit",
            )
            .bind(("limit", i64::from(limit)))
            .await?;
        Ok(checked(res)?.take(0)?)
    }

    /// Records a message's classification and acts on it, in one transaction: a bounce marks
    /// its delivery and may hold the address; a reply goes on the contact's history. A message
    /// another process has recorded already is left alone.
    pub async fn record(&self, id: &str, c: &Classified, now: DateTime<Utc>) -> Result<(), StoreError> {
        let _change = crate::backend::freshness::SendingChange::of(self.store);
        let bounce = c.bounce.clone().unwrap_or_default();
        let result = retry_conflicts(|| {
            let bounce = bounce.clone();
            async move {
                let res = self
                    .store
                    .db()
                    .query(format!(
                        "BEGIN TRANSACTION;
                         LET $m = type::record('inbound', $id);
                         IF $m.state != 'new' {{ THROW '{REFUSAL_MARK}done' }};
                         LET $d = IF $key = '' {{ NONE }} ELSE {{ type::record('delivery', $key) }};
                         LET $d = IF $d != NONE AND record::exists($d) {{ $d }} ELSE {{ NONE }};
                         -- Without a delivery, a reply from a known address is still theirs.
                         LET $c = IF $d != NONE {{ $d.contact }}
                            ELSE IF $kind IN ['reply', 'auto_reply'] AND $from != '' {{
                                (SELECT VALUE id FROM contact WHERE email = $from LIMIT 1)[0] }}
                            ELSE {{ NONE }};
                         UPDATE $m SET state = 'done', kind = $kind, delivery = $d, contact = $c,
                            briefing = IF $d = NONE {{ NONE }} ELSE {{ $d.briefing }},
                            from_address = $from, from_name = $from_name, subject = $subject,
                            message_id = $message_id, text = $text, full_text = $full_text,
                            status = $status, diagnostic = $diagnostic RETURN NONE;
                         IF $d != NONE AND $kind IN ['hard_bounce', 'soft_bounce'] {{
                            UPDATE $d SET bounced_at = $now, bounce_hard = $kind = 'hard_bounce',
                                bounce_diagnostic = $diagnostic RETURN NONE;
                            -- Held only while the address is the one that bounced.
                            IF $c != NONE AND $c.held_since = NONE AND $c.email = $d.email {{
                                LET $soft = array::len((SELECT VALUE id FROM inbound WHERE contact = $c
                                    AND kind = 'soft_bounce' AND received_at > $now - {SOFT_BOUNCE_DAYS}d));
                                IF $kind = 'hard_bounce' OR $soft >= {SOFT_BOUNCES_TO_HOLD} {{
                                    LET $reason = IF $kind = 'hard_bounce' {{ 'The address bounced: ' + $diagnostic }}
                                        ELSE {{ '{SOFT_BOUNCES_TO_HOLD} temporary failures within {SOFT_BOUNCE_DAYS} days: ' + $diagnostic }};
                                    UPDATE $c SET held_since = $now, held_reason = $reason RETURN NONE;
                                    CREATE interaction SET contact = $c, kind = 'note', at = $now,
                                        note = 'Address held, no more briefings until it is corrected. ' + $reason RETURN NONE;
                                }};
                            }};
                         }};
                         IF $c != NONE AND $kind = 'reply' {{
                            CREATE interaction SET contact = $c, kind = 'reply', at = $now,
                                note = IF $d = NONE {{ 'Emailed: ' }} ELSE {{ 'Replied to ' + $d.briefing.subject + ': ' }}
                                    + string::slice($text, 0, 300) RETURN NONE;
                         }};
                         COMMIT TRANSACTION;"
                    ))
                    .bind(("id", id.to_string()))
                    .bind(("key", c.delivery.clone().unwrap_or_default()))
                    .bind(("kind", c.kind.key().to_string()))
                    .bind(("from", c.from_address.clone().unwrap_or_default()))
                    .bind(("from_name", c.from_name.clone().unwrap_or_default()))
                    .bind(("subject", c.subject.clone()))
                    .bind(("message_id", c.message_id.clone().unwrap_or_default()))
                    .bind(("text", c.text.clone()))
                    .bind(("full_text", c.full_text.clone()))
                    .bind(("status", bounce.status.clone().unwrap_or_default()))
                    .bind(("diagnostic", bounce.diagnostic.clone()))
                    .bind(("now", now))
                    .await?;
                checked(res)?;
                Ok(())
            }
        })
        .await;
        match result {
            Err(StoreError::Refused(r)) if r == "done" => Ok(()),
            other => other,
        }
    }

    /// A question asked from the acknowledgement page of delivery `key`.
    pub async fn ask(&self, key: &str, q: &Question, now: DateTime<Utc>) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $d = type::record('delivery', $key);
                 IF !record::exists($d) OR $d.contact = NONE OR $d.kind = 'test' {{ THROW '{REFUSAL_MARK}not-found' }};
                 CREATE inbound SET received_at = $now, via = 'ack_page', state = 'done', kind = 'question',
                    delivery = $d, contact = $d.contact, briefing = $d.briefing, from_address = $d.email,
                    from_name = $d.name, subject = 'Question about ' + $d.briefing.subject, text = $q, full_text = $q
                    RETURN NONE;
                 CREATE interaction SET contact = $d.contact, kind = 'reply', at = $now,
                    note = 'Asked about ' + $d.briefing.subject + ': ' + string::slice($q, 0, 300) RETURN NONE;
                 COMMIT TRANSACTION;"
            ))
            .bind(("key", key.to_string()))
            .bind(("q", q.as_str().to_string()))
            .bind(("now", now))
            .await?;
        checked(res).map_err(StoreError::not_found_as("briefing link"))?;
        Ok(())
    }

    /// The inbox, newest first.
    pub async fn list(&self, filter: InboxFilter, limit: u32) -> Result<Vec<InboxItem>, StoreError> {
        let cond = match filter {
            InboxFilter::Open => OPEN.to_string(),
            InboxFilter::Unmatched => format!("{OPEN} AND contact = NONE"),
            InboxFilter::All => "state = 'done'".to_string(),
        };
        let res = self
            .store
            .db()
            .query(format!(
                "SELECT {ROW} FROM inbound WHERE {cond} ORDER BY received_at DESC LIMIT $limit"
            ))
            .bind(("limit", i64::from(limit)))
            .await?;
        let rows: Vec<Row> = checked(res)?.take(0)?;
        Ok(rows.into_iter().filter_map(item).collect())
    }

    pub async fn get(&self, id: &str) -> Result<InboxItem, StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "SELECT {ROW} FROM ONLY type::record('inbound', $id) WHERE state = 'done'"
            ))
            .bind(("id", id.to_string()))
            .await?;
        let row: Option<Row> = checked(res)?.take(0)?;
        row.and_then(item).ok_or(StoreError::NotFound("message"))
    }

    pub async fn answer_target(&self, id: &str) -> Result<AnswerTarget, StoreError> {
        let res = self
            .store
            .db()
            .query(
                "SELECT IF from_address != '' { from_address } ELSE { delivery.email ?? '' } AS to,
                    IF from_name != '' { from_name } ELSE { contact.name ?? '' } AS name, subject, text, message_id,
                    IF delivery = NONE { '' } ELSE { record::id(delivery) } AS delivery_key
                 FROM ONLY type::record('inbound', $id) WHERE kind IN ['reply', 'question']",
            )
            .bind(("id", id.to_string()))
            .await?;
        let t: Option<AnswerTarget> = checked(res)?.take(0)?;
        t.filter(|t| !t.to.is_empty()).ok_or(StoreError::NotFound("message"))
    }

    /// Replies and questions nobody has answered or marked handled.
    pub async fn open_count(&self) -> Result<u64, StoreError> {
        let res = self
            .store
            .db()
            .query(format!("SELECT count() FROM inbound WHERE {OPEN} GROUP ALL"))
            .await?;
        let n: Option<i64> = checked(res)?.take((0, "count"))?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    /// A contact's replies, questions and bounces, newest first.
    pub async fn for_contact(&self, contact: &str, limit: u32) -> Result<Vec<InboxItem>, StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "SELECT {ROW} FROM inbound WHERE contact = type::record('contact', $c) ORDER BY received_at DESC LIMIT $limit"
            ))
            .bind(("c", contact.to_string()))
            .bind(("limit", i64::from(limit)))
            .await?;
        let rows: Vec<Row> = checked(res)?.take(0)?;
        Ok(rows.into_iter().filter_map(item).collect())
    }

    /// Answers a reply or question: the answer is kept on the message and queued as an email,
    /// threaded under the message it answers, in one transaction with its audit entry.
    pub async fn answer(
        &self,
        actor: &Actor,
        id: &str,
        answer: &str,
        mail: AccountMail,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $m = type::record('inbound', $id);
                 IF !record::exists($m) OR $m.kind NOT IN ['reply', 'question'] {{ THROW '{REFUSAL_MARK}not-found' }};
                 IF $m.answered_at != NONE {{ THROW '{REFUSAL_MARK}answered' }};
                 UPDATE $m SET answer = $answer, answered_at = $now, answered_by = $audit_label RETURN NONE;
                 IF $m.contact != NONE {{
                    CREATE interaction SET contact = $m.contact, kind = 'email', at = $now,
                        note = 'Answered by ' + $audit_label + ': ' + string::slice($answer, 0, 300) RETURN NONE;
                 }};
                 {MAIL_SQL}
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(("answer", answer.to_string()))
            .bind(("now", now))
            .bind(("mail", mail))
            .bind(audit_vars(
                actor,
                AuditAction::Answer,
                format!("inbound:{id}"),
                String::new(),
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("message"))?;
        Ok(())
    }

    pub async fn mark_handled(&self, actor: &Actor, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.close(actor, id, now, AuditAction::MarkHandled, "$m.state != 'done'")
            .await
    }

    /// Attaches an unmatched message to a contact (its history gets the message too).
    pub async fn attach(&self, actor: &Actor, id: &str, contact: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $m = type::record('inbound', $id);
                 LET $c = type::record('contact', $contact);
                 IF !record::exists($m) OR $m.state != 'done' {{ THROW '{REFUSAL_MARK}not-found' }};
                 IF !record::exists($c) {{ THROW '{REFUSAL_MARK}contact' }};
                 UPDATE $m SET contact = $c RETURN NONE;
                 CREATE interaction SET contact = $c, kind = 'reply', at = $now,
                    note = 'Emailed: ' + string::slice($m.text, 0, 300) RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(("contact", contact.to_string()))
            .bind(("now", now))
            .bind(audit_vars(
                actor,
                AuditAction::AttachMessage,
                format!("inbound:{id}"),
                format!("contact: contact:{contact}"),
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("message"))?;
        Ok(())
    }

    /// Discards an unmatched message: marked handled, kept (the raw message stays for audit).
    pub async fn discard(&self, actor: &Actor, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.close(actor, id, now, AuditAction::DiscardMessage, "$m.contact != NONE")
            .await
    }

    /// Marks a message handled, audited as `action`; refused as not found when `refuse` (a
    /// condition on `$m`) holds.
    async fn close(
        &self,
        actor: &Actor,
        id: &str,
        now: DateTime<Utc>,
        action: AuditAction,
        refuse: &str,
    ) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $m = type::record('inbound', $id);
                 IF !record::exists($m) OR {refuse} {{ THROW '{REFUSAL_MARK}not-found' }};
                 UPDATE $m SET handled_at = $now, handled_by = $audit_label RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(("now", now))
            .bind(audit_vars(actor, action, format!("inbound:{id}"), String::new()))
            .await?;
        checked(res).map_err(StoreError::not_found_as("message"))?;
        Ok(())
    }
}

fn item(r: Row) -> Option<InboxItem> {
    let kind = InboundKind::parse(&r.kind).ok()?;
    let from = match (r.from_name.trim(), r.from_address.trim()) {
        ("", "") => "Unknown sender".to_string(),
        ("", a) => a.to_string(),
        (n, "") => n.to_string(),
        (n, a) => format!("{n} <{a}>"),
    };
    Some(InboxItem {
        id: r.id,
        kind,
        received_at: r.received_at,
        from,
        subject: r.subject,
        text: r.text,
        contact: r.contact_id.map(|id| Linked {
            id,
            name: r.contact_name.unwrap_or_default(),
        }),
        briefing: r.briefing_id.map(|id| Linked {
            id,
            name: r.briefing_subject.unwrap_or_default(),
        }),
        handled_at: r.handled_at,
        answered_at: r.answered_at,
        answer: r.answer,
    })
}
