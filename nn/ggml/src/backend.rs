//! The SDK traits over [`Engine`]: graphs hold a model (shared by their contexts) and the
//! settings of their load config; each execution context owns an engine (llama context and
//! sampler). The tensor and output conventions are WasmEdge's:
//!
//! | index | set_input | get_output / get_output_single |
//! |---|---|---|
//! | 0 | the prompt, UTF-8 bytes (any tensor type; u8 expected) | generated text (embedding mode: `{"n_embedding": N, "embedding": [...]}`) / the last token's text |
//! | 1 | a JSON config (the keys of `settings.rs`) | metadata JSON: `{"input_tokens", "output_tokens", "llama_build_number", "llama_commit"}` |
//! | 2 | - | embedding mode: the vector as little-endian f32 (Ember's addition) |
//! | 3 | - | the generated token ids as little-endian i32 (Ember's addition, for comparing with llama.cpp run natively) |

use crate::engine::{Engine, Stop};
use crate::llama::Model;
use crate::settings::{Settings, MAX_THREADS};
use ember_nn_abi::sdk::{self, copy_output, Error, NamedModel, Options, Result, TensorRef};
use ember_nn_abi::{encoding, NnError};
use std::ffi::CStr;
use std::sync::Arc;

/// There is no build number in the vendored llama.cpp (it is built without git); say which
/// crate release it is instead.
const LLAMA_COMMIT: &str = "llama-cpp-sys-2 0.1.161";

/// Prompts longer than this are refused before tokenizing (prompt_too_long): 4 bytes per token
/// of the largest context a config may ask for.
const MAX_PROMPT_BYTES: usize = 4 * crate::settings::MAX_CTX as usize;

pub struct Ggml {
    threads: Option<i32>,
}

pub struct GgmlGraph {
    model: Arc<Model>,
    settings: Settings,
}

pub struct GgmlContext {
    engine: Engine,
}

fn check_gguf(bytes: &[u8], what: &str) -> Result<()> {
    if bytes.len() < 4 || &bytes[..4] != b"GGUF" {
        return Err(Error::invalid(format!("{what} is not a GGUF model (no GGUF magic)")));
    }
    Ok(())
}

impl Ggml {
    fn settings(&self, config: &[u8]) -> Result<Settings> {
        let mut s = Settings::default();
        if let Some(t) = self.threads {
            s.session.threads = t;
        }
        s.apply(config)?;
        Ok(s)
    }

    fn graph(&self, model: Model, settings: Settings) -> GgmlGraph {
        log::info!(
            "ggml: model loaded ({} embedding dims), context {} tokens, {} threads{}",
            model.n_embd(),
            settings.session.n_ctx,
            settings.session.threads,
            if settings.session.embeddings { ", embedding mode" } else { "" }
        );
        GgmlGraph { model: Arc::new(model), settings }
    }
}

impl sdk::Backend for Ggml {
    const NAME: &'static CStr = c"ggml";
    const ENCODINGS: &'static [u32] = &[encoding::GGML];
    const OPTIONS: &'static [&'static CStr] = &[c"threads"];
    type Graph = GgmlGraph;

    fn new(o: &Options) -> Result<Ggml> {
        crate::llama::init();
        Ok(Ggml { threads: o.number("threads", 1..=MAX_THREADS as i32)? })
    }

    /// Builder 0: the GGUF bytes (copied into an anonymous in-memory file, which llama.cpp
    /// maps: guest memory is only lent for the call); builder 1, if any: the JSON config.
    fn load(&self, builders: &[&[u8]], _enc: u32, tgt: u32) -> Result<GgmlGraph> {
        sdk::cpu_only_target("the ggml backend", tgt)?;
        let (model, config) = match builders {
            [m] => (*m, &[][..]),
            [m, c] => (*m, *c),
            _ => return Err(Error::invalid(format!("a ggml model is 1 builder (+ 1 JSON config), got {}", builders.len()))),
        };
        check_gguf(model, "builder 0")?;
        let settings = self.settings(config)?;
        let file = ember_platform::memfile::MemFile::with_bytes("ember-ggml-model", model)
            .map_err(|e| Error::runtime(format!("cannot stage the model in memory: {e}")))?;
        let model = Model::load(&file.path(), "the model bytes (builder 0)").map_err(Error::invalid)?;
        Ok(self.graph(model, settings))
    }

    /// Named models are memory-mapped from their file by llama.cpp, never copied.
    fn load_named(&self, named: &NamedModel<'_>, config: &[u8]) -> Result<GgmlGraph> {
        sdk::cpu_only_target("the ggml backend", named.target)?;
        let [path] = named.paths[..] else {
            return Err(Error::invalid(format!("named model '{}': a ggml model is one .gguf file", named.name)));
        };
        let settings = self.settings(config)?;
        let mut magic = [0u8; 4];
        std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
            .map_err(|e| Error::new(NnError::NotFound, format!("named model '{}': cannot read {}: {e}", named.name, path.display())))?;
        check_gguf(&magic, &format!("named model '{}' ({})", named.name, path.display()))?;
        let model = Model::load(path, &format!("named model '{}' ({})", named.name, path.display())).map_err(Error::invalid)?;
        Ok(self.graph(model, settings))
    }
}

impl sdk::Graph for GgmlGraph {
    type Context = GgmlContext;
    fn init_execution_context(&self) -> Result<GgmlContext> {
        let engine = Engine::new(Arc::clone(&self.model), self.settings.clone()).map_err(Error::runtime)?;
        Ok(GgmlContext { engine })
    }
}

fn stop_error(s: Stop) -> Error {
    match s {
        Stop::EndOfSequence => Error::new(NnError::EndOfSequence, "end of sequence"),
        Stop::ContextFull => Error::new(NnError::ContextFull, "the context is full: raise ctx-size or lower n-predict"),
        Stop::PromptTooLong { have, max } => {
            Error::new(NnError::PromptTooLong, format!("the prompt has {have} tokens, at most {max} fit (raise ctx-size or batch-size)"))
        }
        Stop::NoInput => Error::invalid("no prompt: set input 0 first"),
        Stop::Engine(e) => Error::runtime(e),
    }
}

impl GgmlContext {
    fn metadata(&self) -> Vec<u8> {
        format!(
            r#"{{"input_tokens": {}, "output_tokens": {}, "llama_build_number": 0, "llama_commit": "{}"}}"#,
            self.engine.prompt_tokens(),
            self.engine.tokens.len(),
            LLAMA_COMMIT
        )
        .into_bytes()
    }

    fn embedding_json(&self) -> Vec<u8> {
        let v = &self.engine.embedding;
        let mut s = format!(r#"{{"n_embedding": {}, "embedding": ["#, v.len());
        for (i, x) in v.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            // Shortest text that reads back as the same f32.
            s.push_str(&format!("{x:?}"));
        }
        s.push_str("]}");
        s.into_bytes()
    }

    fn embedding_mode(&self) -> bool {
        self.engine.settings().session.embeddings
    }
}

impl sdk::Context for GgmlContext {
    fn set_input(&mut self, index: u32, t: &TensorRef<'_>) -> Result<()> {
        match index {
            0 if t.data.len() > MAX_PROMPT_BYTES => Err(Error::new(
                NnError::PromptTooLong,
                format!("a {}-byte prompt: at most {MAX_PROMPT_BYTES} bytes are tokenized", t.data.len()),
            )),
            0 => self.engine.set_prompt(t.data).map_err(Error::invalid),
            1 => {
                let mut s = self.engine.settings().clone();
                s.apply(t.data)?;
                self.engine.reconfigure(s).map_err(Error::runtime)
            }
            _ => Err(Error::invalid(format!("input {index}: the ggml backend takes the prompt at 0 and a JSON config at 1"))),
        }
    }

    fn compute(&mut self) -> Result<()> {
        self.engine.generate().map_err(stop_error)
    }

    fn get_output(&mut self, index: u32, out: &mut [u8]) -> Result<usize> {
        match index {
            0 if self.embedding_mode() => copy_output(0, &self.embedding_json(), out),
            0 => copy_output(0, &self.engine.text, out),
            1 => copy_output(1, &self.metadata(), out),
            2 if self.embedding_mode() => {
                let bytes: Vec<u8> = self.engine.embedding.iter().flat_map(|x| x.to_le_bytes()).collect();
                copy_output(2, &bytes, out)
            }
            3 => {
                let bytes: Vec<u8> = self.engine.tokens.iter().flat_map(|t| t.to_le_bytes()).collect();
                copy_output(3, &bytes, out)
            }
            _ => Err(Error::invalid(format!(
                "output {index}: the ggml backend has outputs 0 (text), 1 (metadata), 2 (embedding, f32) and 3 (token ids, i32)"
            ))),
        }
    }

    fn compute_single(&mut self) -> Result<()> {
        self.engine.step().map_err(stop_error)
    }

    fn get_output_single(&mut self, index: u32, out: &mut [u8]) -> Result<usize> {
        match index {
            0 => match self.engine.last_piece() {
                Some(piece) => copy_output(0, &piece, out),
                None => Err(Error::invalid("no token yet: call compute_single first")),
            },
            1 => copy_output(1, &self.metadata(), out),
            _ => Err(Error::invalid(format!("output {index}: streaming has outputs 0 (the last token's text) and 1 (metadata)"))),
        }
    }

    fn fini_single(&mut self) -> Result<()> {
        self.engine.finish_stream();
        Ok(())
    }
}
