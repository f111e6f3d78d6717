//! Function-body validation: wasmparser's operator validator, instantiated in this crate.
//!
//! The validator is generic, so its code is compiled in the crate that instantiates it, at that
//! crate's opt-level. Validation is most of a module's load time, so it gets its own crate and
//! its own entry in the release profile (Cargo.toml at the root), apart from the loader's
//! size-optimized code.

use wasmparser::{BinaryReaderError, FuncToValidate, FuncValidatorAllocations, FunctionBody, ValidatorResources};

/// Validate one function body, reusing (and returning) the validator's allocations.
#[inline(never)]
pub fn validate_body(
    func: FuncToValidate<ValidatorResources>,
    body: &FunctionBody<'_>,
    allocs: FuncValidatorAllocations,
) -> (Result<(), BinaryReaderError>, FuncValidatorAllocations) {
    let mut v = func.into_validator(allocs);
    let r = v.validate(body);
    (r, v.into_allocations())
}
