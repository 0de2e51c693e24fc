//! One helper per server function the tests call expecting success: each posts the form the
//! way the hydrated browser does, asserts the answer is 200 (panicking with the endpoint and
//! the body otherwise) and returns the response, its parsed JSON, or the id it redirected to.
//! A test that expects a refusal calls `app.call(...)` itself: that status is what it tests.
use crate::helpers::*;
use app::domain::{UserId, WorkstreamId};

/// "Send now" on a briefing, as the manager's form posts it.
pub fn send_now_form(briefing: &str) -> Vec<(&'static str, String)> {
    vec![
        ("id", briefing.to_string()),
        ("when", "now".into()),
        ("date", String::new()),
        ("time", String::new()),
    ]
}

/// A move on the influence × interest map (the drag, or the chosen cell's form).
pub fn place_form(contact: &str, influence: &str, interest: &str) -> Vec<(&'static str, String)> {
    vec![
        ("id", contact.to_string()),
        ("influence", influence.to_string()),
        ("interest", interest.to_string()),
    ]
}

/// A workstream's status update (green, "On track" unless given), as its form posts it.
pub fn status_form(workstream: &str, summary: &str) -> Vec<(&'static str, String)> {
    vec![
        ("workstream", workstream.to_string()),
        ("rag", "green".to_string()),
        ("summary", summary.to_string()),
        ("risks", String::new()),
        ("issues", String::new()),
        ("next_steps", String::new()),
        ("commentary", String::new()),
    ]
}

/// Sets `key` in a form (adding it when the form has no such field).
pub fn set_field(form: &mut Vec<(&'static str, String)>, key: &'static str, value: &str) {
    match form.iter_mut().find(|(k, _)| *k == key) {
        Some(field) => field.1 = value.to_string(),
        None => form.push((key, value.to_string())),
    }
}

/// A new audience of the contacts at these kinds of organisation (every contact when none).
pub fn audience(name: &str, kinds: &[&str]) -> Vec<(&'static str, String)> {
    let mut form = vec![
        ("name", name.to_string()),
        ("influence_min", "1".to_string()),
        ("interest_min", "1".to_string()),
    ];
    for kind in kinds {
        form.push(("kinds[]", kind.to_string()));
    }
    form
}

/// A new briefing to an audience, asking for no acknowledgement (see `asking_acknowledgement`).
pub fn new_briefing(subject: &str, body: &str, segment: &str) -> Vec<(&'static str, String)> {
    vec![
        ("subject", subject.to_string()),
        ("body", body.to_string()),
        ("segment", segment.to_string()),
        ("ack_deadline", String::new()),
        ("remind_days_before", String::new()),
    ]
}

/// The briefing form asking for acknowledgement by `deadline`, reminding `remind` days before
/// it (blank: no reminder).
pub fn asking_acknowledgement(
    mut form: Vec<(&'static str, String)>,
    deadline: &str,
    remind: &str,
) -> Vec<(&'static str, String)> {
    set_field(&mut form, "ack_required", "on");
    set_field(&mut form, "ack_deadline", deadline);
    set_field(&mut form, "remind_days_before", remind);
    form
}

/// The id at the end of the path a create redirected to (`/contacts/{id}` and the like).
fn id_from_redirect(res: &reqwest::Response, prefix: &str) -> String {
    redirect_target(res).trim_start_matches(prefix).to_string()
}

impl TestApp {
    /// Calls `endpoint` as `client` and asserts it answered 200.
    async fn expect_ok_as(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, String)],
    ) -> reqwest::Response {
        let res = self.call_as(client, endpoint, form).await;
        let status = res.status().as_u16();
        if status != 200 {
            let body = res.text().await.unwrap_or_default();
            panic!("{endpoint} answered {status}, not 200: {body}");
        }
        res
    }

    async fn expect_ok(&self, endpoint: &str, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok_as(&self.client, endpoint, form).await
    }

    /// Calls `endpoint` as `client`, asserts it answered 200 and parses its JSON.
    async fn expect_json_as(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, String)],
    ) -> serde_json::Value {
        let text = self
            .expect_ok_as(client, endpoint, form)
            .await
            .text()
            .await
            .unwrap_or_default();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{endpoint} answered with no JSON ({e}): {text}"))
    }

    async fn expect_json(&self, endpoint: &str, form: &[(&str, String)]) -> serde_json::Value {
        self.expect_json_as(&self.client, endpoint, form).await
    }

    // The register.

    /// Creates an organisation and returns its id (from the redirect the server asks for).
    pub async fn create_org(&self, name: &str, kind: &str) -> String {
        self.create_org_with(&org_form(name, kind)).await
    }

    pub async fn create_org_with(&self, form: &[(&str, String)]) -> String {
        let res = self.expect_ok("organisations/create", form).await;
        id_from_redirect(&res, "/organisations/")
    }

    pub async fn update_org(&self, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok("organisations/update", form).await
    }

    pub async fn delete_org(&self, id: &str) -> reqwest::Response {
        self.expect_ok("organisations/delete", &[("id", id.to_string())]).await
    }

    pub async fn list_orgs(&self, form: &[(&str, String)]) -> serde_json::Value {
        self.expect_json("organisations/list", form).await
    }

    pub async fn org_options_as(&self, client: &reqwest::Client) -> serde_json::Value {
        self.expect_json_as(client, "organisations/options", &[]).await
    }

    /// Creates a contact from `contact_form` and returns its id.
    pub async fn create_contact(&self, name: &str, email: &str, org: &str) -> String {
        self.create_contact_with(&contact_form(name, email, org)).await
    }

    /// Creates a contact from a whole form and returns its id.
    pub async fn create_contact_with(&self, form: &[(&str, String)]) -> String {
        let res = self.expect_ok("contacts/create", form).await;
        id_from_redirect(&res, "/contacts/")
    }

    /// A page of the contact list (`query[...]` fields).
    pub async fn list_contacts(&self, form: &[(&str, String)]) -> serde_json::Value {
        self.expect_json("contacts/list", form).await
    }

    pub async fn update_contact(&self, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok("contacts/update", form).await
    }

    pub async fn delete_contact(&self, id: &str) -> reqwest::Response {
        self.expect_ok("contacts/delete", &[("id", id.to_string())]).await
    }

    pub async fn erase_contact(&self, id: &str) -> reqwest::Response {
        self.expect_ok("contacts/erase", &[("id", id.to_string())]).await
    }

    pub async fn record_basis(&self, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok("contacts/basis", form).await
    }

    pub async fn subscriptions(&self, contact: &str) -> serde_json::Value {
        self.expect_json("contacts/subscriptions", &[("id", contact.to_string())])
            .await
    }

    pub async fn retention_review(&self) -> serde_json::Value {
        self.expect_json("contacts/retention", &[]).await
    }

    pub async fn contact_history_as(&self, client: &reqwest::Client, contact: &str) -> serde_json::Value {
        self.expect_json_as(client, "contacts/history", &[("id", contact.to_string())])
            .await
    }

    pub async fn engagement_view(&self, form: &[(&str, String)]) -> serde_json::Value {
        self.expect_json("contacts/engagement", form).await
    }

    // Stakeholder analysis.

    pub async fn map(&self, form: &[(&str, String)]) -> serde_json::Value {
        self.expect_json("analysis/map", form).await
    }

    /// Moves a contact on the influence × interest map; returns where from and where to.
    pub async fn place_on_map(&self, contact: &str, influence: &str, interest: &str) -> serde_json::Value {
        self.expect_json("analysis/place", &place_form(contact, influence, interest))
            .await
    }

    pub async fn engagement_history(&self, contact: &str) -> serde_json::Value {
        self.expect_json("analysis/engagement-history", &[("id", contact.to_string())])
            .await
    }

    pub async fn engagement_panel(&self) -> serde_json::Value {
        self.expect_json("analysis/engagement-panel", &[]).await
    }

    /// The board report for a quarter ("" for the current one).
    pub async fn board_report(&self, quarter: &str) -> serde_json::Value {
        self.expect_json("analysis/board-report", &[("quarter", quarter.to_string())])
            .await
    }

    // Accounts and the audit log.

    pub async fn invite(&self, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok("admin/invite", form).await
    }

    pub async fn resend_invitation(&self, id: &str) -> reqwest::Response {
        self.expect_ok("admin/invitation-resend", &[("id", id.to_string())])
            .await
    }

    pub async fn revoke_invitation(&self, id: &str) -> reqwest::Response {
        self.expect_ok("admin/invitation-revoke", &[("id", id.to_string())])
            .await
    }

    /// Accepts an invitation from a browser that is not signed in.
    pub async fn accept_invitation(&self, token: &str, password: &str) -> reqwest::Response {
        let form = [
            ("token", token.to_string()),
            ("password", password.to_string()),
            ("confirm", password.to_string()),
        ];
        self.expect_ok_as(&new_client(), "auth/accept-invitation", &form).await
    }

    pub async fn forgot_password_as(&self, client: &reqwest::Client, email: &str) -> reqwest::Response {
        self.expect_ok_as(client, "auth/forgot-password", &[("email", email.to_string())])
            .await
    }

    pub async fn reset_password_as(&self, client: &reqwest::Client, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok_as(client, "auth/reset-password", form).await
    }

    pub async fn sign_out_as(&self, client: &reqwest::Client) -> reqwest::Response {
        self.expect_ok_as(client, "auth/sign-out", &[]).await
    }

    pub async fn set_user_active(&self, email: &str, active: bool) -> reqwest::Response {
        self.expect_ok(
            "admin/users/set-active",
            &[("email", email.to_string()), ("active", active.to_string())],
        )
        .await
    }

    /// The audit log's first page, as JSON text (every filter blank).
    pub async fn audit_text(&self) -> String {
        self.audit_text_of_action("").await
    }

    /// The audit log's first page of one action, as JSON text.
    pub async fn audit_text_of_action(&self, action: &str) -> String {
        let blank = |k| (k, String::new());
        let form = [
            blank("actor"),
            ("action", action.to_string()),
            blank("record"),
            blank("before"),
            blank("after"),
        ];
        self.expect_ok("admin/audit", &form)
            .await
            .text()
            .await
            .unwrap_or_default()
    }

    /// A page of the audit log, filtered and paged as the form says.
    pub async fn audit_page(&self, form: &[(&str, String)]) -> serde_json::Value {
        self.expect_json("admin/audit", form).await
    }

    // Workstreams.

    /// Creates a workstream through the set-up form ("Aim" its purpose) and returns its id, read
    /// from the set-up list (the form sends the browser back to the list, not to the new one).
    pub async fn create_workstream(&self, name: &str, position: u32, leads: &[&UserId]) -> WorkstreamId {
        let mut form = vec![
            ("name", name.to_string()),
            ("purpose", "Aim".to_string()),
            ("position", position.to_string()),
        ];
        for lead in leads {
            form.push(("leads[]", lead.to_string()));
        }
        self.save_workstream(&form).await;
        let setups = self.workstream_setups().await;
        let id = setups["workstreams"]
            .as_array()
            .and_then(|all| all.iter().find(|w| w["name"] == name))
            .and_then(|w| w["id"].as_str())
            .unwrap_or_else(|| panic!("no workstream named {name}: {setups}"))
            .to_string();
        WorkstreamId::parse(&id).expect("a workstream id")
    }

    pub async fn workstream_setups(&self) -> serde_json::Value {
        self.expect_json("workstreams/setup-list", &[]).await
    }

    pub async fn add_milestone(&self, workstream: &str, title: &str, due: &str) -> reqwest::Response {
        let form = [
            ("workstream", workstream.to_string()),
            ("title", title.to_string()),
            ("due", due.to_string()),
        ];
        self.expect_ok("workstreams/milestone-add", &form).await
    }

    pub async fn post_status_as(&self, client: &reqwest::Client, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok_as(client, "workstreams/status", form).await
    }

    pub async fn save_workstream(&self, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok("workstreams/save", form).await
    }

    pub async fn archive_workstream(&self, id: &str, archived: bool) -> reqwest::Response {
        self.expect_ok(
            "workstreams/archive",
            &[("id", id.to_string()), ("archived", archived.to_string())],
        )
        .await
    }

    pub async fn set_nudges(&self, workstream: &str, on: bool) -> reqwest::Response {
        self.expect_ok(
            "workstreams/nudges",
            &[("id", workstream.to_string()), ("on", on.to_string())],
        )
        .await
    }

    pub async fn update_milestone_as(&self, client: &reqwest::Client, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok_as(client, "workstreams/milestone-update", form).await
    }

    pub async fn delete_milestone_as(
        &self,
        client: &reqwest::Client,
        workstream: &str,
        milestone: &str,
    ) -> reqwest::Response {
        let form = [
            ("workstream", workstream.to_string()),
            ("milestone", milestone.to_string()),
        ];
        self.expect_ok_as(client, "workstreams/milestone-delete", &form).await
    }

    pub async fn overview_as(&self, client: &reqwest::Client) -> serde_json::Value {
        self.expect_json_as(client, "workstreams/overview", &[]).await
    }

    // Interactions.

    pub async fn log_interaction(&self, form: &[(&str, String)]) -> reqwest::Response {
        self.log_interaction_as(&self.client, form).await
    }

    pub async fn log_interaction_as(&self, client: &reqwest::Client, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok_as(client, "interactions/log", form).await
    }

    pub async fn update_interaction(&self, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok("interactions/update", form).await
    }

    pub async fn interactions(&self, form: &[(&str, String)]) -> serde_json::Value {
        self.interactions_as(&self.client, form).await
    }

    pub async fn interactions_as(&self, client: &reqwest::Client, form: &[(&str, String)]) -> serde_json::Value {
        self.expect_json_as(client, "interactions/list", form).await
    }

    pub async fn follow_ups_as(&self, client: &reqwest::Client) -> serde_json::Value {
        self.expect_json_as(client, "interactions/follow-ups", &[]).await
    }

    pub async fn follow_up_done_as(&self, client: &reqwest::Client, interaction: &str) -> reqwest::Response {
        self.expect_ok_as(
            client,
            "interactions/follow-up-done",
            &[("id", interaction.to_string())],
        )
        .await
    }

    // Audiences.

    /// Creates an audience and returns its id.
    pub async fn create_segment(&self, form: &[(&str, String)]) -> String {
        let res = self.expect_ok("segments/create", form).await;
        id_from_redirect(&res, "/segments/")
    }

    pub async fn update_segment(&self, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok("segments/update", form).await
    }

    pub async fn remove_segment(&self, id: &str) -> reqwest::Response {
        self.expect_ok("segments/remove", &[("id", id.to_string())]).await
    }

    pub async fn restore_segment(&self, id: &str) -> reqwest::Response {
        self.expect_ok("segments/restore", &[("id", id.to_string())]).await
    }

    // Briefings.

    /// Creates a briefing and returns its id.
    pub async fn create_briefing(&self, form: &[(&str, String)]) -> String {
        let res = self.expect_ok("briefings/create", form).await;
        id_from_redirect(&res, "/briefings/")
    }

    pub async fn update_briefing(&self, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok("briefings/update", form).await
    }

    pub async fn schedule_briefing(&self, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok("briefings/schedule", form).await
    }

    /// "Send now" on a briefing, as the manager's form posts it.
    pub async fn send_now(&self, briefing: &str) -> reqwest::Response {
        self.schedule_briefing(&send_now_form(briefing)).await
    }

    pub async fn unschedule_briefing(&self, id: &str) -> reqwest::Response {
        self.expect_ok("briefings/unschedule", &[("id", id.to_string())]).await
    }

    pub async fn repeat_briefing(&self, id: &str, plan_item: &str) -> reqwest::Response {
        self.expect_ok(
            "briefings/repeat",
            &[("id", id.to_string()), ("plan_item", plan_item.to_string())],
        )
        .await
    }

    pub async fn cancel_briefing(&self, id: &str) -> reqwest::Response {
        self.expect_ok("briefings/cancel", &[("id", id.to_string())]).await
    }

    pub async fn stop_briefing(&self, id: &str) -> reqwest::Response {
        self.expect_ok("briefings/stop", &[("id", id.to_string())]).await
    }

    pub async fn resume_briefing(&self, id: &str) -> reqwest::Response {
        self.expect_ok("briefings/resume", &[("id", id.to_string())]).await
    }

    pub async fn retry_failed(&self, id: &str) -> reqwest::Response {
        self.expect_ok("briefings/retry-failed", &[("id", id.to_string())])
            .await
    }

    pub async fn briefing_progress(&self, id: &str) -> serde_json::Value {
        self.expect_json("briefings/progress", &[("id", id.to_string())]).await
    }

    // The communication plan.

    pub async fn create_plan_item(&self, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok("plan/create", form).await
    }

    pub async fn update_plan_item(&self, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok("plan/update", form).await
    }

    pub async fn remove_plan_item(&self, id: &str) -> reqwest::Response {
        self.expect_ok("plan/remove", &[("id", id.to_string())]).await
    }

    pub async fn set_plan_item_active(&self, id: &str, active: bool) -> reqwest::Response {
        self.expect_ok("plan/active", &[("id", id.to_string()), ("active", active.to_string())])
            .await
    }

    /// The plan as JSON text.
    pub async fn plan_text(&self) -> String {
        self.expect_ok("plan/list", &[]).await.text().await.unwrap_or_default()
    }

    // Imports.

    /// Uploads a file to import (a form post, not a server function: it answers 303 to the
    /// preview) and returns the import's id.
    pub async fn upload_import(&self, name: &str, bytes: Vec<u8>) -> String {
        let (status, to) = self.upload_as(&self.client, name, bytes).await;
        assert_eq!(status, 303, "upload of {name}: sent to {to}");
        assert!(to.starts_with("/contacts/import/"), "{to}");
        to.trim_start_matches("/contacts/import/").to_string()
    }

    pub async fn import_preview(&self, id: &str) -> serde_json::Value {
        self.expect_json("import/preview", &[("id", id.to_string())]).await
    }

    pub async fn choose_import_columns(&self, form: &[(&str, String)]) -> reqwest::Response {
        self.expect_ok("import/columns", form).await
    }

    pub async fn commit_import(&self, id: &str) -> reqwest::Response {
        self.expect_ok("import/commit", &[("id", id.to_string())]).await
    }

    // The inbox.

    pub async fn answer_inbox(&self, id: &str, answer: &str) -> reqwest::Response {
        self.expect_ok(
            "inbox/answer",
            &[("id", id.to_string()), ("answer", answer.to_string())],
        )
        .await
    }

    pub async fn mark_handled(&self, id: &str) -> reqwest::Response {
        self.expect_ok("inbox/handled", &[("id", id.to_string())]).await
    }

    pub async fn attach_message(&self, id: &str, email: &str) -> reqwest::Response {
        self.expect_ok("inbox/attach", &[("id", id.to_string()), ("email", email.to_string())])
            .await
    }

    pub async fn discard_message(&self, id: &str) -> reqwest::Response {
        self.expect_ok("inbox/discard", &[("id", id.to_string())]).await
    }
}
