//! Time: stored in UTC, shown and entered in the programme's zone (Europe/London), in one place.
use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;

/// "25 Nov 2026, 14:05" in UK local time (GMT or BST as the date requires).
pub fn format_london(t: DateTime<Utc>) -> String {
    t.with_timezone(&London).format("%-d %b %Y, %H:%M").to_string()
}

/// The day it is in the UK at `t`.
pub fn london_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&London).date_naive()
}

/// A wall-clock date and time in the UK turned into an instant. A time that does not exist
/// (the hour skipped when clocks go forward) is an error the user must correct; a time that
/// happens twice (when clocks go back) means the first of the two, the BST one.
pub fn london_to_utc(date: NaiveDate, time: NaiveTime) -> Result<DateTime<Utc>, String> {
    match London.from_local_datetime(&NaiveDateTime::new(date, time)) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        LocalResult::None => Err(format!(
            "{} does not exist on {} in the UK (the clocks go forward). Choose another time.",
            time.format("%H:%M"),
            date.format("%-d %B %Y")
        )),
    }
}

pub fn parse_time(raw: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").map_err(|_| "Enter a time like 09:30".to_string())
}

/// The time of day recurring instances send. UK clocks change between 01:00 and 02:00, so a
/// time in that hour would not exist (or happen twice) on some dates: it is refused once here
/// rather than misfiring twice a year.
pub fn parse_send_time(raw: &str) -> Result<NaiveTime, String> {
    let t = parse_time(raw)?;
    if (NaiveTime::from_hms_opt(1, 0, 0)..NaiveTime::from_hms_opt(2, 0, 0)).contains(&Some(t)) {
        return Err("UK clocks change between 01:00 and 02:00: choose a time outside that hour".into());
    }
    Ok(t)
}

/// Day of week helper for calendars ("Mon 7 Dec").
pub fn short_date(d: NaiveDate) -> String {
    format!("{} {}", d.weekday(), d.format("%-d %b"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_bst_in_summer_and_gmt_in_winter() {
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        let winter = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
        assert_eq!(format_london(summer), "1 Jul 2026, 13:00");
        assert_eq!(format_london(winter), "1 Dec 2026, 12:00");
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn wall_clock_times_convert_across_clock_changes() {
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        // Winter (GMT): 09:00 is 09:00 UTC; summer (BST): 08:00 UTC.
        assert_eq!(
            london_to_utc(d(2027, 3, 27), nine).unwrap().to_rfc3339(),
            "2027-03-27T09:00:00+00:00"
        );
        assert_eq!(
            london_to_utc(d(2027, 3, 28), nine).unwrap().to_rfc3339(),
            "2027-03-28T08:00:00+00:00"
        );
        assert_eq!(
            london_to_utc(d(2026, 10, 25), nine).unwrap().to_rfc3339(),
            "2026-10-25T09:00:00+00:00"
        );
        // 01:30 on 28 March 2027 does not exist; on 25 October 2026 it happens twice.
        let half_one = NaiveTime::from_hms_opt(1, 30, 0).unwrap();
        assert!(london_to_utc(d(2027, 3, 28), half_one)
            .unwrap_err()
            .contains("does not exist"));
        assert_eq!(
            london_to_utc(d(2026, 10, 25), half_one).unwrap().to_rfc3339(),
            "2026-10-25T00:30:00+00:00"
        );
    }
}
