// Keyed public IDs against the vectors of the independent FF1 model; bad
// input of every kind is a coded error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PublicIds, Generator } from '../index.mjs';
import { throwsCode, vectors } from './helpers.mjs';

const p = vectors.public_ids;
const bytes = (hex) => Uint8Array.from(Buffer.from(hex, 'hex'));
const make = (v) => new PublicIds(bytes(v.key_hex), { context: v.context });
const KEY = Uint8Array.from({ length: 16 }, (_, i) => i);

test('PublicIds: the vectors', () => {
  for (const v of p.cases) {
    const ids = make(v);
    assert.equal(ids.encode(BigInt(v.id)), v.text, JSON.stringify(v));
    assert.equal(ids.encode(v.id), v.text); // a decimal string
    assert.equal(ids.decode(v.text), BigInt(v.id));
    const hexed = new PublicIds(v.key_hex.toUpperCase(), { context: v.context });
    assert.equal(hexed.encode(BigInt(v.id)), v.text);
    assert.equal(new PublicIds(Buffer.from(v.key_hex, 'hex'), { context: v.context }).decode(v.text), BigInt(v.id));
  }
  for (const v of p.aliases) assert.equal(make(v).decode(v.text), BigInt(v.id), v.text);
  for (const v of p.invalid_texts) throwsCode(() => make(v).decode(v.text), v.code, v.why);
  for (const v of p.invalid_keys) throwsCode(() => new PublicIds(bytes(v.key_hex)), v.code, v.key_hex);
  for (const v of p.invalid_key_texts) throwsCode(() => new PublicIds(v.text), v.code, v.text);
  for (const v of p.invalid_contexts) throwsCode(() => new PublicIds(KEY, { context: v.context }), v.code);
});

test('PublicIds: errors name the value and what was expected', () => {
  const ids = new PublicIds(KEY);
  assert.throws(() => new PublicIds(KEY.subarray(0, 15)), /15 bytes.*16, 24 or 32/);
  assert.throws(() => ids.decode('0'.repeat(15)), (e) => e instanceof RangeError && /got 15/.test(e.message));
  const other = new PublicIds(KEY, { context: 'orders' }).encode(7n);
  assert.throws(() => ids.decode(other), (e) => e.code === 'SNOWID_PUBLIC_ID_CHECK' && e.number === 91 &&
    e.message.includes(other));
});

test('PublicIds: bad types and ranges', () => {
  const ids = new PublicIds(KEY);
  for (const bad of [-1n, 2n ** 64n, -1, 1.5, null, undefined, {}, true]) {
    assert.throws(() => ids.encode(bad), (e) => typeof e.code === 'string' && e.code.startsWith('SNOWID_'), String(bad));
  }
  assert.equal(ids.decode(ids.encode(2n ** 64n - 1n)), 2n ** 64n - 1n);
  for (const bad of [5, null, undefined, {}, KEY]) throwsCode(() => ids.decode(bad), 'WRONG_TYPE', String(bad));
  throwsCode(() => ids.decode(''), 'PARSE_EMPTY');
  throwsCode(() => ids.decode('0'.repeat(1 << 20)), 'PARSE_LENGTH');
  throwsCode(() => ids.decode('\u{1F600}'.repeat(8)), 'PARSE_LENGTH');
  throwsCode(() => ids.decode('é'.repeat(16)), 'PARSE_CHARACTER');
  for (const bad of [16, null, undefined, [0, 1], new Uint16Array(8), {}]) {
    throwsCode(() => new PublicIds(bad), 'WRONG_TYPE', String(bad));
  }
  throwsCode(() => new PublicIds(KEY, { context: 5 }), 'WRONG_TYPE');
  throwsCode(() => new PublicIds(KEY, { tweak: 'x' }), 'WRONG_TYPE');
  throwsCode(() => new PublicIds(KEY, 'users'), 'WRONG_TYPE');
  throwsCode(() => PublicIds(KEY), 'WRONG_TYPE');
});

test('PublicIds: hides the order of issued IDs; contexts are unrelated', () => {
  const gen = new Generator({ datacenter: 1, worker: 3 });
  const issued = Array.from(gen.nextBatch(100));
  const ids = new PublicIds(KEY);
  const texts = issued.map((i) => ids.encode(i));
  assert.equal(new Set(texts).size, 100);
  assert.notDeepEqual(texts, [...texts].sort());
  assert.deepEqual(texts.map((t) => ids.decode(t)), issued);
  const users = new PublicIds(KEY, { context: 'users' });
  assert.equal(users.context, 'users');
  assert.equal(ids.context, '');
  assert.ok(issued.every((i, k) => users.encode(i) !== texts[k]));
});
