//! External delegates (the NPU/GPU path on boards): a shared library exporting TFLite's external
//! delegate plugin entry points, as Coral's libedgetpu, NXP's VX delegate or Arm NN's delegate do:
//!   TfLiteDelegate* tflite_plugin_create_delegate(char** keys, char** values, size_t n,
//!                                                 void (*report_error)(const char*));
//!   void tflite_plugin_destroy_delegate(TfLiteDelegate*);
//! This is the protocol TFLite's own external delegate (TfLiteExternalDelegateCreate) wraps; we
//! speak it directly so no extra TFLite library is needed. Options come from `delegate.K=V`.

use std::ffi::{c_char, c_void, CStr, CString};
use std::path::Path;

use ember_nn_abi::NnError;

use ember_nn_abi::sdk::{Error, Result};

type Create = unsafe extern "C" fn(
    *const *const c_char,
    *const *const c_char,
    usize,
    Option<unsafe extern "C" fn(*const c_char)>,
) -> *mut c_void;
type Destroy = unsafe extern "C" fn(*mut c_void);

pub struct ExternalDelegate {
    ptr: *mut c_void,
    destroy: Destroy,
    /// Never closed, like the engines (see classic.rs).
    _lib: std::mem::ManuallyDrop<libloading::Library>,
}

// SAFETY: the delegate pointer is handed to TFLite, which uses it from whichever thread runs
// the interpreter; delegates are required to tolerate that (one interpreter at a time).
unsafe impl Send for ExternalDelegate {}
// SAFETY: we never touch the delegate ourselves after creation, except to destroy it once.
unsafe impl Sync for ExternalDelegate {}

unsafe extern "C" fn report(msg: *const c_char) {
    if !msg.is_null() {
        // SAFETY: the delegate passes a NUL-terminated message.
        log::warn!("wasi-nn tflite delegate: {}", unsafe { CStr::from_ptr(msg) }.to_string_lossy());
    }
}

impl ExternalDelegate {
    pub fn open(path: &Path, options: &[(String, String)]) -> Result<ExternalDelegate> {
        // SAFETY: the user named this library as a TFLite delegate; loading runs its initialisers.
        let lib = unsafe { libloading::Library::new(path) }
            .map_err(|e| Error::new(NnError::NotFound, format!("delegate {}: {e}", path.display())))?;
        // SAFETY: the types are the external delegate protocol's (see the module comment).
        let create: Create = match unsafe { lib.get::<Create>(b"tflite_plugin_create_delegate\0") } {
            Ok(s) => *s,
            Err(_) => {
                return Err(Error::invalid(format!(
                    "{} is not a TFLite external delegate (no tflite_plugin_create_delegate)",
                    path.display()
                )))
            }
        };
        // SAFETY: as above.
        let destroy: Destroy = match unsafe { lib.get::<Destroy>(b"tflite_plugin_destroy_delegate\0") } {
            Ok(s) => *s,
            Err(_) => return Err(Error::invalid(format!("{} lacks tflite_plugin_destroy_delegate", path.display()))),
        };
        let to_c = |s: &str| CString::new(s).map_err(|_| Error::invalid("delegate option with a NUL byte"));
        let keys = options.iter().map(|(k, _)| to_c(k)).collect::<Result<Vec<_>>>()?;
        let values = options.iter().map(|(_, v)| to_c(v)).collect::<Result<Vec<_>>>()?;
        let kp: Vec<*const c_char> = keys.iter().map(|k| k.as_ptr()).collect();
        let vp: Vec<*const c_char> = values.iter().map(|v| v.as_ptr()).collect();
        // SAFETY: kp/vp hold kp.len() valid C strings alive during the call.
        let ptr = unsafe { create(kp.as_ptr(), vp.as_ptr(), kp.len(), Some(report)) };
        if ptr.is_null() {
            return Err(Error::runtime(format!("delegate {} refused to start", path.display())));
        }
        Ok(ExternalDelegate { ptr, destroy, _lib: std::mem::ManuallyDrop::new(lib) })
    }

    pub fn as_ptr(&self) -> *mut c_void {
        self.ptr
    }
}

impl Drop for ExternalDelegate {
    fn drop(&mut self) {
        // SAFETY: created by this library's create function, destroyed once, after every
        // interpreter using it (the graph drops the delegate last).
        unsafe { (self.destroy)(self.ptr) };
    }
}
