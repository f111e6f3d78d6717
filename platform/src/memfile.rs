//! Anonymous in-memory files (Linux memfd): bytes that only a file path can hand to a library
//! (llama.cpp opens models by path) without writing them to any file system. The file lives
//! until the `MemFile` is dropped and every mapping of it is unmapped.

use std::fs::File;
use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd};
use std::path::PathBuf;

pub struct MemFile {
    file: File,
}

impl MemFile {
    /// A sealed-size in-memory file holding `bytes`; `name` only shows in /proc (debugging).
    pub fn with_bytes(name: &str, bytes: &[u8]) -> std::io::Result<MemFile> {
        let cname = std::ffi::CString::new(name).map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "NUL in name"))?;
        // SAFETY: a valid C string; memfd_create returns a new descriptor or -1.
        let fd = unsafe { libc::memfd_create(cname.as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `fd` is a fresh descriptor owned by nothing else.
        let mut file = unsafe { File::from_raw_fd(fd) };
        file.write_all(bytes)?;
        Ok(MemFile { file })
    }

    /// A path that opens this file (in this process only).
    pub fn path(&self) -> PathBuf {
        PathBuf::from(format!("/proc/self/fd/{}", self.file.as_raw_fd()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn readable_by_path() {
        let f = super::MemFile::with_bytes("t", b"GGUF1234").unwrap();
        assert_eq!(std::fs::read(f.path()).unwrap(), b"GGUF1234");
    }
}
