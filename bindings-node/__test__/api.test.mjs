// The API surface: round trips, option objects through the core's builder,
// the findings of issue 10, and the environment in child processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import * as snowid from '../index.mjs';
import { throwsCode, assertCoded, scratch } from './helpers.mjs';

const {
  Generator, Layout, ManualClock, capacity, compose, configure, defaultLayout, encode, errorCodes,
  inspect, next, nextBatch, nextString, parse, stats,
} = snowid;

test('CommonJS and ESM expose the same addon; private hooks stay private', () => {
  const cjs = createRequire(import.meta.url)('../index.js');
  assert.equal(cjs.next, next);
  assert.equal(snowid.default, cjs);
  for (const k of Object.keys(cjs)) assert.ok(k in snowid || k === '_resolve', `ESM exports ${k}`);
  for (const k of ['_decodeInto', '_shutdown', '_notConstructed']) assert.equal(cjs[k], undefined, k);
});

test('default generator: bigint and string IDs increase and round-trip', () => {
  const a = next();
  const b = nextString();
  const c = next();
  assert.equal(typeof a, 'bigint');
  assert.match(b, /^[0-9]+$/);
  assert.ok(a < BigInt(b) && BigInt(b) < c);
  assert.equal(parse(encode(c, 'base62'), 'base62'), c);
  const p = inspect(c);
  assert.ok(Math.abs(p.timestamp.getTime() - Date.now()) < 5000);
  assert.equal(compose(p), c, 'compose(inspect(id)) round-trips');
  assert.equal(inspect(c.toString()).sequence, p.sequence);
  assert.equal(defaultLayout().name, 'twitter');
  const batch = nextBatch(10_000);
  assert.ok(batch instanceof BigUint64Array);
  assert.equal(batch.length, 10_000);
  for (let i = 1; i < batch.length; i++) assert.ok(batch[i - 1] < batch[i]);
  assert.ok(batch[0] > c);
  assert.ok(stats().issued >= 10_003);
  assert.match(snowid.defaultSource(), /^local slot \d+ in /);
});

test('Generator: options by node field names, stats, layout, nodes', () => {
  const g = new Generator({ layout: 'discord', worker: 3, process: 9, clock: 'monotonic', onRegression: 'wait', maxWaitMs: 50 });
  const id = g.next();
  assert.deepEqual(g.nodes, { worker: 3, process: 9 });
  assert.equal(g.layout.name, 'discord');
  assert.ok(g.layout instanceof Layout);
  const p = inspect(id, 'discord');
  assert.equal(p.worker, 3);
  assert.equal(p.process, 9);
  assert.equal(g.stats().issued, 1);
  const wide = new Layout({ name: 'wide', fields: [{ name: 'timestamp', bits: 41 }, { name: 'node', bits: 2 }, { name: 'sequence', bits: 20 }], epoch: new Date('2024-01-01') });
  const w = new Generator({ layout: wide, node: 2, maxBorrowTicks: 4 });
  const ids = w.nextBatch(100_000);
  assert.equal(new Set(ids).size, 100_000);
  assert.equal(wide.decode(ids[99_999]).node, 2);
  const e = new Generator({ epoch: new Date('2020-01-01'), datacenter: 0, worker: 1, protect: false });
  assert.equal(e.layout.epochMs, Date.parse('2020-01-01'));
  assert.match(String(Layout.twitter()), /^twitter\(0\|timestamp:41/);
  // snake_case keys are the same options.
  assert.equal(new Generator({ datacenter: 0, worker: 2, max_borrow_ticks: 2, protect: false }).source, 'explicit');
});

test('stats().skewMs: the clock skew, 0 on a ManualClock, small on the real clocks, typed in index.d.ts', () => {
  const clock = new ManualClock(new Date('2024-05-01T00:00:00Z'));
  const m = new Generator({ layout: 'instagram', shard: 5, clock });
  clock.advance(1_000_000_000);
  assert.equal(m.stats().skewMs, 0);
  for (const [shard, name] of [[6, 'cached'], [7, 'monotonic']]) {
    const g = new Generator({ layout: 'instagram', shard, clock: name });
    g.next();
    assert.equal(typeof g.stats().skewMs, 'number');
    assert.ok(Math.abs(g.stats().skewMs) < 1000, `skew ${g.stats().skewMs}`);
  }
  next();
  assert.ok(Math.abs(stats().skewMs) < 1000);
  const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8');
  // Generator#stats(), stats() and WideGenerator#stats()
  assert.equal(dts.match(/borrowedTicks: number, skewMs: number, runwayS: number, nodesTotal: number, nodesInUse: number, nodesFree: number, leaseTtlLeftMs: number \| null \}/g).length, 3);
});

test('stats(): the runway, the node numbers and the lease TTL left (null without a lease)', () => {
  const start = new Date('2024-05-01T00:00:00Z');
  const clock = new ManualClock(start);
  const g = new Generator({ layout: 'instagram', shard: 8, clock });
  const cap = g.layout.capacity();
  const s = g.stats();
  assert.equal(s.runwayS, Math.floor((Number(cap.endMs) - start.getTime()) / 1000));
  assert.deepEqual([s.nodesTotal, s.nodesInUse, s.nodesFree], [Number(cap.nodes), 1, Number(cap.nodes) - 1]);
  assert.equal(s.leaseTtlLeftMs, null);
  clock.advance(5_000);
  assert.equal(g.stats().runwayS, s.runwayS - 5);
  const lanes = new Generator({ layout: 'instagram', shard: 21, lanes: 2, protect: false });
  assert.equal(lanes.stats().nodesInUse, 2);
});

test('explicit node numbers are protected: a second live holder gets NODE_IN_USE', () => {
  const a = new Generator({ datacenter: 30, worker: 30 });
  assert.match(a.source, /^explicit/);
  throwsCode(() => new Generator({ datacenter: 30, worker: 30 }), 'NODE_IN_USE');
  // The opt-out for tests; a ManualClock implies it.
  const b = new Generator({ datacenter: 30, worker: 30, protect: false });
  assert.ok(b.next() > 0n);
  a.next();
});

test('ManualClock: sequence exhaustion and regression are errors, never waits; bigint readings', () => {
  const clock = new ManualClock(new Date('2024-05-01T00:00:00Z'));
  const g = new Generator({ layout: Layout.sonyflake(), machine: 1, clock, onRegression: 'fail' });
  assert.equal(g.nextBatch(256).length, 256);
  throwsCode(() => g.next(), 'SEQUENCE_EXHAUSTED');
  clock.advance(10);
  const id = g.next();
  clock.advance(-100);
  throwsCode(() => g.next(), 'CLOCK_MOVED_BACKWARDS');
  clock.set(clock.now() + 200);
  assert.ok(g.next() > id);
  assert.equal(g.stats().clockRegressions, 1);
  // Above 2^53: exact as bigint in and out; an unsafe number is refused.
  const big = new ManualClock(2n ** 60n + 1n);
  assert.equal(big.now(), 2n ** 60n + 1n);
  big.advance(1n);
  assert.equal(big.now(), 2n ** 60n + 2n);
  big.set(5);
  assert.equal(big.now(), 5);
  throwsCode(() => new ManualClock(2 ** 60), 'WRONG_TYPE');
  throwsCode(() => big.set(2 ** 53 + 2), 'WRONG_TYPE');
  throwsCode(() => new ManualClock(-5), 'INVALID_SETTING');
});

test('errors carry code, number and the numbers in the message', () => {
  try {
    new Generator({ datacenter: 0, worker: 40 });
    assert.fail('expected a throw');
  } catch (e) {
    assert.ok(e instanceof RangeError);
    assert.equal(e.code, 'SNOWID_FIELD_OUT_OF_RANGE');
    assert.equal(e.number, 10);
    assert.match(e.message, /worker = 40 .*0\.\.=31/);
  }
  assert.ok(errorCodes().every((c) => c.code.startsWith('SNOWID_')));
});

test('issue 10: Node now decides nothing the core decides', () => {
  // Partial node fields: MISSING_FIELD, as in every language.
  throwsCode(() => new Generator({ worker: 3 }), 'MISSING_FIELD');
  throwsCode(() => new Generator(), 'MISSING_FIELD');
  // A policy and a wait that cannot go together: the core's INVALID_SETTING.
  throwsCode(() => new Generator({ onRegression: 'fail', maxWaitMs: 5, datacenter: 0, worker: 0 }), 'INVALID_SETTING');
  // Bad option strings and unknown node fields: the core's codes.
  for (const [k, v] of [['clock', 'fast'], ['onRegression', 'panic'], ['nodeSource', 'zookeeper']]) {
    throwsCode(() => new Generator({ [k]: v, datacenter: 0, worker: 0 }), 'INVALID_SETTING', k);
  }
  throwsCode(() => new Generator({ wrker: 1 }), 'UNKNOWN_FIELD');
  throwsCode(() => new Generator({ layout: 'instagram', worker: 1 }), 'UNKNOWN_FIELD');
  // An option the call does not take, or a field it needs and did not get,
  // is a TypeError (a bad argument), as Python's UnknownFieldError is.
  assert.throws(() => new Generator({ noSuchOption: 1 }), (e) => e instanceof TypeError && e.code === 'SNOWID_UNKNOWN_FIELD');
  assert.throws(() => new Generator({ worker: 3 }), (e) => e instanceof TypeError && e.code === 'SNOWID_MISSING_FIELD');
  throwsCode(() => new Generator({ worker: '1', datacenter: 0 }), 'WRONG_TYPE');
  assert.throws(() => new Generator({ worker: '1', datacenter: 0 }), TypeError);
  // Errors that had no SNOWID_ code.
  throwsCode(() => Layout.twitter().equals(5), 'WRONG_TYPE');
  for (const C of [Generator, Layout, ManualClock]) throwsCode(() => C({ datacenter: 0, worker: 0 }), 'WRONG_TYPE', C.name);
  assert.equal(Layout.twitter().equals(Layout.preset('twitter')), true);
  assert.throws(() => Layout.preset('Twitter'), { code: 'SNOWID_UNKNOWN_LAYOUT' }); // exact, like every language
  // 65 fields, and a fake array of 2^32 - 1: FIELD_COUNT before reading any.
  const many = Array.from({ length: 65 }, (_, i) => ({ name: `f${i}`, bits: 1 }));
  throwsCode(() => new Layout({ name: 'x', fields: many, epoch: 0 }), 'FIELD_COUNT');
  const t0 = process.hrtime.bigint();
  throwsCode(() => new Layout({ name: 'x', fields: Object.assign([], { length: 2 ** 32 - 1 }), epoch: 0 }), 'FIELD_COUNT');
  assert.ok(process.hrtime.bigint() - t0 < 1_000_000_000n, 'refused without iterating');
  // compose: timestampMs (and tick) must agree with timestamp.
  const p = inspect(next());
  assert.equal(compose({ ...p }), compose({ timestamp: p.timestamp, datacenter: p.datacenter, worker: p.worker, sequence: p.sequence }));
  throwsCode(() => compose({ ...p, timestampMs: p.timestampMs + 1 }), 'INVALID_SETTING');
  throwsCode(() => compose({ ...p, tick: p.tick - 1 }), 'INVALID_SETTING');
  assert.equal(compose({ timestampMs: p.timestampMs, datacenter: 0, worker: 0 }) > 0n, true);
  // capacity().end: null where a Date cannot hold it (Python gives None).
  const long = new Layout({ name: 'long', fields: [{ name: 'timestamp', bits: 37 }, { name: 'node', bits: 1 }, { name: 'sequence', bits: 25 }], tickMs: 86_400_000 });
  assert.equal(long.capacity().end, null);
  assert.equal(long.capacity().endMs, 11874725579980800000n);
  assert.ok(capacity().end instanceof Date);
  // The batch limit is the core's, for every language.
  const g = new Generator({ datacenter: 29, worker: 29 });
  throwsCode(() => g.nextBatch(2 ** 24 + 1), 'INVALID_SETTING');
  throwsCode(() => nextBatch(2 ** 40), 'INVALID_SETTING');
  assert.equal(g.nextBatch(0).length, 0);
});

test('decode: values beyond 2^53 come back exact as bigints; timestamp null past a Date', () => {
  const l = new Layout({ name: 'far', fields: [{ name: 'timestamp', bits: 55 }, { name: 'node', bits: 1 }, { name: 'sequence', bits: 7 }] });
  const p = l.decode((1n << 62n) + 5n);
  assert.deepEqual(p, { node: 0, timestamp: null, timestampMs: 2n ** 54n, tick: 2n ** 54n, sequence: 5 });
  assert.equal(l.compose(p), (1n << 62n) + 5n);
});

// Every export and method, every argument, with bad values: each call
// returns or throws a snowid error (code, number, class); never a crash or
// an uncoded error.
test('bad input for every export throws a coded error', () => {
  const BAD = [
    undefined, null, -1, -0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 64, 2 ** 53 + 2, -(2 ** 60), -1n, 2n ** 64n,
    -(2n ** 200n), 2n ** 5000n, '', 'x', '12x', '\uD800', '-1', true, false, {}, [], [1], Symbol('s'), () => 1,
    new Date(NaN), new Date(8.64e15), Object.assign([], { length: 2 ** 32 - 1 }), Object.create(Layout.prototype),
    new ManualClock(0), Layout.twitter(), 10n ** 30n,
  ];
  const label = (v) => (Array.isArray(v) ? `array(${v.length})` : typeof v === 'object' && v !== null ? v.constructor.name
    : typeof v === 'symbol' ? 'symbol' : String(v).slice(0, 20));
  const clock = new ManualClock(1_700_000_000_000);
  const layout = Layout.discord();
  const gen = new Generator({ datacenter: 28, worker: 28, clock });
  const tries = [];
  const call = (name, fn, arity) => {
    for (let i = 0; i < arity; i++) {
      for (const bad of BAD) tries.push([`${name} arg ${i} = ${label(bad)}`, () => fn(i, bad)]);
    }
  };
  const args = (good, i, bad) => good.map((g, j) => (j === i ? bad : g));
  const id = 175928847299117063n;
  call('inspect', (i, b) => inspect(...args([id, 'discord'], i, b)), 2);
  call('encode', (i, b) => encode(...args([id, 'hex'], i, b)), 2);
  call('parse', (i, b) => parse(...args(['1', 'decimal'], i, b)), 2);
  call('compose', (i, b) => compose(...args([{ timestamp: Date.now(), datacenter: 0, worker: 0 }, 'twitter'], i, b)), 2);
  call('minIdAt', (i, b) => snowid.minIdAt(...args([Date.now(), 'twitter'], i, b)), 2);
  call('maxIdAt', (i, b) => snowid.maxIdAt(...args([Date.now(), 'twitter'], i, b)), 2);
  call('capacity', (i, b) => capacity(b), 1);
  call('nextBatch', (i, b) => nextBatch(b), 1);
  call('configure', (i, b) => configure(b), 1);
  call('new Generator', (i, b) => new Generator(b), 1);
  call('new Layout', (i, b) => new Layout(b), 1);
  call('Layout.preset', (i, b) => Layout.preset(b), 1);
  call('new ManualClock', (i, b) => new ManualClock(b), 1);
  call('ManualClock#set', (i, b) => clock.set(b), 1);
  call('ManualClock#advance', (i, b) => { clock.advance(b); clock.set(1_700_000_000_000); }, 1);
  call('Layout#decode', (i, b) => layout.decode(b), 1);
  call('Layout#compose', (i, b) => layout.compose(b), 1);
  call('Layout#minIdAt', (i, b) => layout.minIdAt(b), 1);
  call('Layout#maxIdAt', (i, b) => layout.maxIdAt(b), 1);
  call('Layout#equals', (i, b) => layout.equals(b), 1);
  call('Generator#nextBatch', (i, b) => gen.nextBatch(b), 1);
  // Every option and the keys of the objects inside arguments.
  const OPTIONS = ['layout', 'epoch', 'clock', 'onRegression', 'maxWaitMs', 'maxBorrowTicks', 'nodeSource', 'stateDir',
    'protect', 'persist', 'windowMs', 'worker', 'max_wait_ms', 'bogus'];
  for (const k of OPTIONS) {
    call(`new Generator({ ${k} })`, (i, b) => new Generator({ datacenter: 27, worker: 27, protect: false, [k]: b }), 1);
    call(`configure({ ${k} })`, (i, b) => configure({ [k]: b }), 1);
  }
  const spec = () => ({ name: 'x', fields: [{ name: 'timestamp', bits: 41 }, { name: 'worker', bits: 10 }, { name: 'sequence', bits: 12 }], epoch: 0, tickMs: 1, signBit: true });
  for (const k of ['name', 'fields', 'epoch', 'tickMs', 'signBit', 'extra']) {
    call(`new Layout({ ${k} })`, (i, b) => new Layout({ ...spec(), [k]: b }), 1);
  }
  for (const k of ['name', 'bits', 'kind', 'extra']) {
    call(`new Layout({ fields[1].${k} })`, (i, b) => { const s = spec(); s.fields[1] = { ...s.fields[1], [k]: b }; return new Layout(s); }, 1);
  }
  for (const k of ['timestamp', 'timestampMs', 'tick', 'sequence', 'worker', 'shard']) {
    call(`compose({ ${k} })`, (i, b) => compose({ timestamp: Date.now(), datacenter: 0, worker: 0, [k]: b }), 1);
  }
  let thrown = 0;
  for (const [what, fn] of tries) {
    try {
      fn();
    } catch (e) {
      thrown++;
      assertCoded(e, what);
    }
  }
  assert.ok(tries.length > 1500 && thrown > tries.length / 2, `${thrown} of ${tries.length} threw`);
});

function runChild(code, env, state = scratch('nb-api-')) {
  // A fresh state directory: slot locks and marks of other test processes
  // (node --test runs files in parallel) must not shift the slot numbers.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SNOWID_')));
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    env: { ...clean, SNOWID_STATE_DIR: state, SNOWID_HOST_LOCK_DIR: 'off', ...env },
    cwd: new URL('.', import.meta.url).pathname,
    encoding: 'utf8',
  });
  return { ...r, out: r.stdout.trim(), err: r.stderr };
}

test('environment: SNOWID_LAYOUT (padded too) and SNOWID_<FIELD>_ID; bad values name the variable', () => {
  let r = runChild("import { next, inspect, defaultLayout } from '../index.mjs'; const l = defaultLayout().name; const p = inspect(next()); console.log(l, defaultLayout().name, p.worker, p.process)",
    { SNOWID_LAYOUT: ' discord', SNOWID_WORKER_ID: '3', SNOWID_PROCESS_ID: '4' });
  assert.equal(r.out, 'discord discord 3 4', r.err);
  r = runChild("import { next } from '../index.mjs'; try { next() } catch (e) { console.log(e.constructor.name, e.code, e.message) }",
    { SNOWID_WORKER_ID: '32' });
  assert.match(r.out, /^RangeError SNOWID_INVALID_SETTING setting SNOWID_WORKER_ID = "32" .*0\.\.=31/);
  for (const f of ['next()', "inspect(1n)"]) {
    r = runChild(`import { next, inspect } from '../index.mjs'; try { ${f} } catch (e) { console.log(e.code, e.message) }`,
      { SNOWID_LAYOUT: 'snowflake' });
    assert.match(r.out, /^SNOWID_INVALID_SETTING setting SNOWID_LAYOUT = "snowflake"/, f);
  }
  r = runChild("import { next, inspect, defaultSource } from '../index.mjs'; console.log(defaultSource()); const p = inspect(next()); console.log(p.datacenter, p.worker, defaultSource())", {});
  assert.match(r.out, /^null\n0 0 local slot 0 in /, 'nothing configured: the first free machine-local slot');
  r = runChild("import { next } from '../index.mjs'; try { next() } catch (e) { console.log(e.code) }", { KUBERNETES_SERVICE_HOST: '10.0.0.1', HOSTNAME: 'web-7f9c-abcde' });
  assert.equal(r.out, 'SNOWID_NODE_SOURCE_REQUIRED', r.err);
  r = runChild(`
    import { next } from '../index.mjs';
    import { spawnSync } from 'node:child_process';
    next();
    const code = "import { next } from '../index.mjs'; try { next(); console.log('issued') } catch (e) { console.log(e.code) }";
    console.log(spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }).stdout.trim());`,
  { SNOWID_WORKER_ID: '7' });
  assert.equal(r.out, 'SNOWID_NODE_IN_USE', 'the same SNOWID_WORKER_ID in two live processes is refused: ' + r.err);
});

test('configure: before first use; the same settings again are fine; others name what differs', () => {
  const r = runChild(`
    import { configure, next, inspect } from '../index.mjs';
    configure({ datacenter: 2, worker: 5 });
    configure({ datacenter: 2, worker: 5 });
    const p = inspect(next());
    let e = {};
    try { configure({ datacenter: 3, worker: 5 }) } catch (err) { e = err }
    let partial = {};
    try { configure({ datacenter: 3 }) } catch (err) { partial = err }
    console.log(JSON.stringify([p.datacenter, p.worker, e.code, e.message, partial.code]));`, {});
  const [dc, w, code, message, partial] = JSON.parse(r.out || 'null') ?? [];
  assert.deepEqual([dc, w, code, partial], [2, 5, 'SNOWID_INVALID_SETTING', 'SNOWID_MISSING_FIELD'], r.err);
  assert.match(message, /nodes/);
  assert.ok(message.length < 400, `a short message: ${message}`);
});

// A clean exit lowers the default generator's mark to the last issued tick
// (index.js calls the core's shutdown on 'exit'); a crash leaves it a
// window ahead. Read from the mark file, not by timing.
function markTick(source) {
  const [, slot, dir] = source.match(/^local slot (\d+) in (.*)$/);
  const text = readFileSync(join(dir, `slot-${slot}.mark`), 'utf8');
  assert.match(text, /^snowid-high-water 1\n/);
  return Number(text.match(/^tick (\d+)$/m)[1]);
}

test('clean exit: the mark is at the last issued tick; after a crash a window ahead', () => {
  const issue = (end) => `import s from '../index.mjs'; let id; for (let i = 0; i < 5; i++) id = s.next(); console.log(JSON.stringify([String(id), s.defaultSource()])); ${end}`;
  const tickOf = (id) => Layout.twitter().decode(BigInt(id)).tick;
  for (const [end, clean] of [['', true], ['process.exit(3)', true], ["process.kill(process.pid, 'SIGKILL')", false]]) {
    const r = runChild(issue(end), { SNOWID_WINDOW_MS: '60000' });
    const [id, source] = JSON.parse(r.out);
    const mark = markTick(source);
    if (clean) assert.ok(mark <= tickOf(id), `${end || 'normal end'}: mark ${mark} <= last tick ${tickOf(id)}`);
    else assert.ok(mark >= tickOf(id) + 50_000, `crash: mark ${mark} stays a window ahead of ${tickOf(id)}`);
  }
  // The successor after a clean exit reads the low mark and continues above it.
  const state = scratch('nb-api-');
  const first = JSON.parse(runChild(issue(''), { SNOWID_WINDOW_MS: '60000' }, state).out);
  const second = JSON.parse(runChild(issue(''), { SNOWID_WINDOW_MS: '60000' }, state).out);
  assert.equal(first[1], second[1], 'same slot');
  assert.ok(BigInt(second[0]) > BigInt(first[0]));
});

test('versioning: package.json, Cargo.toml and the workspace share one version', () => {
  const read = (p) => readFileSync(new URL(p, import.meta.url), 'utf8');
  const pkg = JSON.parse(read('../package.json')).version;
  const crate = read('../Cargo.toml').match(/^version = "([^"]+)"/m)[1];
  const workspace = read('../../Cargo.toml').match(/\[workspace\.package\][^[]*?version = "([^"]+)"/)[1];
  assert.equal(pkg, crate);
  assert.equal(crate, workspace);
});

test('Generator node sources: local slots, locked env numbers, k8s ordinal, fromEnv()', () => {
  const r = runChild(`
    import { Generator, inspect } from '../index.mjs';
    const state = process.env.SNOWID_STATE_DIR + '/a';
    const a = new Generator({ nodeSource: 'local', stateDir: state });
    const b = new Generator({ nodeSource: 'local', stateDir: state });
    console.log(a.source.split(' in ')[0], '|', b.source.split(' in ')[0]);
    const ids = new Set();
    for (let i = 0; i < 1000; i++) { ids.add(a.next()); ids.add(b.next()); }
    console.log(ids.size);
    process.env.SNOWID_WORKER_ID = '9';
    const e = new Generator({ nodeSource: 'env', stateDir: state });
    console.log(e.source, inspect(e.next()).worker);
    try { new Generator({ nodeSource: 'env', stateDir: state }) } catch (err) { console.log(err.code) }
    process.env.HOSTNAME = 'web-33';
    console.log(new Generator({ nodeSource: 'k8s', stateDir: state }).source);
    process.env.SNOWID_STATE_DIR += '/b';
    const f = Generator.fromEnv();
    console.log(f.source, inspect(f.next()).worker);
    console.log(new Generator({ datacenter: 0, worker: 1, protect: false }).source);`, {});
  assert.equal(r.status, 0, r.err);
  assert.deepEqual(r.out.split('\n'), [
    'local slot 0 | local slot 1',
    '2000',
    'env (datacenter=0, worker=9) 9',
    'SNOWID_NODE_IN_USE',
    'k8s (datacenter=1, worker=1)',
    'env (datacenter=0, worker=9) 9',
    'explicit',
  ]);
});

test('Generator node source: bad combinations are the core\'s INVALID_SETTING', () => {
  throwsCode(() => new Generator({ nodeSource: 3 }), 'WRONG_TYPE');
  throwsCode(() => new Generator({ nodeSource: 'local', worker: 1 }), 'INVALID_SETTING');
  throwsCode(() => new Generator({ stateDir: '', datacenter: 0, worker: 1 }), 'INVALID_SETTING');
  throwsCode(() => new Generator({ protect: false, nodeSource: 'local' }), 'INVALID_SETTING');
  throwsCode(() => new Generator({ maxWaitMs: 1, max_wait_ms: 1, datacenter: 0, worker: 1 }), 'INVALID_SETTING');
});

test('randomSequenceStart spreads IDs over shards at 100 IDs/s (manual clock)', () => {
  const shards = (randomSequenceStart) => {
    const clock = new ManualClock(new Date('2024-05-01T00:00:00Z'));
    const g = new Generator({ clock, datacenter: 1, worker: 7, randomSequenceStart });
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 1600; i++) {
      counts[Number(g.next() % 16n)] += 1;
      clock.advance(10);
    }
    return counts;
  };
  assert.equal(shards(false)[0], 1600);
  const spread = shards(true);
  assert.ok(spread.every((n) => n >= 60 && n <= 140), String(spread));
  throwsCode(() => new Generator({ datacenter: 1, worker: 7, randomSequenceStart: 'yes' }), 'WRONG_TYPE');
});

test('lanes: one generator, several node numbers; nextBatch fills from each', () => {
  const clock = new ManualClock(new Date('2024-05-01T00:00:00Z'));
  const g = new Generator({ clock, datacenter: 1, worker: 7, lanes: 2 });
  const ids = g.nextBatch(9000);
  assert.equal(ids.length, 8192);
  assert.equal(new Set(ids).size, 8192);
  // datacenter 1, worker 7 is node number 39: two lanes own the block 78, 79
  assert.deepEqual(new Set(Array.from(ids, (id) => inspect(id).worker)), new Set([14, 15]));
  assert.equal(g.stats().issued, 8192);
  assert.deepEqual(g.laneNodes, [{ datacenter: 2, worker: 14 }, { datacenter: 2, worker: 15 }]);
  assert.deepEqual(g.nodes, g.laneNodes[0]);
  const one = new Generator({ clock, datacenter: 2, worker: 3 });
  assert.deepEqual(one.laneNodes, [{ datacenter: 2, worker: 3 }]);
  throwsCode(() => new Generator({ datacenter: 31, worker: 31, lanes: 2, protect: false }), 'INVALID_SETTING');
  throwsCode(() => new Generator({ datacenter: 1, worker: 7, lanes: 0, protect: false }), 'INVALID_SETTING');
});

test('ready(): spends no ID; throws the code the next ID would throw', () => {
  const g = new Generator({ datacenter: 9, worker: 9, stateDir: scratch('nb-ready-') });
  for (let i = 0; i < 3; i++) assert.equal(g.ready(), undefined);
  assert.equal(g.stats().issued, 0);
  g.next();
  g.ready();
  assert.equal(g.stats().issued, 1);

  const clock = new ManualClock(new Date('2024-05-01T00:00:00Z'));
  const m = new Generator({ layout: 'instagram', shard: 3, lanes: 2, clock, onRegression: 'fail' });
  m.ready();
  assert.equal(m.nextBatch(2048).length, 2048); // both lanes' sequences spent
  throwsCode(() => m.ready(), 'SEQUENCE_EXHAUSTED');
  throwsCode(() => m.next(), 'SEQUENCE_EXHAUSTED');
  clock.advance(1);
  m.ready();
  m.next();
  clock.advance(-5);
  throwsCode(() => m.ready(), 'CLOCK_MOVED_BACKWARDS');
  throwsCode(() => m.next(), 'CLOCK_MOVED_BACKWARDS');
  assert.equal(m.stats().issued, 2049);
});

test('ready(): a killed holder left its mark an hour ahead: SNOWID_BEHIND_HIGH_WATER, as the first ID', () => {
  const state = scratch('nb-ready-');
  const r = runChild(`import { Generator } from '../index.mjs';
    const g = new Generator({ datacenter: 9, worker: 10, stateDir: ${JSON.stringify(state)}, windowMs: 3600000 });
    g.next();
    process.kill(process.pid, 'SIGKILL');`);
  assert.equal(r.signal, 'SIGKILL', r.err);
  const g = new Generator({ datacenter: 9, worker: 10, stateDir: state });
  throwsCode(() => g.ready(), 'BEHIND_HIGH_WATER');
  throwsCode(() => g.next(), 'BEHIND_HIGH_WATER');
  assert.equal(g.stats().issued, 0);
  // Other numbers in the same directory are not behind.
  new Generator({ datacenter: 9, worker: 11, stateDir: state }).ready();
});

test('ready() of the default generator: reached as next() reaches it, spends nothing', () => {
  const fresh = runChild(`import s from '../index.mjs';
    const before = s.defaultSource();
    s.ready();
    console.log(JSON.stringify([before, /^local slot 0 in /.test(s.defaultSource()), s.stats().issued]));`);
  assert.deepEqual(JSON.parse(fresh.out), [null, true, 0], fresh.err);
  // Its numbers held by another generator: ready() throws what next() throws.
  const held = runChild(`import s from '../index.mjs';
    const g = new s.Generator({ datacenter: 0, worker: 7 });
    for (const f of [s.ready, s.next]) {
      try { f(); console.log('ok'); } catch (e) { console.log(e.code); }
    }`, { SNOWID_WORKER_ID: '7' });
  assert.deepEqual(held.out.split('\n'), ['SNOWID_NODE_IN_USE', 'SNOWID_NODE_IN_USE'], held.err);
});

test('numbers held by a generator of this process: NODE_IN_USE says so', () => {
  const held = new Generator({ datacenter: 25, worker: 25 });
  assert.ok(held.next() > 0n);
  assert.throws(() => new Generator({ datacenter: 25, worker: 25 }),
    (e) => e.code === 'SNOWID_NODE_IN_USE' && /another generator of this process/.test(e.message)
      && !/another live process/.test(e.message));
});
