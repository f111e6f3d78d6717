//! A backend's init options: the "key=value" strings the runtime passes (only keys the backend
//! declared in `Backend::OPTIONS`; iwasm's `--wasi-nn-backend-opt=NAME:KEY=VALUE`), with typed
//! accessors whose errors name the key, the value and what was expected.

use super::error::{Error, Result};
use std::str::FromStr;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// (key, value) in the order given; a later value of a key wins.
    pairs: Vec<(String, String)>,
}

impl Options {
    /// Parse "key=value" strings (white space around both trimmed).
    pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<Options> {
        let mut pairs = Vec::with_capacity(args.len());
        for a in args {
            let a = a.as_ref();
            let (k, v) = a.split_once('=').ok_or_else(|| Error::invalid(format!("backend option '{a}' is not key=value")))?;
            pairs.push((k.trim().to_string(), v.trim().to_string()));
        }
        Ok(Options { pairs })
    }

    /// The value of `key` (the last one given).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The value of `key` parsed as `T`; `expected` says what a good value looks like.
    pub fn parse_value<T: FromStr>(&self, key: &str, expected: &str) -> Result<Option<T>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| Error::invalid(format!("option {key}={v}: expected {expected}"))),
        }
    }

    /// A number in `range` (inclusive).
    pub fn number<T>(&self, key: &str, range: std::ops::RangeInclusive<T>) -> Result<Option<T>>
    where
        T: FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let expected = format!("a number in {}..={}", range.start(), range.end());
        match self.parse_value::<T>(key, &expected)? {
            Some(n) if !range.contains(&n) => Err(Error::invalid(format!("option {key}={n}: expected {expected}"))),
            n => Ok(n),
        }
    }

    /// A flag: 1/true/on/yes or 0/false/off/no.
    pub fn flag(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key).map(|v| v.to_ascii_lowercase()) {
            None => Ok(None),
            Some(v) => match v.as_str() {
                "1" | "true" | "on" | "yes" => Ok(Some(true)),
                "0" | "false" | "off" | "no" => Ok(Some(false)),
                _ => Err(Error::invalid(format!("option {key}={v}: expected 1/0, true/false, on/off or yes/no"))),
            },
        }
    }

    /// Every (rest-of-key, value) whose key starts with `prefix` (e.g. "delegate.").
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.pairs
            .iter()
            .filter_map(move |(k, v)| k.strip_prefix(prefix).filter(|r| !r.is_empty()).map(|r| (r, v.as_str())))
    }

    /// Keys given that are not in `declared` (the backend's OPTIONS, as strings).
    pub(crate) fn undeclared<'a>(&'a self, declared: &'a [String]) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs.iter().map(|(k, _)| k.as_str()).filter(|k| !crate::host::key_declared(declared, k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_errors() {
        let o = Options::parse(&["threads = 2", "engine=litert", "delegate.cache=/tmp", "threads=3"]).unwrap();
        assert_eq!(o.get("engine"), Some("litert"));
        assert_eq!(o.number::<u32>("threads", 1..=8).unwrap(), Some(3));
        assert_eq!(o.with_prefix("delegate.").collect::<Vec<_>>(), vec![("cache", "/tmp")]);
        assert_eq!(o.number::<u32>("absent", 1..=8).unwrap(), None);
        let bad = Options::parse(&["threads=abc"]).unwrap();
        let e = bad.number::<u32>("threads", 1..=8).unwrap_err();
        assert_eq!(e.message(), "option threads=abc: expected a number in 1..=8");
        let e = Options::parse(&["threads=0"]).unwrap().number::<u32>("threads", 1..=8).unwrap_err();
        assert!(e.message().contains("threads=0"), "{e}");
        assert!(Options::parse(&["novalue"]).is_err());
        assert_eq!(Options::parse(&["x=YES"]).unwrap().flag("x").unwrap(), Some(true));
        assert!(Options::parse(&["x=maybe"]).unwrap().flag("x").is_err());
        let declared = vec!["threads".to_string(), "delegate.".to_string()];
        assert_eq!(o.undeclared(&declared).collect::<Vec<_>>(), vec!["engine"]);
    }
}
