//! Bringing a spreadsheet of contacts into the register: which column is which field, and
//! what each row would do (create, update, unchanged, or an error with its column and
//! reason), decided against what the register holds. Pure: the backend reads the file and the
//! register, and writes the plan in one transaction.
use super::contact::{Contact, ContactDraft, ContactForm};
use super::ids::{ContactId, OrgId};
use super::register::{Engagement, OrgKind};
use super::text::{Area, OrgName};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A register field a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Field {
    Name,
    Email,
    JobTitle,
    Organisation,
    OrgKind,
    Area,
    Influence,
    Interest,
    EngagementNow,
    EngagementTarget,
    Subscribed,
    Tags,
}

impl Field {
    /// In the order an export writes them.
    pub const ALL: [Field; 12] = [
        Field::Name,
        Field::Email,
        Field::JobTitle,
        Field::Organisation,
        Field::OrgKind,
        Field::Area,
        Field::Influence,
        Field::Interest,
        Field::EngagementNow,
        Field::EngagementTarget,
        Field::Subscribed,
        Field::Tags,
    ];

    /// The column heading an export writes (and an import recognises).
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::Email => "Email",
            Field::JobTitle => "Job title",
            Field::Organisation => "Organisation",
            Field::OrgKind => "Organisation kind",
            Field::Area => "Area",
            Field::Influence => "Influence",
            Field::Interest => "Interest",
            Field::EngagementNow => "Engagement now",
            Field::EngagementTarget => "Engagement target",
            Field::Subscribed => "Subscribed",
            Field::Tags => "Tags",
        }
    }

    /// The key the mapping form posts and the staged import keeps.
    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "email",
            Field::JobTitle => "job_title",
            Field::Organisation => "organisation",
            Field::OrgKind => "org_kind",
            Field::Area => "area",
            Field::Influence => "influence",
            Field::Interest => "interest",
            Field::EngagementNow => "engagement_now",
            Field::EngagementTarget => "engagement_target",
            Field::Subscribed => "subscribed",
            Field::Tags => "tags",
        }
    }

    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key.trim())
    }

    /// Other headings programme spreadsheets use for the same thing.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::Name => &[
                "full name",
                "contact",
                "contact name",
                "person",
                "stakeholder",
                "name of contact",
            ],
            Field::Email => &[
                "e-mail",
                "email address",
                "e-mail address",
                "mail",
                "nhs mail",
                "nhsmail",
            ],
            Field::JobTitle => &["title", "role", "job", "position", "job role", "designation"],
            Field::Organisation => &[
                "organization",
                "org",
                "trust",
                "employer",
                "provider",
                "university",
                "hei",
                "organisation name",
                "organization name",
            ],
            Field::OrgKind => &[
                "kind",
                "type",
                "organisation type",
                "organization type",
                "sector",
                "org type",
            ],
            Field::Area => &["ics", "ics area", "icb", "system", "region", "locality"],
            Field::Influence => &["power", "influence score"],
            Field::Interest => &["interest score"],
            Field::EngagementNow => &["engagement", "current engagement", "engagement (current)", "current"],
            Field::EngagementTarget => &[
                "target engagement",
                "desired engagement",
                "engagement (target)",
                "target",
                "desired",
            ],
            Field::Subscribed => &[
                "subscribed to briefings",
                "receives briefings",
                "opt in",
                "opted in",
                "consent",
            ],
            Field::Tags => &["tag", "labels", "groups"],
        }
    }

    /// The field a heading names, ignoring case, spacing and punctuation.
    pub fn for_header(header: &str) -> Option<Field> {
        let norm = |s: &str| {
            s.chars()
                .filter(|c| c.is_alphanumeric() || *c == ' ')
                .flat_map(char::to_lowercase)
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let h = norm(header);
        Field::ALL
            .into_iter()
            .find(|f| norm(f.label()) == h || f.synonyms().iter().any(|s| norm(s) == h))
    }
}

/// Each header's field; a field named twice is taken from its first column only.
pub fn map_headers(headers: &[String]) -> Vec<Option<Field>> {
    let mut seen = Vec::new();
    headers
        .iter()
        .map(|h| {
            let f = Field::for_header(h).filter(|f| !seen.contains(f));
            if let Some(f) = f {
                seen.push(f);
            }
            f
        })
        .collect()
}

/// The mapping a person chose on the preview, one choice per column (a field's key, or blank
/// for "not imported"). Refused, saying what to change, when a field is chosen for two
/// columns, when no column is the email (contacts are matched by it), or when the choices do
/// not fit the file's columns.
pub fn mapping_from_choices(headers: &[String], choices: &[String]) -> Result<Vec<Option<Field>>, String> {
    if choices.len() != headers.len() {
        return Err(format!(
            "The file has {} columns but {} choices were sent: open the preview again and choose once for each column.",
            headers.len(),
            choices.len()
        ));
    }
    let mut mapping: Vec<Option<Field>> = Vec::with_capacity(choices.len());
    for (header, choice) in headers.iter().zip(choices) {
        let field = match choice.trim() {
            "" => None,
            key => Some(Field::from_key(key).ok_or_else(|| format!("“{key}” is not a field Liaison imports."))?),
        };
        if let Some(f) = field {
            if let Some(first) = mapping.iter().position(|m| *m == Some(f)) {
                return Err(format!(
                    "“{}” is chosen for two columns, “{}” and “{header}”: choose it for one of them only.",
                    f.label(),
                    headers[first]
                ));
            }
        }
        mapping.push(field);
    }
    if !mapping.contains(&Some(Field::Email)) {
        return Err("Choose the column that holds email addresses: contacts are matched by it.".into());
    }
    Ok(mapping)
}

/// A kept mapping (field keys, blank for none) for a file with `headers`; the automatic
/// mapping when none was kept or it no longer fits.
pub fn mapping_or_automatic(headers: &[String], kept: Option<&[String]>) -> Vec<Option<Field>> {
    kept.and_then(|k| mapping_from_choices(headers, k).ok())
        .unwrap_or_else(|| map_headers(headers))
}

/// A mapping as kept: one key per column, blank for none.
pub fn mapping_keys(mapping: &[Option<Field>]) -> Vec<String> {
    mapping
        .iter()
        .map(|f| f.map(|f| f.key().to_string()).unwrap_or_default())
        .collect()
}

/// The cells of one row, as an export writes them.
pub fn export_row(c: &Contact, area: Option<&str>) -> Vec<String> {
    vec![
        c.name.to_string(),
        c.email.to_string(),
        c.job_title.as_ref().map(|t| t.to_string()).unwrap_or_default(),
        c.organisation_name.to_string(),
        c.organisation_kind.label().to_string(),
        area.unwrap_or_default().to_string(),
        c.influence.get().to_string(),
        c.interest.get().to_string(),
        c.engagement_current.label().to_string(),
        c.engagement_target.label().to_string(),
        if c.subscribed { "Yes" } else { "No" }.to_string(),
        c.tags.to_string(),
    ]
}

/// What the register holds, to match rows against.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    /// By lower-case email: the contact and its record as a draft.
    pub contacts: HashMap<String, (ContactId, ContactDraft)>,
    /// Every organisation: (id, name, kind).
    pub organisations: Vec<(OrgId, String, OrgKind)>,
}

/// What a row would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    Create,
    /// The fields that change.
    Update(String),
    Unchanged,
    Error {
        column: String,
        reason: String,
    },
}

/// One row of the file and what it would do.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRow {
    /// The row's number as the spreadsheet shows it.
    pub line: usize,
    pub name: String,
    pub email: String,
    pub outcome: Outcome,
    /// Set for creates and updates: what would be written, and the contact updated.
    pub draft: Option<ContactDraft>,
    pub contact: Option<ContactId>,
}

/// An organisation the file names that the register does not have: created by the import.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrganisation {
    pub id: OrgId,
    pub name: OrgName,
    pub kind: OrgKind,
    pub area: Option<Area>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub create: u64,
    pub update: u64,
    pub unchanged: u64,
    pub error: u64,
    pub new_organisations: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    pub rows: Vec<PlannedRow>,
    pub new_organisations: Vec<NewOrganisation>,
}

impl ImportPlan {
    pub fn counts(&self) -> Counts {
        let mut c = Counts {
            new_organisations: self.new_organisations.len() as u64,
            ..Default::default()
        };
        for r in &self.rows {
            match r.outcome {
                Outcome::Create => c.create += 1,
                Outcome::Update(_) => c.update += 1,
                Outcome::Unchanged => c.unchanged += 1,
                Outcome::Error { .. } => c.error += 1,
            }
        }
        c
    }
}

/// Defaults for a new contact where the file has no column or a blank cell. For a contact
/// already in the register, a blank cell keeps what is saved.
const DEFAULT_SCORE: &str = "3";
const DEFAULT_NOW: Engagement = Engagement::Unaware;
const DEFAULT_TARGET: Engagement = Engagement::Supportive;

fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Yes/no as spreadsheets write it.
fn yes_no(raw: &str) -> Result<bool, String> {
    match raw.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "subscribed" | "on" => Ok(true),
        "no" | "n" | "false" | "0" | "unsubscribed" | "off" => Ok(false),
        _ => Err(format!("Write Yes or No, not “{raw}”")),
    }
}

fn error(column: Field, reason: impl Into<String>) -> Outcome {
    Outcome::Error {
        column: column.label().to_string(),
        reason: reason.into(),
    }
}

/// The column a form field's error belongs to.
fn column_of(form_field: &str) -> Field {
    match form_field {
        "email" => Field::Email,
        "job_title" => Field::JobTitle,
        "organisation" => Field::Organisation,
        "influence" => Field::Influence,
        "interest" => Field::Interest,
        "engagement_current" => Field::EngagementNow,
        "engagement_target" => Field::EngagementTarget,
        "tags" => Field::Tags,
        _ => Field::Name,
    }
}

/// Decides what every row would do. `new_id` names each organisation the import creates.
pub fn plan(
    rows: &[(usize, Vec<String>)],
    mapping: &[Option<Field>],
    existing: &Existing,
    mut new_id: impl FnMut() -> OrgId,
) -> ImportPlan {
    let mut new_organisations: Vec<NewOrganisation> = Vec::new();
    // The new organisations by folded name and kind: a file of 10,000 rows across 1,000 new
    // organisations looked each row's organisation up among them (10 million folds).
    let mut new_index: HashMap<(String, OrgKind), OrgId> = HashMap::new();
    let mut emails_seen: HashMap<String, usize> = HashMap::new();
    let mut planned = Vec::with_capacity(rows.len());
    let org_index: HashMap<String, Vec<(OrgId, OrgKind)>> =
        existing
            .organisations
            .iter()
            .fold(HashMap::new(), |mut m, (id, name, kind)| {
                m.entry(fold(name)).or_insert_with(Vec::new).push((id.clone(), *kind));
                m
            });
    for (line, cells) in rows {
        let cell = |f: Field| -> Option<&str> {
            mapping
                .iter()
                .position(|m| *m == Some(f))
                .and_then(|i| cells.get(i))
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
        };
        let name = cell(Field::Name).unwrap_or_default().to_string();
        let email = cell(Field::Email).unwrap_or_default().to_string();
        let mut row = PlannedRow {
            line: *line,
            name: name.clone(),
            email: email.clone(),
            outcome: Outcome::Unchanged,
            draft: None,
            contact: None,
        };
        let outcome = (|| -> Result<(Option<ContactId>, ContactDraft), Outcome> {
            if email.is_empty() {
                return Err(error(
                    Field::Email,
                    "Enter the email address: each contact is matched by it",
                ));
            }
            let key = email.to_lowercase();
            if let Some(first) = emails_seen.get(&key) {
                return Err(error(
                    Field::Email,
                    format!("The same email is on row {first}: each person once per file"),
                ));
            }
            emails_seen.insert(key.clone(), *line);
            let current = existing.contacts.get(&key);

            let kind = match cell(Field::OrgKind) {
                Some(k) => Some(OrgKind::from_text(k).ok_or_else(|| {
                    error(
                        Field::OrgKind,
                        format!(
                            "“{k}” is not a kind of organisation: use one of {}",
                            OrgKind::ALL.iter().map(|k| k.label()).collect::<Vec<_>>().join(", ")
                        ),
                    )
                })?),
                None => None,
            };
            let organisation: OrgId = match cell(Field::Organisation) {
                None => match current {
                    Some((_, d)) => d.organisation.clone(),
                    None => return Err(error(Field::Organisation, "Enter the organisation")),
                },
                Some(org) => {
                    let folded = fold(org);
                    // Organisation names are unique in the register, whatever their kind.
                    let same_name = org_index.get(&folded).map(Vec::as_slice).unwrap_or_default();
                    let found: Vec<&(OrgId, OrgKind)> = same_name
                        .iter()
                        .filter(|(_, k)| kind.is_none_or(|want| *k == want))
                        .collect();
                    match (found.as_slice(), kind) {
                        ([(id, _)], _) => id.clone(),
                        ([], Some(_)) if !same_name.is_empty() => {
                            return Err(error(
                                Field::OrgKind,
                                format!(
                                    "“{org}” is in the register as {}: use that kind, or leave the kind blank",
                                    same_name[0].1.label().to_lowercase()
                                ),
                            ))
                        }
                        ([], Some(kind)) => {
                            match new_index.get(&(folded.clone(), kind)) {
                                Some(id) => id.clone(),
                                None => {
                                    let name = OrgName::parse(org).map_err(|e| error(Field::Organisation, e))?;
                                    let area = cell(Field::Area)
                                        .map(Area::parse)
                                        .transpose()
                                        .map_err(|e| error(Field::Area, e))?;
                                    let id = new_id();
                                    new_index.insert((folded, kind), id.clone());
                                    new_organisations.push(NewOrganisation {
                                        id: id.clone(),
                                        name,
                                        kind,
                                        area,
                                    });
                                    id
                                }
                            }
                        }
                        ([], None) => {
                            return Err(error(
                                Field::Organisation,
                                format!("No organisation is called “{org}”: add it first, or give its kind in an “Organisation kind” column to create it"),
                            ))
                        }
                        (_, _) => {
                            return Err(error(
                                Field::Organisation,
                                format!("Several organisations are called “{org}”: add an “Organisation kind” column to say which"),
                            ))
                        }
                    }
                }
            };

            let saved = current.map(|(_, d)| ContactForm {
                name: d.name.to_string(),
                email: d.email.to_string(),
                job_title: d.job_title.as_ref().map(|t| t.to_string()).unwrap_or_default(),
                organisation: d.organisation.to_string(),
                influence: d.influence.get().to_string(),
                interest: d.interest.get().to_string(),
                engagement_current: d.engagement_current.key().into(),
                engagement_target: d.engagement_target.key().into(),
                subscribed: d.subscribed.then(|| "on".into()),
                tags: d.tags.to_string(),
            });
            let keep = |f: Field, saved_value: Option<String>, default: &str| -> String {
                cell(f)
                    .map(str::to_string)
                    .or(saved_value)
                    .unwrap_or_else(|| default.to_string())
            };
            let engagement = |f: Field, saved_value: Option<String>, default: Engagement| -> Result<String, Outcome> {
                match cell(f) {
                    Some(raw) => Engagement::from_text(raw).map(|e| e.key().to_string()).ok_or_else(|| {
                        error(
                            f,
                            format!(
                                "“{raw}” is not an engagement level: use one of {}",
                                Engagement::ALL.iter().map(|e| e.label()).collect::<Vec<_>>().join(", ")
                            ),
                        )
                    }),
                    None => Ok(saved_value.unwrap_or_else(|| default.key().to_string())),
                }
            };
            // An import may unsubscribe someone, but never subscribes again a person who
            // unsubscribed: that is theirs to do, from a briefing's link.
            let was_subscribed = saved.as_ref().map(|s| s.subscribed.is_some());
            let subscribed = match cell(Field::Subscribed) {
                Some(raw) => yes_no(raw).map_err(|e| error(Field::Subscribed, e))? && was_subscribed.unwrap_or(true),
                None => was_subscribed.unwrap_or(true),
            };
            let form = ContactForm {
                name: keep(Field::Name, saved.as_ref().map(|s| s.name.clone()), ""),
                email: email.clone(),
                job_title: keep(Field::JobTitle, saved.as_ref().map(|s| s.job_title.clone()), ""),
                organisation: organisation.to_string(),
                influence: keep(
                    Field::Influence,
                    saved.as_ref().map(|s| s.influence.clone()),
                    DEFAULT_SCORE,
                ),
                interest: keep(
                    Field::Interest,
                    saved.as_ref().map(|s| s.interest.clone()),
                    DEFAULT_SCORE,
                ),
                engagement_current: engagement(
                    Field::EngagementNow,
                    saved.as_ref().map(|s| s.engagement_current.clone()),
                    DEFAULT_NOW,
                )?,
                engagement_target: engagement(
                    Field::EngagementTarget,
                    saved.as_ref().map(|s| s.engagement_target.clone()),
                    DEFAULT_TARGET,
                )?,
                subscribed: subscribed.then(|| "on".into()),
                tags: keep(Field::Tags, saved.as_ref().map(|s| s.tags.clone()), ""),
            };
            let draft = form.parse().map_err(|e| match e.errors.first() {
                Some(fe) => error(column_of(&fe.field), fe.message.clone()),
                None => error(Field::Name, "This row could not be read"),
            })?;
            Ok((current.map(|(id, _)| id.clone()), draft))
        })();
        match outcome {
            Err(e) => row.outcome = e,
            Ok((contact, draft)) => {
                row.outcome = match existing.contacts.get(&email.to_lowercase()) {
                    None => Outcome::Create,
                    Some((_, before)) if *before == draft => Outcome::Unchanged,
                    Some((_, before)) => Outcome::Update(changed_fields(before, &draft)),
                };
                row.name = draft.name.to_string();
                row.draft = Some(draft);
                row.contact = contact;
            }
        }
        planned.push(row);
    }
    ImportPlan {
        rows: planned,
        new_organisations,
    }
}

fn changed_fields(a: &ContactDraft, b: &ContactDraft) -> String {
    let mut out = Vec::new();
    let mut check = |label: &str, changed: bool| {
        if changed {
            out.push(label.to_string());
        }
    };
    check("name", a.name != b.name);
    check("job title", a.job_title != b.job_title);
    check("organisation", a.organisation != b.organisation);
    check("influence", a.influence != b.influence);
    check("interest", a.interest != b.interest);
    check("engagement now", a.engagement_current != b.engagement_current);
    check("engagement target", a.engagement_target != b.engagement_target);
    check("subscribed", a.subscribed != b.subscribed);
    check("tags", a.tags != b.tags);
    check("email", a.email != b.email);
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(s: &str) -> OrgId {
        OrgId::parse(s).unwrap()
    }

    fn existing() -> Existing {
        let keele = oid("keele");
        let draft = ContactForm {
            name: "Zoë Ashworth".into(),
            email: "zoe@keele.example.org".into(),
            job_title: "Course lead".into(),
            organisation: keele.to_string(),
            influence: "4".into(),
            interest: "5".into(),
            engagement_current: "neutral".into(),
            engagement_target: "leading".into(),
            subscribed: Some("on".into()),
            tags: "course lead".into(),
        }
        .parse()
        .unwrap();
        Existing {
            contacts: HashMap::from([(
                "zoe@keele.example.org".to_string(),
                (ContactId::parse("zoe").unwrap(), draft),
            )]),
            organisations: vec![
                (keele, "Keele University".into(), OrgKind::Hei),
                (oid("stmarys1"), "St Mary's".into(), OrgKind::Other),
                (oid("stmarys2"), "St Mary's".into(), OrgKind::PrimaryCare),
            ],
        }
    }

    fn plan_of(headers: &[&str], rows: &[&[&str]]) -> ImportPlan {
        let headers: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        let rows: Vec<(usize, Vec<String>)> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (i + 2, r.iter().map(|s| s.to_string()).collect()))
            .collect();
        let mut n = 0;
        plan(&rows, &map_headers(&headers), &existing(), || {
            n += 1;
            oid(&format!("new{n}"))
        })
    }

    #[test]
    fn a_chosen_mapping_is_checked_and_kept_by_key() {
        let headers: Vec<String> = ["Who", "Correspondence", "Employer", "Notes"]
            .map(String::from)
            .to_vec();
        let choices: Vec<String> = ["name", "email", "organisation", ""].map(String::from).to_vec();
        let m = mapping_from_choices(&headers, &choices).unwrap();
        assert_eq!(
            m,
            vec![Some(Field::Name), Some(Field::Email), Some(Field::Organisation), None]
        );
        assert_eq!(mapping_keys(&m), choices);
        assert_eq!(mapping_or_automatic(&headers, Some(&choices)), m);
        // Nothing kept: the headings decide ("Employer" is a synonym of organisation).
        assert_eq!(mapping_or_automatic(&headers, None)[2], Some(Field::Organisation));
        let twice: Vec<String> = ["email", "email", "", ""].map(String::from).to_vec();
        let e = mapping_from_choices(&headers, &twice).unwrap_err();
        assert!(
            e.contains("“Email” is chosen for two columns, “Who” and “Correspondence”"),
            "{e}"
        );
        let no_email: Vec<String> = ["name", "", "", ""].map(String::from).to_vec();
        assert!(mapping_from_choices(&headers, &no_email)
            .unwrap_err()
            .contains("email addresses"));
        assert!(mapping_from_choices(&headers, &["email".to_string()])
            .unwrap_err()
            .contains("4 columns"));
        let unknown: Vec<String> = ["email", "shoe_size", "", ""].map(String::from).to_vec();
        assert!(mapping_from_choices(&headers, &unknown)
            .unwrap_err()
            .contains("shoe_size"));
        for f in Field::ALL {
            assert_eq!(Field::from_key(f.key()), Some(f));
        }
    }

    #[test]
    fn headers_match_by_name_and_synonym_ignoring_case() {
        let h: Vec<String> = ["E-mail", "FULL NAME", "Trust", "Type", "Role", "Nonsense", "email"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            map_headers(&h),
            vec![
                Some(Field::Email),
                Some(Field::Name),
                Some(Field::Organisation),
                Some(Field::OrgKind),
                Some(Field::JobTitle),
                None,
                None
            ]
        );
    }

    #[test]
    fn rows_become_creates_updates_unchanged_and_errors_with_their_column() {
        let p = plan_of(
            &["Name", "Email", "Organisation", "Organisation kind", "Influence"],
            &[
                &["Zoë Ashworth", "ZOE@keele.example.org", "keele university", "", "4"],
                &["Zoë Ashworth", "zoe2@keele.example.org", "Keele University", "", "5"],
                &["", "zoe@keele.example.org", "", "", "2"],
                &["No Email", "", "Keele University", "", ""],
                &[
                    "Pat Doe",
                    "pat@new.example.org",
                    "New Practice",
                    "Primary care provider",
                    "9",
                ],
                &["Sam Roe", "sam@stm.example.org", "St Mary's", "", ""],
                &["Ann Lee", "ann@new.example.org", "New Practice", "primary_care", ""],
                &["Bo Kay", "bo@x.example.org", "Nowhere Trust", "", ""],
            ],
        );
        let outcomes: Vec<&Outcome> = p.rows.iter().map(|r| &r.outcome).collect();
        assert_eq!(outcomes[0], &Outcome::Unchanged, "matched by email, case-insensitively");
        assert_eq!(outcomes[1], &Outcome::Create);
        assert!(
            matches!(outcomes[2], Outcome::Error { column, reason } if column == "Email" && reason.contains("row 2")),
            "{:?}",
            outcomes[2]
        );
        assert!(matches!(outcomes[3], Outcome::Error { column, .. } if column == "Email"));
        assert!(matches!(outcomes[4], Outcome::Error { column, .. } if column == "Influence"));
        assert!(matches!(outcomes[5], Outcome::Error { reason, .. } if reason.contains("Several organisations")));
        assert_eq!(outcomes[6], &Outcome::Create, "a new organisation named with its kind");
        assert!(matches!(outcomes[7], Outcome::Error { reason, .. } if reason.contains("No organisation is called")));
        // Row 5 failed after naming the new organisation, row 7 created it: one, not two.
        assert_eq!(p.new_organisations.len(), 1);
        assert_eq!(
            p.rows[6].draft.as_ref().unwrap().organisation,
            p.new_organisations[0].id
        );
        let c = p.counts();
        assert_eq!(
            (c.create, c.update, c.unchanged, c.error, c.new_organisations),
            (2, 0, 1, 5, 1)
        );
    }

    #[test]
    fn blank_cells_keep_saved_values_and_an_import_never_resubscribes() {
        let p = plan_of(
            &["Email", "Job title", "Engagement now", "Subscribed"],
            &[&["zoe@keele.example.org", "Programme director", "Supportive", "No"]],
        );
        match &p.rows[0].outcome {
            Outcome::Update(f) => assert_eq!(f, "job title, engagement now, subscribed"),
            other => panic!("{other:?}"),
        }
        let d = p.rows[0].draft.as_ref().unwrap();
        assert_eq!(d.name.as_str(), "Zoë Ashworth");
        assert!(!d.subscribed);

        let mut ex = existing();
        ex.contacts.get_mut("zoe@keele.example.org").unwrap().1.subscribed = false;
        let rows = vec![(2, vec!["zoe@keele.example.org".to_string(), "Yes".to_string()])];
        let headers = vec!["Email".to_string(), "Subscribed".to_string()];
        let p = plan(&rows, &map_headers(&headers), &ex, || oid("x"));
        assert_eq!(p.rows[0].outcome, Outcome::Unchanged, "unsubscribed stays unsubscribed");
    }

    #[test]
    fn an_export_row_reads_back_as_unchanged() {
        let ex = existing();
        let (id, d) = ex.contacts["zoe@keele.example.org"].clone();
        let contact = Contact {
            id,
            name: d.name.clone(),
            email: d.email.clone(),
            job_title: d.job_title.clone(),
            organisation: d.organisation.clone(),
            organisation_name: OrgName::parse("Keele University").unwrap(),
            organisation_kind: OrgKind::Hei,
            influence: d.influence,
            interest: d.interest,
            engagement_current: d.engagement_current,
            engagement_target: d.engagement_target,
            subscribed: d.subscribed,
            tags: d.tags.clone(),
            held: None,
            basis: None,
        };
        let headers: Vec<String> = Field::ALL.iter().map(|f| f.label().to_string()).collect();
        let rows = vec![(2, export_row(&contact, None))];
        let p = plan(&rows, &map_headers(&headers), &ex, || oid("x"));
        assert_eq!(p.rows[0].outcome, Outcome::Unchanged);
    }

    #[test]
    fn a_known_name_with_another_kind_is_an_error_not_a_second_organisation() {
        let p = plan_of(
            &["Email", "Organisation", "Organisation kind"],
            &[&["x@keele.example.org", "Keele University", "Acute trust"]],
        );
        assert!(
            matches!(&p.rows[0].outcome, Outcome::Error { column, reason } if column == "Organisation kind" && reason.contains("higher education")),
            "{:?}",
            p.rows[0].outcome
        );
        assert!(p.new_organisations.is_empty());
    }
}
