//! JSON exactly as Go's `encoding/json` writes and reads it, where that differs from serde_json:
//! - writing: `<`, `>`, `&`, U+2028 and U+2029 are escaped as `\u003c` etc.; map keys are sorted
//!   (callers use `BTreeMap`); free-form numbers (generic claims) are float64 printed Go's way.
//! - reading: object keys match struct fields case-insensitively and the last duplicate wins;
//!   `null` leaves a field at its zero value.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Serializes `value` as Go's `json.Marshal` would (struct field order is the type's).
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let json = serde_json::to_string(value).map_err(|e| Error::Encode(e.to_string()))?;
    Ok(escape_html(json))
}

/// Go escapes these characters even inside strings; they can only occur inside strings,
/// so a pass over the finished text is exact.
pub fn escape_html(json: String) -> String {
    if !json.bytes().any(|b| matches!(b, b'<' | b'>' | b'&' | 0xe2)) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Writes a free-form value as Go writes a decoded `interface{}`: objects with sorted keys,
/// every number as a float64.
pub fn write_free_form(value: &Value, out: &mut String) -> Result<()> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let f = n
                .as_f64()
                .ok_or_else(|| Error::Encode(format!("number {n} is not a float64")))?;
            out.push_str(&format_float64(f)?);
        }
        Value::String(s) => out.push_str(&to_string(s)?),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_free_form(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&to_string(key)?);
                out.push(':');
                write_free_form(&map[key], out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// Go's float64 encoding: shortest round-trip digits, exponent form below 1e-6 and from 1e21
/// on, with the exponent written `e+21` / `e-7`.
pub fn format_float64(f: f64) -> Result<String> {
    if !f.is_finite() {
        return Err(Error::Encode(format!("json: unsupported value: {f}")));
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        Ok(match s.split_once('e') {
            Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
            _ => s,
        })
    } else {
        Ok(format!("{f}"))
    }
}

/// Object values of these fields are maps keyed by user data (keys, subjects, tier names):
/// their keys keep their case.
const MAP_FIELDS: [&str; 3] = ["revocations", "mappings", "tiered_limits"];

/// Rewrites a decoded JSON tree so that serde's exact, case-sensitive field matching behaves
/// like Go's: keys are lower-cased (every JWT field name is lower case), the last of several
/// keys that fold to the same name wins, and `null` members are dropped.
pub fn fold_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let folded = fold_object(std::mem::take(map), true);
            *map = folded;
        }
        Value::Array(items) => items.iter_mut().for_each(fold_keys),
        _ => {}
    }
}

fn fold_object(map: Map<String, Value>, struct_keys: bool) -> Map<String, Value> {
    let mut out = Map::with_capacity(map.len());
    for (key, mut member) in map {
        if member.is_null() {
            continue;
        }
        let key = if struct_keys && key.bytes().any(|b| b.is_ascii_uppercase()) {
            key.to_ascii_lowercase()
        } else {
            key
        };
        if struct_keys && MAP_FIELDS.contains(&key.as_str()) {
            if let Value::Object(entries) = &mut member {
                // keys are data; their values (weighted mappings, tier limits) are structs
                let mut kept = fold_object(std::mem::take(entries), false);
                kept.values_mut().for_each(fold_keys);
                *entries = kept;
            }
        } else {
            fold_keys(&mut member);
        }
        // shift_remove + insert: a later duplicate takes the later position, as Go assigns in order
        out.shift_remove(&key);
        out.insert(key, member);
    }
    out
}

/// Looks a member up the way Go matches a struct field: case-insensitively, last one wins.
pub fn get_folded<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.iter()
        .rev()
        .find(|(k, v)| k.eq_ignore_ascii_case(name) && !v.is_null())
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn html_characters_are_escaped_like_go() {
        assert_eq!(
            to_string("a<b>&c\u{2028}").unwrap(),
            r#""a\u003cb\u003e\u0026c\u2028""#
        );
    }

    #[test]
    fn floats_are_printed_like_go() {
        let cases = [
            (1.0, "1"),
            (1e21, "1e+21"),
            (1e23, "1e+23"),
            (1e-7, "1e-7"),
            (0.000001, "0.000001"),
            (-2.5, "-2.5"),
            (123456789.0, "123456789"),
            (2.5e-8, "2.5e-8"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float64(f).unwrap(), want, "{f}");
        }
    }

    #[test]
    fn keys_fold_case_insensitively_last_wins_and_nulls_drop() {
        let mut v: Value = serde_json::from_str(
            r#"{"exp":1,"Exp":2,"name":null,"nats":{"Revocations":{"UAB":3}}}"#,
        )
        .unwrap();
        fold_keys(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"exp":2,"nats":{"revocations":{"UAB":3}}})
        );
    }
}
