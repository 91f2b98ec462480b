// Segment mode on a real PostgreSQL and Redis (the root `make test-leases`
// starts them and sets SNOWID_TEST_POSTGRES_URL / SNOWID_TEST_REDIS_URL).
// Without them this test fails: it never pretends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Segment } from '../index.mjs';

for (const v of ['SNOWID_TEST_POSTGRES_URL', 'SNOWID_TEST_REDIS_URL']) {
  test(`two Segments share a key in ${v}`, () => {
    const url = process.env[v];
    assert.ok(url, `${v} is not set: run \`make test-leases\` at the repository root`);
    const key = 'node-' + randomBytes(6).toString('hex');
    const a = new Segment(key, { store: url, step: 100 });
    const b = new Segment(key, { store: url, step: 100 });
    const ids = [...a.nextBatch(1000), ...Array.from({ length: 1000 }, () => b.next())];
    assert.equal(new Set(ids).size, 2000);
    assert.equal(ids.reduce((m, x) => (x < m ? x : m)), 1n);
  });
}
