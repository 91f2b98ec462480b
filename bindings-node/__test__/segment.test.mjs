// Segment mode with the file store (PostgreSQL and Redis: services-test/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Segment } from '../index.mjs';
import { throwsCode, scratch } from './helpers.mjs';

const vectors = JSON.parse(readFileSync(new URL('../../testdata/vectors.json', import.meta.url)));
const fileStore = () => 'file://' + scratch('nb-seg-');

test('Segment: dense, increasing bigint IDs; a new segment never reissues', () => {
  const store = fileStore();
  const s = new Segment('orders', { store, step: 10 });
  assert.equal(s.key, 'orders');
  assert.equal(s.store, store);
  assert.deepEqual([s.next(), s.next(), s.next()], [1n, 2n, 3n]);
  assert.equal(s.nextString(), '4');
  assert.deepEqual(Array.from(s.nextBatch(5)), [5n, 6n, 7n, 8n, 9n]);
  const st = s.stats();
  assert.ok(st.rangesFetched >= 1 && st.step >= 10, JSON.stringify(st));
  const again = new Segment('orders', { store, step: 10 });
  assert.ok(again.next() > 9n);
});

test('Segment: bad keys, bad URLs and bad options throw coded errors', () => {
  const store = fileStore();
  for (const key of ['', 'a/b', 'x'.repeat(129), '.hidden', 'café']) {
    throwsCode(() => new Segment(key, { store }), 'SEGMENT_KEY', JSON.stringify(key));
  }
  throwsCode(() => new Segment(7, { store }), 'WRONG_TYPE');
  for (const url of ['', '/tmp/x', 'file://relative', 'ftp://h/x', 'postgres:///db']) {
    throwsCode(() => new Segment('k', { store: url }), 'SEGMENT_STORE_URL', url);
  }
  throwsCode(() => new Segment('k', { store, stpe: 3 }), 'INVALID_SETTING');
  throwsCode(() => new Segment('k', { store, step: 10, maxStep: 5 }), 'INVALID_SETTING');
  throwsCode(() => new Segment('k', { store, step: '10' }), 'WRONG_TYPE');
  throwsCode(() => new Segment('k', { store: 'redis://127.0.0.1:1/' }), 'SEGMENT_STORE_UNAVAILABLE');
  assert.throws(() => Segment('k'), /SNOWID_WRONG_TYPE|new/);
});

test('Segment: vectors (keys, store URLs; built with postgres and redis)', () => {
  const store = fileStore();
  for (const c of vectors.segments.keys) {
    if (c.error === null) new Segment(c.key, { store });
    else throwsCode(() => new Segment(c.key, { store }), c.error, JSON.stringify(c.key));
  }
  for (const c of vectors.segments.store_urls) {
    if (c.error_all_features !== null) throwsCode(() => new Segment('k', { store: c.url }), c.error_all_features, c.url);
  }
  for (const c of vectors.segments.options) {
    const options = Object.fromEntries(c.options);
    if (Object.keys(options).length !== c.options.length) continue; // a name twice: not an object
    if (c.error === null) new Segment('k', { store, ...options });
    else throwsCode(() => new Segment('k', { store, ...options }), c.error, JSON.stringify(c.options));
  }
});
