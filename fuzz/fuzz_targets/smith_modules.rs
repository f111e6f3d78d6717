//! Valid WebAssembly 2.0 modules (wasm-smith, SIMD off) through the whole Ember pipeline, like
//! module_bytes but past the decoder: every module must load and translate (it is valid), and
//! instantiation and calls must end in a value, a trap or an error, never a panic.
#![no_main]

use ember_interp::{Error, Module};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(bytes) = ember_fuzz::smith_module(data) else { return };
    match Module::new(&bytes) {
        Ok(module) => {
            if let Err(e) = module.translate_all() {
                panic!("a valid module does not translate: {e}");
            }
        }
        // The host said no to an allocation: not a conformance failure.
        Err(Error::Limit(_)) => return,
        Err(e) => panic!("Ember rejects a valid WebAssembly 2.0 module: {e}"),
    }
    ember_fuzz::ember_pipeline(&bytes);
});
