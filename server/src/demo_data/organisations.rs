//! The organisations of the demo programme: real public names, identifiers only where known.

use app::domain::OrgKind;

/// An organisation taking part in (or affected by) the programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOrg {
    pub name: &'static str,
    pub kind: OrgKind,
    /// The integrated care system area, one of [`ICS_AREAS`].
    pub area: &'static str,
    /// NHS ODS organisation code, only where known to be correct.
    pub ods_code: Option<&'static str>,
    /// UK Provider Reference Number (HEIs), only where known to be correct.
    pub ukprn: Option<&'static str>,
}

/// Valid values of [`DemoOrg::area`]: the six West Midlands ICS areas, in the domain's order.
pub use app::domain::register::WEST_MIDLANDS_ICS_AREAS as ICS_AREAS;
const BSOL: &str = ICS_AREAS[0];
const BC: &str = ICS_AREAS[1];
const CW: &str = ICS_AREAS[2];
const HW: &str = ICS_AREAS[3];
const STW: &str = ICS_AREAS[4];
const SSOT: &str = ICS_AREAS[5];

const fn hei(name: &'static str, area: &'static str, ukprn: Option<&'static str>) -> DemoOrg {
    DemoOrg {
        name,
        kind: OrgKind::Hei,
        area,
        ods_code: None,
        ukprn,
    }
}

const fn trust(name: &'static str, kind: OrgKind, area: &'static str, ods_code: Option<&'static str>) -> DemoOrg {
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
        kind: OrgKind::Icb,
        area,
        ods_code: Some(ods_code),
        ukprn: None,
    }
}

const fn gp(name: &'static str, area: &'static str) -> DemoOrg {
    DemoOrg {
        name,
        kind: OrgKind::PrimaryCare,
        area,
        ods_code: None,
        ukprn: None,
    }
}

const fn other(name: &'static str, area: &'static str) -> DemoOrg {
    DemoOrg {
        name,
        kind: OrgKind::Other,
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
        OrgKind::AcuteTrust,
        BSOL,
        Some("RRK"),
    ),
    trust(
        "Birmingham Women's and Children's NHS Foundation Trust",
        OrgKind::AcuteTrust,
        BSOL,
        Some("RQ3"),
    ),
    trust(
        "Sandwell and West Birmingham Hospitals NHS Trust",
        OrgKind::AcuteTrust,
        BC,
        Some("RXK"),
    ),
    trust(
        "The Royal Wolverhampton NHS Trust",
        OrgKind::AcuteTrust,
        BC,
        Some("RL4"),
    ),
    trust(
        "The Dudley Group NHS Foundation Trust",
        OrgKind::AcuteTrust,
        BC,
        Some("RNA"),
    ),
    trust("Walsall Healthcare NHS Trust", OrgKind::AcuteTrust, BC, Some("RBK")),
    trust(
        "University Hospitals Coventry and Warwickshire NHS Trust",
        OrgKind::AcuteTrust,
        CW,
        Some("RKB"),
    ),
    trust(
        "South Warwickshire University NHS Foundation Trust",
        OrgKind::AcuteTrust,
        CW,
        Some("RJC"),
    ),
    trust("George Eliot Hospital NHS Trust", OrgKind::AcuteTrust, CW, Some("RLT")),
    trust(
        "Worcestershire Acute Hospitals NHS Trust",
        OrgKind::AcuteTrust,
        HW,
        Some("RWP"),
    ),
    trust("Wye Valley NHS Trust", OrgKind::AcuteTrust, HW, Some("RLQ")),
    trust(
        "The Shrewsbury and Telford Hospital NHS Trust",
        OrgKind::AcuteTrust,
        STW,
        Some("RXW"),
    ),
    trust(
        "University Hospitals of North Midlands NHS Trust",
        OrgKind::AcuteTrust,
        SSOT,
        Some("RJE"),
    ),
    // Community trusts.
    trust(
        "Birmingham Community Healthcare NHS Foundation Trust",
        OrgKind::CommunityTrust,
        BSOL,
        Some("RYW"),
    ),
    trust(
        "Shropshire Community Health NHS Trust",
        OrgKind::CommunityTrust,
        STW,
        Some("R1D"),
    ),
    trust(
        "Herefordshire and Worcestershire Health and Care NHS Trust",
        OrgKind::CommunityTrust,
        HW,
        Some("R1A"),
    ),
    trust(
        "Midlands Partnership University NHS Foundation Trust",
        OrgKind::CommunityTrust,
        SSOT,
        Some("RRE"),
    ),
    // Mental health trusts.
    trust(
        "Birmingham and Solihull Mental Health NHS Foundation Trust",
        OrgKind::MentalHealthTrust,
        BSOL,
        Some("RXT"),
    ),
    trust(
        "Black Country Healthcare NHS Foundation Trust",
        OrgKind::MentalHealthTrust,
        BC,
        Some("TAJ"),
    ),
    trust(
        "Coventry and Warwickshire Partnership NHS Trust",
        OrgKind::MentalHealthTrust,
        CW,
        Some("RYG"),
    ),
    trust(
        "North Staffordshire Combined Healthcare NHS Trust",
        OrgKind::MentalHealthTrust,
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn organisation_names_are_unique() {
        let set: HashSet<&str> = ORGANISATIONS.iter().map(|o| o.name).collect();
        assert_eq!(set.len(), ORGANISATIONS.len());
    }

    #[test]
    fn organisation_kinds_and_areas_are_valid() {
        for org in ORGANISATIONS {
            assert!(ICS_AREAS.contains(&org.area), "bad area {} for {}", org.area, org.name);
        }
        for kind in OrgKind::ALL {
            assert!(
                ORGANISATIONS.iter().any(|o| o.kind == *kind),
                "no organisation of kind {}",
                kind.key()
            );
        }
        assert_eq!(ORGANISATIONS.iter().filter(|o| o.kind == OrgKind::Icb).count(), 6);
    }

    #[test]
    fn identifiers_are_plausible() {
        for org in ORGANISATIONS {
            if org.name.ends_with("(fictional)") {
                assert!(org.ods_code.is_none() && org.ukprn.is_none(), "{}", org.name);
            }
            if let Some(ukprn) = org.ukprn {
                assert_eq!(org.kind, OrgKind::Hei);
                assert!(ukprn.len() == 8 && ukprn.starts_with('1'));
                assert!(ukprn.chars().all(|c| c.is_ascii_digit()));
            }
            if let Some(ods) = org.ods_code {
                assert_ne!(org.kind, OrgKind::Hei);
                assert!(ods.len() == 3 && ods.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
            }
        }
        for org in ORGANISATIONS
            .iter()
            .filter(|o| matches!(o.kind, OrgKind::PrimaryCare | OrgKind::Other))
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
}
