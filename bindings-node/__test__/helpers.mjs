import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

// Each test file (node --test runs them in parallel processes) keeps its
// slot locks and high-water marks in its own scratch directory, so explicit
// node numbers (protected by default) never collide across files.
// Scratch directories are removed when the test process exits (after
// index.js's own exit hook has written the default generator's mark).
const scratchDirs = [];
export function scratch(prefix = 'nb-test-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}
process.env.SNOWID_STATE_DIR = scratch();
process.env.SNOWID_HOST_LOCK_DIR = 'off';

const { Layout, errorCodes } = await import('../index.mjs');
process.on('exit', () => {
  for (const d of scratchDirs) rmSync(d, { recursive: true, force: true });
});

export const vectors = JSON.parse(
  readFileSync(new URL('../../testdata/vectors.json', import.meta.url), 'utf8'),
);

export function specOf(v) {
  return {
    name: v.name,
    fields: v.fields.map((f) => ({ name: f.name, bits: f.bits, kind: f.kind })),
    epoch: v.epoch_ms,
    tickMs: v.tick_ms,
    signBit: v.sign_bit,
  };
}

export function layoutOf(name) {
  const v = vectors.layouts.find((l) => l.name === name);
  const custom = new Layout(specOf(v));
  if (v.preset) {
    const preset = Layout.preset(name);
    assert.ok(preset.equals(custom), `preset ${name} matches its vector`);
    return preset;
  }
  return custom;
}

const codes = new Map(errorCodes().map((e) => [e.code, e]));
const classes = { Error, TypeError, RangeError };

/** Asserts `e` is a snowid error: a known code, its number and JS class. */
export function assertCoded(e, what = '') {
  const row = codes.get(e?.code);
  assert.ok(row, `${what}: an error without a snowid code: ${e?.constructor?.name} ${e?.code} ${e?.message}`);
  assert.equal(e.number, row.number, `${what}: number of ${e.code}`);
  assert.equal(e.constructor, classes[row.jsClass], `${what}: class of ${e.code}`);
  assert.ok(e.message.length > 0 && e.message.length < 2000, `${what}: message ${e.message}`);
}

/** Asserts `fn` throws the snowid error `code` (SNOWID_ prefix optional). */
export function throwsCode(fn, code, what = '') {
  const want = code.startsWith('SNOWID_') ? code : `SNOWID_${code}`;
  assert.throws(fn, (e) => {
    assertCoded(e, what);
    assert.equal(e.code, want, `${what}: ${e.message}`);
    return true;
  });
}
