//! expected-failures.txt: the committed list of checks that do not pass yet,
//! one per line as `<file> <line>:<col> <reason>`. A run is clean only when
//! the list and reality agree in both directions; the reason is documentation
//! (it is shown, not compared, so that a changed failure mode needs no edit).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::runner::Failure;

pub const HEADER: &str = "\
# Checks of the WebAssembly 2.0 spec suite that ember-interp does not pass yet.
# One line per failing check: <file> <line>:<col> <reason>
# The run fails if this list and reality differ in either direction.
# Regenerate after a verified change: cargo run -p ember-spectest --release -- --bless
";

/// Parses the file into key (`file line:col`) -> reason.
pub fn parse(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let (Some(file), Some(loc)) = (parts.next(), parts.next()) else {
            return Err(format!("expected-failures line {}: want `<file> <line>:<col> <reason>`", n + 1));
        };
        if !loc.contains(':') {
            return Err(format!("expected-failures line {}: bad location `{loc}`", n + 1));
        }
        let reason = parts.next().unwrap_or("").to_string();
        if map.insert(format!("{file} {loc}"), reason).is_some() {
            return Err(format!("expected-failures line {}: duplicate entry", n + 1));
        }
    }
    Ok(map)
}

/// The file text for these failures (already in file and line order).
pub fn render<'a>(failures: impl Iterator<Item = &'a Failure>) -> String {
    let mut s = String::from(HEADER);
    for f in failures {
        s.push_str(&format!("{} {}\n", f.key(), f.reason));
    }
    s
}

#[derive(Default)]
pub struct Comparison {
    /// Failing checks that the list does not name.
    pub unexpected_failures: Vec<Failure>,
    /// Listed checks (key, listed reason) that passed.
    pub unexpected_passes: Vec<(String, String)>,
}

impl Comparison {
    pub fn is_clean(&self) -> bool {
        self.unexpected_failures.is_empty() && self.unexpected_passes.is_empty()
    }
}

/// Compares actual failures with the list, restricted to the files that ran.
pub fn compare<'a>(
    expected: &BTreeMap<String, String>,
    failures: impl Iterator<Item = &'a Failure>,
    files_run: &BTreeSet<String>,
) -> Comparison {
    let mut cmp = Comparison::default();
    let mut seen = BTreeSet::new();
    for f in failures {
        let key = f.key();
        if !expected.contains_key(&key) {
            cmp.unexpected_failures.push(f.clone());
        }
        seen.insert(key);
    }
    for (key, reason) in expected {
        let file = key.split(' ').next().unwrap_or("");
        if files_run.contains(file) && !seen.contains(key) {
            cmp.unexpected_passes.push((key.clone(), reason.clone()));
        }
    }
    cmp
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return writeln!(f, "failures match expected-failures.txt");
        }
        if !self.unexpected_failures.is_empty() {
            writeln!(f, "{} failure(s) not in expected-failures.txt:", self.unexpected_failures.len())?;
            for x in &self.unexpected_failures {
                writeln!(f, "  {} {}", x.key(), x.reason)?;
            }
        }
        if !self.unexpected_passes.is_empty() {
            writeln!(f, "{} check(s) listed in expected-failures.txt now pass (remove them):", self.unexpected_passes.len())?;
            for (key, reason) in &self.unexpected_passes {
                writeln!(f, "  {key} (listed: {reason})")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(file: &str, line: usize) -> Failure {
        Failure { file: file.into(), line, col: 1, reason: "r".into() }
    }

    #[test]
    fn both_directions_are_detected() {
        let expected = parse("# c\na.wast 1:1 old reason\na.wast 2:1 x\nb.wast 9:1 not run\n").unwrap();
        let run: BTreeSet<String> = ["a.wast".to_string()].into_iter().collect();
        let actual = [fail("a.wast", 1), fail("a.wast", 3)];
        let cmp = compare(&expected, actual.iter(), &run);
        assert_eq!(cmp.unexpected_failures, vec![fail("a.wast", 3)]);
        assert_eq!(cmp.unexpected_passes, vec![("a.wast 2:1".to_string(), "x".to_string())]);
        assert!(!cmp.is_clean());
        let exact = [fail("a.wast", 1), fail("a.wast", 2)];
        assert!(compare(&expected, exact.iter(), &run).is_clean());
    }

    #[test]
    fn render_parses_back() {
        let fs = [fail("a.wast", 1), fail("c.wast", 7)];
        let map = parse(&render(fs.iter())).unwrap();
        assert_eq!(map.len(), 2);
        assert_eq!(map["c.wast 7:1"], "r");
        assert!(parse("a.wast 1:1 x\na.wast 1:1 y\n").is_err());
    }
}
