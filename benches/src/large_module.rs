//! Generates a large, valid wasm module (a few MB) for measuring translation
//! time: `count` exported functions `f<i>: (i32) -> i32`, each a few hundred
//! bytes of loops, branches, integer/float arithmetic, memory traffic and a
//! call. Calling a function with 0 runs each loop once, so calling all of them
//! forces a lazy engine to translate every body at small execution cost.

fn uleb(mut n: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn sleb(mut n: i64, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        let done = (n == 0 && byte & 0x40 == 0) || (n == -1 && byte & 0x40 != 0);
        out.push(if done { byte } else { byte | 0x80 });
        if done {
            return;
        }
    }
}

fn section(id: u8, payload: &[u8], out: &mut Vec<u8>) {
    out.push(id);
    uleb(payload.len() as u64, out);
    out.extend_from_slice(payload);
}

/// Instruction bytes used below.
mod op {
    pub const BLOCK: u8 = 0x02;
    pub const LOOP: u8 = 0x03;
    pub const IF: u8 = 0x04;
    pub const ELSE: u8 = 0x05;
    pub const END: u8 = 0x0b;
    pub const BR: u8 = 0x0c;
    pub const BR_IF: u8 = 0x0d;
    pub const CALL: u8 = 0x10;
    pub const LOCAL_GET: u8 = 0x20;
    pub const LOCAL_SET: u8 = 0x21;
    pub const I32_LOAD: u8 = 0x28;
    pub const I32_STORE: u8 = 0x36;
    pub const I32_CONST: u8 = 0x41;
    pub const I64_CONST: u8 = 0x42;
    pub const F64_CONST: u8 = 0x44;
    pub const I32_EQZ: u8 = 0x45;
    pub const I32_ADD: u8 = 0x6a;
    pub const I32_SUB: u8 = 0x6b;
    pub const I32_MUL: u8 = 0x6c;
    pub const I32_AND: u8 = 0x71;
    pub const I32_XOR: u8 = 0x73;
    pub const I32_SHL: u8 = 0x74;
    pub const I32_SHR_U: u8 = 0x76;
    pub const I32_ROTL: u8 = 0x77;
    pub const I64_MUL: u8 = 0x7e;
    pub const F64_ABS: u8 = 0x99;
    pub const F64_SQRT: u8 = 0x9f;
    pub const F64_MUL: u8 = 0xa2;
    pub const I32_WRAP_I64: u8 = 0xa7;
    pub const I64_EXTEND_I32_U: u8 = 0xad;
    pub const F64_CONVERT_I32_S: u8 = 0xb7;
    pub const PREFIX_FC: u8 = 0xfc;
    pub const I32_TRUNC_SAT_F64_S: u8 = 0x02;
    pub const EMPTY: u8 = 0x40;
    pub const I32: u8 = 0x7f;
}

fn body(i: u32, chunks: u32) -> Vec<u8> {
    use op::*;
    // locals: 1 = i32 accumulator, 2 = i64, 3 = f64 (0 is the parameter)
    let mut b = vec![3, 1, 0x7f, 1, 0x7e, 1, 0x7c];
    let c = |b: &mut Vec<u8>, v: i64| {
        b.push(I32_CONST);
        sleb(v, b);
    };
    for r in 0..chunks {
        let k = (i as i64) * 31 + r as i64;
        b.extend([LOCAL_GET, 0]);
        c(&mut b, k);
        b.extend([I32_ADD, LOCAL_SET, 1]);
        b.extend([BLOCK, EMPTY, LOOP, EMPTY, LOCAL_GET, 1]);
        c(&mut b, 0x9e37_79b1_i64 as i32 as i64 ^ k);
        b.push(I32_MUL);
        c(&mut b, k * 7 + 3);
        b.extend([I32_XOR, LOCAL_SET, 1]);
        b.extend([LOCAL_GET, 0, I32_EQZ, BR_IF, 1, LOCAL_GET, 0, I32_CONST, 1, I32_SUB, LOCAL_SET, 0, BR, 0, END, END]);
        b.extend([LOCAL_GET, 1, I64_EXTEND_I32_U, I64_CONST]);
        sleb(k * 1_000_003, &mut b);
        b.extend([I64_MUL, LOCAL_SET, 2]);
        b.extend([LOCAL_GET, 1, I32_CONST, 3, I32_AND, IF, I32, LOCAL_GET, 1, I32_CONST, 7, I32_SHL]);
        b.extend([ELSE, LOCAL_GET, 1, I32_CONST, 5, I32_SHR_U, END]);
        b.extend([LOCAL_GET, 2, I32_WRAP_I64, I32_ADD, LOCAL_SET, 1]);
        b.extend([LOCAL_GET, 1, F64_CONVERT_I32_S, F64_CONST]);
        b.extend((1.5f64 + r as f64).to_le_bytes());
        b.extend([F64_MUL, F64_ABS, F64_SQRT, LOCAL_SET, 3]);
        b.extend([LOCAL_GET, 1, LOCAL_GET, 3, PREFIX_FC, I32_TRUNC_SAT_F64_S, I32_ADD, LOCAL_SET, 1]);
        let addr = ((i as i64 * 4 + r as i64 * 4) % 65_000) & !3;
        c(&mut b, addr);
        c(&mut b, addr);
        b.extend([I32_LOAD, 2, 0, LOCAL_GET, 1, I32_ADD, I32_STORE, 2, 0]);
        b.extend([LOCAL_GET, 1, CALL, 0, LOCAL_SET, 1]);
    }
    b.extend([LOCAL_GET, 1, END]);
    b
}

/// The module: function 0 is a helper (`rotl 1`), functions 1..=count are
/// exported as `f1`..`f<count>`.
pub fn generate(count: u32, chunks: u32) -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    section(1, &[1, 0x60, 1, 0x7f, 1, 0x7f], &mut m);
    let mut funcs = Vec::new();
    uleb(count as u64 + 1, &mut funcs);
    funcs.extend(std::iter::repeat_n(0u8, count as usize + 1));
    section(3, &funcs, &mut m);
    section(5, &[1, 0, 1], &mut m);
    let mut exports = Vec::new();
    uleb(count as u64, &mut exports);
    for i in 1..=count {
        let name = format!("f{i}");
        uleb(name.len() as u64, &mut exports);
        exports.extend(name.as_bytes());
        exports.push(0);
        uleb(i as u64, &mut exports);
    }
    section(7, &exports, &mut m);
    let mut code = Vec::new();
    uleb(count as u64 + 1, &mut code);
    let helper = [0, op::LOCAL_GET, 0, op::I32_CONST, 1, op::I32_ROTL, op::END];
    uleb(helper.len() as u64, &mut code);
    code.extend(helper);
    for i in 1..=count {
        let b = body(i, chunks);
        uleb(b.len() as u64, &mut code);
        code.extend(b);
    }
    section(10, &code, &mut m);
    m
}

#[cfg(test)]
mod tests {
    #[test]
    fn leb_encodings() {
        let mut v = Vec::new();
        super::sleb(-1, &mut v);
        super::sleb(63, &mut v);
        super::sleb(64, &mut v);
        super::uleb(300, &mut v);
        assert_eq!(v, [0x7f, 0x3f, 0xc0, 0x00, 0xac, 0x02]);
    }

    #[test]
    fn generated_module_is_valid_and_runs() {
        let wasm = super::generate(50, 3);
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, &wasm[..]).expect("valid module");
        let mut store = wasmi::Store::new(&engine, ());
        let inst = wasmi::Linker::<()>::new(&engine).instantiate_and_start(&mut store, &module).unwrap();
        let f = inst.get_typed_func::<i32, i32>(&store, "f50").unwrap();
        f.call(&mut store, 3).unwrap();
    }
}
