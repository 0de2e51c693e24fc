//! Audiences (segments) as a programme manager fills them in: the form, parsed into a name and
//! a [`SegmentFilter`] that is valid by construction, for both creating and editing.
use super::segment::SegmentFilter;
use super::{Engagement, FormErrors, OrgId, OrgKind, Score, Tags, Validator};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the audience form posts, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentForm {
    pub name: String,
    pub kinds: Vec<String>,
    pub areas: Vec<String>,
    pub engagement: Vec<String>,
    pub influence_min: String,
    pub interest_min: String,
    pub tags: String,
    pub organisations: Vec<String>,
    /// The checkbox: "on" when ticked.
    #[serde(default)]
    pub require_basis: Option<String>,
}

/// A parsed audience: a trimmed name of 1–120 characters and its rule.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentDraft {
    pub name: String,
    pub filter: SegmentFilter,
}

impl SegmentForm {
    /// The form filled in from a saved audience (the edit page).
    pub fn of(name: &str, f: &SegmentFilter) -> Self {
        SegmentForm {
            name: name.to_string(),
            kinds: f.kinds.iter().map(|k| k.key().to_string()).collect(),
            areas: f.areas.clone(),
            engagement: f.engagement.iter().map(|e| e.key().to_string()).collect(),
            influence_min: f.influence_min.to_string(),
            interest_min: f.interest_min.to_string(),
            tags: f.tags.as_slice().join(", "),
            organisations: f.organisations.clone(),
            require_basis: f.require_basis.then(|| "on".to_string()),
        }
    }

    /// The single-valued fields, to show again beside the errors.
    pub fn values(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("name".to_string(), self.name.clone()),
            ("tags".to_string(), self.tags.clone()),
            ("influence_min".to_string(), self.influence_min.clone()),
            ("interest_min".to_string(), self.interest_min.clone()),
            (
                "require_basis".to_string(),
                self.require_basis.clone().unwrap_or_default(),
            ),
        ])
    }

    pub fn parse(&self) -> Result<SegmentDraft, FormErrors> {
        let mut v = Validator::new();
        let name = self.name.trim();
        if name.is_empty() {
            v.fail("name", "Enter a name for the audience");
        } else if name.chars().count() > 120 {
            v.fail("name", "Name must be 120 characters or fewer");
        }
        let kinds = self
            .kinds
            .iter()
            .filter_map(|k| v.check("kinds", OrgKind::parse(k)))
            .collect();
        let engagement = self
            .engagement
            .iter()
            .filter_map(|e| v.check("engagement", Engagement::parse(e)))
            .collect();
        let mut areas: Vec<String> = Vec::new();
        for a in self.areas.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
            if a.chars().count() > 100 {
                v.fail("areas", "An area must be 100 characters or fewer");
            } else if !areas.iter().any(|x| x == a) {
                areas.push(a.to_string());
            }
        }
        let score = |v: &mut Validator, field: &str, raw: &str| {
            v.check(
                field,
                Score::parse(if raw.trim().is_empty() { "1" } else { raw.trim() }),
            )
            .map(|s| s.get())
            .unwrap_or(1)
        };
        let influence_min = score(&mut v, "influence_min", &self.influence_min);
        let interest_min = score(&mut v, "interest_min", &self.interest_min);
        let tags = v.check("tags", Tags::parse(&self.tags)).unwrap_or_default();
        let mut organisations: Vec<String> = Vec::new();
        for o in self.organisations.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
            match OrgId::parse(o) {
                Ok(id) if !organisations.contains(&id.to_string()) => organisations.push(id.to_string()),
                Ok(_) => {}
                Err(_) => v.fail(
                    "organisations",
                    "One of the chosen organisations is not valid: choose again",
                ),
            }
        }
        if !v.is_ok() {
            return Err(v.into_errors(self.values()));
        }
        Ok(SegmentDraft {
            name: name.to_string(),
            filter: SegmentFilter {
                kinds,
                areas,
                engagement,
                influence_min,
                interest_min,
                subscribed_only: true,
                tags,
                organisations,
                require_basis: self.require_basis.is_some(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SegmentForm {
        SegmentForm {
            name: "  Acute trusts  ".into(),
            kinds: vec!["acute_trust".into()],
            areas: vec!["Black Country".into(), "Black Country".into()],
            engagement: vec![],
            influence_min: "3".into(),
            interest_min: "".into(),
            tags: "course lead".into(),
            organisations: vec![],
            require_basis: Some("on".into()),
        }
    }

    #[test]
    fn parses_and_normalises() {
        let d = form().parse().expect("valid");
        assert_eq!(d.name, "Acute trusts");
        assert_eq!(d.filter.kinds, vec![OrgKind::AcuteTrust]);
        assert_eq!(d.filter.areas, vec!["Black Country".to_string()]);
        assert_eq!((d.filter.influence_min, d.filter.interest_min), (3, 1));
        assert!(d.filter.subscribed_only);
        assert!(d.filter.require_basis, "the ticked box");
    }

    #[test]
    fn reports_each_bad_field_and_keeps_input() {
        let f = SegmentForm {
            name: " ".into(),
            kinds: vec!["castle".into()],
            influence_min: "9".into(),
            ..form()
        };
        let e = f.parse().expect_err("invalid");
        assert!(e.message_for("name").is_some());
        assert!(e.message_for("kinds").is_some());
        assert!(e.message_for("influence_min").is_some());
        assert_eq!(e.value_of("influence_min"), Some("9"));
    }

    #[test]
    fn round_trips_through_the_edit_form() {
        let d = form().parse().expect("valid");
        let again = SegmentForm::of(&d.name, &d.filter).parse().expect("valid");
        assert_eq!(again, d);
    }
}
