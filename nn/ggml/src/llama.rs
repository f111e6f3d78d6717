//! Safe owners of llama.cpp's objects (model, context, sampler, batch) and the few calls the
//! backend makes on them. Every `unsafe` block of the backend is in this file.
//!
//! Ownership: a [`Model`] is shared (`Arc`) by the graph and every context made from it;
//! a [`Session`] (llama_context) and its [`Sampler`] belong to one execution context. llama.cpp
//! allows several contexts on one model from different threads; one context is used by one
//! thread at a time (the runtime serializes calls on an execution context).

use llama_cpp_sys_2 as sys;
use std::ffi::{c_char, c_void, CStr, CString};
use std::path::Path;
use std::sync::Once;

pub type Token = sys::llama_token;

/// llama.cpp's global state and its log routed to `log` (llama.cpp's info is our debug: it is
/// chatty). Idempotent.
pub fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: called once, before any other llama.cpp call of this library; the callback is
        // a plain function that lives as long as the process.
        unsafe {
            sys::llama_log_set(Some(log_callback), std::ptr::null_mut());
            sys::llama_backend_init();
        }
    });
}

unsafe extern "C" fn log_callback(level: sys::ggml_log_level, text: *const c_char, _user: *mut c_void) {
    if text.is_null() {
        return;
    }
    // SAFETY: llama.cpp passes a NUL-terminated string valid for the call.
    let text = unsafe { CStr::from_ptr(text) }.to_string_lossy();
    let text = text.trim_end();
    if text.is_empty() || text == "." {
        return;
    }
    match level {
        sys::GGML_LOG_LEVEL_ERROR => log::error!("llama.cpp: {text}"),
        sys::GGML_LOG_LEVEL_WARN => log::warn!("llama.cpp: {text}"),
        sys::GGML_LOG_LEVEL_INFO => log::debug!("llama.cpp: {text}"),
        _ => log::trace!("llama.cpp: {text}"),
    }
}

/// A loaded GGUF model (weights memory-mapped from the file).
pub struct Model(*mut sys::llama_model);

// SAFETY: a llama_model is immutable after loading and llama.cpp supports using it from
// several threads (one context each); it is freed once, by Drop.
unsafe impl Send for Model {}
unsafe impl Sync for Model {}

impl Model {
    /// Load from a file, memory-mapped (the weights are not copied into the heap); `what` names
    /// the model in errors.
    pub fn load(path: &Path, what: &str) -> Result<Model, String> {
        let c = CString::new(path.as_os_str().as_encoded_bytes()).map_err(|_| "model path contains a NUL byte".to_string())?;
        init();
        // SAFETY: plain struct of defaults.
        let mut params = unsafe { sys::llama_model_default_params() };
        params.load_mode = sys::LLAMA_LOAD_MODE_MMAP;
        params.n_gpu_layers = 0;
        // SAFETY: `c` is a valid C string for the call; llama.cpp returns NULL on any failure
        // (it catches its own exceptions while loading).
        let p = unsafe { sys::llama_model_load_from_file(c.as_ptr(), params) };
        if p.is_null() {
            return Err(format!("llama.cpp could not load {what} as a GGUF model (its reason is logged above)"));
        }
        Ok(Model(p))
    }

    fn vocab(&self) -> *const sys::llama_vocab {
        // SAFETY: the model is live; the vocab lives as long as the model.
        unsafe { sys::llama_model_get_vocab(self.0) }
    }

    pub fn n_embd(&self) -> usize {
        // SAFETY: the model is live.
        unsafe { sys::llama_model_n_embd(self.0) }.max(0) as usize
    }

    /// Whether the model runs as an encoder only (BERT-like embedding models).
    fn encoder_only(&self) -> bool {
        // SAFETY: the model is live.
        unsafe { sys::llama_model_has_encoder(self.0) && !sys::llama_model_has_decoder(self.0) }
    }

    /// Tokenize `text` (BOS/CLS/SEP as the model's vocabulary wants; special tokens in the text
    /// are parsed, as WasmEdge does).
    pub fn tokenize(&self, text: &[u8]) -> Result<Vec<Token>, String> {
        let len = i32::try_from(text.len()).map_err(|_| "prompt over 2 GiB".to_string())?;
        // At most one token per byte (+ BOS/EOS/CLS/SEP); reserved fallibly: the prompt's size
        // is the guest's choice, and a failed allocation must be its error, not an abort.
        let mut tokens: Vec<Token> = Vec::new();
        tokens.try_reserve_exact(text.len() + 8).map_err(|_| format!("no memory to tokenize a {}-byte prompt", text.len()))?;
        tokens.resize(text.len() + 8, 0);
        for _ in 0..2 {
            let cap = i32::try_from(tokens.len()).unwrap_or(i32::MAX);
            // SAFETY: `text` is valid for `len` bytes and `tokens` for `cap` tokens.
            let n = unsafe {
                sys::llama_tokenize(self.vocab(), text.as_ptr().cast(), len, tokens.as_mut_ptr(), cap, true, true)
            };
            if n >= 0 {
                tokens.truncate(n as usize);
                return Ok(tokens);
            }
            if n == i32::MIN {
                return Err("the prompt is too long to tokenize".into());
            }
            let need = (-n) as usize;
            tokens.try_reserve_exact(need.saturating_sub(tokens.len())).map_err(|_| format!("no memory for {need} tokens"))?;
            tokens.resize(need, 0);
        }
        Err("tokenization did not converge".into())
    }

    /// The text of one token (special tokens rendered as text, as WasmEdge's output does).
    pub fn piece(&self, token: Token) -> Vec<u8> {
        let mut buf = vec![0u8; 64];
        for _ in 0..2 {
            // SAFETY: `buf` is valid for its length.
            let n = unsafe {
                sys::llama_token_to_piece(self.vocab(), token, buf.as_mut_ptr().cast(), buf.len() as i32, 0, true)
            };
            if n >= 0 {
                buf.truncate(n as usize);
                return buf;
            }
            buf.resize((-n) as usize, 0);
        }
        Vec::new()
    }

    pub fn is_eog(&self, token: Token) -> bool {
        // SAFETY: the vocab is live; an out-of-range token is answered false by llama.cpp.
        unsafe { sys::llama_vocab_is_eog(self.vocab(), token) }
    }

    pub fn n_vocab(&self) -> i32 {
        // SAFETY: the vocab is live.
        unsafe { sys::llama_vocab_n_tokens(self.vocab()) }
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: the pointer came from llama_model_load_from_file and is freed once; every
        // Session holding the model (through an Arc) has been dropped before.
        unsafe { sys::llama_model_free(self.0) }
    }
}

/// Parameters of a llama context.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SessionParams {
    pub n_ctx: u32,
    pub n_batch: u32,
    pub n_ubatch: u32,
    pub threads: i32,
    pub embeddings: bool,
}

/// A llama_context on a model: the KV cache and the compute buffers of one execution context.
pub struct Session {
    ctx: *mut sys::llama_context,
    params: SessionParams,
    batch: Batch,
    model: std::sync::Arc<Model>,
}

// SAFETY: a llama_context is used by one thread at a time (the runtime serializes calls on an
// execution context, which owns the Session); it may move between threads.
unsafe impl Send for Session {}

impl Session {
    pub fn new(model: std::sync::Arc<Model>, params: SessionParams) -> Result<Session, String> {
        // SAFETY: plain struct of defaults.
        let mut p = unsafe { sys::llama_context_default_params() };
        p.n_ctx = params.n_ctx;
        p.n_batch = params.n_batch;
        p.n_ubatch = params.n_ubatch;
        p.n_threads = params.threads;
        p.n_threads_batch = params.threads;
        p.embeddings = params.embeddings;
        p.no_perf = true;
        // SAFETY: the model is live (the Arc is kept by the Session); NULL on failure.
        let ctx = unsafe { sys::llama_init_from_model(model.0, p) };
        if ctx.is_null() {
            return Err(format!("llama.cpp could not create a context ({params:?})"));
        }
        let batch = Batch::new(params.n_batch.max(1) as i32);
        Ok(Session { ctx, params, batch, model })
    }

    pub fn params(&self) -> SessionParams {
        self.params
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn model_arc(&self) -> &std::sync::Arc<Model> {
        &self.model
    }

    /// The context size llama.cpp actually made (it may round up).
    pub fn n_ctx(&self) -> u32 {
        // SAFETY: the context is live.
        unsafe { sys::llama_n_ctx(self.ctx) }
    }

    /// Forget every evaluated token (start a new sequence).
    pub fn clear(&mut self) {
        // SAFETY: the context is live; llama_memory_clear accepts the NULL memory of models
        // without a KV cache.
        unsafe { sys::llama_memory_clear(sys::llama_get_memory(self.ctx), true) }
    }

    /// Evaluate `tokens` at positions `pos..`; logits of the last token (`last_logits`) or of
    /// every token (embeddings). At most n_batch tokens per call (the caller splits).
    pub fn eval(&mut self, tokens: &[Token], pos: i32, outputs: Outputs) -> Result<(), String> {
        self.batch.fill(tokens, pos, outputs);
        let rc = if self.params.embeddings && self.model.encoder_only() {
            // SAFETY: the batch was filled with `tokens.len()` <= its capacity entries.
            unsafe { sys::llama_encode(self.ctx, self.batch.raw) }
        } else {
            // SAFETY: as above.
            unsafe { sys::llama_decode(self.ctx, self.batch.raw) }
        };
        match rc {
            0 => Ok(()),
            1 => Err("llama.cpp found no room in the KV cache for the batch".into()),
            rc => Err(format!("llama.cpp failed to evaluate the batch (code {rc})")),
        }
    }

    /// The pooled embedding of sequence 0 after `eval` with `Outputs::All`.
    pub fn embedding(&mut self) -> Result<Vec<f32>, String> {
        let n = self.model.n_embd();
        // SAFETY: the context is live; NULL when the model has no pooled output.
        let mut p = unsafe { sys::llama_get_embeddings_seq(self.ctx, 0) };
        if p.is_null() {
            // SAFETY: as above: the last token's embedding (models without pooling).
            p = unsafe { sys::llama_get_embeddings_ith(self.ctx, -1) };
        }
        if p.is_null() {
            return Err("llama.cpp returned no embedding (is this an embedding model?)".into());
        }
        // SAFETY: llama.cpp's embedding rows are n_embd floats, valid until the next eval.
        Ok(unsafe { std::slice::from_raw_parts(p, n) }.to_vec())
    }

    pub fn raw(&self) -> *mut sys::llama_context {
        self.ctx
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: created by llama_init_from_model, freed once (before the model: the Arc
        // field drops after this body).
        unsafe { sys::llama_free(self.ctx) }
    }
}

/// Which tokens of a batch produce outputs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Outputs {
    Last,
    All,
}

struct Batch {
    raw: sys::llama_batch,
    cap: i32,
}

impl Batch {
    fn new(cap: i32) -> Batch {
        // SAFETY: allocates `cap` entries of token, pos, n_seq_id, seq_id (1 each), logits.
        let raw = unsafe { sys::llama_batch_init(cap, 0, 1) };
        Batch { raw, cap }
    }

    fn fill(&mut self, tokens: &[Token], pos: i32, outputs: Outputs) {
        assert!(tokens.len() <= self.cap as usize, "batch of {} tokens over its capacity {}", tokens.len(), self.cap);
        let n = tokens.len();
        // SAFETY: every array of the batch has `cap` >= n entries and seq_id[i] has 1 entry
        // (llama_batch_init(cap, 0, 1)).
        unsafe {
            for (i, &t) in tokens.iter().enumerate() {
                *self.raw.token.add(i) = t;
                *self.raw.pos.add(i) = pos + i as i32;
                *self.raw.n_seq_id.add(i) = 1;
                *(*self.raw.seq_id.add(i)) = 0;
                *self.raw.logits.add(i) = (outputs == Outputs::All || i + 1 == n) as i8;
            }
        }
        self.raw.n_tokens = n as i32;
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        // SAFETY: allocated by llama_batch_init, freed once.
        unsafe { sys::llama_batch_free(self.raw) }
    }
}

/// Sampling settings (a llama.cpp sampler chain in common_sampler's order: penalties, top-k,
/// top-p, min-p, temperature, then a seeded draw; temp <= 0 is greedy).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SamplerParams {
    pub temp: f32,
    pub top_k: i32,
    pub top_p: f32,
    pub min_p: f32,
    pub repeat_penalty: f32,
    pub presence_penalty: f32,
    pub frequency_penalty: f32,
    pub repeat_last_n: i32,
    pub seed: u32,
}

pub struct Sampler(*mut sys::llama_sampler);

// SAFETY: owned by one execution context, used by one thread at a time.
unsafe impl Send for Sampler {}

impl Sampler {
    pub fn new(model: &Model, p: &SamplerParams) -> Sampler {
        // SAFETY: every llama_sampler_init_* returns a new sampler that the chain takes
        // ownership of; the chain is freed by Drop.
        unsafe {
            let mut cp = sys::llama_sampler_chain_default_params();
            cp.no_perf = true;
            let chain = sys::llama_sampler_chain_init(cp);
            let penalties = p.repeat_penalty != 1.0 || p.presence_penalty != 0.0 || p.frequency_penalty != 0.0;
            if penalties {
                sys::llama_sampler_chain_add(
                    chain,
                    sys::llama_sampler_init_penalties(model.n_vocab(), p.repeat_last_n, p.repeat_penalty, p.frequency_penalty, p.presence_penalty),
                );
            }
            if p.temp <= 0.0 {
                sys::llama_sampler_chain_add(chain, sys::llama_sampler_init_greedy());
            } else {
                sys::llama_sampler_chain_add(chain, sys::llama_sampler_init_top_k(p.top_k));
                sys::llama_sampler_chain_add(chain, sys::llama_sampler_init_top_p(p.top_p, 1));
                sys::llama_sampler_chain_add(chain, sys::llama_sampler_init_min_p(p.min_p, 1));
                sys::llama_sampler_chain_add(chain, sys::llama_sampler_init_temp(p.temp));
                sys::llama_sampler_chain_add(chain, sys::llama_sampler_init_dist(p.seed));
            }
            Sampler(chain)
        }
    }

    /// Sample the next token from the last logits of `session` and accept it.
    pub fn sample(&mut self, session: &mut Session) -> Token {
        // SAFETY: both live; idx -1 is the last output of the last eval.
        unsafe { sys::llama_sampler_sample(self.0, session.raw(), -1) }
    }

    pub fn reset(&mut self) {
        // SAFETY: live sampler.
        unsafe { sys::llama_sampler_reset(self.0) }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        // SAFETY: the chain (and the samplers it owns) is freed once.
        unsafe { sys::llama_sampler_free(self.0) }
    }
}
