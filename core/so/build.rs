// libvmcore.so for the boards (aarch64, armv7) in a release build: linked small (arm_link.rs).
#[path = "arm_link.rs"]
mod arm_link;

fn main() {
    for arg in arm_link::arm_release_link_args() {
        println!("cargo:rustc-cdylib-link-arg={arg}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=arm_link.rs");
}
