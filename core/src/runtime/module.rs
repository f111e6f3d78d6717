//! `wasm_module_t`: a validated module plus settings attached before
//! instantiation.

use std::cell::UnsafeCell;
use std::ffi::c_void;

use super::error::Error;
use super::host::ModuleSettings;

/// What a `wasm_module_t` points to.
pub struct LoadedModule {
    pub module: ember_interp::Module,
    /// Interior mutability: C API setters take the handle, not a `&mut`.
    settings: UnsafeCell<ModuleSettings>,
}

impl LoadedModule {
    /// Validate `bytes` (the buffer is not kept: the interpreter copies what it needs).
    pub fn load(bytes: &[u8]) -> Result<Box<LoadedModule>, Error> {
        // Pool mode: parsing, validation and the IR take up to ~3 times the
        // size of what is parsed (measured: a 140 KiB wasi-libc app peaks at 2.6x);
        // refuse early instead of aborting in the middle of the parser. Custom
        // sections (names, DWARF) are skipped, not parsed: they do not count.
        let parsed = ember_interp::sections_size(bytes).parsed;
        if !crate::alloc::room_for(parsed.saturating_mul(3)) {
            return Err(Error::LoadRoom { bytes: bytes.len(), parsed });
        }
        // One line, whatever the parser's message looks like.
        // Each section is checked against the pool again as it is read (declared counts).
        let module = ember_interp::Module::new_checked(bytes, crate::alloc::room_for).map_err(|e| Error::Invalid(e.to_string().split_whitespace().collect::<Vec<_>>().join(" ")))?;
        log::debug!(
            "loaded a module of {} bytes: {} imports, {} exports",
            bytes.len(),
            module.imports().len(),
            module.exports().len()
        );
        Ok(Box::new(LoadedModule { module, settings: UnsafeCell::new(ModuleSettings::default()) }))
    }

    /// The settings, for instantiation.
    pub fn settings(&self) -> &ModuleSettings {
        // SAFETY: mutation happens only through `settings_of`, whose contract
        // excludes concurrent references (the C API is not used concurrently
        // on one module while it is being configured).
        unsafe { &*self.settings.get() }
    }
}

/// See [`super::host::module_settings`].
///
/// # Safety
/// `module` must be NULL or a live `wasm_module_t`; no other reference to
/// its settings may be alive.
pub unsafe fn settings_of<'a>(module: *mut c_void) -> Option<&'a mut ModuleSettings> {
    let m = module as *const LoadedModule;
    if m.is_null() {
        return None;
    }
    // SAFETY: forwarded contract.
    unsafe { Some(&mut *(*m).settings.get()) }
}

