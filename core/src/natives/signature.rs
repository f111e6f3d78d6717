//! WAMR native signature strings: `"(params)result"`.
//!
//! | char | wasm type | what the native function receives |
//! |---|---|---|
//! | `i` | i32 | int32_t |
//! | `I` | i64 | int64_t |
//! | `f` | f32 | float |
//! | `F` | f64 | double |
//! | `r` | externref | uintptr_t (the host's reference value) |
//! | `*` | i32 | a native pointer; the app offset is checked for 1 byte, or for the length given by a following `~` |
//! | `~` | i32 | the byte length of the preceding `*` buffer |
//! | `$` | i32 | a native pointer to a NUL-terminated string checked to lie in linear memory |
//!
//! The result is one of `i I f F r`, or nothing.

use ember_interp::ValType;

use super::SignatureError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    I32,
    I64,
    F32,
    F64,
    ExternRef,
    /// `*` (with_len: followed by `~`).
    Ptr { with_len: bool },
    /// `~`
    Len,
    /// `$`
    Str,
}

impl Param {
    /// A placeholder native argument of this parameter's C type (for layout checks).
    pub fn probe_arg(self) -> super::invoke::Arg {
        use super::invoke::Arg;
        match self {
            Param::I32 | Param::Len => Arg::I32(0),
            Param::I64 => Arg::I64(0),
            Param::F32 => Arg::F32(0),
            Param::F64 => Arg::F64(0),
            Param::ExternRef | Param::Ptr { .. } | Param::Str => Arg::Ptr(0),
        }
    }

    pub fn val_type(self) -> ValType {
        match self {
            Param::I64 => ValType::I64,
            Param::F32 => ValType::F32,
            Param::F64 => ValType::F64,
            Param::ExternRef => ValType::ExternRef,
            Param::I32 | Param::Ptr { .. } | Param::Len | Param::Str => ValType::I32,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub params: Vec<Param>,
    pub result: Option<ValType>,
}

impl Signature {
    pub fn parse(s: &str) -> Result<Signature, SignatureError> {
        let bad = |why: &str| SignatureError { text: s.to_string(), why: why.to_string() };
        let rest = s.strip_prefix('(').ok_or_else(|| bad("must start with '('"))?;
        let close = rest.find(')').ok_or_else(|| bad("missing ')'"))?;
        let (ps, rs) = (&rest[..close], &rest[close + 1..]);
        let chars: Vec<char> = ps.chars().collect();
        let mut params = Vec::with_capacity(chars.len());
        for (i, &c) in chars.iter().enumerate() {
            params.push(match c {
                'i' => Param::I32,
                'I' => Param::I64,
                'f' => Param::F32,
                'F' => Param::F64,
                'r' => Param::ExternRef,
                '*' => Param::Ptr { with_len: chars.get(i + 1) == Some(&'~') },
                '~' => {
                    if i == 0 || chars[i - 1] != '*' {
                        return Err(bad("'~' must follow '*'"));
                    }
                    Param::Len
                }
                '$' => Param::Str,
                other => return Err(bad(&format!("unknown parameter type '{other}'"))),
            });
        }
        let result = match rs {
            "" => None,
            "i" => Some(ValType::I32),
            "I" => Some(ValType::I64),
            "f" => Some(ValType::F32),
            "F" => Some(ValType::F64),
            "r" => Some(ValType::ExternRef),
            other => return Err(bad(&format!("unknown result type \"{other}\""))),
        };
        Ok(Signature { params, result })
    }

    /// The signature an unchecked native (NULL or empty signature, lib_export.h's
    /// `EXPORT_WASM_API`) is called with, as in WAMR: the import's own types, with i32
    /// pointers passed unconverted (app offsets). None for a type no native can take
    /// (v128, funcref, several results).
    pub fn of_wasm_type(params: &[ValType], results: &[ValType]) -> Option<Signature> {
        let param = |t: &ValType| match t {
            ValType::I32 => Some(Param::I32),
            ValType::I64 => Some(Param::I64),
            ValType::F32 => Some(Param::F32),
            ValType::F64 => Some(Param::F64),
            ValType::ExternRef => Some(Param::ExternRef),
            ValType::V128 | ValType::FuncRef => None,
        };
        let result = match results {
            [] => None,
            [t] => Some(param(t)?.val_type()),
            _ => return None,
        };
        Some(Signature { params: params.iter().map(param).collect::<Option<_>>()?, result })
    }

    /// Does this signature fit the wasm function type `params -> results`?
    pub fn matches(&self, params: &[ValType], results: &[ValType]) -> bool {
        self.params.len() == params.len()
            && self.params.iter().zip(params).all(|(p, t)| p.val_type() == *t)
            && match self.result {
                None => results.is_empty(),
                Some(r) => results == [r],
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wamr_signatures() {
        let s = Signature::parse("(i*~$F)f").unwrap();
        assert_eq!(
            s.params,
            vec![Param::I32, Param::Ptr { with_len: true }, Param::Len, Param::Str, Param::F64]
        );
        assert_eq!(s.result, Some(ValType::F32));
        assert!(s.matches(&[ValType::I32, ValType::I32, ValType::I32, ValType::I32, ValType::F64], &[ValType::F32]));
        assert_eq!(Signature::parse("()").unwrap().params.len(), 0);
        assert_eq!(Signature::parse("(*)").unwrap().params, vec![Param::Ptr { with_len: false }]);
        assert!(Signature::parse("(~)").is_err());
        assert!(Signature::parse("(x)").is_err());
        assert!(Signature::parse("i)").is_err());
        assert!(Signature::parse("(i)ii").is_err());
    }

    #[test]
    fn unchecked_natives_take_the_import_type() {
        let s = Signature::of_wasm_type(&[ValType::I32, ValType::I64, ValType::F64], &[ValType::F32]).unwrap();
        assert_eq!(s, Signature::parse("(iIF)f").unwrap());
        assert!(Signature::of_wasm_type(&[ValType::V128], &[]).is_none());
        assert!(Signature::of_wasm_type(&[], &[ValType::I32, ValType::I32]).is_none());
    }
}
