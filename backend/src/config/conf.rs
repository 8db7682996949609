//! The NATS configuration format (what nats-server and nats-account-server read): `key: value`,
//! `key = value` or `key value`; `{}` maps and `[]` arrays; `#` and `//` comments; quoted and
//! bare strings; numbers with size suffixes; booleans; `include <file>`; `$NAME` variables
//! (earlier keys of the same file, then the environment). Values keep the line they came from.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use winnow::ascii::{digit1, till_line_ending};
use winnow::combinator::{alt, cut_err, delimited, opt, preceded, repeat};
use winnow::error::{ContextError, ErrMode, StrContext, StrContextValue};
use winnow::prelude::*;
use winnow::token::{any, none_of, one_of, take_till, take_while};

/// A parsed value and the line it started on.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub kind: Kind,
    pub line: usize,
    /// The file it came from (an `include` may bring values from another file).
    pub file: PathBuf,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    String(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
    Array(Vec<Value>),
    /// Keys in file order (duplicates: the later one wins when read).
    Map(Vec<(String, Value)>),
}

impl Kind {
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::String(_) => "a string",
            Kind::Integer(_) => "an integer",
            Kind::Float(_) => "a number",
            Kind::Bool(_) => "a boolean",
            Kind::Array(_) => "an array",
            Kind::Map(_) => "a block",
        }
    }
}

/// A configuration error, always naming the file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", file.display())]
pub struct ConfError {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

/// Files larger than this are refused (a configuration is a few KiB).
const MAX_CONF_SIZE: u64 = 1 << 20;
const MAX_INCLUDE_DEPTH: usize = 10;

/// Parses the file at `path` (with its includes) into the top-level map.
pub fn parse_file(path: &Path) -> Result<Vec<(String, Value)>, ConfError> {
    parse_file_at_depth(path, 0, &mut HashSet::new())
}

fn parse_file_at_depth(
    path: &Path,
    depth: usize,
    seen: &mut HashSet<PathBuf>,
) -> Result<Vec<(String, Value)>, ConfError> {
    let err = |line, message: String| ConfError {
        file: path.to_path_buf(),
        line,
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| err(0, e.to_string()))?;
    if meta.len() > MAX_CONF_SIZE {
        return Err(err(0, format!("larger than {MAX_CONF_SIZE} bytes")));
    }
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if depth > MAX_INCLUDE_DEPTH || !seen.insert(canonical.clone()) {
        return Err(err(0, "include loop or includes nested too deeply".into()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| err(0, e.to_string()))?;
    let result = parse_str(&text, path, &mut |included: &str, line| {
        let target = path.parent().unwrap_or(Path::new(".")).join(included);
        parse_file_at_depth(&target, depth + 1, seen).map_err(|e| {
            if e.line == 0 {
                err(line, format!("include {included}: {}", e.message))
            } else {
                e
            }
        })
    });
    seen.remove(&canonical);
    result
}

type Includer<'a> = dyn FnMut(&str, usize) -> Result<Vec<(String, Value)>, ConfError> + 'a;

/// Parses configuration text; `file` names it in errors, `include` resolves includes.
pub fn parse_str(
    text: &str,
    file: &Path,
    include: &mut Includer<'_>,
) -> Result<Vec<(String, Value)>, ConfError> {
    let line_of = |rest: &str| text[..text.len() - rest.len()].matches('\n').count() + 1;
    let mut input = text;
    let entries = match document.parse_next(&mut input) {
        Ok(entries) if input.trim().is_empty() => entries,
        Ok(_) => {
            return Err(ConfError {
                file: file.into(),
                line: line_of(input),
                message: format!("unexpected {:?}", first_token(input)),
            })
        }
        Err(e) => {
            let message = match e {
                ErrMode::Backtrack(c) | ErrMode::Cut(c) => describe(&c, input),
                ErrMode::Incomplete(_) => "unexpected end of file".into(),
            };
            return Err(ConfError {
                file: file.into(),
                line: line_of(input),
                message,
            });
        }
    };
    let mut resolver = Resolver {
        file,
        line_of: &line_of,
        include,
        scopes: vec![Vec::new()],
        used: Default::default(),
    };
    let mut entries = resolver.entries(entries)?;
    // a top-level key that only defines a variable is not configuration
    let used = std::mem::take(&mut resolver.used);
    entries.retain(|(k, _)| !used.contains(k));
    Ok(entries)
}

fn first_token(rest: &str) -> String {
    rest.split_whitespace()
        .next()
        .unwrap_or("")
        .chars()
        .take(40)
        .collect()
}

fn describe(context: &ContextError, rest: &str) -> String {
    let mut expected: Vec<String> = context
        .context()
        .filter_map(|c| match c {
            StrContext::Expected(StrContextValue::Description(d)) => Some((*d).to_string()),
            StrContext::Expected(StrContextValue::CharLiteral(c)) => Some(format!("{c:?}")),
            StrContext::Expected(StrContextValue::StringLiteral(s)) => Some(format!("{s:?}")),
            _ => None,
        })
        .collect();
    expected.dedup();
    let found = match first_token(rest) {
        t if t.is_empty() => "end of file".to_string(),
        t => format!("{t:?}"),
    };
    if expected.is_empty() {
        format!("syntax error at {found}")
    } else {
        format!("expected {}, found {found}", expected.join(" or "))
    }
}

// ---- syntax: text → raw entries (positions kept as the remaining input) ----

/// A raw value before variables and includes are resolved.
#[derive(Debug)]
enum Raw<'a> {
    Quoted(String),
    Bare(&'a str),
    Array(Vec<(&'a str, Raw<'a>)>),
    Map(Vec<Entry<'a>>),
}

#[derive(Debug)]
enum Entry<'a> {
    /// `at` is the input remaining where the key starts (for its line number).
    KeyValue {
        at: &'a str,
        key: String,
        value: (&'a str, Raw<'a>),
    },
    Include {
        at: &'a str,
        path: String,
    },
}

fn document<'a>(input: &mut &'a str) -> ModalResult<Vec<Entry<'a>>> {
    skip_blank(input)?;
    // an optional outer { … }
    if input.starts_with('{') {
        return delimited('{', entries, (skip_blank, cut_err('}'))).parse_next(input);
    }
    entries(input)
}

fn entries<'a>(input: &mut &'a str) -> ModalResult<Vec<Entry<'a>>> {
    let mut out = Vec::new();
    loop {
        skip_blank(input)?;
        if input.is_empty() || input.starts_with('}') {
            return Ok(out);
        }
        out.push(entry(input)?);
        // entries end at a newline, a comma or a semicolon (or a closing brace)
        take_while(0.., [' ', '\t']).parse_next(input)?;
        opt(one_of([',', ';'])).parse_next(input)?;
    }
}

fn entry<'a>(input: &mut &'a str) -> ModalResult<Entry<'a>> {
    let at = *input;
    let key = key(input)?;
    if key == "include" {
        take_while(1.., [' ', '\t']).parse_next(input)?;
        let path = alt((quoted, bare.map(str::to_string)))
            .context(StrContext::Expected(StrContextValue::Description(
                "a file to include",
            )))
            .parse_next(input)?;
        return Ok(Entry::Include { at, path });
    }
    take_while(0.., [' ', '\t']).parse_next(input)?;
    let has_separator = opt(one_of([':', '='])).parse_next(input)?.is_some();
    take_while(0.., [' ', '\t']).parse_next(input)?;
    if !has_separator
        && !input.starts_with('{')
        && !input.starts_with('[')
        && at.len() - input.len() == key.len()
    {
        // `key value` needs the space: `keyvalue` is one bare word
        return Err(ErrMode::Cut(expected("a value")));
    }
    let value = cut_err(value).parse_next(input)?;
    Ok(Entry::KeyValue { at, key, value })
}

fn expected(what: &'static str) -> ContextError {
    let mut e = ContextError::new();
    e.push(StrContext::Expected(StrContextValue::Description(what)));
    e
}

fn key(input: &mut &str) -> ModalResult<String> {
    alt((
        quoted,
        take_while(1.., |c: char| c.is_alphanumeric() || "_-.$".contains(c)).map(str::to_string),
    ))
    .context(StrContext::Expected(StrContextValue::Description("a key")))
    .parse_next(input)
}

/// Blocks and arrays nest at most this deep (the parser recurses once per level).
const MAX_NESTING: usize = 64;

thread_local! {
    static NESTING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Runs `inner` one nesting level deeper, refusing past [`MAX_NESTING`].
fn nested<'a, T>(
    input: &mut &'a str,
    inner: impl FnOnce(&mut &'a str) -> ModalResult<T>,
) -> ModalResult<T> {
    let depth = NESTING.with(|n| n.get());
    if depth >= MAX_NESTING {
        return Err(ErrMode::Cut(expected(
            "blocks and arrays nested at most 64 deep",
        )));
    }
    NESTING.with(|n| n.set(depth + 1));
    let result = inner(input);
    NESTING.with(|n| n.set(depth));
    result
}

fn value<'a>(input: &mut &'a str) -> ModalResult<(&'a str, Raw<'a>)> {
    let at = *input;
    // the first character decides: once a block or array opens, a failure inside it is final
    // (backtracking into the other kinds re-parsed nested blocks, exponentially: found by
    // fuzzing, fuzz/fuzz_targets/nats_conf.rs)
    let raw = match input.chars().next() {
        Some('[') => nested(input, |i| cut_err(array).parse_next(i)).map(Raw::Array)?,
        Some('{') => nested(input, |i| cut_err(map).parse_next(i)).map(Raw::Map)?,
        _ => alt((quoted.map(Raw::Quoted), bare.map(Raw::Bare)))
            .context(StrContext::Expected(StrContextValue::Description(
                "a value",
            )))
            .parse_next(input)?,
    };
    Ok((at, raw))
}

fn map<'a>(input: &mut &'a str) -> ModalResult<Vec<Entry<'a>>> {
    delimited(
        '{',
        entries,
        (
            skip_blank,
            cut_err('}').context(StrContext::Expected(StrContextValue::CharLiteral('}'))),
        ),
    )
    .parse_next(input)
}

fn array<'a>(input: &mut &'a str) -> ModalResult<Vec<(&'a str, Raw<'a>)>> {
    '['.parse_next(input)?;
    let mut items = Vec::new();
    loop {
        skip_blank(input)?;
        if opt(']').parse_next(input)?.is_some() {
            return Ok(items);
        }
        items.push(cut_err(value).parse_next(input)?);
        skip_blank(input)?;
        if opt(',').parse_next(input)?.is_none() && !input.starts_with(']') && !input.is_empty() {
            // newline-separated items are fine: skip_blank consumed the newline
            continue;
        }
        if input.is_empty() {
            return Err(ErrMode::Cut(expected("']'")));
        }
    }
}

fn quoted(input: &mut &str) -> ModalResult<String> {
    alt((
        delimited(
            '"',
            repeat(
                0..,
                alt((preceded('\\', escape), none_of(['"', '\\', '\n']))),
            )
            .fold(String::new, |mut s, c| {
                s.push(c);
                s
            }),
            cut_err('"').context(StrContext::Expected(StrContextValue::CharLiteral('"'))),
        ),
        delimited(
            '\'',
            take_till(0.., ['\'', '\n']).map(str::to_string),
            cut_err('\'').context(StrContext::Expected(StrContextValue::CharLiteral('\''))),
        ),
    ))
    .parse_next(input)
}

fn escape(input: &mut &str) -> ModalResult<char> {
    let c = any.parse_next(input)?;
    Ok(match c {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        other => other,
    })
}

/// A bare word: up to the end of the line, a comment, or a delimiter. Trailing blanks are not
/// part of it; ` //` starts a comment (but `nats://host` is a word).
fn bare<'a>(input: &mut &'a str) -> ModalResult<&'a str> {
    let start = *input;
    let word = take_till(1.., |c: char| {
        matches!(c, '\n' | '\r' | ',' | ';' | '}' | ']' | '#')
    })
    .parse_next(input)?;
    let kept = match word.find(" //").or_else(|| word.find("\t//")) {
        Some(i) => {
            *input = &start[i..]; // the comment goes back to the input for skip_blank
            &word[..i]
        }
        None => word,
    };
    Ok(kept.trim_end())
}

fn skip_blank(input: &mut &str) -> ModalResult<()> {
    repeat(
        0..,
        alt((
            take_while(1.., [' ', '\t', '\r', '\n']).void(),
            ('#', till_line_ending).void(),
            ("//", till_line_ending).void(),
        )),
    )
    .parse_next(input)
}

// ---- semantics: variables, includes, scalar types ----

struct Resolver<'f, 'l, 'i> {
    file: &'f Path,
    line_of: &'l dyn Fn(&str) -> usize,
    include: &'i mut Includer<'i>,
    /// Keys defined so far, innermost block last (variables see enclosing blocks).
    scopes: Vec<Vec<(String, Value)>>,
    /// Names referenced as `$NAME`.
    used: HashSet<String>,
}

impl Resolver<'_, '_, '_> {
    fn error(&self, at: &str, message: String) -> ConfError {
        ConfError {
            file: self.file.to_path_buf(),
            line: (self.line_of)(at),
            message,
        }
    }

    fn entries(&mut self, entries: Vec<Entry<'_>>) -> Result<Vec<(String, Value)>, ConfError> {
        let mut out = Vec::new();
        for entry in entries {
            match entry {
                Entry::Include { at, path } => {
                    let line = (self.line_of)(at);
                    let included = (self.include)(&path, line)?;
                    for (k, v) in included {
                        self.scopes.last_mut().unwrap().push((k.clone(), v.clone()));
                        out.push((k, v));
                    }
                }
                Entry::KeyValue { at, key, value } => {
                    let value = self.value(value)?;
                    let _ = at;
                    self.scopes
                        .last_mut()
                        .unwrap()
                        .push((key.clone(), value.clone()));
                    out.push((key, value));
                }
            }
        }
        Ok(out)
    }

    fn value(&mut self, (at, raw): (&str, Raw<'_>)) -> Result<Value, ConfError> {
        let line = (self.line_of)(at);
        let kind = match raw {
            Raw::Quoted(s) => Kind::String(s),
            Raw::Bare(word) => self.bare(at, word)?,
            Raw::Array(items) => Kind::Array(
                items
                    .into_iter()
                    .map(|item| self.value(item))
                    .collect::<Result<_, _>>()?,
            ),
            Raw::Map(entries) => {
                self.scopes.push(Vec::new());
                let result = self.entries(entries);
                self.scopes.pop();
                Kind::Map(result?)
            }
        };
        Ok(Value {
            kind,
            line,
            file: self.file.to_path_buf(),
        })
    }

    fn bare(&mut self, at: &str, word: &str) -> Result<Kind, ConfError> {
        if let Some(name) = word.strip_prefix('$') {
            self.used.insert(name.to_string());
            return self.variable(at, name);
        }
        Ok(scalar(word))
    }

    fn variable(&self, at: &str, name: &str) -> Result<Kind, ConfError> {
        for scope in self.scopes.iter().rev() {
            if let Some((_, v)) = scope.iter().rev().find(|(k, _)| k == name) {
                return Ok(v.kind.clone());
            }
        }
        match std::env::var(name) {
            Ok(text) => Ok(scalar(&text)),
            Err(_) => Err(self.error(
                at,
                format!(
                    "variable reference for '{name}' on line {} can not be found",
                    (self.line_of)(at)
                ),
            )),
        }
    }
}

/// A bare word's type: boolean, integer (with size suffix), float, or string.
fn scalar(word: &str) -> Kind {
    match word.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => return Kind::Bool(true),
        "false" | "no" | "off" => return Kind::Bool(false),
        _ => {}
    }
    let mut input = word;
    let number: ModalResult<(Option<char>, &str)> =
        (opt(one_of(['-', '+'])), digit1).parse_next(&mut input);
    if let Ok((sign, digits)) = number {
        let negative = sign == Some('-');
        let unit = input.to_ascii_lowercase();
        let multiplier: Option<i64> = match unit.as_str() {
            "" => Some(1),
            "k" => Some(1000),
            "kb" | "ki" | "kib" => Some(1024),
            "m" => Some(1_000_000),
            "mb" | "mi" | "mib" => Some(1 << 20),
            "g" => Some(1_000_000_000),
            "gb" | "gi" | "gib" => Some(1 << 30),
            "t" => Some(1_000_000_000_000),
            "tb" | "ti" | "tib" => Some(1 << 40),
            _ => None,
        };
        if let (Some(m), Ok(n)) = (multiplier, digits.parse::<i64>()) {
            if let Some(v) = n.checked_mul(m) {
                return Kind::Integer(if negative { -v } else { v });
            }
        }
    }
    if let Ok(f) = word.parse::<f64>() {
        if word.contains('.') && f.is_finite() {
            return Kind::Float(f);
        }
    }
    Kind::String(word.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<(String, Value)>, ConfError> {
        parse_str(text, Path::new("t.conf"), &mut |_, line| {
            Err(ConfError {
                file: "t.conf".into(),
                line,
                message: "no includes here".into(),
            })
        })
    }

    /// A fuzzer's find: unclosed nested blocks took exponential time (> 15 s for 209 bytes)
    /// while the parser backtracked into each alternative at every level. Now refused at once.
    #[test]
    fn unclosed_nested_blocks_are_refused_without_backtracking() {
        let found = include_bytes!("fuzz-finds/nested-blocks-timeout.conf");
        let text = String::from_utf8_lossy(found);
        assert!(parse(&text).is_err());
        // the same shape, deeper: one pass, not 2^depth
        let deep = "a {$b {\n".repeat(40);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = format!("a: {}1{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
        assert!(parse(&ok).is_ok(), "{:?}", parse(&ok));
        let deep = format!(
            "a: {}1{}",
            "[".repeat(MAX_NESTING + 1),
            "]".repeat(MAX_NESTING + 1)
        );
        let error = parse(&deep).unwrap_err();
        assert!(error.message.contains("nested at most 64 deep"), "{error}");
        let blocks = format!("{}{}", "a {".repeat(100_000), "}".repeat(100_000));
        assert!(parse(&blocks).is_err(), "no stack overflow");
        // and the counter is back to zero for the next parse
        assert!(parse("x { y { z: 1 } }").is_ok());
    }
}
