//! What a programme manager sets up about a workstream: its definition (name, purpose,
//! objectives, dates, order on the overview) and who leads it. Parsed from the form once.
use super::form::{FormErrors, Validator};
use super::ids::{UserId, WorkstreamId};
use super::workstream::parse_date;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const NAME_MAX: usize = 120;
pub const PURPOSE_MAX: usize = 1_000;
pub const OBJECTIVES_MAX: usize = 4_000;
pub const POSITION_MAX: u32 = 99;

/// The workstream form as typed. `leads` are user ids (the checkboxes ticked); `version` is the
/// version the editor opened (empty for a new workstream), checked when saving.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkstreamForm {
    pub name: String,
    pub purpose: String,
    pub objectives: String,
    pub starts_on: String,
    pub ends_on: String,
    pub position: String,
    pub leads: Vec<String>,
}

/// A valid workstream definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkstreamDraft {
    pub name: String,
    pub purpose: String,
    pub objectives: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub position: u32,
    pub leads: Vec<UserId>,
}

/// A workstream as the set-up page lists and edits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkstreamSetup {
    pub id: WorkstreamId,
    pub name: String,
    pub purpose: String,
    pub objectives: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub position: u32,
    pub leads: Vec<UserId>,
    pub lead_names: Vec<String>,
    pub archived: bool,
    /// Its leads are emailed when its status goes stale.
    pub nudges: bool,
    /// Incremented by every save: an edit opened at an older version is refused.
    pub version: u32,
}

impl WorkstreamForm {
    pub fn from_setup(w: &WorkstreamSetup) -> Self {
        Self {
            name: w.name.clone(),
            purpose: w.purpose.clone(),
            objectives: w.objectives.clone(),
            starts_on: w.starts_on.map(|d| d.to_string()).unwrap_or_default(),
            ends_on: w.ends_on.map(|d| d.to_string()).unwrap_or_default(),
            position: w.position.to_string(),
            leads: w.leads.iter().map(|l| l.to_string()).collect(),
        }
    }

    /// The typed values, to give back to the form with its errors. Leads are one value,
    /// comma-separated, under `leads`.
    pub fn values(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("name".into(), self.name.clone()),
            ("purpose".into(), self.purpose.clone()),
            ("objectives".into(), self.objectives.clone()),
            ("starts_on".into(), self.starts_on.clone()),
            ("ends_on".into(), self.ends_on.clone()),
            ("position".into(), self.position.clone()),
            ("leads".into(), self.leads.join(",")),
        ])
    }

    pub fn parse(&self) -> Result<WorkstreamDraft, FormErrors> {
        let mut v = Validator::new();
        let name = v.check(
            "name",
            text(&self.name, NAME_MAX, true, "Enter the workstream's name", "Name"),
        );
        let purpose = v.check(
            "purpose",
            text(
                &self.purpose,
                PURPOSE_MAX,
                true,
                "Enter the workstream's purpose",
                "Purpose",
            ),
        );
        let objectives = v.check(
            "objectives",
            text(&self.objectives, OBJECTIVES_MAX, false, "", "Objectives"),
        );
        let starts_on = v.check("starts_on", optional_date(&self.starts_on, "start date"));
        let ends_on = v.check("ends_on", optional_date(&self.ends_on, "end date"));
        if let (Some(Some(start)), Some(Some(end))) = (starts_on, ends_on) {
            if end < start {
                v.fail("ends_on", "The end date must be on or after the start date");
            }
        }
        let position = v.check("position", position(&self.position));
        let leads = v.check("leads", leads(&self.leads));
        match (name, purpose, objectives, starts_on, ends_on, position, leads) {
            (
                Some(name),
                Some(purpose),
                Some(objectives),
                Some(starts_on),
                Some(ends_on),
                Some(position),
                Some(leads),
            ) if v.is_ok() => Ok(WorkstreamDraft {
                name,
                purpose,
                objectives,
                starts_on,
                ends_on,
                position,
                leads,
            }),
            _ => Err(v.into_errors(self.values())),
        }
    }
}

fn text(raw: &str, max: usize, required: bool, missing: &str, what: &str) -> Result<String, String> {
    let s = raw.trim();
    if s.is_empty() && required {
        return Err(missing.to_string());
    }
    if s.chars().count() > max {
        return Err(format!("{what} must be {max} characters or fewer"));
    }
    Ok(s.to_string())
}

fn optional_date(raw: &str, what: &str) -> Result<Option<NaiveDate>, String> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(raw, what).map(Some)
    }
}

fn position(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(p) if (1..=POSITION_MAX).contains(&p) => Ok(p),
        _ if raw.trim().is_empty() => Err("Enter the workstream's place on the overview, like 1".into()),
        _ => Err(format!(
            "The place on the overview must be a whole number from 1 to {POSITION_MAX}"
        )),
    }
}

fn leads(raw: &[String]) -> Result<Vec<UserId>, String> {
    let mut out: Vec<UserId> = Vec::new();
    for l in raw.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
        let id = UserId::parse(l).map_err(|_| "Choose the leads from the list".to_string())?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> WorkstreamForm {
        WorkstreamForm {
            name: " Creation of baseline ".into(),
            purpose: "Workforce plans and surveys".into(),
            objectives: String::new(),
            starts_on: "2027-01-04".into(),
            ends_on: "2027-12-17".into(),
            position: "1".into(),
            leads: vec!["u1".into(), "u1".into(), "".into()],
        }
    }

    #[test]
    fn a_valid_form_parses_trimmed_with_unique_leads() {
        let d = valid().parse().expect("valid");
        assert_eq!(d.name, "Creation of baseline");
        assert_eq!(d.position, 1);
        assert_eq!(d.leads.len(), 1);
        assert_eq!(d.starts_on, NaiveDate::from_ymd_opt(2027, 1, 4));
    }

    #[test]
    fn each_field_explains_what_is_wrong() {
        let form = WorkstreamForm {
            name: " ".into(),
            purpose: "x".repeat(PURPOSE_MAX + 1),
            starts_on: "2027-02-30".into(),
            position: "0".into(),
            ..valid()
        };
        let e = form.parse().expect_err("invalid");
        assert_eq!(e.message_for("name"), Some("Enter the workstream's name"));
        assert!(e.message_for("purpose").is_some_and(|m| m.contains("1000")));
        assert!(e.message_for("starts_on").is_some_and(|m| m.contains("real date")));
        assert!(e.message_for("position").is_some_and(|m| m.contains("1 to 99")));
        assert_eq!(e.value_of("name"), Some(" "), "what was typed is kept");
    }

    #[test]
    fn the_end_cannot_come_before_the_start() {
        let form = WorkstreamForm {
            ends_on: "2026-12-31".into(),
            ..valid()
        };
        let e = form.parse().expect_err("invalid");
        assert_eq!(
            e.message_for("ends_on"),
            Some("The end date must be on or after the start date")
        );
    }
}
