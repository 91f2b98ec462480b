#!/usr/bin/env node
// `npm pack` / `npm publish` hook: writes native/, a standalone copy of the
// Rust sources that builds without the snowid repository around it:
//   native/Cargo.toml   this crate's manifest, core path -> ./core, own [workspace]
//   native/Cargo.lock   the repository's lock file (same dependency versions)
//   native/build.rs, native/src/
//   native/core/        the core crate (src/ + a manifest with the workspace
//                       inheritance resolved)
// scripts/build.js builds native/ when ../core is absent (inside a tarball).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const pkg = path.resolve(__dirname, '..');
const root = path.resolve(pkg, '..');
const out = path.join(pkg, 'native');

const rootToml = fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8');

// Splits a TOML file into [section] -> lines (enough for Cargo manifests).
function sections(text) {
  const map = new Map();
  let name = '';
  map.set(name, []);
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*\[\[?([^\]]+)\]\]?\s*$/);
    if (m) {
      name = m[1].trim();
      if (!map.has(name)) map.set(name, []);
    } else {
      map.get(name).push(line);
    }
  }
  return map;
}

const rootSections = sections(rootToml);
function workspaceValue(section, key) {
  for (const line of rootSections.get(section) || []) {
    const m = line.match(/^\s*([A-Za-z0-9_-]+)\s*=\s*(.+?)\s*$/);
    if (m && m[1] === key) return m[2];
  }
  throw new Error(`root Cargo.toml has no ${key} in [${section}]`);
}

// Resolves `key.workspace = true` and `dep = { workspace = true, ... }`.
function resolveLine(line, section) {
  let m = line.match(/^\s*([A-Za-z0-9_-]+)\.workspace\s*=\s*true\s*$/);
  const wsSection = section.endsWith('dependencies') ? 'workspace.dependencies' : 'workspace.package';
  if (m) return `${m[1]} = ${workspaceValue(wsSection, m[1])}`;
  m = line.match(/^\s*([A-Za-z0-9_-]+)\s*=\s*\{(.*)workspace\s*=\s*true(.*)\}\s*$/);
  if (m) {
    const base = workspaceValue(wsSection, m[1]);
    const extra = (m[2] + m[3]).split(',').map((s) => s.trim()).filter(Boolean);
    const inner = base.startsWith('{') ? base.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean)
      : [`version = ${base}`];
    return `${m[1]} = { ${inner.concat(extra).join(', ')} }`;
  }
  return line;
}

function copyDir(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const a = path.join(from, e.name);
    const b = path.join(to, e.name);
    if (e.isDirectory()) copyDir(a, b);
    else if (e.isFile()) fs.copyFileSync(a, b);
  }
}

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out);

// The core: package + (non-dev) dependency sections, workspace values resolved.
const coreSections = sections(fs.readFileSync(path.join(root, 'core', 'Cargo.toml'), 'utf8'));
let core = '';
for (const [name, lines] of coreSections) {
  if (!name) continue;
  const keep = name === 'package' || name === 'lib' ||
    (/dependencies$/.test(name) && !/dev-dependencies$/.test(name) && !/build-dependencies$/.test(name)) ||
    name.startsWith('features') || name.startsWith('lints');
  if (!keep) continue;
  core += `[${name}]\n` + lines.map((l) => resolveLine(l, name)).join('\n').trim() + '\n\n';
}
copyDir(path.join(root, 'core', 'src'), path.join(out, 'core', 'src'));
fs.writeFileSync(path.join(out, 'core', 'Cargo.toml'), core);

// This crate.
let manifest = fs.readFileSync(path.join(pkg, 'Cargo.toml'), 'utf8');
if (!manifest.includes('path = "../core"')) throw new Error('Cargo.toml: expected snowid = { path = "../core", ... }');
manifest = manifest.replace('path = "../core"', 'path = "core"');
manifest += '\n# Standalone: not part of any enclosing workspace.\n[workspace]\n';
const profile = rootSections.get('profile.release');
if (profile) manifest += '\n[profile.release]\n' + profile.join('\n').trim() + '\n';
fs.writeFileSync(path.join(out, 'Cargo.toml'), manifest);
fs.copyFileSync(path.join(pkg, 'build.rs'), path.join(out, 'build.rs'));
copyDir(path.join(pkg, 'src'), path.join(out, 'src'));
fs.copyFileSync(path.join(root, 'Cargo.lock'), path.join(out, 'Cargo.lock'));
console.error('snowid: wrote native/ (standalone crate for the tarball)');
