//! Accounts a programme manager brings in from the browser: invitations (a person chooses
//! their own password through a single-use link) and password resets. Parsed from forms once.
use super::form::{FormErrors, Validator};
use super::ids::WorkstreamId;
use super::policy::Role;
use super::text::PersonName;
use super::EmailAddress;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// The invitation form as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InviteForm {
    pub email: String,
    pub name: String,
    pub role: String,
    pub workstreams: Vec<String>,
}

/// A valid invitation: who, as what, leading which workstreams (leads only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteDraft {
    pub email: EmailAddress,
    pub name: PersonName,
    pub role: Role,
    pub workstreams: Vec<WorkstreamId>,
}

impl InviteForm {
    pub fn values(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("email".into(), self.email.clone()),
            ("name".into(), self.name.clone()),
            ("role".into(), self.role.clone()),
            ("workstreams".into(), self.workstreams.join(",")),
        ])
    }

    pub fn parse(&self) -> Result<InviteDraft, FormErrors> {
        let mut v = Validator::new();
        let email = v.check("email", EmailAddress::parse(&self.email).map_err(String::from));
        let name = v.check("name", PersonName::parse(&self.name));
        let role = v.check(
            "role",
            if self.role.trim().is_empty() {
                Err("Select a role".to_string())
            } else {
                Role::parse(&self.role)
            },
        );
        let mut workstreams = Vec::new();
        for w in self.workstreams.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
            match WorkstreamId::parse(w) {
                Ok(id) if !workstreams.contains(&id) => workstreams.push(id),
                Ok(_) => {}
                Err(_) => v.fail("workstreams", "Choose the workstreams from the list"),
            }
        }
        match (email, name, role) {
            (Some(email), Some(name), Some(role)) if v.is_ok() => Ok(InviteDraft {
                email,
                name,
                role,
                // A programme manager may do everything already; only leads are given workstreams.
                workstreams: if role == Role::WorkstreamLead {
                    workstreams
                } else {
                    vec![]
                },
            }),
            _ => Err(v.into_errors(self.values())),
        }
    }
}

/// A password chosen by its owner, typed twice.
pub fn parse_new_password(password: &str, confirm: &str) -> Result<String, FormErrors> {
    let mut v = Validator::new();
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        v.fail(
            "password",
            format!("Choose a password of at least {MIN_PASSWORD_CHARS} characters"),
        );
    } else if n > MAX_PASSWORD_CHARS {
        v.fail(
            "password",
            format!("The password must be {MAX_PASSWORD_CHARS} characters or fewer"),
        );
    } else if password != confirm {
        v.fail("confirm", "The two passwords are not the same");
    }
    if v.is_ok() {
        Ok(password.to_string())
    } else {
        // Passwords are never sent back to the form.
        Err(v.into_errors(BTreeMap::new()))
    }
}

/// Where an invitation stands, as the users page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationState {
    Pending,
    Expired,
    Accepted,
    Revoked,
}

impl InvitationState {
    /// From the stored state and the expiry: a pending invitation past its time has expired.
    pub fn of(stored: &str, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        match stored {
            "accepted" => InvitationState::Accepted,
            "revoked" => InvitationState::Revoked,
            _ if expires_at <= now => InvitationState::Expired,
            _ => InvitationState::Pending,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InvitationState::Pending => "Waiting for them",
            InvitationState::Expired => "Expired",
            InvitationState::Accepted => "Accepted",
            InvitationState::Revoked => "Revoked",
        }
    }

    /// Pending and expired invitations can be sent again with a new link.
    pub fn can_resend(self) -> bool {
        matches!(self, InvitationState::Pending | InvitationState::Expired)
    }
}

/// An invitation on the users page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationSummary {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub state: InvitationState,
    pub expires_at: DateTime<Utc>,
    pub invited_by: String,
    pub sent_count: u32,
}

/// What the invitation page shows the person invited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationView {
    pub email: String,
    pub name: String,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_needs_an_email_a_name_and_a_role() {
        let e = InviteForm::default().parse().expect_err("empty");
        assert!(e.message_for("email").is_some() && e.message_for("name").is_some());
        assert_eq!(e.message_for("role"), Some("Select a role"));
        let ok = InviteForm {
            email: "Lead@Trust.nhs.uk".into(),
            name: "Ada Lead".into(),
            role: "workstream-lead".into(),
            workstreams: vec!["w1".into(), "w1".into()],
        }
        .parse()
        .expect("valid");
        assert_eq!(ok.workstreams.len(), 1);
        let manager = InviteForm {
            role: "programme-manager".into(),
            ..InviteForm {
                email: "pm@trust.nhs.uk".into(),
                name: "Pat".into(),
                role: String::new(),
                workstreams: vec!["w1".into()],
            }
        }
        .parse()
        .expect("valid");
        assert!(manager.workstreams.is_empty(), "managers lead nothing in particular");
    }

    #[test]
    fn new_passwords_are_long_enough_and_typed_twice() {
        assert!(parse_new_password("short", "short").is_err());
        let e = parse_new_password("a long enough passphrase", "a long enough passphrasE").expect_err("mismatch");
        assert_eq!(e.message_for("confirm"), Some("The two passwords are not the same"));
        assert!(parse_new_password("a long enough passphrase", "a long enough passphrase").is_ok());
    }

    #[test]
    fn a_pending_invitation_past_its_time_is_expired() {
        let now = Utc::now();
        assert_eq!(InvitationState::of("pending", now, now), InvitationState::Expired);
        assert_eq!(
            InvitationState::of("pending", now + chrono::Duration::hours(1), now),
            InvitationState::Pending
        );
        assert_eq!(InvitationState::of("accepted", now, now), InvitationState::Accepted);
    }
}
