//! The core's modules import one another without a cycle (issue 21).
//!
//! The rule this test checks, on the source text of `core/src/**/*.rs`
//! (binaries under `src/bin/` are crates of their own and are left out):
//!
//! - **Unit**: one module file. `src/x.rs` and `src/x/mod.rs` are module
//!   `x`, `src/x/y.rs` is `x::y`; inline modules (`mod tests { ... }`) belong
//!   to their file.
//! - **Edge**: file A names an item of module B: a `use crate::...` /
//!   `use super::...` declaration or a `crate::...` / `super::...` path in
//!   the code (comments and string literals are skipped). The path is followed
//!   to the module that *defines* the item: through `pub use` re-exports (so
//!   `crate::Value` is `value`, `crate::node::parse_setting` is `env`). A
//!   re-export alone is a name, not a use, and makes no edge (a public item
//!   moved to its layer keeps its old path that way); a re-exported name
//!   the module's own code uses is an edge.
//! - **Inside is not an edge**: a module and its own sub-modules (`node` and
//!   `node::mark`) are one piece of code that Rust lets see each other's
//!   private items; edges between a module and its ancestors or descendants
//!   are not counted. Edges between siblings (`node::mark` ->
//!   `node::slots`) and across the tree are.
//! - **No cycle**: the graph of the remaining edges has no cycle. Each
//!   strongly connected group of modules is printed as one cycle, with the
//!   names that tie each edge.
//!
//! The layers this gives, top to bottom: `default`, `wide::generator` ->
//! `options::*` (the rules) -> `lanes` -> `node` (the sources) and
//! `segment` -> `generator`, and beside it `lease` and `node::mark`, which
//! serve it through the trait in `reserve` without importing it -> `value`
//! -> `layout`, `clock`, `fork`, `env` -> `error`, `word` and `options`
//! itself (the option names, limits and defaults every layer may read).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn name(m: &[String]) -> String {
    if m.is_empty() {
        "crate".to_owned()
    } else {
        m.join("::")
    }
}

/// Every module file under `src`, with its module path.
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<Module, PathBuf>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
            if path.is_dir() {
                if prefix.is_empty() && stem == "bin" {
                    continue;
                }
                let mut p = prefix.to_vec();
                p.push(stem);
                walk(&path, &p, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut p = prefix.to_vec();
                if !(stem == "mod" || prefix.is_empty() && stem == "lib") {
                    p.push(stem);
                }
                out.insert(p, path);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, &[], &mut out);
    out
}

/// The source without comments, string literals and char literals (each
/// replaced by a space), so that only code is searched for paths.
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < c.len() {
        if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c[i] == 'r'
            && (c.get(i + 1) == Some(&'"') || c.get(i + 1) == Some(&'#'))
            && (i == 0 || !(c[i - 1].is_alphanumeric() || c[i - 1] == '_'))
        {
            // A raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while c.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if c.get(j) != Some(&'"') {
                out.push(c[i]);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= c.len() {
                    break;
                }
                if c[j] == '"' && (1..=hashes).all(|k| c.get(j + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            i = j;
            out.push(' ');
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push(' ');
        } else if c[i] == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if c.get(i + 1) == Some(&'\\') {
                let mut j = i + 2;
                while j < c.len() && c[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                out.push(' ');
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push(' ');
            } else {
                out.push(c[i]);
                i += 1;
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// A `use` declaration: whether it is a re-export, and its paths, each with
/// the name it binds.
struct UseDecl {
    reexport: bool,
    paths: Vec<(Vec<String>, String)>,
}

/// Expands a use tree (`a::{b, c::{d as e}, self}`) into full paths.
fn expand(tree: &str, prefix: &[String], out: &mut Vec<(Vec<String>, String)>) {
    let tree = tree.trim();
    if tree.is_empty() {
        return;
    }
    // Split off the first `{...}` group, if any.
    if let Some(open) = tree.find('{') {
        let head: Vec<String> = tree[..open]
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let close = tree.rfind('}').expect("balanced braces");
        let inner = &tree[open + 1..close];
        let mut p = prefix.to_vec();
        p.extend(head);
        let mut depth = 0;
        let mut start = 0;
        let bytes = inner.as_bytes();
        for (k, b) in bytes.iter().enumerate() {
            match b {
                b'{' => depth += 1,
                b'}' => depth -= 1,
                b',' if depth == 0 => {
                    expand(&inner[start..k], &p, out);
                    start = k + 1;
                }
                _ => {}
            }
        }
        expand(&inner[start..], &p, out);
        return;
    }
    let (path, alias) = match tree.split_once(" as ") {
        Some((p, a)) => (p.trim(), Some(a.trim().to_owned())),
        None => (tree, None),
    };
    let mut p = prefix.to_vec();
    p.extend(path.split("::").map(|s| s.trim().to_owned()));
    if p.last().map(String::as_str) == Some("self") {
        p.pop();
    }
    let bound = alias.unwrap_or_else(|| p.last().cloned().unwrap_or_default());
    out.push((p, bound));
}

/// The `use` declarations of a file (code only), and the rest of the code.
fn use_decls(code: &str) -> (Vec<UseDecl>, String) {
    let mut decls = Vec::new();
    let mut rest = String::with_capacity(code.len());
    let mut i = 0;
    let b = code.as_bytes();
    while i < code.len() {
        let at_word = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if at_word && code[i..].starts_with("use ") {
            let end = i + code[i..].find(';').expect("a use ends with ;");
            // `pub use` / `pub(crate) use`: the visibility leaves the code
            // with the declaration.
            let before = rest.trim_end();
            let visibility = if before.ends_with("pub") {
                Some(before.len() - 3)
            } else if before.ends_with(')') {
                before
                    .rfind("pub(")
                    .filter(|&open| !before[open..].contains(['\n', ';', '{', '}']))
            } else {
                None
            };
            let reexport = visibility.is_some();
            if let Some(at) = visibility {
                rest.truncate(at);
            }
            let mut paths = Vec::new();
            expand(&code[i + 4..end], &[], &mut paths);
            decls.push(UseDecl { reexport, paths });
            rest.push(' ');
            i = end + 1;
        } else {
            let ch = code[i..].chars().next().unwrap();
            rest.push(ch);
            i += ch.len_utf8();
        }
    }
    (decls, rest)
}

/// Paths in code that start at `crate` or `super` (`crate::a::B`,
/// `super::super::x`).
fn code_paths(code: &str) -> Vec<Vec<String>> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let at_word =
            i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b':');
        if at_word && (code[i..].starts_with("crate::") || code[i..].starts_with("super::")) {
            let mut j = i;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b':') {
                j += 1;
            }
            out.push(
                code[i..j]
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            );
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Whether `word` occurs in `code` as a whole identifier.
fn uses_word(code: &str, word: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    code.match_indices(word).any(|(i, _)| {
        !code[..i].chars().next_back().is_some_and(ident)
            && !code[i + word.len()..].chars().next().is_some_and(ident)
    })
}

/// A path as written in module `at`, made absolute (without `crate`).
fn absolute(at: &Module, is_mod_rs: bool, path: &[String]) -> Option<Vec<String>> {
    let mut p = path.iter().peekable();
    let mut base: Vec<String>;
    match p.peek().map(|s| s.as_str()) {
        Some("crate") => {
            p.next();
            base = Vec::new();
        }
        Some("super") | Some("self") => {
            base = at.clone();
            // `super` in `x.rs` or `x/mod.rs` is the parent of `x` either way;
            // `is_mod_rs` only matters for `mod` declarations.
            let _ = is_mod_rs;
            while let Some(s) = p.peek() {
                match s.as_str() {
                    "super" => {
                        base.pop()?;
                    }
                    "self" => {}
                    _ => break,
                }
                p.next();
            }
        }
        _ => return None,
    }
    base.extend(p.cloned());
    Some(base)
}

struct Tree {
    modules: BTreeSet<Module>,
    /// Per module: name -> absolute path it re-exports.
    reexports: BTreeMap<Module, BTreeMap<String, Vec<String>>>,
}

impl Tree {
    /// The module that defines the item an absolute path names, and the
    /// item's name.
    fn resolve(&self, path: &[String], depth: usize) -> Option<(Module, String)> {
        let mut m: Module = Vec::new();
        let mut k = 0;
        while k < path.len() {
            let mut next = m.clone();
            next.push(path[k].clone());
            if self.modules.contains(&next) {
                m = next;
                k += 1;
            } else {
                break;
            }
        }
        if k < path.len() && depth < 8 {
            if let Some(target) = self.reexports.get(&m).and_then(|r| r.get(&path[k])) {
                let mut p = target.clone();
                p.extend(path[k + 1..].iter().cloned());
                return self.resolve(&p, depth + 1);
            }
        }
        let item = path.get(k).cloned().unwrap_or_else(|| "self".to_owned());
        Some((m, item))
    }
}

fn inside(a: &Module, b: &Module) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// Edges of the core: (from, to) -> names used.
fn edges() -> BTreeMap<(Module, Module), BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = modules(&src);
    let mut tree = Tree {
        modules: files.keys().cloned().collect(),
        reexports: BTreeMap::new(),
    };
    let mut parsed = Vec::new();
    for (m, path) in &files {
        let text = fs::read_to_string(path).unwrap();
        let is_mod_rs = path
            .file_name()
            .is_some_and(|f| f == "mod.rs" || f == "lib.rs");
        let (decls, rest) = use_decls(&code_only(&text));
        for d in &decls {
            if !d.reexport {
                continue;
            }
            for (p, bound) in &d.paths {
                // `pub use child::X` is relative to this module.
                let abs = absolute(m, is_mod_rs, p).unwrap_or_else(|| {
                    let mut a = m.clone();
                    a.extend(p.iter().cloned());
                    a
                });
                tree.reexports
                    .entry(m.clone())
                    .or_default()
                    .insert(bound.clone(), abs);
            }
        }
        parsed.push((m.clone(), is_mod_rs, decls, rest));
    }
    let mut out: BTreeMap<(Module, Module), BTreeSet<String>> = BTreeMap::new();
    for (m, is_mod_rs, decls, rest) in &parsed {
        // A re-exported name the module's own code uses is a use too.
        let mut paths: Vec<Vec<String>> = decls
            .iter()
            .flat_map(|d| d.paths.iter().map(move |(p, bound)| (d.reexport, p, bound)))
            .filter(|(reexport, _, bound)| !reexport || uses_word(rest, bound))
            .map(|(_, p, _)| p.clone())
            .collect();
        paths.extend(code_paths(rest));
        for p in paths {
            let Some(abs) = absolute(m, *is_mod_rs, &p) else {
                continue;
            };
            let Some((to, item)) = tree.resolve(&abs, 0) else {
                continue;
            };
            if inside(m, &to) {
                continue;
            }
            out.entry((m.clone(), to)).or_default().insert(item);
        }
    }
    out
}

/// Strongly connected groups of more than one module (Tarjan).
fn cycles(edges: &BTreeMap<(Module, Module), BTreeSet<String>>) -> Vec<Vec<Module>> {
    let mut next: BTreeMap<&Module, Vec<&Module>> = BTreeMap::new();
    for (a, b) in edges.keys() {
        next.entry(a).or_default().push(b);
        next.entry(b).or_default();
    }
    struct St<'a> {
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on: BTreeSet<&'a Module>,
        out: Vec<Vec<Module>>,
    }
    fn visit<'a>(v: &'a Module, next: &BTreeMap<&'a Module, Vec<&'a Module>>, st: &mut St<'a>) {
        let i = st.index.len();
        st.index.insert(v, i);
        st.low.insert(v, i);
        st.stack.push(v);
        st.on.insert(v);
        for &w in &next[v] {
            if !st.index.contains_key(w) {
                visit(w, next, st);
                let l = st.low[w].min(st.low[v]);
                st.low.insert(v, l);
            } else if st.on.contains(w) {
                let l = st.index[w].min(st.low[v]);
                st.low.insert(v, l);
            }
        }
        if st.low[v] == st.index[v] {
            let mut group = Vec::new();
            loop {
                let w = st.stack.pop().unwrap();
                st.on.remove(w);
                group.push(w.clone());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                st.out.push(group);
            }
        }
    }
    let mut st = St {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in next.keys() {
        if !st.index.contains_key(v) {
            visit(v, &next, &mut st);
        }
    }
    st.out
}

/// The shortest way from the group's first module back to itself.
fn one_cycle(
    edges: &BTreeMap<(Module, Module), BTreeSet<String>>,
    group: &[Module],
) -> Vec<String> {
    let start = &group[0];
    let mut came_from: BTreeMap<&Module, &Module> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for (a, b) in edges.keys() {
            if a != v || !group.contains(b) || came_from.contains_key(b) {
                continue;
            }
            came_from.insert(b, a);
            if b == start {
                let mut path = vec![name(start)];
                let mut at = came_from[start];
                while at != start {
                    path.push(name(at));
                    at = came_from[at];
                }
                path.push(name(start));
                path.reverse();
                return path;
            }
            queue.push_back(b);
        }
    }
    unreachable!("a strongly connected group has a cycle")
}

#[test]
fn core_modules_import_without_a_cycle() {
    let edges = edges();
    let groups = cycles(&edges);
    let mut report = String::new();
    for (n, group) in groups.iter().enumerate() {
        let names: Vec<String> = group.iter().map(|m| name(m)).collect();
        report.push_str(&format!("cycle {}: {}\n", n + 1, names.join(", ")));
        report.push_str(&format!(
            "  e.g. {}\n",
            one_cycle(&edges, group).join(" -> ")
        ));
        for ((a, b), items) in &edges {
            if group.contains(a) && group.contains(b) {
                let items: Vec<&str> = items.iter().map(String::as_str).collect();
                report.push_str(&format!(
                    "  {} -> {}: {}\n",
                    name(a),
                    name(b),
                    items.join(", ")
                ));
            }
        }
    }
    assert!(
        groups.is_empty(),
        "core modules import each other in a circle:\n{report}"
    );
}

#[test]
fn the_reader_sees_the_known_edges() {
    // The reader itself: a few edges that must be found, so that a reader
    // that sees nothing cannot pass the test above.
    let edges = edges();
    let has = |a: &str, b: &str| edges.keys().any(|(x, y)| name(x) == a && name(y) == b);
    assert!(has("generator", "clock"), "use crate::clock::{{...}}");
    assert!(has("value", "layout"), "use crate::layout::Layout");
    assert!(
        has("segment::file", "segment::store"),
        "use super::store::..."
    );
    assert!(has("default", "options"), "use crate::options::...");
    // `crate::Value` is defined in `value` (re-exported at the root).
    assert!(has("wide::layout", "value"), "crate::Value in code");
    // `pub use` is a name, not a use: `node` re-exports `options::from_env`.
    assert!(!has("node", "options"), "a re-export is no edge");
    // A re-exported name the module uses itself is an edge:
    // `generator` re-exports `reserve::Reserve` and holds a `dyn Reserve`.
    assert!(
        has("generator", "reserve"),
        "pub use crate::reserve::Reserve"
    );
    // A `use` right after a `pub use` is no re-export (segment/mod.rs).
    assert!(
        has("segment", "options"),
        "use crate::options::canonical_key"
    );
    // Comments and strings are not code.
    assert_eq!(
        code_only("a // crate::x::Y\nb \"crate::z\" '\"' c"),
        "a \nb     c"
    );
}

#[test]
#[ignore = "prints the graph: cargo test --test layers -- --ignored --nocapture"]
fn print_the_edges() {
    for ((a, b), items) in edges() {
        let items: Vec<&str> = items.iter().map(String::as_str).collect();
        println!("{} -> {}: {}", name(&a), name(&b), items.join(", "));
    }
}
