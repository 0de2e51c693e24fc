//! Demo programme data: real public names of West Midlands organisations, fictional people.
//!
//! Organisation names are the public names of West Midlands universities, NHS trusts and
//! integrated care boards. Identifiers (ODS codes, UKPRNs) are filled in only where they are
//! known to be correct; otherwise they are `None`. Primary-care providers and "other" bodies
//! are invented and carry a "(fictional)" suffix. Every person is fictional, and every email
//! address uses a reserved domain (`.example.org` or `.test`), so nothing here can reach a
//! real inbox.
//!
//! The contact list is produced by a small deterministic generator (xorshift64* with a fixed
//! seed), so every call to [`contacts`] returns the same 150 people.

use std::collections::HashSet;

/// An organisation taking part in (or affected by) the programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOrg {
    pub name: &'static str,
    /// One of [`ORG_KINDS`].
    pub kind: &'static str,
    /// The integrated care system area, one of [`ICS_AREAS`].
    pub area: &'static str,
    /// NHS ODS organisation code, only where known to be correct.
    pub ods_code: Option<&'static str>,
    /// UK Provider Reference Number (HEIs), only where known to be correct.
    pub ukprn: Option<&'static str>,
}

/// Valid values of [`DemoOrg::kind`].
pub const ORG_KINDS: &[&str] = &[
    "hei",
    "acute_trust",
    "community_trust",
    "mental_health_trust",
    "primary_care",
    "icb",
    "other",
];

/// Valid values of [`DemoOrg::area`]: the six West Midlands ICS areas, in the domain's order.
pub use app::domain::register::WEST_MIDLANDS_ICS_AREAS as ICS_AREAS;
const BSOL: &str = ICS_AREAS[0];
const BC: &str = ICS_AREAS[1];
const CW: &str = ICS_AREAS[2];
const HW: &str = ICS_AREAS[3];
const STW: &str = ICS_AREAS[4];
const SSOT: &str = ICS_AREAS[5];

/// Engagement levels, in increasing order.
pub const ENGAGEMENT_LEVELS: &[&str] = &["unaware", "resistant", "neutral", "supportive", "leading"];

/// Position of an engagement level in [`ENGAGEMENT_LEVELS`], or `None` if unknown.
pub fn engagement_rank(level: &str) -> Option<usize> {
    ENGAGEMENT_LEVELS.iter().position(|l| *l == level)
}

const fn hei(name: &'static str, area: &'static str, ukprn: Option<&'static str>) -> DemoOrg {
    DemoOrg {
        name,
        kind: "hei",
        area,
        ods_code: None,
        ukprn,
    }
}

const fn trust(name: &'static str, kind: &'static str, area: &'static str, ods_code: Option<&'static str>) -> DemoOrg {
    DemoOrg {
        name,
        kind,
        area,
        ods_code,
        ukprn: None,
    }
}

const fn icb(name: &'static str, area: &'static str, ods_code: &'static str) -> DemoOrg {
    DemoOrg {
        name,
        kind: "icb",
        area,
        ods_code: Some(ods_code),
        ukprn: None,
    }
}

const fn gp(name: &'static str, area: &'static str) -> DemoOrg {
    DemoOrg {
        name,
        kind: "primary_care",
        area,
        ods_code: None,
        ukprn: None,
    }
}

const fn other(name: &'static str, area: &'static str) -> DemoOrg {
    DemoOrg {
        name,
        kind: "other",
        area,
        ods_code: None,
        ukprn: None,
    }
}

pub const ORGANISATIONS: &[DemoOrg] = &[
    // Higher education institutions (UKPRNs from the UK Register of Learning Providers).
    hei("University of Birmingham", BSOL, Some("10006840")),
    hei("Birmingham City University", BSOL, Some("10007140")),
    hei("Aston University", BSOL, Some("10007759")),
    hei("Newman University", BSOL, Some("10007832")),
    hei("University College Birmingham", BSOL, None),
    hei("Coventry University", CW, Some("10001726")),
    hei("University of Warwick", CW, Some("10007163")),
    hei("University of Wolverhampton", BC, Some("10007166")),
    hei("Keele University", SSOT, Some("10007767")),
    hei("Staffordshire University", SSOT, Some("10006299")),
    hei("University of Worcester", HW, Some("10007139")),
    hei("Harper Adams University", STW, Some("10040812")),
    // Acute trusts.
    trust(
        "University Hospitals Birmingham NHS Foundation Trust",
        "acute_trust",
        BSOL,
        Some("RRK"),
    ),
    trust(
        "Birmingham Women's and Children's NHS Foundation Trust",
        "acute_trust",
        BSOL,
        Some("RQ3"),
    ),
    trust(
        "Sandwell and West Birmingham Hospitals NHS Trust",
        "acute_trust",
        BC,
        Some("RXK"),
    ),
    trust("The Royal Wolverhampton NHS Trust", "acute_trust", BC, Some("RL4")),
    trust("The Dudley Group NHS Foundation Trust", "acute_trust", BC, Some("RNA")),
    trust("Walsall Healthcare NHS Trust", "acute_trust", BC, Some("RBK")),
    trust(
        "University Hospitals Coventry and Warwickshire NHS Trust",
        "acute_trust",
        CW,
        Some("RKB"),
    ),
    trust(
        "South Warwickshire University NHS Foundation Trust",
        "acute_trust",
        CW,
        Some("RJC"),
    ),
    trust("George Eliot Hospital NHS Trust", "acute_trust", CW, Some("RLT")),
    trust(
        "Worcestershire Acute Hospitals NHS Trust",
        "acute_trust",
        HW,
        Some("RWP"),
    ),
    trust("Wye Valley NHS Trust", "acute_trust", HW, Some("RLQ")),
    trust(
        "The Shrewsbury and Telford Hospital NHS Trust",
        "acute_trust",
        STW,
        Some("RXW"),
    ),
    trust(
        "University Hospitals of North Midlands NHS Trust",
        "acute_trust",
        SSOT,
        Some("RJE"),
    ),
    // Community trusts.
    trust(
        "Birmingham Community Healthcare NHS Foundation Trust",
        "community_trust",
        BSOL,
        Some("RYW"),
    ),
    trust(
        "Shropshire Community Health NHS Trust",
        "community_trust",
        STW,
        Some("R1D"),
    ),
    trust(
        "Herefordshire and Worcestershire Health and Care NHS Trust",
        "community_trust",
        HW,
        Some("R1A"),
    ),
    trust(
        "Midlands Partnership University NHS Foundation Trust",
        "community_trust",
        SSOT,
        Some("RRE"),
    ),
    // Mental health trusts.
    trust(
        "Birmingham and Solihull Mental Health NHS Foundation Trust",
        "mental_health_trust",
        BSOL,
        Some("RXT"),
    ),
    trust(
        "Black Country Healthcare NHS Foundation Trust",
        "mental_health_trust",
        BC,
        Some("TAJ"),
    ),
    trust(
        "Coventry and Warwickshire Partnership NHS Trust",
        "mental_health_trust",
        CW,
        Some("RYG"),
    ),
    trust(
        "North Staffordshire Combined Healthcare NHS Trust",
        "mental_health_trust",
        SSOT,
        Some("RLY"),
    ),
    // Integrated care boards.
    icb("NHS Birmingham and Solihull ICB", BSOL, "QHL"),
    icb("NHS Black Country ICB", BC, "QUA"),
    icb("NHS Coventry and Warwickshire ICB", CW, "QWU"),
    icb("NHS Herefordshire and Worcestershire ICB", HW, "QGH"),
    icb("NHS Shropshire, Telford and Wrekin ICB", STW, "QOC"),
    icb("NHS Staffordshire and Stoke-on-Trent ICB", SSOT, "QNC"),
    // Primary care (all fictional).
    gp("Lickey Hills Medical Partnership (fictional)", BSOL),
    gp("Sutton Park Family Practice (fictional)", BSOL),
    gp("Tipton Canalside Surgery (fictional)", BC),
    gp("Kenilworth Road Medical Centre (fictional)", CW),
    gp("Avon Valley Primary Care Network (fictional)", CW),
    gp("Malvern Hills Health Partnership (fictional)", HW),
    gp("Wye Meadows Surgery (fictional)", HW),
    gp("Wrekin View Medical Practice (fictional)", STW),
    gp("Cannock Chase Family Doctors (fictional)", SSOT),
    gp("Potteries Primary Care Collaborative (fictional)", SSOT),
    // Other bodies (fictional).
    other("West Midlands Advanced Practice Faculty (fictional)", BSOL),
    other("Black Country Primary Care Training Hub (fictional)", BC),
];

/// Short lowercase slug for an organisation, used to build its reserved email domain.
pub fn org_slug(org: &DemoOrg) -> &'static str {
    match org.name {
        "University of Birmingham" => "bham",
        "Birmingham City University" => "bcu",
        "Aston University" => "aston",
        "Newman University" => "newman",
        "University College Birmingham" => "ucb",
        "Coventry University" => "coventry",
        "University of Warwick" => "warwick",
        "University of Wolverhampton" => "wlv",
        "Keele University" => "keele",
        "Staffordshire University" => "staffs",
        "University of Worcester" => "worc",
        "Harper Adams University" => "harper-adams",
        "University Hospitals Birmingham NHS Foundation Trust" => "uhb",
        "Birmingham Women's and Children's NHS Foundation Trust" => "bwc",
        "Sandwell and West Birmingham Hospitals NHS Trust" => "swbh",
        "The Royal Wolverhampton NHS Trust" => "rwt",
        "The Dudley Group NHS Foundation Trust" => "dgft",
        "Walsall Healthcare NHS Trust" => "walsall",
        "University Hospitals Coventry and Warwickshire NHS Trust" => "uhcw",
        "South Warwickshire University NHS Foundation Trust" => "swft",
        "George Eliot Hospital NHS Trust" => "geh",
        "Worcestershire Acute Hospitals NHS Trust" => "waht",
        "Wye Valley NHS Trust" => "wvt",
        "The Shrewsbury and Telford Hospital NHS Trust" => "sath",
        "University Hospitals of North Midlands NHS Trust" => "uhnm",
        "Birmingham Community Healthcare NHS Foundation Trust" => "bchc",
        "Shropshire Community Health NHS Trust" => "shropcom",
        "Herefordshire and Worcestershire Health and Care NHS Trust" => "hacw",
        "Midlands Partnership University NHS Foundation Trust" => "mpft",
        "Birmingham and Solihull Mental Health NHS Foundation Trust" => "bsmhft",
        "Black Country Healthcare NHS Foundation Trust" => "bchft",
        "Coventry and Warwickshire Partnership NHS Trust" => "cwpt",
        "North Staffordshire Combined Healthcare NHS Trust" => "combined",
        "NHS Birmingham and Solihull ICB" => "bsol-icb",
        "NHS Black Country ICB" => "blackcountry-icb",
        "NHS Coventry and Warwickshire ICB" => "cw-icb",
        "NHS Herefordshire and Worcestershire ICB" => "hw-icb",
        "NHS Shropshire, Telford and Wrekin ICB" => "stw-icb",
        "NHS Staffordshire and Stoke-on-Trent ICB" => "ssot-icb",
        "Lickey Hills Medical Partnership (fictional)" => "lickeyhills",
        "Sutton Park Family Practice (fictional)" => "suttonpark",
        "Tipton Canalside Surgery (fictional)" => "tiptoncanalside",
        "Kenilworth Road Medical Centre (fictional)" => "kenilworthroad",
        "Avon Valley Primary Care Network (fictional)" => "avonvalley",
        "Malvern Hills Health Partnership (fictional)" => "malvernhills",
        "Wye Meadows Surgery (fictional)" => "wyemeadows",
        "Wrekin View Medical Practice (fictional)" => "wrekinview",
        "Cannock Chase Family Doctors (fictional)" => "cannockchase",
        "Potteries Primary Care Collaborative (fictional)" => "potteries",
        "West Midlands Advanced Practice Faculty (fictional)" => "wmapfaculty",
        "Black Country Primary Care Training Hub (fictional)" => "bctraininghub",
        _ => "partner",
    }
}

/// Reserved email domain for an organisation: fictional bodies use `.test`,
/// real-named bodies use `.example.org`.
pub fn org_email_domain(org: &DemoOrg) -> String {
    if org.name.ends_with("(fictional)") {
        format!("{}.test", org_slug(org))
    } else {
        format!("{}.example.org", org_slug(org))
    }
}

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
    /// One of [`ENGAGEMENT_LEVELS`].
    pub engagement_current: &'static str,
    /// One of [`ENGAGEMENT_LEVELS`], never below `engagement_current`.
    pub engagement_target: &'static str,
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

fn titles_for(kind: &str) -> &'static [&'static str] {
    match kind {
        "hei" => HEI_TITLES,
        "acute_trust" => ACUTE_TITLES,
        "community_trust" => COMMUNITY_TITLES,
        "mental_health_trust" => MENTAL_HEALTH_TITLES,
        "primary_care" => PRIMARY_CARE_TITLES,
        "icb" => ICB_TITLES,
        _ => OTHER_TITLES,
    }
}

/// Relative likelihood that an extra contact belongs to an organisation of this kind.
fn kind_weight(kind: &str) -> u64 {
    match kind {
        "acute_trust" => 4,
        "community_trust" | "mental_health_trust" | "hei" | "icb" => 3,
        _ => 1,
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
            0 | 1 => 0, // unaware
            2 => 1,     // resistant
            3..=5 => 2, // neutral
            6..=8 => 3, // supportive
            _ => 4,     // leading
        };
        // Target: key players should lead, bystanders need only be neutral, others supportive.
        let floor = if influence >= 4 && interest >= 4 {
            4
        } else if influence <= 2 && interest <= 2 {
            2
        } else {
            3
        };
        let target = if current > floor { current } else { floor };

        out.push(DemoContact {
            name,
            email,
            job_title,
            org_index,
            influence,
            interest,
            engagement_current: ENGAGEMENT_LEVELS[current],
            engagement_target: ENGAGEMENT_LEVELS[target],
            // Exactly 8 of 150 have unsubscribed (i = 7, 26, 45, ..., 140).
            subscribed: i % 19 != 7,
            tags: demo_tags(job_title, title_index < SENIOR_TITLES),
        });
    }
    out
}

/// One of the programme's five workstreams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoWorkstream {
    pub name: &'static str,
    pub aim: &'static str,
    /// (title, due date "YYYY-MM-DD")
    pub milestones: &'static [(&'static str, &'static str)],
}

pub const WORKSTREAMS: &[DemoWorkstream] = &[
    DemoWorkstream {
        name: "Creation of baseline",
        aim: "Establish a regional baseline for Advanced Practice by reviewing trust workforce plans \
              and surveying HEIs and trusts. Early findings: understanding of Advanced Practice \
              varies widely, Advanced Practitioner roles are often missing from trust workforce \
              plans, many different job titles are in use, and there is no standardisation.",
        milestones: &[
            ("Trust workforce plans collated", "2026-06-30"),
            ("Baseline surveys of HEIs and trusts issued", "2026-07-15"),
            ("Baseline surveys of HEIs and trusts analysed", "2026-09-30"),
            ("Baseline report shared with stakeholders", "2026-11-27"),
        ],
    },
    DemoWorkstream {
        name: "HEI workshops",
        aim: "Bring the region's HEIs together to agree common award titles for the MSc, PgDip \
              and PgCert, agree shared PgCert learning outcomes, and confirm readiness for an \
              agreed intake date.",
        milestones: &[
            ("First HEI workshop held", "2026-07-08"),
            ("Award titles agreed for MSc, PgDip and PgCert", "2026-10-30"),
            ("PgCert learning outcomes agreed", "2027-01-29"),
            ("HEI readiness for intake confirmed", "2027-05-28"),
            ("September intake ready", "2027-09-01"),
        ],
    },
    DemoWorkstream {
        name: "Practitioner engagement",
        aim: "Work with Advanced Practitioners and their managers to define core and specialist \
              competencies, map them to existing frameworks, and develop consistent job \
              descriptions.",
        milestones: &[
            ("Practitioner focus groups completed", "2026-09-18"),
            ("Core competencies agreed", "2026-12-11"),
            ("Specialist competencies mapped to frameworks", "2027-03-31"),
            ("Template job descriptions published", "2027-06-30"),
        ],
    },
    DemoWorkstream {
        name: "Communication plan",
        aim: "Set out how each workstream is delivered, how stakeholders are engaged, and how \
              information is gathered, analysed and shared across the programme.",
        milestones: &[
            ("Stakeholder map signed off", "2026-06-19"),
            ("Communication plan approved by programme board", "2026-07-31"),
            ("First quarterly stakeholder bulletin issued", "2026-10-01"),
            ("Mid-programme engagement review completed", "2027-02-26"),
        ],
    },
    DemoWorkstream {
        name: "Deployment toolkit",
        aim: "Produce a framework for deploying Advanced Practitioners, shaped by senior leaders \
              of trusts, covering governance, supervision and workforce planning.",
        milestones: &[
            ("Senior leaders' round table held", "2026-11-13"),
            ("Draft deployment framework consulted on", "2027-03-19"),
            ("Deployment toolkit piloted in two trusts", "2027-06-30"),
            ("Deployment toolkit launched", "2027-09-30"),
        ],
    },
];

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
    fn organisation_names_are_unique() {
        let set: HashSet<&str> = ORGANISATIONS.iter().map(|o| o.name).collect();
        assert_eq!(set.len(), ORGANISATIONS.len());
    }

    #[test]
    fn organisation_kinds_and_areas_are_valid() {
        for org in ORGANISATIONS {
            assert!(ORG_KINDS.contains(&org.kind), "bad kind {} for {}", org.kind, org.name);
            assert!(ICS_AREAS.contains(&org.area), "bad area {} for {}", org.area, org.name);
        }
        for kind in ORG_KINDS {
            assert!(
                ORGANISATIONS.iter().any(|o| o.kind == *kind),
                "no organisation of kind {kind}"
            );
        }
        assert_eq!(ORGANISATIONS.iter().filter(|o| o.kind == "icb").count(), 6);
    }

    #[test]
    fn identifiers_are_plausible() {
        for org in ORGANISATIONS {
            if org.name.ends_with("(fictional)") {
                assert!(org.ods_code.is_none() && org.ukprn.is_none(), "{}", org.name);
            }
            if let Some(ukprn) = org.ukprn {
                assert_eq!(org.kind, "hei");
                assert!(ukprn.len() == 8 && ukprn.starts_with('1'));
                assert!(ukprn.chars().all(|c| c.is_ascii_digit()));
            }
            if let Some(ods) = org.ods_code {
                assert_ne!(org.kind, "hei");
                assert!(ods.len() == 3 && ods.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
            }
        }
        for org in ORGANISATIONS
            .iter()
            .filter(|o| o.kind == "primary_care" || o.kind == "other")
        {
            assert!(
                org.name.ends_with("(fictional)"),
                "{} should be marked fictional",
                org.name
            );
        }
    }

    #[test]
    fn slugs_are_known_and_unique() {
        let mut seen = HashSet::new();
        for org in ORGANISATIONS {
            let slug = org_slug(org);
            assert_ne!(slug, "partner", "no slug for {}", org.name);
            assert!(slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
            assert!(seen.insert(slug), "duplicate slug {slug}");
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
            let cur = engagement_rank(c.engagement_current).expect("valid current engagement");
            let tgt = engagement_rank(c.engagement_target).expect("valid target engagement");
            assert!(
                tgt >= cur,
                "{}: target {} below current {}",
                c.name,
                c.engagement_target,
                c.engagement_current
            );
        }
    }

    #[test]
    fn job_titles_match_organisation_kind() {
        for c in contacts() {
            let kind = ORGANISATIONS[c.org_index].kind;
            assert!(
                titles_for(kind).contains(&c.job_title),
                "{} is not a {kind} title",
                c.job_title
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

    #[test]
    fn workstreams_are_the_five_themes_in_order() {
        let names: Vec<&str> = WORKSTREAMS.iter().map(|w| w.name).collect();
        assert_eq!(
            names,
            [
                "Creation of baseline",
                "HEI workshops",
                "Practitioner engagement",
                "Communication plan",
                "Deployment toolkit"
            ]
        );
    }

    #[test]
    fn milestones_are_dated_within_the_programme() {
        for w in WORKSTREAMS {
            assert!((3..=5).contains(&w.milestones.len()), "{}", w.name);
            assert!(!w.aim.is_empty());
            for (title, due) in w.milestones {
                assert!(!title.is_empty());
                let b = due.as_bytes();
                assert_eq!(b.len(), 10, "bad date {due}");
                assert!(b[4] == b'-' && b[7] == b'-', "bad date {due}");
                let month: u32 = due[5..7].parse().expect("month");
                let day: u32 = due[8..10].parse().expect("day");
                assert!((1..=12).contains(&month) && (1..=31).contains(&day), "bad date {due}");
                assert!(*due >= "2026-06-01" && *due <= "2027-09-30", "{due} out of range");
            }
        }
    }
}
