// UUIDv7 and ULID: testdata/vectors.json section "uuid", and the npm `uuid`
// package reading what snowid makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate, version } from 'uuid';
import {
  WideGenerator, WideLayout, uuid7, uuid7Bytes, ulid, encodeUuid, parseUuid, encodeUlid, parseUlid,
} from '../index.mjs';
import { vectors, throwsCode } from './helpers.mjs';

const V = vectors.uuid;

test('uuid7() is what the npm uuid package reads as version 7', () => {
  const a = uuid7();
  const b = uuid7();
  assert.ok(validate(a), a);
  assert.equal(version(a), 7);
  assert.ok(a < b, `${a} < ${b}`);
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const bytes = uuid7Bytes();
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(bytes.length, 16);
  assert.equal(bytes[6] >> 4, 7);
  const text = encodeUuid(BigInt('0x' + Buffer.from(bytes).toString('hex')));
  assert.ok(text > b, 'bytes come from the same generator, later');
  const ms = new WideLayout('uuid7').decode(parseUuid(a)).timestampMs;
  assert.equal(ms, parseInt(a.replace(/-/g, '').slice(0, 12), 16));
});

test('ulid() sorts like issue order', () => {
  const all = Array.from({ length: 2000 }, () => ulid());
  assert.deepEqual([...all].sort(), all);
  assert.equal(new Set(all).size, all.length);
  assert.ok(all.every((t) => t.length === 26));
});

test('explicit generators of the presets', () => {
  const g = new WideGenerator({ layout: 'uuid7', datacenter: 1, worker: 2, protect: false });
  assert.equal(version(g.nextUuid()), 7);
  assert.equal(g.nextUuidBytes().length, 16);
  throwsCode(() => g.nextUlid(), 'SNOWID_INVALID_SETTING');
  const l = new WideGenerator({ layout: 'ulid', datacenter: 1, worker: 2, protect: false });
  assert.ok(parseUlid(l.nextUlid()) < parseUlid(l.nextUlid()));
});

test('uuid vectors', () => {
  for (const c of V.ids) {
    const id = BigInt(c.id);
    const p = new WideLayout(c.preset).decode(id);
    assert.equal(p.timestampMs, c.timestamp_ms);
    assert.equal(p.sequence, c.sequence);
    assert.equal(encodeUuid(id), c.uuid);
    assert.equal(parseUuid(c.uuid), id);
    assert.equal(encodeUlid(id), c.ulid);
    assert.equal(parseUlid(c.ulid), id);
    assert.equal(id.toString(16).padStart(32, '0'), c.bytes);
  }
  const parse = { uuid: parseUuid, ulid: parseUlid };
  for (const a of V.parse_aliases) assert.equal(parse[a.format](a.input), BigInt(a.id));
  for (const b of V.invalid_strings) throwsCode(() => parse[b.format](b.input), 'SNOWID_' + b.code);
  for (const b of V.invalid_ids) throwsCode(() => new WideLayout(b.preset).decode(BigInt(b.id)), 'SNOWID_' + b.code);
});
