// worker_threads share the process's default generator; processes (cluster)
// get distinct node numbers from SNOWID_WORKER_ID or, unconfigured, from
// machine-local slots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { spawnSync } from 'node:child_process';
import { next, nextBatch, inspect, stats } from '../index.mjs';
import { scratch } from './helpers.mjs';

const THREADS = 4;
const PER_THREAD = 20_000;

test('worker_threads: one process-wide generator, no duplicates across threads', async () => {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const s = require(workerData.path);
    const out = new BigUint64Array(workerData.n * 2);
    for (let i = 0; i < workerData.n; i++) out[i] = s.next();
    out.set(s.nextBatch(workerData.n), workerData.n);
    parentPort.postMessage(out, [out.buffer]);`;
  const path = new URL('../index.js', import.meta.url).pathname;
  const results = await Promise.all(Array.from({ length: THREADS }, () => new Promise((resolve, reject) => {
    const w = new Worker(source, { eval: true, workerData: { path, n: PER_THREAD } });
    w.once('message', resolve);
    w.once('error', reject);
  })));
  const all = new Set();
  for (let i = 0; i < PER_THREAD; i++) all.add(next());
  for (const id of nextBatch(PER_THREAD)) all.add(id);
  for (const r of results) for (const id of r) all.add(id);
  assert.equal(all.size, (THREADS + 1) * PER_THREAD * 2);
  assert.ok(stats().issued >= (THREADS + 1) * PER_THREAD * 2, 'threads counted in the shared generator');
});

test('cluster: per-process SNOWID_WORKER_ID gives distinct node numbers and no duplicates', () => {
  const app = new URL('./fixtures/cluster-app.cjs', import.meta.url).pathname;
  const r = spawnSync(process.execPath, [app], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, SNOWID_WORKER_ID: '' } });
  assert.equal(r.status, 0, r.stderr);
  const byWorker = JSON.parse(r.stdout);
  const all = new Set();
  for (const [worker, ids] of Object.entries(byWorker)) {
    for (const id of ids) {
      assert.equal(inspect(id).worker, Number(worker));
      all.add(id);
    }
  }
  assert.equal(Object.keys(byWorker).length, 3);
  assert.equal(all.size, 3 * 20_000);
});

// Runs fixtures/cluster-local.cjs (primary + 3 workers) with `args` and
// checks that the 4 processes held 4 distinct local slots and never
// repeated an ID.
function localCluster(args) {
  const app = new URL('./fixtures/cluster-local.cjs', import.meta.url).pathname;
  const state = scratch('nb-cluster-');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SNOWID_')));
  const r = spawnSync(process.execPath, [app, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...env, SNOWID_STATE_DIR: state } });
  assert.equal(r.status, 0, r.stderr);
  const procs = JSON.parse(r.stdout);
  assert.equal(procs.length, 4);
  for (const p of procs) assert.equal(p.generators, args.includes('--generators'), 'workers run as the primary');
  const sources = new Set(procs.map((p) => p.source));
  assert.equal(sources.size, 4, `distinct slots: ${[...sources]}`);
  for (const s of sources) assert.match(s, /^local slot \d+ in /);
  const all = new Set(procs.flatMap((p) => p.ids));
  assert.equal(all.size, 4 * 20_000, 'no ID repeats across processes');
}

test('cluster without configuration: every process claims its own machine-local slot', () => {
  localCluster([]);
});

test('cluster: Generators built in each process, issuing through their bound next/nextString, never share an ID', () => {
  localCluster(['--generators']);
});
