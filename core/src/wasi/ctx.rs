//! Per-instance WASI state: argv, environment, the descriptor table.

use std::io::IsTerminal;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use ember_platform::error::{SysError, SysResult};
use ember_platform::fs::{self, DirEntry, FileKind};
use ember_platform::sandbox;

use super::config::{check_env, ConfigError, WasiConfig};
use super::mem::WResult;
use super::types::{filetype, rights, Errno};

/// Most descriptors one instance may hold open at once (EMFILE beyond).
pub const MAX_FDS: usize = 1024;

/// What a guest descriptor refers to.
pub enum FdKind {
    /// Anything that is not a directory (files, stdio, sockets, devices).
    File,
    /// A directory: path operations are resolved beneath it.
    Dir {
        /// The guest name of a preopened directory (fd_prestat_*).
        preopen: Option<String>,
        /// How deep this directory lies below its preopen (0 for the preopen).
        depth: usize,
        /// The listing that fd_readdir cookies index; refreshed at cookie 0.
        listing: Option<Vec<DirEntry>>,
    },
}

/// One open guest descriptor.
pub struct FdEntry {
    pub fd: OwnedFd,
    pub kind: FdKind,
    pub filetype: u8,
    pub rights_base: u64,
    pub rights_inheriting: u64,
}

impl FdEntry {
    /// ENOTCAPABLE unless every right in `needed` is held.
    pub fn require(&self, needed: u64) -> WResult<()> {
        if self.rights_base & needed == needed {
            Ok(())
        } else {
            Err(Errno::NOTCAPABLE)
        }
    }
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
    pub fn is_dir(&self) -> bool {
        matches!(self.kind, FdKind::Dir { .. })
    }
    /// Depth below the preopen, for directories (ENOTDIR otherwise).
    pub fn dir_depth(&self) -> WResult<usize> {
        match self.kind {
            FdKind::Dir { depth, .. } => Ok(depth),
            FdKind::File => Err(Errno::NOTDIR),
        }
    }
}

/// The WASI file type of a host file kind.
pub fn filetype_of(kind: FileKind) -> u8 {
    match kind {
        FileKind::BlockDevice => filetype::BLOCK_DEVICE,
        FileKind::CharDevice => filetype::CHARACTER_DEVICE,
        FileKind::Directory => filetype::DIRECTORY,
        FileKind::Regular => filetype::REGULAR_FILE,
        FileKind::SocketDgram => filetype::SOCKET_DGRAM,
        FileKind::SocketStream => filetype::SOCKET_STREAM,
        FileKind::Symlink => filetype::SYMBOLIC_LINK,
        FileKind::Fifo | FileKind::Unknown => filetype::UNKNOWN,
    }
}

/// The most a descriptor of this kind can hold.
pub fn max_rights_of(kind: FileKind, is_tty: bool) -> u64 {
    match kind {
        FileKind::Directory => rights::DIR,
        FileKind::SocketDgram | FileKind::SocketStream => rights::SOCKET,
        FileKind::CharDevice if is_tty => rights::TTY,
        FileKind::Fifo => rights::FILE & !(rights::FD_SEEK | rights::FD_TELL),
        _ => rights::FILE,
    }
}

/// The descriptor table of an instance.
#[derive(Default)]
pub struct FdTable {
    slots: Vec<Option<FdEntry>>,
}

impl FdTable {
    pub fn get(&self, fd: u32) -> WResult<&FdEntry> {
        self.slots.get(fd as usize).and_then(Option::as_ref).ok_or(Errno::BADF)
    }
    pub fn get_mut(&mut self, fd: u32) -> WResult<&mut FdEntry> {
        self.slots.get_mut(fd as usize).and_then(Option::as_mut).ok_or(Errno::BADF)
    }
    /// Insert at the lowest free number.
    pub fn insert(&mut self, e: FdEntry) -> WResult<u32> {
        if let Some(i) = self.slots.iter().position(Option::is_none) {
            self.slots[i] = Some(e);
            return Ok(i as u32);
        }
        if self.slots.len() >= MAX_FDS {
            return Err(Errno::MFILE);
        }
        self.slots.push(Some(e));
        Ok((self.slots.len() - 1) as u32)
    }
    /// Put `e` at exactly `fd` (used for stdio, which may be missing).
    fn place(&mut self, fd: u32, e: Option<FdEntry>) {
        let i = fd as usize;
        if self.slots.len() <= i {
            self.slots.resize_with(i + 1, || None);
        }
        self.slots[i] = e;
    }
    pub fn remove(&mut self, fd: u32) -> WResult<FdEntry> {
        self.slots.get_mut(fd as usize).and_then(Option::take).ok_or(Errno::BADF)
    }
    /// Move `from` onto `to` (closing what was at `to`); both must be open.
    pub fn renumber(&mut self, from: u32, to: u32) -> WResult<()> {
        self.get(from)?;
        self.get(to)?;
        if from != to {
            let e = self.remove(from)?;
            self.place(to, Some(e));
        }
        Ok(())
    }
}

/// An entry for a freshly opened host descriptor, rights capped by its kind.
pub fn entry_for(fd: OwnedFd, base: u64, inheriting: u64, preopen: Option<String>, depth: usize) -> WResult<FdEntry> {
    let st = fs::fstat(fd.as_fd())?;
    let is_tty = st.kind == FileKind::CharDevice && fd.as_fd().is_terminal();
    let base = base & max_rights_of(st.kind, is_tty);
    let kind = if st.kind == FileKind::Directory {
        FdKind::Dir { preopen, depth, listing: None }
    } else {
        FdKind::File
    };
    Ok(FdEntry { fd, kind, filetype: filetype_of(st.kind), rights_base: base, rights_inheriting: inheriting })
}

/// Per-instance WASI state.
pub struct WasiCtx {
    pub args: Vec<Vec<u8>>,
    pub env: Vec<Vec<u8>>,
    pub fds: FdTable,
}

impl Default for WasiCtx {
    /// Stdio only (the process's own 0, 1, 2), no argv, no environment, no
    /// preopens: what a module gets that imports WASI without being given
    /// WASI arguments.
    fn default() -> WasiCtx {
        WasiCtx::new(&WasiConfig::default()).unwrap_or_else(|e| {
            log::warn!("WASI stdio unavailable: {e}");
            WasiCtx { args: Vec::new(), env: Vec::new(), fds: FdTable::default() }
        })
    }
}

impl WasiCtx {
    /// Build the state of one instance: duplicate stdio and open every
    /// preopened directory. Fails with a one-line message naming the bad
    /// option or directory.
    pub fn new(cfg: &WasiConfig) -> Result<WasiCtx, ConfigError> {
        cfg.validate()?;
        for a in &cfg.args {
            if a.contains(&0) {
                return Err(ConfigError::ArgNul);
            }
        }
        for e in &cfg.env {
            check_env(e)?;
        }
        let mut fds = FdTable::default();
        for (i, host) in cfg.stdio.iter().enumerate() {
            let raw = host.unwrap_or(i as i32);
            let entry = match fs::dup_raw(raw) {
                Ok(fd) => Some(entry_for(fd, rights::ALL, 0, None, 0).map_err(|e| ConfigError::StdioRights { fd: raw, errno: e.0 })?),
                // A closed host descriptor is a closed guest descriptor.
                Err(_) if host.is_none() => None,
                Err(e) => return Err(ConfigError::Stdio { fd: raw, why: e.to_string() }),
            };
            fds.place(i as u32, entry);
        }
        let preopens = cfg.preopens()?;
        if preopens.len() > MAX_FDS - 3 {
            return Err(ConfigError::TooManyPreopens);
        }
        // Preopens are numbered from 3 even when a stdio descriptor is closed:
        // wasi-libc looks for them from fd 3 on.
        for (i, p) in preopens.into_iter().enumerate() {
            let fd = sandbox::open_host_dir(&p.host)
                .map_err(|e| ConfigError::Preopen { dir: p.host.clone(), why: e.to_string() })?;
            let mut base = rights::DIR;
            let mut inheriting = rights::ALL;
            if p.read_only {
                base &= !rights::MUTATING;
                inheriting &= !rights::MUTATING;
            }
            let e = entry_for(fd, base, inheriting, Some(p.guest.clone()), 0)
                .map_err(|e| ConfigError::Preopen { dir: p.host.clone(), why: format!("errno {}", e.0) })?;
            fds.place(3 + i as u32, Some(e));
        }
        Ok(WasiCtx { args: cfg.args.clone(), env: cfg.env.clone(), fds })
    }
}

/// The components of a guest path that matter for matching preopen names:
/// `/`, `.` and empty components dropped (`./models/x` and `/models/x` both
/// give `models`, `x`; a preopen `.` gives nothing and so matches every path).
fn name_components(path: &[u8]) -> Vec<&[u8]> {
    path.split(|&b| b == b'/').filter(|c| !c.is_empty() && *c != b".").collect()
}

/// The preopen a guest path falls under and the rest of the path relative to
/// it, the way wasi-libc maps `open(path)` to a preopen: the preopen whose
/// name is the longest whole-component prefix of the path. `preopens` gives
/// (guest fd, preopen name).
fn match_preopen<'p>(preopens: impl Iterator<Item = (u32, &'p str)>, path: &[u8]) -> Option<(u32, Vec<u8>)> {
    let comps = name_components(path);
    let (fd, len) = preopens
        .filter_map(|(fd, name)| {
            let prefix = name_components(name.as_bytes());
            comps.starts_with(&prefix).then_some((fd, prefix.len()))
        })
        .max_by_key(|&(_, len)| len)?;
    let rest = comps[len..].join(&b'/');
    Some((fd, if rest.is_empty() { b".".to_vec() } else { rest }))
}

impl WasiCtx {
    /// Open, read-only, the file a guest path names, for host-side consumers
    /// of guest paths (wasi-nn's `load_by_name`). The path is matched against
    /// this instance's preopens as wasi-libc does (see [`match_preopen`]) and
    /// resolved beneath that preopen by the WASI sandbox itself
    /// (`sandbox::open`, links inside followed, escapes refused), so it reaches
    /// exactly the files the guest could open. ENOTCAPABLE when no preopen
    /// matches or the preopen lacks PATH_OPEN / FD_READ for what it opens.
    pub fn open_guest_file(&self, path: &[u8]) -> SysResult<OwnedFd> {
        let preopens = (0..self.fds.slots.len() as u32).filter_map(|fd| match self.fds.get(fd) {
            Ok(FdEntry { kind: FdKind::Dir { preopen: Some(name), .. }, .. }) => Some((fd, name.as_str())),
            _ => None,
        });
        let (fd, rest) = match_preopen(preopens, path).ok_or(SysError::NotCapable)?;
        let dir = self.fds.get(fd).map_err(|_| SysError::NotCapable)?;
        if dir.require(rights::PATH_OPEN).is_err() || dir.rights_inheriting & rights::FD_READ == 0 {
            return Err(SysError::NotCapable);
        }
        let opts = sandbox::OpenOptions { read: true, follow: true, ..Default::default() };
        sandbox::open(dir.fd(), &rest, opts).map(|(fd, _)| fd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_paths_map_to_preopens_like_wasi_libc() {
        let pre = [(3, "."), (4, "/data"), (5, "/data/models"), (6, "sandbox")];
        let m = |p: &str| match_preopen(pre.iter().copied(), p.as_bytes()).map(|(fd, r)| (fd, String::from_utf8(r).unwrap()));
        assert_eq!(m("./models/sum.tflite"), Some((3, "models/sum.tflite".into())));
        assert_eq!(m("models/sum.tflite"), Some((3, "models/sum.tflite".into())));
        assert_eq!(m("/data/x"), Some((4, "x".into())));
        assert_eq!(m("/data/models/x"), Some((5, "x".into())));
        assert_eq!(m("/datax/y"), Some((3, "datax/y".into())));
        assert_eq!(m("sandbox/../x"), Some((6, "../x".into())));
        assert_eq!(m("/data"), Some((4, ".".into())));
        let pre = [(4, "/data")];
        assert_eq!(match_preopen(pre.iter().copied(), b"/etc/passwd"), None);
        assert_eq!(match_preopen(pre.iter().copied(), b"datax"), None);
    }

    #[test]
    fn guest_files_open_through_the_sandbox() {
        let root = std::env::temp_dir().join(format!("ember-wasi-guestfile-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("box/real")).unwrap();
        std::fs::write(root.join("box/real/m.bin"), "model").unwrap();
        std::fs::write(root.join("secret"), "no").unwrap();
        std::os::unix::fs::symlink("real", root.join("box/models")).unwrap();
        std::os::unix::fs::symlink("../secret", root.join("box/esc")).unwrap();
        let mut cfg = WasiConfig::default();
        cfg.map_dirs.push(format!("/app::{}", root.join("box").display()));
        let ctx = WasiCtx::new(&cfg).unwrap();
        let fd = ctx.open_guest_file(b"/app/models/m.bin").unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(fs::read(fd.as_fd(), &mut buf), Ok(5));
        assert_eq!(ctx.open_guest_file(b"/app/esc").map(drop), Err(SysError::NotCapable));
        assert_eq!(ctx.open_guest_file(b"/app/../secret").map(drop), Err(SysError::NotCapable));
        assert_eq!(ctx.open_guest_file(b"/elsewhere/m.bin").map(drop), Err(SysError::NotCapable));
        assert_eq!(ctx.open_guest_file(b"/app/nothing").map(drop), Err(SysError::Os(ember_platform::errno::ENOENT)));
        let _ = std::fs::remove_dir_all(&root);
    }
}
