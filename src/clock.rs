//! The application's notion of "now": system time plus an offset tests can move forward.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Unix seconds. Cloning shares the offset, so a test that advances the clock moves the server's.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> i64 {
        chrono::Utc::now().timestamp() + self.offset_seconds.load(Ordering::Relaxed)
    }

    /// Moves time forward for everything sharing this clock (tests inject expiry this way).
    pub fn advance(&self, seconds: i64) {
        self.offset_seconds.fetch_add(seconds, Ordering::Relaxed);
    }
}

/// A date as the console and emails show it: `2026-11-21` (UTC). Written digit by digit:
/// fifty of these make a Members page, and chrono's `format` parses its pattern each time.
pub fn format_date(unix: i64) -> String {
    use chrono::Datelike;
    let Some(date) = chrono::DateTime::from_timestamp(unix, 0) else {
        return String::new();
    };
    let (year, month, day) = (date.year(), date.month(), date.day());
    if !(0..=9999).contains(&year) {
        return date.format("%Y-%m-%d").to_string();
    }
    let mut out = String::with_capacity(10);
    push_digits(&mut out, year.unsigned_abs(), 4);
    out.push('-');
    push_digits(&mut out, month, 2);
    out.push('-');
    push_digits(&mut out, day, 2);
    out
}

/// `value`'s last `width` decimal digits, zero-padded.
fn push_digits(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u32.pow(place) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

/// How long ago, as a person says it: "just now", "5 minutes ago", "3 days ago".
pub fn ago(seconds: i64) -> String {
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    match seconds.max(0) {
        s if s < 60 => "just now".into(),
        s if s < 3_600 => plural(s / 60, "minute"),
        s if s < 86_400 => plural(s / 3_600, "hour"),
        s => plural(s / 86_400, "day"),
    }
}

#[cfg(test)]
mod tests {
    use super::{ago, format_date};

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        for unix in [
            0,
            951_782_400,
            1_764_288_000,
            1_798_761_599,
            253_402_300_799,
        ] {
            let chrono =
                chrono::DateTime::from_timestamp(unix, 0).map(|d| d.format("%Y-%m-%d").to_string());
            assert_eq!(Some(format_date(unix)), chrono, "{unix}");
        }
        assert_eq!(format_date(1_764_288_000), "2025-11-28");
        assert_eq!(format_date(-62_167_219_200), "0000-01-01");
    }

    #[test]
    fn ago_says_it_like_a_person() {
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(60), "1 minute ago");
        assert_eq!(ago(7_200), "2 hours ago");
        assert_eq!(ago(3 * 86_400 + 5), "3 days ago");
        assert_eq!(ago(-10), "just now");
    }
}
