//! wasi_snapshot_preview1 constants and struct layouts (from the witx spec).

/// A WASI error number (`errno`, u16 in the ABI).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub u16);

#[allow(dead_code)]
impl Errno {
    pub const SUCCESS: Errno = Errno(0);
    pub const TOOBIG: Errno = Errno(1);
    pub const ACCES: Errno = Errno(2);
    pub const ADDRINUSE: Errno = Errno(3);
    pub const ADDRNOTAVAIL: Errno = Errno(4);
    pub const AFNOSUPPORT: Errno = Errno(5);
    pub const AGAIN: Errno = Errno(6);
    pub const ALREADY: Errno = Errno(7);
    pub const BADF: Errno = Errno(8);
    pub const BADMSG: Errno = Errno(9);
    pub const BUSY: Errno = Errno(10);
    pub const CANCELED: Errno = Errno(11);
    pub const CHILD: Errno = Errno(12);
    pub const CONNABORTED: Errno = Errno(13);
    pub const CONNREFUSED: Errno = Errno(14);
    pub const CONNRESET: Errno = Errno(15);
    pub const DEADLK: Errno = Errno(16);
    pub const DESTADDRREQ: Errno = Errno(17);
    pub const DOM: Errno = Errno(18);
    pub const DQUOT: Errno = Errno(19);
    pub const EXIST: Errno = Errno(20);
    pub const FAULT: Errno = Errno(21);
    pub const FBIG: Errno = Errno(22);
    pub const HOSTUNREACH: Errno = Errno(23);
    pub const IDRM: Errno = Errno(24);
    pub const ILSEQ: Errno = Errno(25);
    pub const INPROGRESS: Errno = Errno(26);
    pub const INTR: Errno = Errno(27);
    pub const INVAL: Errno = Errno(28);
    pub const IO: Errno = Errno(29);
    pub const ISCONN: Errno = Errno(30);
    pub const ISDIR: Errno = Errno(31);
    pub const LOOP: Errno = Errno(32);
    pub const MFILE: Errno = Errno(33);
    pub const MLINK: Errno = Errno(34);
    pub const MSGSIZE: Errno = Errno(35);
    pub const MULTIHOP: Errno = Errno(36);
    pub const NAMETOOLONG: Errno = Errno(37);
    pub const NETDOWN: Errno = Errno(38);
    pub const NETRESET: Errno = Errno(39);
    pub const NETUNREACH: Errno = Errno(40);
    pub const NFILE: Errno = Errno(41);
    pub const NOBUFS: Errno = Errno(42);
    pub const NODEV: Errno = Errno(43);
    pub const NOENT: Errno = Errno(44);
    pub const NOEXEC: Errno = Errno(45);
    pub const NOLCK: Errno = Errno(46);
    pub const NOLINK: Errno = Errno(47);
    pub const NOMEM: Errno = Errno(48);
    pub const NOMSG: Errno = Errno(49);
    pub const NOPROTOOPT: Errno = Errno(50);
    pub const NOSPC: Errno = Errno(51);
    pub const NOSYS: Errno = Errno(52);
    pub const NOTCONN: Errno = Errno(53);
    pub const NOTDIR: Errno = Errno(54);
    pub const NOTEMPTY: Errno = Errno(55);
    pub const NOTRECOVERABLE: Errno = Errno(56);
    pub const NOTSOCK: Errno = Errno(57);
    pub const NOTSUP: Errno = Errno(58);
    pub const NOTTY: Errno = Errno(59);
    pub const NXIO: Errno = Errno(60);
    pub const OVERFLOW: Errno = Errno(61);
    pub const OWNERDEAD: Errno = Errno(62);
    pub const PERM: Errno = Errno(63);
    pub const PIPE: Errno = Errno(64);
    pub const PROTO: Errno = Errno(65);
    pub const PROTONOSUPPORT: Errno = Errno(66);
    pub const PROTOTYPE: Errno = Errno(67);
    pub const RANGE: Errno = Errno(68);
    pub const ROFS: Errno = Errno(69);
    pub const SPIPE: Errno = Errno(70);
    pub const SRCH: Errno = Errno(71);
    pub const STALE: Errno = Errno(72);
    pub const TIMEDOUT: Errno = Errno(73);
    pub const TXTBSY: Errno = Errno(74);
    pub const XDEV: Errno = Errno(75);
    pub const NOTCAPABLE: Errno = Errno(76);

    /// The WASI errno for a host errno.
    pub fn from_host(e: i32) -> Errno {
        use libc_errno as h;
        match e {
            h::E2BIG => Errno::TOOBIG,
            h::EACCES => Errno::ACCES,
            h::EADDRINUSE => Errno::ADDRINUSE,
            h::EADDRNOTAVAIL => Errno::ADDRNOTAVAIL,
            h::EAFNOSUPPORT => Errno::AFNOSUPPORT,
            h::EAGAIN => Errno::AGAIN,
            h::EALREADY => Errno::ALREADY,
            h::EBADF => Errno::BADF,
            h::EBADMSG => Errno::BADMSG,
            h::EBUSY => Errno::BUSY,
            h::ECANCELED => Errno::CANCELED,
            h::ECHILD => Errno::CHILD,
            h::ECONNABORTED => Errno::CONNABORTED,
            h::ECONNREFUSED => Errno::CONNREFUSED,
            h::ECONNRESET => Errno::CONNRESET,
            h::EDEADLK => Errno::DEADLK,
            h::EDESTADDRREQ => Errno::DESTADDRREQ,
            h::EDOM => Errno::DOM,
            h::EDQUOT => Errno::DQUOT,
            h::EEXIST => Errno::EXIST,
            h::EFAULT => Errno::FAULT,
            h::EFBIG => Errno::FBIG,
            h::EHOSTUNREACH => Errno::HOSTUNREACH,
            h::EIDRM => Errno::IDRM,
            h::EILSEQ => Errno::ILSEQ,
            h::EINPROGRESS => Errno::INPROGRESS,
            h::EINTR => Errno::INTR,
            h::EINVAL => Errno::INVAL,
            h::EIO => Errno::IO,
            h::EISCONN => Errno::ISCONN,
            h::EISDIR => Errno::ISDIR,
            h::ELOOP => Errno::LOOP,
            h::EMFILE => Errno::MFILE,
            h::EMLINK => Errno::MLINK,
            h::EMSGSIZE => Errno::MSGSIZE,
            h::EMULTIHOP => Errno::MULTIHOP,
            h::ENAMETOOLONG => Errno::NAMETOOLONG,
            h::ENETDOWN => Errno::NETDOWN,
            h::ENETRESET => Errno::NETRESET,
            h::ENETUNREACH => Errno::NETUNREACH,
            h::ENFILE => Errno::NFILE,
            h::ENOBUFS => Errno::NOBUFS,
            h::ENODEV => Errno::NODEV,
            h::ENOENT => Errno::NOENT,
            h::ENOEXEC => Errno::NOEXEC,
            h::ENOLCK => Errno::NOLCK,
            h::ENOLINK => Errno::NOLINK,
            h::ENOMEM => Errno::NOMEM,
            h::ENOMSG => Errno::NOMSG,
            h::ENOPROTOOPT => Errno::NOPROTOOPT,
            h::ENOSPC => Errno::NOSPC,
            h::ENOSYS => Errno::NOSYS,
            h::ENOTCONN => Errno::NOTCONN,
            h::ENOTDIR => Errno::NOTDIR,
            h::ENOTEMPTY => Errno::NOTEMPTY,
            h::ENOTRECOVERABLE => Errno::NOTRECOVERABLE,
            h::ENOTSOCK => Errno::NOTSOCK,
            h::ENOTSUP => Errno::NOTSUP,
            h::ENOTTY => Errno::NOTTY,
            h::ENXIO => Errno::NXIO,
            h::EOVERFLOW => Errno::OVERFLOW,
            h::EOWNERDEAD => Errno::OWNERDEAD,
            h::EPERM => Errno::PERM,
            h::EPIPE => Errno::PIPE,
            h::EPROTO => Errno::PROTO,
            h::EPROTONOSUPPORT => Errno::PROTONOSUPPORT,
            h::EPROTOTYPE => Errno::PROTOTYPE,
            h::ERANGE => Errno::RANGE,
            h::EROFS => Errno::ROFS,
            h::ESPIPE => Errno::SPIPE,
            h::ESRCH => Errno::SRCH,
            h::ESTALE => Errno::STALE,
            h::ETIMEDOUT => Errno::TIMEDOUT,
            h::ETXTBSY => Errno::TXTBSY,
            h::EXDEV => Errno::XDEV,
            _ => Errno::IO,
        }
    }
}

/// Host errno numbers (Linux, identical on every architecture Ember targets
/// except where libc says otherwise); taken from the platform crate's libc.
mod libc_errno {
    pub use ember_platform::errno::*;
}

impl From<ember_platform::SysError> for Errno {
    fn from(e: ember_platform::SysError) -> Errno {
        match e {
            ember_platform::SysError::Os(code) => Errno::from_host(code),
            ember_platform::SysError::NotCapable => Errno::NOTCAPABLE,
        }
    }
}

/// Rights (`rights`, u64 bit set).
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;

    pub const ALL: u64 = (1 << 30) - 1;

    /// Rights that make sense on a regular file (or another non-directory).
    pub const FILE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;

    /// Rights that make sense on a directory.
    pub const DIR: u64 = FD_DATASYNC
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;

    /// Rights that change the file system: removed from read-only preopens
    /// (from their own rights and from what files opened beneath inherit).
    pub const MUTATING: u64 = FD_WRITE
        | FD_ALLOCATE
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;

    /// Rights that need the host file opened for writing (`path_open`).
    /// wasi-libc asks for exactly these with O_WRONLY/O_RDWR and for none of
    /// them with O_RDONLY (`opendir` included), so write access to a directory
    /// (`open(".", O_RDWR|O_DIRECTORY)`) reaches the kernel and fails with
    /// EISDIR, as on Linux, WAMR and Wasmtime.
    pub const OPEN_FOR_WRITING: u64 = FD_WRITE | FD_ALLOCATE | FD_FILESTAT_SET_SIZE;

    /// Rights of a socket.
    pub const SOCKET: u64 = FD_READ | FD_WRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE | SOCK_SHUTDOWN | SOCK_ACCEPT;

    /// Rights of a terminal: no seek/tell (that is how wasi-libc's isatty tells a tty).
    pub const TTY: u64 = FD_READ | FD_FDSTAT_SET_FLAGS | FD_WRITE | FD_FILESTAT_GET | POLL_FD_READWRITE;
}

/// `filetype` (u8).
pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const BLOCK_DEVICE: u8 = 1;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SOCKET_DGRAM: u8 = 5;
    pub const SOCKET_STREAM: u8 = 6;
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// `fdflags` (u16).
pub mod fdflags {
    pub const APPEND: u16 = 1;
    pub const DSYNC: u16 = 2;
    pub const NONBLOCK: u16 = 4;
    pub const RSYNC: u16 = 8;
    pub const SYNC: u16 = 16;
    pub const ALL: u16 = 31;
}

/// `oflags` (u16).
pub mod oflags {
    pub const CREAT: u16 = 1;
    pub const DIRECTORY: u16 = 2;
    pub const EXCL: u16 = 4;
    pub const TRUNC: u16 = 8;
    pub const ALL: u16 = 15;
}

/// `lookupflags` (u32).
pub const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

/// `fstflags` (u16).
pub mod fstflags {
    pub const ATIM: u16 = 1;
    pub const ATIM_NOW: u16 = 2;
    pub const MTIM: u16 = 4;
    pub const MTIM_NOW: u16 = 8;
    pub const ALL: u16 = 15;
}

/// `eventtype` (u8).
pub mod eventtype {
    pub const CLOCK: u8 = 0;
    pub const FD_READ: u8 = 1;
    pub const FD_WRITE: u8 = 2;
}

/// `subclockflags` (u16).
pub const SUBSCRIPTION_CLOCK_ABSTIME: u16 = 1;
/// `eventrwflags` (u16).
pub const EVENT_FD_READWRITE_HANGUP: u16 = 1;

/// `riflags`, `roflags`, `sdflags`.
pub const RECV_PEEK: u16 = 1;
pub const RECV_WAITALL: u16 = 2;
pub const RECV_DATA_TRUNCATED: u16 = 1;
pub const SHUT_RD: u8 = 1;
pub const SHUT_WR: u8 = 2;

/// Struct sizes in guest memory.
pub const IOVEC_SIZE: u32 = 8;
pub const FDSTAT_SIZE: u32 = 24;
pub const FILESTAT_SIZE: u32 = 64;
pub const DIRENT_SIZE: u32 = 24;
pub const PRESTAT_SIZE: u32 = 8;
pub const SUBSCRIPTION_SIZE: u32 = 48;
pub const EVENT_SIZE: u32 = 32;
