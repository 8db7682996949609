//! Reading URL query strings (`a=b&c=d`, percent-encoded, `+` for a space), as the console's
//! filters and monitoring queries take them.

/// Percent-decoding of one query component; `None` when it is not valid UTF-8 or `%XX`.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The parameters of a query string, names as given and values decoded, each value at most
/// `max_value` bytes; the first bad one is the error, naming it.
pub fn parameters(query: Option<&str>, max_value: usize) -> Result<Vec<(&str, String)>, String> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value =
                percent_decode(value).ok_or_else(|| format!("{name}: bad percent-encoding"))?;
            if value.len() > max_value {
                return Err(format!("{name}: longer than {max_value} characters"));
            }
            Ok((name, value))
        })
        .collect()
}

/// A `limit` parameter: a number from 1 to `max`.
pub fn limit(value: &str, max: usize) -> Result<usize, String> {
    value
        .parse()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| format!("limit: a number from 1 to {max}"))
}

#[cfg(test)]
mod tests {
    use super::{parameters, percent_decode};

    #[test]
    fn parameters_are_decoded_and_bounded() {
        assert_eq!(
            parameters(Some("q=a%20b&after=&limit=5"), 8).unwrap(),
            vec![
                ("q", "a b".to_string()),
                ("after", String::new()),
                ("limit", "5".into())
            ]
        );
        assert!(parameters(Some("q=%ZZ"), 8).unwrap_err().starts_with("q:"));
        assert!(parameters(Some("q=123456789"), 8)
            .unwrap_err()
            .contains("longer"));
        assert!(parameters(None, 8).unwrap().is_empty());
    }

    #[test]
    fn decodes_percent_escapes_and_plus() {
        assert_eq!(percent_decode("a%20b+c%2Fd").as_deref(), Some("a b c/d"));
        assert_eq!(percent_decode("%ZZ"), None);
        assert_eq!(percent_decode("%C3"), None);
    }
}
