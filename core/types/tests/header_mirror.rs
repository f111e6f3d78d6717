//! vmcore-types against core/include/wasm_export.h (which includes lib_export.h), both ways:
//! every struct, field and constant the header declares has a fact below (bindgen lists them),
//! and every fact (size, offset, value) is what the C compiler says (tests/cross runs
//! `mirror_layout_matches_the_c_compiler` with the ARM targets' compilers, under qemu).

use ember_test_support::header::{assert_covered, assert_facts, items};
use ember_test_support::{constant, off, repo, size};
use vmcore_types::*;

fn facts() -> Vec<(&'static str, u64)> {
    vec![
        size!("MemAllocOption", MemAllocOption),
        off!("MemAllocOption".pool, MemAllocOption, pool),
        off!(
            "MemAllocOption".pool.heap_buf,
            MemAllocOption,
            pool.heap_buf
        ),
        off!(
            "MemAllocOption".pool.heap_size,
            MemAllocOption,
            pool.heap_size
        ),
        off!("MemAllocOption".allocator, MemAllocOption, allocator),
        off!(
            "MemAllocOption".allocator.malloc_func,
            MemAllocOption,
            allocator.malloc_func
        ),
        off!(
            "MemAllocOption".allocator.realloc_func,
            MemAllocOption,
            allocator.realloc_func
        ),
        off!(
            "MemAllocOption".allocator.free_func,
            MemAllocOption,
            allocator.free_func
        ),
        off!(
            "MemAllocOption".allocator.user_data,
            MemAllocOption,
            allocator.user_data
        ),
        size!("mem_alloc_info_t", mem_alloc_info_t),
        off!("mem_alloc_info_t".total_size, mem_alloc_info_t, total_size),
        off!(
            "mem_alloc_info_t".total_free_size,
            mem_alloc_info_t,
            total_free_size
        ),
        off!(
            "mem_alloc_info_t".highmark_size,
            mem_alloc_info_t,
            highmark_size
        ),
        size!("ember_mem_stats_t", ember_mem_stats_t),
        off!("ember_mem_stats_t".mode, ember_mem_stats_t, mode),
        off!("ember_mem_stats_t".pool_size, ember_mem_stats_t, pool_size),
        off!("ember_mem_stats_t".pool_free, ember_mem_stats_t, pool_free),
        off!(
            "ember_mem_stats_t".pool_largest_free,
            ember_mem_stats_t,
            pool_largest_free
        ),
        off!("ember_mem_stats_t".in_use, ember_mem_stats_t, in_use),
        off!("ember_mem_stats_t".peak, ember_mem_stats_t, peak),
        off!(
            "ember_mem_stats_t".failed_allocs,
            ember_mem_stats_t,
            failed_allocs
        ),
        off!("ember_mem_stats_t".allocs, ember_mem_stats_t, allocs),
        size!("RuntimeInitArgs", RuntimeInitArgs),
        off!(
            "RuntimeInitArgs".mem_alloc_type,
            RuntimeInitArgs,
            mem_alloc_type
        ),
        off!(
            "RuntimeInitArgs".mem_alloc_option,
            RuntimeInitArgs,
            mem_alloc_option
        ),
        off!(
            "RuntimeInitArgs".native_module_name,
            RuntimeInitArgs,
            native_module_name
        ),
        off!(
            "RuntimeInitArgs".native_symbols,
            RuntimeInitArgs,
            native_symbols
        ),
        off!(
            "RuntimeInitArgs".n_native_symbols,
            RuntimeInitArgs,
            n_native_symbols
        ),
        off!(
            "RuntimeInitArgs".max_thread_num,
            RuntimeInitArgs,
            max_thread_num
        ),
        off!("RuntimeInitArgs".ip_addr, RuntimeInitArgs, ip_addr),
        off!("RuntimeInitArgs".unused, RuntimeInitArgs, unused),
        off!(
            "RuntimeInitArgs".instance_port,
            RuntimeInitArgs,
            instance_port
        ),
        off!(
            "RuntimeInitArgs".fast_jit_code_cache_size,
            RuntimeInitArgs,
            fast_jit_code_cache_size
        ),
        off!(
            "RuntimeInitArgs".gc_heap_size,
            RuntimeInitArgs,
            gc_heap_size
        ),
        off!(
            "RuntimeInitArgs".running_mode,
            RuntimeInitArgs,
            running_mode
        ),
        off!(
            "RuntimeInitArgs".llvm_jit_opt_level,
            RuntimeInitArgs,
            llvm_jit_opt_level
        ),
        off!(
            "RuntimeInitArgs".llvm_jit_size_level,
            RuntimeInitArgs,
            llvm_jit_size_level
        ),
        off!("RuntimeInitArgs".segue_flags, RuntimeInitArgs, segue_flags),
        off!(
            "RuntimeInitArgs".enable_linux_perf,
            RuntimeInitArgs,
            enable_linux_perf
        ),
        size!("NativeSymbol", NativeSymbol),
        off!("NativeSymbol".symbol, NativeSymbol, symbol),
        off!("NativeSymbol".func_ptr, NativeSymbol, func_ptr),
        off!("NativeSymbol".signature, NativeSymbol, signature),
        off!("NativeSymbol".attachment, NativeSymbol, attachment),
        size!("wasm_val_t", wasm_val_t),
        off!("wasm_val_t".kind, wasm_val_t, kind),
        off!("wasm_val_t"._paddings, wasm_val_t, _paddings),
        off!("wasm_val_t".of, wasm_val_t, of),
        off!("wasm_val_t".of.i32, wasm_val_t, of.i32),
        off!("wasm_val_t".of.i64, wasm_val_t, of.i64),
        off!("wasm_val_t".of.f32, wasm_val_t, of.f32),
        off!("wasm_val_t".of.f64, wasm_val_t, of.f64),
        off!("wasm_val_t".of.foreign, wasm_val_t, of.foreign),
        off!("wasm_val_t".of.ref, wasm_val_t, of.ref_),
        size!("wasm_valkind_t", wasm_valkind_t),
        size!("mem_alloc_type_t", u32),
        size!("RunningMode", u32),
        constant!("WASM_RUNTIME_MALLOC_ALIGN", WASM_RUNTIME_MALLOC_ALIGN),
        constant!("Wasm_Module_Bytecode", WASM_MODULE_BYTECODE),
        constant!("Wasm_Module_AoT", WASM_MODULE_AOT),
        constant!("Package_Type_Unknown", PACKAGE_TYPE_UNKNOWN),
        constant!("Alloc_With_Pool", ALLOC_WITH_POOL),
        constant!("Alloc_With_Allocator", ALLOC_WITH_ALLOCATOR),
        constant!("Alloc_With_System_Allocator", ALLOC_WITH_SYSTEM_ALLOCATOR),
        constant!("Mode_Interp", MODE_INTERP),
        constant!("Mode_Fast_JIT", MODE_FAST_JIT),
        constant!("Mode_LLVM_JIT", MODE_LLVM_JIT),
        constant!("Mode_Multi_Tier_JIT", MODE_MULTI_TIER_JIT),
        constant!("WASM_LOG_LEVEL_FATAL", WASM_LOG_LEVEL_FATAL),
        constant!("WASM_LOG_LEVEL_ERROR", WASM_LOG_LEVEL_ERROR),
        constant!("WASM_LOG_LEVEL_WARNING", WASM_LOG_LEVEL_WARNING),
        constant!("WASM_LOG_LEVEL_DEBUG", WASM_LOG_LEVEL_DEBUG),
        constant!("WASM_LOG_LEVEL_VERBOSE", WASM_LOG_LEVEL_VERBOSE),
        constant!("WASM_I32", WASM_I32),
        constant!("WASM_I64", WASM_I64),
        constant!("WASM_F32", WASM_F32),
        constant!("WASM_F64", WASM_F64),
        constant!("WASM_V128", WASM_V128),
        constant!("WASM_EXTERNREF", WASM_EXTERNREF),
        constant!("WASM_FUNCREF", WASM_FUNCREF),
    ]
}

/// C -> Rust: nothing the header declares lacks a fact.
#[test]
fn every_header_item_is_mirrored() {
    let items = items(&repo().join("core/include"), "wasm_export.h");
    assert!(
        items.records.contains_key("NativeSymbol"),
        "lib_export.h is read too: {items:?}"
    );
    assert_covered(&items, &facts(), &[]);
}

/// Rust -> C: every fact is what the C compiler says (EMBER_TEST_CC: another target's).
#[test]
fn mirror_layout_matches_the_c_compiler() {
    assert_facts(
        &repo().join("core/include"),
        &["wasm_export.h"],
        &facts(),
        "",
    );
}
