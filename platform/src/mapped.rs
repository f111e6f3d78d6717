//! Read-only memory mappings of whole files: a named wasi-nn model (often hundreds of MB) is
//! handed to an engine as bytes without reading it into a buffer first; pages come from the page
//! cache as the engine touches them and are shared with every other process mapping the file.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;

/// A private read-only mapping of a whole file (an empty file maps to an empty slice).
pub struct MappedFile {
    ptr: *mut libc::c_void,
    len: usize,
}

// SAFETY: the mapping is read-only and owned by this value; sharing `&[u8]` views is safe.
unsafe impl Send for MappedFile {}
// SAFETY: as above.
unsafe impl Sync for MappedFile {}

impl MappedFile {
    /// Map `path`. Errors: the file cannot be opened, is not a regular file, or does not fit in
    /// the address space.
    pub fn open(path: &Path) -> std::io::Result<MappedFile> {
        let file = File::open(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"));
        }
        let len = usize::try_from(meta.len())
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::OutOfMemory, "file larger than the address space"))?;
        if len == 0 {
            return Ok(MappedFile { ptr: std::ptr::null_mut(), len: 0 });
        }
        // SAFETY: a fresh read-only private mapping of an open file descriptor; the kernel picks
        // the address. The descriptor may be closed afterwards (the mapping keeps the file).
        let ptr = unsafe {
            libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ, libc::MAP_PRIVATE, file.as_raw_fd(), 0)
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(MappedFile { ptr, len })
    }

    pub fn bytes(&self) -> &[u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: `ptr` maps `len` readable bytes for the lifetime of `self`. A file truncated by
        // another process while mapped makes reads past its new end fault (SIGBUS), as with any
        // mmap user; model files are not rewritten while a runtime uses them.
        unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.len) }
    }
}

impl Drop for MappedFile {
    fn drop(&mut self) {
        if self.len > 0 {
            // SAFETY: the mapping made in `open`, unmapped once.
            unsafe { libc::munmap(self.ptr, self.len) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_files_and_refuses_the_rest() {
        let dir = std::env::temp_dir().join(format!("ember-mapped-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("m.bin");
        std::fs::write(&f, b"model bytes").unwrap();
        assert_eq!(MappedFile::open(&f).unwrap().bytes(), b"model bytes");
        let e = dir.join("empty");
        std::fs::write(&e, b"").unwrap();
        assert!(MappedFile::open(&e).unwrap().bytes().is_empty());
        assert!(MappedFile::open(&dir).is_err());
        assert!(MappedFile::open(&dir.join("missing")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
