//! The programme's five workstreams, with their aims and milestones.

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
