//! Calendar dates and log timestamps from Unix time (UTC), without a date library.

use std::time::{SystemTime, UNIX_EPOCH};

/// (year, month, day) of the Unix day number (Howard Hinnant's civil-from-days).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Now, in Unix seconds: the clock every time check of the server reads.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// `YYYY-MM-DD` of a Unix time.
pub fn date(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Now as UTC calendar fields: (year, month, day, hour, minute, second, microseconds).
fn now_utc() -> (i64, u32, u32, i64, i64, i64, u32) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    (y, m, d, s / 3600, s / 60 % 60, s % 60, now.subsec_micros())
}

/// `YYYY/MM/DD HH:MM:SS.micros` now, as nats-server's logger prints it.
pub fn log_timestamp() -> String {
    let (y, m, d, h, min, s, micros) = now_utc();
    format!("{y:04}/{m:02}/{d:02} {h:02}:{min:02}:{s:02}.{micros:06}")
}

/// RFC 3339 (UTC) of now, for the start-up line.
pub fn rfc3339_now() -> String {
    let (y, m, d, h, min, s, _) = now_utc();
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::date(0), "1970-01-01");
        assert_eq!(super::date(1_767_225_600), "2026-01-01");
        assert_eq!(super::date(4_102_444_800), "2100-01-01");
        assert_eq!(super::date(951_782_400), "2000-02-29");
    }
}
