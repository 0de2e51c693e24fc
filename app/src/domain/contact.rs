//! Contacts: people at partner organisations.
use super::email::EmailAddress;
use super::form::{FormErrors, Validator};
use super::ids::{ContactId, OrgId};
use super::register::{Engagement, OrgKind, Quadrant, Score};
use super::text::{parse_optional, JobTitle, OrgName, PersonName};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Free labels on contacts ("course lead", "senior leader") that audiences can select by.
/// Normalised when parsed (trimmed, inner spaces collapsed, lower case, duplicates dropped) so
/// that matching is exact: "Course  Lead" and "course lead" are one tag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tags(Vec<String>);

impl Tags {
    pub const MAX: usize = 20;
    pub const MAX_LEN: usize = 40;

    /// Comma-separated, as typed in a form.
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::from_items(raw.split(','))
    }

    pub fn from_items<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut out: Vec<String> = Vec::new();
        for item in items {
            let tag = item.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            if tag.is_empty() || out.contains(&tag) {
                continue;
            }
            if tag.chars().count() > Self::MAX_LEN {
                return Err(format!(
                    "Each tag must be {} characters or fewer (\"{tag}\" is longer)",
                    Self::MAX_LEN
                ));
            }
            if tag.chars().any(|c| c.is_control() || matches!(c, '<' | '>' | '"')) {
                return Err(format!("Tags may not contain <, > or quotes (\"{tag}\")"));
            }
            out.push(tag);
        }
        if out.len() > Self::MAX {
            return Err(format!("Give at most {} tags", Self::MAX));
        }
        Ok(Tags(out))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for Tags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join(", "))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub name: PersonName,
    pub email: EmailAddress,
    pub job_title: Option<JobTitle>,
    pub organisation: OrgId,
    pub organisation_name: OrgName,
    pub organisation_kind: OrgKind,
    pub influence: Score,
    pub interest: Score,
    pub engagement_current: Engagement,
    pub engagement_target: Engagement,
    pub subscribed: bool,
    pub tags: Tags,
    /// Set when the address bounced: no briefings go to it until it is edited.
    pub held: Option<super::inbound::Held>,
    /// Why Liaison may email them, when recorded.
    pub basis: Option<super::consent::Basis>,
}

impl Contact {
    pub fn quadrant(&self) -> Quadrant {
        Quadrant::of(self.influence, self.interest)
    }

    /// How many steps the stakeholder still has to move to reach the target engagement.
    pub fn engagement_gap(&self) -> i8 {
        let pos = |e: Engagement| Engagement::ALL.iter().position(|x| *x == e).unwrap_or(0) as i8;
        pos(self.engagement_target) - pos(self.engagement_current)
    }
}

/// A valid contact, ready to be written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactDraft {
    pub name: PersonName,
    pub email: EmailAddress,
    pub job_title: Option<JobTitle>,
    pub organisation: OrgId,
    pub influence: Score,
    pub interest: Score,
    pub engagement_current: Engagement,
    pub engagement_target: Engagement,
    pub subscribed: bool,
    pub tags: Tags,
}

/// The contact form as posted. `subscribed` is a checkbox: present ("on") or absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactForm {
    pub name: String,
    pub email: String,
    pub job_title: String,
    pub organisation: String,
    pub influence: String,
    pub interest: String,
    pub engagement_current: String,
    pub engagement_target: String,
    pub subscribed: Option<String>,
    /// Comma-separated.
    pub tags: String,
}

impl ContactForm {
    pub fn values(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("name".into(), self.name.clone()),
            ("email".into(), self.email.clone()),
            ("job_title".into(), self.job_title.clone()),
            ("organisation".into(), self.organisation.clone()),
            ("influence".into(), self.influence.clone()),
            ("interest".into(), self.interest.clone()),
            ("engagement_current".into(), self.engagement_current.clone()),
            ("engagement_target".into(), self.engagement_target.clone()),
            (
                "subscribed".into(),
                if self.subscribed.is_some() {
                    "on".into()
                } else {
                    String::new()
                },
            ),
            ("tags".into(), self.tags.clone()),
        ])
    }

    pub fn from_contact(c: &Contact) -> Self {
        Self {
            name: c.name.to_string(),
            email: c.email.to_string(),
            job_title: c.job_title.as_ref().map(|t| t.to_string()).unwrap_or_default(),
            organisation: c.organisation.to_string(),
            influence: c.influence.get().to_string(),
            interest: c.interest.get().to_string(),
            engagement_current: c.engagement_current.key().into(),
            engagement_target: c.engagement_target.key().into(),
            subscribed: c.subscribed.then(|| "on".into()),
            tags: c.tags.to_string(),
        }
    }

    pub fn parse(&self) -> Result<ContactDraft, FormErrors> {
        let mut v = Validator::new();
        let name = v.check("name", PersonName::parse(&self.name));
        let email = v.check("email", EmailAddress::parse(&self.email).map_err(String::from));
        let job_title = v.check("job_title", parse_optional(&self.job_title, JobTitle::parse));
        let organisation = v.check(
            "organisation",
            if self.organisation.trim().is_empty() {
                Err("Select the organisation".to_string())
            } else {
                OrgId::parse(self.organisation.trim()).map_err(|_| "Select the organisation from the list".into())
            },
        );
        let influence = v.check(
            "influence",
            Score::parse(&self.influence).map_err(|e| format!("Influence: {e}")),
        );
        let interest = v.check(
            "interest",
            Score::parse(&self.interest).map_err(|e| format!("Interest: {e}")),
        );
        let current = v.check("engagement_current", Engagement::parse(&self.engagement_current));
        let target = v.check("engagement_target", Engagement::parse(&self.engagement_target));
        let tags = v.check("tags", Tags::parse(&self.tags));
        match (
            name,
            email,
            job_title,
            organisation,
            influence,
            interest,
            current,
            target,
            tags,
        ) {
            (
                Some(name),
                Some(email),
                Some(job_title),
                Some(organisation),
                Some(influence),
                Some(interest),
                Some(engagement_current),
                Some(engagement_target),
                Some(tags),
            ) => Ok(ContactDraft {
                name,
                email,
                job_title,
                organisation,
                influence,
                interest,
                engagement_current,
                engagement_target,
                subscribed: self.subscribed.is_some(),
                tags,
            }),
            _ => Err(v.into_errors(self.values())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ContactForm {
        ContactForm {
            name: "Priya Shah".into(),
            email: "Priya.Shah@Aston.Example.org".into(),
            job_title: "Course Lead".into(),
            organisation: "abc123".into(),
            influence: "4".into(),
            interest: "5".into(),
            engagement_current: "neutral".into(),
            engagement_target: "supportive".into(),
            subscribed: Some("on".into()),
            tags: " Course  Lead, NMP,course lead ,".into(),
        }
    }

    #[test]
    fn tags_are_normalised_and_bounded() {
        assert_eq!(valid().parse().unwrap().tags.as_slice(), ["course lead", "nmp"]);
        assert_eq!(Tags::parse("").unwrap(), Tags::default());
        assert!(Tags::parse(&"x".repeat(41)).is_err());
        assert!(Tags::parse("<b>").is_err());
        let many = (0..21).map(|i| format!("t{i}")).collect::<Vec<_>>().join(",");
        assert_eq!(
            ContactForm { tags: many, ..valid() }
                .parse()
                .unwrap_err()
                .message_for("tags"),
            Some("Give at most 20 tags")
        );
    }

    #[test]
    fn parses_valid_form() {
        let d = valid().parse().unwrap();
        assert_eq!(d.email.as_str(), "priya.shah@aston.example.org");
        assert!(d.subscribed);
        assert_eq!(d.influence.get(), 4);
    }

    #[test]
    fn unchecked_box_means_unsubscribed() {
        let d = ContactForm {
            subscribed: None,
            ..valid()
        }
        .parse()
        .unwrap();
        assert!(!d.subscribed);
    }

    #[test]
    fn each_bad_field_is_named() {
        let f = ContactForm {
            email: "nope".into(),
            influence: "9".into(),
            organisation: "".into(),
            ..valid()
        };
        let e = f.parse().unwrap_err();
        assert!(e.message_for("email").is_some());
        assert_eq!(
            e.message_for("influence"),
            Some("Influence: Must be a whole number from 1 to 5")
        );
        assert_eq!(e.message_for("organisation"), Some("Select the organisation"));
        assert_eq!(e.value_of("email"), Some("nope"));
        assert_eq!(e.errors.len(), 3);
    }
}
