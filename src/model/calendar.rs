//! Where shifts fall in time: a function of `[rotation]` alone, so the model
//! can check names and dates against it before any schedule exists.

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc};

use super::config::{Handoff, Rotation};

/// Where shifts fall in time, from the rotation's shape alone.
#[derive(Debug, Clone, Copy)]
pub struct ShiftCalendar {
    start: NaiveDate,
    days_per_shift: u64,
    handoff: Handoff,
}

impl ShiftCalendar {
    pub fn new(rotation: &Rotation) -> Self {
        ShiftCalendar {
            start: rotation.start,
            days_per_shift: 7 * u64::from(rotation.shift_weeks),
            handoff: rotation.handoff,
        }
    }

    /// First calendar day of shift `index`, in the handoff time zone.
    pub fn first_day(&self, index: u32) -> NaiveDate {
        self.start
            .checked_add_days(Days::new(self.days_per_shift * u64::from(index)))
            .unwrap_or(NaiveDate::MAX)
    }

    /// Last calendar day of shift `index` (inclusive): the day before the next handoff.
    pub fn last_day(&self, index: u32) -> NaiveDate {
        self.first_day(index + 1).pred_opt().unwrap_or(NaiveDate::MAX)
    }

    /// The handoff instant that starts shift `index`: the handoff's wall-clock
    /// time in its zone, so a DST change moves no handoff.
    pub fn start(&self, index: u32) -> DateTime<Utc> {
        let tz = self.handoff.timezone;
        let local = self.first_day(index).and_time(self.handoff.time);
        // In a spring-forward gap the wall-clock time does not exist; the
        // handoff happens when the clocks have jumped, an hour later.
        tz.from_local_datetime(&local)
            .earliest()
            .or_else(|| tz.from_local_datetime(&(local + chrono::Duration::hours(1))).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// The shift whose days include `day`, if the rotation has begun by then.
    pub fn index_of_day(&self, day: NaiveDate) -> Option<u32> {
        let offset = (day - self.start).num_days();
        u32::try_from(offset.checked_div(self.days_per_shift as i64)?).ok()
    }

    /// The shift on call at `instant`, if the rotation has begun by then.
    pub fn index_at(&self, instant: DateTime<Utc>) -> Option<u32> {
        let day = instant.with_timezone(&self.handoff.timezone).date_naive();
        let index = self.index_of_day(day).or_else(|| (day >= self.start).then_some(0))?;
        // On a handoff day, the previous shift runs until the handoff time.
        if instant < self.start(index) { index.checked_sub(1) } else { Some(index) }
    }

    /// The shift's name: the ISO week of its first day, such as `2022-W22`.
    pub fn id(&self, index: u32) -> String {
        let week = self.first_day(index).iso_week();
        format!("{}-W{:02}", week.year(), week.week())
    }

    pub fn timezone(&self) -> chrono_tz::Tz {
        self.handoff.timezone
    }
}

/// Parses a shift id such as `2022-W22` into its ISO year and week.
pub fn parse_shift_id(id: &str) -> Option<(i32, u32)> {
    let (year, week) = id.split_once("-W")?;
    if year.len() != 4 || week.len() != 2 {
        return None;
    }
    let (year, week) = (year.parse().ok()?, week.parse().ok()?);
    NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon).map(|_| (year, week))
}
