// SNOWID_NODE_SOURCE=etcd from the installed npm tarballs (the prebuilt
// addon), against the real etcd at $SNOWID_TEST_ETCD_ENDPOINTS
// (scripts/package/test.sh starts it and runs this file inside the consumer
// project). Two generators lease workers 0 and 1, the default generator
// worker 2. Fails without etcd: it never pretends.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

const endpoints = process.env.SNOWID_TEST_ETCD_ENDPOINTS;
assert.ok(endpoints, 'SNOWID_TEST_ETCD_ENDPOINTS is not set');
Object.assign(process.env, {
  SNOWID_NODE_SOURCE: 'etcd',
  SNOWID_ETCD_ENDPOINTS: endpoints,
  SNOWID_ETCD_PREFIX: 'snowid-dist-node-' + randomBytes(4).toString('hex'),
  SNOWID_LEASE_TTL_MS: '3000',
});
// The environment is read when the default generator is first used, so the
// module is imported after setting it.
const { Generator, inspect, nextString, defaultSource } = await import('snowid');

let checks = 0;
const check = (cond, what) => { assert.ok(cond, what); checks++; };
const a = Generator.fromEnv();
const b = Generator.fromEnv();
check(/^etcd worker 0 /.test(a.source), a.source);
check(/^etcd worker 1 /.test(b.source), b.source);
const ids = new Set();
for (const id of a.nextBatch(2000)) ids.add(id);
for (const id of b.nextBatch(2000)) ids.add(id);
const d = BigInt(nextString());
ids.add(d);
check(ids.size === 4001, `4001 distinct IDs, got ${ids.size}`);
check(inspect(a.next()).worker === 0 && inspect(b.next()).worker === 1, 'workers 0 and 1');
check(/^etcd worker 2 /.test(defaultSource()), defaultSource());
check(inspect(d).worker === 2, "the default generator's worker");
console.log(`node-etcd: ${checks} passed, 0 failed`);
