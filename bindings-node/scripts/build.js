#!/usr/bin/env node
// Builds the native addon from source with cargo and copies it to
// snowid.node next to index.js. Runs as the package's `install` script, so it
// uses only Node's standard library (a consumer gets no devDependencies).
//
// Two layouts of the sources:
// - in the snowid repository: this folder is the workspace member
//   `snowid-node` (../core is the core crate);
// - in a packed tarball: native/ holds a standalone crate (written by
//   scripts/prepack.js) with the core vendored under native/core.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const pkg = path.resolve(__dirname, '..');
const standalone = path.join(pkg, 'native', 'Cargo.toml');
const inRepo = fs.existsSync(path.join(pkg, '..', 'core', 'Cargo.toml')) &&
  fs.existsSync(path.join(pkg, 'src', 'lib.rs'));

// A package installed from a tarball next to its prebuilt platform package
// (an optional dependency, installed first) needs no build and no Rust.
if (!inRepo && !process.env.SNOWID_BUILD_FROM_SOURCE) {
  const { packageName } = require('../platform.js');
  let prebuilt = null;
  try {
    prebuilt = require.resolve(packageName, { paths: [pkg] });
  } catch {
    // not installed: build from source below
  }
  if (prebuilt) {
    console.error(`snowid: using the prebuilt addon ${packageName}`);
    process.exit(0);
  }
}

const debug = process.argv.includes('--debug') || process.env.SNOWID_BUILD_DEBUG === '1';
const cargo = process.env.CARGO || 'cargo';
const args = ['build', '--message-format=json-render-diagnostics'];
if (!debug) args.push('--release');
let cleanup = null;
if (inRepo) {
  args.push('-p', 'snowid-node');
} else if (fs.existsSync(standalone)) {
  args.push('--manifest-path', standalone);
  if (!process.env.CARGO_TARGET_DIR) cleanup = path.join(pkg, 'native', 'target');
} else {
  console.error('snowid: neither the repository sources (../core) nor native/Cargo.toml found; cannot build');
  process.exit(1);
}

console.error(`snowid: building the native addon (cargo ${args.join(' ')}); this takes a minute`);
const r = spawnSync(cargo, args, {
  cwd: pkg,
  stdio: ['ignore', 'pipe', 'inherit'],
  maxBuffer: 256 * 1024 * 1024,
  encoding: 'utf8',
});
if (r.error) {
  console.error(`snowid: could not run ${cargo}: ${r.error.message}. Install Rust (https://rustup.rs) and retry.`);
  process.exit(1);
}
if (r.status !== 0) {
  console.error(`snowid: cargo build failed (exit ${r.status})`);
  process.exit(r.status || 1);
}
let lib = null;
for (const line of r.stdout.split('\n')) {
  if (!line.startsWith('{')) continue;
  const msg = JSON.parse(line);
  if (msg.reason === 'compiler-artifact' && msg.target && msg.target.name === 'snowid_node') {
    lib = msg.filenames.find((f) => /\.(so|dylib|dll)$/.test(f)) || lib;
  }
}
if (!lib) {
  console.error('snowid: cargo did not report the snowid_node library');
  process.exit(1);
}
const out = path.join(pkg, 'snowid.node');
// Copy to a temporary name and rename: a running process may have the old
// file mapped.
fs.copyFileSync(lib, out + '.tmp');
fs.renameSync(out + '.tmp', out);
if (cleanup) fs.rmSync(cleanup, { recursive: true, force: true });
console.error(`snowid: built ${path.relative(process.cwd(), out) || out}`);
