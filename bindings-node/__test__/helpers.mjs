import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { Layout } from '../index.mjs';

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

/** Asserts `fn` throws an error of class `cls` with `code`. */
export function throwsCode(fn, cls, code, what = '') {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof cls, `${what}: expected ${cls.name}, got ${e.constructor.name}: ${e.message}`);
    assert.equal(e.code, code, `${what}: ${e.message}`);
    return true;
  });
}

export const classOfKind = (kind) => (kind === 'invalid_input' ? RangeError : Error);
export const kindOf = (code) => vectors.errors.find((e) => e.code === code).kind;
