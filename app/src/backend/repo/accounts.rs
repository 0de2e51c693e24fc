//! Invitations, password resets and their emails. Each change is one transaction with the
//! email that goes with it (the `account_mail` outbox) and its audit entry. Links carry a
//! random token; only its SHA-256 is stored.
use super::audit::Actor;
use super::{audit_vars, checked, stored, AUDIT_SQL};
use crate::backend::db::Store;
use crate::backend::error::{StoreError, REFUSAL_MARK};
use crate::backend::mail::account::AccountMail;
use crate::domain::account::{InvitationState, InvitationSummary, InvitationView, InviteDraft};
use crate::domain::audit::AuditAction;
use crate::domain::policy::Role;
use crate::domain::{EmailAddress, UserId};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

pub struct Accounts<'a> {
    store: &'a Store,
}

/// Queues the account email bound as `$mail` (an [`AccountMail`]) in the `account_mail` outbox,
/// inside the caller's transaction.
pub(super) const MAIL_SQL: &str = "CREATE account_mail SET to = $mail.to, name = $mail.name, subject = $mail.subject,
    text = $mail.text, html = $mail.html, in_reply_to = $mail.in_reply_to, state = 'queued', attempts = 0, due = time::now() RETURN NONE;";

/// An account email the mailer holds the lease on.
#[derive(Debug, Clone, SurrealValue)]
pub struct ClaimedMail {
    pub id: String,
    pub to: String,
    pub name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub in_reply_to: String,
    pub attempts: i64,
}

impl<'a> Accounts<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Invites a person: any earlier invitation still open for the address is revoked, so only
    /// the newest link works. Refused when the address already has an account.
    pub async fn invite(
        &self,
        actor: &Actor,
        d: &InviteDraft,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &AccountMail,
    ) -> Result<String, StoreError> {
        let key = super::new_key();
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 IF array::len((SELECT VALUE id FROM user WHERE email = $email LIMIT 1)) > 0 {{
                     THROW '{REFUSAL_MARK}This email address already has an account.'
                 }};
                 UPDATE invitation SET state = 'revoked' WHERE email = $email AND state = 'pending' RETURN NONE;
                 CREATE type::record('invitation', $key) SET email = $email, name = $name, role = $role,
                    workstreams = $workstreams.map(|$w| type::record('workstream', $w)), token_hash = $hash,
                    expires_at = $expires, state = 'pending', invited_by = $audit_label, sent_count = 1 RETURN NONE;
                 {MAIL_SQL}
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("key", key.clone()))
            .bind(("email", d.email.as_str().to_string()))
            .bind(("name", d.name.as_str().to_string()))
            .bind(("role", d.role.key().to_string()))
            .bind((
                "workstreams",
                d.workstreams.iter().map(|w| w.as_str().to_string()).collect::<Vec<_>>(),
            ))
            .bind(("hash", token_hash.to_string()))
            .bind(("expires", expires_at))
            .bind(("mail", mail.clone()))
            .bind(audit_vars(
                actor,
                AuditAction::Invite,
                format!("invitation:{key} ({})", d.email),
                format!("role: {}; workstreams: {}", d.role.key(), d.workstreams.len()),
            ))
            .await?;
        checked(res)?;
        Ok(key)
    }

    /// Sends an open (pending or expired) invitation again with a new link; the old one stops
    /// working.
    pub async fn resend(
        &self,
        actor: &Actor,
        id: &str,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: impl Fn(&str, &str) -> AccountMail,
    ) -> Result<(), StoreError> {
        let current = self.get(id).await?;
        if !current.state.can_resend() {
            return Err(StoreError::Refused(format!(
                "This invitation is {} and cannot be sent again.",
                current.state.label().to_lowercase()
            )));
        }
        let mail = mail(&current.email, &current.name);
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $i = type::record('invitation', $id);
                 IF $i.state != 'pending' {{ THROW '{REFUSAL_MARK}This invitation can no longer be sent again.' }};
                 UPDATE $i SET token_hash = $hash, expires_at = $expires, sent_count += 1 RETURN NONE;
                 {MAIL_SQL}
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(("hash", token_hash.to_string()))
            .bind(("expires", expires_at))
            .bind(("mail", mail))
            .bind(audit_vars(
                actor,
                AuditAction::ResendInvitation,
                format!("invitation:{id} ({})", current.email),
                String::new(),
            ))
            .await?;
        checked(res)?;
        Ok(())
    }

    pub async fn revoke(&self, actor: &Actor, id: &str) -> Result<(), StoreError> {
        let current = self.get(id).await?;
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $i = type::record('invitation', $id);
                 IF $i.state != 'pending' {{ THROW '{REFUSAL_MARK}Only an invitation that is waiting can be revoked.' }};
                 UPDATE $i SET state = 'revoked' RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(audit_vars(actor, AuditAction::RevokeInvitation, format!("invitation:{id} ({})", current.email), String::new()))
            .await?;
        checked(res)?;
        Ok(())
    }

    /// Every invitation, newest first.
    pub async fn list(&self, now: DateTime<Utc>) -> Result<Vec<InvitationSummary>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {INVITATION_FIELDS} FROM invitation ORDER BY created_at DESC LIMIT 200"
            ))
            .await?;
        let rows: Vec<InvitationRow> = res.take(0)?;
        rows.into_iter().map(|r| r.into_summary(now)).collect()
    }

    pub async fn get(&self, id: &str) -> Result<InvitationSummary, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {INVITATION_FIELDS} FROM type::record('invitation', $id)"
            ))
            .bind(("id", id.to_string()))
            .await?;
        let rows: Vec<InvitationRow> = res.take(0)?;
        rows.into_iter()
            .next()
            .ok_or(StoreError::NotFound("invitation"))?
            .into_summary(Utc::now())
    }

    /// The invitation a link opens, if it still works.
    pub async fn by_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<InvitationView>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {INVITATION_FIELDS} FROM invitation WHERE token_hash = $hash AND state = 'pending' AND expires_at > $now LIMIT 1"
            ))
            .bind(("hash", token_hash.to_string()))
            .bind(("now", now))
            .await?;
        let rows: Vec<InvitationRow> = res.take(0)?;
        match rows.into_iter().next() {
            None => Ok(None),
            Some(r) => {
                let s = r.into_summary(now)?;
                Ok(Some(InvitationView {
                    email: s.email,
                    name: s.name,
                    role: s.role,
                }))
            }
        }
    }

    /// Accepts an invitation: creates the account with the password its owner chose, gives a
    /// lead their workstreams, and closes the invitation, all at once. A link used twice, or
    /// after it expired or was revoked, is refused and changes nothing.
    pub async fn accept(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<UserId, StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $i = (SELECT * FROM invitation WHERE token_hash = $hash LIMIT 1)[0];
                 IF $i = NONE OR $i.state != 'pending' OR $i.expires_at <= $now {{
                     THROW '{REFUSAL_MARK}This invitation link has expired or has already been used. Ask the programme manager to send you a new one.'
                 }};
                 IF array::len((SELECT VALUE id FROM user WHERE email = $i.email LIMIT 1)) > 0 {{
                     THROW '{REFUSAL_MARK}This email address already has an account. Sign in, or reset your password.'
                 }};
                 LET $u = (CREATE user SET email = $i.email, name = $i.name, role = $i.role, password_hash = $pw, active = true RETURN VALUE id)[0];
                 FOR $w IN $i.workstreams {{
                     UPDATE $w SET leads = array::union(leads, [$u]), version = version + 1 RETURN NONE;
                 }};
                 LET $iid = $i.id;
                 UPDATE $iid SET state = 'accepted', accepted_at = $now RETURN NONE;
                 LET $audit_actor = record::id($u);
                 LET $audit_label = $i.name + ' <' + $i.email + '>';
                 LET $audit_record = 'user:' + record::id($u) + ' (' + $i.email + ')';
                 LET $audit_changes = 'accepted the invitation from ' + $i.invited_by + '; role: ' + $i.role;
                 {AUDIT_SQL}
                 RETURN record::id($u);
                 COMMIT TRANSACTION;"
            ))
            .bind(("hash", token_hash.to_string()))
            .bind(("pw", password_hash.to_string()))
            .bind(("now", now))
            .bind(audit_vars(&Actor::Other(String::new()), AuditAction::Create, String::new(), String::new()))
            .await?;
        let mut res = checked(res)?;
        let id = super::returned::<String>(&mut res);
        stored("id", UserId::parse(&id.ok_or(StoreError::NotFound("user"))?))
    }

    /// A reset link for an active account, with its email; earlier unused links of the account
    /// stop working. `None` (and nothing written) when the address has no active account: the
    /// caller answers the same either way.
    pub async fn request_reset(
        &self,
        email: &EmailAddress,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: impl Fn(&str) -> AccountMail,
    ) -> Result<bool, StoreError> {
        let Some(c) = self.store.users().credentials(email).await? else {
            return Ok(false);
        };
        if !c.user.active {
            return Ok(false);
        }
        let mail = mail(&c.user.name);
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $u = type::record('user', $id);
                 DELETE password_reset WHERE user = $u AND used_at = NONE RETURN NONE;
                 CREATE password_reset SET user = $u, token_hash = $hash, expires_at = $expires RETURN NONE;
                 {MAIL_SQL}
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", c.user.id.as_str().to_string()))
            .bind(("hash", token_hash.to_string()))
            .bind(("expires", expires_at))
            .bind(("mail", mail))
            .bind(audit_vars(
                &Actor::Other(email.masked()),
                AuditAction::RequestPasswordReset,
                format!("user:{}", c.user.id),
                String::new(),
            ))
            .await?;
        checked(res)?;
        Ok(true)
    }

    /// Whether a reset link still works (for its page).
    pub async fn reset_is_open(&self, token_hash: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut res = self
            .store
            .db()
            .query("SELECT VALUE record::id(id) FROM password_reset WHERE token_hash = $hash AND used_at = NONE AND expires_at > $now LIMIT 1")
            .bind(("hash", token_hash.to_string()))
            .bind(("now", now))
            .await?;
        let ids: Vec<String> = res.take(0)?;
        Ok(!ids.is_empty())
    }

    /// Sets the new password through a reset link, once: every session of the account ends.
    pub async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $r = (SELECT * FROM password_reset WHERE token_hash = $hash LIMIT 1)[0];
                 IF $r = NONE OR $r.used_at != NONE OR $r.expires_at <= $now OR $r.user.active != true {{
                     THROW '{REFUSAL_MARK}This reset link has expired or has already been used. Ask for a new one from the sign-in page.'
                 }};
                 LET $ru = $r.user;
                 LET $rid = $r.id;
                 UPDATE $ru SET password_hash = $pw RETURN NONE;
                 DELETE session WHERE user = $ru RETURN NONE;
                 UPDATE $rid SET used_at = $now RETURN NONE;
                 LET $audit_actor = record::id($r.user);
                 LET $audit_label = $r.user.name + ' <' + $r.user.email + '>';
                 LET $audit_record = 'user:' + record::id($r.user);
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("hash", token_hash.to_string()))
            .bind(("pw", password_hash.to_string()))
            .bind(("now", now))
            .bind(audit_vars(&Actor::Other(String::new()), AuditAction::PasswordReset, String::new(), "password changed through a reset link".into()))
            .await?;
        checked(res)?;
        Ok(())
    }

    /// Leases up to `limit` account emails that are due (or whose holder's lease lapsed).
    pub async fn claim_mail(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ClaimedMail>, StoreError> {
        let res = self
            .store
            .db()
            .query(
                "BEGIN TRANSACTION;
                 LET $ids = array::concat(
                    (SELECT VALUE id FROM account_mail WHERE state = 'queued' AND due <= $now LIMIT $limit),
                    (SELECT VALUE id FROM account_mail WHERE state = 'sending' AND lease_until < $now LIMIT $limit));
                 LET $leased = (UPDATE $ids SET state = 'sending', lease_owner = $owner, lease_until = $until
                    WHERE (state = 'queued' AND due <= $now) OR (state = 'sending' AND lease_until < $now)
                    RETURN record::id(id) AS id, to, name, subject, text, html, in_reply_to ?? '' AS in_reply_to, attempts);
                 RETURN $leased;
                 COMMIT TRANSACTION;",
            )
            .bind(("owner", owner.to_string()))
            .bind(("now", now))
            .bind(("until", until))
            .bind(("limit", i64::from(limit)))
            .await?;
        let mut res = checked(res)?;
        let claimed = (0..res.num_statements())
            .rev()
            .find_map(|i| res.take::<Vec<ClaimedMail>>(i).ok().filter(|v| !v.is_empty()));
        Ok(claimed.unwrap_or_default())
    }

    /// Records a send's outcome: `sent` (the text, which holds the link, is blanked), `queued`
    /// again at `due`, or `failed` with its reason.
    pub async fn record_mail(
        &self,
        owner: &str,
        id: &str,
        state: &str,
        due: DateTime<Utc>,
        attempts: i64,
        error: Option<String>,
    ) -> Result<(), StoreError> {
        self.store
            .db()
            .query(
                "UPDATE type::record('account_mail', $id) SET state = $state, due = $due, attempts = $attempts,
                    last_error = $error, lease_owner = NONE, lease_until = NONE,
                    sent_at = IF $state = 'sent' { time::now() } ELSE { NONE },
                    text = IF $state = 'sent' { '' } ELSE { text }, html = IF $state = 'sent' { '' } ELSE { html }
                 WHERE state = 'sending' AND lease_owner = $owner RETURN NONE",
            )
            .bind(("id", id.to_string()))
            .bind(("owner", owner.to_string()))
            .bind(("state", state.to_string()))
            .bind(("due", due))
            .bind(("attempts", attempts))
            .bind(("error", error))
            .await?
            .check()?;
        Ok(())
    }
}

const INVITATION_FIELDS: &str = "record::id(id) AS id, email, name, role, state, expires_at, invited_by, sent_count";

#[derive(SurrealValue)]
struct InvitationRow {
    id: String,
    email: String,
    name: String,
    role: String,
    state: String,
    expires_at: DateTime<Utc>,
    invited_by: String,
    sent_count: i64,
}

impl InvitationRow {
    fn into_summary(self, now: DateTime<Utc>) -> Result<InvitationSummary, StoreError> {
        Ok(InvitationSummary {
            state: InvitationState::of(&self.state, self.expires_at, now),
            role: stored("role", Role::parse(&self.role))?,
            id: self.id,
            email: self.email,
            name: self.name,
            expires_at: self.expires_at,
            invited_by: self.invited_by,
            sent_count: self.sent_count.clamp(0, i64::from(u32::MAX)) as u32,
        })
    }
}
