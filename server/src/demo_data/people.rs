//! The fictional people of the demo programme, from a small deterministic generator.

use std::collections::HashSet;

use app::domain::{Engagement, OrgKind};

use super::organisations::{org_email_domain, ORGANISATIONS};

/// A fictional stakeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoContact {
    pub name: String,
    pub email: String,
    pub job_title: &'static str,
    /// Index into [`ORGANISATIONS`].
    pub org_index: usize,
    /// 1 (low) to 5 (high).
    pub influence: u8,
    /// 1 (low) to 5 (high).
    pub interest: u8,
    pub engagement_current: Engagement,
    /// Never below `engagement_current`.
    pub engagement_target: Engagement,
    pub subscribed: bool,
    /// Comma-separated, from the role: what audiences select by.
    pub tags: String,
}

/// Number of contacts produced by [`contacts`].
pub const CONTACT_COUNT: usize = 150;

const FIRST_NAMES: &[&str] = &[
    "Aisha", "Amelia", "Ayesha", "Bethan", "Chidi", "Chloe", "Daniel", "Deepa", "Eilidh", "Emeka", "Fatima", "Gareth",
    "Grace", "Gurpreet", "Hannah", "Harjit", "Imran", "Isla", "Jamal", "Jasmine", "Kieran", "Kwame", "Laura", "Leon",
    "Mei", "Mohammed", "Naomi", "Niamh", "Oliver", "Olumide", "Priya", "Rachel", "Rajesh", "Rhys", "Rosa", "Ruth",
    "Sadia", "Samuel", "Sean", "Shabana", "Siobhan", "Sunita", "Tariq", "Thomas", "Tomasz", "Uzma", "Victoria", "Wei",
    "Yusuf", "Zainab", "Zofia", "Callum", "Ffion", "Adebayo", "Marcus", "Hollie", "Nadia", "Connor", "Anita", "Joseph",
];

const LAST_NAMES: &[&str] = &[
    "Adeyemi",
    "Ahmed",
    "Akhtar",
    "Bailey",
    "Begum",
    "Bennett",
    "Brown",
    "Campbell",
    "Chaudhry",
    "Chen",
    "Clarke",
    "Davies",
    "Doherty",
    "Edwards",
    "Evans",
    "Fraser",
    "Gill",
    "Green",
    "Hughes",
    "Hussain",
    "Iqbal",
    "Jackson",
    "Johal",
    "Jones",
    "Kaur",
    "Kelly",
    "Khan",
    "Kowalski",
    "Lewis",
    "Mahmood",
    "McDonald",
    "Mensah",
    "Mistry",
    "Morgan",
    "Murphy",
    "Nguyen",
    "Novak",
    "O'Brien",
    "Okafor",
    "Osei",
    "Owusu",
    "Parker",
    "Patel",
    "Phillips",
    "Rahman",
    "Reid",
    "Roberts",
    "Sandhu",
    "Shah",
    "Sharma",
    "Singh",
    "Taylor",
    "Thompson",
    "Walker",
    "Ward",
    "Williams",
    "Wilson",
    "Wright",
    "Yeung",
    "Zielinski",
];

/// Job titles per organisation kind. The first [`SENIOR_TITLES`] entries of each list are
/// senior roles and get higher influence.
const SENIOR_TITLES: usize = 2;

const HEI_TITLES: &[&str] = &[
    "Head of School of Nursing",
    "Associate Dean for Health and Social Care",
    "Course Lead, MSc Advanced Clinical Practice",
    "PgCert Programme Lead",
    "Senior Lecturer in Advanced Practice",
    "Practice Learning Lead",
];

const ACUTE_TITLES: &[&str] = &[
    "Chief Nurse",
    "Director of Workforce",
    "Advanced Practice Lead",
    "Deputy Chief AHP",
    "Education Lead",
    "Consultant Practitioner, Emergency Medicine",
    "Head of Non-Medical Education",
];

const COMMUNITY_TITLES: &[&str] = &[
    "Chief Nurse",
    "Director of Workforce",
    "Advanced Practice Lead",
    "Deputy Chief AHP",
    "Education Lead",
    "Head of Nursing, Community Services",
];

const MENTAL_HEALTH_TITLES: &[&str] = &[
    "Chief Nurse",
    "Director of Workforce",
    "Advanced Practice Lead",
    "Deputy Chief AHP",
    "Education Lead",
    "Consultant Nurse, Mental Health",
];

const PRIMARY_CARE_TITLES: &[&str] = &[
    "GP Partner",
    "Practice Manager",
    "Advanced Nurse Practitioner",
    "Advanced Clinical Practitioner",
    "Paramedic Practitioner",
];

const ICB_TITLES: &[&str] = &[
    "Director of Nursing",
    "Chief People Officer",
    "Workforce Transformation Lead",
    "Primary Care Workforce Lead",
    "Deputy Director of Nursing",
];

const OTHER_TITLES: &[&str] = &[
    "Faculty Director",
    "Head of Training Hub",
    "Programme Manager",
    "Advanced Practice Supervision Lead",
];

fn titles_for(kind: OrgKind) -> &'static [&'static str] {
    match kind {
        OrgKind::Hei => HEI_TITLES,
        OrgKind::AcuteTrust => ACUTE_TITLES,
        OrgKind::CommunityTrust => COMMUNITY_TITLES,
        OrgKind::MentalHealthTrust => MENTAL_HEALTH_TITLES,
        OrgKind::PrimaryCare => PRIMARY_CARE_TITLES,
        OrgKind::Icb => ICB_TITLES,
        OrgKind::Other => OTHER_TITLES,
    }
}

/// Relative likelihood that an extra contact belongs to an organisation of this kind.
fn kind_weight(kind: OrgKind) -> u64 {
    match kind {
        OrgKind::AcuteTrust => 4,
        OrgKind::CommunityTrust | OrgKind::MentalHealthTrust | OrgKind::Hei | OrgKind::Icb => 3,
        OrgKind::PrimaryCare | OrgKind::Other => 1,
    }
}

/// Fixed seed ("LIAISON!" in ASCII) so the demo data never changes between runs.
const SEED: u64 = 0x4C49_4149_534F_4E21;

/// xorshift64*: tiny, deterministic, good enough for demo data.
struct XorShift64(u64);

impl XorShift64 {
    fn new(seed: u64) -> Self {
        // The state must never be zero.
        XorShift64(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-ish value in `0..n` (`n` must be > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

fn pick_weighted_org(rng: &mut XorShift64) -> usize {
    let total: u64 = ORGANISATIONS.iter().map(|o| kind_weight(o.kind)).sum();
    let mut r = rng.next_u64() % total;
    for (i, org) in ORGANISATIONS.iter().enumerate() {
        let w = kind_weight(org.kind);
        if r < w {
            return i;
        }
        r -= w;
    }
    ORGANISATIONS.len() - 1
}

/// Tags a programme team would give these roles.
fn demo_tags(job_title: &str, senior: bool) -> String {
    let mut tags = Vec::new();
    if senior {
        tags.push("senior leader");
    }
    if job_title.contains("Course Lead") || job_title.contains("PgCert") || job_title.contains("Lecturer") {
        tags.push("course lead");
    }
    if job_title.contains("Education") || job_title.contains("Practice Learning") || job_title.contains("Training") {
        tags.push("education lead");
    }
    if job_title.contains("Practitioner") {
        tags.push("practitioner");
    }
    tags.join(", ")
}

/// Lowercase ASCII letters and digits only ("O'Brien" -> "obrien").
fn email_part(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The 150 fictional demo contacts. Deterministic: every call returns the same list.
///
/// The first `ORGANISATIONS.len()` contacts are assigned one per organisation, so every
/// organisation has at least one contact; the rest are spread by a weighting that favours
/// trusts, HEIs and ICBs over individual practices.
pub fn contacts() -> Vec<DemoContact> {
    let mut rng = XorShift64::new(SEED);
    let mut used_names: HashSet<String> = HashSet::new();
    let mut used_emails: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(CONTACT_COUNT);

    for i in 0..CONTACT_COUNT {
        let org_index = if i < ORGANISATIONS.len() {
            i
        } else {
            pick_weighted_org(&mut rng)
        };
        let org = &ORGANISATIONS[org_index];

        // A full name nobody else has.
        let (first, last) = loop {
            let first = rng.pick(FIRST_NAMES);
            let last = rng.pick(LAST_NAMES);
            if used_names.insert(format!("{first} {last}")) {
                break (first, last);
            }
        };
        let name = format!("{first} {last}");

        // firstname.lastname{n}@{slug}.example.org / .test, with n only when needed.
        let domain = org_email_domain(org);
        let base = format!("{}.{}", email_part(first), email_part(last));
        let mut n = 1u32;
        let email = loop {
            let candidate = if n == 1 {
                format!("{base}@{domain}")
            } else {
                format!("{base}{n}@{domain}")
            };
            if used_emails.insert(candidate.clone()) {
                break candidate;
            }
            n += 1;
        };

        let titles = titles_for(org.kind);
        let title_index = rng.below(titles.len());
        let job_title = titles[title_index];

        let influence = if title_index < SENIOR_TITLES {
            4 + rng.below(2) as u8 // 4..=5
        } else {
            1 + rng.below(4) as u8 // 1..=4
        };
        let interest = if job_title.contains("Advanced") || job_title.contains("PgCert") {
            4 + rng.below(2) as u8 // 4..=5
        } else {
            1 + rng.below(5) as u8 // 1..=5
        };

        // Current engagement: mostly neutral/supportive, some unaware, a few resistant or leading.
        let current = match rng.below(10) {
            0 | 1 => Engagement::Unaware,
            2 => Engagement::Resistant,
            3..=5 => Engagement::Neutral,
            6..=8 => Engagement::Supportive,
            _ => Engagement::Leading,
        };
        // Target: key players should lead, bystanders need only be neutral, others supportive.
        let floor = if influence >= 4 && interest >= 4 {
            Engagement::Leading
        } else if influence <= 2 && interest <= 2 {
            Engagement::Neutral
        } else {
            Engagement::Supportive
        };
        // `Engagement` is ordered from unaware to leading, so the target is never below current.
        let target = current.max(floor);

        out.push(DemoContact {
            name,
            email,
            job_title,
            org_index,
            influence,
            interest,
            engagement_current: current,
            engagement_target: target,
            // Exactly 8 of 150 have unsubscribed (i = 7, 26, 45, ..., 140).
            subscribed: i % 19 != 7,
            tags: demo_tags(job_title, title_index < SENIOR_TITLES),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn exactly_150_contacts() {
        assert_eq!(contacts().len(), 150);
        assert_eq!(CONTACT_COUNT, 150);
    }

    #[test]
    fn contacts_are_deterministic() {
        assert_eq!(contacts(), contacts());
    }

    #[test]
    fn emails_are_unique() {
        let all = contacts();
        let set: HashSet<&str> = all.iter().map(|c| c.email.as_str()).collect();
        assert_eq!(set.len(), all.len());
    }

    #[test]
    fn emails_use_reserved_domains_only() {
        for c in contacts() {
            assert!(
                c.email.ends_with(".example.org") || c.email.ends_with(".test"),
                "non-reserved domain: {}",
                c.email
            );
            assert_eq!(c.email.matches('@').count(), 1, "bad email: {}", c.email);
            assert!(
                c.email
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ".@-".contains(ch)),
                "email not lowercase ASCII: {}",
                c.email
            );
        }
    }

    #[test]
    fn org_indices_are_valid() {
        for c in contacts() {
            assert!(c.org_index < ORGANISATIONS.len(), "bad org index {}", c.org_index);
        }
    }

    #[test]
    fn every_organisation_has_a_contact() {
        let covered: HashSet<usize> = contacts().iter().map(|c| c.org_index).collect();
        for (i, org) in ORGANISATIONS.iter().enumerate() {
            assert!(covered.contains(&i), "no contact for {}", org.name);
        }
    }

    #[test]
    fn scores_are_in_range() {
        for c in contacts() {
            assert!((1..=5).contains(&c.influence), "{}: influence {}", c.name, c.influence);
            assert!((1..=5).contains(&c.interest), "{}: interest {}", c.name, c.interest);
        }
    }

    #[test]
    fn engagement_target_is_at_least_current() {
        for c in contacts() {
            assert!(
                c.engagement_target >= c.engagement_current,
                "{}: target {} below current {}",
                c.name,
                c.engagement_target.key(),
                c.engagement_current.key()
            );
        }
    }

    #[test]
    fn job_titles_match_organisation_kind() {
        for c in contacts() {
            let kind = ORGANISATIONS[c.org_index].kind;
            assert!(
                titles_for(kind).contains(&c.job_title),
                "{} is not a {} title",
                c.job_title,
                kind.key()
            );
        }
    }

    #[test]
    fn about_eight_unsubscribed() {
        let n = contacts().iter().filter(|c| !c.subscribed).count();
        assert!((5..=12).contains(&n), "{n} unsubscribed");
    }

    #[test]
    fn contact_names_are_unique() {
        let all = contacts();
        let set: HashSet<&str> = all.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(set.len(), all.len());
    }
}
