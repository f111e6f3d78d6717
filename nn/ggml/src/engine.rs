//! Generation and embedding on one llama context, WasmEdge's semantics, free of the wasi-nn ABI
//! (the native harness, `src/bin/ggml_native.rs`, runs this same code without a runtime, to
//! compare token ids and to measure the runtime's overhead).
//!
//! - `generate`: the prompt is evaluated in batches of n_batch tokens, then up to n_predict
//!   tokens are sampled one at a time. It stops at an end-of-generation token (not part of the
//!   output), at the reverse prompt, or with `ContextFull` when the next token has no room.
//! - `step` (compute_single): the first call evaluates the prompt; each call adds one token;
//!   `EndOfSequence` at an end-of-generation token or after n_predict tokens.
//! - `embed`: the whole prompt in one batch (at most n_batch tokens: `PromptTooLong` beyond),
//!   the model's pooled embedding, normalized as `embd-normalize` says.
//! - A prompt longer than the context minus 4 tokens is `PromptTooLong`, as in WasmEdge.

use crate::llama::{Model, Outputs, Sampler, Session, SessionParams, Token};
use crate::settings::Settings;
use std::sync::Arc;

/// Why generation stopped early or failed, WasmEdge's error codes where it has one.
#[derive(Debug, PartialEq, Eq)]
pub enum Stop {
    /// End-of-generation token, n_predict reached (streaming only) or the reverse prompt.
    EndOfSequence,
    /// No room for the next token in the context.
    ContextFull,
    /// The prompt does not fit (`have` tokens, `max` allowed).
    PromptTooLong { have: usize, max: usize },
    /// set_input was not called.
    NoInput,
    /// llama.cpp failed.
    Engine(String),
}

pub struct Engine {
    session: Session,
    sampler: Sampler,
    settings: Settings,
    prompt: Vec<Token>,
    /// Tokens evaluated so far in the current sequence.
    n_pos: usize,
    /// Generated tokens and their text (end-of-generation tokens excluded).
    pub tokens: Vec<Token>,
    pub text: Vec<u8>,
    /// The last embedding (embedding mode).
    pub embedding: Vec<f32>,
    streaming: bool,
}

impl Engine {
    pub fn new(model: Arc<Model>, settings: Settings) -> Result<Engine, String> {
        let session = Session::new(model, session_params(&settings))?;
        let sampler = Sampler::new(session.model(), &settings.sampler);
        Ok(Engine { session, sampler, settings, prompt: Vec::new(), n_pos: 0, tokens: Vec::new(), text: Vec::new(), embedding: Vec::new(), streaming: false })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// New settings: the llama context is remade when its parameters changed, the sampler
    /// when sampling changed; the prompt is kept.
    pub fn reconfigure(&mut self, settings: Settings) -> Result<(), String> {
        let params = session_params(&settings);
        if params != self.session.params() {
            let model = Arc::clone(self.session.model_arc());
            self.session = Session::new(model, params)?;
            self.n_pos = 0;
            self.streaming = false;
        }
        if settings.sampler != self.settings.sampler {
            self.sampler = Sampler::new(self.session.model(), &settings.sampler);
        }
        self.settings = settings;
        Ok(())
    }

    /// The context size in tokens: the configured ctx-size (llama.cpp pads its KV cache, to 256
    /// tokens in this version; the guest asked for this many).
    fn n_ctx(&self) -> usize {
        (self.settings.session.n_ctx.min(self.session.n_ctx())) as usize
    }

    /// The prompt (input 0): tokenized now; a stream in progress ends.
    pub fn set_prompt(&mut self, text: &[u8]) -> Result<(), String> {
        self.prompt = self.session.model().tokenize(text)?;
        self.streaming = false;
        Ok(())
    }

    pub fn prompt_tokens(&self) -> usize {
        self.prompt.len()
    }

    /// Evaluate the prompt from position 0; clears the outputs.
    fn start(&mut self) -> Result<(), Stop> {
        if self.prompt.is_empty() {
            return Err(Stop::NoInput);
        }
        self.tokens.clear();
        self.text.clear();
        self.sampler.reset();
        self.session.clear();
        self.n_pos = 0;
        let max = self.n_ctx().saturating_sub(4);
        if self.prompt.len() > max {
            return Err(Stop::PromptTooLong { have: self.prompt.len(), max });
        }
        let chunk = self.session.params().n_batch.max(1) as usize;
        let prompt = std::mem::take(&mut self.prompt);
        let mut result = Ok(());
        for part in prompt.chunks(chunk) {
            if let Err(e) = self.session.eval(part, self.n_pos as i32, Outputs::Last) {
                result = Err(Stop::Engine(e));
                break;
            }
            self.n_pos += part.len();
        }
        self.prompt = prompt;
        result
    }

    /// Sample one token; evaluate it unless it ends the generation.
    fn next(&mut self) -> Result<(), Stop> {
        let t = self.sampler.sample(&mut self.session);
        if self.session.model().is_eog(t) {
            return Err(Stop::EndOfSequence);
        }
        let piece = self.session.model().piece(t);
        if self.settings.stream_stdout {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(&piece);
            let _ = out.flush();
        }
        self.tokens.push(t);
        self.text.extend_from_slice(&piece);
        if !self.settings.reverse_prompt.is_empty() && contains(&self.text, self.settings.reverse_prompt.as_bytes()) {
            return Err(Stop::EndOfSequence);
        }
        if self.n_pos + 1 > self.n_ctx() {
            return Err(Stop::ContextFull);
        }
        self.session.eval(&[t], self.n_pos as i32, Outputs::Last).map_err(Stop::Engine)?;
        self.n_pos += 1;
        Ok(())
    }

    /// compute: the whole generation. Ok at an end-of-generation token, the reverse prompt or
    /// after n_predict tokens; ContextFull keeps the text generated so far.
    pub fn generate(&mut self) -> Result<(), Stop> {
        self.streaming = false;
        if self.settings.session.embeddings {
            return self.embed();
        }
        self.start()?;
        let mut left = self.settings.n_predict;
        while left > 0 {
            match self.next() {
                Ok(()) => left -= 1,
                Err(Stop::EndOfSequence) => break,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// compute_single: one more token of the stream (the first call evaluates the prompt).
    pub fn step(&mut self) -> Result<(), Stop> {
        if self.settings.session.embeddings {
            return Err(Stop::Engine("compute_single is for generation; this context is in embedding mode".into()));
        }
        if !self.streaming {
            self.start()?;
            self.streaming = true;
        }
        if self.tokens.len() as u64 >= self.settings.n_predict {
            self.streaming = false;
            return Err(Stop::EndOfSequence);
        }
        let r = self.next();
        if r.is_err() {
            self.streaming = false;
        }
        r
    }

    /// The text of the last streamed token.
    pub fn last_piece(&self) -> Option<Vec<u8>> {
        self.tokens.last().map(|&t| self.session.model().piece(t))
    }

    /// fini_single: end the stream and forget its outputs.
    pub fn finish_stream(&mut self) {
        self.streaming = false;
        self.tokens.clear();
        self.text.clear();
        self.sampler.reset();
        self.session.clear();
        self.n_pos = 0;
    }

    fn embed(&mut self) -> Result<(), Stop> {
        if self.prompt.is_empty() {
            return Err(Stop::NoInput);
        }
        let p = self.session.params();
        let max = (p.n_batch.min(p.n_ubatch) as usize).min(self.n_ctx());
        if self.prompt.len() > max {
            return Err(Stop::PromptTooLong { have: self.prompt.len(), max });
        }
        self.tokens.clear();
        self.text.clear();
        self.session.clear();
        let prompt = std::mem::take(&mut self.prompt);
        let r = self.session.eval(&prompt, 0, Outputs::All);
        self.prompt = prompt;
        r.map_err(Stop::Engine)?;
        let mut v = self.session.embedding().map_err(Stop::Engine)?;
        normalize(&mut v, self.settings.embd_normalize);
        self.embedding = v;
        Ok(())
    }
}

fn session_params(s: &Settings) -> SessionParams {
    let mut p = s.session;
    if p.embeddings {
        // Encoder models take the whole input in one micro-batch.
        p.n_ubatch = p.n_batch;
    }
    p
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// llama.cpp's common_embd_normalize: -1 none, 0 max-abs (to int16 range), 1 taxicab,
/// 2 Euclidean, p > 2 p-norm.
pub fn normalize(v: &mut [f32], kind: i32) {
    let norm: f64 = match kind {
        -1 => return,
        0 => v.iter().fold(0f64, |m, x| m.max(x.abs() as f64)) / 32760.0,
        1 => v.iter().map(|x| x.abs() as f64).sum(),
        2 => v.iter().map(|x| (*x as f64) * (*x as f64)).sum::<f64>().sqrt(),
        p => v.iter().map(|x| (x.abs() as f64).powi(p)).sum::<f64>().powf(1.0 / p as f64),
    };
    let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
    for x in v.iter_mut() {
        *x = (*x as f64 * scale) as f32;
    }
}
