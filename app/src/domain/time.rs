//! Time: stored in UTC, shown in the programme's zone (Europe/London), in one place.
use chrono::{DateTime, Utc};
use chrono_tz::Europe::London;

/// "25 Nov 2026, 14:05" in UK local time (GMT or BST as the date requires).
pub fn format_london(t: DateTime<Utc>) -> String {
    t.with_timezone(&London).format("%-d %b %Y, %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn shows_bst_in_summer_and_gmt_in_winter() {
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        let winter = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
        assert_eq!(format_london(summer), "1 Jul 2026, 13:00");
        assert_eq!(format_london(winter), "1 Dec 2026, 12:00");
    }
}
