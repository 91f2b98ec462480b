// RemoteGenerator against the real `snowid serve` on loopback (started here,
// stopped by its PID). The binary: $SNOWID_SERVER_BIN, else
// `cargo build -p snowid-server` (debug) in the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { RemoteGenerator } from '../index.mjs';
import { throwsCode, scratch, vectors } from '../__test__/helpers.mjs';

const root = new URL('../../', import.meta.url).pathname;

function serverBin() {
  if (process.env.SNOWID_SERVER_BIN) return process.env.SNOWID_SERVER_BIN;
  const r = spawnSync('cargo', ['build', '-q', '-p', 'snowid-server'], { cwd: root, stdio: 'inherit' });
  assert.equal(r.status, 0, 'cargo build -p snowid-server');
  return join(process.env.CARGO_TARGET_DIR || join(root, 'target'), 'debug', 'snowid');
}

function serve(args = []) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SNOWID_')));
  env.SNOWID_STATE_DIR = scratch('nb-remote-');
  env.SNOWID_HOST_LOCK_DIR = 'off';
  const child = spawn(serverBin(), ['serve', '--listen', '127.0.0.1:0', ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const m = /http:\/\/(\S+)/.exec(err);
      if (m && !child.url) {
        child.url = 'http://' + m[1];
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`snowid serve exited ${code}: ${err}`)));
  });
}

function stop(child) {
  child.removeAllListeners('exit');
  process.kill(child.pid, 'SIGKILL');
}

test('RemoteGenerator: bigint IDs that increase and are unique; ready() resolves', async () => {
  const s = await serve();
  try {
    const g = new RemoteGenerator({ url: s.url, batch: 100 });
    await g.ready();
    const ids = [];
    for (let i = 0; i < 1000; i++) ids.push(g.next());
    ids.push(...g.nextBatch(300));
    ids.push(BigInt(g.nextString()));
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1] < ids[i]);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(typeof ids[0], 'bigint');
    assert.equal(g.url, s.url);
    throwsCode(() => g.nextBatch(-1), 'INVALID_SETTING');
    throwsCode(() => g.nextBatch(2 ** 24 + 1), 'INVALID_SETTING');
    throwsCode(() => g.nextBatch('3'), 'WRONG_TYPE');
    throwsCode(() => RemoteGenerator.prototype.next.call({}), 'WRONG_TYPE');
    const st = g.stats();
    assert.ok(st.batchesFetched >= 13 && st.fetchFailures === 0, JSON.stringify(st));
  } finally {
    stop(s);
  }
});

test('RemoteGenerator: the vectors options', () => {
  for (const c of vectors.remote.cases) {
    const names = c.options.map(([n]) => n);
    if (new Set(names).size !== names.length) continue; // not expressible as an object
    const opts = Object.fromEntries(c.options);
    if (c.error === null) {
      assert.equal(new RemoteGenerator(opts).url, c.settings.url, JSON.stringify(c));
    } else {
      throwsCode(() => new RemoteGenerator(opts), c.error, JSON.stringify(c));
    }
  }
  throwsCode(() => new RemoteGenerator('http://h'), 'WRONG_TYPE');
  throwsCode(() => new RemoteGenerator(), 'WRONG_TYPE');
  assert.throws(() => RemoteGenerator({ url: 'http://h' }), /SNOWID_WRONG_TYPE|new/);
});

test('RemoteGenerator: coded errors when the server is down, stalled or refuses the token', async () => {
  // refused: a port nobody listens on
  const free = createServer();
  await new Promise((r) => free.listen(0, '127.0.0.1', r));
  const port = free.address().port;
  await new Promise((r) => free.close(r));
  const down = new RemoteGenerator({ url: `http://127.0.0.1:${port}`, timeoutMs: 300 });
  throwsCode(() => down.next(), 'REMOTE_UNAVAILABLE');
  await assert.rejects(down.ready(), (e) => e.code === 'SNOWID_REMOTE_UNAVAILABLE');
  // stalled: accepts, never answers
  const held = [];
  const stalled = createServer((c) => held.push(c));
  await new Promise((r) => stalled.listen(0, '127.0.0.1', r));
  const g = new RemoteGenerator({ url: `http://127.0.0.1:${stalled.address().port}`, timeoutMs: 300 });
  throwsCode(() => g.next(), 'REMOTE_TIMEOUT');
  for (const c of held) c.destroy();
  stalled.close();
  // a bad token
  const dir = scratch('nb-remote-token-');
  const tf = join(dir, 'token');
  (await import('node:fs')).writeFileSync(tf, 's3cret\n');
  const s = await serve(['--token-file', tf]);
  try {
    throwsCode(() => new RemoteGenerator({ url: s.url, token: 'wrong' }).next(), 'UNAUTHORIZED');
    const ok = new RemoteGenerator({ url: s.url, token: 's3cret' });
    assert.ok(ok.next() < ok.next());
  } finally {
    stop(s);
  }
});
