// iwasm links libvmcore.so dynamically (via vmcore-sys). Give it an rpath
// that works both for bin/iwasm + lib/libvmcore.so and for both in one folder.
fn main() {
    println!("cargo:rustc-link-arg-bins=-Wl,-rpath,$ORIGIN:$ORIGIN/../lib");
}
