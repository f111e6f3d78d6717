//! Writes the module a fuzz input stands for, to replay or inspect a finding
//! (e.g. `wasm2wat`, `iwasm -f`):
//!
//!     cargo run --example smith_wasm -- differential|smith INPUT OUT.wasm
//!
//! `differential`: what `differential_wasmi` builds (`ember_fuzz::differential_module`);
//! `smith`: what `smith_modules` builds (`ember_fuzz::smith_module`).
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kind, input, out] = &args[..] else {
        eprintln!("usage: smith_wasm differential|smith INPUT OUT.wasm");
        std::process::exit(2);
    };
    let data = std::fs::read(input).expect("read the input");
    let module = match kind.as_str() {
        "differential" => ember_fuzz::differential_module(&data),
        "smith" => ember_fuzz::smith_module(&data),
        _ => {
            eprintln!("unknown kind {kind}");
            std::process::exit(2);
        }
    };
    let Some(bytes) = module else {
        eprintln!("wasm-smith builds no module from this input");
        std::process::exit(1);
    };
    std::fs::write(out, bytes).expect("write the module");
}
