//! How briefings may be handed to the relay: at what rate (an NHS Exchange relay typically
//! allows 30 messages a minute) and in which hours (UK time), as the operator configures it.
use super::time::london_to_utc;
use chrono::{DateTime, Datelike, Duration as ChronoDuration, NaiveTime, Utc, Weekday};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// At most `messages` per `per`, spaced evenly (30 a minute is one every two seconds), so a
/// relay's limit is never exceeded in any window of that length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendRate {
    messages: u32,
    per: Duration,
}

impl SendRate {
    /// "30/min", "5/s", "2000/hour" (also "/second", "/minute", "/h"), or a bare number of
    /// messages a second.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "\"{}\" is not a sending rate: write it as 30/min, 5/s or 2000/hour",
                raw.trim()
            )
        };
        let (count, unit) = match raw.trim().split_once('/') {
            Some((n, unit)) => (n.trim(), unit.trim().to_ascii_lowercase()),
            None => (raw.trim(), "s".to_string()),
        };
        let messages: u32 = count.parse().map_err(|_| bad())?;
        let per = match unit.as_str() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return Err(bad()),
        };
        if messages == 0 {
            return Err(format!(
                "{} would send nothing: leave the rate unset for no limit",
                raw.trim()
            ));
        }
        Ok(Self { messages, per })
    }

    /// The gap between two messages.
    pub fn interval(self) -> Duration {
        self.per / self.messages
    }

    /// "30/min", as the operator would write it.
    pub fn describe(self) -> String {
        let unit = match self.per.as_secs() {
            1 => "s",
            60 => "min",
            _ => "hour",
        };
        format!("{}/{unit}", self.messages)
    }
}

/// When the rest of a send is expected to go, under the configured rate and window: what a
/// briefing's page says while it waits or sends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SendOutlook {
    /// Outside the sending window: when it opens again.
    pub resumes_at: Option<DateTime<Utc>>,
    /// With a rate: when the last of what waits should have gone.
    pub finish_by: Option<DateTime<Utc>>,
    /// The window and rate as configured ("Mon-Fri 08:00-18:00", "30/min").
    pub window: Option<String>,
    pub rate: Option<String>,
    /// The two times as the page says them, in UK time: formatted here, on the server, so that
    /// the browser (which polls this) needs no time-zone data.
    #[serde(default)]
    pub resumes_at_uk: Option<String>,
    #[serde(default)]
    pub finish_by_uk: Option<String>,
}

/// The outlook for `waiting` messages at `now`. Without a rate the finish depends on the
/// relay's speed, so none is given; with a window, sending time only counts inside it.
pub fn outlook(rate: Option<SendRate>, window: Option<SendWindow>, waiting: u64, now: DateTime<Utc>) -> SendOutlook {
    let resumes_at = window.map(|w| w.next_open(now)).filter(|t| *t > now);
    let finish_by = rate.map(|r| {
        let mut left = ChronoDuration::from_std(r.interval() * u32::try_from(waiting).unwrap_or(u32::MAX))
            .unwrap_or(ChronoDuration::MAX);
        let Some(w) = window else { return now + left };
        let mut t = w.next_open(now);
        // One step per open period; a year of them is far beyond any send.
        for _ in 0..400 {
            let closes = w.closes(t);
            if t + left <= closes {
                return t + left;
            }
            left -= closes - t;
            t = w.next_open(closes);
        }
        t + left
    });
    SendOutlook {
        resumes_at,
        finish_by,
        resumes_at_uk: resumes_at.map(super::time::format_london),
        finish_by_uk: finish_by.map(super::time::format_london),
        window: window.map(SendWindow::describe),
        rate: rate.map(SendRate::describe),
    }
}

/// The hours briefings go out, UK time, every day or Monday to Friday: `08:00-18:00` or
/// `Mon-Fri 08:00-18:00`. Outside them nothing is handed to the relay; what is due waits for
/// the window to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendWindow {
    weekdays_only: bool,
    start: NaiveTime,
    end: NaiveTime,
}

impl SendWindow {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "\"{}\" is not a sending window: write it as 08:00-18:00 or Mon-Fri 08:00-18:00 (UK time)",
                raw.trim()
            )
        };
        let text = raw.trim();
        let (weekdays_only, hours) = match text.split_once(' ') {
            Some((days, hours)) if days.eq_ignore_ascii_case("mon-fri") => (true, hours.trim()),
            Some(_) => return Err(bad()),
            None => (false, text),
        };
        let (from, to) = hours.split_once('-').ok_or_else(bad)?;
        let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| bad());
        let (start, end) = (time(from)?, time(to)?);
        if start >= end {
            return Err(format!(
                "The sending window {} ends before it starts: a window runs within one day, such as 08:00-18:00",
                text
            ));
        }
        Ok(Self {
            weekdays_only,
            start,
            end,
        })
    }

    fn day_allowed(self, day: Weekday) -> bool {
        !self.weekdays_only || !matches!(day, Weekday::Sat | Weekday::Sun)
    }

    pub fn contains(self, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&London);
        self.day_allowed(local.weekday()) && (self.start..self.end).contains(&local.time())
    }

    /// The end of the open period that `t` (inside the window) falls in.
    pub fn closes(self, t: DateTime<Utc>) -> DateTime<Utc> {
        let day = t.with_timezone(&London).date_naive();
        london_to_utc(day, self.end).unwrap_or(t)
    }

    /// When sending may next happen: `now` inside the window, else the window's next start.
    pub fn next_open(self, now: DateTime<Utc>) -> DateTime<Utc> {
        if self.contains(now) {
            return now;
        }
        let today = now.with_timezone(&London).date_naive();
        (0..=8)
            .map(|d| today + ChronoDuration::days(d))
            .filter(|day| self.day_allowed(day.weekday()))
            .filter_map(|day| london_to_utc(day, self.start).ok())
            .find(|t| *t > now)
            .unwrap_or(now + ChronoDuration::hours(1))
    }

    /// "Mon-Fri 08:00-18:00", as the operator wrote it (normalised).
    pub fn describe(self) -> String {
        format!(
            "{}{}-{}",
            if self.weekdays_only { "Mon-Fri " } else { "" },
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn rates_are_read_as_relays_state_them() {
        assert_eq!(SendRate::parse("30/min").unwrap().interval(), Duration::from_secs(2));
        assert_eq!(SendRate::parse("5/s").unwrap().interval(), Duration::from_millis(200));
        assert_eq!(SendRate::parse("3600/hour").unwrap().interval(), Duration::from_secs(1));
        assert_eq!(SendRate::parse("10").unwrap().interval(), Duration::from_millis(100));
        assert_eq!(
            SendRate::parse(" 30 / Minute ").unwrap(),
            SendRate::parse("30/min").unwrap()
        );
        for bad in ["", "fast", "30/fortnight", "-1/s", "30/"] {
            assert!(SendRate::parse(bad).unwrap_err().contains("30/min"), "{bad}");
        }
        assert!(SendRate::parse("0/min").unwrap_err().contains("send nothing"));
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn a_window_is_in_uk_time_and_opens_next_on_an_allowed_day() {
        let w = SendWindow::parse("Mon-Fri 08:00-18:00").unwrap();
        assert_eq!(w.describe(), "Mon-Fri 08:00-18:00");
        // Wednesday 2 December 2026 (GMT): 08:30 UTC is 08:30 in the UK.
        assert!(w.contains(utc(2026, 12, 2, 8, 30)));
        assert!(!w.contains(utc(2026, 12, 2, 7, 59)));
        assert!(!w.contains(utc(2026, 12, 2, 18, 0)), "the end is not inside");
        assert_eq!(w.next_open(utc(2026, 12, 2, 6, 0)), utc(2026, 12, 2, 8, 0));
        assert_eq!(w.next_open(utc(2026, 12, 2, 9, 0)), utc(2026, 12, 2, 9, 0), "open now");
        // Friday evening: Monday morning.
        assert_eq!(w.next_open(utc(2026, 12, 4, 19, 0)), utc(2026, 12, 7, 8, 0));
        // In summer the UK is an hour ahead: 08:00 BST is 07:00 UTC.
        assert!(w.contains(utc(2026, 7, 1, 7, 0)));
        assert_eq!(w.next_open(utc(2026, 7, 1, 5, 0)), utc(2026, 7, 1, 7, 0));
        let every_day = SendWindow::parse("09:00-17:30").unwrap();
        assert!(every_day.contains(utc(2026, 12, 5, 12, 0)), "Saturday too");
    }

    #[test]
    fn the_outlook_counts_sending_time_inside_the_window_only() {
        let rate = SendRate::parse("30/min").unwrap();
        let w = SendWindow::parse("Mon-Fri 08:00-18:00").unwrap();
        // Wednesday 17:00 UK: 3,000 messages at 30 a minute is 100 minutes: one hour today,
        // the other 40 minutes from 08:00 on Thursday.
        let o = outlook(Some(rate), Some(w), 3000, utc(2026, 12, 2, 17, 0));
        assert_eq!(o.resumes_at, None);
        assert_eq!(o.finish_by, Some(utc(2026, 12, 3, 8, 40)));
        assert_eq!(
            (o.window.as_deref(), o.rate.as_deref()),
            (Some("Mon-Fri 08:00-18:00"), Some("30/min"))
        );
        // Friday 20:00: it resumes on Monday at 08:00.
        let o = outlook(Some(rate), Some(w), 30, utc(2026, 12, 4, 20, 0));
        assert_eq!(o.resumes_at, Some(utc(2026, 12, 7, 8, 0)));
        assert_eq!(o.finish_by, Some(utc(2026, 12, 7, 8, 1)));
        // No window: now plus the time the rate needs; no rate: no finish time.
        assert_eq!(
            outlook(Some(rate), None, 60, utc(2026, 12, 2, 9, 0)).finish_by,
            Some(utc(2026, 12, 2, 9, 2))
        );
        assert_eq!(outlook(None, Some(w), 60, utc(2026, 12, 2, 9, 0)).finish_by, None);
    }

    #[test]
    fn nonsense_windows_are_refused_with_the_form_to_use() {
        for bad in ["", "8-6", "Sat 08:00-18:00", "08:00", "25:00-26:00"] {
            assert!(SendWindow::parse(bad).unwrap_err().contains("08:00-18:00"), "{bad}");
        }
        assert!(SendWindow::parse("18:00-08:00")
            .unwrap_err()
            .contains("ends before it starts"));
    }
}
