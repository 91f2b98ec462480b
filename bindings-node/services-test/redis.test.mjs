// Node numbers leased from a real Redis (SNOWID_NODE_SOURCE=redis). Not part
// of this folder's `make test`: the root `make test-leases` starts Redis and
// runs `make -C bindings-node test-redis` with SNOWID_TEST_REDIS_URL set.
// Without it this test fails: it never pretends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const REDIS_URL = process.env.SNOWID_TEST_REDIS_URL;

test('Generator.fromEnv() and next() lease distinct workers from Redis', () => {
  assert.ok(REDIS_URL, 'SNOWID_TEST_REDIS_URL is not set: run `make test-leases` at the repository root');
  const env = {
    ...process.env,
    SNOWID_NODE_SOURCE: 'redis',
    SNOWID_REDIS_URL: REDIS_URL,
    SNOWID_REDIS_PREFIX: 'snowid-node-' + randomBytes(4).toString('hex'),
    SNOWID_LEASE_TTL_MS: '3000',
  };
  // One process: two generators hold workers 0 and 1 while a child process
  // (the module-level default) leases worker 2; no ID repeats.
  const code = `
    import { Generator, inspect } from '../index.mjs';
    import { spawnSync } from 'node:child_process';
    const a = Generator.fromEnv();
    const b = Generator.fromEnv();
    const ids = new Set();
    for (let i = 0; i < 2000; i++) { ids.add(a.next()); ids.add(b.next()); }
    const child = spawnSync(process.execPath, ['--input-type=module', '-e',
      "import { nextString, defaultSource } from '../index.mjs'; const id = nextString(); console.log(defaultSource()); console.log(id)"],
      { encoding: 'utf8' });
    const [childSource, childId] = child.stdout.trim().split('\\n');
    ids.add(BigInt(childId));
    console.log(JSON.stringify([a.source, b.source, childSource, ids.size, inspect(a.next()).worker, inspect(b.next()).worker]));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    env, encoding: 'utf8', cwd: new URL('.', import.meta.url).pathname,
  });
  assert.equal(r.status, 0, r.stderr);
  const [sa, sb, sc, unique, wa, wb] = JSON.parse(r.stdout);
  assert.match(sa, /^redis worker 0 /);
  assert.match(sb, /^redis worker 1 /);
  assert.match(sc, /^redis worker 2 /);
  assert.equal(unique, 4001);
  assert.deepEqual([wa, wb], [0, 1]);
});
