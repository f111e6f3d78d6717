//! The ArmNN backend's Rust allocations (records, tensor buffers) come from libvmcore.so's
//! wasm_runtime_malloc (the SDK's global allocator), so the runtime's pool bounds them: this
//! process (its own test binary, because the memory mode is process-wide) puts libvmcore.so into
//! pool mode, then drives the backend through its table (ember_nn_abi::host).

#[path = "nn/armnn_driver.rs"]
mod armnn_driver;

use armnn_driver::*;
use ember_nn_abi::{tensor_type, NnError};
use vmcore_sys::{ember_mem_stats_t, ember_runtime_get_mem_stats, wasm_runtime_full_init, RuntimeInitArgs, ALLOC_WITH_POOL};

const POOL: usize = 192 * 1024;

fn stats() -> ember_mem_stats_t {
    let mut s = ember_mem_stats_t::default();
    // SAFETY: valid out-pointer.
    assert!(unsafe { ember_runtime_get_mem_stats(&mut s) });
    s
}

#[test]
fn pool_mode_bounds_the_backend() {
    // The pool lives as long as the process (libvmcore.so keeps using it).
    let pool: &'static mut [u64] = Box::leak(vec![0u64; POOL / 8].into_boxed_slice());
    let mut args = RuntimeInitArgs::zeroed();
    args.mem_alloc_type = ALLOC_WITH_POOL;
    args.mem_alloc_option.pool.heap_buf = pool.as_mut_ptr().cast();
    args.mem_alloc_option.pool.heap_size = POOL as u32;
    // SAFETY: valid arguments; the buffer outlives the runtime.
    assert!(unsafe { wasm_runtime_full_init(&mut args) }, "pool mode init");
    assert_eq!(stats().mode, ALLOC_WITH_POOL);

    let nn = Armnn::open();
    let before = stats();
    let g = nn.load(&model("conv_net.tflite")).unwrap();
    let c = nn.context(g).unwrap();
    let with_context = stats();
    // Graph and context records plus the 8x8 fp32 input (256 bytes) and the 3 outputs are in the pool.
    assert!(with_context.in_use >= before.in_use + 256 + 12, "{before:?} -> {with_context:?}");
    nn.set_input(c, 0, &[1, 8, 8, 1], tensor_type::FP32, &f32_bytes(&sin_input(64))).unwrap();
    nn.compute(c).unwrap();
    assert_eq!(bytes_f32(&nn.get_output(c, 0).unwrap()).len(), 3);
    nn.finalize(c);
    nn.unload(g);
    assert_eq!(stats().in_use, before.in_use, "everything the backend took went back");

    // BlazeFace's input alone (128x128x3 fp32 = 196608 bytes) does not fit in the pool: a clean
    // error (not an abort: the buffers are reserved fallibly) when the context is created, counted
    // as a failed allocation, and the backend goes on.
    let path = cache().join("models/face_detection_short_range_fp32.tflite");
    let blazeface = read(&path, "run nn/engines/fetch.sh");
    let g = nn.load(&blazeface).unwrap();
    let failed = stats().failed_allocs;
    let e = nn.context(g).unwrap_err();
    assert_eq!(e.code, NnError::RuntimeError, "{e:?}");
    assert!(e.message.contains("wasm_runtime_malloc"), "{}", e.message);
    assert!(stats().failed_allocs > failed);
    nn.unload(g);
    let r = nn.run_f32(&model("sum.tflite"), &[1, 5, 5, 1], &ramp(25), 1).unwrap();
    assert_close(&r[0], &[300.0], 1e-4, "sum after a failed context");
}
