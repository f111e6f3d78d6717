//! Helpers shared by interp's integration tests.
#![allow(dead_code)]

use ember_interp::*;

/// Calls export `name` (one i32 result).
pub fn call_i32(
    store: &mut Store<()>,
    inst: Instance,
    name: &str,
    args: &[Val],
) -> Result<i32, Trap> {
    let f = inst.get_func(store, name).expect("export");
    let mut out = [Val::I32(0)];
    f.call(store, args, &mut out)?;
    match out[0] {
        Val::I32(v) => Ok(v),
        v => panic!("unexpected {v:?}"),
    }
}
