// iwasm links libvmcore.so dynamically (via vmcore-sys). Give it an rpath
// that works both for bin/iwasm + lib/libvmcore.so and for both in one folder.
// On the boards (ARM release builds) it is linked as libvmcore.so is (core/so/arm_link.rs).
#[path = "core/so/arm_link.rs"]
mod arm_link;

fn main() {
    println!("cargo:rustc-link-arg-bins=-Wl,-rpath,$ORIGIN:$ORIGIN/../lib");
    for arg in arm_link::arm_release_link_args() {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=core/so/arm_link.rs");
}
