//! Versioned schema migrations. Each runs once, in a transaction with the row that records it;
//! they are applied at start-up (and by `liaison migrate`). Never edit a released migration:
//! add a new one. (Versions 10 and 23 were edited on 2026-12-04, only where a database that had
//! applied them is unaffected: a database that met the fault could not get past version 23.)
use super::db::Store;
use super::error::StoreError;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Append only. A migration that removes a field unsets its stored values first (define it as
/// optional, `UPDATE … UNSET`, then `REMOVE FIELD`): a schemafull table refuses to write a record
/// that still holds a field it no longer defines (see versions 10, 23, 30 and 31).
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "register: organisations and contacts",
        sql: r#"
DEFINE TABLE organisation SCHEMAFULL;
DEFINE FIELD name ON organisation TYPE string ASSERT string::len($value) > 0 AND string::len($value) <= 200;
DEFINE FIELD name_key ON organisation TYPE string;
DEFINE FIELD kind ON organisation TYPE string
    ASSERT $value IN ["hei", "acute_trust", "community_trust", "mental_health_trust", "primary_care", "icb", "other"];
DEFINE FIELD area ON organisation TYPE option<string>;
DEFINE FIELD ods_code ON organisation TYPE option<string>;
DEFINE FIELD ukprn ON organisation TYPE option<string>;
DEFINE FIELD notes ON organisation TYPE option<string>;
DEFINE FIELD created_at ON organisation TYPE datetime DEFAULT time::now();
DEFINE FIELD updated_at ON organisation TYPE datetime DEFAULT time::now();
DEFINE INDEX organisation_name ON organisation FIELDS name_key UNIQUE;
DEFINE INDEX organisation_kind ON organisation FIELDS kind, name_key;

DEFINE TABLE contact SCHEMAFULL;
DEFINE FIELD organisation ON contact TYPE record<organisation>;
DEFINE FIELD name ON contact TYPE string ASSERT string::len($value) > 0 AND string::len($value) <= 120;
DEFINE FIELD name_key ON contact TYPE string;
DEFINE FIELD email ON contact TYPE string ASSERT string::is_email($value);
DEFINE FIELD job_title ON contact TYPE option<string>;
DEFINE FIELD influence ON contact TYPE int ASSERT $value >= 1 AND $value <= 5;
DEFINE FIELD interest ON contact TYPE int ASSERT $value >= 1 AND $value <= 5;
DEFINE FIELD engagement_current ON contact TYPE string
    ASSERT $value IN ["unaware", "resistant", "neutral", "supportive", "leading"];
DEFINE FIELD engagement_target ON contact TYPE string
    ASSERT $value IN ["unaware", "resistant", "neutral", "supportive", "leading"];
DEFINE FIELD subscribed ON contact TYPE bool DEFAULT true;
DEFINE FIELD search_text ON contact TYPE string;
DEFINE FIELD created_at ON contact TYPE datetime DEFAULT time::now();
DEFINE FIELD updated_at ON contact TYPE datetime DEFAULT time::now();
DEFINE INDEX contact_email ON contact FIELDS email UNIQUE;
DEFINE INDEX contact_org ON contact FIELDS organisation;
DEFINE INDEX contact_name ON contact FIELDS name_key;
"#,
    },
    Migration {
        version: 2,
        name: "users, sessions, sign-in throttling, audit log, workstream leads",
        sql: r#"
DEFINE TABLE user SCHEMAFULL;
DEFINE FIELD email ON user TYPE string ASSERT string::is_email($value);
DEFINE FIELD name ON user TYPE string ASSERT string::len($value) > 0 AND string::len($value) <= 120;
DEFINE FIELD role ON user TYPE string ASSERT $value IN ["programme-manager", "workstream-lead"];
DEFINE FIELD password_hash ON user TYPE string;
DEFINE FIELD active ON user TYPE bool DEFAULT true;
DEFINE FIELD created_at ON user TYPE datetime DEFAULT time::now();
DEFINE FIELD last_sign_in_at ON user TYPE option<datetime>;
DEFINE INDEX user_email ON user FIELDS email UNIQUE;

DEFINE TABLE session SCHEMAFULL;
DEFINE FIELD token_hash ON session TYPE string;
DEFINE FIELD user ON session TYPE record<user>;
DEFINE FIELD created_at ON session TYPE datetime;
DEFINE FIELD expires_at ON session TYPE datetime;
DEFINE INDEX session_token ON session FIELDS token_hash UNIQUE;
DEFINE INDEX session_user ON session FIELDS user;

DEFINE TABLE login_failure SCHEMAFULL;
DEFINE FIELD key ON login_failure TYPE string;
DEFINE FIELD at ON login_failure TYPE datetime;
DEFINE INDEX login_failure_key ON login_failure FIELDS key, at;

DEFINE TABLE audit SCHEMAFULL;
DEFINE FIELD at ON audit TYPE datetime;
DEFINE FIELD actor ON audit TYPE option<record<user>>;
DEFINE FIELD actor_label ON audit TYPE string;
DEFINE FIELD action ON audit TYPE string;
DEFINE FIELD record ON audit TYPE string;
DEFINE FIELD changes ON audit TYPE string;
DEFINE INDEX audit_at ON audit FIELDS at;
DEFINE EVENT audit_append_only ON audit WHEN $event = "UPDATE" OR $event = "DELETE" THEN {
    THROW "The audit log is append-only";
};

DEFINE TABLE workstream SCHEMAFULL;
DEFINE FIELD name ON workstream TYPE string ASSERT string::len($value) > 0 AND string::len($value) <= 120;
DEFINE FIELD aim ON workstream TYPE string;
DEFINE FIELD position ON workstream TYPE int;
DEFINE FIELD lead ON workstream TYPE option<record<user>>;
DEFINE FIELD created_at ON workstream TYPE datetime DEFAULT time::now();
DEFINE INDEX workstream_name ON workstream FIELDS name UNIQUE;
DEFINE INDEX workstream_lead ON workstream FIELDS lead;
"#,
    },
    Migration {
        version: 3,
        name: "workstream milestones and status updates",
        sql: r#"
DEFINE TABLE milestone SCHEMAFULL;
DEFINE FIELD workstream ON milestone TYPE record<workstream>;
DEFINE FIELD title ON milestone TYPE string ASSERT string::len($value) > 0 AND string::len($value) <= 200;
-- Calendar dates (YYYY-MM-DD), not instants: a due date means the same day in every zone.
DEFINE FIELD due ON milestone TYPE string ASSERT string::len($value) = 10;
DEFINE FIELD done ON milestone TYPE option<string>;
DEFINE INDEX milestone_workstream ON milestone FIELDS workstream, due;

DEFINE TABLE status_update SCHEMAFULL;
DEFINE FIELD workstream ON status_update TYPE record<workstream>;
DEFINE FIELD rag ON status_update TYPE string ASSERT $value IN ["not_started", "red", "amber", "green", "complete"];
DEFINE FIELD summary ON status_update TYPE string ASSERT string::len($value) > 0 AND string::len($value) <= 1000;
DEFINE FIELD risks ON status_update TYPE string;
DEFINE FIELD issues ON status_update TYPE string;
DEFINE FIELD next_steps ON status_update TYPE string;
DEFINE FIELD commentary ON status_update TYPE string;
DEFINE FIELD author ON status_update TYPE option<record<user>>;
DEFINE FIELD author_name ON status_update TYPE string;
DEFINE FIELD at ON status_update TYPE datetime;
DEFINE INDEX status_update_workstream ON status_update FIELDS workstream, at;
DEFINE EVENT status_update_immutable ON status_update WHEN $event = "UPDATE" THEN {
    THROW "Status updates are never edited: post a correction as a new update";
};
"#,
    },
    Migration {
        version: 4,
        name: "segments, communication plan, briefings, delivery outbox, interactions",
        sql: r#"
DEFINE TABLE segment SCHEMAFULL;
DEFINE FIELD name ON segment TYPE string ASSERT string::len($value) > 0 AND string::len($value) <= 120;
DEFINE FIELD name_key ON segment TYPE string;
DEFINE FIELD kinds ON segment TYPE array<string>;
DEFINE FIELD areas ON segment TYPE array<string>;
DEFINE FIELD engagement ON segment TYPE array<string>;
DEFINE FIELD influence_min ON segment TYPE int ASSERT $value >= 1 AND $value <= 5;
DEFINE FIELD interest_min ON segment TYPE int ASSERT $value >= 1 AND $value <= 5;
DEFINE FIELD created_at ON segment TYPE datetime DEFAULT time::now();
DEFINE INDEX segment_name ON segment FIELDS name_key UNIQUE;

DEFINE TABLE plan_item SCHEMAFULL;
DEFINE FIELD segment ON plan_item TYPE record<segment>;
DEFINE FIELD objective ON plan_item TYPE string;
DEFINE FIELD key_message ON plan_item TYPE string;
DEFINE FIELD channel ON plan_item TYPE string ASSERT $value IN ["email_briefing", "workshop", "meeting", "newsletter", "web"];
DEFINE FIELD frequency ON plan_item TYPE string ASSERT $value IN ["once", "weekly", "fortnightly", "monthly", "quarterly"];
DEFINE FIELD owner ON plan_item TYPE string;
DEFINE FIELD start ON plan_item TYPE string;
DEFINE FIELD end ON plan_item TYPE option<string>;
DEFINE FIELD workstreams ON plan_item TYPE array<record<workstream>>;
DEFINE FIELD feedback ON plan_item TYPE string;
DEFINE FIELD active ON plan_item TYPE bool DEFAULT true;

DEFINE TABLE briefing SCHEMAFULL;
DEFINE FIELD subject ON briefing TYPE string ASSERT string::len($value) > 0 AND string::len($value) <= 200;
DEFINE FIELD body ON briefing TYPE string;
DEFINE FIELD segment ON briefing TYPE record<segment>;
DEFINE FIELD workstreams ON briefing TYPE array<record<workstream>>;
DEFINE FIELD ack_required ON briefing TYPE bool;
DEFINE FIELD ack_deadline ON briefing TYPE option<string>;
DEFINE FIELD remind_days_before ON briefing TYPE option<int>;
DEFINE FIELD reminder_sent ON briefing TYPE bool DEFAULT false;
DEFINE FIELD state ON briefing TYPE string ASSERT $value IN ["draft", "scheduled", "sending", "sent", "cancelled"];
DEFINE FIELD send_at ON briefing TYPE option<datetime>;
DEFINE FIELD recipients ON briefing TYPE int DEFAULT 0;
DEFINE FIELD created_by ON briefing TYPE string;
DEFINE FIELD created_at ON briefing TYPE datetime DEFAULT time::now();
DEFINE FIELD sent_at ON briefing TYPE option<datetime>;
DEFINE INDEX briefing_due ON briefing FIELDS state, send_at;

DEFINE TABLE delivery SCHEMAFULL;
DEFINE FIELD briefing ON delivery TYPE record<briefing>;
DEFINE FIELD contact ON delivery TYPE option<record<contact>>;
DEFINE FIELD kind ON delivery TYPE string ASSERT $value IN ["briefing", "reminder", "test"];
-- For a reminder: the key of the original delivery, whose links it repeats.
DEFINE FIELD parent ON delivery TYPE option<string>;
DEFINE FIELD email ON delivery TYPE string;
DEFINE FIELD name ON delivery TYPE string;
DEFINE FIELD org_name ON delivery TYPE string;
DEFINE FIELD org_kind ON delivery TYPE string;
DEFINE FIELD state ON delivery TYPE string ASSERT $value IN ["queued", "sending", "sent", "failed"];
DEFINE FIELD attempts ON delivery TYPE int DEFAULT 0;
DEFINE FIELD due ON delivery TYPE datetime;
DEFINE FIELD lease_owner ON delivery TYPE option<string>;
DEFINE FIELD lease_until ON delivery TYPE option<datetime>;
DEFINE FIELD last_error ON delivery TYPE option<string>;
DEFINE FIELD smtp_response ON delivery TYPE option<string>;
DEFINE FIELD sent_at ON delivery TYPE option<datetime>;
DEFINE FIELD acknowledged_at ON delivery TYPE option<datetime>;
DEFINE INDEX delivery_queue ON delivery FIELDS state, due;
DEFINE INDEX delivery_briefing ON delivery FIELDS briefing, state;
DEFINE INDEX delivery_contact ON delivery FIELDS contact;

DEFINE TABLE interaction SCHEMAFULL;
DEFINE FIELD contact ON interaction TYPE record<contact>;
DEFINE FIELD kind ON interaction TYPE string;
DEFINE FIELD at ON interaction TYPE datetime;
DEFINE FIELD note ON interaction TYPE string;
DEFINE INDEX interaction_contact ON interaction FIELDS contact, at;

DEFINE TABLE subscription_event SCHEMAFULL;
DEFINE FIELD contact ON subscription_event TYPE record<contact>;
DEFINE FIELD subscribed ON subscription_event TYPE bool;
DEFINE FIELD via ON subscription_event TYPE string;
DEFINE FIELD at ON subscription_event TYPE datetime;
DEFINE INDEX subscription_event_contact ON subscription_event FIELDS contact, at;
"#,
    },
    Migration {
        version: 5,
        name: "recurring briefings from plan items; contact tags; segment tags and organisations",
        sql: r#"
DEFINE FIELD send_time ON plan_item TYPE string DEFAULT "09:00";
DEFINE FIELD instances ON plan_item TYPE string DEFAULT "draft" ASSERT $value IN ["draft", "scheduled"];
UPDATE plan_item SET send_time = "09:00", instances = "draft";

DEFINE FIELD OVERWRITE state ON briefing TYPE string
    ASSERT $value IN ["draft", "scheduled", "sending", "sent", "cancelled", "recurring"];
-- A repeating template: its plan item, since when it repeats, and each instance's time to acknowledge.
DEFINE FIELD plan_item ON briefing TYPE option<record<plan_item>>;
DEFINE FIELD recurring_since ON briefing TYPE option<datetime>;
DEFINE FIELD ack_within_days ON briefing TYPE option<int>;
-- An instance: its template and the plan item's occurrence (a UK date) it is for. Its record
-- key is derived from both, so creating it twice (another pass, another process) is a no-op.
DEFINE FIELD instance_of ON briefing TYPE option<record<briefing>>;
DEFINE FIELD occurrence ON briefing TYPE option<string>;
DEFINE INDEX briefing_instance ON briefing FIELDS instance_of;
DEFINE INDEX briefing_recurring ON briefing FIELDS state, plan_item;

DEFINE FIELD tags ON contact TYPE array<string> DEFAULT [];
UPDATE contact SET tags = [];
DEFINE FIELD tags ON segment TYPE array<string> DEFAULT [];
DEFINE FIELD organisations ON segment TYPE array<record<organisation>> DEFAULT [];
UPDATE segment SET tags = [], organisations = [];
"#,
    },
    Migration {
        version: 6,
        name: "delivery index by briefing only",
        sql: r#"
-- Indexed by (briefing, state), every state change of a delivery (queued, sending, sent) also
-- rewrote this index entry; by briefing alone it is written once. Open deliveries are found
-- through delivery_queue (state, due).
REMOVE INDEX delivery_briefing ON delivery;
DEFINE INDEX delivery_briefing ON delivery FIELDS briefing;
"#,
    },
    Migration {
        version: 7,
        name: "delivery blocks: one lease for many frozen recipients",
        sql: r#"
-- `batched`: frozen with a briefing and waiting in a block; leased with the block, not one by one.
DEFINE FIELD OVERWRITE state ON delivery TYPE string ASSERT $value IN ["queued", "batched", "sending", "sent", "failed"];
DEFINE TABLE delivery_block SCHEMAFULL;
DEFINE FIELD briefing ON delivery_block TYPE record<briefing>;
DEFINE FIELD rows ON delivery_block TYPE array<record<delivery>>;
DEFINE FIELD state ON delivery_block TYPE string ASSERT $value IN ["queued", "sending", "done"];
DEFINE FIELD lease_owner ON delivery_block TYPE option<string>;
DEFINE FIELD lease_until ON delivery_block TYPE option<datetime>;
DEFINE INDEX delivery_block_state ON delivery_block FIELDS state;
"#,
    },
    Migration {
        version: 8,
        name: "frozen recipients are block entries; a delivery row is written with its first outcome",
        sql: r#"
-- Blocks frozen by version 7 listed delivery rows waiting as `batched`: those rows go back to
-- being leased one by one, and the old blocks, which hold nothing else, are removed.
UPDATE delivery SET state = 'queued', lease_owner = NONE, lease_until = NONE WHERE state = 'batched';
DELETE delivery_block;
REMOVE FIELD rows ON delivery_block;
DEFINE FIELD OVERWRITE state ON delivery TYPE string ASSERT $value IN ["queued", "sending", "sent", "failed"];
-- A block's entries, one per frozen recipient (its delivery key and the snapshot its row is
-- written with), are a record of their own under the block's key: leasing, renewing and
-- finishing a block rewrite only the small block record.
DEFINE TABLE delivery_entries SCHEMAFULL;
DEFINE FIELD entries ON delivery_entries TYPE array<object> FLEXIBLE;
"#,
    },
    Migration {
        version: 9,
        name: "sign-in throttling: one counter record per key, reserved atomically",
        sql: r#"
-- A counter per throttle key (account, account + address, address), incremented in the same
-- transaction that checks it: parallel attempts conflict on the record, so they cannot all read
-- "no failures yet". Replaces the failure log, whose counts raced.
REMOVE TABLE IF EXISTS login_failure;
DEFINE TABLE login_throttle SCHEMAFULL;
DEFINE FIELD since ON login_throttle TYPE datetime;
DEFINE FIELD count ON login_throttle TYPE int;
-- One record per account key and window: the first refusal in a window is audited, not each.
DEFINE TABLE login_refusal SCHEMAFULL;
DEFINE FIELD at ON login_refusal TYPE datetime;
"#,
    },
    Migration {
        version: 10,
        name: "workstreams set up in the browser: objectives, dates, several leads, archiving, versions",
        sql: r#"
DEFINE FIELD objectives ON workstream TYPE string DEFAULT "";
DEFINE FIELD starts_on ON workstream TYPE option<string>;
DEFINE FIELD ends_on ON workstream TYPE option<string>;
DEFINE FIELD archived_at ON workstream TYPE option<datetime>;
DEFINE FIELD leads ON workstream TYPE array<record<user>> DEFAULT [];
-- Every save increments it; a save that names an older version is refused (lost updates).
DEFINE FIELD version ON workstream TYPE int DEFAULT 1;
DEFINE FIELD updated_at ON workstream TYPE option<datetime>;
DEFINE FIELD updated_by ON workstream TYPE option<string>;
UPDATE workstream SET leads = IF lead = NONE { [] } ELSE { [lead] }, objectives = "", version = 1;
REMOVE INDEX IF EXISTS workstream_lead ON workstream;
-- The value goes before the field: a schemafull table refuses to write a record holding a field
-- it no longer defines (version 23 stopped on such a workstream; see there).
UPDATE workstream UNSET lead RETURN NONE;
REMOVE FIELD IF EXISTS lead ON workstream;
DEFINE INDEX workstream_leads ON workstream FIELDS leads;
"#,
    },
    Migration {
        version: 11,
        name: "controlling a send: stop, resume, retry failed",
        sql: r#"
DEFINE FIELD OVERWRITE state ON briefing TYPE string
    ASSERT $value IN ["draft", "scheduled", "sending", "sent", "cancelled", "recurring", "stopped"];
-- `stopped`: not handed to the relay because the briefing was stopped; queued again on resume.
DEFINE FIELD OVERWRITE state ON delivery TYPE string ASSERT $value IN ["queued", "sending", "sent", "failed", "stopped"];
DEFINE FIELD OVERWRITE state ON delivery_block TYPE string ASSERT $value IN ["queued", "sending", "done", "stopped"];
DEFINE INDEX delivery_block_briefing ON delivery_block FIELDS briefing, state;
-- How many failed deliveries "Retry failed" has queued again, and when each was.
DEFINE FIELD retried ON briefing TYPE int DEFAULT 0;
UPDATE briefing SET retried = 0;
DEFINE FIELD retried_at ON delivery TYPE option<datetime>;
"#,
    },
    Migration {
        version: 12,
        name: "invitations, password resets and the account-mail outbox",
        sql: r#"
-- Account emails (invitations, password resets): written in the transaction that creates the
-- invitation or reset, sent by the account mailer with a lease like the delivery outbox. The
-- text holds a single-use link, so it is blanked once the relay has the message.
DEFINE TABLE account_mail SCHEMAFULL;
DEFINE FIELD to ON account_mail TYPE string;
DEFINE FIELD name ON account_mail TYPE string;
DEFINE FIELD subject ON account_mail TYPE string;
DEFINE FIELD text ON account_mail TYPE string;
DEFINE FIELD html ON account_mail TYPE string;
DEFINE FIELD state ON account_mail TYPE string ASSERT $value IN ["queued", "sending", "sent", "failed"];
DEFINE FIELD attempts ON account_mail TYPE int DEFAULT 0;
DEFINE FIELD due ON account_mail TYPE datetime;
DEFINE FIELD lease_owner ON account_mail TYPE option<string>;
DEFINE FIELD lease_until ON account_mail TYPE option<datetime>;
DEFINE FIELD last_error ON account_mail TYPE option<string>;
DEFINE FIELD sent_at ON account_mail TYPE option<datetime>;
DEFINE FIELD created_at ON account_mail TYPE datetime DEFAULT time::now();
DEFINE INDEX account_mail_queue ON account_mail FIELDS state, due;

DEFINE TABLE invitation SCHEMAFULL;
DEFINE FIELD email ON invitation TYPE string;
DEFINE FIELD name ON invitation TYPE string;
DEFINE FIELD role ON invitation TYPE string ASSERT $value IN ["programme-manager", "workstream-lead"];
DEFINE FIELD workstreams ON invitation TYPE array<record<workstream>>;
-- Only the SHA-256 of the link's token: a copy of the database holds no usable link.
DEFINE FIELD token_hash ON invitation TYPE string;
DEFINE FIELD expires_at ON invitation TYPE datetime;
DEFINE FIELD state ON invitation TYPE string ASSERT $value IN ["pending", "accepted", "revoked"];
DEFINE FIELD invited_by ON invitation TYPE string;
DEFINE FIELD sent_count ON invitation TYPE int DEFAULT 1;
DEFINE FIELD created_at ON invitation TYPE datetime DEFAULT time::now();
DEFINE FIELD accepted_at ON invitation TYPE option<datetime>;
DEFINE INDEX invitation_token ON invitation FIELDS token_hash UNIQUE;
DEFINE INDEX invitation_email ON invitation FIELDS email;

DEFINE TABLE password_reset SCHEMAFULL;
DEFINE FIELD user ON password_reset TYPE record<user>;
DEFINE FIELD token_hash ON password_reset TYPE string;
DEFINE FIELD expires_at ON password_reset TYPE datetime;
DEFINE FIELD used_at ON password_reset TYPE option<datetime>;
DEFINE INDEX password_reset_token ON password_reset FIELDS token_hash UNIQUE;
DEFINE INDEX password_reset_user ON password_reset FIELDS user;
"#,
    },
    Migration {
        version: 13,
        name: "organisations keep their contact count",
        sql: r#"
-- Counting each listed organisation's contacts with a subquery made the organisations page take
-- 655 ms with 10,000 contacts. The count is kept on the organisation instead, by an event that
-- runs in the same transaction as the contact's create, move or delete.
DEFINE FIELD contact_count ON organisation TYPE int DEFAULT 0;
UPDATE organisation SET contact_count = array::len((SELECT VALUE id FROM contact WHERE organisation = $parent.id));
DEFINE EVENT contact_count ON contact
    WHEN $event = "CREATE" OR $event = "DELETE" OR ($event = "UPDATE" AND $before.organisation != $after.organisation)
    THEN {
        IF $event != "CREATE" { UPDATE $before.organisation SET contact_count -= 1 RETURN NONE };
        IF $event != "DELETE" { UPDATE $after.organisation SET contact_count += 1 RETURN NONE };
    };
"#,
    },
    Migration {
        version: 14,
        name: "briefings can be edited: a version against lost updates",
        sql: r#"
DEFINE FIELD version ON briefing TYPE int DEFAULT 1;
UPDATE briefing SET version = 1;
DEFINE FIELD updated_at ON briefing TYPE option<datetime>;
DEFINE FIELD updated_by ON briefing TYPE option<string>;
"#,
    },
    Migration {
        version: 15,
        name: "audiences, plan items and milestones can be edited and removed: versions, archiving",
        sql: r#"
DEFINE FIELD version ON segment TYPE int DEFAULT 1;
DEFINE FIELD archived ON segment TYPE bool DEFAULT false;
DEFINE FIELD updated_at ON segment TYPE option<datetime>;
DEFINE FIELD updated_by ON segment TYPE option<string>;
UPDATE segment SET version = 1, archived = false;
DEFINE FIELD version ON plan_item TYPE int DEFAULT 1;
DEFINE FIELD archived ON plan_item TYPE bool DEFAULT false;
DEFINE FIELD updated_at ON plan_item TYPE option<datetime>;
DEFINE FIELD updated_by ON plan_item TYPE option<string>;
UPDATE plan_item SET version = 1, archived = false;
DEFINE FIELD version ON milestone TYPE int DEFAULT 1;
DEFINE FIELD updated_at ON milestone TYPE option<datetime>;
DEFINE FIELD updated_by ON milestone TYPE option<string>;
UPDATE milestone SET version = 1;
-- "Is this audience or plan item used?" decides between deleting and archiving it.
DEFINE INDEX briefing_segment ON briefing FIELDS segment;
DEFINE INDEX plan_item_segment ON plan_item FIELDS segment;
DEFINE INDEX briefing_plan_item ON briefing FIELDS plan_item;
"#,
    },
    Migration {
        version: 16,
        name: "register imports: an uploaded file between its preview and its commit",
        sql: r#"
DEFINE TABLE import SCHEMAFULL;
DEFINE FIELD filename ON import TYPE string;
DEFINE FIELD text ON import TYPE string;
DEFINE FIELD created_by ON import TYPE string;
DEFINE FIELD created_at ON import TYPE datetime;
DEFINE FIELD committed_at ON import TYPE option<datetime>;
DEFINE FIELD result ON import TYPE option<string>;
DEFINE FIELD errors_csv ON import TYPE option<string>;
"#,
    },
    Migration {
        version: 17,
        name: "contacts: engagement gap kept by the database, for filtering and sorting the register",
        sql: r#"
-- The order of domain::Engagement::ALL (a test checks the two agree).
DEFINE FUNCTION fn::engagement_rank($e: string) {
    RETURN IF $e = 'unaware' { 0 } ELSE IF $e = 'resistant' { 1 } ELSE IF $e = 'neutral' { 2 }
        ELSE IF $e = 'supportive' { 3 } ELSE IF $e = 'leading' { 4 } ELSE { 0 };
};
DEFINE FIELD engagement_gap ON contact VALUE fn::engagement_rank(engagement_target) - fn::engagement_rank(engagement_current);
UPDATE contact SET engagement_gap = 0 RETURN NONE;
"#,
    },
    Migration {
        version: 18,
        name: "the interaction log: meetings, calls, emails, workshops and notes, with follow-ups",
        sql: r#"
-- An interaction is with a contact or (now also) an organisation.
DEFINE FIELD OVERWRITE contact ON interaction TYPE option<record<contact>>;
DEFINE FIELD organisation ON interaction TYPE option<record<organisation>>;
-- Logged by a person (the others are written by the system: acknowledgements, unsubscribes).
DEFINE FIELD logged ON interaction TYPE bool DEFAULT false;
DEFINE FIELD date ON interaction TYPE option<string>;
DEFINE FIELD participants ON interaction TYPE option<string>;
DEFINE FIELD follow_up_on ON interaction TYPE option<string>;
DEFINE FIELD follow_up_owner ON interaction TYPE option<record<user>>;
DEFINE FIELD follow_up_done ON interaction TYPE option<datetime>;
DEFINE FIELD author ON interaction TYPE option<record<user>>;
DEFINE FIELD author_name ON interaction TYPE option<string>;
DEFINE FIELD version ON interaction TYPE int DEFAULT 1;
DEFINE FIELD updated_at ON interaction TYPE option<datetime>;
DEFINE FIELD updated_by ON interaction TYPE option<string>;
UPDATE interaction SET logged = false, version = 1 RETURN NONE;
DEFINE INDEX interaction_organisation ON interaction FIELDS organisation, at;
DEFINE INDEX interaction_follow_up ON interaction FIELDS follow_up_owner, follow_up_done;
"#,
    },
    Migration {
        version: 19,
        name: "workstream leads: an index the planner reads for `leads CONTAINS` (every signed-in request)",
        sql: r#"
-- SurrealDB 3 uses an index for `leads CONTAINS $user` only when it indexes the array's
-- elements (`leads.*`); the session check runs that query on every signed-in request.
REMOVE INDEX IF EXISTS workstream_leads ON workstream;
DEFINE INDEX workstream_leads ON workstream FIELDS leads.*;
"#,
    },
    Migration {
        version: 20,
        name: "dispatcher heartbeats: a dead process's leases are taken over in seconds, not minutes",
        sql: r#"
-- One record per running dispatcher (keyed by its owner name), rewritten every few seconds with
-- the database's clock. A lease whose owner has gone quiet can be taken over before it lapses;
-- the lease itself stays long, so a slow but live sender keeps what it holds.
DEFINE TABLE dispatcher SCHEMAFULL;
DEFINE FIELD seen_at ON dispatcher TYPE datetime;
"#,
    },
    Migration {
        version: 21,
        name: "engagement history: every change of a contact's influence, interest, current or target engagement",
        sql: r#"
-- Who last wrote the contact (the audit label of the edit or import): the history names them.
DEFINE FIELD changed_by ON contact TYPE option<string>;
-- One row per change, holding the values after it; written by the database in the same
-- transaction as the change, whichever code path made it (the form, an import, the map).
DEFINE TABLE engagement_change SCHEMAFULL;
DEFINE FIELD contact ON engagement_change TYPE record<contact>;
DEFINE FIELD at ON engagement_change TYPE datetime;
DEFINE FIELD by ON engagement_change TYPE string;
DEFINE FIELD influence ON engagement_change TYPE int;
DEFINE FIELD interest ON engagement_change TYPE int;
DEFINE FIELD current ON engagement_change TYPE string;
DEFINE FIELD target ON engagement_change TYPE string;
DEFINE INDEX engagement_change_contact ON engagement_change FIELDS contact, at;
DEFINE INDEX engagement_change_at ON engagement_change FIELDS at;
DEFINE EVENT engagement_history ON contact
    WHEN $event = "CREATE" OR ($event = "UPDATE" AND (
        $before.influence != $after.influence OR $before.interest != $after.interest
        OR $before.engagement_current != $after.engagement_current
        OR $before.engagement_target != $after.engagement_target))
    THEN {
        CREATE engagement_change SET contact = $after.id, at = time::now(), by = $after.changed_by ?? "Liaison",
            influence = $after.influence, interest = $after.interest,
            current = $after.engagement_current, target = $after.engagement_target;
    };
-- Where each contact stood when the history began (from its creation date).
FOR $c IN (SELECT id, created_at, influence, interest, engagement_current, engagement_target FROM contact) {
    CREATE engagement_change SET contact = $c.id, at = $c.created_at, by = "Before the history was kept",
        influence = $c.influence, interest = $c.interest, current = $c.engagement_current, target = $c.engagement_target;
};
"#,
    },
    Migration {
        version: 22,
        name: "register imports: the column mapping a person chose on the preview",
        sql: r#"
-- One field key per column of the file, blank for a column not imported; NONE means the
-- mapping read from the headings.
DEFINE FIELD mapping ON import TYPE option<array<string>>;
"#,
    },
    Migration {
        version: 23,
        name: "workstreams: email nudges to leads when the status is stale",
        sql: r#"
-- Managers may turn nudges off per workstream; the last nudge (when, to whom) shows on the
-- overview, and a second process sees it and does not nudge again.
-- Before 2026-12-04, version 10 left a removed `lead` on the workstreams that had one, and this
-- version's UPDATE failed on them ("Found field 'lead'"), so such a database stopped here: the
-- value goes first.
DEFINE FIELD OVERWRITE lead ON workstream TYPE option<record<user>>;
UPDATE workstream UNSET lead RETURN NONE;
REMOVE FIELD lead ON workstream;
DEFINE FIELD nudges ON workstream TYPE bool DEFAULT true;
UPDATE workstream SET nudges = true RETURN NONE;
DEFINE FIELD nudged_at ON workstream TYPE option<datetime>;
DEFINE FIELD nudged_to ON workstream TYPE option<string>;
"#,
    },
    Migration {
        version: 24,
        name: "mail coming back: inbound messages, bounces on deliveries, held addresses, answers",
        sql: r#"
-- Every message that comes back (over SMTP or from a mailbox) and every question asked from an
-- acknowledgement page. Keyed by a hash of the message, so a sender's retry or a second poller
-- stores it once. `state` is `new` until it is classified; the raw bytes are kept (base64).
DEFINE TABLE inbound SCHEMAFULL;
DEFINE FIELD received_at ON inbound TYPE datetime;
DEFINE FIELD via ON inbound TYPE string ASSERT $value IN ["smtp", "imap", "ack_page"];
DEFINE FIELD envelope_from ON inbound TYPE string DEFAULT "";
DEFINE FIELD envelope_to ON inbound TYPE array<string> DEFAULT [];
DEFINE FIELD raw ON inbound TYPE string DEFAULT "";
DEFINE FIELD state ON inbound TYPE string ASSERT $value IN ["new", "done"];
DEFINE FIELD kind ON inbound TYPE option<string>;
DEFINE FIELD delivery ON inbound TYPE option<record<delivery>>;
DEFINE FIELD contact ON inbound TYPE option<record<contact>>;
DEFINE FIELD briefing ON inbound TYPE option<record<briefing>>;
DEFINE FIELD from_address ON inbound TYPE string DEFAULT "";
DEFINE FIELD from_name ON inbound TYPE string DEFAULT "";
DEFINE FIELD subject ON inbound TYPE string DEFAULT "";
DEFINE FIELD message_id ON inbound TYPE string DEFAULT "";
DEFINE FIELD text ON inbound TYPE string DEFAULT "";
DEFINE FIELD full_text ON inbound TYPE string DEFAULT "";
DEFINE FIELD status ON inbound TYPE string DEFAULT "";
DEFINE FIELD diagnostic ON inbound TYPE string DEFAULT "";
DEFINE FIELD handled_at ON inbound TYPE option<datetime>;
DEFINE FIELD handled_by ON inbound TYPE option<string>;
DEFINE FIELD answer ON inbound TYPE option<string>;
DEFINE FIELD answered_at ON inbound TYPE option<datetime>;
DEFINE FIELD answered_by ON inbound TYPE option<string>;
DEFINE INDEX inbound_state ON inbound FIELDS state;
DEFINE INDEX inbound_contact ON inbound FIELDS contact, received_at;
DEFINE INDEX inbound_received ON inbound FIELDS received_at;
-- A bounce on the delivery it answers.
DEFINE FIELD bounced_at ON delivery TYPE option<datetime>;
DEFINE FIELD bounce_hard ON delivery TYPE option<bool>;
DEFINE FIELD bounce_diagnostic ON delivery TYPE option<string>;
-- An address Liaison no longer emails (a hard bounce, or repeated soft ones): audiences
-- leave it out until the address is edited.
DEFINE FIELD held_since ON contact TYPE option<datetime>;
DEFINE FIELD held_reason ON contact TYPE option<string>;
DEFINE INDEX contact_held ON contact FIELDS held_since;
-- An answer threads under the message it answers.
DEFINE FIELD in_reply_to ON account_mail TYPE string DEFAULT "";
"#,
    },
    Migration {
        version: 25,
        name: "the plan against what happened: an interaction may carry out a plan item",
        sql: r#"
-- A workshop, meeting or note logged as one of the plan's (non-email) items: the plan shows it
-- against the occurrence it falls in. Email items are carried out by their briefings.
DEFINE FIELD plan_item ON interaction TYPE option<record<plan_item>>;
DEFINE INDEX interaction_plan ON interaction FIELDS plan_item;
"#,
    },
    Migration {
        version: 26,
        name: "consent: the lawful basis on each contact, audiences that require one, and a subscription history the database keeps",
        sql: r#"
DEFINE FIELD lawful_basis ON contact TYPE option<string>;
DEFINE FIELD basis_source ON contact TYPE option<string>;
DEFINE FIELD basis_recorded_on ON contact TYPE option<string>;
DEFINE FIELD basis_recorded_by ON contact TYPE option<string>;
DEFINE FIELD require_basis ON segment TYPE bool DEFAULT false;
-- Erasure leaves a tombstone: the register no longer lists it.
DEFINE FIELD erased_at ON contact TYPE option<datetime>;
UPDATE segment SET require_basis = false RETURN NONE;
-- Every change of whether a contact is emailed, with how and by whom, written by the database
-- in the same transaction as the change, whichever code path made it: the writer says how in
-- `subscription_via` (the edit form, an import, a personal link, one-click).
DEFINE FIELD subscription_via ON contact TYPE option<string>;
DEFINE FIELD change ON subscription_event TYPE string DEFAULT "";
DEFINE FIELD by ON subscription_event TYPE string DEFAULT "";
UPDATE subscription_event SET change = IF subscribed { "subscribed" } ELSE { "unsubscribed" }, by = "the recipient" RETURN NONE;
DEFINE EVENT subscription_history ON contact
    WHEN $event = "CREATE" OR ($event = "UPDATE" AND ($before.subscribed != $after.subscribed
        OR ($before.held_since = NONE) != ($after.held_since = NONE)))
    THEN {
        IF $event = "CREATE" {
            CREATE subscription_event SET contact = $after.id, at = time::now(), subscribed = $after.subscribed,
                change = IF $after.subscribed { "subscribed" } ELSE { "unsubscribed" },
                via = "added to the register through " + ($after.subscription_via ?? "Liaison"), by = $after.changed_by ?? "Liaison";
        } ELSE {
            IF $before.subscribed != $after.subscribed {
                CREATE subscription_event SET contact = $after.id, at = time::now(), subscribed = $after.subscribed,
                    change = IF $after.subscribed { "subscribed" } ELSE { "unsubscribed" },
                    via = $after.subscription_via ?? "an edit", by = $after.changed_by ?? "Liaison";
            };
            IF ($before.held_since = NONE) != ($after.held_since = NONE) {
                CREATE subscription_event SET contact = $after.id, at = time::now(), subscribed = $after.subscribed,
                    change = IF $after.held_since = NONE { "released" } ELSE { "held" },
                    via = IF $after.held_since = NONE { "the address was corrected" } ELSE { "a bounce" },
                    by = IF $after.held_since = NONE { $after.changed_by ?? "Liaison" } ELSE { "Liaison" };
            };
        };
    };
"#,
    },
    Migration {
        version: 27,
        name: "organisations no longer keep a contact count: the register view counts them",
        sql: r#"
-- The count kept by migration 13's event is read by nothing since the register view (which holds
-- every contact) counts each organisation's contacts; the event cost an organisation write per
-- contact created, moved or deleted: a quarter of a 10,000-row import's commit. The field stays
-- defined (its stored values are no longer read), so no stored organisation becomes invalid.
REMOVE EVENT IF EXISTS contact_count ON contact;
"#,
    },
    Migration {
        version: 28,
        name: "what each finished briefing reached, kept per sector, and its acknowledgements counted as they come",
        sql: r#"
-- See repo/tallies.rs. A finished briefing's deliveries per sector and the contacts they went
-- to (keys, comma-separated), written when its send is finished or by the first report that
-- finds them missing.
DEFINE TABLE briefing_tally SCHEMAFULL;
DEFINE FIELD briefing ON briefing_tally TYPE record<briefing>;
DEFINE FIELD org_kind ON briefing_tally TYPE string;
DEFINE FIELD delivered ON briefing_tally TYPE int;
DEFINE FIELD contacts ON briefing_tally TYPE string;
DEFINE INDEX briefing_tally_briefing ON briefing_tally FIELDS briefing;
-- Acknowledgements of sent deliveries per briefing and sector, counted by each
-- acknowledgement's transaction; those before this version are counted here.
DEFINE TABLE briefing_acks SCHEMAFULL;
DEFINE FIELD briefing ON briefing_acks TYPE record<briefing>;
DEFINE FIELD org_kind ON briefing_acks TYPE string;
DEFINE FIELD n ON briefing_acks TYPE int;
DEFINE INDEX briefing_acks_briefing ON briefing_acks FIELDS briefing;
FOR $g IN (SELECT briefing, org_kind, count() AS n FROM delivery
        WHERE kind = 'briefing' AND state = 'sent' AND acknowledged_at != NONE GROUP BY briefing, org_kind) {
    UPSERT type::record('briefing_acks', [record::id($g.briefing), $g.org_kind])
        SET briefing = $g.briefing, org_kind = $g.org_kind, n = $g.n;
};
"#,
    },
    Migration {
        version: 29,
        name: "contacts are no longer indexed by name: the register view sorts them",
        sql: r#"
-- Read by nothing since the register view (which holds every contact, sorted by name in
-- memory) answers the lists; every contact written (10,000 in an import) paid for an entry.
REMOVE INDEX IF EXISTS contact_name ON contact;
"#,
    },
    Migration {
        version: 30,
        name: "a bulk writer may write a new contact's first history rows itself; the engagement gap is no longer stored",
        sql: r#"
-- The stored gap (migration 17) is read by nothing since the register view computes it in
-- memory (Contact::engagement_gap); each contact written paid for two function calls. The stored
-- values go first: a schemafull table refuses to write a record holding a field it no longer
-- defines, so a contact saved before this version could not be edited again.
DEFINE FIELD OVERWRITE engagement_gap ON contact TYPE option<int>;
UPDATE contact UNSET engagement_gap RETURN NONE;
REMOVE FIELD IF EXISTS engagement_gap ON contact;
REMOVE FUNCTION IF EXISTS fn::engagement_rank;
-- The history events (migrations 21 and 26) as before, except where the writing query has set
-- `$history_written = true`: an import writes its new contacts' first rows in one bulk INSERT
-- each (repo/imports.rs), which halves the cost of a 10,000-row commit. Every other write, and
-- an import's updates, still leave the history to these events.
DEFINE EVENT OVERWRITE engagement_history ON contact
    WHEN $history_written != true AND ($event = "CREATE" OR ($event = "UPDATE" AND (
        $before.influence != $after.influence OR $before.interest != $after.interest
        OR $before.engagement_current != $after.engagement_current
        OR $before.engagement_target != $after.engagement_target)))
    THEN {
        CREATE engagement_change SET contact = $after.id, at = time::now(), by = $after.changed_by ?? "Liaison",
            influence = $after.influence, interest = $after.interest,
            current = $after.engagement_current, target = $after.engagement_target;
    };
DEFINE EVENT OVERWRITE subscription_history ON contact
    WHEN $history_written != true AND ($event = "CREATE" OR ($event = "UPDATE" AND ($before.subscribed != $after.subscribed
        OR ($before.held_since = NONE) != ($after.held_since = NONE))))
    THEN {
        IF $event = "CREATE" {
            CREATE subscription_event SET contact = $after.id, at = time::now(), subscribed = $after.subscribed,
                change = IF $after.subscribed { "subscribed" } ELSE { "unsubscribed" },
                via = "added to the register through " + ($after.subscription_via ?? "Liaison"), by = $after.changed_by ?? "Liaison";
        } ELSE {
            IF $before.subscribed != $after.subscribed {
                CREATE subscription_event SET contact = $after.id, at = time::now(), subscribed = $after.subscribed,
                    change = IF $after.subscribed { "subscribed" } ELSE { "unsubscribed" },
                    via = $after.subscription_via ?? "an edit", by = $after.changed_by ?? "Liaison";
            };
            IF ($before.held_since = NONE) != ($after.held_since = NONE) {
                CREATE subscription_event SET contact = $after.id, at = time::now(), subscribed = $after.subscribed,
                    change = IF $after.held_since = NONE { "released" } ELSE { "held" },
                    via = IF $after.held_since = NONE { "the address was corrected" } ELSE { "a bounce" },
                    by = IF $after.held_since = NONE { $after.changed_by ?? "Liaison" } ELSE { "Liaison" };
            };
        };
    };
"#,
    },
    Migration {
        version: 31,
        name: "contacts no longer keep a folded name and a search text: the register view makes both in memory",
        sql: r#"
-- Read by nothing since the register view (which holds every contact) folds names for sorting
-- and searching itself; each contact written carried both (a second copy of its name and
-- address). The stored copies go first (see version 30), which also leaves no second copy of an
-- erased or edited person's name behind.
DEFINE FIELD OVERWRITE name_key ON contact TYPE option<string>;
DEFINE FIELD OVERWRITE search_text ON contact TYPE option<string>;
UPDATE contact UNSET name_key, search_text RETURN NONE;
REMOVE FIELD IF EXISTS name_key ON contact;
REMOVE FIELD IF EXISTS search_text ON contact;
"#,
    },
];

/// Applies every migration not yet recorded, in order. Safe when several processes start at
/// once: the unique index on `version` lets only one record a migration; the others see it
/// recorded and move on.
pub async fn apply(store: &Store) -> Result<Vec<i64>, StoreError> {
    apply_list(store.db(), MIGRATIONS).await
}

async fn apply_list(
    db: &surrealdb::Surreal<surrealdb::engine::any::Any>,
    list: &[Migration],
) -> Result<Vec<i64>, StoreError> {
    db.query(
        "DEFINE TABLE IF NOT EXISTS migration SCHEMAFULL;
         DEFINE FIELD IF NOT EXISTS version ON migration TYPE int;
         DEFINE FIELD IF NOT EXISTS name ON migration TYPE string;
         DEFINE FIELD IF NOT EXISTS applied_at ON migration TYPE datetime;
         DEFINE INDEX IF NOT EXISTS migration_version ON migration FIELDS version UNIQUE;",
    )
    .await?
    .check()?;
    // Code older than the database's schema would misread it (version 8, for one, changed what
    // the outbox holds): refuse to start rather than send wrongly.
    let known = list.iter().map(|m| m.version).max().unwrap_or(0);
    let mut res = db
        .query("SELECT VALUE version FROM migration ORDER BY version DESC LIMIT 1")
        .await?;
    let newest: Vec<i64> = res.take(0)?;
    if let Some(newest) = newest.first().copied().filter(|v| *v > known) {
        return Err(StoreError::Refused(format!(
            "this database has schema version {newest}, written by a newer Liaison; this one knows up to {known}. Run that newer version (or newer) against it."
        )));
    }
    let mut applied_now = Vec::new();
    for m in list {
        let mut res = db
            .query("SELECT VALUE version FROM migration WHERE version = $v")
            .bind(("v", m.version))
            .await?;
        let done: Vec<i64> = res.take(0)?;
        if !done.is_empty() {
            continue;
        }
        let sql = format!(
            "BEGIN TRANSACTION;\n{}\nCREATE migration SET version = $v, name = $name, applied_at = time::now();\nCOMMIT TRANSACTION;",
            m.sql
        );
        // A write conflict with another process starting at the same moment is retried; after
        // the retries the version row must exist (ours or theirs), or nothing is served.
        let outcome = crate::backend::db::retry_conflicts(|| {
            let sql = sql.clone();
            async move {
                db.query(sql)
                    .bind(("v", m.version))
                    .bind(("name", m.name))
                    .await
                    .and_then(|r| r.check())
                    .map_err(StoreError::from)
            }
        })
        .await;
        match outcome {
            Ok(_) => applied_now.push(m.version),
            // Another process applied it first.
            Err(StoreError::Duplicate { .. }) => {}
            Err(e) if e.is_retryable() => {}
            Err(e) => return Err(e),
        }
        let mut res = db
            .query("SELECT VALUE version FROM migration WHERE version = $v")
            .bind(("v", m.version))
            .await?;
        let done: Vec<i64> = res.take(0)?;
        if done.is_empty() {
            return Err(StoreError::Refused(format!(
                "schema migration {} ({}) could not be applied: another process kept conflicting with it. Start Liaison again.",
                m.version, m.name
            )));
        }
    }
    if !applied_now.is_empty() {
        tracing::info!(versions = ?applied_now, "applied schema migrations");
    }
    Ok(applied_now)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A briefing being sent when version 8 is applied: its recipients, frozen by version 7 as
    /// rows waiting in a block (`batched`), become rows leased one by one (`queued`), so none is
    /// lost, and the old blocks go.
    #[tokio::test]
    async fn version_8_requeues_the_rows_version_7_froze_in_blocks() {
        let db = surrealdb::engine::any::connect("mem://").await.unwrap();
        db.use_ns("t").use_db("t").await.unwrap();
        let before = &MIGRATIONS[..7];
        assert_eq!(before.last().map(|m| m.version), Some(7));
        apply_list(&db, before).await.unwrap();
        db.query(
            "CREATE delivery:d1 SET briefing = briefing:b, kind = 'briefing', email = 'a@x.org', name = 'A',
                org_name = 'O', org_kind = 'hei', state = 'batched', attempts = 0, due = time::now();
             CREATE delivery:d2 SET briefing = briefing:b, kind = 'briefing', email = 'b@x.org', name = 'B',
                org_name = 'O', org_kind = 'hei', state = 'sent', attempts = 1, due = time::now();
             CREATE delivery_block:k SET briefing = briefing:b, state = 'sending', lease_owner = 'old', lease_until = time::now(),
                rows = [delivery:d1, delivery:d2];",
        )
        .await
        .unwrap()
        .check()
        .unwrap();

        assert_eq!(apply_list(&db, &MIGRATIONS[..8]).await.unwrap(), vec![8]);
        // The older code now refuses this database rather than misread its outbox.
        assert!(matches!(apply_list(&db, before).await, Err(StoreError::Refused(m)) if m.contains("schema version 8")));
        let mut res = db
            .query("SELECT VALUE state FROM delivery ORDER BY id; SELECT VALUE id FROM delivery_block;")
            .await
            .unwrap();
        let states: Vec<String> = res.take(0).unwrap();
        assert_eq!(states, vec!["queued".to_string(), "sent".to_string()]);
        let blocks: Vec<surrealdb::types::RecordId> = res.take(1).unwrap();
        assert!(blocks.is_empty());
    }

    /// Version 28 counts the acknowledgements given before it, per briefing and sector; only
    /// those of sent briefing deliveries, as the reports count them.
    #[tokio::test]
    async fn version_28_counts_the_acknowledgements_given_before_it() {
        let db = surrealdb::engine::any::connect("mem://").await.unwrap();
        db.use_ns("t").use_db("t").await.unwrap();
        apply_list(&db, &MIGRATIONS[..27]).await.unwrap();
        db.query(
            "CREATE delivery SET briefing = briefing:b, kind = 'briefing', email = 'a@x.org', name = 'A',
                org_name = 'O', org_kind = 'hei', state = 'sent', attempts = 1, due = time::now(), acknowledged_at = time::now();
             CREATE delivery SET briefing = briefing:b, kind = 'briefing', email = 'b@x.org', name = 'B',
                org_name = 'O', org_kind = 'hei', state = 'sent', attempts = 1, due = time::now(), acknowledged_at = time::now();
             CREATE delivery SET briefing = briefing:b, kind = 'briefing', email = 'c@x.org', name = 'C',
                org_name = 'P', org_kind = 'acute_trust', state = 'sent', attempts = 1, due = time::now();
             CREATE delivery SET briefing = briefing:b, kind = 'test', email = 'd@x.org', name = 'D',
                org_name = 'P', org_kind = 'acute_trust', state = 'sent', attempts = 1, due = time::now(), acknowledged_at = time::now();",
        )
        .await
        .unwrap()
        .check()
        .unwrap();
        assert_eq!(apply_list(&db, &MIGRATIONS[..28]).await.unwrap(), vec![28]);
        let mut res = db
            .query("SELECT org_kind, n FROM briefing_acks WHERE briefing = briefing:b ORDER BY org_kind")
            .await
            .unwrap();
        use surrealdb::types::SurrealValue;
        #[derive(SurrealValue)]
        struct Row {
            org_kind: String,
            n: i64,
        }
        let rows: Vec<Row> = res.take(0).unwrap();
        let got: Vec<(String, i64)> = rows.into_iter().map(|r| (r.org_kind, r.n)).collect();
        assert_eq!(got, vec![("hei".to_string(), 2)]);
    }
    /// Versions 30 and 31 on a register written before them: the contacts keep everything but
    /// the stored gap, folded name and search text, which go from the records too; the history
    /// events still write a new contact's first rows when the writer does not.
    #[tokio::test]
    async fn versions_30_and_31_drop_the_unread_copies_and_keep_the_history() {
        let db = surrealdb::engine::any::connect("mem://").await.unwrap();
        db.use_ns("t").use_db("t").await.unwrap();
        let before = &MIGRATIONS[..MIGRATIONS.iter().position(|m| m.version == 30).unwrap()];
        apply_list(&db, before).await.unwrap();
        let contact = "CREATE organisation:o SET name = 'O', name_key = 'o', kind = 'hei';
             CREATE contact:c SET organisation = organisation:o, name = 'Ann Old', name_key = 'ann old',
                email = 'ann@x.org', influence = 3, interest = 3, engagement_current = 'neutral',
                engagement_target = 'supportive', subscribed = true, search_text = 'ann old ann@x.org';";
        db.query(contact).await.unwrap().check().unwrap();

        apply_list(&db, MIGRATIONS).await.unwrap();
        let mut res = db
            .query(
                "SELECT VALUE [name, email, name_key, search_text, engagement_gap] FROM ONLY contact:c;
                 CREATE contact:d SET organisation = organisation:o, name = 'Bo New', email = 'bo@x.org',
                    influence = 3, interest = 3, engagement_current = 'neutral', engagement_target = 'supportive',
                    subscribed = true RETURN NONE;
                 RETURN array::len(SELECT VALUE id FROM engagement_change WHERE contact = contact:d);
                 RETURN array::len(SELECT VALUE id FROM subscription_event WHERE contact = contact:d);
                 UPDATE contact:c SET interest = 4 RETURN NONE;
                 RETURN array::len(SELECT VALUE id FROM engagement_change WHERE contact = contact:c);",
            )
            .await
            .unwrap();
        let kept: Vec<Option<String>> = res.take(0).unwrap();
        assert_eq!(
            kept,
            vec![Some("Ann Old".into()), Some("ann@x.org".into()), None, None, None]
        );
        let standing: Option<i64> = res.take(2).unwrap();
        let subscription: Option<i64> = res.take(3).unwrap();
        assert_eq!((standing, subscription), (Some(1), Some(1)));
        // A contact saved before can still be edited, and its edit is in its history.
        assert!(res.take_errors().is_empty());
        let edited: Option<i64> = res.take(5).unwrap();
        assert_eq!(edited, Some(2), "its first standing (version 21) and the edit");
    }
    /// A workstream with a lead saved before version 10 can be saved after every version (until
    /// 2026-12-04, version 23 failed on it: version 10 left the removed field's value behind).
    #[tokio::test]
    async fn a_workstream_led_before_version_10_can_be_saved_again() {
        let db = surrealdb::engine::any::connect("mem://").await.unwrap();
        db.use_ns("t").use_db("t").await.unwrap();
        let before = &MIGRATIONS[..MIGRATIONS.iter().position(|m| m.version == 10).unwrap()];
        apply_list(&db, before).await.unwrap();
        db.query(
            "CREATE workstream:w SET name = 'Baseline', aim = 'Know where we start', position = 1, lead = user:u;",
        )
        .await
        .unwrap()
        .check()
        .unwrap();
        apply_list(&db, MIGRATIONS).await.unwrap();
        let mut res = db
            .query("UPDATE workstream:w SET name = 'Baseline review' RETURN NONE; SELECT VALUE [name, lead] FROM ONLY workstream:w;")
            .await
            .unwrap();
        assert!(res.take_errors().is_empty(), "the save is accepted");
        let saved: Vec<Option<String>> = res.take(1).unwrap();
        assert_eq!(saved, vec![Some("Baseline review".to_string()), None]);
    }
}
