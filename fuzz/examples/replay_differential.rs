//! Replays one `differential_wasmi` input and prints both engines' runs side by side (each
//! call's outcome, then globals, memories and tables), and the first difference:
//!
//!     cargo run --example replay_differential -- INPUT
fn main() {
    let input = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: replay_differential INPUT");
        std::process::exit(2);
    });
    let data = std::fs::read(&input).expect("read the input");
    let Some(bytes) = ember_fuzz::differential_module(&data) else {
        eprintln!("wasm-smith builds no module from this input");
        std::process::exit(1);
    };
    let ember = ember_fuzz::ember_run(&bytes);
    let wasmi = ember_fuzz::wasmi_run(&bytes, ember_fuzz::wasmi_plan(&ember));
    println!("ember: {ember:#?}\nwasmi: {wasmi:#?}");
    if let (Ok(e), Ok(w)) = (&ember, &wasmi) {
        println!("first difference: {:?}", ember_fuzz::compare(e, w));
    }
    println!("known divergence: {:?}", ember_fuzz::known_divergences::known(&bytes));
}
