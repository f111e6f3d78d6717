//! The native side of the tract overhead benchmark: a model run N times on tract-onnx called
//! directly (no wasm, no Ember), as Ember's tract backend (nn/tract/src/backend.rs) runs it: the
//! model decluttered and optimized into a runnable plan once; per inference the input copied into
//! the plan's input tensor (the backend refills its tensor in place), the plan run, each output's
//! bytes copied out.
//!
//!   tract_native MODEL.onnx N [input=FILE]
//!
//! The model's stale value_info for graph inputs/outputs is dropped first, as the backend does.
//!
//! The input (input 0, f32, its dims from the model) is FILE's raw f32 values (e.g. the wasm
//! app's preprocessed picture, nn/bench/face_input.py), else x[k] = sin(0.37 k). Prints
//! "seconds_per_inference S cpu_seconds_per_inference C" (wall and process CPU) to stderr.

use std::process::exit;
use std::time::Instant;

use prost::Message;
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::infer::Factoid;

#[repr(C)]
struct Timespec {
    sec: i64,
    nsec: i64,
}
extern "C" {
    fn clock_gettime(clock: i32, t: *mut Timespec) -> i32;
}
const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;

/// Process CPU time (all threads), as ort_native measures it.
fn cpu_seconds() -> f64 {
    let mut t = Timespec { sec: 0, nsec: 0 };
    // SAFETY: an out struct of the C layout (64-bit Linux: two 64-bit fields).
    unsafe { clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    t.sec as f64 + t.nsec as f64 * 1e-9
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: tract_native MODEL.onnx N [input=FILE]");
        exit(2);
    }
    let n: usize = args[2].parse().unwrap_or_else(|_| {
        eprintln!("tract_native: N must be a number");
        exit(2)
    });
    let input_file = args[3..].iter().find_map(|a| a.strip_prefix("input="));
    fn fail(what: &str, e: impl std::fmt::Display) -> ! {
        eprintln!("tract_native: {what}: {e:#}");
        exit(1)
    }
    // As the backend: the protobuf decoded, value_info entries naming a graph input or output
    // dropped (BlazeFace as converted keeps a stale NCHW one for its NHWC input), then tract.
    let file = std::fs::read(&args[1]).unwrap_or_else(|e| fail("model", e));
    let mut proto = tract_onnx::pb::ModelProto::decode(file.as_slice()).unwrap_or_else(|e| fail("model", e));
    if let Some(g) = proto.graph.as_mut() {
        let io: Vec<String> = g.input.iter().chain(&g.output).map(|v| v.name.clone()).collect();
        g.value_info.retain(|v| !io.contains(&v.name));
    }
    let model = tract_onnx::onnx().model_for_proto_model(&proto).unwrap_or_else(|e| fail("load", e));
    let fact = model.input_fact(0).unwrap_or_else(|e| fail("input fact", e)).clone();
    let shape: Vec<usize> = fact
        .shape
        .dims()
        .map(|d| d.concretize().and_then(|d| d.to_i64().ok()).unwrap_or_else(|| fail("input", "dynamic dims")) as usize)
        .collect();
    let plan = model.into_optimized().and_then(|m| m.into_runnable()).unwrap_or_else(|e| fail("optimize", e));
    let count: usize = shape.iter().product();
    let values: Vec<f32> = match input_file {
        Some(f) => {
            let b = std::fs::read(f).unwrap_or_else(|e| fail("input", e));
            b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
        }
        None => (0..count).map(|k| (0.37 * k as f32).sin()).collect(),
    };
    if values.len() != count {
        fail("input", format!("{} values for shape {shape:?}", values.len()));
    }
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let mut input = Arc::new(Tensor::zero::<f32>(&shape).unwrap_or_else(|e| fail("tensor", e)));
    let mut sum = 0f64;
    let mut outputs: Vec<Vec<u8>> = Vec::new();
    let (t0, c0) = (Instant::now(), cpu_seconds());
    for _ in 0..n {
        // set_input: the backend refills its input tensor in place (no other holder by then).
        Arc::get_mut(&mut input).expect("input tensor not shared").as_bytes_mut().copy_from_slice(&bytes);
        let results = plan.run(tvec![TValue::from_const(input.clone())]).unwrap_or_else(|e| fail("run", e));
        outputs.clear();
        for r in results {
            outputs.push(r.as_bytes().to_vec());
        }
    }
    let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
    for o in &outputs {
        sum += o.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64).sum::<f64>();
    }
    eprintln!("tract_native: {} outputs, checksum {sum:.6}", outputs.len());
    eprintln!("seconds_per_inference {:.9} cpu_seconds_per_inference {:.9}", wall / n as f64, cpu / n as f64);
}
