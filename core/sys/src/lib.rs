//! Rust declarations of libvmcore.so's C API. The header core/include/wasm_export.h
//! is the source of truth; tests check that both agree.
extern "C" {
    pub fn wasm_runtime_init() -> bool;
}
