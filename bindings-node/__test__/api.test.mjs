// The API surface: round trips, option checking, bad input for every export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import * as snowid from '../index.mjs';
import { throwsCode } from './helpers.mjs';

const {
  Generator, Layout, ManualClock, capacity, compose, configure, defaultLayout, encode, errorCodes,
  inspect, maxIdAt, minIdAt, next, nextBatch, nextString, parse, stats,
} = snowid;
const ARG = 'SNOWID_INVALID_ARGUMENT';

test('CommonJS and ESM expose the same addon', () => {
  const cjs = createRequire(import.meta.url)('../index.js');
  assert.equal(cjs.next, next);
  assert.equal(snowid.default, cjs);
  for (const k of Object.keys(cjs)) assert.ok(k in snowid, `ESM exports ${k}`);
});

test('default generator: bigint and string IDs increase and round-trip', () => {
  const a = next();
  const b = nextString();
  const c = next();
  assert.equal(typeof a, 'bigint');
  assert.match(b, /^[0-9]+$/);
  assert.ok(a < BigInt(b) && BigInt(b) < c);
  assert.equal(BigInt(String(c)), c);
  assert.equal(parse(encode(c, 'base62'), 'base62'), c);
  const p = inspect(c);
  assert.ok(Math.abs(p.timestamp.getTime() - Date.now()) < 5000);
  assert.equal(compose(p), c);
  assert.equal(inspect(c.toString()).sequence, p.sequence);
  assert.equal(defaultLayout().name, 'twitter');
  const batch = nextBatch(10_000);
  assert.ok(batch instanceof BigUint64Array);
  assert.equal(batch.length, 10_000);
  for (let i = 1; i < batch.length; i++) assert.ok(batch[i - 1] < batch[i]);
  assert.ok(batch[0] > c);
  assert.ok(stats().issued >= 10_003);
  assert.equal(JSON.stringify({ id: nextString() }).length > 10, true);
});

test('Generator: options by node field names, stats, layout, nodes', () => {
  const g = new Generator({ layout: 'discord', worker: 3, process: 9, clock: 'monotonic', onRegression: 'wait', maxWaitMs: 50 });
  const id = g.next();
  assert.deepEqual(g.nodes, { worker: 3, process: 9 });
  assert.equal(g.layout.name, 'discord');
  const p = inspect(id, 'discord');
  assert.equal(p.worker, 3);
  assert.equal(p.process, 9);
  assert.equal(g.stats().issued, 1);
  const wide = new Layout({ fields: [{ name: 'timestamp', bits: 41 }, { name: 'node', bits: 2 }, { name: 'sequence', bits: 20 }], epoch: new Date('2024-01-01') });
  const w = new Generator({ layout: wide, node: 2, maxBorrowTicks: 4 });
  const ids = w.nextBatch(100_000);
  assert.equal(new Set(ids).size, 100_000);
  assert.equal(wide.decode(ids[99_999]).node, 2);
  const e = new Generator({ epoch: new Date('2020-01-01'), worker: 1 });
  assert.equal(e.layout.epochMs, Date.parse('2020-01-01'));
  assert.match(String(Layout.twitter()), /^twitter\(0\|timestamp:41/);
});

test('ManualClock: sequence exhaustion and regression are errors, never waits', () => {
  const clock = new ManualClock(new Date('2024-05-01T00:00:00Z'));
  const g = new Generator({ layout: Layout.sonyflake(), machine: 1, clock, onRegression: 'fail' });
  assert.equal(g.nextBatch(256).length, 256);
  throwsCode(() => g.next(), Error, 'SNOWID_SEQUENCE_EXHAUSTED');
  clock.advance(10);
  const id = g.next();
  clock.advance(-100);
  throwsCode(() => g.next(), Error, 'SNOWID_CLOCK_MOVED_BACKWARDS');
  clock.set(clock.now() + 200);
  assert.ok(g.next() > id);
  assert.equal(g.stats().clockRegressions, 1);
  assert.throws(() => g.next.call({}), Error); // wrong `this`: an error, not a crash
});

test('errors carry code, number and the numbers in the message', () => {
  try {
    new Generator({ worker: 40 });
    assert.fail('expected a throw');
  } catch (e) {
    assert.ok(e instanceof RangeError);
    assert.equal(e.code, 'SNOWID_FIELD_OUT_OF_RANGE');
    assert.equal(e.number, 10);
    assert.match(e.message, /worker = 40 .*0\.\.=31/);
  }
  assert.ok(errorCodes().every((c) => c.code.startsWith('SNOWID_')));
});

test('numbers above 2^53 are rejected as IDs with a precision message', () => {
  for (const fn of [(x) => inspect(x), (x) => encode(x), (x) => Layout.twitter().decode(x)]) {
    assert.throws(() => fn(2 ** 60), (e) => e instanceof RangeError && e.code === ARG && /precision/.test(e.message));
  }
  assert.equal(inspect(2 ** 40).sequence, inspect(BigInt(2 ** 40)).sequence);
});

test('bad input for every export throws TypeError/RangeError with a code', () => {
  const T = (fn, what) => throwsCode(fn, TypeError, ARG, what);
  const R = (fn, what, code = ARG) => throwsCode(fn, RangeError, code, what);
  // IDs
  for (const f of [inspect, encode, (x) => Layout.twitter().decode(x)]) {
    T(() => f(undefined), 'undefined id');
    T(() => f({}), 'object id');
    T(() => f(null), 'null id');
    R(() => f(-1), 'negative id');
    R(() => f(1.5), 'fractional id');
    R(() => f(-1n), 'negative bigint id');
    R(() => f(2n ** 64n), 'bigint id above 2^64');
    R(() => f('12x'), 'bad string id', 'SNOWID_PARSE_CHARACTER');
    R(() => f(''), 'empty string id', 'SNOWID_PARSE_EMPTY');
  }
  R(() => inspect(1n << 63n), 'id with sign bit', 'SNOWID_ID_OUT_OF_RANGE');
  T(() => inspect(1n, 42), 'layout arg');
  R(() => inspect(1n, 'snowflake'), 'unknown preset', 'SNOWID_UNKNOWN_LAYOUT');
  // A layout argument must be a real Layout: not another class, a plain
  // object or an object made from Layout's prototype.
  for (const bad of [new Generator({ datacenter: 0, worker: 0 }), {}, [], Object.create(Layout.prototype)]) {
    T(() => inspect(1n, bad), 'layout object');
    T(() => Layout.prototype.decode.call(bad, 1n), 'decode on a non-Layout');
  }
  // A detached decode must not fall back to the default layout.
  const { decode } = Layout.discord();
  T(() => decode(1n), 'detached decode');
  assert.equal(snowid.default._decodeInto, undefined, 'the internal decoder is not exported');
  // encodings
  T(() => encode(1n, 5), 'encoding type');
  R(() => encode(1n, 'base64'), 'encoding name', 'SNOWID_UNKNOWN_ENCODING');
  T(() => parse(5), 'parse non-string');
  R(() => parse('zz', 'hex'), 'parse hex', 'SNOWID_PARSE_LENGTH');
  // times
  for (const f of [minIdAt, maxIdAt, (t) => Layout.twitter().minIdAt(t)]) {
    T(() => f('2024-01-01'), 'string time');
    T(() => f(undefined), 'undefined time');
    R(() => f(new Date(NaN)), 'invalid date');
    R(() => f(0), 'before epoch', 'SNOWID_TIMESTAMP_OUT_OF_RANGE');
  }
  // compose
  T(() => compose(null), 'null parts');
  T(() => compose({ sequence: 1 }), 'no timestamp');
  T(() => compose({ timestamp: 'x', datacenter: 0, worker: 0 }), 'string timestamp');
  R(() => compose({ timestamp: Date.now(), datacenter: 0, worker: 0, sequence: -1 }), 'negative sequence');
  R(() => compose({ timestamp: Date.now(), datacenter: 0 }), 'missing node', 'SNOWID_MISSING_FIELD');
  R(() => compose({ timestamp: Date.now(), datacenter: 0, worker: 0, shard: 1 }), 'unknown node', 'SNOWID_UNKNOWN_FIELD');
  // capacity
  T(() => capacity(7), 'capacity layout');
  // Layout
  T(() => new Layout(), 'no spec');
  T(() => new Layout({ fields: [] }), 'no epoch');
  T(() => new Layout({ fields: 'x', epoch: 0 }), 'fields not array');
  T(() => new Layout({ fields: [], epoch: 0, tick: 1 }), 'unknown spec key');
  T(() => new Layout({ fields: [{ name: 'timestamp', bits: 41, extra: 1 }], epoch: 0 }), 'unknown field key');
  T(() => new Layout({ fields: [{ name: 1, bits: 41 }], epoch: 0 }), 'field name type');
  R(() => new Layout({ fields: [{ name: 'a', bits: 41, kind: 'clock' }], epoch: 0 }), 'bad kind');
  T(() => new Layout({ fields: [{ name: 'timestamp', bits: 41 }], epoch: 0, signBit: 1 }), 'signBit type');
  T(() => Layout.preset(1), 'preset type');
  R(() => Layout.preset('nope'), 'preset name', 'SNOWID_UNKNOWN_LAYOUT');
  assert.throws(() => Layout.twitter().equals({}), Error);
  // Generator options
  T(() => new Generator(5), 'options type');
  T(() => new Generator({ wrker: 1 }), 'unknown option');
  T(() => new Generator({ layout: 'instagram', worker: 1 }), 'node field of another layout');
  T(() => new Generator({ worker: '1' }), 'string node value');
  R(() => new Generator({ worker: -1 }), 'negative node value');
  R(() => new Generator({ worker: 32 }), 'node too large', 'SNOWID_FIELD_OUT_OF_RANGE');
  T(() => new Generator({ clock: 'fast' === 1 }), 'clock type');
  R(() => new Generator({ clock: 'fast' }), 'clock name');
  R(() => new Generator({ onRegression: 'panic' }), 'policy name');
  T(() => new Generator({ onRegression: 'fail', maxWaitMs: 5 }), 'maxWaitMs with fail');
  R(() => new Generator({ maxBorrowTicks: 1.5 }), 'fractional borrow');
  T(() => new Generator({ layout: {} }), 'layout object');
  R(() => new Generator({ epoch: Date.now() + 86_400_000 }), 'future epoch', 'SNOWID_EPOCH_IN_FUTURE');
  const g = new Generator();
  T(() => g.nextBatch('5'), 'batch n type');
  R(() => g.nextBatch(-1), 'batch n negative');
  R(() => g.nextBatch(2 ** 40), 'batch n huge');
  assert.equal(g.nextBatch(0).length, 0);
  // ManualClock
  T(() => new ManualClock('now'), 'clock start type');
  R(() => new ManualClock(-5), 'clock before 1970');
  const c = new ManualClock(1000);
  T(() => c.advance('1'), 'advance type');
  R(() => c.advance(0.5), 'advance fraction');
  // configure
  T(() => configure({ clock: c }), 'configure manual clock');
  T(() => configure('x'), 'configure type');
});

function runChild(code, env) {
  // A fresh state directory: slot locks and marks of other test processes
  // (node --test runs files in parallel) must not shift the slot numbers.
  const state = mkdtempSync(join(tmpdir(), 'snowid-api-'));
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    env: { ...process.env, SNOWID_LAYOUT: '', SNOWID_WORKER_ID: '', SNOWID_DATACENTER_ID: '', SNOWID_STATE_DIR: state, ...env },
    cwd: new URL('.', import.meta.url).pathname,
    encoding: 'utf8',
  });
  return { ...r, out: r.stdout.trim(), err: r.stderr };
}

test('environment: SNOWID_LAYOUT and SNOWID_<FIELD>_ID configure the default; bad values name the variable', () => {
  let r = runChild("import { next, inspect, defaultLayout } from '../index.mjs'; const p = inspect(next()); console.log(defaultLayout().name, p.worker, p.process)",
    { SNOWID_LAYOUT: 'discord', SNOWID_WORKER_ID: '3', SNOWID_PROCESS_ID: '4' });
  assert.equal(r.out, 'discord 3 4', r.err);
  r = runChild("import { next } from '../index.mjs'; try { next() } catch (e) { console.log(e.constructor.name, e.code, e.message) }",
    { SNOWID_WORKER_ID: '32' });
  assert.match(r.out, /^RangeError SNOWID_INVALID_SETTING setting SNOWID_WORKER_ID = "32" .*0\.\.=31/);
  r = runChild("import { next } from '../index.mjs'; try { next() } catch (e) { console.log(e.code, e.message) }",
    { SNOWID_LAYOUT: 'snowflake' });
  assert.match(r.out, /^SNOWID_INVALID_SETTING setting SNOWID_LAYOUT = "snowflake"/);
  r = runChild("import { next, inspect, defaultSource } from '../index.mjs'; console.log(defaultSource()); const p = inspect(next()); console.log(p.datacenter, p.worker, defaultSource())", {});
  assert.match(r.out, /^null\n0 0 local slot 0 in /, 'nothing configured: the first free machine-local slot');
  r = runChild(`
    import { next } from '../index.mjs';
    import { spawnSync } from 'node:child_process';
    next();
    const code = "import { next } from '../index.mjs'; try { next(); console.log('issued') } catch (e) { console.log(e.code) }";
    console.log(spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }).stdout.trim());`,
    { SNOWID_WORKER_ID: '7' });
  assert.equal(r.out, 'SNOWID_NODE_IN_USE', 'the same SNOWID_WORKER_ID in two live processes is refused: ' + r.err);
});

test('configure: before first use; repeating the same settings is fine; changing them is refused', () => {
  const r = runChild(`
    import { configure, next, inspect } from '../index.mjs';
    configure({ datacenter: 2 });
    configure({ datacenter: 2 });
    const p = inspect(next());
    let code = 'none';
    try { configure({ datacenter: 3 }) } catch (e) { code = e.code }
    console.log(p.datacenter, p.worker, code);`, { SNOWID_WORKER_ID: '5' });
  assert.equal(r.out, '2 5 SNOWID_INVALID_SETTING', r.err);
});

test('versioning: package.json, Cargo.toml and the workspace share one version', async () => {
  const { readFileSync } = await import('node:fs');
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
    import { mkdtempSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    const state = mkdtempSync(join(tmpdir(), 'snowid-src-'));
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
    process.env.SNOWID_STATE_DIR = mkdtempSync(join(tmpdir(), 'snowid-src-'));
    const f = Generator.fromEnv();
    console.log(f.source, inspect(f.next()).worker);
    console.log(new Generator({ worker: 1 }).source);`, {});
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

test('Generator node source: bad input', () => {
  throwsCode(() => new snowid.Generator({ nodeSource: 'zookeeper' }), RangeError, 'SNOWID_INVALID_ARGUMENT');
  assert.throws(() => new snowid.Generator({ nodeSource: 3 }), TypeError);
  assert.throws(() => new snowid.Generator({ nodeSource: 'local', worker: 1 }), { name: 'TypeError', message: /not both/ });
  assert.throws(() => new snowid.Generator({ stateDir: '/tmp', worker: 1 }), { name: 'TypeError', message: /stateDir goes with/ });
  assert.throws(() => snowid.configure({ nodeSource: 'local' }), { name: 'TypeError', message: /SNOWID_NODE_SOURCE/ });
});
