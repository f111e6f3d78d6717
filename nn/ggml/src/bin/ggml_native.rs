//! The native harness: llama.cpp driven by the backend's own engine (`engine.rs`, `llama.rs`,
//! `settings.rs`, compiled in here), without a runtime or a guest. Tests compare its token ids
//! and embeddings with what a wasm app gets through iwasm; benchmarks compare its speed.
//!
//! `ggml_native MODEL PROMPT [CONFIG_JSON] [--stream] [--runs N]` prints one JSON object:
//! `{"tokens": [...], "text": "...", "embedding": [...], "prompt_tokens": N, "prompt_ms": .., "gen_ms": .., "total_ms": ..}`
//! (the fastest of the runs; `--stream` generates one token per step as compute_single does).

#[allow(dead_code)]
#[path = "../engine.rs"]
mod engine;
#[allow(dead_code)]
#[path = "../llama.rs"]
mod llama;
#[path = "../settings.rs"]
mod settings;

use std::sync::Arc;
use std::time::Instant;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let stream = take_flag(&mut args, "--stream");
    let runs = take_value(&mut args, "--runs").map(|v| v.parse::<u32>().expect("--runs N")).unwrap_or(1).max(1);
    if args.len() < 2 || args.len() > 3 {
        eprintln!("usage: ggml_native MODEL PROMPT [CONFIG_JSON] [--stream] [--runs N]");
        std::process::exit(2);
    }
    let mut s = settings::Settings::default();
    if let Some(cfg) = args.get(2) {
        s.apply(cfg.as_bytes()).unwrap_or_else(|e| fail(&format!("config: {}", e.message())));
    }
    let model = Arc::new(llama::Model::load(std::path::Path::new(&args[0]), &args[0]).unwrap_or_else(|e| fail(&e)));
    let mut e = engine::Engine::new(model, s).unwrap_or_else(|e| fail(&e));
    // The fastest of `runs` (as nn_llm.c's bench mode): with --stream, prompt = the first step
    // (the prompt's evaluation and the first token), gen = the other steps.
    let (mut prompt_ms, mut gen_ms, mut total_ms) = (f64::MAX, f64::MAX, f64::MAX);
    for _ in 0..runs {
        // Timed from the compute on, as the app times it (set_input, which tokenizes, is not).
        e.set_prompt(args[1].as_bytes()).unwrap_or_else(|e| fail(&e));
        let t0 = Instant::now();
        let (p, r) = if stream {
            let mut r = e.step();
            let p = ms(t0);
            while r.is_ok() {
                r = e.step();
            }
            let r = match r {
                Err(engine::Stop::EndOfSequence) => Ok(()),
                other => other,
            };
            (p, r)
        } else {
            (0.0, e.generate())
        };
        let total = ms(t0);
        if let Err(err) = r {
            fail(&format!("{err:?}"));
        }
        prompt_ms = prompt_ms.min(p);
        gen_ms = gen_ms.min(total - p);
        total_ms = total_ms.min(total);
    }
    let tokens: Vec<String> = e.tokens.iter().map(|t| t.to_string()).collect();
    let emb: Vec<String> = e.embedding.iter().map(|x| format!("{x:?}")).collect();
    println!(
        "{{\"tokens\": [{}], \"text\": {}, \"embedding\": [{}], \"prompt_tokens\": {}, \"prompt_ms\": {prompt_ms:.3}, \"gen_ms\": {gen_ms:.3}, \"total_ms\": {total_ms:.3}}}",
        tokens.join(","),
        serde_json::Value::String(String::from_utf8_lossy(&e.text).into_owned()),
        emb.join(","),
        e.prompt_tokens()
    );
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn take_flag(args: &mut Vec<String>, flag: &str) -> bool {
    let n = args.len();
    args.retain(|a| a != flag);
    args.len() != n
}

fn take_value(args: &mut Vec<String>, flag: &str) -> Option<String> {
    let i = args.iter().position(|a| a == flag)?;
    args.remove(i);
    (i < args.len()).then(|| args.remove(i))
}

fn fail(msg: &str) -> ! {
    eprintln!("ggml_native: {msg}");
    std::process::exit(1);
}
