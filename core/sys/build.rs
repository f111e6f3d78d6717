// Link libvmcore.so dynamically. Cargo builds the `vmcore` cdylib into the
// profile directory (target/<triple>/<profile>/); we point the linker there.
fn main() {
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    // OUT_DIR = target/[triple/]profile/build/vmcore-sys-xxxx/out
    let profile_dir = out.ancestors().nth(3).expect("profile dir").to_path_buf();
    println!("cargo:rustc-link-search=native={}", profile_dir.display());
    println!("cargo:rustc-link-search=native={}", profile_dir.join("deps").display());
    println!("cargo:rustc-link-lib=dylib=vmcore");
    println!("cargo:profile_dir={}", profile_dir.display());
}
