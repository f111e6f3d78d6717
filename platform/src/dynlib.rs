//! Dynamic libraries (dlopen/dlsym through libloading) and "which file is this code in".
//!
//! Used by libvmcore.so for --native-lib libraries and wasi-nn backends.

use std::ffi::c_void;
use std::path::{Path, PathBuf};

/// An opened shared library. Closing happens on drop (dlclose); code that keeps pointers into
/// the library (function tables) must keep the `DynLib` alive as long as it uses them.
pub struct DynLib {
    lib: libloading::Library,
    path: PathBuf,
}

impl DynLib {
    /// Open `path` (a path with a '/' is used as is; a bare name goes through the loader's
    /// search: LD_LIBRARY_PATH, RUNPATH, system directories). The error names the path and
    /// the loader's message.
    pub fn open(path: &Path) -> Result<DynLib, String> {
        // SAFETY: loading a library runs its initialisers. We only load libraries the user
        // asked for (command line, API) or backends found in configured directories; their
        // initialisers are trusted like the rest of the host program.
        match unsafe { libloading::Library::new(path) } {
            Ok(lib) => Ok(DynLib { lib, path: path.to_path_buf() }),
            Err(e) => Err(format!("cannot open {}: {}", path.display(), e)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The address of symbol `name` (without the trailing NUL), or None when it is not exported.
    pub fn symbol_address(&self, name: &str) -> Option<*const c_void> {
        let mut cname = Vec::with_capacity(name.len() + 1);
        cname.extend_from_slice(name.as_bytes());
        cname.push(0);
        // SAFETY: we read the symbol as an untyped data pointer and never call or dereference
        // it here; callers that cast it to a function type justify that cast themselves.
        let sym = unsafe { self.lib.get::<*const c_void>(&cname) };
        match sym {
            Ok(s) => {
                let p: *const c_void = *s;
                if p.is_null() {
                    None
                } else {
                    Some(p)
                }
            }
            Err(_) => None,
        }
    }
}

/// The file (shared library or executable) whose mapping contains `addr`, read from
/// /proc/self/maps. Used to find the directory of libvmcore.so itself.
pub fn path_of_address(addr: usize) -> Option<PathBuf> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    for line in maps.lines() {
        // "start-end perms offset dev inode   path"
        let mut fields = line.split_whitespace();
        let range = fields.next()?;
        let (start, end) = range.split_once('-')?;
        let start = usize::from_str_radix(start, 16).ok()?;
        let end = usize::from_str_radix(end, 16).ok()?;
        if addr < start || addr >= end {
            continue;
        }
        let path = fields.nth(4)?;
        if path.starts_with('/') {
            return Some(PathBuf::from(path));
        }
        return None;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_own_executable() {
        let addr = finds_own_executable as usize;
        let p = path_of_address(addr).expect("mapping of own code");
        assert!(p.is_absolute());
    }

    #[test]
    fn missing_library_is_an_error() {
        let e = DynLib::open(Path::new("/nonexistent/libnothing.so")).err().unwrap();
        assert!(e.contains("/nonexistent/libnothing.so"));
    }
}
