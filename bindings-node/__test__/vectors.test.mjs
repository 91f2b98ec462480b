// Every section of testdata/vectors.json, through the Node API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import snowid, {
  Generator, Layout, ManualClock, compose, encode, errorCodes, inspect, maxIdAt, minIdAt, parse,
} from '../index.mjs';
import { vectors, specOf, layoutOf, throwsCode, assertCoded } from './helpers.mjs';

const expectCoreError = throwsCode;

test('error table: every core code is exposed with SNOWID_ prefix, number and class', () => {
  const ours = errorCodes();
  assert.deepEqual(
    ours.map((e) => [e.code, e.number, e.kind]),
    vectors.errors.map((e) => [`SNOWID_${e.code}`, e.number, e.kind]),
  );
  for (const [i, e] of ours.entries()) {
    const row = vectors.errors[i];
    const want = row.type_error ? 'TypeError' : e.kind === 'invalid_input' ? 'RangeError' : 'Error';
    assert.equal(e.jsClass, want, e.code);
  }
});

test('layouts: presets equal their specs; capacity and max id', () => {
  for (const v of vectors.layouts) {
    const l = layoutOf(v.name);
    const c = l.capacity();
    for (const [ours, theirs] of [['lifespanMs', 'lifespan_ms'], ['endMs', 'end_ms'], ['idsPerTick', 'ids_per_tick'],
      ['idsPerSecondPerNode', 'ids_per_second_per_node'], ['nodes', 'nodes']]) {
      assert.equal(c[ours], BigInt(v.capacity[theirs]), `${v.name} ${ours}`);
    }
    // A Date holds instants up to 8.64e15 ms; past that `end` is null.
    if (Number(v.capacity.end_ms) <= 8.64e15) assert.equal(c.end.getTime(), Number(v.capacity.end_ms));
    else assert.equal(c.end, null, v.name);
    assert.equal(l.maxId, BigInt(v.max_id));
    assert.equal(l.epochMs, v.epoch_ms);
    assert.equal(l.tickMs, v.tick_ms);
    assert.equal(l.signBit, v.sign_bit);
    assert.deepEqual(l.fields.map((f) => [f.name, f.bits, f.kind]), v.fields.map((f) => [f.name, f.bits, f.kind]));
    assert.deepEqual(l.nodeNames, v.fields.filter((f) => f.kind === 'node').map((f) => f.name));
  }
});

test('ids: decode (bigint and string), inspect, compose round trip', () => {
  for (const v of vectors.ids) {
    const l = layoutOf(v.layout);
    for (const id of [BigInt(v.id), v.id]) {
      const p = l.decode(id);
      assert.equal(p.timestampMs, v.timestamp_ms, JSON.stringify(v));
      assert.equal(p.timestamp.getTime(), v.timestamp_ms);
      assert.equal(p.tick, v.tick);
      assert.equal(p.sequence, v.sequence);
      for (const [name, value] of Object.entries(v.nodes)) assert.equal(p[name], value);
      assert.deepEqual(inspect(id, l), p);
      assert.equal(l.compose(p), BigInt(v.id));
      assert.equal(compose(p, l), BigInt(v.id));
    }
    if (l.equals(Layout.preset(v.layout === 'discord' ? 'discord' : 'twitter'))) {
      assert.deepEqual(inspect(v.id, v.layout === 'discord' ? 'discord' : 'twitter'), l.decode(v.id));
    }
  }
});

test('bounds: minIdAt / maxIdAt from ms and from a Date', () => {
  for (const v of vectors.bounds) {
    const l = layoutOf(v.layout);
    assert.equal(l.minIdAt(v.timestamp_ms), BigInt(v.min_id));
    assert.equal(l.maxIdAt(new Date(v.timestamp_ms)), BigInt(v.max_id));
    assert.equal(minIdAt(new Date(v.timestamp_ms), l), BigInt(v.min_id));
    assert.equal(maxIdAt(v.timestamp_ms, l), BigInt(v.max_id));
  }
});

test('encodings, aliases and invalid strings', () => {
  for (const v of vectors.encodings) {
    for (const enc of ['decimal', 'hex', 'base32', 'base62']) {
      assert.equal(encode(BigInt(v.id), enc), v[enc]);
      assert.equal(encode(v.id, enc), v[enc]);
      assert.equal(parse(v[enc], enc), BigInt(v.id));
    }
    assert.equal(encode(BigInt(v.id)), v.decimal);
    assert.equal(parse(v.decimal), BigInt(v.id));
  }
  for (const v of vectors.parse_aliases) assert.equal(parse(v.input, v.encoding), BigInt(v.id));
  for (const v of vectors.invalid_strings) {
    expectCoreError(() => parse(v.input, v.encoding), v.error, JSON.stringify(v));
  }
});

test('invalid layouts, presets, ids and compose inputs', () => {
  for (const v of vectors.invalid_layouts) {
    expectCoreError(() => new Layout(specOf(v.spec)), v.error, JSON.stringify(v.spec));
  }
  for (const v of vectors.invalid_presets) {
    expectCoreError(() => Layout.preset(v.name), v.error, v.name);
    expectCoreError(() => new Generator({ layout: v.name }), v.error, v.name);
  }
  for (const v of vectors.invalid_ids) {
    expectCoreError(() => layoutOf(v.layout).decode(BigInt(v.id)), v.error, v.id);
    expectCoreError(() => inspect(v.id, layoutOf(v.layout)), v.error, v.id);
  }
  for (const v of vectors.invalid_compose) {
    const parts = { timestampMs: v.timestamp_ms, sequence: v.sequence, ...v.nodes };
    expectCoreError(() => layoutOf(v.layout).compose(parts), v.error, JSON.stringify(v));
  }
});

test('deterministic runs on a ManualClock reproduce the vectors', () => {
  for (const run of vectors.runs) {
    const clock = new ManualClock(run.start_ms);
    const gen = new Generator({
      layout: layoutOf(run.layout),
      ...run.nodes,
      clock,
      onRegression: run.on_regression,
      maxBorrowTicks: run.max_borrow_ticks,
    });
    run.steps.forEach((step, i) => {
      const what = `${run.layout} step ${i}: ${JSON.stringify(step).slice(0, 80)}`;
      switch (step.op) {
        case 'set': clock.set(step.ms); break;
        case 'advance': clock.advance(step.ms); break;
        case 'next':
          if (step.error) expectCoreError(() => gen.next(), step.error, what);
          else assert.equal(gen.next(), BigInt(step.expect), what);
          break;
        case 'batch':
          if (step.error) expectCoreError(() => gen.nextBatch(step.n), step.error, what);
          else assert.deepEqual(Array.from(gen.nextBatch(step.n)), step.expect.map(BigInt), what);
          break;
        default: throw new Error(`unknown op ${step.op}`);
      }
    });
  }
});

// A case with a float of a host that has integers ({"real": x}: a Python
// float, a JVM Double, never an integer), which no JavaScript value is.
class HostFloatOnly extends Error {}

// The `options` section: every case through `_resolve`, which converts the
// option object exactly as `new Generator()` / `configure()` do.
function optionValue(v) {
  if (v === null || typeof v !== 'object') return v;
  const [[form, x]] = Object.entries(v);
  switch (form) {
    case 'int': return BigInt(x);
    case 'float': return Number(x);
    case 'real': throw new HostFloatOnly(String(x));
    // A JS string cannot hold bytes that are not UTF-8; its equivalent is a
    // string that has no UTF-8 form (a lone surrogate).
    case 'bytes': return `${Buffer.from(x, 'hex').toString('latin1').replace(/[^\x00-\x7f]/g, '')}\uD800`;
    case 'other': return x === 'list' ? [] : { other: x };
    case 'manual_clock': return new ManualClock(x);
    case 'layout_of': return layoutOf(x);
    default: throw new Error(`unknown option form ${form}`);
  }
}

const envValue = (v) => (typeof v === 'string' ? v : Buffer.from(v.bytes, 'hex'));

test('options: every vector case resolves like the core', (t) => {
  if (!vectors.options) {
    t.skip('testdata/vectors.json has no options section yet');
    return;
  }
  assert.ok(vectors.options.length > 50, 'options cases');
  let skipped = 0;
  for (const c of vectors.options) {
    const what = `${c.target} ${JSON.stringify(c.options)} ${JSON.stringify(c.env)}: ${c.why}`;
    let options;
    try {
      options = c.options === null ? null
        : Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, optionValue(v)]));
    } catch (e) {
      if (!(e instanceof HostFloatOnly)) throw e;
      skipped += 1;
      continue;
    }
    const env = Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, envValue(v)]));
    if (c.error) {
      assert.throws(() => snowid._resolve(c.target, options, env), (e) => {
        assertCoded(e, what);
        assert.equal(e.code, `SNOWID_${c.error}`, `${what}: ${e.message}`);
        return true;
      });
    } else {
      let got;
      try {
        got = JSON.parse(snowid._resolve(c.target, options, env));
      } catch (e) {
        assert.fail(`${what}: ${e.code} ${e.message}`);
      }
      assert.deepEqual(got, c.expect, what);
    }
  }
  assert.ok(skipped > 0 && skipped < 20, `Python/JVM-only cases ({"real": x}) skipped: ${skipped}`);
});
