//! Writes `$OUT_DIR/errors.rs`: the uniffi error enum with one variant per
//! row of `snowid::ERROR_CODES` (so one Kotlin exception class per code, in a
//! sealed hierarchy), and the conversion from the core's error.

use std::fmt::Write;

fn camel(code: &str) -> String {
    code.split('_')
        .map(|w| {
            let mut c = w.chars();
            let first = c.next().expect("codes have no empty words");
            first.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase()
        })
        .collect()
}

fn main() {
    let mut out = String::new();
    out.push_str(
        "/// Every failure, one variant (one Kotlin exception class) per stable code\n\
         /// of the core. Each carries its `code`, `number` and the core's message.\n\
         #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]\n\
         pub enum SnowidError {\n",
    );
    for (code, number, kind) in snowid::ERROR_CODES {
        writeln!(
            out,
            "    /// `{code}` (number {number}, {kind}).\n    #[error(\"{{reason}}\")]\n    {name} {{\n        /// The stable code, `\"{code}\"`.\n        code: String,\n        /// The stable number, {number}.\n        number: i32,\n        /// What went wrong, with the numbers that explain it.\n        reason: String,\n    }},",
            kind = kind.as_str(),
            name = camel(code),
        )
        .unwrap();
    }
    out.push_str("}\n\nimpl From<snowid::Error> for SnowidError {\n    fn from(e: snowid::Error) -> Self {\n        let (code, number, reason) = (e.code().to_owned(), e.number() as i32, e.to_string());\n        match e.number() {\n");
    for (code, number, _) in snowid::ERROR_CODES {
        writeln!(
            out,
            "            {number} => SnowidError::{} {{ code, number, reason }},",
            camel(code)
        )
        .unwrap();
    }
    out.push_str("            n => unreachable!(\"error number {n} is not in snowid::ERROR_CODES\"),\n        }\n    }\n}\n\n/// The variant names, in the order of `snowid::ERROR_CODES`.\npub const VARIANT_NAMES: &[&str] = &[\n");
    for (code, _, _) in snowid::ERROR_CODES {
        writeln!(out, "    \"{}\",", camel(code)).unwrap();
    }
    out.push_str("];\n\nimpl SnowidError {\n    /// The code and number every variant carries.\n    fn parts(&self) -> (&str, i32) {\n        match self {\n");
    for (code, _, _) in snowid::ERROR_CODES {
        writeln!(
            out,
            "            SnowidError::{} {{ code, number, .. }} => (code, *number),",
            camel(code)
        )
        .unwrap();
    }
    out.push_str("        }\n    }\n}\n");
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("errors.rs");
    std::fs::write(path, out).unwrap();
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../core/src/error.rs");
}
