fn main() { unsafe { vmcore_sys::wasm_runtime_init(); } }
