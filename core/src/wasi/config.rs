//! What a module is given for WASI before instantiation (WAMR's
//! `wasm_runtime_set_wasi_args`), and how its directory options are read.
//!
//! Directory syntax (WAMR's, plus an Ember suffix for read-only access):
//! - `--dir=HOST` preopens HOST under the guest name HOST;
//! - `--map-dir=GUEST::HOST` preopens HOST under the guest name GUEST;
//! - either may end in `:ro` (read-only: every right that changes the file
//!   system is withheld from the preopen and from everything opened beneath
//!   it) or `:rw` (the default; write `:rw` explicitly to preopen a directory
//!   whose own name ends in `:ro`).

use std::path::PathBuf;

/// WASI settings of a module, stored with it by `wasm_runtime_set_wasi_args`
/// and turned into a [`super::WasiCtx`] per instance.
#[derive(Clone, Debug, Default)]
pub struct WasiConfig {
    /// argv as the guest sees it (argv[0] first).
    pub args: Vec<Vec<u8>>,
    /// Environment strings `NAME=VALUE`.
    pub env: Vec<Vec<u8>>,
    /// `--dir` values.
    pub dirs: Vec<String>,
    /// `--map-dir` values.
    pub map_dirs: Vec<String>,
    /// Host descriptors serving as the guest's fd 0, 1, 2 (`None`: the
    /// process's own). They are duplicated per instance, never closed.
    pub stdio: [Option<i32>; 3],
}

/// A WASI setting that cannot be used; `Display` is the one-line message instantiation fails
/// with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// `--dir` with an empty path.
    EmptyDir(String),
    /// `--map-dir` without `::`.
    MapDirSyntax(String),
    /// `--map-dir` with an empty guest or host part.
    MapDirEmpty(String),
    /// An environment string that is not `NAME=VALUE`.
    Env(String),
    EnvNul,
    ArgNul,
    /// A host stdio descriptor that cannot be used (`why`: the OS's or WASI's answer).
    Stdio { fd: i32, why: String },
    /// A host stdio descriptor whose rights cannot be set up.
    StdioRights { fd: i32, errno: u16 },
    TooManyPreopens,
    /// A preopened directory that cannot be opened.
    Preopen { dir: PathBuf, why: String },
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::EmptyDir(s) => write!(f, "invalid --dir '{s}': empty path"),
            ConfigError::MapDirSyntax(s) => write!(f, "invalid --map-dir '{s}': expected GUEST::HOST"),
            ConfigError::MapDirEmpty(s) => write!(f, "invalid --map-dir '{s}': expected GUEST::HOST with both parts non-empty"),
            ConfigError::Env(e) => write!(f, "invalid environment variable '{e}': expected NAME=VALUE"),
            ConfigError::EnvNul => f.write_str("invalid environment variable: contains a NUL byte"),
            ConfigError::ArgNul => f.write_str("invalid argument: contains a NUL byte"),
            ConfigError::Stdio { fd, why } => write!(f, "invalid stdio descriptor {fd}: {why}"),
            ConfigError::StdioRights { fd, errno } => write!(f, "stdio fd {fd}: errno {errno}"),
            ConfigError::TooManyPreopens => f.write_str("too many preopened directories"),
            ConfigError::Preopen { dir, why } => write!(f, "error while pre-opening directory {}: {why}", dir.display()),
        }
    }
}

impl std::error::Error for ConfigError {}

/// One preopened directory, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preopen {
    /// The name the guest sees (fd_prestat_dir_name).
    pub guest: String,
    pub host: PathBuf,
    pub read_only: bool,
}

fn split_mode(s: &str) -> (&str, bool) {
    if let Some(p) = s.strip_suffix(":ro") {
        (p, true)
    } else if let Some(p) = s.strip_suffix(":rw") {
        (p, false)
    } else {
        (s, false)
    }
}

/// Parse a `--dir` value.
pub fn parse_dir(s: &str) -> Result<Preopen, ConfigError> {
    let (path, read_only) = split_mode(s);
    if path.is_empty() {
        return Err(ConfigError::EmptyDir(s.to_string()));
    }
    Ok(Preopen { guest: path.to_string(), host: PathBuf::from(path), read_only })
}

/// Parse a `--map-dir` value (`GUEST::HOST[:ro|:rw]`).
pub fn parse_map_dir(s: &str) -> Result<Preopen, ConfigError> {
    let Some((guest, rest)) = s.split_once("::") else {
        return Err(ConfigError::MapDirSyntax(s.to_string()));
    };
    let (host, read_only) = split_mode(rest);
    if guest.is_empty() || host.is_empty() {
        return Err(ConfigError::MapDirEmpty(s.to_string()));
    }
    Ok(Preopen { guest: guest.to_string(), host: PathBuf::from(host), read_only })
}

/// Check one environment string (`NAME=VALUE`, NAME non-empty).
pub fn check_env(e: &[u8]) -> Result<(), ConfigError> {
    match e.iter().position(|&b| b == b'=') {
        Some(0) | None => Err(ConfigError::Env(String::from_utf8_lossy(e).into_owned())),
        Some(_) if e.contains(&0) => Err(ConfigError::EnvNul),
        Some(_) => Ok(()),
    }
}

impl WasiConfig {
    /// All preopens in fd order (dirs first, then map-dirs, as WAMR).
    pub fn preopens(&self) -> Result<Vec<Preopen>, ConfigError> {
        let dirs = self.dirs.iter().map(|d| parse_dir(d));
        let maps = self.map_dirs.iter().map(|d| parse_map_dir(d));
        dirs.chain(maps).collect()
    }

    /// Syntax check of everything (no file-system access): what an embedder
    /// can call right after taking options, for an early one-line error.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.preopens()?;
        for e in &self.env {
            check_env(e)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_syntax() {
        assert_eq!(parse_dir("a/b").unwrap(), Preopen { guest: "a/b".into(), host: "a/b".into(), read_only: false });
        assert!(parse_dir("x:ro").unwrap().read_only);
        assert_eq!(parse_dir("x:ro:rw").unwrap().host, PathBuf::from("x:ro"));
        assert!(parse_dir(":ro").is_err());
        let m = parse_map_dir("/sandbox::/tmp/x:ro").unwrap();
        assert_eq!((m.guest.as_str(), m.host.to_str().unwrap(), m.read_only), ("/sandbox", "/tmp/x", true));
        assert!(parse_map_dir("/sandbox:/tmp").is_err());
        assert!(parse_map_dir("::/tmp").is_err());
        assert!(parse_map_dir("g::").is_err());
    }

    #[test]
    fn env_syntax() {
        assert!(check_env(b"A=1").is_ok());
        assert!(check_env(b"A=").is_ok());
        assert!(check_env(b"A").is_err());
        assert!(check_env(b"=1").is_err());
    }
}
