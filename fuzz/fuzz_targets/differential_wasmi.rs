//! Ember against wasmi 2.0.0 on wasm-smith modules without imports (WebAssembly 2.0, no SIMD,
//! NaNs canonicalised by wasm-smith so that results are deterministic): instantiation, each
//! exported function called with three fixed argument sets (results and traps compared), then
//! the exported globals, memories (every byte) and table sizes. A run that hits fuel or stack
//! limits on either side is not compared further (the engines count differently). Divergences
//! caused by wasmi's own known bugs (fuzz/known_divergences.md) are filtered.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(bytes) = ember_fuzz::differential_module(data) else { return };
    let ember = ember_fuzz::ember_run(&bytes);
    // A module wasmi's translator is known to panic on is run on Ember only.
    if ember_fuzz::known_divergences::wasmi_panics(&bytes).is_some() {
        return;
    }
    // Where Ember stopped at a limit, wasmi need not go further (nothing more is compared).
    let wasmi = ember_fuzz::wasmi_run(&bytes, ember_fuzz::wasmi_plan(&ember));
    let diff = match (&ember, &wasmi) {
        (Ok(e), Ok(w)) => ember_fuzz::compare(e, w),
        (Err(_), Err(_)) => None,
        (e, w) => Some(format!("validation: ember {:?} / wasmi {:?}", e.as_ref().err(), w.as_ref().err())),
    };
    if let Some(diff) = diff {
        if ember_fuzz::known_divergences::known(&bytes).is_some() {
            return;
        }
        panic!("Ember and wasmi 2.0.0 disagree: {diff}");
    }
});
