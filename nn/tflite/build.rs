// The backend links libvmcore.so dynamically (through vmcore-sys); when it is loaded by a
// program that has not loaded libvmcore.so yet, the loader finds it next to the backend or one
// folder up (bundle layouts lib/ and lib/<backend dir>/).
fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-rpath,$ORIGIN:$ORIGIN/..");
}
