//! `rust_guest gen NAME CONFIG PROMPT` | `stream NAME CONFIG PROMPT` | `embed NAME CONFIG TEXT`:
//! the three uses of the ggml API through wasmedge-wasi-nn, printing what tests/nn_ggml.rs
//! compares ("text:", "piece:", "meta:", "json:").
use wasmedge_wasi_nn::{Error, ExecutionTarget, GraphBuilder, GraphEncoding, TensorType};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: rust_guest gen|stream|embed NAME CONFIG PROMPT");
        std::process::exit(2);
    }
    let (mode, name, config, prompt) = (&args[1], &args[2], &args[3], &args[4]);
    // A config that is not JSON is the guest's error, not a trap (WasmEdge: invalid_encoding).
    let bad = GraphBuilder::new(GraphEncoding::Ggml, ExecutionTarget::AUTO).config("{not json".into()).build_from_cache(name);
    println!("bad config: {:?}", bad.err());
    let graph = GraphBuilder::new(GraphEncoding::Ggml, ExecutionTarget::AUTO)
        .config(config.clone())
        .build_from_cache(name)
        .expect("load_by_name_with_config");
    let mut ctx = graph.init_execution_context().expect("init_execution_context");
    ctx.set_input(0, TensorType::U8, &[1], prompt.as_bytes()).expect("set_input");
    let mut out = vec![0u8; 1 << 20];
    match mode.as_str() {
        "gen" | "embed" => {
            ctx.compute().expect("compute");
            let n = ctx.get_output(0, &mut out).expect("get_output");
            println!("{}: {:?}", if mode == "gen" { "text" } else { "json" }, String::from_utf8_lossy(&out[..n]));
        }
        "stream" => {
            let mut text = Vec::new();
            loop {
                match ctx.compute_single() {
                    Ok(()) => {}
                    Err(Error::BackendError(e)) => {
                        println!("end: {e:?}");
                        break;
                    }
                    Err(e) => panic!("compute_single: {e:?}"),
                }
                let n = ctx.get_output_single(0, &mut out).expect("get_output_single");
                println!("piece: {:?}", String::from_utf8_lossy(&out[..n]));
                text.extend_from_slice(&out[..n]);
            }
            println!("text: {:?}", String::from_utf8_lossy(&text));
            ctx.fini_single().expect("fini_single");
        }
        _ => panic!("unknown mode {mode}"),
    }
    let n = ctx.get_output(1, &mut out).expect("get_output(1)");
    println!("meta: {}", String::from_utf8_lossy(&out[..n]));
}
