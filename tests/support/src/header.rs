//! Checking a hand-written Rust mirror against its C header, in both directions:
//! - [`items`]: what the header declares (bindgen on libclang-14): every struct/union with its
//!   fields (those of anonymous members as `pool.heap_size`), every enum constant and every
//!   integer `#define`. [`assert_covered`] fails on any of them without a fact, so a field or a
//!   constant added to the header cannot go unmirrored.
//! - [`assert_facts`]: each fact (a C expression and the Rust value it must equal:
//!   `sizeof(T)`, `offsetof(T, f)`, a constant) is printed by a C program compiled against the
//!   header with [`crate::c_compiler`] (the target's compiler under tests/cross) and compared.
//!
//! Facts are written with the [`size!`](crate::size), [`off!`](crate::off) and
//! [`constant!`](crate::constant) macros.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bindgen::callbacks::{DeriveInfo, EnumVariantValue, FieldInfo, IntKind, ParseCallbacks};

/// `(sizeof(T), size_of::<R>())` as a fact.
#[macro_export]
macro_rules! size {
    ($c:literal, $r:ty) => {
        (
            concat!("sizeof(", $c, ")"),
            ::std::mem::size_of::<$r>() as u64,
        )
    };
}

/// `(offsetof(T, a.b), offset_of!(R, x.y))` as a fact.
#[macro_export]
macro_rules! off {
    ($c:literal . $($cf:ident).+ , $r:ty, $($rf:ident).+) => {
        (
            concat!("offsetof(", $c, ", ", $crate::__dotted!($($cf).+), ")"),
            ::std::mem::offset_of!($r, $($rf).+) as u64,
        )
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __dotted {
    ($first:ident $(. $rest:ident)*) => {
        concat!(stringify!($first) $(, ".", stringify!($rest))*)
    };
}

/// `(NAME, value)` as a fact: a C constant (enum constant or `#define`) and the Rust value.
#[macro_export]
macro_rules! constant {
    ($c:literal, $r:expr) => {
        ($c, $r as u64)
    };
}

/// What a header declares.
#[derive(Debug, Default)]
pub struct Items {
    /// struct/union name -> field paths (anonymous members' fields as `member.field`).
    pub records: BTreeMap<String, Vec<String>>,
    /// enum constants and integer `#define`s, with their values.
    pub constants: BTreeMap<String, i64>,
}

#[derive(Debug, Default)]
struct Seen {
    records: BTreeSet<String>,
    /// (type, field, field's type)
    fields: Vec<(String, String, Option<String>)>,
    constants: BTreeMap<String, i64>,
    macros: BTreeSet<String>,
}

#[derive(Debug)]
struct Collect(Arc<Mutex<Seen>>);

impl ParseCallbacks for Collect {
    fn int_macro(&self, name: &str, value: i64) -> Option<IntKind> {
        let mut seen = self.0.lock().unwrap();
        seen.constants.insert(name.to_string(), value);
        seen.macros.insert(name.to_string());
        None
    }
    fn enum_variant_name(
        &self,
        _enum: Option<&str>,
        name: &str,
        value: EnumVariantValue,
    ) -> Option<String> {
        let v = match value {
            EnumVariantValue::Boolean(b) => b as i64,
            EnumVariantValue::Signed(v) => v,
            EnumVariantValue::Unsigned(v) => v as i64,
        };
        self.0.lock().unwrap().constants.insert(name.to_string(), v);
        None
    }
    fn add_derives(&self, info: &DeriveInfo<'_>) -> Vec<String> {
        if matches!(
            info.kind,
            bindgen::callbacks::TypeKind::Struct | bindgen::callbacks::TypeKind::Union
        ) {
            self.0.lock().unwrap().records.insert(info.name.to_string());
        }
        vec![]
    }
    fn field_visibility(&self, info: FieldInfo<'_>) -> Option<bindgen::FieldVisibilityKind> {
        // bindgen appends `_` to a field named like a Rust keyword (`type` -> `type_`).
        let keyword = |k: &str| {
            matches!(
                k,
                "type"
                    | "ref"
                    | "fn"
                    | "impl"
                    | "mod"
                    | "move"
                    | "match"
                    | "self"
                    | "use"
                    | "where"
                    | "loop"
                    | "in"
                    | "box"
            )
        };
        let field = match info.field_name.strip_suffix('_') {
            Some(k) if keyword(k) => k,
            _ => info.field_name,
        };
        self.0.lock().unwrap().fields.push((
            info.type_name.to_string(),
            field.to_string(),
            info.field_type_name.map(str::to_string),
        ));
        None
    }
}

/// The items `header` (in `include_dir`) declares itself: names that do not appear in the text
/// of the header or of the other headers of `include_dir` it includes (the C library's) are
/// left out.
pub fn items(include_dir: &Path, header: &str) -> Items {
    let seen = Arc::new(Mutex::new(Seen::default()));
    bindgen::Builder::default()
        .header(include_dir.join(header).to_str().expect("UTF-8 path"))
        .clang_arg(format!("-I{}", include_dir.display()))
        .parse_callbacks(Box::new(Collect(seen.clone())))
        .layout_tests(false)
        .generate()
        .unwrap_or_else(|e| {
            panic!("bindgen on {header}: {e} (libclang-14: toolchains/setup-host.sh)")
        });
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    let ours = words_of_headers(include_dir);
    let anonymous = |t: &str| t.contains("__bindgen_ty_");
    let by_type: BTreeMap<&str, Vec<(&str, Option<&str>)>> =
        seen.fields
            .iter()
            .fold(BTreeMap::new(), |mut m, (t, f, ft)| {
                m.entry(t.as_str())
                    .or_default()
                    .push((f.as_str(), ft.as_deref()));
                m
            });
    fn expand(
        by_type: &BTreeMap<&str, Vec<(&str, Option<&str>)>>,
        ty: &str,
        prefix: &str,
        out: &mut Vec<String>,
    ) {
        for (f, ft) in by_type.get(ty).map(Vec::as_slice).unwrap_or_default() {
            let path = format!("{prefix}{f}");
            match ft {
                Some(ft) if ft.contains("__bindgen_ty_") => {
                    expand(by_type, ft, &format!("{path}."), out)
                }
                _ => out.push(path),
            }
        }
    }
    let mut items = Items::default();
    for r in seen
        .records
        .iter()
        .filter(|r| !anonymous(r) && ours.contains(r.as_str()))
    {
        let mut fields = Vec::new();
        expand(&by_type, r, "", &mut fields);
        // A struct only declared (an opaque handle's target) has no layout to mirror.
        if !fields.is_empty() {
            items.records.insert(r.clone(), fields);
        }
    }
    let defined = defines_of_headers(include_dir);
    items.constants = seen
        .constants
        .into_iter()
        .filter(|(n, _)| {
            if seen.macros.contains(n) {
                defined.contains(n)
            } else {
                ours.contains(n.as_str())
            }
        })
        .collect();
    items
}

/// The names `#define`d in the `.h` files of `dir` (the C library's macros, such as stdbool's
/// `true`, are not the header's items).
fn defines_of_headers(dir: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "h") {
            let text = std::fs::read_to_string(&p).unwrap();
            for line in text.lines() {
                if let Some(rest) = line.trim_start().strip_prefix("#define") {
                    let name = rest
                        .trim_start()
                        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .next();
                    names.extend(name.filter(|n| !n.is_empty()).map(str::to_string));
                }
            }
        }
    }
    names
}

/// Every identifier in the `.h` files of `dir`.
fn words_of_headers(dir: &Path) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "h") {
            let text = std::fs::read_to_string(&p).unwrap();
            words.extend(
                text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map(str::to_string),
            );
        }
    }
    words
}

/// Every item of `items` has a fact: `sizeof(R)` and `offsetof(R, f)` for each record and
/// field, the constant's name for each constant; `not_mirrored` names what is left out on
/// purpose (record, `Record.field` or constant). Lists everything missing at once.
pub fn assert_covered(items: &Items, facts: &[(&str, u64)], not_mirrored: &[&str]) {
    let exprs: BTreeSet<&str> = facts.iter().map(|(c, _)| *c).collect();
    let mut missing = Vec::new();
    for (r, fields) in &items.records {
        if not_mirrored.contains(&r.as_str()) {
            continue;
        }
        let size = format!("sizeof({r})");
        if !exprs.contains(size.as_str()) {
            missing.push(size);
        }
        for f in fields {
            let off = format!("offsetof({r}, {f})");
            if !exprs.contains(off.as_str()) && !not_mirrored.contains(&format!("{r}.{f}").as_str())
            {
                missing.push(off);
            }
        }
    }
    for c in items.constants.keys() {
        if !exprs.contains(c.as_str()) && !not_mirrored.contains(&c.as_str()) {
            missing.push(c.clone());
        }
    }
    assert!(
        items.records.len() + items.constants.len() > 0,
        "bindgen found nothing in the header"
    );
    assert!(
        missing.is_empty(),
        "declared in the header but not mirrored (no fact): {missing:#?}"
    );
    for n in not_mirrored {
        let (r, f) = n.split_once('.').unwrap_or((n, ""));
        let known = items.constants.contains_key(*n)
            || items
                .records
                .get(r)
                .is_some_and(|fs| f.is_empty() || fs.iter().any(|x| x == f));
        assert!(
            known,
            "{n} is listed as not mirrored but the header does not declare it"
        );
    }
}

/// Compiles a C program against `headers` (in `include_dir`) that prints each fact's C
/// expression, runs it (through EMBER_TEST_RUNNER under tests/cross) and compares each value
/// with the Rust one. Returns the program's extra output lines (`extra_printf` statements).
pub fn assert_facts(
    include_dir: &Path,
    headers: &[&str],
    facts: &[(&str, u64)],
    extra_printf: &str,
) -> Vec<String> {
    let dir = crate::target_tmp().join(format!("header-facts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let stem = headers[0].trim_end_matches(".h");
    let src = dir.join(format!("{stem}_facts.c"));
    let exe: PathBuf = dir.join(format!("{stem}_facts"));
    let includes: String = headers
        .iter()
        .map(|h| format!("#include \"{h}\"\n"))
        .collect();
    let prints: String = facts
        .iter()
        .map(|(c, _)| format!("    printf(\"%llu\\n\", (unsigned long long)({c}));\n"))
        .collect();
    std::fs::write(
        &src,
        format!("#include <stddef.h>\n#include <stdio.h>\n{includes}int main(void)\n{{\n{prints}{extra_printf}    return 0;\n}}\n"),
    )
    .unwrap();
    let mut cc = crate::c_compiler();
    cc.args(["-std=c11", "-Wall", "-Werror", "-I"])
        .arg(include_dir)
        .arg(&src)
        .arg("-o")
        .arg(&exe);
    crate::run_ok(&mut cc, "compiling the header's facts");
    let r = crate::run(&exe, &[]);
    assert_eq!(r.code, Some(0), "{}", r.show());
    let _ = std::fs::remove_dir_all(&dir);
    let lines: Vec<String> = r.stdout.lines().map(str::to_string).collect();
    assert!(lines.len() >= facts.len(), "{}", r.show());
    let wrong: Vec<String> = facts
        .iter()
        .zip(&lines)
        .filter(|((_, rust), c)| c.parse::<u64>().ok() != Some(*rust))
        .map(|((expr, rust), c)| format!("{expr}: C says {c}, Rust says {rust}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "the Rust mirror disagrees with the header: {wrong:#?}"
    );
    lines[facts.len()..].to_vec()
}
