//! Paths resolved beneath a directory descriptor, never leaving it.
//!
//! This is the file-system half of the WASI sandbox. A guest path is split
//! into components and walked one component at a time from the base
//! descriptor (a preopened directory or a directory opened beneath one):
//!
//! - an absolute path is refused ([`SysError::NotCapable`]);
//! - `.` and empty components (`a//b`) are skipped;
//! - `..` pops back to the previously walked directory; a `..` at the base
//!   is refused. The walk keeps the descriptors of the directories it went
//!   through, so `..` never reaches the host's `..`;
//! - every intermediate component is opened with
//!   `openat(O_PATH | O_DIRECTORY | O_NOFOLLOW)`; when it is a symbolic link
//!   the walk is refused: symbolic links are never followed, whoever made
//!   them and wherever they point;
//! - the final component is then acted on with an `*at` call relative to the
//!   directory that holds it, always in its no-follow form (`O_NOFOLLOW`,
//!   `AT_SYMLINK_NOFOLLOW`, or calls that never follow such as
//!   `unlinkat`/`renameat`/`mkdirat`). When the caller asked to follow a
//!   final symbolic link, it is refused instead;
//! - a trailing slash is never passed to the kernel (where it would mean
//!   "follow"): it is recorded and enforced here (the object must be a
//!   directory).
//!
//! Because no step ever follows a link or resolves `..` in the kernel, the
//! result cannot name anything outside the base directory, even if the tree
//! changes concurrently (a component swapped for a symlink makes the
//! `O_NOFOLLOW` open fail). Bind mounts inside the tree are the host's
//! choice and are crossed like directories.

use std::ffi::CString;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::path::Path;

use crate::error::{check, SysError, SysResult};
use crate::fs::{set_time_ts, stat_from, FileKind, FileStat, SetTime};

/// Longest guest path accepted (bytes), as Linux's PATH_MAX.
pub const MAX_PATH_LEN: usize = 4096;

const ENOENT: SysError = SysError::Os(libc::ENOENT);

/// A path resolved beneath a base directory: the directory that holds the
/// final component and that component's name.
pub struct Resolved<'a> {
    base: BorrowedFd<'a>,
    /// Directories opened during the walk (innermost last).
    stack: Vec<OwnedFd>,
    /// The final component; `.` when the path names a directory itself
    /// (`.`, `a/..`, `a/.`).
    name: CString,
    /// The path ended with `/`: the object must be a directory.
    pub trailing_slash: bool,
}

impl<'a> Resolved<'a> {
    /// The directory holding the final component.
    pub fn dir(&self) -> BorrowedFd<'_> {
        match self.stack.last() {
            Some(fd) => fd.as_fd(),
            None => self.base,
        }
    }
    /// How many levels below the base the holding directory is.
    pub fn depth(&self) -> usize {
        self.stack.len()
    }
    /// The final component.
    pub fn name(&self) -> &CString {
        &self.name
    }
    fn names_dir_itself(&self) -> bool {
        self.name.as_bytes() == b"."
    }
}

fn cstring(bytes: &[u8]) -> SysResult<CString> {
    CString::new(bytes.to_vec()).map_err(|_| SysError::Os(libc::EINVAL))
}

/// Walk `path` beneath `base` (see the module documentation).
pub fn resolve<'a>(base: BorrowedFd<'a>, path: &[u8]) -> SysResult<Resolved<'a>> {
    if path.is_empty() {
        return Err(ENOENT);
    }
    if path.len() > MAX_PATH_LEN {
        return Err(SysError::Os(libc::ENAMETOOLONG));
    }
    if path.contains(&0) {
        return Err(SysError::Os(libc::EINVAL));
    }
    if path[0] == b'/' {
        return Err(SysError::NotCapable);
    }
    let trailing_slash = path.ends_with(b"/");
    let comps: Vec<&[u8]> = path.split(|&b| b == b'/').filter(|c| !c.is_empty()).collect();
    let mut r = Resolved { base, stack: Vec::new(), name: cstring(b".")?, trailing_slash };
    let Some((last, inner)) = comps.split_last() else {
        return Err(ENOENT);
    };
    for comp in inner {
        match *comp {
            b"." => {}
            b".." => {
                if r.stack.pop().is_none() {
                    return Err(SysError::NotCapable);
                }
            }
            name => {
                let fd = open_intermediate(r.dir(), name)?;
                r.stack.push(fd);
            }
        }
    }
    match *last {
        b"." => {}
        b".." => {
            if r.stack.pop().is_none() {
                return Err(SysError::NotCapable);
            }
        }
        name => r.name = cstring(name)?,
    }
    Ok(r)
}

fn open_intermediate(dir: BorrowedFd<'_>, name: &[u8]) -> SysResult<OwnedFd> {
    let c = cstring(name)?;
    let flags = libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: `c` is NUL-terminated; openat returns a new descriptor or -1.
    match check(unsafe { libc::openat(dir.as_raw_fd(), c.as_ptr(), flags) }) {
        // SAFETY: `fd` was just created and is owned by nobody else.
        Ok(fd) => Ok(unsafe { OwnedFd::from_raw_fd(fd) }),
        Err(e @ SysError::Os(libc::ENOTDIR)) | Err(e @ SysError::Os(libc::ELOOP)) => {
            Err(if is_symlink(dir, &c) { SysError::NotCapable } else { e })
        }
        Err(e) => Err(e),
    }
}

fn fstatat_nofollow(dir: BorrowedFd<'_>, name: &CString) -> SysResult<FileStat> {
    // SAFETY: `stat64` is plain old data; all-zero is a valid value.
    let mut st: libc::stat64 = unsafe { std::mem::zeroed() };
    // SAFETY: `name` is NUL-terminated and `st` is a valid, writable buffer.
    check(unsafe { libc::fstatat64(dir.as_raw_fd(), name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) })?;
    Ok(stat_from(&st))
}

fn is_symlink(dir: BorrowedFd<'_>, name: &CString) -> bool {
    matches!(fstatat_nofollow(dir, name), Ok(s) if s.kind == FileKind::Symlink)
}

/// `fstatat(AT_SYMLINK_NOFOLLOW)` of a single name in `dir` (no walk).
pub(crate) fn stat_name(dir: BorrowedFd<'_>, name: &[u8]) -> SysResult<FileStat> {
    fstatat_nofollow(dir, &cstring(name)?)
}

/// Refuse a final symbolic link that the caller wants followed (or named
/// with a trailing slash), and a trailing slash on a non-directory.
fn check_final(r: &Resolved<'_>, follow: bool) -> SysResult<FileStat> {
    let st = fstatat_nofollow(r.dir(), &r.name)?;
    if st.kind == FileKind::Symlink && (follow || r.trailing_slash) {
        return Err(SysError::NotCapable);
    }
    if r.trailing_slash && st.kind != FileKind::Directory {
        return Err(SysError::Os(libc::ENOTDIR));
    }
    Ok(st)
}

/// How to open a file beneath a directory.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenOptions {
    pub read: bool,
    pub write: bool,
    pub create: bool,
    pub exclusive: bool,
    pub truncate: bool,
    pub directory: bool,
    pub append: bool,
    pub nonblock: bool,
    pub dsync: bool,
    pub sync: bool,
    /// The caller wants a final symbolic link followed; Ember refuses that.
    pub follow: bool,
}

/// Open `path` beneath `base`. Returns the descriptor and how many levels
/// below `base` the opened object lies (0 when it is `base` itself).
pub fn open(base: BorrowedFd<'_>, path: &[u8], o: OpenOptions) -> SysResult<(OwnedFd, usize)> {
    let r = resolve(base, path)?;
    let mut flags = libc::O_CLOEXEC | libc::O_NOFOLLOW | libc::O_NOCTTY | libc::O_NONBLOCK;
    flags |= match (o.read, o.write) {
        (_, false) => libc::O_RDONLY,
        (false, true) => libc::O_WRONLY,
        (true, true) => libc::O_RDWR,
    };
    if o.create {
        flags |= libc::O_CREAT;
    }
    if o.exclusive {
        flags |= libc::O_EXCL;
    }
    if o.truncate {
        flags |= libc::O_TRUNC;
    }
    if o.directory || r.trailing_slash {
        flags |= libc::O_DIRECTORY;
    }
    if o.append {
        flags |= libc::O_APPEND;
    }
    if o.sync {
        flags |= libc::O_SYNC;
    } else if o.dsync {
        flags |= libc::O_DSYNC;
    }
    let mode: libc::c_uint = 0o666;
    // SAFETY: the name is NUL-terminated; openat returns a new descriptor or -1.
    // O_NONBLOCK keeps a FIFO or device from blocking the open; it is cleared
    // below unless the guest asked for it.
    let ret = check(unsafe { libc::openat(r.dir().as_raw_fd(), r.name.as_ptr(), flags, mode) });
    let fd = match ret {
        // SAFETY: `fd` was just created and is owned by nobody else.
        Ok(fd) => unsafe { OwnedFd::from_raw_fd(fd) },
        Err(e @ SysError::Os(libc::ELOOP)) | Err(e @ SysError::Os(libc::ENOTDIR)) => {
            if (o.follow || r.trailing_slash) && is_symlink(r.dir(), &r.name) {
                return Err(SysError::NotCapable);
            }
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    if !o.nonblock {
        let mut fl = crate::fs::status_flags(fd.as_fd())?;
        fl.nonblock = false;
        crate::fs::set_status_flags(fd.as_fd(), fl)?;
    }
    let depth = r.depth() + usize::from(!r.names_dir_itself());
    Ok((fd, depth))
}

/// `stat` of `path` beneath `base`; a final symlink is described, not
/// followed, and refused when `follow` is set.
pub fn stat(base: BorrowedFd<'_>, path: &[u8], follow: bool) -> SysResult<FileStat> {
    let r = resolve(base, path)?;
    check_final(&r, follow)
}

/// Set access and modification times of `path` beneath `base`.
pub fn set_times(base: BorrowedFd<'_>, path: &[u8], follow: bool, atime: SetTime, mtime: SetTime) -> SysResult<()> {
    let r = resolve(base, path)?;
    check_final(&r, follow)?;
    let ts = [set_time_ts(atime), set_time_ts(mtime)];
    // SAFETY: the name is NUL-terminated and `ts` holds two valid timespecs.
    check(unsafe { libc::utimensat(r.dir().as_raw_fd(), r.name.as_ptr(), ts.as_ptr(), libc::AT_SYMLINK_NOFOLLOW) })
        .map(drop)
}

/// `mkdir` of `path` beneath `base`.
pub fn create_dir(base: BorrowedFd<'_>, path: &[u8]) -> SysResult<()> {
    let r = resolve(base, path)?;
    // SAFETY: the name is NUL-terminated; mkdirat never follows the final component.
    check(unsafe { libc::mkdirat(r.dir().as_raw_fd(), r.name.as_ptr(), 0o777) }).map(drop)
}

/// `rmdir` of `path` beneath `base`.
pub fn remove_dir(base: BorrowedFd<'_>, path: &[u8]) -> SysResult<()> {
    let r = resolve(base, path)?;
    // SAFETY: the name is NUL-terminated; unlinkat never follows the final component.
    check(unsafe { libc::unlinkat(r.dir().as_raw_fd(), r.name.as_ptr(), libc::AT_REMOVEDIR) }).map(drop)
}

/// `unlink` of the file (or symlink) `path` beneath `base`.
pub fn unlink_file(base: BorrowedFd<'_>, path: &[u8]) -> SysResult<()> {
    let r = resolve(base, path)?;
    if r.trailing_slash {
        // "x/" names a directory; never unlink what a trailing slash names.
        let st = fstatat_nofollow(r.dir(), &r.name)?;
        return Err(match st.kind {
            FileKind::Directory => SysError::Os(libc::EISDIR),
            FileKind::Symlink => SysError::NotCapable,
            _ => SysError::Os(libc::ENOTDIR),
        });
    }
    // SAFETY: the name is NUL-terminated; unlinkat never follows the final component.
    check(unsafe { libc::unlinkat(r.dir().as_raw_fd(), r.name.as_ptr(), 0) }).map(drop)
}

/// `rename` from `old_path` beneath `old_base` to `new_path` beneath `new_base`.
pub fn rename(old_base: BorrowedFd<'_>, old_path: &[u8], new_base: BorrowedFd<'_>, new_path: &[u8]) -> SysResult<()> {
    let old = resolve(old_base, old_path)?;
    let new = resolve(new_base, new_path)?;
    if old.trailing_slash || new.trailing_slash {
        let st = fstatat_nofollow(old.dir(), &old.name)?;
        if st.kind == FileKind::Symlink {
            return Err(SysError::NotCapable);
        }
        if st.kind != FileKind::Directory {
            return Err(SysError::Os(libc::ENOTDIR));
        }
    }
    // SAFETY: both names are NUL-terminated; renameat follows neither.
    check(unsafe { libc::renameat(old.dir().as_raw_fd(), old.name.as_ptr(), new.dir().as_raw_fd(), new.name.as_ptr()) })
        .map(drop)
}

/// Hard link `new_path` (beneath `new_base`) to `old_path` (beneath `old_base`).
pub fn link(
    old_base: BorrowedFd<'_>,
    old_path: &[u8],
    follow: bool,
    new_base: BorrowedFd<'_>,
    new_path: &[u8],
) -> SysResult<()> {
    let old = resolve(old_base, old_path)?;
    let new = resolve(new_base, new_path)?;
    let st = check_final(&old, follow)?;
    if st.kind == FileKind::Directory {
        return Err(SysError::Os(libc::EPERM));
    }
    if new.trailing_slash || new.names_dir_itself() {
        return Err(SysError::Os(if new.names_dir_itself() { libc::EEXIST } else { libc::ENOENT }));
    }
    // SAFETY: both names are NUL-terminated; flags 0 means the source is not followed.
    check(unsafe {
        libc::linkat(old.dir().as_raw_fd(), old.name.as_ptr(), new.dir().as_raw_fd(), new.name.as_ptr(), 0)
    })
    .map(drop)
}

/// Whether a symlink whose holding directory is `depth` levels below the
/// sandbox root, pointing at `target`, stays inside the sandbox lexically.
pub fn symlink_target_stays_inside(target: &[u8], depth: usize) -> bool {
    if target.first() == Some(&b'/') {
        return false;
    }
    let mut d = depth as isize;
    for comp in target.split(|&b| b == b'/') {
        match comp {
            b"" | b"." => {}
            b".." => {
                d -= 1;
                if d < 0 {
                    return false;
                }
            }
            _ => d += 1,
        }
    }
    true
}

/// Create the symlink `path` beneath `base`, pointing at `target`. `base_depth`
/// is how deep `base` itself lies below its sandbox root; a target that is
/// absolute or climbs above that root is refused (even though Ember never
/// follows links, other programs on the host might).
pub fn symlink(target: &[u8], base: BorrowedFd<'_>, base_depth: usize, path: &[u8]) -> SysResult<()> {
    if target.is_empty() {
        return Err(ENOENT);
    }
    let r = resolve(base, path)?;
    if !symlink_target_stays_inside(target, base_depth + r.depth()) {
        return Err(SysError::NotCapable);
    }
    if r.trailing_slash {
        return Err(ENOENT);
    }
    let t = cstring(target)?;
    // SAFETY: both strings are NUL-terminated.
    check(unsafe { libc::symlinkat(t.as_ptr(), r.dir().as_raw_fd(), r.name.as_ptr()) }).map(drop)
}

/// The target of the symlink `path` beneath `base`.
pub fn read_link(base: BorrowedFd<'_>, path: &[u8]) -> SysResult<Vec<u8>> {
    let r = resolve(base, path)?;
    if r.trailing_slash {
        return Err(SysError::Os(libc::EINVAL));
    }
    let mut buf = vec![0u8; 256];
    loop {
        // SAFETY: the name is NUL-terminated and `buf` is writable for its length.
        let n = unsafe { libc::readlinkat(r.dir().as_raw_fd(), r.name.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            return Err(SysError::last());
        }
        let n = n as usize;
        if n < buf.len() {
            buf.truncate(n);
            return Ok(buf);
        }
        if buf.len() >= 1 << 20 {
            return Err(SysError::Os(libc::ENAMETOOLONG));
        }
        buf.resize(buf.len() * 2, 0);
    }
}

/// Open a host directory to serve as a sandbox root (a preopen). The host
/// path is the operator's choice and is resolved normally.
pub fn open_host_dir(path: &Path) -> std::io::Result<OwnedFd> {
    use std::os::unix::fs::OpenOptionsExt;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(path)?;
    Ok(OwnedFd::from(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch tree: root/sandbox/{f, sub/g, toroot -> /, up -> ..}, root/outside.
    fn tree(name: &str) -> (std::path::PathBuf, OwnedFd) {
        use std::os::unix::fs::symlink;
        let root = std::env::temp_dir().join(format!("ember-sandbox-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("sandbox/sub")).unwrap();
        std::fs::create_dir_all(root.join("outside")).unwrap();
        std::fs::write(root.join("sandbox/f"), "f").unwrap();
        std::fs::write(root.join("sandbox/sub/g"), "g").unwrap();
        symlink("/", root.join("sandbox/toroot")).unwrap();
        symlink("..", root.join("sandbox/up")).unwrap();
        let fd = open_host_dir(&root.join("sandbox")).unwrap();
        (root, fd)
    }

    #[test]
    fn walks_stay_beneath_the_base() {
        let (root, base) = tree("walk");
        let b = base.as_fd();
        for p in ["..", "../outside", "sub/../..", "/", "/etc", "toroot/etc", "up/outside", "sub/./../../x", "toroot/"] {
            let r = stat(b, p.as_bytes(), false).map(|_| ());
            assert_eq!(r, Err(SysError::NotCapable), "{p}");
        }
        assert_eq!(stat(b, b"toroot", true).map(|_| ()), Err(SysError::NotCapable));
        assert_eq!(stat(b, b"toroot", false).unwrap().kind, FileKind::Symlink);
        assert_eq!(stat(b, b"sub/../f", false).unwrap().kind, FileKind::Regular);
        assert_eq!(stat(b, b"f/", false).map(|_| ()), Err(SysError::Os(libc::ENOTDIR)));
        assert_eq!(stat(b, b"f/..", false).map(|_| ()), Err(SysError::Os(libc::ENOTDIR)));
        assert_eq!(stat(b, b"", false).map(|_| ()), Err(SysError::Os(libc::ENOENT)));
        assert_eq!(stat(b, b"a\0b", false).map(|_| ()), Err(SysError::Os(libc::EINVAL)));
        let opts = OpenOptions { read: true, follow: true, ..Default::default() };
        assert_eq!(open(b, b"toroot/etc/passwd", opts).map(|_| ()), Err(SysError::NotCapable));
        assert_eq!(open(b, b"sub/g", opts).unwrap().1, 2);
        assert_eq!(open(b, b"sub/..", opts).unwrap().1, 0);
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn mutations_never_follow_links() {
        let (root, base) = tree("mutate");
        let b = base.as_fd();
        assert_eq!(create_dir(b, b"toroot/tmp/x"), Err(SysError::NotCapable));
        assert_eq!(unlink_file(b, b"up/outside"), Err(SysError::NotCapable));
        assert_eq!(unlink_file(b, b"f/"), Err(SysError::Os(libc::ENOTDIR)));
        assert_eq!(rename(b, b"f", b, b"../stolen"), Err(SysError::NotCapable));
        assert_eq!(symlink(b"/etc", b, 0, b"l"), Err(SysError::NotCapable));
        assert_eq!(symlink(b"../x", b, 0, b"l"), Err(SysError::NotCapable));
        assert_eq!(symlink(b"../f", b, 0, b"sub/l"), Ok(()));
        assert_eq!(read_link(b, b"sub/l").unwrap(), b"../f");
        assert_eq!(unlink_file(b, b"up"), Ok(()));
        assert!(root.join("outside").exists());
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn symlink_targets() {
        assert!(symlink_target_stays_inside(b"a/b", 0));
        assert!(symlink_target_stays_inside(b"../a", 1));
        assert!(!symlink_target_stays_inside(b"../a", 0));
        assert!(!symlink_target_stays_inside(b"a/../../b", 0));
        assert!(!symlink_target_stays_inside(b"/a", 5));
        assert!(symlink_target_stays_inside(b"./a//b/..", 0));
    }
}
