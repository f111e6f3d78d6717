// The build script of every Rust wasi-nn backend (`build = "../abi/backend_build.rs"` in its
// Cargo.toml; nn/armnn has its own, which does the same besides building its C++ shim).
// A backend links libvmcore.so dynamically (through vmcore-sys); when it is loaded by a program
// that has not loaded libvmcore.so yet, the loader finds it next to the backend or one folder up
// (the bundle layout: lib/libvmcore.so, lib/wasi-nn/libwasi_nn_backend_<name>.so).
fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-rpath,$ORIGIN:$ORIGIN/..");
}
