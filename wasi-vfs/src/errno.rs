//! WASI errno values (`wasi_snapshot_preview1::errno`), shared by the filesystem and the syscalls.

/// A WASI error number. The discriminants are the ABI values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[repr(u16)]
pub enum Errno {
    #[error("success")]
    Success = 0,
    #[error("argument list too long")]
    TooBig = 1,
    #[error("permission denied")]
    Acces = 2,
    #[error("address in use")]
    Addrinuse = 3,
    #[error("address not available")]
    Addrnotavail = 4,
    #[error("address family not supported")]
    Afnosupport = 5,
    #[error("resource unavailable, try again")]
    Again = 6,
    #[error("connection already in progress")]
    Already = 7,
    #[error("bad file descriptor")]
    Badf = 8,
    #[error("bad message")]
    Badmsg = 9,
    #[error("device or resource busy")]
    Busy = 10,
    #[error("operation canceled")]
    Canceled = 11,
    #[error("no child processes")]
    Child = 12,
    #[error("connection aborted")]
    Connaborted = 13,
    #[error("connection refused")]
    Connrefused = 14,
    #[error("connection reset")]
    Connreset = 15,
    #[error("resource deadlock would occur")]
    Deadlk = 16,
    #[error("destination address required")]
    Destaddrreq = 17,
    #[error("mathematics argument out of domain")]
    Dom = 18,
    #[error("reserved")]
    Dquot = 19,
    #[error("file exists")]
    Exist = 20,
    #[error("bad address")]
    Fault = 21,
    #[error("file too large")]
    Fbig = 22,
    #[error("host is unreachable")]
    Hostunreach = 23,
    #[error("identifier removed")]
    Idrm = 24,
    #[error("illegal byte sequence")]
    Ilseq = 25,
    #[error("operation in progress")]
    Inprogress = 26,
    #[error("interrupted function")]
    Intr = 27,
    #[error("invalid argument")]
    Inval = 28,
    #[error("I/O error")]
    Io = 29,
    #[error("socket is connected")]
    Isconn = 30,
    #[error("is a directory")]
    Isdir = 31,
    #[error("too many levels of symbolic links")]
    Loop = 32,
    #[error("file descriptor value too large")]
    Mfile = 33,
    #[error("too many links")]
    Mlink = 34,
    #[error("message too large")]
    Msgsize = 35,
    #[error("reserved")]
    Multihop = 36,
    #[error("filename too long")]
    Nametoolong = 37,
    #[error("network is down")]
    Netdown = 38,
    #[error("connection aborted by network")]
    Netreset = 39,
    #[error("network unreachable")]
    Netunreach = 40,
    #[error("too many files open in system")]
    Nfile = 41,
    #[error("no buffer space available")]
    Nobufs = 42,
    #[error("no such device")]
    Nodev = 43,
    #[error("no such file or directory")]
    Noent = 44,
    #[error("executable file format error")]
    Noexec = 45,
    #[error("no locks available")]
    Nolck = 46,
    #[error("reserved")]
    Nolink = 47,
    #[error("not enough space")]
    Nomem = 48,
    #[error("no message of the desired type")]
    Nomsg = 49,
    #[error("protocol not available")]
    Noprotoopt = 50,
    #[error("no space left on device")]
    Nospc = 51,
    #[error("function not supported")]
    Nosys = 52,
    #[error("the socket is not connected")]
    Notconn = 53,
    #[error("not a directory or a symbolic link to a directory")]
    Notdir = 54,
    #[error("directory not empty")]
    Notempty = 55,
    #[error("state not recoverable")]
    Notrecoverable = 56,
    #[error("not a socket")]
    Notsock = 57,
    #[error("not supported")]
    Notsup = 58,
    #[error("inappropriate I/O control operation")]
    Notty = 59,
    #[error("no such device or address")]
    Nxio = 60,
    #[error("value too large to be stored in data type")]
    Overflow = 61,
    #[error("previous owner died")]
    Ownerdead = 62,
    #[error("operation not permitted")]
    Perm = 63,
    #[error("broken pipe")]
    Pipe = 64,
    #[error("protocol error")]
    Proto = 65,
    #[error("protocol not supported")]
    Protonosupport = 66,
    #[error("protocol wrong type for socket")]
    Prototype = 67,
    #[error("result too large")]
    Range = 68,
    #[error("read-only file system")]
    Rofs = 69,
    #[error("invalid seek")]
    Spipe = 70,
    #[error("no such process")]
    Srch = 71,
    #[error("reserved")]
    Stale = 72,
    #[error("connection timed out")]
    Timedout = 73,
    #[error("text file busy")]
    Txtbsy = 74,
    #[error("cross-device link")]
    Xdev = 75,
    #[error("extension: capabilities insufficient")]
    Notcapable = 76,
}

impl Errno {
    /// The ABI value.
    pub fn raw(self) -> u16 {
        self as u16
    }

    /// The errno with ABI value `raw`, if there is one.
    pub fn from_raw(raw: u16) -> Option<Errno> {
        Some(match raw {
            0 => Errno::Success,
            1 => Errno::TooBig,
            2 => Errno::Acces,
            3 => Errno::Addrinuse,
            4 => Errno::Addrnotavail,
            5 => Errno::Afnosupport,
            6 => Errno::Again,
            7 => Errno::Already,
            8 => Errno::Badf,
            9 => Errno::Badmsg,
            10 => Errno::Busy,
            11 => Errno::Canceled,
            12 => Errno::Child,
            13 => Errno::Connaborted,
            14 => Errno::Connrefused,
            15 => Errno::Connreset,
            16 => Errno::Deadlk,
            17 => Errno::Destaddrreq,
            18 => Errno::Dom,
            19 => Errno::Dquot,
            20 => Errno::Exist,
            21 => Errno::Fault,
            22 => Errno::Fbig,
            23 => Errno::Hostunreach,
            24 => Errno::Idrm,
            25 => Errno::Ilseq,
            26 => Errno::Inprogress,
            27 => Errno::Intr,
            28 => Errno::Inval,
            29 => Errno::Io,
            30 => Errno::Isconn,
            31 => Errno::Isdir,
            32 => Errno::Loop,
            33 => Errno::Mfile,
            34 => Errno::Mlink,
            35 => Errno::Msgsize,
            36 => Errno::Multihop,
            37 => Errno::Nametoolong,
            38 => Errno::Netdown,
            39 => Errno::Netreset,
            40 => Errno::Netunreach,
            41 => Errno::Nfile,
            42 => Errno::Nobufs,
            43 => Errno::Nodev,
            44 => Errno::Noent,
            45 => Errno::Noexec,
            46 => Errno::Nolck,
            47 => Errno::Nolink,
            48 => Errno::Nomem,
            49 => Errno::Nomsg,
            50 => Errno::Noprotoopt,
            51 => Errno::Nospc,
            52 => Errno::Nosys,
            53 => Errno::Notconn,
            54 => Errno::Notdir,
            55 => Errno::Notempty,
            56 => Errno::Notrecoverable,
            57 => Errno::Notsock,
            58 => Errno::Notsup,
            59 => Errno::Notty,
            60 => Errno::Nxio,
            61 => Errno::Overflow,
            62 => Errno::Ownerdead,
            63 => Errno::Perm,
            64 => Errno::Pipe,
            65 => Errno::Proto,
            66 => Errno::Protonosupport,
            67 => Errno::Prototype,
            68 => Errno::Range,
            69 => Errno::Rofs,
            70 => Errno::Spipe,
            71 => Errno::Srch,
            72 => Errno::Stale,
            73 => Errno::Timedout,
            74 => Errno::Txtbsy,
            75 => Errno::Xdev,
            76 => Errno::Notcapable,
            _ => return None,
        })
    }
}

#[cfg(feature = "host")]
impl From<std::io::Error> for Errno {
    /// Maps a host I/O error to the errno POSIX would give (wasmtime's mapping).
    fn from(err: std::io::Error) -> Self {
        if let Some(code) = err.raw_os_error() {
            return from_raw_os_error(code);
        }
        use std::io::ErrorKind as K;
        match err.kind() {
            K::NotFound => Errno::Noent,
            K::PermissionDenied => Errno::Perm,
            K::AlreadyExists => Errno::Exist,
            K::InvalidInput => Errno::Inval,
            K::Interrupted => Errno::Intr,
            K::WouldBlock => Errno::Again,
            K::Unsupported => Errno::Notsup,
            K::OutOfMemory => Errno::Nomem,
            _ => Errno::Io,
        }
    }
}

#[cfg(feature = "host")]
fn from_raw_os_error(code: i32) -> Errno {
    // Linux errno numbers.
    match code {
        1 => Errno::Perm,
        2 => Errno::Noent,
        4 => Errno::Intr,
        5 => Errno::Io,
        6 => Errno::Nxio,
        9 => Errno::Badf,
        11 => Errno::Again,
        12 => Errno::Nomem,
        13 => Errno::Acces,
        16 => Errno::Busy,
        17 => Errno::Exist,
        18 => Errno::Xdev,
        19 => Errno::Nodev,
        20 => Errno::Notdir,
        21 => Errno::Isdir,
        22 => Errno::Inval,
        23 => Errno::Nfile,
        24 => Errno::Mfile,
        25 => Errno::Notty,
        26 => Errno::Txtbsy,
        27 => Errno::Fbig,
        28 => Errno::Nospc,
        29 => Errno::Spipe,
        30 => Errno::Rofs,
        31 => Errno::Mlink,
        32 => Errno::Pipe,
        36 => Errno::Nametoolong,
        38 => Errno::Nosys,
        39 => Errno::Notempty,
        40 => Errno::Loop,
        75 => Errno::Overflow,
        84 => Errno::Ilseq,
        95 => Errno::Notsup,
        _ => Errno::Io,
    }
}
