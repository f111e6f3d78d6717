//! Executes the directives of one .wast file against ember-interp.
//!
//! Every directive is one check (module, register, invoke, get and every
//! assert_*). A check that does not behave as the spec says is a failure with
//! a one-line reason. Panics of the interpreter are caught per directive and
//! reported as failures, so one bug cannot hide the rest of the suite.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;

use ember_interp::{Config, Error, Extern, Features, Instance, Module, Store, Trap, Val};
use wast::parser::{self, ParseBuffer};
use wast::token::Id;
use wast::{QuoteWat, QuoteWatTest, Wast, WastDirective, WastExecute, WastInvoke, WastRet};

use crate::panic_capture;
use crate::spectest_host;
use crate::values::{arg_to_val, check_ret, show_val};

/// One check that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub file: String,
    /// 1-based line and column of the directive in the .wast file.
    pub line: usize,
    pub col: usize,
    pub reason: String,
}

impl Failure {
    /// The key of expected-failures.txt: `file line:col`.
    pub fn key(&self) -> String {
        format!("{} {}:{}", self.file, self.line, self.col)
    }
}

#[derive(Debug, Default)]
pub struct FileResult {
    pub name: String,
    pub simd: bool,
    /// Checks that ran.
    pub total: usize,
    pub passed: usize,
    pub failures: Vec<Failure>,
    /// Modules rejected as expected, but as `Invalid` where the spec says
    /// malformed or the other way round (informational, not a failure).
    pub misclassified: Vec<Failure>,
}

/// Counts the directives of a file without running them (simd files).
pub fn count_directives(name: &str, text: &str) -> Result<usize, String> {
    let buf = lex(text).map_err(|e| format!("{name}: {e}"))?;
    let wast: Wast<'_> = parser::parse(&buf).map_err(|e| format!("{name}: {e}"))?;
    Ok(wast.directives.len())
}

fn lex(text: &str) -> Result<ParseBuffer<'_>, wast::Error> {
    let mut lexer = wast::lexer::Lexer::new(text);
    // names.wast and a few others use such characters on purpose.
    lexer.allow_confusing_unicode(true);
    ParseBuffer::new_with_lexer(lexer)
}

pub fn run_file(name: &str, text: &str, simd: bool) -> FileResult {
    let mut result = FileResult { name: name.to_string(), simd, ..Default::default() };
    let buf = match lex(text) {
        Ok(b) => b,
        Err(e) => {
            result.total = 1;
            result.failures.push(Failure { file: name.into(), line: 0, col: 0, reason: format!("lex error: {e}") });
            return result;
        }
    };
    let wast: Wast<'_> = match parser::parse(&buf) {
        Ok(w) => w,
        Err(e) => {
            result.total = 1;
            result.failures.push(Failure { file: name.into(), line: 0, col: 0, reason: format!("parse error: {e}") });
            return result;
        }
    };
    let features = crate::source::features_of(name);
    let mut ctx = Ctx::new(features);
    for directive in wast.directives {
        let (line, col) = directive.span().linecol_in(text);
        result.total += 1;
        let outcome = panic_capture::catch(AssertUnwindSafe(|| ctx.run(directive)));
        let outcome = match outcome {
            Ok(o) => o,
            Err(msg) => {
                // The store may be inconsistent after a panic: start afresh so
                // later failures are not artefacts of this one.
                ctx = Ctx::new(features);
                Err(format!("panic: {msg}"))
            }
        };
        match outcome {
            Ok(Checked::Pass) => result.passed += 1,
            Ok(Checked::PassMisclassified(reason)) => {
                result.passed += 1;
                result.misclassified.push(Failure { file: name.into(), line: line + 1, col: col + 1, reason: one_line(&reason) });
            }
            Err(reason) => result.failures.push(Failure {
                file: name.into(),
                line: line + 1,
                col: col + 1,
                reason: one_line(&reason),
            }),
        }
    }
    result
}

fn one_line(s: &str) -> String {
    let s: String = s.chars().map(|c| if c == '\n' || c == '\t' { ' ' } else { c }).collect();
    const MAX: usize = 200;
    if s.chars().count() > MAX {
        s.chars().take(MAX).collect::<String>() + "..."
    } else {
        s
    }
}

enum Checked {
    Pass,
    /// Rejected as required, but with the other of malformed/invalid.
    PassMisclassified(String),
}

type Outcome = Result<Checked, String>;

struct Ctx {
    store: Store<()>,
    spectest: Option<HashMap<&'static str, Extern>>,
    /// Instances made available to imports by `register`.
    registered: HashMap<String, Instance>,
    /// Instances named by `(module $id ...)`.
    named: HashMap<String, Instance>,
    /// Modules from `(module $id definition ...)`.
    definitions: HashMap<String, Module>,
    current: Option<Instance>,
    /// What the file's modules may use beyond 2.0 (`source::features_of`).
    features: Features,
}

impl Ctx {
    fn new(features: Features) -> Ctx {
        Ctx {
            features,
            store: Store::new(Config::default(), ()),
            spectest: None,
            registered: HashMap::new(),
            named: HashMap::new(),
            definitions: HashMap::new(),
            current: None,
        }
    }

    fn run(&mut self, d: WastDirective<'_>) -> Outcome {
        match d {
            WastDirective::Module(mut m) => {
                let name = m.name().map(|id| id.name().to_string());
                // A failed module must not leave the previous one current.
                self.current = None;
                if let Some(n) = &name {
                    self.named.remove(n);
                }
                let bytes = m.encode().map_err(|e| format!("wast could not encode module: {e}"))?;
                let module = load(&bytes, self.features)?;
                let inst = self.instantiate(&module).map_err(|e| format!("instantiation failed: {e}"))?;
                self.current = Some(inst);
                if let Some(n) = name {
                    self.named.insert(n, inst);
                }
                Ok(Checked::Pass)
            }
            WastDirective::ModuleDefinition(mut m) => {
                let name = m.name().map(|id| id.name().to_string());
                let bytes = m.encode().map_err(|e| format!("wast could not encode module: {e}"))?;
                let module = load(&bytes, self.features)?;
                if let Some(n) = name {
                    self.definitions.insert(n, module);
                }
                Ok(Checked::Pass)
            }
            WastDirective::ModuleInstance { instance, module, .. } => {
                let def = module.map(|id| id.name()).ok_or("module instance without a definition name")?;
                let module = self.definitions.get(def).cloned().ok_or(format!("unknown definition ${def}"))?;
                let inst = self.instantiate(&module).map_err(|e| format!("instantiation failed: {e}"))?;
                self.current = Some(inst);
                if let Some(id) = instance {
                    self.named.insert(id.name().to_string(), inst);
                }
                Ok(Checked::Pass)
            }
            WastDirective::Register { name, module, .. } => {
                let inst = self.instance(module)?;
                self.registered.insert(name.to_string(), inst);
                Ok(Checked::Pass)
            }
            WastDirective::Invoke(invoke) => {
                self.invoke(&invoke)?.map_err(|t| format!("trapped: {t}"))?;
                Ok(Checked::Pass)
            }
            WastDirective::AssertReturn { exec, results, .. } => self.assert_return(exec, &results),
            WastDirective::AssertTrap { exec, message, .. } => self.assert_trap(exec, message),
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call)? {
                Ok(vals) => Err(format!("returned {}, expected trap \"{message}\"", show_vals(&vals))),
                Err(Trap::StackExhausted) => Ok(Checked::Pass),
                Err(t) => Err(format!("trapped \"{t}\", expected \"{message}\"")),
            },
            WastDirective::AssertMalformed { module, message, .. } => self.assert_rejected(module, message, true),
            WastDirective::AssertInvalid { module, message, .. } => self.assert_rejected(module, message, false),
            WastDirective::AssertUnlinkable { mut module, message, .. } => {
                let bytes = module.encode().map_err(|e| format!("wast could not encode module: {e}"))?;
                let module = load(&bytes, self.features)?;
                match self.instantiate(&module) {
                    Ok(_) => Err(format!("instantiated, expected unlinkable \"{message}\"")),
                    Err(Error::Unlinkable(_)) => Ok(Checked::Pass),
                    Err(e) => Err(format!("failed with \"{e}\", expected unlinkable \"{message}\"")),
                }
            }
            WastDirective::AssertException { .. } => Err("assert_exception is not a 2.0 directive".into()),
            WastDirective::AssertSuspension { .. } => Err("assert_suspension is not a 2.0 directive".into()),
            WastDirective::Thread(_) | WastDirective::Wait { .. } => Err("threads are not a 2.0 feature".into()),
        }
    }

    fn instance(&self, id: Option<Id<'_>>) -> Result<Instance, String> {
        match id {
            Some(id) => self.named.get(id.name()).copied().ok_or_else(|| format!("no instance ${}", id.name())),
            None => self.current.ok_or_else(|| "no current instance (its module failed)".to_string()),
        }
    }

    /// Resolves the imports by name (spectest or registered instances) and
    /// instantiates. A name that resolves to nothing is unlinkable.
    fn instantiate(&mut self, module: &Module) -> Result<Instance, Error> {
        let mut imports = Vec::with_capacity(module.imports().len());
        for imp in module.imports() {
            let ext = if &*imp.module == "spectest" {
                if self.spectest.is_none() {
                    self.spectest = Some(spectest_host::create(&mut self.store)?);
                }
                self.spectest.as_ref().and_then(|m| m.get(&*imp.name).copied())
            } else {
                match self.registered.get(&*imp.module) {
                    Some(inst) => inst.get_export(&self.store, &imp.name),
                    None => None,
                }
            };
            match ext {
                Some(e) => imports.push(e),
                None => return Err(Error::Unlinkable(format!("unknown import {}.{}", imp.module, imp.name).into())),
            }
        }
        Instance::new(&mut self.store, module, &imports)
    }

    /// Outer `Err`: the harness could not make the call (no instance, no
    /// such export, unsupported argument). Inner: the call's own outcome.
    fn invoke(&mut self, inv: &WastInvoke<'_>) -> Result<Result<Vec<Val>, Trap>, String> {
        let inst = self.instance(inv.module)?;
        let func = inst
            .get_func(&self.store, inv.name)
            .ok_or_else(|| format!("no exported function \"{}\"", inv.name))?;
        let mut args = Vec::with_capacity(inv.args.len());
        for a in &inv.args {
            args.push(arg_to_val(a)?);
        }
        let ty = func.ty(&self.store);
        let mut results: Vec<Val> = ty.results.iter().map(|t| Val::default_of(*t)).collect();
        Ok(func.call(&mut self.store, &args, &mut results).map(|()| results))
    }

    fn assert_return(&mut self, exec: WastExecute<'_>, expected: &[WastRet<'_>]) -> Outcome {
        let actual = match exec {
            WastExecute::Invoke(inv) => self.invoke(&inv)?.map_err(|t| format!("trapped: {t}"))?,
            WastExecute::Get { module, global, .. } => {
                let inst = self.instance(module)?;
                match inst.get_export(&self.store, global) {
                    Some(Extern::Global(g)) => vec![g.get(&self.store)],
                    _ => return Err(format!("no exported global \"{global}\"")),
                }
            }
            WastExecute::Wat(mut w) => {
                let bytes = w.encode().map_err(|e| format!("wast could not encode module: {e}"))?;
                let module = load(&bytes, self.features)?;
                self.instantiate(&module).map_err(|e| format!("instantiation failed: {e}"))?;
                Vec::new()
            }
        };
        if actual.len() != expected.len() {
            return Err(format!("got {} results ({}), expected {}", actual.len(), show_vals(&actual), expected.len()));
        }
        for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
            check_ret(a, e).map_err(|m| format!("result {i}: {m}"))?;
        }
        Ok(Checked::Pass)
    }

    fn assert_trap(&mut self, exec: WastExecute<'_>, message: &str) -> Outcome {
        match exec {
            WastExecute::Invoke(inv) => match self.invoke(&inv)? {
                Ok(vals) => Err(format!("returned {}, expected trap \"{message}\"", show_vals(&vals))),
                Err(t) if trap_matches(&t, message) => Ok(Checked::Pass),
                Err(t) => Err(format!("trapped \"{t}\", expected \"{message}\"")),
            },
            WastExecute::Wat(mut w) => {
                let bytes = w.encode().map_err(|e| format!("wast could not encode module: {e}"))?;
                let module = load(&bytes, self.features)?;
                match self.instantiate(&module) {
                    Ok(_) => Err(format!("instantiated, expected trap \"{message}\"")),
                    Err(Error::Trap(t)) if trap_matches(&t, message) => Ok(Checked::Pass),
                    Err(e) => Err(format!("failed with \"{e}\", expected trap \"{message}\"")),
                }
            }
            WastExecute::Get { .. } => Err("assert_trap on a global get".into()),
        }
    }

    /// assert_malformed (`malformed`) and assert_invalid: the module must be
    /// rejected by `Module::new`. Quoted text that the wast parser itself
    /// rejects is malformed at the text level and passes.
    fn assert_rejected(&mut self, mut module: QuoteWat<'_>, message: &str, malformed: bool) -> Outcome {
        let what = if malformed { "malformed" } else { "invalid" };
        let bytes = match module.to_test() {
            Ok(QuoteWatTest::Binary(b)) => b,
            Ok(QuoteWatTest::Text(text)) => match encode_text(&text) {
                Ok(b) => b,
                Err(_) if malformed => return Ok(Checked::Pass),
                Err(e) => return Err(format!("wast could not encode module: {e}")),
            },
            Err(_) if malformed => return Ok(Checked::Pass),
            Err(e) => return Err(format!("wast could not encode module: {e}")),
        };
        match Module::new_with_features(&bytes, self.features) {
            Ok(_) => Err(format!("module accepted, expected {what} \"{message}\"")),
            Err(Error::Malformed(_)) if malformed => Ok(Checked::Pass),
            Err(Error::Invalid(_)) if !malformed => Ok(Checked::Pass),
            Err(e @ (Error::Malformed(_) | Error::Invalid(_))) => {
                Ok(Checked::PassMisclassified(format!("expected {what} \"{message}\", got {e}")))
            }
            Err(e) => Err(format!("rejected as \"{e}\", expected {what} \"{message}\"")),
        }
    }
}

/// A module the suite expects to load: validated, and every function translated now, so each
/// goes through the IR verifier (ember-interp's `verify` feature, on for this harness) whether
/// the suite calls it or not. A verifier failure fails the directive.
fn load(bytes: &[u8], features: Features) -> Result<Module, String> {
    let module = Module::new_with_features(bytes, features).map_err(|e| format!("module rejected: {e}"))?;
    module.translate_all().map_err(|e| format!("translation failed: {e}"))?;
    Ok(module)
}

fn encode_text(text: &[u8]) -> Result<Vec<u8>, String> {
    let text = std::str::from_utf8(text).map_err(|_| "malformed UTF-8 encoding".to_string())?;
    let buf = lex(text).map_err(|e| e.to_string())?;
    let mut wat: wast::Wat<'_> = parser::parse(&buf).map_err(|e| e.to_string())?;
    wat.encode().map_err(|e| e.to_string())
}

/// The suite's trap messages are prefixes of the interpreter's (or equal);
/// "undefined element" is the spec's name for a call_indirect index past the
/// end of the table.
fn trap_matches(t: &Trap, expected: &str) -> bool {
    if matches!(t, Trap::Host(_) | Trap::Exit(_)) {
        return false;
    }
    let m = t.message();
    if m.starts_with(expected) || (!m.is_empty() && expected.starts_with(m)) {
        return true;
    }
    matches!((expected, t), ("undefined element", Trap::TableOutOfBounds))
}

fn show_vals(v: &[Val]) -> String {
    let parts: Vec<String> = v.iter().map(show_val).collect();
    format!("[{}]", parts.join(", "))
}
