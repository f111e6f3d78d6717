//! The backend's own allocations (graph and context records, tensor buffers) come from
//! libvmcore.so's `wasm_runtime_malloc`, so the runtime's memory mode (pool mode included) bounds
//! them. ArmNN's internal allocations (parsed network, weights, workspaces) use libstdc++'s
//! operator new and are outside that accounting.
use std::ffi::c_void;
use std::mem::{align_of, size_of};
use std::ops::{Deref, DerefMut};
use std::ptr::{self, NonNull};

use vmcore_sys::{wasm_runtime_free, wasm_runtime_malloc};

use crate::error::Error;

/// Blocks from wasm_runtime_malloc are aligned at least this much (WAMR guarantees 8).
const RUNTIME_ALIGN: usize = 8;

fn raw_alloc(size: usize, what: &str) -> Result<NonNull<u8>, Error> {
    let size32 = u32::try_from(size.max(1))
        .map_err(|_| Error::runtime(format!("{what}: {size} bytes exceed what wasm_runtime_malloc can give")))?;
    // SAFETY: plain call into libvmcore.so's allocator; any size is allowed, NULL means failure.
    let p = unsafe { wasm_runtime_malloc(size32) } as *mut u8;
    let p = NonNull::new(p)
        .ok_or_else(|| Error::runtime(format!("{what}: wasm_runtime_malloc({size}) failed (memory pool exhausted?)")))?;
    if (p.as_ptr() as usize) % RUNTIME_ALIGN != 0 {
        // SAFETY: `p` came from wasm_runtime_malloc just above and is not used afterwards.
        unsafe { wasm_runtime_free(p.as_ptr() as *mut c_void) };
        return Err(Error::runtime(format!("{what}: wasm_runtime_malloc returned a misaligned block")));
    }
    Ok(p)
}

/// A zero-initialised byte buffer in runtime memory.
pub struct VmBuf {
    ptr: NonNull<u8>,
    len: usize,
}

impl VmBuf {
    pub fn zeroed(len: usize, what: &str) -> Result<VmBuf, Error> {
        let ptr = raw_alloc(len, what)?;
        // SAFETY: the block holds at least max(len, 1) bytes.
        unsafe { ptr::write_bytes(ptr.as_ptr(), 0, len) };
        Ok(VmBuf { ptr, len })
    }
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr` owns `len` initialised bytes for the lifetime of `self`.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as above, and `&mut self` makes this the only reference.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
    pub fn as_ptr(&self) -> *const c_void {
        self.ptr.as_ptr() as *const c_void
    }
    pub fn as_mut_ptr(&mut self) -> *mut c_void {
        self.ptr.as_ptr() as *mut c_void
    }
}

impl Drop for VmBuf {
    fn drop(&mut self) {
        // SAFETY: the block came from wasm_runtime_malloc and is freed once, here.
        unsafe { wasm_runtime_free(self.ptr.as_ptr() as *mut c_void) }
    }
}

// SAFETY: VmBuf owns its block exclusively (like Vec<u8>); the allocator is thread-safe.
unsafe impl Send for VmBuf {}
// SAFETY: shared access only reads.
unsafe impl Sync for VmBuf {}

/// A `Box` whose memory comes from wasm_runtime_malloc; handed to libvmcore.so as an opaque
/// handle with [`VmBox::into_raw`] and taken back with [`VmBox::from_raw`].
pub struct VmBox<T> {
    ptr: NonNull<T>,
}

impl<T> VmBox<T> {
    pub fn new(value: T, what: &str) -> Result<VmBox<T>, Error> {
        const { assert!(align_of::<T>() <= RUNTIME_ALIGN) };
        let ptr = raw_alloc(size_of::<T>(), what)?.cast::<T>();
        // SAFETY: the block is large and aligned enough for a T (checked above) and uninitialised.
        unsafe { ptr.as_ptr().write(value) };
        Ok(VmBox { ptr })
    }
    pub fn into_raw(self) -> *mut T {
        let p = self.ptr.as_ptr();
        std::mem::forget(self);
        p
    }
    /// # Safety
    /// `p` must come from [`VmBox::into_raw`] and not have been taken back before.
    pub unsafe fn from_raw(p: *mut T) -> Option<VmBox<T>> {
        NonNull::new(p).map(|ptr| VmBox { ptr })
    }
}

impl<T> Deref for VmBox<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: `ptr` holds an initialised T owned by this box.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T> DerefMut for VmBox<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as above; `&mut self` makes the access exclusive.
        unsafe { self.ptr.as_mut() }
    }
}

impl<T> Drop for VmBox<T> {
    fn drop(&mut self) {
        // SAFETY: the T is initialised and dropped once; then its block goes back to the runtime.
        unsafe {
            ptr::drop_in_place(self.ptr.as_ptr());
            wasm_runtime_free(self.ptr.as_ptr() as *mut c_void);
        }
    }
}
