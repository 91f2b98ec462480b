// testdata/vectors.json, section "wide": layouts up to 128 bits (bigint)
// and the JS-safe preset (number).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, WideGenerator, WideLayout, encodeWide, parseWide } from '../index.mjs';
import { vectors, throwsCode } from './helpers.mjs';

const W = vectors.wide;
const byKey = Object.fromEntries(W.layouts.map((l) => [l.key, new WideLayout(opts(l.options))]));

// The vectors' options are snake_case; Node's objects take camelCase.
function opts(o) {
  const out = {};
  for (const [k, v] of Object.entries(o)) out[k.replace(/_([a-z])/g, (_, c) => c.toUpperCase())] = v;
  return out;
}

test('wide layouts: fields, width, capacity', () => {
  for (const l of W.layouts) {
    const w = byKey[l.key];
    assert.equal(w.name, l.name);
    assert.equal(w.width, l.width);
    assert.equal(w.epochMs, l.epoch_ms);
    assert.equal(w.tickMs, l.tick_ms);
    assert.equal(w.maxId, BigInt(l.max_id));
    assert.equal(w.jsSafe, l.js_safe);
    assert.deepEqual(w.fields.map((f) => [f.name, f.bits, f.kind]), l.fields.map((f) => [f.name, f.bits, f.kind]));
    const c = w.capacity();
    for (const [ours, theirs] of [['lifespanMs', 'lifespan_ms'], ['endMs', 'end_ms'], ['issueEndMs', 'issue_end_ms'],
      ['idsPerTick', 'ids_per_tick'], ['idsPerSecondPerNode', 'ids_per_second_per_node'], ['nodes', 'nodes']]) {
      assert.equal(c[ours], BigInt(l.capacity[theirs]), `${l.key} ${ours}`);
    }
  }
  assert.ok(new WideLayout('jssafe').equals(new WideLayout({ layout: 'jssafe' })));
  assert.ok(new WideLayout().equals(new WideLayout('wide128')));
});

test('wide ids: decode, compose, encodings', () => {
  for (const c of W.ids) {
    const w = byKey[c.layout];
    const id = BigInt(c.id);
    const p = w.decode(id);
    assert.equal(p.id, id);
    assert.equal(BigInt(p.timestampMs), BigInt(c.timestamp_ms));
    assert.equal(BigInt(p.tick), BigInt(c.tick));
    assert.equal(p.sequence, c.sequence);
    assert.deepEqual(p.nodes, c.nodes);
    assert.deepEqual(w.decode(c.id).id, id, 'a decimal string is an ID too');
    const ms = BigInt(c.timestamp_ms);
    const ts = ms <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ms) : ms;
    assert.equal(w.compose({ timestamp: ts, sequence: c.sequence, ...c.nodes }), id);
    for (const [enc, text] of Object.entries(c.encodings)) {
      assert.equal(encodeWide(id, enc), text);
      assert.equal(parseWide(text, enc), id);
    }
  }
  for (const c of W.encodings) {
    for (const [enc, text] of Object.entries(c.encodings)) {
      assert.equal(encodeWide(BigInt(c.id), enc), text);
      assert.equal(parseWide(text, enc), BigInt(c.id));
    }
  }
  for (const c of W.parse_aliases) assert.equal(parseWide(c.input, c.encoding), BigInt(c.id));
});

test('wide bounds', () => {
  for (const c of W.bounds) {
    assert.equal(byKey[c.layout].minIdAt(c.ms), BigInt(c.min));
    assert.equal(byKey[c.layout].maxIdAt(new Date(c.ms)), BigInt(c.max));
  }
});

test('wide invalid inputs give their codes', () => {
  for (const c of W.invalid_layouts) throwsCode(() => new WideLayout(opts(c.options)), c.code);
  for (const c of W.invalid_ids) throwsCode(() => byKey[c.layout].decode(BigInt(c.id)), c.code);
  for (const c of W.invalid_strings) throwsCode(() => parseWide(c.input, c.encoding), c.code);
  throwsCode(() => new WideGenerator({ layout: 'wide128', datacenter: 1, worker: 1, protect: false }).nextNumber(),
    'INVALID_SETTING');
});

test('wide runs under a manual clock', () => {
  for (const r of W.runs) {
    const clock = new ManualClock(r.start_ms);
    const g = new WideGenerator({ ...opts(r.options), clock, ...r.nodes });
    for (const s of r.steps) {
      if (s.op === 'advance') clock.advance(s.ms);
      else if (s.op === 'next') {
        if (s.error) throwsCode(() => g.next(), s.error);
        else assert.equal(g.next(), BigInt(s.expect));
      } else assert.deepEqual(g.nextBatch(s.n), s.expect.map(BigInt));
    }
  }
});

test('JS-safe preset: numbers that JSON keeps exact', () => {
  const g = new WideGenerator({ layout: 'jssafe', worker: 3, protect: false });
  const a = g.nextNumber();
  assert.equal(typeof a, 'number');
  assert.ok(Number.isSafeInteger(a));
  const batch = g.nextBatchNumbers(1000);
  assert.ok(batch instanceof Float64Array && batch.length === 1000);
  let prev = a;
  for (const x of batch) {
    assert.ok(Number.isSafeInteger(x) && x > prev);
    prev = x;
  }
  assert.equal(JSON.parse(JSON.stringify({ id: prev })).id, prev);
  assert.equal(g.layout.decode(prev).nodes.worker, 3);
  const big = g.next();
  assert.equal(typeof big, 'bigint');
  assert.ok(big <= BigInt(Number.MAX_SAFE_INTEGER) && big > BigInt(prev));
});

test('wide generator: local slots, distinct nodes, increasing ids', () => {
  const a = new WideGenerator({ layout: 'wide128', nodeSource: 'local' });
  const b = new WideGenerator({ layout: 'wide128', nodeSource: 'local' });
  assert.notDeepEqual(a.nodes, b.nodes);
  assert.match(a.source, /^local slot/);
  const ids = a.nextBatch(10000);
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1]);
  assert.ok(ids[0] > 2n ** 64n);
  throwsCode(() => new WideGenerator({ layout: 'wide128', ...a.nodes }), 'NODE_IN_USE');
  assert.equal(a.stats().issued, 10000);
});
