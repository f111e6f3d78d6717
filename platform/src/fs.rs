//! Operations on an open file descriptor (files, directories, stdio).
//!
//! Path-based operations live in [`crate::sandbox`]; nothing here takes a path.

use std::ffi::CStr;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use crate::clock::ns_to_ts;
use crate::error::{check, check_isize, SysError, SysResult};

/// The type of a file system object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Unknown,
    BlockDevice,
    CharDevice,
    Directory,
    Regular,
    SocketDgram,
    SocketStream,
    Symlink,
    Fifo,
}

/// What `stat` tells about a file; times in nanoseconds since the epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStat {
    pub dev: u64,
    pub ino: u64,
    pub kind: FileKind,
    pub nlink: u64,
    pub size: u64,
    pub atime: u64,
    pub mtime: u64,
    pub ctime: u64,
}

fn kind_of_mode(mode: libc::mode_t) -> FileKind {
    match mode & libc::S_IFMT {
        libc::S_IFBLK => FileKind::BlockDevice,
        libc::S_IFCHR => FileKind::CharDevice,
        libc::S_IFDIR => FileKind::Directory,
        libc::S_IFREG => FileKind::Regular,
        libc::S_IFSOCK => FileKind::SocketStream,
        libc::S_IFLNK => FileKind::Symlink,
        libc::S_IFIFO => FileKind::Fifo,
        _ => FileKind::Unknown,
    }
}

fn ts_ns(sec: i64, nsec: i64) -> u64 {
    (sec.max(0) as u64).saturating_mul(1_000_000_000).saturating_add(nsec.max(0) as u64)
}

#[allow(clippy::unnecessary_cast)] // field types differ between 32- and 64-bit targets
pub(crate) fn stat_from(st: &libc::stat64) -> FileStat {
    FileStat {
        dev: st.st_dev as u64,
        ino: st.st_ino as u64,
        kind: kind_of_mode(st.st_mode),
        nlink: st.st_nlink as u64,
        size: st.st_size as u64,
        atime: ts_ns(st.st_atime as i64, st.st_atime_nsec as i64),
        mtime: ts_ns(st.st_mtime as i64, st.st_mtime_nsec as i64),
        ctime: ts_ns(st.st_ctime as i64, st.st_ctime_nsec as i64),
    }
}

/// A socket's real kind (stream or datagram); `kind` as stat sees it otherwise.
fn refine_socket_kind(fd: BorrowedFd<'_>, kind: FileKind) -> FileKind {
    if kind != FileKind::SocketStream {
        return kind;
    }
    let mut ty: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `ty` and `len` are valid for writes and `len` holds the size of `ty`.
    let r = unsafe {
        libc::getsockopt(fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_TYPE, (&mut ty as *mut libc::c_int).cast(), &mut len)
    };
    if r == 0 && ty == libc::SOCK_DGRAM {
        FileKind::SocketDgram
    } else {
        kind
    }
}

/// `fstat` of an open descriptor.
pub fn fstat(fd: BorrowedFd<'_>) -> SysResult<FileStat> {
    // SAFETY: `stat64` is plain old data; all-zero is a valid value.
    let mut st: libc::stat64 = unsafe { std::mem::zeroed() };
    // SAFETY: `st` is a valid, writable stat buffer; fd is open for the borrow.
    check(unsafe { libc::fstat64(fd.as_raw_fd(), &mut st) })?;
    let mut s = stat_from(&st);
    s.kind = refine_socket_kind(fd, s.kind);
    Ok(s)
}

fn retry<T>(mut f: impl FnMut() -> SysResult<T>) -> SysResult<T> {
    loop {
        match f() {
            Err(SysError::Os(libc::EINTR)) => continue,
            r => return r,
        }
    }
}

/// `read` into `buf` at the current position.
pub fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> SysResult<usize> {
    // SAFETY: `buf` is valid for `buf.len()` bytes of writes.
    retry(|| check_isize(unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) }))
}

/// `pread` into `buf` at `offset`, leaving the position alone.
pub fn pread(fd: BorrowedFd<'_>, buf: &mut [u8], offset: u64) -> SysResult<usize> {
    let off = i64::try_from(offset).map_err(|_| SysError::Os(libc::EINVAL))?;
    // SAFETY: `buf` is valid for `buf.len()` bytes of writes.
    retry(|| check_isize(unsafe { libc::pread64(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), off) }))
}

fn io_slices<'a>(bufs: &'a [&'a [u8]]) -> Vec<std::io::IoSlice<'a>> {
    // At most IOV_MAX (1024) entries go to the kernel at once; the rest is
    // reported as a short write, which callers handle like any other.
    bufs.iter().take(1024).map(|b| std::io::IoSlice::new(b)).collect()
}

/// `writev` of `bufs` at the current position (or the end, in append mode).
pub fn writev(fd: BorrowedFd<'_>, bufs: &[&[u8]]) -> SysResult<usize> {
    let iov = io_slices(bufs);
    // SAFETY: IoSlice is ABI-compatible with `struct iovec` on Unix; each one
    // points at a live buffer borrowed for the duration of the call.
    retry(|| check_isize(unsafe { libc::writev(fd.as_raw_fd(), iov.as_ptr().cast(), iov.len() as libc::c_int) }))
}

/// `pwritev` of `bufs` at `offset`.
pub fn pwritev(fd: BorrowedFd<'_>, bufs: &[&[u8]], offset: u64) -> SysResult<usize> {
    let off = i64::try_from(offset).map_err(|_| SysError::Os(libc::EINVAL))?;
    let iov = io_slices(bufs);
    // SAFETY: as in `writev`; the offset is a valid off64_t.
    retry(|| {
        check_isize(unsafe { libc::pwritev64(fd.as_raw_fd(), iov.as_ptr().cast(), iov.len() as libc::c_int, off) })
    })
}

/// Where `seek` counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whence {
    Set,
    Cur,
    End,
}

/// `lseek`; returns the new position.
pub fn seek(fd: BorrowedFd<'_>, offset: i64, whence: Whence) -> SysResult<u64> {
    let w = match whence {
        Whence::Set => libc::SEEK_SET,
        Whence::Cur => libc::SEEK_CUR,
        Whence::End => libc::SEEK_END,
    };
    // SAFETY: lseek has no memory effects.
    let r = unsafe { libc::lseek64(fd.as_raw_fd(), offset, w) };
    if r < 0 {
        Err(SysError::last())
    } else {
        Ok(r as u64)
    }
}

/// `fsync`.
pub fn sync(fd: BorrowedFd<'_>) -> SysResult<()> {
    // SAFETY: fsync has no memory effects.
    check(unsafe { libc::fsync(fd.as_raw_fd()) }).map(drop)
}

/// `fdatasync`.
pub fn datasync(fd: BorrowedFd<'_>) -> SysResult<()> {
    // SAFETY: fdatasync has no memory effects.
    check(unsafe { libc::fdatasync(fd.as_raw_fd()) }).map(drop)
}

/// `ftruncate`.
pub fn set_len(fd: BorrowedFd<'_>, len: u64) -> SysResult<()> {
    let len = i64::try_from(len).map_err(|_| SysError::Os(libc::EINVAL))?;
    // SAFETY: ftruncate has no memory effects.
    retry(|| check(unsafe { libc::ftruncate64(fd.as_raw_fd(), len) }).map(drop))
}

/// One timestamp of a `set_times` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetTime {
    /// Leave it as it is.
    Omit,
    /// The current time.
    Now,
    /// Nanoseconds since the epoch.
    At(u64),
}

pub(crate) fn set_time_ts(t: SetTime) -> libc::timespec {
    match t {
        SetTime::At(ns) => ns_to_ts(ns),
        SetTime::Now | SetTime::Omit => {
            let mut ts = ns_to_ts(0);
            ts.tv_nsec = if t == SetTime::Now { libc::UTIME_NOW } else { libc::UTIME_OMIT };
            ts
        }
    }
}

/// `futimens`.
pub fn set_times(fd: BorrowedFd<'_>, atime: SetTime, mtime: SetTime) -> SysResult<()> {
    let ts = [set_time_ts(atime), set_time_ts(mtime)];
    // SAFETY: `ts` is an array of two valid timespecs, as futimens requires.
    check(unsafe { libc::futimens(fd.as_raw_fd(), ts.as_ptr()) }).map(drop)
}

/// `posix_fallocate`.
pub fn allocate(fd: BorrowedFd<'_>, offset: u64, len: u64) -> SysResult<()> {
    let off = i64::try_from(offset).map_err(|_| SysError::Os(libc::EINVAL))?;
    let len = i64::try_from(len).map_err(|_| SysError::Os(libc::EINVAL))?;
    if off.checked_add(len).is_none() {
        return Err(SysError::Os(libc::EFBIG));
    }
    // SAFETY: posix_fallocate has no memory effects; it returns the error number.
    match unsafe { libc::posix_fallocate64(fd.as_raw_fd(), off, len) } {
        0 => Ok(()),
        e => Err(SysError::Os(e)),
    }
}

/// Access-pattern advice for `advise`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Advice {
    Normal,
    Sequential,
    Random,
    WillNeed,
    DontNeed,
    NoReuse,
}

/// `posix_fadvise`.
pub fn advise(fd: BorrowedFd<'_>, offset: u64, len: u64, advice: Advice) -> SysResult<()> {
    let off = i64::try_from(offset).map_err(|_| SysError::Os(libc::EINVAL))?;
    let len = i64::try_from(len).map_err(|_| SysError::Os(libc::EINVAL))?;
    let a = match advice {
        Advice::Normal => libc::POSIX_FADV_NORMAL,
        Advice::Sequential => libc::POSIX_FADV_SEQUENTIAL,
        Advice::Random => libc::POSIX_FADV_RANDOM,
        Advice::WillNeed => libc::POSIX_FADV_WILLNEED,
        Advice::DontNeed => libc::POSIX_FADV_DONTNEED,
        Advice::NoReuse => libc::POSIX_FADV_NOREUSE,
    };
    // SAFETY: posix_fadvise has no memory effects; it returns the error number.
    match unsafe { libc::posix_fadvise64(fd.as_raw_fd(), off, len, a) } {
        0 => Ok(()),
        // Pipes and ttys take no advice; that is not worth an error.
        libc::ESPIPE => Ok(()),
        e => Err(SysError::Os(e)),
    }
}

/// The status flags of an open file description that WASI knows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusFlags {
    pub append: bool,
    pub nonblock: bool,
    pub dsync: bool,
    /// O_SYNC (Linux's O_RSYNC is the same flag).
    pub sync: bool,
}

/// `fcntl(F_GETFL)`.
pub fn status_flags(fd: BorrowedFd<'_>) -> SysResult<StatusFlags> {
    // SAFETY: F_GETFL takes no argument and has no memory effects.
    let fl = check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) })?;
    Ok(StatusFlags {
        append: fl & libc::O_APPEND != 0,
        nonblock: fl & libc::O_NONBLOCK != 0,
        sync: fl & libc::O_SYNC == libc::O_SYNC,
        dsync: fl & libc::O_DSYNC != 0 && fl & libc::O_SYNC != libc::O_SYNC,
    })
}

/// `fcntl(F_SETFL)` for the flags Linux can change on an open file: append and
/// nonblock. Asking for a different sync mode fails with ENOTSUP.
pub fn set_status_flags(fd: BorrowedFd<'_>, flags: StatusFlags) -> SysResult<()> {
    let cur = status_flags(fd)?;
    if cur.dsync != flags.dsync || cur.sync != flags.sync {
        return Err(SysError::Os(libc::ENOTSUP));
    }
    // SAFETY: F_GETFL takes no argument and has no memory effects.
    let mut fl = check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) })?;
    fl &= !(libc::O_APPEND | libc::O_NONBLOCK);
    if flags.append {
        fl |= libc::O_APPEND;
    }
    if flags.nonblock {
        fl |= libc::O_NONBLOCK;
    }
    // SAFETY: F_SETFL takes an int argument and has no memory effects.
    check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, fl) }).map(drop)
}

/// A close-on-exec duplicate of `fd` (its own descriptor, same open file).
pub fn dup(fd: BorrowedFd<'_>) -> SysResult<OwnedFd> {
    fd.try_clone_to_owned().map_err(|e| SysError::Os(e.raw_os_error().unwrap_or(libc::EBADF)))
}

/// A close-on-exec duplicate of a raw host descriptor such as 0, 1 or 2;
/// fails with EBADF when it is not open.
pub fn dup_raw(raw: i32) -> SysResult<OwnedFd> {
    // SAFETY: F_DUPFD_CLOEXEC only reads the descriptor table; an invalid
    // `raw` makes it fail with EBADF.
    let new = check(unsafe { libc::fcntl(raw, libc::F_DUPFD_CLOEXEC, 3) })?;
    // SAFETY: `new` is a freshly created descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

/// One directory entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    pub ino: u64,
    pub kind: FileKind,
    pub name: Vec<u8>,
}

/// Every entry of the directory open as `fd` (including `.` and `..`), in
/// the order the file system returns them. Reads through a fresh descriptor
/// so the position of `fd` is irrelevant.
pub fn read_dir(fd: BorrowedFd<'_>) -> SysResult<Vec<DirEntry>> {
    let dot = c".";
    // SAFETY: `dot` is a NUL-terminated string; openat returns a new descriptor or -1.
    let raw = check(unsafe {
        libc::openat(fd.as_raw_fd(), dot.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC)
    })?;
    // SAFETY: `raw` is a valid directory descriptor; on success fdopendir owns it.
    let dir = unsafe { libc::fdopendir(raw) };
    if dir.is_null() {
        let e = SysError::last();
        // SAFETY: fdopendir failed, so `raw` is still ours to close.
        unsafe { libc::close(raw) };
        return Err(e);
    }
    let mut out = Vec::new();
    let result = loop {
        // SAFETY: __errno_location returns this thread's errno slot.
        unsafe { *libc::__errno_location() = 0 };
        // SAFETY: `dir` is a valid DIR* until closedir below.
        let ent = unsafe { libc::readdir64(dir) };
        if ent.is_null() {
            // SAFETY: as above.
            let e = unsafe { *libc::__errno_location() };
            break if e == 0 { Ok(()) } else { Err(SysError::Os(e)) };
        }
        // SAFETY: a non-null readdir result points at a valid dirent whose
        // d_name is NUL-terminated; it stays valid until the next readdir.
        let (ino, dtype, name) = unsafe {
            let ent = &*ent;
            (ent.d_ino, ent.d_type, CStr::from_ptr(ent.d_name.as_ptr()).to_bytes().to_vec())
        };
        let kind = match dtype {
            libc::DT_BLK => FileKind::BlockDevice,
            libc::DT_CHR => FileKind::CharDevice,
            libc::DT_DIR => FileKind::Directory,
            libc::DT_REG => FileKind::Regular,
            libc::DT_SOCK => FileKind::SocketStream,
            libc::DT_LNK => FileKind::Symlink,
            libc::DT_FIFO => FileKind::Fifo,
            _ => {
                // SAFETY: `dir` is valid; dirfd only reads it.
                let dfd = unsafe { libc::dirfd(dir) };
                // SAFETY: `dfd` stays open while `dir` is open.
                let b = unsafe { BorrowedFd::borrow_raw(dfd) };
                crate::sandbox::stat_name(b, &name).map(|s| s.kind).unwrap_or(FileKind::Unknown)
            }
        };
        out.push(DirEntry { ino, kind, name });
    };
    // SAFETY: `dir` is valid and closed exactly once.
    unsafe { libc::closedir(dir) };
    result.map(|()| out)
}

/// Bytes that can be read without blocking (FIONREAD), if the file type tells.
pub fn bytes_readable(fd: BorrowedFd<'_>) -> Option<u64> {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int into `n`.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), libc::FIONREAD, &mut n) };
    if r == 0 && n >= 0 {
        Some(n as u64)
    } else {
        None
    }
}
