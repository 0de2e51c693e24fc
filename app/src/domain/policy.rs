//! Who may do what: the single place that answers it. Every server function names the
//! [`Action`] it performs and asks [`authorize`]; the browser only hides what the answer forbids.
use super::error::AppError;
use super::ids::{UserId, WorkstreamId};
use super::EmailAddress;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    ProgrammeManager,
    WorkstreamLead,
}

impl Role {
    pub const ALL: &'static [Role] = &[Role::ProgrammeManager, Role::WorkstreamLead];

    pub fn key(self) -> &'static str {
        match self {
            Role::ProgrammeManager => "programme-manager",
            Role::WorkstreamLead => "workstream-lead",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::ProgrammeManager => "Programme manager",
            Role::WorkstreamLead => "Workstream lead",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "programme-manager" | "programme_manager" => Ok(Role::ProgrammeManager),
            "workstream-lead" | "workstream_lead" => Ok(Role::WorkstreamLead),
            "" => Err("Select a role".into()),
            _ => Err("Role must be programme-manager or workstream-lead".into()),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The signed-in user, as the server resolved it from the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: UserId,
    pub name: String,
    pub email: EmailAddress,
    pub role: Role,
    /// Workstreams this user leads.
    pub leads: Vec<WorkstreamId>,
}

/// Everything the application lets someone do. A new capability is a new variant, and the
/// compiler then asks for its rule in [`allows`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Read organisations and contacts.
    ViewRegister,
    /// Create, change or delete organisations and contacts.
    EditRegister,
    /// Bring a spreadsheet of contacts (and their organisations) into the register.
    ImportRegister,
    /// Download the register (bulk personal data) as a spreadsheet.
    ExportRegister,
    /// Log an interaction with a contact or organisation (and edit one's own).
    LogInteraction,
    /// Read workstreams, their milestones and status history.
    ViewWorkstreams,
    /// Post a status update or tick a milestone on one workstream.
    UpdateWorkstream(WorkstreamId),
    /// Create workstreams, change their lead.
    ManageWorkstreams,
    /// Read the communication plan, segments and briefing reports.
    ViewPlan,
    /// Change the plan and segments; compose, schedule, send and cancel briefings.
    EditPlan,
    /// Read the engagement analysis: the overview's engagement panel and the board report.
    ViewEngagementReport,
    /// Read, answer and sort the replies and questions that come back (the inbox).
    HandleInbox,
    /// Manage user accounts.
    ManageUsers,
    /// Read the audit log.
    ViewAudit,
}

/// The rule. Programme managers may do everything; workstream leads read, and update only
/// the workstreams they lead; anonymous visitors nothing (their token pages are not actions).
pub fn allows(user: &CurrentUser, action: &Action) -> bool {
    match user.role {
        Role::ProgrammeManager => true,
        Role::WorkstreamLead => match action {
            Action::ViewRegister
            | Action::ViewWorkstreams
            | Action::ViewPlan
            | Action::ViewEngagementReport
            | Action::LogInteraction => true,
            Action::UpdateWorkstream(id) => user.leads.contains(id),
            Action::EditRegister
            | Action::ImportRegister
            | Action::ExportRegister
            | Action::ManageWorkstreams
            | Action::EditPlan
            | Action::HandleInbox
            | Action::ManageUsers
            | Action::ViewAudit => false,
        },
    }
}

/// Whether `user` may edit an interaction written by `author`: its author, or a manager.
pub fn may_edit_interaction(user: &CurrentUser, author: Option<&str>) -> bool {
    user.role == Role::ProgrammeManager || author == Some(user.id.as_str())
}

/// 401 for nobody signed in, 403 for a user the rule refuses.
pub fn authorize<'a>(caller: Option<&'a CurrentUser>, action: &Action) -> Result<&'a CurrentUser, AppError> {
    let user = caller.ok_or(AppError::Unauthenticated)?;
    if allows(user, action) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, leads: &[&str]) -> CurrentUser {
        CurrentUser {
            id: UserId::parse("u1").unwrap(),
            name: "Test".into(),
            email: EmailAddress::parse("t@example.org").unwrap(),
            role,
            leads: leads.iter().map(|l| WorkstreamId::parse(l).unwrap()).collect(),
        }
    }

    #[test]
    fn anonymous_is_refused_everything() {
        assert_eq!(
            authorize(None, &Action::ViewRegister).unwrap_err(),
            AppError::Unauthenticated
        );
    }

    #[test]
    fn managers_may_do_everything() {
        let pm = user(Role::ProgrammeManager, &[]);
        for a in [
            Action::EditRegister,
            Action::ManageUsers,
            Action::ViewAudit,
            Action::EditPlan,
        ] {
            assert!(allows(&pm, &a));
        }
        assert!(allows(
            &pm,
            &Action::UpdateWorkstream(WorkstreamId::parse("any").unwrap())
        ));
    }

    #[test]
    fn leads_update_only_their_own_workstreams() {
        let lead = user(Role::WorkstreamLead, &["baseline"]);
        assert!(allows(
            &lead,
            &Action::UpdateWorkstream(WorkstreamId::parse("baseline").unwrap())
        ));
        assert!(!allows(
            &lead,
            &Action::UpdateWorkstream(WorkstreamId::parse("toolkit").unwrap())
        ));
        assert!(allows(&lead, &Action::ViewRegister));
        assert!(allows(&lead, &Action::ViewPlan));
        assert!(allows(&lead, &Action::ViewEngagementReport));
        assert_eq!(
            authorize(Some(&lead), &Action::EditRegister).unwrap_err(),
            AppError::Forbidden
        );
        assert!(!allows(&lead, &Action::ManageUsers));
        assert!(!allows(&lead, &Action::EditPlan));
    }

    #[test]
    fn roles_parse_from_the_command_line_spelling() {
        assert_eq!(Role::parse("programme-manager").unwrap(), Role::ProgrammeManager);
        assert!(Role::parse("admin").is_err());
    }
}
