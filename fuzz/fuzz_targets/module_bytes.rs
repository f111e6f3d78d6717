//! Raw bytes as a module: Ember's decoder and validator (wasmparser), the translator to the
//! register IR (every body, eagerly), instantiation with stub imports, then every exported
//! function called with three fixed argument sets under fuel. Errors are expected; a panic,
//! a sanitizer report, a hang or an out-of-memory is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ember_fuzz::ember_pipeline(data);
});
