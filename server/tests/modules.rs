//! The service's modules import each other one way: every `crate::<module>`
//! reference outside comments (a `use` line or a path in code) is an edge,
//! and the graph of `server/src/*.rs` has no cycle (the old `serve.rs` and
//! `segment.rs` borrowed from each other).

use std::collections::{BTreeMap, BTreeSet};

fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            files.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    let modules: BTreeSet<String> = files.keys().filter(|m| *m != "main").cloned().collect();
    let mut graph = BTreeMap::new();
    for (name, text) in &files {
        if name == "main" {
            continue; // the crate root declares the modules
        }
        let mut to = BTreeSet::new();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            for part in code.split("crate::").skip(1) {
                let m: String = part
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if modules.contains(&m) && m != *name {
                    to.insert(m);
                }
            }
        }
        graph.insert(name.clone(), to);
    }
    graph
}

#[test]
fn server_modules_have_no_cycle() {
    let graph = edges();
    assert!(graph.len() >= 8, "{graph:?}");
    // Depth-first search; a module met again on the current path is a cycle.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(m) {
            return;
        }
        if let Some(i) = path.iter().position(|p| p == m) {
            panic!("module cycle: {} -> {m}", path[i..].join(" -> "));
        }
        path.push(m.to_owned());
        for next in &graph[m] {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(m.to_owned());
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done);
    }
    // The lowest layers import no other module of the service.
    for leaf in ["http", "exit", "shapes"] {
        assert!(graph[leaf].is_empty(), "{leaf} imports {:?}", graph[leaf]);
    }
}
