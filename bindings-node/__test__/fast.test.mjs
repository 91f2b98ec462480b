// The per-ID calls are raw Node-API callbacks (src/raw.rs), not napi-rs's
// method glue (issue 22): they must give the IDs and errors the general
// path gives, and keep the receiver check napi-rs made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Generator, Layout, ManualClock, Segment } from '../index.mjs';
import { throwsCode, scratch } from './helpers.mjs';

const START = new Date('2024-05-01T00:00:00Z');

test('Generator#next and #nextString: the IDs of nextBatch, one tick at a time', () => {
  // Two generators with the same settings and clock moves: one issues by
  // next()/nextString(), the other by nextBatch() (the general path).
  const make = () => {
    const clock = new ManualClock(START);
    return [new Generator({ layout: Layout.sonyflake(), machine: 5, clock }), clock];
  };
  const [fast, c1] = make();
  const [batch, c2] = make();
  const got = [];
  for (let tick = 0; tick < 3; tick++) {
    for (let i = 0; i < 256; i++) got.push(i % 2 ? BigInt(fast.nextString()) : fast.next());
    c1.advance(10);
  }
  const want = [];
  for (let tick = 0; tick < 3; tick++) {
    want.push(...batch.nextBatch(256));
    c2.advance(10);
  }
  assert.deepEqual(got, want);
  assert.equal(typeof fast.next(), 'bigint');
  assert.match(fast.nextString(), /^[0-9]+$/);
});

test('Generator#next and #nextString throw the core errors of the general path', () => {
  const clock = new ManualClock(START);
  const g = new Generator({ layout: Layout.sonyflake(), machine: 2, clock, onRegression: 'fail' });
  assert.equal(g.nextBatch(256).length, 256);
  throwsCode(() => g.next(), 'SEQUENCE_EXHAUSTED');
  throwsCode(() => g.nextString(), 'SEQUENCE_EXHAUSTED');
  throwsCode(() => g.nextBatch(1), 'SEQUENCE_EXHAUSTED');
  clock.advance(10);
  g.next();
  clock.advance(-100);
  throwsCode(() => g.next(), 'CLOCK_MOVED_BACKWARDS');
  throwsCode(() => g.nextString(), 'CLOCK_MOVED_BACKWARDS');
});

test('a per-ID method on anything but its own class throws SNOWID_WRONG_TYPE', () => {
  const g = new Generator({ layout: Layout.sonyflake(), machine: 3, clock: new ManualClock(START) });
  const seg = new Segment('fast-test', { store: `file://${scratch()}` });
  for (const [method, others] of [
    [Generator.prototype.next, [seg, {}, Layout.twitter(), null, undefined, 1]],
    [Generator.prototype.nextString, [seg, {}, Layout.twitter()]],
    [Segment.prototype.next, [g, {}, Layout.twitter(), null]],
    [Segment.prototype.nextString, [g, {}]],
  ]) {
    for (const other of others) throwsCode(() => method.call(other), 'WRONG_TYPE', `${method.name} on ${other}`);
  }
  const unbound = Generator.prototype.next;
  throwsCode(() => unbound(), 'WRONG_TYPE', 'the prototype\'s next() detached');
  assert.equal(Generator.prototype.next.call(g) < g.next(), true);
  assert.equal(typeof Segment.prototype.next.call(seg), 'bigint');
});

test('a Generator\'s own next() is bound to it; a subclass keeps its own methods', () => {
  const g = new Generator({ layout: Layout.sonyflake(), machine: 4, clock: new ManualClock(START) });
  const { next, nextString } = g;
  const a = next();
  assert.ok(BigInt(nextString()) > a && g.next() > a);
  assert.deepEqual(Object.keys(g), [], 'own methods are not enumerable');
  class Sub extends Generator {
    next() {
      return 42n;
    }
  }
  const s = new Sub({ layout: Layout.sonyflake(), machine: 6, clock: new ManualClock(START) });
  assert.equal(s.next(), 42n);
  assert.ok(s instanceof Generator && s instanceof Sub);
  assert.match(s.nextString(), /^[0-9]+$/, 'the prototype\'s nextString() on a subclass object');
});

test('a detached own next() keeps its generator alive through garbage collection', () => {
  const code = `
    const { Generator, Layout } = require(${JSON.stringify(new URL('../index.js', import.meta.url).pathname)});
    let fns = [];
    for (let i = 0; i < 200; i++) fns.push(new Generator({ layout: Layout.sonyflake(), machine: i, protect: false }).next);
    for (let r = 0; r < 5; r++) { globalThis.gc(); new Array(1e6).fill(r); }
    let last = 0n;
    for (const f of fns) { const id = f(); if (typeof id !== 'bigint') throw new Error('not a bigint'); last = id; }
    fns = null; globalThis.gc();
    process.stdout.write(String(last > 0n));
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'true');
});

test('the raw methods are defined as napi-rs defines methods', () => {
  for (const C of [Generator, Segment]) {
    for (const name of ['next', 'nextString']) {
      const d = Object.getOwnPropertyDescriptor(C.prototype, name);
      assert.equal(typeof d.value, 'function', `${C.name}#${name}`);
      assert.equal(d.value.name, name);
      assert.deepEqual([d.writable, d.enumerable, d.configurable], [true, true, true], `${C.name}#${name}`);
    }
  }
});
