//! The two interpreters behind one small interface: load a module, instantiate
//! it (calling the reactor's `_initialize` when exported), call `run(i32) -> i32`.
//! The benchmark programs import nothing, so no WASI shim is needed.

use crate::cputime::{Stopwatch, Times};

pub trait Engine {
    fn name(&self) -> &'static str;
    /// Loads and instantiates `wasm`, then times one call of `run(arg)`.
    fn run(&self, wasm: &[u8], arg: i32) -> Result<(i32, Times), String>;
}

pub struct Ember;

impl Engine for Ember {
    fn name(&self) -> &'static str {
        "ember"
    }

    fn run(&self, wasm: &[u8], arg: i32) -> Result<(i32, Times), String> {
        use ember_interp::{Config, Instance, Module, Store, Val};
        let module = Module::new(wasm).map_err(|e| e.to_string())?;
        if cfg!(feature = "verify") {
            module.translate_all().map_err(|e| format!("IR verification: {e}"))?;
        }
        let mut store = Store::new(Config::default(), ());
        let inst = Instance::new(&mut store, &module, &[]).map_err(|e| e.to_string())?;
        if let Some(init) = inst.get_func(&store, "_initialize") {
            init.call(&mut store, &[], &mut []).map_err(|e| e.to_string())?;
        }
        let run = inst.get_func(&store, "run").ok_or("no export run")?;
        let mut out = [Val::I32(0)];
        let watch = Stopwatch::start();
        run.call(&mut store, &[Val::I32(arg)], &mut out).map_err(|e| e.to_string())?;
        let elapsed = watch.stop();
        match out[0] {
            Val::I32(v) => Ok((v, elapsed)),
            other => Err(format!("run returned {other:?}")),
        }
    }
}

pub struct Wasmi;

impl Engine for Wasmi {
    fn name(&self) -> &'static str {
        "wasmi"
    }

    fn run(&self, wasm: &[u8], arg: i32) -> Result<(i32, Times), String> {
        // Default config: lazy translation (validated at load, each body
        // translated on its first call, as Ember does), no fuel.
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, wasm).map_err(|e| e.to_string())?;
        let mut store = wasmi::Store::new(&engine, ());
        let linker = wasmi::Linker::<()>::new(&engine);
        let inst = linker.instantiate_and_start(&mut store, &module).map_err(|e| e.to_string())?;
        if let Ok(init) = inst.get_typed_func::<(), ()>(&store, "_initialize") {
            init.call(&mut store, ()).map_err(|e| e.to_string())?;
        }
        let run = inst.get_typed_func::<i32, i32>(&store, "run").map_err(|e| e.to_string())?;
        let watch = Stopwatch::start();
        let v = run.call(&mut store, arg).map_err(|e| e.to_string())?;
        Ok((v, watch.stop()))
    }
}
