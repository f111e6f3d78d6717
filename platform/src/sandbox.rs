//! Paths resolved beneath a directory descriptor, never leaving it.
//!
//! This is the file-system half of the WASI sandbox. A guest path is split
//! into components and walked one component at a time from the base
//! descriptor (a preopened directory or a directory opened beneath one);
//! the kernel only ever sees single names relative to a directory the walk
//! opened itself:
//!
//! - an absolute path is refused ([`SysError::NotCapable`]);
//! - `.` and empty components (`a//b`) are skipped;
//! - `..` pops back to the previously walked directory; a `..` at the base
//!   is refused. The walk keeps the descriptors of the directories it went
//!   through, so `..` never reaches the host's `..`;
//! - every intermediate component is opened with
//!   `openat(O_PATH | O_DIRECTORY | O_NOFOLLOW)`. When it is a symbolic link,
//!   its text is read with `readlinkat` and its components are walked in its
//!   place by the same rules (relative to the directory holding the link), so
//!   a link can lead anywhere beneath the base but never out of it: a `..`
//!   that would climb above the base is refused as above. An absolute target
//!   is taken as a host path: when it lies inside the base directory's host
//!   path (as `/proc/self/fd` names it at that moment) the walk restarts from
//!   the base with the rest; anything else is refused. At most
//!   [`MAX_SYMLINKS`] links are followed per call (ELOOP beyond, as Linux);
//! - the final component is followed the same way when the caller asks for
//!   it (`LOOKUPFLAGS_SYMLINK_FOLLOW`, or a trailing slash on a lookup);
//!   otherwise it is acted on as a link. Either way the final name is then
//!   used with an `*at` call relative to the directory that holds it, always
//!   in its no-follow form (`O_NOFOLLOW`, `AT_SYMLINK_NOFOLLOW`, or calls that
//!   never follow such as `unlinkat`/`renameat`/`mkdirat`);
//! - a trailing slash is never passed to the kernel (where it would mean
//!   "follow"): it is recorded and enforced here (the object must be a
//!   directory).
//!
//! Because no step ever follows a link or resolves `..` in the kernel, the
//! result cannot name anything outside the base directory, even if the tree
//! changes concurrently: a component swapped for a symlink after it was
//! checked makes the `O_NOFOLLOW` call fail (ELOOP/ENOTDIR) instead of
//! escaping, and a link's text is always walked from a descriptor the walk
//! holds. Bind mounts inside the tree are the host's choice and are crossed
//! like directories.
//!
//! Further rules (as WAMR and Wasmtime where they have one):
//! - the base is the descriptor the call names: a link under a directory opened
//!   beneath a preopen cannot lead above that directory;
//! - a final link is followed for plain `open`/`stat` in wasi-libc and for
//!   `path_link`'s old path; acted on as a link, `open` with O_NOFOLLOW gives
//!   ELOOP and O_CREAT|O_EXCL gives EEXIST; a dangling link is ENOENT when
//!   followed (O_CREAT creates its target, inside, as Linux);
//! - guest-created symlinks may only hold relative targets that stay inside the
//!   preopen lexically (the walk knows each directory's depth below its
//!   preopen); others, absolute ones included, are ENOTCAPABLE (as Wasmtime):
//!   they protect other programs on the host. New names with a trailing slash:
//!   EEXIST on a directory or link, ENOTDIR on another file, ENOENT when
//!   missing (wasi-testsuite); linking a directory is EPERM; `unlink("f/")` is
//!   ENOTDIR/EISDIR, never an unlink;
//! - opens use O_NONBLOCK (cleared afterwards unless asked for) so that a FIFO
//!   cannot block the open, and O_CLOEXEC|O_NOCTTY;
//! - a path longer than [`MAX_PATH_LEN`] is ENAMETOOLONG; a NUL byte is EINVAL.
//!
//! openat2(RESOLVE_BENEATH) is not used: this portable walk has the same result
//! on every kernel (old board kernels, qemu-user) and no fallback path to keep
//! correct.

use std::ffi::CString;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::path::Path;

use crate::error::{check, SysError, SysResult};
use crate::fs::{set_time_ts, stat_from, FileKind, FileStat, SetTime};

/// Longest guest path accepted (bytes), as Linux's PATH_MAX.
pub const MAX_PATH_LEN: usize = 4096;

/// Most symbolic links followed while resolving one path (Linux's
/// MAXSYMLINKS); one more is ELOOP.
pub const MAX_SYMLINKS: usize = 40;

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
    /// The path (or the text of a final link followed) ended with `/`: the
    /// object must be a directory.
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
    /// Step up to the directory the walk came from; refused at the base.
    fn pop(&mut self) -> SysResult<()> {
        self.stack.pop().map(drop).ok_or(SysError::NotCapable)
    }
}

fn cstring(bytes: &[u8]) -> SysResult<CString> {
    CString::new(bytes.to_vec()).map_err(|_| SysError::Os(libc::EINVAL))
}

/// The components still to walk, the next one last (so `pop` yields it).
fn components_reversed(path: &[u8]) -> Vec<Vec<u8>> {
    path.split(|&b| b == b'/').filter(|c| !c.is_empty()).rev().map(<[u8]>::to_vec).collect()
}

/// Whether a lookup of `path` must follow a final symbolic link: when the
/// caller asks, and always with a trailing slash (which names the directory
/// the link leads to, as in POSIX).
fn lookup_follows(path: &[u8], follow: bool) -> bool {
    follow || path.ends_with(b"/")
}

/// Walk `path` beneath `base` (see the module documentation). `follow` says
/// whether a final symbolic link is followed; intermediate ones always are.
pub fn resolve<'a>(base: BorrowedFd<'a>, path: &[u8], follow: bool) -> SysResult<Resolved<'a>> {
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
    let mut todo = components_reversed(path);
    if todo.is_empty() {
        return Err(ENOENT);
    }
    let mut r = Resolved { base, stack: Vec::new(), name: cstring(b".")?, trailing_slash: path.ends_with(b"/") };
    let mut links = 0usize;
    while let Some(comp) = todo.pop() {
        let last = todo.is_empty();
        match comp.as_slice() {
            b"." => {}
            b".." => r.pop()?,
            name if !last => match open_intermediate(r.dir(), name)? {
                Step::Dir(fd) => r.stack.push(fd),
                Step::Link(target) => follow_link(&mut r, &mut todo, &target, &mut links)?,
            },
            name => match final_link_target(r.dir(), name, follow)? {
                Some(target) => {
                    // The link's own trailing slash (or the path's) asks for a directory.
                    r.trailing_slash |= target.ends_with(b"/");
                    follow_link(&mut r, &mut todo, &target, &mut links)?;
                }
                None => r.name = cstring(name)?,
            },
        }
        if todo.is_empty() && matches!(comp.as_slice(), b"." | b"..") {
            r.name = cstring(b".")?;
        }
    }
    Ok(r)
}

/// Put the components of a link's `target` in front of what is still to be
/// walked. A relative target continues from the directory holding the link;
/// an absolute one restarts from the base when it lies inside the base's host
/// path, and is refused otherwise.
fn follow_link(r: &mut Resolved<'_>, todo: &mut Vec<Vec<u8>>, target: &[u8], links: &mut usize) -> SysResult<()> {
    *links += 1;
    if *links > MAX_SYMLINKS {
        return Err(SysError::Os(libc::ELOOP));
    }
    if target.is_empty() {
        return Err(ENOENT);
    }
    let rest = if target[0] == b'/' {
        let inside = strip_host_prefix(r.base, target).ok_or(SysError::NotCapable)?;
        r.stack.clear();
        inside
    } else {
        target
    };
    let comps = components_reversed(rest);
    if comps.is_empty() && todo.is_empty() {
        // The link names the base itself ("/host/base" or "/host/base/").
        todo.push(b".".to_vec());
    }
    todo.extend(comps);
    Ok(())
}

/// `target` relative to the host path of `base`, when it lies inside it.
/// The host path is read from `/proc/self/fd` (None without /proc): it only
/// decides how the text is read; the walk itself still starts from `base`.
fn strip_host_prefix<'t>(base: BorrowedFd<'_>, target: &'t [u8]) -> Option<&'t [u8]> {
    use std::os::unix::ffi::OsStrExt;
    let host = std::fs::read_link(format!("/proc/self/fd/{}", base.as_raw_fd())).ok()?;
    let host = host.as_os_str().as_bytes();
    if !host.starts_with(b"/") {
        return None;
    }
    let prefix = host.strip_suffix(b"/").unwrap_or(host);
    let rest = target.strip_prefix(prefix)?;
    match rest.first() {
        None => Some(rest),
        Some(b'/') => Some(rest),
        Some(_) => None, // "/base2" is not inside "/base"
    }
}

/// What an intermediate component turned out to be.
enum Step {
    /// A directory, opened `O_PATH`.
    Dir(OwnedFd),
    /// A symbolic link with this text.
    Link(Vec<u8>),
}

fn open_intermediate(dir: BorrowedFd<'_>, name: &[u8]) -> SysResult<Step> {
    let c = cstring(name)?;
    let flags = libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: `c` is NUL-terminated; openat returns a new descriptor or -1.
    match check(unsafe { libc::openat(dir.as_raw_fd(), c.as_ptr(), flags) }) {
        // SAFETY: `fd` was just created and is owned by nobody else.
        Ok(fd) => Ok(Step::Dir(unsafe { OwnedFd::from_raw_fd(fd) })),
        // A symlink opened O_NOFOLLOW|O_DIRECTORY fails with one of these;
        // anything but a link (readlinkat: EINVAL) keeps the open's error.
        Err(e @ SysError::Os(libc::ENOTDIR)) | Err(e @ SysError::Os(libc::ELOOP)) => {
            read_link_at(dir, &c).map(Step::Link).map_err(|_| e)
        }
        Err(e) => Err(e),
    }
}

/// The text of the final component when it is a symbolic link to be
/// followed; None when it is not to be followed, is no link, or is missing
/// (the operation itself then reports what it finds).
fn final_link_target(dir: BorrowedFd<'_>, name: &[u8], follow: bool) -> SysResult<Option<Vec<u8>>> {
    if !follow {
        return Ok(None);
    }
    Ok(read_link_at(dir, &cstring(name)?).ok())
}

/// `readlinkat` of one name, growing the buffer as needed (never follows).
fn read_link_at(dir: BorrowedFd<'_>, name: &CString) -> SysResult<Vec<u8>> {
    let mut buf = vec![0u8; 256];
    loop {
        // SAFETY: the name is NUL-terminated and `buf` is writable for its length.
        let n = unsafe { libc::readlinkat(dir.as_raw_fd(), name.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
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

fn fstatat_nofollow(dir: BorrowedFd<'_>, name: &CString) -> SysResult<FileStat> {
    // SAFETY: `stat64` is plain old data; all-zero is a valid value.
    let mut st: libc::stat64 = unsafe { std::mem::zeroed() };
    // SAFETY: `name` is NUL-terminated and `st` is a valid, writable buffer.
    check(unsafe { libc::fstatat64(dir.as_raw_fd(), name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) })?;
    Ok(stat_from(&st))
}

/// `fstatat(AT_SYMLINK_NOFOLLOW)` of a single name in `dir` (no walk).
pub(crate) fn stat_name(dir: BorrowedFd<'_>, name: &[u8]) -> SysResult<FileStat> {
    fstatat_nofollow(dir, &cstring(name)?)
}

/// Enforce a trailing slash on the final object (it must be a directory);
/// returns what the name is, not followed.
fn check_final(r: &Resolved<'_>) -> SysResult<FileStat> {
    let st = fstatat_nofollow(r.dir(), &r.name)?;
    if r.trailing_slash && st.kind != FileKind::Directory {
        return Err(SysError::Os(libc::ENOTDIR));
    }
    Ok(st)
}

/// The error for a new name (of a link or symlink) written with a trailing
/// slash or naming a directory itself: EEXIST when something is there that a
/// slash may name (a directory, or a link, which is not followed), ENOTDIR
/// for another existing object, ENOENT when nothing is there (the slash asks
/// for a directory that a link cannot be). These are the answers of
/// wasi-testsuite's path_link and path_symlink_trailing_slashes.
fn new_name_slash_error(new: &Resolved<'_>) -> SysError {
    if new.names_dir_itself() {
        return SysError::Os(libc::EEXIST);
    }
    match fstatat_nofollow(new.dir(), &new.name) {
        Ok(st) if matches!(st.kind, FileKind::Directory | FileKind::Symlink) => SysError::Os(libc::EEXIST),
        Ok(_) => SysError::Os(libc::ENOTDIR),
        Err(_) => ENOENT,
    }
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
    /// Follow a final symbolic link (inside the base, as every link). Not
    /// with `create` + `exclusive`, which acts on the name itself (EEXIST
    /// for any link), as O_EXCL does on Linux.
    pub follow: bool,
}

/// Open `path` beneath `base`. Returns the descriptor and how many levels
/// below `base` the opened object lies (0 when it is `base` itself).
/// Write access to a directory fails with EISDIR (the kernel's answer to
/// `O_WRONLY`/`O_RDWR` on one, with or without `O_DIRECTORY`).
pub fn open(base: BorrowedFd<'_>, path: &[u8], o: OpenOptions) -> SysResult<(OwnedFd, usize)> {
    let follow = lookup_follows(path, o.follow) && !(o.create && o.exclusive);
    let r = resolve(base, path, follow)?;
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
    // below unless the guest asked for it. O_NOFOLLOW: a final link that was
    // to be followed has been; one that was not (or that appeared since) fails
    // with ELOOP (ENOTDIR with O_DIRECTORY), as Linux does.
    let ret = check(unsafe { libc::openat(r.dir().as_raw_fd(), r.name.as_ptr(), flags, mode) })?;
    // SAFETY: `ret` was just created and is owned by nobody else.
    let fd = unsafe { OwnedFd::from_raw_fd(ret) };
    if !o.nonblock {
        let mut fl = crate::fs::status_flags(fd.as_fd())?;
        fl.nonblock = false;
        crate::fs::set_status_flags(fd.as_fd(), fl)?;
    }
    let depth = r.depth() + usize::from(!r.names_dir_itself());
    Ok((fd, depth))
}

/// `stat` of `path` beneath `base`; a final symlink is followed when
/// `follow` is set (or the path ends with `/`), described otherwise.
pub fn stat(base: BorrowedFd<'_>, path: &[u8], follow: bool) -> SysResult<FileStat> {
    let r = resolve(base, path, lookup_follows(path, follow))?;
    check_final(&r)
}

/// Set access and modification times of `path` beneath `base` (of the link
/// itself unless `follow`).
pub fn set_times(base: BorrowedFd<'_>, path: &[u8], follow: bool, atime: SetTime, mtime: SetTime) -> SysResult<()> {
    let r = resolve(base, path, lookup_follows(path, follow))?;
    check_final(&r)?;
    let ts = [set_time_ts(atime), set_time_ts(mtime)];
    // SAFETY: the name is NUL-terminated and `ts` holds two valid timespecs.
    check(unsafe { libc::utimensat(r.dir().as_raw_fd(), r.name.as_ptr(), ts.as_ptr(), libc::AT_SYMLINK_NOFOLLOW) })
        .map(drop)
}

/// `mkdir` of `path` beneath `base`.
pub fn create_dir(base: BorrowedFd<'_>, path: &[u8]) -> SysResult<()> {
    let r = resolve(base, path, false)?;
    // SAFETY: the name is NUL-terminated; mkdirat never follows the final component.
    check(unsafe { libc::mkdirat(r.dir().as_raw_fd(), r.name.as_ptr(), 0o777) }).map(drop)
}

/// `rmdir` of `path` beneath `base`.
pub fn remove_dir(base: BorrowedFd<'_>, path: &[u8]) -> SysResult<()> {
    let r = resolve(base, path, false)?;
    // SAFETY: the name is NUL-terminated; unlinkat never follows the final component.
    check(unsafe { libc::unlinkat(r.dir().as_raw_fd(), r.name.as_ptr(), libc::AT_REMOVEDIR) }).map(drop)
}

/// `unlink` of the file (or symlink) `path` beneath `base`.
pub fn unlink_file(base: BorrowedFd<'_>, path: &[u8]) -> SysResult<()> {
    let r = resolve(base, path, false)?;
    if r.trailing_slash {
        // "x/" names a directory; never unlink what a trailing slash names.
        // Linux: EISDIR for a directory, ENOTDIR otherwise (links included).
        let st = fstatat_nofollow(r.dir(), &r.name)?;
        return Err(SysError::Os(if st.kind == FileKind::Directory { libc::EISDIR } else { libc::ENOTDIR }));
    }
    // SAFETY: the name is NUL-terminated; unlinkat never follows the final component.
    check(unsafe { libc::unlinkat(r.dir().as_raw_fd(), r.name.as_ptr(), 0) }).map(drop)
}

/// `rename` from `old_path` beneath `old_base` to `new_path` beneath `new_base`.
pub fn rename(old_base: BorrowedFd<'_>, old_path: &[u8], new_base: BorrowedFd<'_>, new_path: &[u8]) -> SysResult<()> {
    let old = resolve(old_base, old_path, false)?;
    let new = resolve(new_base, new_path, false)?;
    if old.trailing_slash || new.trailing_slash {
        // Only a directory may be renamed with a slash (a link is not followed: ENOTDIR, as Linux).
        let st = fstatat_nofollow(old.dir(), &old.name)?;
        if st.kind != FileKind::Directory {
            return Err(SysError::Os(libc::ENOTDIR));
        }
    }
    // SAFETY: both names are NUL-terminated; renameat follows neither.
    check(unsafe { libc::renameat(old.dir().as_raw_fd(), old.name.as_ptr(), new.dir().as_raw_fd(), new.name.as_ptr()) })
        .map(drop)
}

/// Hard link `new_path` (beneath `new_base`) to `old_path` (beneath
/// `old_base`); a final link in `old_path` is followed when `follow` is set
/// (inside the base, as every link), else linked itself. A directory cannot
/// be linked (EPERM, as Linux).
pub fn link(
    old_base: BorrowedFd<'_>,
    old_path: &[u8],
    follow: bool,
    new_base: BorrowedFd<'_>,
    new_path: &[u8],
) -> SysResult<()> {
    let old = resolve(old_base, old_path, lookup_follows(old_path, follow))?;
    let new = resolve(new_base, new_path, false)?;
    let st = check_final(&old)?;
    if st.kind == FileKind::Directory {
        return Err(SysError::Os(libc::EPERM));
    }
    if new.trailing_slash || new.names_dir_itself() {
        return Err(new_name_slash_error(&new));
    }
    // SAFETY: both names are NUL-terminated; flags 0 means the source is not
    // followed (a link to follow was resolved above).
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
/// is how deep `base` itself lies below its sandbox root. The text is stored
/// as given when it is relative and stays inside that root lexically; an
/// absolute target or one that climbs above the root is refused with
/// ENOTCAPABLE (as Wasmtime does): the guest cannot know host paths, and
/// other programs on the host would follow such a link out of the sandbox.
pub fn symlink(target: &[u8], base: BorrowedFd<'_>, base_depth: usize, path: &[u8]) -> SysResult<()> {
    if target.is_empty() {
        return Err(ENOENT);
    }
    let r = resolve(base, path, false)?;
    if !symlink_target_stays_inside(target, base_depth + r.depth()) {
        return Err(SysError::NotCapable);
    }
    if r.trailing_slash || r.names_dir_itself() {
        return Err(new_name_slash_error(&r));
    }
    let t = cstring(target)?;
    // SAFETY: both strings are NUL-terminated.
    check(unsafe { libc::symlinkat(t.as_ptr(), r.dir().as_raw_fd(), r.name.as_ptr()) }).map(drop)
}

/// The target of the symlink `path` beneath `base`.
pub fn read_link(base: BorrowedFd<'_>, path: &[u8]) -> SysResult<Vec<u8>> {
    let r = resolve(base, path, false)?;
    if r.trailing_slash {
        return Err(SysError::Os(libc::EINVAL));
    }
    read_link_at(r.dir(), &r.name)
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

    /// Links inside the base: relative, absolute inside its host path, chains,
    /// an intermediate directory link, dangling, loops, the 40-link cap.
    #[test]
    fn links_inside_the_base_are_followed() {
        use std::os::unix::fs::symlink as ln;
        let (root, base) = tree("follow");
        let b = base.as_fd();
        let sb = root.join("sandbox");
        ln("sub", sb.join("models")).unwrap();
        ln("sub/g", sb.join("rel")).unwrap();
        ln(sb.join("sub/g"), sb.join("abs")).unwrap();
        ln(&sb, sb.join("abs_base")).unwrap();
        ln("rel", sb.join("chain")).unwrap();
        ln("../f", sb.join("sub/upf")).unwrap();
        ln("nothere", sb.join("dangling")).unwrap();
        ln("loop", sb.join("loop")).unwrap();
        ln(root.join("outside"), sb.join("abs_out")).unwrap();
        ln(format!("{}2", sb.display()), sb.join("abs_sibling")).unwrap();
        for i in 0..MAX_SYMLINKS + 1 {
            ln(format!("c{}", i + 1), sb.join(format!("c{i}"))).unwrap();
        }
        std::fs::write(sb.join(format!("c{}", MAX_SYMLINKS + 1)), "end").unwrap();
        let read = |p: &str| {
            let (fd, _) = open(b, p.as_bytes(), OpenOptions { read: true, follow: true, ..Default::default() })?;
            let mut buf = [0u8; 8];
            let n = crate::fs::read(fd.as_fd(), &mut buf)?;
            Ok::<_, SysError>(String::from_utf8_lossy(&buf[..n]).into_owned())
        };
        for p in ["models/g", "rel", "abs", "chain", "sub/upf", "abs_base/f", "models/../f", "abs_base/sub/g"] {
            let want = if p.ends_with('f') { "f" } else { "g" };
            assert_eq!(read(p).as_deref(), Ok(want), "{p}");
        }
        assert_eq!(open(b, b"models/g", OpenOptions { read: true, ..Default::default() }).map(|_| ()), Ok(()));
        assert_eq!(stat(b, b"models", false).unwrap().kind, FileKind::Symlink);
        assert_eq!(stat(b, b"models", true).unwrap().kind, FileKind::Directory);
        assert_eq!(stat(b, b"models/", false).unwrap().kind, FileKind::Directory);
        assert_eq!(stat(b, b"rel/", false).map(|_| ()), Err(SysError::Os(libc::ENOTDIR)));
        assert_eq!(stat(b, b"dangling", false).unwrap().kind, FileKind::Symlink);
        assert_eq!(stat(b, b"dangling", true).map(|_| ()), Err(ENOENT));
        assert_eq!(read("dangling"), Err(ENOENT));
        assert_eq!(read("loop"), Err(SysError::Os(libc::ELOOP)));
        assert_eq!(stat(b, b"loop/x", false).map(|_| ()), Err(SysError::Os(libc::ELOOP)));
        assert_eq!(read(&format!("c{}", MAX_SYMLINKS - 1)).as_deref(), Ok("end"));
        assert_eq!(read("c0"), Err(SysError::Os(libc::ELOOP)));
        for p in ["abs_out", "abs_out/", "abs_sibling", "abs_base/../f", "models/../up", "models/../../f"] {
            assert_eq!(stat(b, p.as_bytes(), true).map(|_| ()), Err(SysError::NotCapable), "{p}");
        }
        // Not following a final link acts on the link itself.
        let nofollow = OpenOptions { read: true, ..Default::default() };
        assert_eq!(open(b, b"rel", nofollow).map(|_| ()), Err(SysError::Os(libc::ELOOP)));
        // O_CREAT through a dangling link creates its target (inside), as Linux;
        // O_CREAT|O_EXCL acts on the link: EEXIST.
        let create = OpenOptions { write: true, create: true, follow: true, ..Default::default() };
        assert_eq!(open(b, b"dangling", OpenOptions { exclusive: true, ..create }).map(|_| ()), Err(SysError::Os(libc::EEXIST)));
        assert!(open(b, b"dangling", create).is_ok());
        assert!(sb.join("nothere").is_file());
        // A directory opened beneath is the boundary for its own walks.
        let (sub, depth) = open(b, b"sub", OpenOptions { read: true, directory: true, ..Default::default() }).unwrap();
        assert_eq!(depth, 1);
        assert_eq!(stat(sub.as_fd(), b"upf", true).map(|_| ()), Err(SysError::NotCapable));
        // Links used by the other path operations.
        assert_eq!(link(b, b"rel", true, b, b"hard"), Ok(()));
        assert_eq!(stat(b, b"hard", false).unwrap().kind, FileKind::Regular);
        assert_eq!(link(b, b"models", true, b, b"hard2"), Err(SysError::Os(libc::EPERM)));
        assert_eq!(link(b, b"dangling2", true, b, b"hard3"), Err(ENOENT));
        assert_eq!(link(b, b"abs_out", true, b, b"hard4"), Err(SysError::NotCapable));
        assert_eq!(create_dir(b, b"models/new"), Ok(()));
        assert!(sb.join("sub/new").is_dir());
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn new_names_with_a_trailing_slash() {
        let (root, base) = tree("slash");
        let b = base.as_fd();
        assert_eq!(symlink(b"x", b, 0, b"new/"), Err(ENOENT));
        assert_eq!(symlink(b"x", b, 0, b"sub/"), Err(SysError::Os(libc::EEXIST)));
        assert_eq!(symlink(b"x", b, 0, b"f/"), Err(SysError::Os(libc::ENOTDIR)));
        assert_eq!(symlink(b"x", b, 0, b"f"), Err(SysError::Os(libc::EEXIST)));
        assert_eq!(symlink(b"x", b, 0, b"."), Err(SysError::Os(libc::EEXIST)));
        assert_eq!(link(b, b"f", false, b, b"new/"), Err(ENOENT));
        assert_eq!(link(b, b"f", false, b, b"sub"), Err(SysError::Os(libc::EEXIST)));
        assert_eq!(link(b, b"f/", false, b, b"new"), Err(SysError::Os(libc::ENOTDIR)));
        assert_eq!(link(b, b"sub", false, b, b"new"), Err(SysError::Os(libc::EPERM)));
        assert_eq!(unlink_file(b, b"toroot/"), Err(SysError::Os(libc::ENOTDIR)));
        assert_eq!(unlink_file(b, b"sub/"), Err(SysError::Os(libc::EISDIR)));
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
