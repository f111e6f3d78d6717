//! The WebAssembly 2.0 spec suite (`cargo test` runs it): every .wast file of
//! the suite against ember-interp, compared with tests/spec/expected-failures.txt.
//! The same harness is the `ember-spectest` binary (tests/spec/, a dev-dependency).

use ember_spectest::{run, Options, EXPECTED_FAILURES};

#[test]
fn spec_suite_matches_expected_failures() {
    let report = run(&Options::default()).expect("spec suite runs");
    let mut table = Vec::new();
    report.print(&mut table).expect("print to memory");
    // Shown with `cargo test -- --nocapture`, or when the test fails.
    println!("{}", String::from_utf8_lossy(&table));
    let cmp = report.compare(EXPECTED_FAILURES).expect("expected-failures.txt parses");
    assert!(
        cmp.is_clean(),
        "{cmp}\nIf a change is intended: cargo run -p ember-spectest --release -- --bless"
    );
}
