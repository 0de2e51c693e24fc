//! Organisations in the register: what is shown, and what a form must contain.
use super::form::{FormErrors, Validator};
use super::ids::OrgId;
use super::register::OrgKind;
use super::text::{parse_optional, Area, Notes, OdsCode, OrgName, Ukprn};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrgId,
    pub name: OrgName,
    pub kind: OrgKind,
    pub area: Option<Area>,
    pub ods_code: Option<OdsCode>,
    pub ukprn: Option<Ukprn>,
    pub notes: Option<Notes>,
    pub contact_count: u32,
}

/// A valid organisation, ready to be written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganisationDraft {
    pub name: OrgName,
    pub kind: OrgKind,
    pub area: Option<Area>,
    pub ods_code: Option<OdsCode>,
    pub ukprn: Option<Ukprn>,
    pub notes: Option<Notes>,
}

/// The organisation form as posted: every field a string, nothing trusted yet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrganisationForm {
    pub name: String,
    pub kind: String,
    pub area: String,
    pub ods_code: String,
    pub ukprn: String,
    pub notes: String,
}

impl OrganisationForm {
    pub fn values(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("name".into(), self.name.clone()),
            ("kind".into(), self.kind.clone()),
            ("area".into(), self.area.clone()),
            ("ods_code".into(), self.ods_code.clone()),
            ("ukprn".into(), self.ukprn.clone()),
            ("notes".into(), self.notes.clone()),
        ])
    }

    pub fn from_organisation(o: &Organisation) -> Self {
        Self {
            name: o.name.to_string(),
            kind: o.kind.key().into(),
            area: o.area.as_ref().map(|a| a.to_string()).unwrap_or_default(),
            ods_code: o.ods_code.as_ref().map(|c| c.as_str().to_string()).unwrap_or_default(),
            ukprn: o.ukprn.as_ref().map(|c| c.as_str().to_string()).unwrap_or_default(),
            notes: o.notes.as_ref().map(|n| n.to_string()).unwrap_or_default(),
        }
    }

    pub fn parse(&self) -> Result<OrganisationDraft, FormErrors> {
        let mut v = Validator::new();
        let name = v.check("name", OrgName::parse(&self.name));
        let kind = v.check("kind", OrgKind::parse(&self.kind));
        let area = v.check("area", parse_optional(&self.area, Area::parse));
        let ods_code = v.check("ods_code", parse_optional(&self.ods_code, OdsCode::parse));
        let ukprn = v.check("ukprn", parse_optional(&self.ukprn, Ukprn::parse));
        let notes = v.check("notes", parse_optional(&self.notes, Notes::parse));
        match (name, kind, area, ods_code, ukprn, notes) {
            (Some(name), Some(kind), Some(area), Some(ods_code), Some(ukprn), Some(notes)) => Ok(OrganisationDraft {
                name,
                kind,
                area,
                ods_code,
                ukprn,
                notes,
            }),
            _ => Err(v.into_errors(self.values())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_complete_form() {
        let f = OrganisationForm {
            name: " Aston University ".into(),
            kind: "hei".into(),
            ukprn: "10007759".into(),
            ..Default::default()
        };
        let d = f.parse().unwrap();
        assert_eq!(d.name.as_str(), "Aston University");
        assert_eq!(d.kind, OrgKind::Hei);
        assert_eq!(d.area, None);
        assert!(d.ukprn.is_some());
    }

    #[test]
    fn reports_every_bad_field_and_keeps_input() {
        let f = OrganisationForm {
            name: "".into(),
            kind: "castle".into(),
            ods_code: "!!".into(),
            ..Default::default()
        };
        let e = f.parse().unwrap_err();
        assert_eq!(e.errors.len(), 3);
        assert_eq!(e.message_for("name"), Some("Enter the organisation name"));
        assert!(e.message_for("kind").is_some());
        assert!(e.message_for("ods_code").is_some());
        assert_eq!(e.value_of("kind"), Some("castle"));
    }
}
