//! The one place the wall clock enters: `--now`, else `SOURCE_DATE_EPOCH`,
//! else the system time.

use chrono::{DateTime, Utc};

pub fn resolve(now: Option<&str>) -> Result<DateTime<Utc>, String> {
    if let Some(text) = now {
        return parse(text);
    }
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(epoch) if !epoch.trim().is_empty() => epoch
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|secs| DateTime::from_timestamp(secs, 0))
            .ok_or_else(|| format!("SOURCE_DATE_EPOCH={epoch} is not a number of seconds since 1970")),
        _ => Ok(Utc::now()),
    }
}

/// RFC 3339 (`2022-06-08T12:00:00Z`), or a bare date meaning its UTC midnight.
pub fn parse(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = text.parse::<chrono::NaiveDate>() {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    }
    Err(format!("`{text}` is not an RFC 3339 time such as 2022-06-08T12:00:00Z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc3339_with_offsets_and_bare_dates() {
        assert_eq!(parse("2022-06-08T14:00:00+02:00").unwrap().to_rfc3339(), "2022-06-08T12:00:00+00:00");
        assert_eq!(parse("2022-06-08").unwrap().to_rfc3339(), "2022-06-08T00:00:00+00:00");
        assert!(parse("yesterday").is_err());
    }
}
